"""The officers' workbench (issue 14): queue, flags, search, filters, bulk actions, examination page,
export; each action tried through the backoffice URLs as an officer, a CPI operator and a company user."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.constants import EsitoRichiesta, StatoDomanda, TipoRichiesta
from claims.models import Domanda, EventoDomanda, RichiestaRegione
from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory, comune, cpi
from tests.claims.factories import DomandaFactory, LavoratoreFactory, MisuraFactory, registra_con_numero

pytestmark = pytest.mark.django_db

CODA = reverse("admin:claims_domanda_changelist")


def _presentata(giorni_fa: int, **kwargs) -> Domanda:
    kwargs.setdefault("presentata", True)
    return DomandaFactory(presentata_il=timezone.now() - dt.timedelta(days=giorni_fa), **kwargs)


def _coda(client, **params) -> list[int]:
    response = client.get(CODA, params)
    assert response.status_code == 200
    return [domanda.pk for domanda in response.context["cl"].result_list]


def _azione(client, azione: str, domande, **extra):
    data = {"action": azione, ACTION_CHECKBOX_NAME: [d.pk for d in domande], "index": 0, **extra}
    return client.post(CODA, data)


# --- the queue -------------------------------------------------------------------------------------


def test_queue_is_oldest_first(officer_client):
    recente, vecchia, media = _presentata(1), _presentata(9), _presentata(4)
    assert _coda(officer_client) == [vecchia.pk, media.pk, recente.pk]


def test_queue_shows_age_workers_hours_cpi_and_weeks_used(officer_client):
    domanda = _presentata(6)
    LavoratoreFactory(domanda=domanda, ore_richieste=Decimal("12.5"))
    page = officer_client.get(CODA).text
    riga = page[page.index(domanda.azienda.ragione_sociale) :]
    assert "CPI di Torino" in riga
    assert "92,5" in riga  # 40 + 40 + 12.5 hours
    assert "2/9" in riga  # 14 days of a 9-week measure
    cl = officer_client.get(CODA).context["cl"]
    [riga_domanda] = cl.result_list
    assert (riga_domanda.num_lavoratori, cl.model_admin.eta(riga_domanda)) == (3, 6)


def test_queue_query_count_does_not_grow_with_rows(officer_client):
    for giorni in range(3):
        _presentata(giorni)
    with CaptureQueriesContext(connection) as pochi:
        _coda(officer_client)
    for giorni in range(3, 40):
        _presentata(giorni)
    with CaptureQueriesContext(connection) as molti:
        assert len(_coda(officer_client)) == 40
    assert len(molti) == len(pochi), [q["sql"][:120] for q in molti.captured_queries]


def test_flags_worker_in_another_companys_overlapping_domanda_pending_request_first_domanda(officer_client):
    prima = _presentata(5)
    seconda = _presentata(
        3, sede=prima.sede, misura=prima.misura, data_inizio=prima.data_fine + dt.timedelta(days=1)
    )
    altra_azienda = _presentata(2)
    condiviso = prima.lavoratori.first()
    LavoratoreFactory(domanda=altra_azienda, codice_fiscale=condiviso.codice_fiscale)
    RichiestaRegione.objects.create(
        domanda=seconda, tipo=TipoRichiesta.MODIFICA, motivo="Errore nelle ore", richiedente=seconda.creata_da
    )

    assert set(_coda(officer_client, segnalazione="lavoratore")) == {prima.pk, altra_azienda.pk}
    assert _coda(officer_client, segnalazione="richiesta") == [seconda.pk]
    assert _coda(officer_client, segnalazione="prima") == [prima.pk, altra_azienda.pk]


def test_officer_home_has_the_counters(officer_client, funzionario):
    _presentata(3)
    DomandaFactory(in_istruttoria=True, assegnata_a=funzionario)
    page = officer_client.get(reverse("admin:index")).text
    assert "<strong>1</strong>da prendere in carico" in page
    assert "<strong>1</strong>Le mie domande" in page


# --- search and filters -----------------------------------------------------------------------------


def test_search_finds_a_domanda_by_each_key_as_officers_type_it(officer_client):
    cercata, _altra = _presentata(3), _presentata(2)
    registra_con_numero(cercata, 5)
    registra_con_numero(_altra, 50)
    azienda = cercata.azienda
    lavoratore = cercata.lavoratori.first()
    for chiave in (
        "2026/0000005",
        " 2026/5 ",
        azienda.partita_iva,
        f"IT{azienda.partita_iva}",
        azienda.codice_fiscale,
        azienda.lr_codice_fiscale.lower(),
        lavoratore.codice_fiscale,
        azienda.ragione_sociale.lower(),
    ):
        assert _coda(officer_client, q=chiave) == [cercata.pk], chiave


def test_search_with_digits_that_are_not_ascii_finds_nothing_and_answers(officer_client):
    _presentata(2)
    for chiave in ("²", "IT" + "²" * 11, "2026/²"):
        assert _coda(officer_client, q=chiave) == [], chiave


def test_filters_by_cpi_misura_period_and_ateco_section(officer_client):
    asti = SedeFactory(
        azienda=AziendaFactory(codice_ateco="56.10.11", comune=comune("Asti"), cap="14100"),
        comune=comune("Asti"),
        cap="14100",
    )
    torino = _presentata(4)
    ristorante = _presentata(3, sede=asti, data_inizio=timezone.localdate() - dt.timedelta(days=40))
    altra_misura = _presentata(2, misura=MisuraFactory())

    assert _coda(officer_client, cpi=cpi("Asti").pk) == [ristorante.pk]
    assert _coda(officer_client, ateco="I") == [ristorante.pk]
    assert _coda(officer_client, ateco="C") == [torino.pk, altra_misura.pk]
    assert _coda(officer_client, misura__id__exact=altra_misura.misura_id) == [altra_misura.pk]
    fine_ristorante = ristorante.data_fine
    dal = (fine_ristorante - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    al = (fine_ristorante + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert _coda(officer_client, periodo_dal=dal, periodo_al=al) == [ristorante.pk]


def test_a_wrong_date_in_the_period_filter_is_said_in_italian(officer_client):
    _presentata(1)
    response = officer_client.get(CODA, {"periodo_dal": "31/02/2026"})
    assert response.status_code == 200
    assert "Data non valida nel filtro del periodo" in response.text


def test_my_domande(officer_client, funzionario):
    mia = DomandaFactory(in_istruttoria=True, assegnata_a=funzionario)
    DomandaFactory(in_istruttoria=True, assegnata_a=UserFactory(funzionario=True))
    _presentata(1)
    assert _coda(officer_client, in_carico="mie") == [mia.pk]


# --- bulk actions -----------------------------------------------------------------------------------


def test_bulk_take_in_charge_reports_each_domanda(officer_client, funzionario):
    libera = _presentata(5)
    di_un_collega = _presentata(4, stato=StatoDomanda.IN_ISTRUTTORIA)
    collega = UserFactory(funzionario=True, first_name="Carla", last_name="Neri")
    Domanda.objects.filter(pk=di_un_collega.pk).update(assegnata_a=collega)
    decisa = _presentata(3, stato=StatoDomanda.NON_AMMISSIBILE)

    response = _azione(officer_client, "prendi_in_carico", [libera, di_un_collega, decisa])

    assert response.status_code == 200
    esiti = {esito.domanda.pk: esito for esito in response.context["esiti"]}
    assert esiti[libera.pk].fatto
    assert not esiti[di_un_collega.pk].fatto
    assert "già in carico a Carla Neri" in esiti[di_un_collega.pk].messaggio
    assert "è già decisa" in esiti[decisa.pk].messaggio
    assert "1 domanda eseguita" in response.text and "2 rifiutate" in response.text
    libera.refresh_from_db()
    assert (libera.stato, libera.assegnata_a) == (StatoDomanda.IN_ISTRUTTORIA, funzionario)
    assert Domanda.objects.get(pk=di_un_collega.pk).assegnata_a == collega
    evento = EventoDomanda.objects.filter(domanda=libera).last()
    assert (evento.a, evento.actor) == (StatoDomanda.IN_ISTRUTTORIA, funzionario)


def test_bulk_admissible_with_mixed_outcomes_changes_only_the_allowed_ones(officer_client):
    in_istruttoria = _presentata(5, stato=StatoDomanda.IN_ISTRUTTORIA)
    presentata = _presentata(4)

    response = _azione(officer_client, "ammissibile", [in_istruttoria, presentata])

    esiti = {esito.domanda.pk: esito for esito in response.context["esiti"]}
    assert esiti[in_istruttoria.pk].fatto and not esiti[presentata.pk].fatto
    assert "il passaggio a VERIFICATA - AMMISSIBILE non è consentito" in esiti[presentata.pk].messaggio
    assert Domanda.objects.get(pk=in_istruttoria.pk).stato == StatoDomanda.AMMISSIBILE
    assert Domanda.objects.get(pk=presentata.pk).stato == StatoDomanda.PRESENTATA
    assert not EventoDomanda.objects.filter(domanda=presentata, a=StatoDomanda.AMMISSIBILE).exists()


def test_bulk_not_admissible_asks_the_reason_and_sends_it(officer_client, mailoutbox):
    domande = [
        _presentata(5, stato=StatoDomanda.IN_ISTRUTTORIA),
        _presentata(4, stato=StatoDomanda.AMMISSIBILE),
    ]

    domanda_form = _azione(officer_client, "non_ammissibile", domande)
    assert domanda_form.status_code == 200 and "Motivo della non ammissibilità" in domanda_form.text
    senza_motivo = _azione(officer_client, "non_ammissibile", domande, motivo=" ")
    assert senza_motivo.context["form"].errors["motivo"] == ["Campo obbligatorio."]
    assert all(Domanda.objects.get(pk=d.pk).stato != StatoDomanda.NON_AMMISSIBILE for d in domande)

    motivo = "Settore coperto dal FIS"
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _azione(officer_client, "non_ammissibile", domande, motivo=motivo)

    assert all(esito.fatto for esito in response.context["esiti"])
    assert {Domanda.objects.get(pk=d.pk).stato for d in domande} == {StatoDomanda.NON_AMMISSIBILE}
    assert len(mailoutbox) == 2 and all(motivo in m.body for m in mailoutbox)


def test_assign_to_another_officer(officer_client):
    collega = UserFactory(funzionario=True, last_name="Neri")
    domanda = _presentata(2)
    response = _azione(officer_client, "assegna", [domanda], funzionario=collega.pk)
    assert response.context["esiti"][0].fatto
    domanda.refresh_from_db()
    assert (domanda.assegnata_a, domanda.stato) == (collega, StatoDomanda.IN_ISTRUTTORIA)
    non_funzionario = UserFactory()
    response = _azione(officer_client, "assegna", [domanda], funzionario=non_funzionario.pk)
    assert "funzionario" in response.context["form"].errors


# --- the examination page ----------------------------------------------------------------------------


def test_examination_page_shows_what_the_company_declared_documents_and_history(officer_client, funzionario):
    domanda = _presentata(2, numero_dipendenti=12)
    registra_con_numero(domanda, 7)
    officer_client.post(reverse("admin:claims_domanda_prendi", args=[domanda.pk]))

    page = officer_client.get(reverse("admin:claims_domanda_change", args=[domanda.pk])).text

    assert "2026/0000007" in page
    assert "Dichiaro che l&#x27;azienda non ha accesso a CIGO" in page
    assert reverse("claims:domanda_accordo", args=[domanda.pk]) in page
    assert reverse("claims:domanda_prospetto", args=[domanda.pk]) in page
    assert domanda.azienda.lr_codice_fiscale in page
    assert "Presa in carico da" in page and funzionario.get_full_name() in page
    assert "80,0 ore richieste" in page or "80.0 ore richieste" in page


def test_decision_on_the_examination_page_lands_on_the_next_domanda_of_the_same_filtered_queue(
    officer_client, funzionario
):
    prima = _presentata(9, stato=StatoDomanda.IN_ISTRUTTORIA, assegnata_a=funzionario)
    _fuori_filtro = _presentata(8)
    seconda = _presentata(7, stato=StatoDomanda.IN_ISTRUTTORIA, assegnata_a=funzionario)
    filtri = "in_carico=mie"

    response = officer_client.post(
        reverse("admin:claims_domanda_decidi", args=[prima.pk]),
        {"a": StatoDomanda.AMMISSIBILE, "note": "", "_changelist_filters": filtri},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:claims_domanda_change", args=[seconda.pk]))
    assert "_changelist_filters=in_carico%3Dmie" in response["Location"]
    assert Domanda.objects.get(pk=prima.pk).stato == StatoDomanda.AMMISSIBILE

    ultima = officer_client.post(
        reverse("admin:claims_domanda_decidi", args=[seconda.pk]),
        {"a": StatoDomanda.AMMISSIBILE, "note": "", "_changelist_filters": filtri},
    )
    assert ultima["Location"] == f"{CODA}?{filtri}"


# --- the export --------------------------------------------------------------------------------------


def _export(client, formato: int, **filtri):
    url = reverse("admin:claims_domanda_export")
    query = "&".join(f"{k}={v}" for k, v in filtri.items())
    return client.post(
        f"{url}?{query}",
        {
            "format": formato,
            "resource": 0,
            "domandaresource_protocollo": True,
            **{f"domandaresource_{f}": True for f in _CAMPI_EXPORT},
        },
    )


_CAMPI_EXPORT = ("stato", "azienda", "partita_iva", "cpi", "n_lavoratori", "ore_totali", "lavoratori")


def test_export_of_the_filtered_queue_in_csv_with_workers_and_hours(officer_client):
    domanda = _presentata(3)
    _presentata(2, stato=StatoDomanda.AMMISSIBILE)
    domanda.azienda.ragione_sociale = "=HYPERLINK(1)"
    domanda.azienda.save()

    response = _export(officer_client, 0, stato=StatoDomanda.PRESENTATA)

    assert response.status_code == 200, response.text[:500]
    righe = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(righe) == 1
    [riga] = righe
    assert riga["azienda"] == "HYPERLINK(1)"  # not a formula in the spreadsheet
    assert riga["lavoratori"] == "2" and riga["ore richieste"] in ("80.0", "80,0")
    for lavoratore in domanda.lavoratori.all():
        assert (
            f"{lavoratore.codice_fiscale} {lavoratore.cognome} {lavoratore.nome}: 40.0 h"
            in riga["lavoratori e ore"]
        )


def test_export_in_xlsx(officer_client):
    _presentata(3)
    response = _export(officer_client, 1)
    assert response.status_code == 200
    foglio = openpyxl.load_workbook(io.BytesIO(response.content)).active
    intestazioni = [cella.value for cella in foglio[1]]
    assert "lavoratori e ore" in intestazioni and foglio.max_row == 2


# --- who may do what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("chi", ["operatore_cpi", "impresa"])
def test_cpi_operator_and_company_user_get_nothing_of_the_workbench(client, chi):
    domanda = _presentata(3)
    utente = UserFactory(operatore_cpi=True) if chi == "operatore_cpi" else domanda.creata_da
    client.force_login(utente)

    assert client.get(CODA).status_code in (302, 403)
    assert client.get(reverse("admin:claims_domanda_change", args=[domanda.pk])).status_code in (302, 403)
    assert _azione(client, "prendi_in_carico", [domanda]).status_code in (302, 403)
    assert client.post(reverse("admin:claims_domanda_prendi", args=[domanda.pk])).status_code in (302, 403)
    export = client.post(reverse("admin:claims_domanda_export"), {"format": 0, "resource": 0})
    assert export.status_code in (302, 403)
    assert b"lavoratori" not in export.content
    domanda.refresh_from_db()
    assert (domanda.stato, domanda.assegnata_a) == (StatoDomanda.PRESENTATA, None)


def test_only_an_officer_can_be_assigned(funzionario):
    from claims.services.istruttoria import domanda_assign
    from core.exceptions import NotPermitted

    domanda = _presentata(1)
    with pytest.raises(NotPermitted):
        domanda_assign(actor=funzionario, domanda=domanda, funzionario=UserFactory(operatore_cpi=True))
    with pytest.raises(NotPermitted):
        domanda_assign(actor=UserFactory(operatore_cpi=True), domanda=domanda, funzionario=funzionario)


def test_a_request_has_a_readable_name(officer_client):
    domanda = _presentata(2, stato=StatoDomanda.AUTORIZZATA)
    RichiestaRegione.objects.create(
        domanda=domanda, tipo=TipoRichiesta.ANNULLAMENTO, motivo="Ripresa", richiedente=domanda.creata_da
    )
    assert RichiestaRegione.objects.get().esito == EsitoRichiesta.IN_ATTESA
    richiesta = RichiestaRegione.objects.get()
    page = officer_client.get(reverse("admin:claims_richiestaregione_change", args=[richiesta.pk])).text
    assert f"Richiesta di annullamento – Domanda n. {domanda.pk}" in page  # not "RichiestaRegione object"


def test_a_selection_above_the_limit_is_refused_whole(officer_client, monkeypatch):
    import claims.admin

    monkeypatch.setattr(claims.admin, "MAX_AZIONE_MULTIPLA", 2)
    domande = [_presentata(giorni) for giorni in (3, 2, 1)]
    response = _azione(officer_client, "prendi_in_carico", domande)
    assert response.status_code == 302
    messaggi = [str(m) for m in response.wsgi_request._messages]
    assert messaggi == [
        "Si possono trattare al massimo 2 domande per volta: restringi la selezione con i filtri."
    ]
    assert {Domanda.objects.get(pk=d.pk).stato for d in domande} == {StatoDomanda.PRESENTATA}
