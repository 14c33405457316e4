import pytest
from django.urls import reverse

from anagrafica.constants import StatoCensimento, TipoCensimento
from anagrafica.models import Azienda, RichiestaCensimento, Sede
from anagrafica.services import (
    MSG_CENSIMENTO_GIA_DECISA,
    MSG_CPI_NON_COMPETENTE,
    censimento_approve,
    censimento_refuse,
    censimento_request,
)
from core.exceptions import NotAllowed, NotPermitted
from tests.anagrafica.factories import UserFactory, comune, cpi

ASTI = "005005"  # codice ISTAT del comune di Asti


def dati_azienda(legale_rappresentante):
    return {
        "codice_fiscale": "01234560058",
        "partita_iva": "01234560058",
        "ragione_sociale": "Gamma Tessile S.p.A.",
        "forma_giuridica": "Società per azioni",
        "codice_ateco": "13.20.00",
        "indirizzo": "Piazza Alfieri 1",
        "comune": comune("Asti"),
        "cap": "14100",
        "lr_codice_fiscale": legale_rappresentante.codice_fiscale,
        "lr_nome": legale_rappresentante.first_name,
        "lr_cognome": legale_rappresentante.last_name,
    }


DATI_SEDE = {"denominazione": "Tessitura di Asti", "indirizzo": "Via Cavour 5", "cap": "14100"}


@pytest.fixture
def operatore_torino(db):
    return UserFactory(operatore_cpi=True, cpi=cpi("Torino"))


@pytest.fixture
def operatore_asti(db):
    return UserFactory(operatore_cpi=True, cpi=cpi("Asti"))


@pytest.fixture
def richiesta(legale_rappresentante):
    return censimento_request(
        actor=legale_rappresentante,
        tipo=TipoCensimento.AZIENDA,
        azienda=dati_azienda(legale_rappresentante),
        sede={**DATI_SEDE, "comune": comune("Asti")},
    )


def test_census_request_goes_to_the_cpi_of_the_site_comune(richiesta):
    assert richiesta.cpi == cpi("Asti")
    assert richiesta.stato == StatoCensimento.IN_ATTESA
    assert richiesta.dati["sede"]["comune"] == comune("Asti").pk


def test_cpi_operator_of_torino_cannot_approve_a_site_in_asti(richiesta, operatore_torino):
    with pytest.raises(NotPermitted) as refused:
        censimento_approve(actor=operatore_torino, richiesta=richiesta)

    assert refused.value.message == str(MSG_CPI_NON_COMPETENTE)
    richiesta.refresh_from_db()
    assert richiesta.stato == StatoCensimento.IN_ATTESA
    assert not Azienda.objects.filter(codice_fiscale="01234560058").exists()


def test_census_request_becomes_a_usable_company(
    client, legale_rappresentante, operatore_asti, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(legale_rappresentante)
    post = {
        f"azienda-{k}": (v.pk if hasattr(v, "pk") else v)
        for k, v in dati_azienda(legale_rappresentante).items()
    }
    post.update({f"sede-{k}": v for k, v in DATI_SEDE.items()})
    post.update({"sede-comune": comune("Asti").pk, "tipo": TipoCensimento.AZIENDA})

    response = client.post(reverse("anagrafica:censimento_create"), post)

    assert response.status_code == 302, response.content.decode()
    richiesta = RichiestaCensimento.objects.get(richiedente=legale_rappresentante)

    with django_capture_on_commit_callbacks(execute=True):
        censimento_approve(actor=operatore_asti, richiesta=richiesta)

    gamma = Azienda.objects.get(codice_fiscale="01234560058")
    assert list(gamma.sedi.values_list("denominazione", flat=True)) == ["Tessitura di Asti"]
    home = client.get(reverse("anagrafica:home")).content.decode()
    assert "Gamma Tessile S.p.A." in home
    assert client.get(reverse("anagrafica:azienda_detail", args=[gamma.pk])).status_code == 200
    elenco = client.get(reverse("anagrafica:censimento_list")).content.decode()
    assert "Approvata" in elenco
    assert [m.to for m in mailoutbox] == [[legale_rappresentante.email]]
    assert "approvata" in mailoutbox[0].subject


def test_refused_census_request_shows_the_reason_and_mails_the_requester(
    client, richiesta, operatore_asti, legale_rappresentante, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        censimento_refuse(actor=operatore_asti, richiesta=richiesta, motivo="Azienda cessata nel 2019.")

    client.force_login(legale_rappresentante)
    elenco = client.get(reverse("anagrafica:censimento_list")).content.decode()
    assert "Rifiutata" in elenco
    assert "Azienda cessata nel 2019." in elenco
    assert "Azienda cessata nel 2019." in mailoutbox[0].body
    assert not Azienda.objects.filter(codice_fiscale="01234560058").exists()


def test_a_decided_request_cannot_be_decided_again(richiesta, operatore_asti):
    censimento_refuse(actor=operatore_asti, richiesta=richiesta, motivo="Dati incompleti.")

    with pytest.raises(NotAllowed) as refused:
        censimento_approve(actor=operatore_asti, richiesta=richiesta)

    assert refused.value.message == str(MSG_CENSIMENTO_GIA_DECISA)


def test_census_of_a_missing_site_of_a_known_company(client, legale_rappresentante, azienda, operatore_asti):
    client.force_login(legale_rappresentante)
    post = {
        "tipo": TipoCensimento.SEDE,
        "azienda-azienda_codice_fiscale": azienda.codice_fiscale,
        "sede-comune": comune("Asti").pk,
        **{f"sede-{k}": v for k, v in DATI_SEDE.items()},
    }

    assert client.post(reverse("anagrafica:censimento_create"), post).status_code == 302
    richiesta = RichiestaCensimento.objects.get(richiedente=legale_rappresentante)
    censimento_approve(actor=operatore_asti, richiesta=richiesta)

    assert Sede.objects.filter(azienda=azienda, denominazione="Tessitura di Asti").exists()


def test_census_request_for_an_existing_company_is_refused_on_the_form(
    client, legale_rappresentante, azienda
):
    client.force_login(legale_rappresentante)
    dati = {**dati_azienda(legale_rappresentante), "codice_fiscale": azienda.codice_fiscale}
    post = {f"azienda-{k}": (v.pk if hasattr(v, "pk") else v) for k, v in dati.items()}
    post.update({f"sede-{k}": v for k, v in DATI_SEDE.items()})
    post.update({"sede-comune": comune("Asti").pk, "tipo": TipoCensimento.AZIENDA})

    response = client.post(reverse("anagrafica:censimento_create"), post)

    assert response.status_code == 200
    assert not RichiestaCensimento.objects.exists()


def test_census_form_pages_have_an_italian_title(client, legale_rappresentante):
    client.force_login(legale_rappresentante)

    assert (
        "<title>Nuova richiesta di censimento"
        in client.get(reverse("anagrafica:censimento_create")).content.decode()
    )
    page = client.get(reverse("anagrafica:censimento_create"), {"tipo": "sede"}).content.decode()
    assert "azienda-azienda_codice_fiscale" in page
