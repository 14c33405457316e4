from base64 import b32encode
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagrafica.models import Azienda, User
from anagrafica.selectors import aziende_for
from claims.models import Domanda, Misura
from claims.selectors import misure_aperte
from consuntivi.models import RisorseRegionali
from tests.anagrafica.factories import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_PASSWORD = "demo-password-123"
    call_command("demo_data")


def ragioni(user_cf: str) -> list[str]:
    return list(
        aziende_for(User.objects.get(codice_fiscale=user_cf)).values_list("ragione_sociale", flat=True)
    )


def test_demo_people_act_for_the_right_companies(demo):
    assert ragioni("RSSMRA80A01L219M") == ["Alfa Meccanica S.r.l."]
    assert ragioni("BNCLRA85M41L219R") == ["Beta Servizi S.n.c."]
    assert ragioni("VRDGPP70C15D205L") == ["Alfa Meccanica S.r.l."]


def test_demo_companies_have_their_sites_and_a_draft_each(demo):
    alfa = Azienda.objects.get(partita_iva="09876540015")
    assert sorted(alfa.sedi.values_list("comune__nome", flat=True)) == ["Cuneo", "Torino"]
    assert Azienda.objects.get(partita_iva="05555550010").sedi.get().comune.nome == "Asti"
    assert Domanda.objects.filter(stato="BOZZA").count() == 2
    assert all(d.lavoratori.count() == 4 for d in Domanda.objects.all())


def test_demo_backoffice_users_sign_in_with_the_configured_password(demo, client):
    assert client.login(username="funzionario", password="demo-password-123")
    cpi = User.objects.get(username="cpi.torino")
    assert cpi.cpi.nome == "CPI di Torino"


@pytest.mark.parametrize("username", ["funzionario", "cpi.torino"])
def test_demo_officers_pass_the_second_factor_with_the_documented_secret(demo, client, username):
    """README: in embedded mode the demo officers' authenticator key is GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    assert b32encode(device.bin_key).decode() == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    client.post(reverse("anagrafica:login"), {"username": username, "password": "demo-password-123"})
    assert client.get(reverse("admin:index")).status_code == 302  # the code first
    client.post(reverse("anagrafica:secondo_fattore"), {"codice": totp_code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_demo_officers_get_no_published_secret_in_production(settings):
    settings.PRODUCTION = True
    settings.DEMO_PASSWORD = "demo-password-123"
    call_command("demo_data")
    assert not TOTPDevice.objects.exists()


def test_demo_measure_window_is_open_today(demo):
    assert list(misure_aperte(timezone.localdate())) == [Misura.objects.get(codice="cigd-demo")]


def test_demo_data_is_idempotent(demo):
    counts = (User.objects.count(), Azienda.objects.count(), Domanda.objects.count())
    call_command("demo_data")
    assert (User.objects.count(), Azienda.objects.count(), Domanda.objects.count()) == counts


def test_demo_budget_is_piemonte_first_allocation_plus_residues(demo):
    assert RisorseRegionali.objects.aggregate(totale=Sum("importo"))["totale"] == Decimal("87592147.00")


def test_officer_menu_links_to_backoffice_and_dashboard(demo, client):
    client.force_login(User.objects.get(username="funzionario"))
    response = client.get("/domande/")
    assert 'href="/admin/"' in response.text
    assert "Cruscotto risorse" in response.text
    assert "Nuova domanda" not in response.text
