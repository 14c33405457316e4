import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from claims.constants import StatoDomanda
from consuntivi.models import Consuntivo
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from tests.api.conftest import client_for, first_of_previous_month
from tests.claims.factories import MINIMAL_PDF, DomandaFactory, LavoratoreFactory, avanza

pytestmark = pytest.mark.django_db


@pytest.fixture
def domanda(make_domanda):
    """Submitted, two weeks from the first of last month, one worker with 40 hours requested."""
    inizio = first_of_previous_month()
    domanda = make_domanda(data_inizio=inizio, data_fine=inizio + dt.timedelta(days=13), lavoratori=[])
    LavoratoreFactory(domanda=domanda, ore_settimanali=Decimal("40"), ore_richieste=Decimal("40"))
    return avanza(domanda, StatoDomanda.PRESENTATA)


def url(domanda) -> str:
    return f"/api/v1/domande/{domanda if isinstance(domanda, int | str) else domanda.pk}/consuntivi/"


def riga(domanda, ore="8") -> dict:
    return {"codice_fiscale": domanda.lavoratori.get().codice_fiscale, "ore": ore}


def mese(domanda) -> str:
    return f"{domanda.data_inizio:%Y-%m}"


def test_consuntivo_is_sent_and_reads_back(api, domanda):
    response = api.post(url(domanda), {"mese": mese(domanda), "righe": [riga(domanda, "8.5")]}, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["mese"] == mese(domanda)
    assert data["domanda"] == domanda.pk
    assert data["protocollo"] is None
    assert data["righe"][0]["ore"] == "8.5"
    assert data["ore_totali"] == "8.5"
    assert data["inviato_da"] == "Mario Rossi"
    listed = api.get(url(domanda)).data
    assert [c["id"] for c in listed["results"]] == [data["id"]]
    assert api.get(f"/api/v1/consuntivi/{data['id']}/").data["righe"] == data["righe"]


def test_consuntivo_rules_answer_400_with_the_service_messages(api, domanda):
    righe = [riga(domanda, "8"), {"codice_fiscale": "RSSMRA80A01L219M", "ore": "1"}]
    response = api.post(url(domanda), {"mese": mese(domanda), "righe": righe}, format="json")
    assert response.status_code == 400
    assert response.data["errors"] == {
        "righe.2.codice_fiscale": [
            "Il codice fiscale RSSMRA80A01L219M non corrisponde a nessun lavoratore della domanda."
        ]
    }
    assert not Consuntivo.objects.exists()


def test_consuntivo_for_the_same_month_twice_is_refused(api, domanda):
    payload = {"mese": mese(domanda), "righe": [riga(domanda, "4")]}
    assert api.post(url(domanda), payload, format="json").status_code == 201
    response = api.post(url(domanda), payload, format="json")
    assert response.status_code == 400
    assert "è già stato inviato" in response.data["errors"]["mese"][0]


@pytest.mark.parametrize("valore", ["2026-13", "04/2026", "", None, 202604])
def test_consuntivo_month_must_be_yyyy_mm(api, domanda, valore):
    response = api.post(url(domanda), {"mese": valore, "righe": [riga(domanda)]}, format="json")
    assert response.status_code == 400
    assert "mese" in response.data["errors"]


def test_consuntivo_hours_must_be_a_number(api, domanda):
    response = api.post(
        url(domanda), {"mese": mese(domanda), "righe": [riga(domanda, "otto")]}, format="json"
    )
    assert response.status_code == 400
    assert list(response.data["errors"]) == ["righe.1.ore"]


def test_consuntivo_for_another_companys_domanda_is_not_found(api):
    altrui = DomandaFactory(presentata=True)
    payload = {"mese": f"{altrui.data_inizio:%Y-%m}", "righe": []}
    assert api.post(url(altrui), payload, format="json").status_code == 404
    assert api.get(url(altrui)).status_code == 404


def test_consuntivi_of_a_malformed_domanda_id_are_not_found(api):
    assert api.get(url("abc")).status_code == 404


def test_consuntivo_of_another_company_and_its_receipt_are_not_found(api):
    altrui = DomandaFactory(presentata=True)
    consuntivo = Consuntivo.objects.create(
        domanda=altrui,
        mese=altrui.data_inizio.replace(day=1),
        inviato_il=timezone.now(),
        inviato_da=altrui.creata_da,
    )
    assert api.get(f"/api/v1/consuntivi/{consuntivo.pk}/").status_code == 404
    assert api.get(f"/api/v1/consuntivi/{consuntivo.pk}/ricevuta/").status_code == 404


def test_intermediary_sends_a_consuntivo(consulente, domanda):
    response = client_for(consulente).post(
        url(domanda), {"mese": mese(domanda), "righe": [riga(domanda)]}, format="json"
    )
    assert response.status_code == 201
    assert response.data["inviato_da"] == "Giuseppe Verdi"


def test_regional_officer_sees_consuntivi_but_cannot_send_them(funzionario, domanda, api):
    sent = api.post(url(domanda), {"mese": mese(domanda), "righe": [riga(domanda)]}, format="json").data
    officer = client_for(funzionario)
    assert officer.get(url(domanda)).data["count"] == 1
    assert officer.get(f"/api/v1/consuntivi/{sent['id']}/").status_code == 200
    assert officer.post(url(domanda), {"mese": mese(domanda), "righe": []}, format="json").status_code == 404


def test_consuntivo_receipt_waits_for_the_protocol_then_is_the_pdf(api, domanda):
    sent = api.post(url(domanda), {"mese": mese(domanda), "righe": [riga(domanda)]}, format="json").data
    ricevuta_url = f"/api/v1/consuntivi/{sent['id']}/ricevuta/"
    response = api.get(ricevuta_url)
    assert response.status_code == 409
    assert response["Retry-After"] == "5"

    registrazione = RegistrazioneProtocollo.objects.create(
        anno=2026,
        numero=9,
        registrata_il=timezone.now(),
        tipo_documento="CONSUNTIVO",
        oggetto="Consuntivo",
        impronta="0" * 64,
        codice_verifica="VERIFICA9",
    )
    Consuntivo.objects.filter(pk=sent["id"]).update(registrazione=registrazione)
    assert api.get(ricevuta_url).status_code == 409  # numbered, receipt still rendering
    ricevuta = Ricevuta(registrazione=registrazione, sha256="b" * 64)
    ricevuta.pdf.save("r.pdf", ContentFile(MINIMAL_PDF), save=True)
    response = api.get(ricevuta_url)
    assert response.status_code == 200
    assert 'filename="ricevuta-consuntivo-2026-0000009.pdf"' in response["Content-Disposition"]
    assert api.get(f"/api/v1/consuntivi/{sent['id']}/").data["protocollo"] == "2026/0000009"
