import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from claims.constants import StatoDomanda
from claims.models import Domanda, RichiestaRegione
from claims.rules import MSG_REQUIRED
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from tests.anagrafica.factories import AbilitazioneFactory, SedeFactory, make_codice_fiscale
from tests.api.conftest import client_for
from tests.claims.factories import MINIMAL_PDF, DomandaFactory, LavoratoreFactory, MisuraFactory
from tests.core.pdfs import OPEN_ACTION_PDF, ZIP_POLYGLOT_PDF

pytestmark = pytest.mark.django_db

URL = "/api/v1/domande/"


def url(domanda, action: str = "") -> str:
    pk = domanda if isinstance(domanda, int | str) else domanda.pk
    return f"{URL}{pk}/{action + '/' if action else ''}"


def lavoratore(n: int, **overrides) -> dict:
    return {
        "codice_fiscale": make_codice_fiscale(40000 + n),
        "cognome": f"Galli{n}",
        "nome": "Elena",
        "qualifica": "IMPIEGATO",
        "tipo_contratto": "INDETERMINATO",
        "ore_settimanali": "40.0",
        "ore_richieste": "60.0",
        "data_assunzione": "2018-01-15",
    } | overrides


def body(sede, misura, **overrides) -> dict:
    oggi = dt.date.today()
    return {
        "sede": sede.pk,
        "misura": misura.pk,
        "data_inizio": (oggi - dt.timedelta(days=13)).isoformat(),
        "data_fine": oggi.isoformat(),
        "referente_nome": "Paola Neri",
        "referente_email": "paola.neri@example.it",
        "referente_telefono": "011 5550000",
        "accordo_data": (oggi - dt.timedelta(days=20)).isoformat(),
        "dichiara_assenza_altri_ammortizzatori": True,
        "dichiara_veridicita": True,
        "lavoratori": [lavoratore(1), lavoratore(2)],
    } | overrides


def make_ricevuta(domanda: Domanda, numero: int = 42) -> Ricevuta:
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=2026,
        numero=numero,
        registrata_il=timezone.now(),
        tipo_documento="DOMANDA",
        oggetto="Domanda di CIGD",
        impronta="0" * 64,
        codice_verifica=f"CODICE{numero}",
    )
    domanda.registrazione = registrazione
    domanda.save(update_fields=["registrazione"])
    ricevuta = Ricevuta(registrazione=registrazione, sha256="a" * 64)
    ricevuta.pdf.save("ricevuta.pdf", ContentFile(MINIMAL_PDF), save=True)
    return ricevuta


# --- list ----------------------------------------------------------------------------------------


def test_list_shows_only_domande_of_companies_the_user_acts_for(api, make_domanda, domanda_altrui):
    mia = make_domanda()
    response = api.get(URL)
    assert response.status_code == 200
    assert response.data["count"] == 1
    assert [d["id"] for d in response.data["results"]] == [mia.pk]
    riga = response.data["results"][0]
    assert riga["stato"] == "BOZZA"
    assert riga["protocollo"] is None
    assert riga["ore_totali"] == "80.0"
    assert riga["numero_lavoratori"] == 2


def test_list_requires_authentication(db):
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response.data["detail"]


def test_list_refuses_a_wrong_token(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert client.get(URL).status_code == 401


def test_list_filters_by_stato_azienda_sede_and_submission_dates(api, mario, azienda, sede, make_domanda):
    bozza = make_domanda()
    altra_sede = SedeFactory(azienda=azienda, denominazione="Magazzino")
    presentata = make_domanda(presentata=True, sede=altra_sede)
    Domanda.objects.filter(pk=presentata.pk).update(
        presentata_il=dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)  # 11 March in Rome
    )

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.data
        return {d["id"] for d in response.data["results"]}

    assert ids(stato="BOZZA") == {bozza.pk}
    assert ids(stato="PRESENTATA") == {presentata.pk}
    assert ids(azienda=azienda.pk) == {bozza.pk, presentata.pk}
    assert ids(sede=altra_sede.pk) == {presentata.pk}
    assert ids(presentata_dal="2026-03-11", presentata_al="2026-03-11") == {presentata.pk}
    assert ids(presentata_al="2026-03-10") == set()


