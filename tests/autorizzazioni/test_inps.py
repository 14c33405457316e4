"""Flusso B (XSD, byte-identical regeneration, command), "sent to INPS", INPS's outcome file, and what
the company sees of it."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from autorizzazioni import flusso_b
from autorizzazioni.services import MSG_FLUSSO_NON_GENERATO
from claims.constants import StatoDomanda
from claims.models import Domanda, EventoDomanda
from protocollo.services import protocollo_register_documento

from .factories import atto, massimali_e_risorse

pytestmark = pytest.mark.django_db
NS = {"b": flusso_b.NS}
INTESTAZIONE_ESITO = "id_domanda;codice_fiscale_azienda;esito;codice_autorizzazione;motivo_anomalia\n"


@pytest.fixture
def determinazione(ammissibile, funzionario):
    massimali_e_risorse((dt.date.today() - dt.timedelta(days=14)).year, Decimal("100000"))
    domande = ammissibile(2)
    return atto(funzionario, domande, numero=176)


def _url(nome, determinazione):
    return reverse(f"admin:autorizzazioni_determinazione_{nome}", args=[determinazione.pk])


def _stato(domanda) -> str:
    return Domanda.objects.get(pk=domanda.pk).stato


def _domande(determinazione):
    return list(Domanda.objects.filter(righe_determinazione__determinazione=determinazione).order_by("pk"))


def test_flusso_b_is_valid_against_the_xsd_and_the_same_bytes_every_time(officer_client, determinazione):
    primo = officer_client.get(_url("flusso_b", determinazione))
    assert primo.status_code == 200 and primo["Content-Type"] == "application/xml"
    secondo = officer_client.get(_url("flusso_b", determinazione))
    assert primo.content == secondo.content
    flusso_b.valida(primo.content)  # raises if not valid

    xml = etree.fromstring(primo.content)
    assert xml.findtext("b:Decreto/b:NumeroDecretoConvenzionale", namespaces=NS) == "33193"
    assert xml.findtext("b:Decreto/b:NumeroAtto", namespaces=NS) == "176"
    assert xml.findtext("b:Decreto/b:DataAtto", namespaces=NS) == determinazione.data.isoformat()
    assert xml.findtext("b:Decreto/b:Regione", namespaces=NS) == "Regione Piemonte"
    for domanda in _domande(determinazione):
        nodo = xml.find(f".//b:Domanda[@id='{domanda.pk}']", namespaces=NS)
        assert nodo.findtext("b:PeriodoDal", namespaces=NS) == domanda.data_inizio.isoformat()
        unita = nodo.getparent()
        assert unita.findtext("b:CodiceComuneIstat", namespaces=NS) == domanda.sede.comune.codice_istat
        assert unita.getparent().findtext("b:CodiceFiscale", namespaces=NS) == domanda.azienda.codice_fiscale
        lavoratori = {
            lav.findtext("b:CodiceFiscale", namespaces=NS): lav.findtext("b:OreAutorizzate", namespaces=NS)
            for lav in nodo.findall("b:Lavoratore", namespaces=NS)
        }
        assert lavoratori == {lav.codice_fiscale: "40.0" for lav in domanda.lavoratori.all()}


def test_the_command_writes_the_same_flusso_b_as_the_backoffice(officer_client, determinazione, tmp_path):
    scaricato = officer_client.get(_url("flusso_b", determinazione)).content
    destinazione = tmp_path / "flusso.xml"
    call_command("flusso_b", str(determinazione.anno), "176", "-o", str(destinazione), stderr=io.StringIO())
    assert destinazione.read_bytes() == scaricato


def test_the_xsd_refuses_a_flusso_b_with_a_wrong_codice_fiscale(determinazione):
    dati = {**determinazione.dati}
    dati["domande"] = [
        {**d, "lavoratori": [{"codice_fiscale": "NONVALIDO", "ore": "8.0"}]} for d in dati["domande"]
    ]
    with pytest.raises(flusso_b.FlussoBNonValido, match="CodiceFiscale"):
        flusso_b.genera(dati)


def test_sent_to_inps_only_after_the_flusso_b_was_generated(officer_client, determinazione):
    domande = _domande(determinazione)
    risposta = officer_client.post(_url("inviata", determinazione), follow=True)
    assert MSG_FLUSSO_NON_GENERATO in risposta.text
    assert {_stato(d) for d in domande} == {StatoDomanda.AUTORIZZATA}

    officer_client.get(_url("flusso_b", determinazione))
    officer_client.post(_url("inviata", determinazione))
    assert {_stato(d) for d in domande} == {StatoDomanda.TRASMESSA_INPS}
    determinazione.refresh_from_db()
    assert determinazione.inviata_inps_il is not None


def _inviata(client, determinazione):
    client.get(_url("flusso_b", determinazione))
    client.post(_url("inviata", determinazione))


def test_inps_outcome_file_gives_codes_and_anomalies_and_the_company_sees_them(
    officer_client, client, determinazione
):
    protocollo_register_documento(determinazione)  # as the worker does once the act is adopted
    _inviata(officer_client, determinazione)
    accolta, anomala = _domande(determinazione)
    contenuto = (
        INTESTAZIONE_ESITO
        + f"{accolta.pk};{accolta.azienda.codice_fiscale};ACCOLTA;A20DG00123;\n"
        + f"{anomala.pk};{anomala.azienda.codice_fiscale};ANOMALIA;;Matricola INPS non attiva\n"
    ).encode()
    risposta = officer_client.post(
        _url("esito", determinazione), {"file": SimpleUploadedFile("esito.csv", contenuto)}
    )
    assert risposta.status_code == 302, risposta.context["form"].errors
    assert _stato(accolta) == StatoDomanda.ACCOLTA_INPS
    assert Domanda.objects.get(pk=accolta.pk).codice_autorizzazione_inps == "A20DG00123"
    assert _stato(anomala) == StatoDomanda.ANOMALIA_INPS
    assert determinazione.esiti.get().accolte == 1

    # The anomaly is back in the officer's queue.
    coda = officer_client.get(reverse("admin:claims_domanda_changelist"), {"stato__exact": "ANOMALIA_INPS"})
    assert anomala.azienda.ragione_sociale in coda.text and accolta.azienda.ragione_sociale not in coda.text

    # The company sees the code (for its SR41) and each step in the history.
    client.force_login(accolta.creata_da)
    pagina = client.get(reverse("claims:domanda_detail", args=[accolta.pk]))
    assert "A20DG00123" in pagina.text
    for passo in ("AUTORIZZATA", "TRASMESSA INPS", "ACCOLTA INPS"):
        assert passo in pagina.text
    client.force_login(anomala.creata_da)
    pagina = client.get(reverse("claims:domanda_detail", args=[anomala.pk]))
    assert "Matricola INPS non attiva" in pagina.text

    # The history notes name the act by its number and protocol, never by an internal id.
    determinazione.refresh_from_db()
    atto = (
        f"determinazione n. 176/{determinazione.anno} (protocollo {determinazione.registrazione.segnatura})"
    )
    note = list(EventoDomanda.objects.filter(domanda=accolta).order_by("pk").values_list("note", flat=True))
    assert note[-2:] == [
        f"Flusso B della {atto} inviato a INPS",
        f"Esito INPS della {atto} – codice di autorizzazione INPS A20DG00123",
    ]
    for nota in note:
        assert not re.search(rf"(n\. |id |#)({accolta.pk}|{determinazione.pk})\b", nota), nota


def test_an_outcome_file_with_one_bad_row_changes_nothing(officer_client, determinazione):
    _inviata(officer_client, determinazione)
    buona, altra = _domande(determinazione)
    contenuto = (
        INTESTAZIONE_ESITO
        + f"{buona.pk};{buona.azienda.codice_fiscale};ACCOLTA;A20DG00124;\n"
        + f"{altra.pk};{altra.azienda.codice_fiscale};ACCOLTA;;\n"
        + f"999999;{altra.azienda.codice_fiscale};ANOMALIA;;x\n"
    ).encode()
    risposta = officer_client.post(
        _url("esito", determinazione), {"file": SimpleUploadedFile("e.csv", contenuto)}
    )
    errori = " ".join(risposta.context["form"].errors["file"])
    assert "Riga 3: manca il codice di autorizzazione INPS" in errori
    assert "Riga 4: la domanda «999999» non è in questa determinazione" in errori
    assert {_stato(buona), _stato(altra)} == {StatoDomanda.TRASMESSA_INPS}
    assert not determinazione.esiti.exists()


def test_outcome_file_with_the_wrong_columns_is_refused_with_the_expected_ones(
    officer_client, determinazione
):
    _inviata(officer_client, determinazione)
    risposta = officer_client.post(
        _url("esito", determinazione), {"file": SimpleUploadedFile("e.csv", b"domanda,esito\n1,OK\n")}
    )
    assert "id_domanda;codice_fiscale_azienda;esito" in " ".join(risposta.context["form"].errors["file"])


@pytest.mark.parametrize("ruolo", ["cpi", "impresa"])
def test_cpi_operators_and_company_users_cannot_import_outcomes(
    officer_client, client, determinazione, operatore_cpi, ruolo
):
    _inviata(officer_client, determinazione)
    domanda = _domande(determinazione)[0]
    client.force_login(operatore_cpi if ruolo == "cpi" else domanda.creata_da)
    contenuto = f"{INTESTAZIONE_ESITO}{domanda.pk};{domanda.azienda.codice_fiscale};ACCOLTA;ABC;\n".encode()
    risposta = client.post(_url("esito", determinazione), {"file": SimpleUploadedFile("e.csv", contenuto)})
    assert risposta.status_code in (302, 403)
    assert _stato(domanda) == StatoDomanda.TRASMESSA_INPS


def test_the_payroll_software_reads_the_code_and_the_authorised_hours_from_the_api(
    officer_client, determinazione
):
    from rest_framework.test import APIClient

    _inviata(officer_client, determinazione)
    domanda = _domande(determinazione)[0]
    contenuto = f"{INTESTAZIONE_ESITO}{domanda.pk};{domanda.azienda.codice_fiscale};ACCOLTA;A20DG00177;\n"
    officer_client.post(
        _url("esito", determinazione), {"file": SimpleUploadedFile("e.csv", contenuto.encode())}
    )

    api = APIClient()
    api.force_authenticate(domanda.creata_da)
    dati = api.get(f"/api/v1/domande/{domanda.pk}/").json()
    assert (dati["stato"], dati["codice_autorizzazione_inps"]) == ("ACCOLTA_INPS", "A20DG00177")
    assert {lav["ore_autorizzate"] for lav in dati["lavoratori"]} == {"40.0"}


def test_an_unreadable_outcome_file_gets_a_message_not_an_error_page(officer_client, determinazione):
    _inviata(officer_client, determinazione)
    (domanda, _altra) = _domande(determinazione)
    contenuto = (
        INTESTAZIONE_ESITO
        + f"²;{domanda.azienda.codice_fiscale};ACCOLTA;A1;\n"  # a digit that int() refuses
        + f'{domanda.pk};"{"x" * 200_000}";ACCOLTA;A1;\n'  # a field over the csv module's limit
    ).encode()

    risposta = officer_client.post(
        _url("esito", determinazione), {"file": SimpleUploadedFile("e.csv", contenuto)}
    )

    assert risposta.status_code == 200
    # In Italian, naming the line, one full stop (Python's csv error is English).
    assert risposta.context["form"].errors["file"] == [
        "Il file CSV non è leggibile: la riga 3 non si legge come CSV."
    ]
    assert _stato(domanda) == StatoDomanda.TRASMESSA_INPS


def test_an_outcome_file_whose_first_line_is_unreadable_gets_a_message_not_an_error_page(
    officer_client, determinazione
):
    _inviata(officer_client, determinazione)
    (domanda, _altra) = _domande(determinazione)
    contenuto = f'"{"x" * 200_000}";esito\n'.encode()  # the header itself over the csv module's limit

    risposta = officer_client.post(
        _url("esito", determinazione), {"file": SimpleUploadedFile("e.csv", contenuto)}
    )

    assert risposta.status_code == 200
    assert risposta.context["form"].errors["file"] == [
        "Il file CSV non è leggibile: la riga 1 non si legge come CSV."
    ]
    assert _stato(domanda) == StatoDomanda.TRASMESSA_INPS


def test_downloading_the_flusso_b_records_the_access_to_the_workers_data(
    officer_client, funzionario, determinazione
):
    from core.models import AccessoDatiPersonali

    assert officer_client.get(_url("flusso_b", determinazione)).status_code == 200

    (accesso,) = AccessoDatiPersonali.objects.all()
    assert (accesso.actor, accesso.azione) == (funzionario, AccessoDatiPersonali.Azione.ESPORTAZIONE)
    assert (accesso.oggetto_tipo, accesso.oggetto_id) == (
        "autorizzazioni.determinazione",
        str(determinazione.pk),
    )
    assert (accesso.quanti, accesso.motivo) == (2, "trasmissione all'INPS")