@pytest.mark.parametrize(
    ("params", "campo"),
    [
        ({"presentata_dal": "2026-13-45"}, "presentata_dal"),
        ({"presentata_al": "ieri"}, "presentata_al"),
        ({"presentata_dal": "2026-03-02", "presentata_al": "2026-03-01"}, "presentata_al"),
        ({"stato": "APPROVATA"}, "stato"),
        ({"azienda": "uno"}, "azienda"),
    ],
)
def test_list_refuses_malformed_filters(api, params, campo):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.data["detail"] == "I dati inviati non sono validi."
    assert campo in response.data["errors"]


def test_list_is_paginated_by_50(api, mario, sede):
    DomandaFactory.create_batch(51, sede=sede, creata_da=mario, misura=MisuraFactory(), lavoratori=[])
    first = api.get(URL)
    assert first.data["count"] == 51
    assert len(first.data["results"]) == 50
    second = api.get(first.data["next"])
    assert [d["id"] for d in second.data["results"]] not in [[d["id"]] for d in first.data["results"]]
    assert len(second.data["results"]) == 1
    assert api.get(URL, {"page": 9}).status_code == 404


def test_list_makes_the_same_number_of_queries_for_1_and_20_domande(
    api, make_domanda, sede, django_assert_max_num_queries
):
    misura = MisuraFactory()
    make_domanda(misura=misura, presentata=True)
    with CaptureQueriesContext(connection) as one:
        assert api.get(URL).data["count"] == 1
    for _ in range(19):
        d = make_domanda(misura=misura, presentata=True)
        make_ricevuta(d, numero=d.pk)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert api.get(URL).data["count"] == 20


def test_detail_makes_a_fixed_number_of_queries(api, make_domanda, django_assert_max_num_queries):
    domanda = make_domanda(lavoratori=[])
    LavoratoreFactory.create_batch(30, domanda=domanda)
    with django_assert_max_num_queries(5):  # token, domanda, detail, lavoratori, storico
        assert len(api.get(url(domanda)).data["lavoratori"]) == 30


# --- create ------------------------------------------------------------------------------------


def test_create_makes_a_draft_with_its_workers_in_one_request(api, mario, sede):
    misura = MisuraFactory()
    response = api.post(URL, body(sede, misura), format="json")
    assert response.status_code == 201, response.data
    data = response.data
    domanda = Domanda.objects.get(pk=data["id"])
    assert domanda.lavoratori.count() == 2
    assert data["stato"] == "BOZZA"
    assert data["stato_descrizione"] == "BOZZA"
    assert data["azienda"] == sede.azienda_id
    assert data["sede"] == sede.pk
    assert data["protocollo"] is None
    assert data["presentata_il"] is None
    assert data["sostituisce"] is None
    assert data["sostituita_da"] is None
    assert data["ore_totali"] == "120.0"
    assert data["settimane"] == 2
    assert [lav["cognome"] for lav in data["lavoratori"]] == ["Galli1", "Galli2"]
    assert data["storico"] == [
        {
            "da": "",
            "a": "BOZZA",
            "actor": "Mario Rossi",
            "note": "",
            "created_at": data["storico"][0]["created_at"],
        }
    ]


def test_create_refused_for_a_site_of_another_company(api):
    altrui = SedeFactory()
    response = api.post(URL, body(altrui, MisuraFactory()), format="json")
    assert response.status_code == 400
    assert response.data["errors"]["sede"] == ["Sede non trovata tra quelle delle aziende per cui operi."]
    assert not Domanda.objects.exists()


def test_create_refuses_a_phone_number_that_cannot_exist(api, sede):
    response = api.post(URL, body(sede, MisuraFactory(), referente_telefono="12345"), format="json")
    assert response.status_code == 400
    assert response.data["errors"]["referente_telefono"][0].startswith(
        "Il numero di telefono «12345» non è valido"
    )
    assert not Domanda.objects.exists()


def test_create_reports_each_invalid_worker_by_its_row_with_the_service_message(api, sede):
    righe = [lavoratore(1), lavoratore(2, codice_fiscale="RSSMRA80A01L219X")]
    response = api.post(URL, body(sede, MisuraFactory(), lavoratori=righe), format="json")
    assert response.status_code == 400
    assert response.data["errors"] == {
        "lavoratori.2": ["codice_fiscale: Il codice fiscale «RSSMRA80A01L219X» non è valido."]
    }
    assert not Domanda.objects.exists()


def test_create_reports_malformed_worker_fields_by_row(api, sede):
    righe = [lavoratore(1, ore_settimanali="tante", qualifica="DIRIGENTE"), lavoratore(2)]
    response = api.post(URL, body(sede, MisuraFactory(), lavoratori=righe), format="json")
    assert response.status_code == 400
    errors = response.data["errors"]
    assert set(errors) == {"lavoratori.1"}
    assert any(m.startswith("ore_settimanali: ") for m in errors["lavoratori.1"])
    assert any(m.startswith("qualifica: ") for m in errors["lavoratori.1"])


def test_create_refuses_weekly_hours_the_database_would_reject(api, sede):
    righe = [lavoratore(1, ore_settimanali="60.0")]
    response = api.post(URL, body(sede, MisuraFactory(), lavoratori=righe), format="json")
    assert response.status_code == 400
    assert "lavoratori.1" in response.data["errors"]


def test_create_refuses_a_period_ending_before_it_starts(api, sede):
    response = api.post(
        URL, body(sede, MisuraFactory(), data_inizio="2026-03-10", data_fine="2026-03-01"), format="json"
    )
    assert response.status_code == 400
    assert response.data["errors"]["data_fine"] == ["La data di fine non può precedere la data di inizio."]


def test_create_reports_missing_required_fields(api):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400
    assert {"sede", "misura", "data_inizio", "data_fine"} <= set(response.data["errors"])
    assert response.data["errors"]["sede"] == ["Campo obbligatorio."]


def test_create_refuses_malformed_json(api):
    response = api.post(URL, '{"sede": ', content_type="application/json")
    assert response.status_code == 400
    assert response.data["detail"]


def test_intermediary_enabled_for_the_company_creates_a_draft(consulente, sede):
    response = client_for(consulente).post(URL, body(sede, MisuraFactory()), format="json")
    assert response.status_code == 201
    assert Domanda.objects.get(pk=response.data["id"]).creata_da == consulente
    assert response.data["storico"][0]["actor"] == "Giuseppe Verdi"


def test_intermediary_whose_enabling_was_revoked_sees_nothing(consulente, make_domanda):
    domanda = make_domanda()
    consulente_api = client_for(consulente)
    assert consulente_api.get(url(domanda)).status_code == 200
    AbilitazioneFactory._meta.model.objects.filter(codice_fiscale=consulente.codice_fiscale).update(
        revocata_il=timezone.now()
    )
    assert consulente_api.get(url(domanda)).status_code == 404
    assert consulente_api.get(URL).data["count"] == 0


# --- detail --------------------------------------------------------------------------------------


def test_detail_of_another_companys_domanda_is_not_found(api, domanda_altrui):
    response = api.get(url(domanda_altrui))
    assert response.status_code == 404
    assert response.data == {"detail": "Non trovato."}


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_detail_of_a_malformed_id_is_not_found(api, pk):
    assert api.get(url(pk)).status_code == 404


def test_detail_shows_protocollo_and_history(api, make_domanda):
    domanda = make_domanda(presentata=True)
    make_ricevuta(domanda, numero=42)
    data = api.get(url(domanda)).data
    assert data["protocollo"] == "2026/0000042"
    assert data["stato"] == "PRESENTATA"
    assert data["presentata_il"] is not None
    assert data["accordo_caricato"] is True


# --- update --------------------------------------------------------------------------------------


def test_patch_changes_a_draft_and_replaces_its_workers(api, make_domanda):
    domanda = make_domanda()
    response = api.patch(
        url(domanda), {"referente_nome": "Ugo Blu", "lavoratori": [lavoratore(9)]}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["referente_nome"] == "Ugo Blu"
    assert [lav["cognome"] for lav in response.data["lavoratori"]] == ["Galli9"]


def test_patch_refused_once_the_domanda_is_submitted(api, make_domanda):
    domanda = make_domanda(presentata=True)
    response = api.patch(url(domanda), {"referente_nome": "Altro"}, format="json")
    assert response.status_code == 409
    assert response.data["detail"] == (
        "Si possono modificare solo le domande in BOZZA; questa è in stato PRESENTATA."
    )
    assert Domanda.objects.get(pk=domanda.pk).referente_nome == "Paola Neri"


def test_patch_cannot_move_a_domanda_to_another_site(api, make_domanda, azienda):
    domanda = make_domanda()
    altra = SedeFactory(azienda=azienda)
    response = api.patch(url(domanda), {"sede": altra.pk}, format="json")
    assert response.status_code == 400
    assert "sede" in response.data["errors"]
    assert api.patch(url(domanda), {"sede": domanda.sede_id}, format="json").status_code == 200


def test_patch_of_another_companys_domanda_is_not_found(api):
    bozza = DomandaFactory()
    assert api.patch(url(bozza), {"referente_nome": "X"}, format="json").status_code == 404


def test_put_is_not_offered(api, make_domanda):
    assert api.put(url(make_domanda()), {}, format="json").status_code == 405


# --- submission --------------------------------------------------------------------------------


def test_presenta_submits_a_complete_draft(api, make_domanda):
    domanda = make_domanda()
    response = api.post(url(domanda, "presenta"))
    assert response.status_code == 200, response.data
    assert response.data["stato"] == "PRESENTATA"
    assert response.data["presentata_il"] is not None
    assert [e["a"] for e in response.data["storico"]] == ["PRESENTATA"]
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.PRESENTATA


def test_presenta_assigns_a_protocol_number_and_a_downloadable_receipt(
    api, make_domanda, django_capture_on_commit_callbacks
):
    domanda = make_domanda()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url(domanda, "presenta")).status_code == 200
    data = api.get(url(domanda)).data
    assert data["protocollo"] is not None
    assert len(data["protocollo"]) == len("2026/0000001")
    response = api.get(url(domanda, "ricevuta"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_presenta_reports_every_missing_field_in_italian(api, make_domanda):
    domanda = make_domanda(referente_email="", dichiara_veridicita=False, lavoratori=[])
    response = api.post(url(domanda, "presenta"))
    assert response.status_code == 400
    errors = response.data["errors"]
    assert errors["referente_email"] == [MSG_REQUIRED]
    assert errors["dichiara_veridicita"] == ["La dichiarazione è obbligatoria."]
    assert errors["lavoratori"] == ["Indicare almeno un lavoratore."]
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.BOZZA


def test_presenta_twice_returns_the_same_submission(api, make_domanda):
    domanda = make_domanda()
    first = api.post(url(domanda, "presenta")).data
    second = api.post(url(domanda, "presenta")).data
    assert first["presentata_il"] == second["presentata_il"]
    assert len(second["storico"]) == 1


def test_presenta_of_another_companys_draft_is_not_found(api):
    bozza = DomandaFactory()
    assert api.post(url(bozza, "presenta")).status_code == 404
    assert Domanda.objects.get(pk=bozza.pk).stato == StatoDomanda.BOZZA


def test_regional_officer_sees_a_submitted_domanda_but_cannot_act_for_the_company(funzionario, make_domanda):
    bozza, presentata = make_domanda(), make_domanda(presentata=True)
    officer = client_for(funzionario)
    assert officer.get(url(bozza)).status_code == 404  # drafts are invisible to the Region
    assert officer.get(url(presentata)).status_code == 200
    response = officer.post(url(presentata, "rettifica"), {}, format="json")
    assert response.status_code == 403
    assert response.data["detail"] == "Non sei abilitato ad agire per questa azienda."


# --- rettifica -----------------------------------------------------------------------------------


def test_rettifica_creates_and_submits_a_new_domanda(api, make_domanda):
    vecchia = make_domanda(presentata=True)
    response = api.post(url(vecchia, "rettifica"), {"referente_nome": "Ugo Blu"}, format="json")
    assert response.status_code == 201, response.data
    nuova = response.data
    assert nuova["id"] != vecchia.pk
    assert nuova["sostituisce"] == vecchia.pk
    assert nuova["stato"] == "PRESENTATA"
    assert nuova["referente_nome"] == "Ugo Blu"
    assert len(nuova["lavoratori"]) == 2
    old = api.get(url(vecchia)).data
    assert old["stato"] == "RETTIFICATA"
    assert old["sostituita_da"] == nuova["id"]


def test_rettifica_takes_the_same_body_as_create(api, make_domanda, sede):
    vecchia = make_domanda(presentata=True)
    corretta = body(sede, vecchia.misura, lavoratori=[lavoratore(5)])
    corretta["data_inizio"], corretta["data_fine"] = (
        vecchia.data_inizio.isoformat(),
        vecchia.data_fine.isoformat(),
    )
    response = api.post(url(vecchia, "rettifica"), corretta, format="json")
    assert response.status_code == 201, response.data
    assert [lav["cognome"] for lav in response.data["lavoratori"]] == ["Galli5"]


@pytest.mark.parametrize("trait", ["autorizzata", "in_istruttoria", "annullata"])
def test_rettifica_refused_when_domanda_is_not_rettificabile(api, make_domanda, trait):
    domanda = make_domanda(**{trait: True})
    response = api.post(url(domanda, "rettifica"), {"referente_nome": "X"}, format="json")
    assert response.status_code == 409
    assert "invia una richiesta alla Regione" in response.data["detail"]
    assert Domanda.objects.count() == 1


def test_rettifica_refused_for_a_draft(api, make_domanda):
    assert api.post(url(make_domanda(), "rettifica"), {}, format="json").status_code == 409


def test_rettifica_of_another_companys_domanda_is_not_found(api, domanda_altrui):
    assert api.post(url(domanda_altrui, "rettifica"), {}, format="json").status_code == 404


# --- requests to the Region ----------------------------------------------------------------------


def test_richiesta_of_annullamento_for_an_authorised_domanda(api, make_domanda):
    domanda = make_domanda(autorizzata=True)
    response = api.post(
        url(domanda, "richieste"), {"tipo": "ANNULLAMENTO", "motivo": "Lavoro ripreso"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["esito"] == "IN_ATTESA"
    assert RichiestaRegione.objects.get(pk=response.data["id"]).richiedente == domanda.creata_da
    listed = api.get(url(domanda, "richieste")).data
    assert [r["id"] for r in listed["results"]] == [response.data["id"]]


def test_richiesta_refused_where_rettifica_is_possible(api, make_domanda):
    domanda = make_domanda(presentata=True)
    response = api.post(url(domanda, "richieste"), {"tipo": "MODIFICA", "motivo": "Ore"}, format="json")
    assert response.status_code == 409
    assert "usa la funzione Rettifica" in response.data["detail"]


def test_richiesta_needs_a_known_tipo_and_a_motivo(api, make_domanda):
    domanda = make_domanda(autorizzata=True)
    response = api.post(url(domanda, "richieste"), {"tipo": "RECLAMO", "motivo": ""}, format="json")
    assert response.status_code == 400
    assert {"tipo", "motivo"} <= set(response.data["errors"])


def test_richiesta_for_another_companys_domanda_is_not_found(api, domanda_altrui):
    response = api.post(url(domanda_altrui, "richieste"), {"tipo": "MODIFICA", "motivo": "x"}, format="json")
    assert response.status_code == 404
    assert api.get(url(domanda_altrui, "richieste")).status_code == 404


# --- accordo ---------------------------------------------------------------------------------------


def pdf(content: bytes = MINIMAL_PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile("accordo.pdf", content, content_type="application/pdf")


def test_accordo_upload_stores_the_pdf_of_a_draft(api, make_domanda):
    domanda = make_domanda(accordo_file="", accordo_sha256="")
    response = api.post(url(domanda, "accordo"), {"accordo_file": pdf(), "accordo_data": "2026-01-10"})
    assert response.status_code == 200, response.data
    assert response.data["accordo_caricato"] is True
    assert response.data["accordo_data"] == "2026-01-10"
    assert len(response.data["accordo_sha256"]) == 64


def test_accordo_upload_refuses_a_file_that_is_not_a_pdf(api, make_domanda):
    domanda = make_domanda(accordo_file="", accordo_sha256="")
    response = api.post(url(domanda, "accordo"), {"accordo_file": pdf(b"<html>no</html>")})
    assert response.status_code == 400
    assert response.data["errors"] == {
        "accordo_file": ["Il file dell'accordo sindacale non è un PDF valido."]
    }


def test_accordo_upload_refuses_a_pdf_that_opens_with_an_action(api, make_domanda):
    domanda = make_domanda(accordo_file="", accordo_sha256="")
    response = api.post(url(domanda, "accordo"), {"accordo_file": pdf(OPEN_ACTION_PDF)})
    assert response.status_code == 400
    [errore] = response.data["errors"]["accordo_file"]
    assert errore.startswith("Il PDF dell'accordo sindacale contiene contenuti attivi (/OpenAction")
    assert not Domanda.objects.get(pk=domanda.pk).accordo_file


def test_accordo_upload_refuses_a_pdf_that_is_also_a_zip(api, make_domanda):
    domanda = make_domanda(accordo_file="", accordo_sha256="")
    response = api.post(url(domanda, "accordo"), {"accordo_file": pdf(ZIP_POLYGLOT_PDF)})
    assert response.status_code == 400
    assert response.data["errors"] == {
        "accordo_file": ["Il file dell'accordo sindacale non è un PDF valido."]
    }


def test_accordo_upload_needs_a_file(api, make_domanda):
    response = api.post(url(make_domanda(), "accordo"), {})
    assert response.status_code == 400
    assert "accordo_file" in response.data["errors"]


def test_accordo_upload_refused_once_submitted(api, make_domanda):
    response = api.post(url(make_domanda(presentata=True), "accordo"), {"accordo_file": pdf()})
    assert response.status_code == 409


def test_accordo_upload_to_another_companys_domanda_is_not_found(api):
    bozza = DomandaFactory(accordo_file="", accordo_sha256="")
    assert api.post(url(bozza, "accordo"), {"accordo_file": pdf()}).status_code == 404
    assert not Domanda.objects.get(pk=bozza.pk).accordo_file


# --- ricevuta --------------------------------------------------------------------------------------


def test_ricevuta_of_a_draft_is_a_conflict(api, make_domanda):
    response = api.get(url(make_domanda(), "ricevuta"))
    assert response.status_code == 409
    assert response.data["detail"] == "La domanda non è ancora stata presentata: non ha una ricevuta."


def test_ricevuta_waits_for_the_protocol_number(api, make_domanda):
    response = api.get(url(make_domanda(presentata=True), "ricevuta"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 409
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert "protocollo non è ancora stato assegnato" in response.json()["detail"]


def test_ricevuta_is_the_stored_pdf(api, make_domanda):
    domanda = make_domanda(presentata=True)
    make_ricevuta(domanda, numero=7)
    response = api.get(url(domanda, "ricevuta"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="ricevuta-2026-0000007.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == MINIMAL_PDF


def test_ricevuta_of_another_companys_domanda_is_not_found(api, domanda_altrui):
    make_ricevuta(domanda_altrui)
    assert api.get(url(domanda_altrui, "ricevuta")).status_code == 404


# --- misure --------------------------------------------------------------------------------------


def test_misure_lists_only_measures_with_a_window_open_today(api):
    aperta = MisuraFactory(nome="Aperta")
    chiusa = MisuraFactory(nome="Chiusa", finestra=None)
    chiusa.finestre.create(
        nome="Passata",
        presentazione_dal=dt.date(2020, 9, 1),
        presentazione_al=dt.date(2020, 10, 31),
        periodo_dal=chiusa.periodo_dal,
        periodo_al=chiusa.periodo_al,
    )
    response = api.get("/api/v1/misure/")
    assert response.status_code == 200
    assert [m["id"] for m in response.data["results"]] == [aperta.pk]
    assert [f["nome"] for f in response.data["results"][0]["finestre"]] == ["Finestra aperta"]
    assert response.data["results"][0]["max_settimane_per_sede"] == 9


def test_decimal_fields_read_back_as_strings(api, make_domanda):
    domanda = make_domanda(lavoratori=[])
    LavoratoreFactory(domanda=domanda, ore_settimanali=Decimal("37.5"), ore_richieste=Decimal("12.5"))
    lav = api.get(url(domanda)).data["lavoratori"][0]
    assert (lav["ore_settimanali"], lav["ore_richieste"]) == ("37.5", "12.5")


def test_every_error_of_a_bad_create_reads_without_doubled_punctuation(api, sede):
    """Each answer's `detail` and field messages (DRF's, Django's and ours, composed "campo: errore"
    for a worker's row): one mark where a sentence ends."""
    from tests.test_italiano import doppie

    misura = MisuraFactory()
    richieste = [{}]
    for valore in ("x", "9" * 300, -1, "2026-02-31", None, [1], {"a": 1}):
        campi = {campo: valore for campo in body(sede, misura)}
        richieste.append(campi)
        richieste.append(body(sede, misura, lavoratori=[dict.fromkeys(lavoratore(1), valore)]))
    risposte = [api.post(URL, dati, format="json") for dati in richieste]
    risposte += [
        api.post(URL, '{"sede": ', content_type="application/json"),
        api.post(URL, "sede=1", content_type="text/csv"),
    ]
    messaggi = []
    for risposta in risposte:
        assert 400 <= risposta.status_code < 500
        messaggi.append(str(risposta.data["detail"]))
        messaggi += [str(m) for lista in risposta.data.get("errors", {}).values() for m in lista]
    assert len(messaggi) > 100
    for messaggio in messaggi:
        assert doppie(messaggio) == [], messaggio
    # DRF's own English and its Italian catalogue's slips are replaced (locale/it, core/api.py).
    testo = "\n".join(messaggi)
    for inglese in ("Must be a valid", "Not a valid", "JSON parse error", '"non supportato'):
        assert inglese not in testo
    assert "Il corpo della richiesta non è leggibile (JSON non valido alla riga 1, colonna 10)." in messaggi
    assert "tipo_contratto: «x» non è tra le scelte possibili: scegli una delle opzioni proposte." in messaggi
