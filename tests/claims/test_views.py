"""The company-side pages of the domande, through the Django test client: each page as the legale
rappresentante and as an enabled intermediary; foreign ids answer 404 on every URL; errors are shown
next to their field with the typed data still on the page."""

import datetime as dt
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from claims.constants import EsitoRichiesta, StatoDomanda
from claims.models import Domanda, Lavoratore, RichiestaRegione
from claims.services.domande import domanda_transition, richiesta_answer
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.anagrafica.factories import AbilitazioneFactory, SedeFactory, UserFactory, make_codice_fiscale
from tests.claims.factories import (
    MINIMAL_PDF,
    DomandaFactory,
    LavoratoreFactory,
    MisuraFactory,
    bozza_dal_passo_1,
)
from tests.core.pdfs import JS_PDF
from tests.test_italiano import MESI

pytestmark = pytest.mark.django_db

OGGI = dt.date.today()


@pytest.fixture
def misura():
    return MisuraFactory(nome="CIGD di prova")


@pytest.fixture(params=["legale_rappresentante", "intermediario"])
def utente(request, legale_rappresentante, azienda):
    """Every company-side page works the same for the LR and for an enabled intermediary."""
    if request.param == "legale_rappresentante":
        return legale_rappresentante
    consulente = UserFactory(first_name="Giuseppe", last_name="Verdi")
    AbilitazioneFactory(azienda=azienda, codice_fiscale=consulente.codice_fiscale)
    return consulente


@pytest.fixture
def client_di(client, utente):
    client.force_login(utente)
    return client


@pytest.fixture
def bozza(sede, misura, legale_rappresentante):
    return DomandaFactory(sede=sede, misura=misura, creata_da=legale_rappresentante)


@pytest.fixture
def bozza_vuota(sede, misura, legale_rappresentante):
    """A draft just created at step 1: period only."""
    return bozza_dal_passo_1(
        sede=sede,
        misura=misura,
        creata_da=legale_rappresentante,
        data_inizio=OGGI - dt.timedelta(days=13),
        data_fine=OGGI,
    )


@pytest.fixture
def estranea(misura):
    """A submitted domanda of another company, with its protocol number and receipt."""
    sede = SedeFactory()
    domanda = DomandaFactory(sede=sede, misura=misura, presentata=True)
    registrazione = protocollo_register_documento(domanda)
    ricevuta_create(registrazione=registrazione)
    return domanda


def passo(domanda, numero):
    return reverse("claims:domanda_passo", args=[domanda.pk, numero])


def riga(n=1, **overrides):
    dati = {
        "codice_fiscale": make_codice_fiscale(40000 + n),
        "cognome": f"Rossi{n}",
        "nome": "Anna",
        "qualifica": "OPERAIO",
        "tipo_contratto": "INDETERMINATO",
        "ore_settimanali": "40",
        "ore_richieste": "60,5",
        "data_assunzione": "2018-01-15",
    }
    return dati | overrides


def formset_data(righe, *, initial=0, azione="continua"):
    data = {
        "lavoratori-TOTAL_FORMS": str(len(righe)),
        "lavoratori-INITIAL_FORMS": str(initial),
        "lavoratori-MIN_NUM_FORMS": "0",
        "lavoratori-MAX_NUM_FORMS": "1000",
        "azione": azione,
    }
    for i, r in enumerate(righe):
        data.update({f"lavoratori-{i}-{k}": v for k, v in r.items()})
    return data


def presenta(domanda):
    """As the worker does after a submission: protocol number, then the receipt."""
    registrazione = protocollo_register_documento(domanda)
    ricevuta_create(registrazione=registrazione)
    domanda.refresh_from_db()
    return domanda


# --- lists -------------------------------------------------------------------------------------


def test_my_domande_lists_the_companys_domande_with_state_badges(client_di, bozza, misura, sede):
    presentata = DomandaFactory(sede=sede, misura=misura, presentata=True, creata_da=bozza.creata_da)
    DomandaFactory(misura=misura)  # another company's

    response = client_di.get(reverse("claims:domanda_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"n. {bozza.pk}" in html
    assert f"n. {presentata.pk}" in html
    assert "BOZZA" in html and "PRESENTATA" in html
    assert len(response.context["domande"]) == 2


def test_my_domande_filter_by_state(client_di, bozza, misura, sede):
    presentata = DomandaFactory(sede=sede, misura=misura, presentata=True, creata_da=bozza.creata_da)

    response = client_di.get(reverse("claims:domanda_list"), {"stato": "PRESENTATA"})

    assert [d.pk for d in response.context["domande"]] == [presentata.pk]


def test_company_domande_page_lists_only_that_company(client_di, azienda, bozza):
    response = client_di.get(reverse("claims:azienda_domande", args=[azienda.pk]))
    assert response.status_code == 200
    assert [d.pk for d in response.context["domande"]] == [bozza.pk]


def test_company_page_include_shows_the_domande_and_the_new_domanda_button(rf, utente, azienda, bozza):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = utente
    html = render_to_string("claims/includes/domande_azienda.html", {"azienda": azienda}, request=request)
    assert f"/domande/nuova/?azienda={azienda.pk}" in html
    assert f"n. {bozza.pk}" in html


# --- foreign ids -------------------------------------------------------------------------------

DOMANDA_URLS = [
    ("claims:domanda_detail", ()),
    ("claims:domanda_passo", (1,)),
    ("claims:domanda_passo", (2,)),
    ("claims:domanda_passo", (6,)),
    ("claims:domanda_protocollo", ()),
    ("claims:domanda_ricevuta", ()),
    ("claims:domanda_prospetto", ()),
    ("claims:domanda_accordo", ()),
    ("claims:domanda_rettifica", ()),
    ("claims:domanda_richiesta", ()),
    ("claims:lavoratore_riga", ()),
    ("claims:lavoratori_modello", ("csv",)),
    ("claims:lavoratori_modello", ("xlsx",)),
]


@pytest.mark.parametrize(("name", "extra"), DOMANDA_URLS)
def test_foreign_domanda_answers_404_on_every_url(client_di, estranea, name, extra):
    url = reverse(name, args=[estranea.pk, *extra])
    assert client_di.get(url, {"lavoratori-TOTAL_FORMS": "1"}).status_code == 404
    assert client_di.post(url, {"azione": "continua", "conferma": "on"}).status_code in (404, 405)
    estranea.refresh_from_db()
    assert estranea.stato == StatoDomanda.PRESENTATA


def test_foreign_draft_answers_404_on_its_steps(client_di, misura):
    altra = DomandaFactory(misura=misura)
    for numero in range(1, 7):
        assert client_di.get(passo(altra, numero)).status_code == 404
        assert client_di.post(passo(altra, numero), {"conferma": "on"}).status_code == 404
    assert Domanda.objects.get(pk=altra.pk).stato == StatoDomanda.BOZZA


def test_foreign_company_answers_404_on_its_lists_and_new_domanda(client_di):
    altra = SedeFactory().azienda
    assert client_di.get(reverse("claims:azienda_domande", args=[altra.pk])).status_code == 404
    assert client_di.get(reverse("claims:domanda_nuova"), {"azienda": altra.pk}).status_code == 404


def test_pages_need_sign_in(client, bozza):
    response = client.get(reverse("claims:domanda_detail", args=[bozza.pk]))
    assert response.status_code == 302
    assert reverse("anagrafica:login") in response["Location"]


# --- step 1 ------------------------------------------------------------------------------------


def test_new_domanda_without_company_asks_which_one(client_di, azienda):
    response = client_di.get(reverse("claims:domanda_nuova"))
    assert response.status_code == 200
    assert azienda.ragione_sociale in response.content.decode()


def test_step_1_offers_only_the_companys_sites_and_the_misure_open_today(client_di, azienda, sede, misura):
    SedeFactory(denominazione="Sede di un altro")
    MisuraFactory(nome="Misura chiusa", finestra=None)

    response = client_di.get(reverse("claims:domanda_nuova"), {"azienda": azienda.pk})

    form = response.context["form"]
    assert list(form.fields["sede"].queryset) == [sede]
    assert list(form.fields["misura"].queryset) == [misura]


def test_step_1_creates_a_draft_and_goes_to_the_workers(client_di, utente, azienda, sede, misura):
    response = client_di.post(
        reverse("claims:domanda_nuova") + f"?azienda={azienda.pk}",
        {
            "sede": sede.pk,
            "misura": misura.pk,
            "data_inizio": (OGGI - dt.timedelta(days=13)).isoformat(),
            "data_fine": OGGI.isoformat(),
            "azione": "continua",
        },
    )

    domanda = Domanda.objects.get()
    assert response.status_code == 302
    assert response["Location"] == passo(domanda, 2)
    assert domanda.stato == StatoDomanda.BOZZA
    assert domanda.creata_da == utente
    assert domanda.sede == sede


def test_step_1_refuses_a_site_of_another_company(client_di, azienda, misura):
    altra = SedeFactory()
    response = client_di.post(
        reverse("claims:domanda_nuova") + f"?azienda={azienda.pk}",
        {
            "sede": altra.pk,
            "misura": misura.pk,
            "data_inizio": OGGI.isoformat(),
            "data_fine": OGGI.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "sede" in response.context["form"].errors
    html = response.content.decode()
    assert "La scelta non è tra quelle possibili: scegli una delle opzioni proposte." in html
    assert "Scegli un&#x27;opzione valida" not in html  # Django's default wording
    assert not Domanda.objects.exists()


def test_dates_are_written_in_italian_style_with_lower_case_months(client_di, bozza):
    html = client_di.get(passo(bozza, 2)).content.decode()
    inizio = bozza.data_inizio
    assert f"Periodo dal {inizio.day} {MESI[inizio.month - 1]} {inizio.year}" in html

    stato = client_di.get(reverse("claims:domanda_detail", args=[bozza.pk])).content.decode()
    assert (
        re.search(
            r"\b\d{1,2} (Gennaio|Febbraio|Marzo|Aprile|Maggio|Giugno|Luglio|Agosto|Settembre|Ottobre|Novembre|Dicembre) \d{4}",
            stato,
        )
        is None
    )
    assert f"dal {inizio.day} {MESI[inizio.month - 1]} {inizio.year}" in stato
    assert f"{bozza.lavoratori.first().data_assunzione:%d/%m/%Y}" in stato  # figures: dd/mm/yyyy


def test_step_1_period_error_is_next_to_the_field_and_typed_data_stay(client_di, azienda, sede, misura):
    response = client_di.post(
        reverse("claims:domanda_nuova") + f"?azienda={azienda.pk}",
        {"sede": sede.pk, "misura": misura.pk, "data_inizio": "2026-05-10", "data_fine": "2026-05-01"},
    )

    html = response.content.decode()
    assert response.context["form"].errors["data_fine"] == [
        "La data di fine non può precedere la data di inizio."
    ]
    assert 'value="2026-05-10"' in html and 'value="2026-05-01"' in html
    assert 'id="id_data_fine_error"' in html
    assert not Domanda.objects.exists()


def test_step_1_of_a_draft_changes_the_period(client_di, bozza_vuota):
    nuovo_inizio = OGGI - dt.timedelta(days=6)
    response = client_di.post(
        passo(bozza_vuota, 1),
        {"data_inizio": nuovo_inizio.isoformat(), "data_fine": OGGI.isoformat(), "azione": "salva"},
    )
    assert response.status_code == 302
    bozza_vuota.refresh_from_db()
    assert bozza_vuota.data_inizio == nuovo_inizio


# --- step 2: workers ---------------------------------------------------------------------------


def test_workers_typed_one_by_one_are_saved_with_the_draft(client_di, bozza_vuota):
    response = client_di.post(passo(bozza_vuota, 2), formset_data([riga(1), riga(2)]))

    assert response.status_code == 302
    assert response["Location"] == passo(bozza_vuota, 3)
    assert sorted(bozza_vuota.lavoratori.values_list("cognome", flat=True)) == ["Rossi1", "Rossi2"]
    assert bozza_vuota.lavoratori.get(cognome="Rossi1").ore_richieste == Decimal("60.5")


def test_saved_workers_come_back_prefilled_with_a_blank_row(client_di, bozza):
    response = client_di.get(passo(bozza, 2))
    formset = response.context["formset"]
    assert len(formset.forms) == bozza.lavoratori.count() + 1
    assert (
        formset.forms[0].initial["codice_fiscale"]
        == bozza.lavoratori.order_by("cognome").first().codice_fiscale
    )


def test_a_worker_is_removed_by_ticking_its_box(client_di, bozza):
    righe = [
        {k: str(v) for k, v in r.items()}
        for r in bozza.lavoratori.order_by("cognome").values(
            "codice_fiscale",
            "cognome",
            "nome",
            "qualifica",
            "tipo_contratto",
            "ore_settimanali",
            "ore_richieste",
        )
    ]
    for r in righe:
        r["data_assunzione"] = "2015-03-01"
    righe[0]["DELETE"] = "on"

    client_di.post(passo(bozza, 2), formset_data(righe, initial=2, azione="salva"))

    assert bozza.lavoratori.count() == 1


def test_hours_above_the_contractual_limit_are_refused_next_to_the_field(client_di, bozza_vuota):
    response = client_di.post(passo(bozza_vuota, 2), formset_data([riga(1, ore_richieste="500")]))

    assert response.status_code == 200
    errors = response.context["formset"].forms[0].errors["ore_richieste"]
    assert errors == [
        "Le ore richieste (500,0) superano le ore contrattuali del periodo (80,0: 40,0 ore settimanali per "
        "2 settimane)."
    ]
    html = response.content.decode()
    assert 'id="id_lavoratori-0-ore_richieste_error"' in html
    assert 'value="500"' in html and f'value="{riga(1)["codice_fiscale"]}"' in html
    assert "Lavoratore 1, Ore richieste nel periodo: Le ore richieste (500,0)" in html
    assert not bozza_vuota.lavoratori.exists()


def test_invalid_codice_fiscale_and_duplicates_are_shown_on_their_row(client_di, bozza_vuota):
    response = client_di.post(
        passo(bozza_vuota, 2),
        formset_data(
            [
                riga(1),
                riga(2, codice_fiscale="RSSMRA80A01L219X"),
                riga(3, codice_fiscale=riga(1)["codice_fiscale"]),
            ]
        ),
    )
    forms = response.context["formset"].forms
    assert forms[1].errors["codice_fiscale"] == ["Il codice fiscale «RSSMRA80A01L219X» non è valido."]
    assert "compare più di una volta" in forms[2].errors["codice_fiscale"][0]
    assert not bozza_vuota.lavoratori.exists()


def test_save_with_one_bad_row_says_plainly_that_nothing_was_saved(client_di, bozza_vuota):
    righe = [riga(1), riga(2, codice_fiscale="NONVALIDO")]
    response = client_di.post(passo(bozza_vuota, 2), formset_data(righe, azione="salva"))

    html = response.content.decode()
    assert "Non è stato salvato nulla" in html
    assert "nemmeno le righe corrette" in html
    assert bozza_vuota.lavoratori.count() == 0
    # The site's one error summary, the same as a single form's.
    assert '<div class="alert alert-danger error-summary mb-5" id="riepilogo-errori"' in html
    assert "Il modulo contiene 1 errore" in html


def test_agreement_is_required_when_the_headcount_is_above_the_threshold(client_di, bozza_vuota):
    bozza_vuota.misura.dipendenti_senza_accordo = 15
    bozza_vuota.misura.save()

    sotto = client_di.get(passo(bozza_vuota, 3)).content.decode()
    assert 'data-soglia-accordo="15"' in sotto
    assert "Accordo sindacale (PDF) <span" in sotto  # (facoltativo) while the headcount is unknown

    response = client_di.post(passo(bozza_vuota, 3), {"numero_dipendenti": "40", "azione": "salva"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["accordo_file"]
    assert response.context["form"].errors["accordo_data"]
    bozza_vuota.refresh_from_db()
    assert bozza_vuota.numero_dipendenti is None
    assert "data-max-bytes" in html


def test_a_long_list_of_workers_is_paged_searchable_and_comes_after_the_file_upload(client_di, bozza_vuota):
    Lavoratore.objects.bulk_create(
        LavoratoreFactory.build(domanda=bozza_vuota, cognome=f"Cognome{n:05d}", nome="Luca")
        for n in range(5000)
    )
    cercato = bozza_vuota.lavoratori.get(cognome="Cognome04321")

    response = client_di.get(passo(bozza_vuota, 2))
    html = response.content.decode()
    assert len(response.content) < 100_000  # was 690 KB with every row on the page
    assert html.count("<tr><td>") == 50
    assert "Pagina 1 di 100." in html
    assert "La domanda ha 5000 lavoratori" in html
    assert html.index('id="titolo-file"') < html.index('id="titolo-uno-per-uno"')

    seconda = client_di.get(passo(bozza_vuota, 2), {"pagina": "2"}).content.decode()
    assert "Cognome00050" in seconda and "Cognome00049" not in seconda

    per_codice = client_di.get(passo(bozza_vuota, 2), {"q": cercato.codice_fiscale.lower()}).content.decode()
    assert per_codice.count("<tr><td>") == 1 and "Cognome04321" in per_codice
    per_nome = client_di.get(passo(bozza_vuota, 2), {"q": "luca cognome0432"}).content.decode()
    assert per_nome.count("<tr><td>") == 10
    assert "10 lavoratori trovati" in per_nome


def test_a_short_list_keeps_the_form_first_and_the_file_after(client_di, bozza):
    html = client_di.get(passo(bozza, 2)).content.decode()
    assert html.index('id="titolo-uno-per-uno"') < html.index('id="titolo-file"')


def test_add_a_row_without_javascript_keeps_what_was_typed_and_saves_nothing(client_di, bozza_vuota):
    response = client_di.post(
        passo(bozza_vuota, 2), formset_data([riga(1, ore_richieste="500")], azione="aggiungi")
    )

    formset = response.context["formset"]
    assert len(formset.forms) == 2
    assert formset.forms[0].initial["ore_richieste"] == "500"
    assert not formset.is_bound
    assert not bozza_vuota.lavoratori.exists()


def test_add_a_row_with_htmx_returns_the_next_row_and_the_new_total(client_di, bozza_vuota):
    response = client_di.get(
        reverse("claims:lavoratore_riga", args=[bozza_vuota.pk]), {"lavoratori-TOTAL_FORMS": "3"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="lavoratori-3-codice_fiscale"' in html
    assert "Lavoratore 4" in html
    assert 'id="id_lavoratori-TOTAL_FORMS" hx-swap-oob="true"' in html and 'value="4"' in html


def _csv(
    *righe,
    header="codice_fiscale;cognome;nome;qualifica;tipo_contratto;ore_settimanali;ore_richieste;data_assunzione",
):
    content = "\n".join([header, *righe]).encode("utf-8")
    return io.BytesIO(content)


def _upload(client, domanda, file, name):
    file.name = name
    return client.post(passo(domanda, 2), {"azione": "carica", "file-file": file})


def test_workers_uploaded_from_csv_replace_the_list(client_di, bozza):
    file = _csv(
        f"{make_codice_fiscale(50001)};Neri;Ugo;Operaio;Tempo indeterminato;40;64,5;15/01/2018",
        f"{make_codice_fiscale(50002)};Blu;Eva;impiegato;determinato;20;30;2019-03-01",
    )
    response = _upload(client_di, bozza, file, "lavoratori.csv")

    assert response.status_code == 302
    assert sorted(
        bozza.lavoratori.values_list("cognome", "qualifica", "tipo_contratto", "ore_richieste")
    ) == [
        ("Blu", "IMPIEGATO", "DETERMINATO", Decimal("30.0")),
        ("Neri", "OPERAIO", "INDETERMINATO", Decimal("64.5")),
    ]


def test_upload_with_row_errors_shows_each_row_and_replaces_nothing(client_di, bozza):
    prima = list(bozza.lavoratori.values_list("codice_fiscale", flat=True))
    file = _csv(
        f"{make_codice_fiscale(50001)};Neri;Ugo;Operaio;Tempo indeterminato;40;64,5;15/01/2018",
        "RSSMRA80A01L219X;Blu;Eva;impiegato;determinato;20;30;2019-03-01",
        f"{make_codice_fiscale(50003)};Gialli;Ivo;Dirigente;indeterminato;40;500;2019-03-01",
    )
    response = _upload(client_di, bozza, file, "lavoratori.csv")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Riga 3, codice fiscale: Il codice fiscale «RSSMRA80A01L219X» non è valido." in html
    assert "Riga 4, qualifica:" in html
    assert "Riga 4, ore richieste nel periodo: Le ore richieste (500,0)" in html
    assert sorted(bozza.lavoratori.values_list("codice_fiscale", flat=True)) == sorted(prima)


def test_a_repeated_codice_fiscale_in_the_file_reads_as_one_sentence(client_di, bozza):
    cf = make_codice_fiscale(50001)
    file = _csv(
        f"{cf};Neri;Ugo;Operaio;Tempo indeterminato;40;64,5;15/01/2018",
        f"{cf};Neri;Ugo;Operaio;Tempo indeterminato;40;64,5;15/01/2018",
    )
    html = _upload(client_di, bozza, file, "lavoratori.csv").content.decode()
    assert (
        f"Riga 3, codice fiscale: Il codice fiscale {cf} compare più di una volta (già alla riga 2)." in html
    )
    assert ". (" not in html


def test_upload_without_a_required_column_names_it(client_di, bozza):
    response = _upload(client_di, bozza, _csv("X;Y", header="codice_fiscale;cognome"), "lavoratori.csv")
    assert "manca la colonna «ore_richieste»" in response.content.decode()


def test_workers_uploaded_from_xlsx(client_di, bozza_vuota):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Codice fiscale",
            "Cognome",
            "Nome",
            "Qualifica",
            "Tipo di contratto",
            "Ore settimanali",
            "Ore richieste",
            "Data di assunzione",
        ]
    )
    sheet.append(
        [
            make_codice_fiscale(50010),
            "Verdi",
            "Ada",
            "APPRENDISTA",
            "APPRENDISTATO",
            37.5,
            70,
            dt.datetime(2017, 5, 2),
        ]
    )
    file = io.BytesIO()
    workbook.save(file)
    file.seek(0)

    response = _upload(client_di, bozza_vuota, file, "lavoratori.xlsx")

    assert response.status_code == 302
    lavoratore = bozza_vuota.lavoratori.get()
    assert (lavoratore.ore_settimanali, lavoratore.ore_richieste) == (Decimal("37.5"), Decimal("70"))
    assert lavoratore.data_assunzione == dt.date(2017, 5, 2)


def test_workers_template_downloads_with_the_current_workers(client_di, bozza):
    csv_response = client_di.get(reverse("claims:lavoratori_modello", args=[bozza.pk, "csv"]))
    text = csv_response.content.decode("utf-8-sig")
    assert (
        text.splitlines()[0]
        == "codice_fiscale;cognome;nome;qualifica;tipo_contratto;ore_settimanali;ore_richieste;data_assunzione"
    )
    assert len(text.splitlines()) == 1 + bozza.lavoratori.count()

    xlsx_response = client_di.get(reverse("claims:lavoratori_modello", args=[bozza.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert sheet.max_row == 1 + bozza.lavoratori.count()


def test_downloaded_template_uploads_back_unchanged(client_di, bozza):
    prima = sorted(bozza.lavoratori.values_list("codice_fiscale", "ore_richieste"))
    content = client_di.get(reverse("claims:lavoratori_modello", args=[bozza.pk, "csv"])).content
    response = _upload(client_di, bozza, io.BytesIO(content), "modello.csv")
    assert response.status_code == 302
    assert sorted(bozza.lavoratori.values_list("codice_fiscale", "ore_richieste")) == prima


# --- steps 3 to 5 ------------------------------------------------------------------------------


def test_union_agreement_upload_and_download(client_di, bozza_vuota):
    file = io.BytesIO(MINIMAL_PDF)
    file.name = "accordo.pdf"
    response = client_di.post(
        passo(bozza_vuota, 3), {"accordo_file": file, "accordo_data": "2026-01-10", "azione": "continua"}
    )
    assert response.status_code == 302
    bozza_vuota.refresh_from_db()
    assert bozza_vuota.accordo_data == dt.date(2026, 1, 10)

    download = client_di.get(reverse("claims:domanda_accordo", args=[bozza_vuota.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MINIMAL_PDF


def test_union_agreement_that_is_not_a_pdf_is_refused_next_to_the_field(client_di, bozza_vuota):
    file = io.BytesIO(b"<html>no</html>")
    file.name = "accordo.pdf"
    response = client_di.post(passo(bozza_vuota, 3), {"accordo_file": file, "accordo_data": "2026-01-10"})
    assert response.context["form"].errors["accordo_file"] == [
        "Il file dell'accordo sindacale non è un PDF valido."
    ]
    assert 'value="2026-01-10"' in response.content.decode()


def test_union_agreement_with_javascript_is_refused_on_the_page(client_di, bozza_vuota):
    file = io.BytesIO(JS_PDF)
    file.name = "accordo.pdf"
    response = client_di.post(passo(bozza_vuota, 3), {"accordo_file": file, "accordo_data": "2026-01-10"})
    assert response.status_code == 200
    [errore] = response.context["form"].errors["accordo_file"]
    assert errore.startswith("Il PDF dell'accordo sindacale contiene contenuti attivi (/JavaScript")
    assert "contiene contenuti attivi" in response.content.decode()
    bozza_vuota.refresh_from_db()
    assert not bozza_vuota.accordo_file


def test_referente_is_saved_and_prefilled_from_the_user(client_di, utente, bozza_vuota):
    response = client_di.get(passo(bozza_vuota, 4))
    assert response.context["form"].initial["referente_nome"] == utente.get_full_name()

    client_di.post(
        passo(bozza_vuota, 4),
        {
            "referente_nome": "Paola Neri",
            "referente_email": "paola@example.it",
            "referente_telefono": "0115550000",
        },
    )
    bozza_vuota.refresh_from_db()
    assert bozza_vuota.referente_email == "paola@example.it"
    assert bozza_vuota.referente_telefono == "011 555 0000"


@pytest.mark.parametrize("telefono", ["12", "0115", "chiamami", "+39 333"])
def test_a_phone_number_that_cannot_exist_is_refused_next_to_the_field(client_di, bozza_vuota, telefono):
    response = client_di.post(
        passo(bozza_vuota, 4),
        {
            "referente_nome": "Paola Neri",
            "referente_email": "paola@example.it",
            "referente_telefono": telefono,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Il numero di telefono «{telefono}» non è valido" in html
    bozza_vuota.refresh_from_db()
    assert bozza_vuota.referente_telefono == ""


def test_invalid_email_keeps_the_typed_data(client_di, bozza_vuota):
    response = client_di.post(
        passo(bozza_vuota, 4),
        {"referente_nome": "Paola Neri", "referente_email": "paola", "referente_telefono": ""},
    )
    html = response.content.decode()
    assert "Inserisci un indirizzo email valido." in html
    assert 'value="Paola Neri"' in html and 'value="paola"' in html


def test_declarations_use_the_texts_of_the_model(client_di, bozza_vuota):
    response = client_di.get(passo(bozza_vuota, 5))
    assert "ai sensi degli artt. 46 e 47 del DPR 445/2000" in response.content.decode()

    client_di.post(
        passo(bozza_vuota, 5), {"dichiara_assenza_altri_ammortizzatori": "on", "dichiara_veridicita": "on"}
    )
    bozza_vuota.refresh_from_db()
    assert bozza_vuota.dichiara_veridicita and bozza_vuota.dichiara_assenza_altri_ammortizzatori


# --- step 6: summary and submission ------------------------------------------------------------


def test_summary_shows_data_totals_and_what_is_missing_linked_to_its_step(client_di, bozza_vuota):
    LavoratoreFactory(domanda=bozza_vuota, ore_richieste=Decimal("30"))
    LavoratoreFactory(domanda=bozza_vuota, ore_richieste=Decimal("12.5"))

    response = client_di.get(passo(bozza_vuota, 6))

    html = response.content.decode()
    assert "Ore totali" in html and "42,5" in html
    assert "2 settimane" in html
    assert f'href="{passo(bozza_vuota, 3)}#id_accordo_file"' in html
    assert f'href="{passo(bozza_vuota, 4)}#id_referente_nome"' in html
    assert "Allegare l&#x27;accordo sindacale in PDF." in html


def test_submit_needs_the_explicit_confirmation(client_di, bozza):
    response = client_di.post(passo(bozza, 6), {})
    assert response.status_code == 200
    assert "Per presentare spunta la conferma." in response.content.decode()
    bozza.refresh_from_db()
    assert bozza.stato == StatoDomanda.BOZZA


def test_submit_without_confirmation_still_lists_the_failing_rules(client_di, bozza_vuota):
    response = client_di.post(passo(bozza_vuota, 6), {})

    html = response.content.decode()
    assert "Per presentare spunta la conferma." in html
    assert "La domanda è completa" not in html
    assert "Allegare l&#x27;accordo sindacale in PDF." in html
    assert f'href="{passo(bozza_vuota, 4)}#id_referente_nome"' in html


def test_submission_errors_are_linked_to_the_step_that_fixes_them(client_di, bozza):
    lavoratore = bozza.lavoratori.first()
    lavoratore.ore_richieste = Decimal("500")
    lavoratore.save()

    response = client_di.post(passo(bozza, 6), {"conferma": "on"})

    html = response.content.decode()
    assert "La domanda non è stata presentata" in html
    assert f'href="{passo(bozza, 2)}#lavoratori"' in html
    assert f"{lavoratore.codice_fiscale}: Le ore richieste (500,0) superano" in html
    bozza.refresh_from_db()
    assert bozza.stato == StatoDomanda.BOZZA


def test_submit_presents_the_domanda_and_the_status_page_shows_the_protocol(
    client_di, bozza, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_di.post(passo(bozza, 6), {"conferma": "on"})

    assert response.status_code == 302
    assert response["Location"] == reverse("claims:domanda_detail", args=[bozza.pk])
    bozza.refresh_from_db()
    assert bozza.stato == StatoDomanda.PRESENTATA
    page = client_di.get(response["Location"]).content.decode()
    assert bozza.registrazione.segnatura in page
    assert "Scarica la ricevuta (PDF)" in page
    assert 'hx-trigger="every 2s"' not in page


def test_receipt_names_who_submitted_as_recorded_at_submission(client_di, utente, bozza):
    codice_fiscale, nome = utente.codice_fiscale, utente.get_full_name()
    client_di.post(passo(bozza, 6), {"conferma": "on"})
    # A later change of the account does not change who submitted: the receipt is made from the record.
    utente.first_name, utente.last_name = "Altro", "Nome"
    utente.save()

    presenta(bozza)
    response = client_di.get(reverse("claims:domanda_ricevuta", args=[bozza.pk]))

    testo = " ".join(_testo_pdf(b"".join(response.streaming_content)).split())
    ruolo = (
        "legale rappresentante"
        if codice_fiscale == bozza.azienda.lr_codice_fiscale
        else "intermediario abilitato"
    )
    assert f"Presentata da {nome}, codice fiscale {codice_fiscale}, {ruolo}" in testo
    assert "Altro Nome" not in testo
    prospetto = client_di.get(reverse("claims:domanda_prospetto", args=[bozza.pk]))
    assert f"{nome}, codice fiscale {codice_fiscale}, {ruolo}" in " ".join(
        _testo_pdf(prospetto.content).split()
    )


def test_steps_of_a_submitted_domanda_lead_to_its_status_page(client_di, bozza):
    bozza.stato, bozza.presentata_il = StatoDomanda.PRESENTATA, dt.datetime.now(dt.UTC)
    bozza.save()
    response = client_di.post(passo(bozza, 2), formset_data([riga(1)]))
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:domanda_detail", args=[bozza.pk])


def test_a_draft_is_deleted_after_asking_and_leaves_every_list(client_di, bozza, funzionario):
    url = reverse("claims:domanda_elimina", args=[bozza.pk])
    assert url in client_di.get(reverse("claims:domanda_detail", args=[bozza.pk])).content.decode()
    domanda_pk = bozza.pk
    domanda = f"Eliminare la bozza n. {domanda_pk}?"
    assert domanda in client_di.get(url).content.decode()
    bozza.refresh_from_db()
    assert bozza.stato == StatoDomanda.BOZZA  # asking deletes nothing

    response = client_di.post(url, follow=True)

    assert f"Bozza n. {domanda_pk} eliminata." in response.content.decode()
    bozza.refresh_from_db()
    assert bozza.stato == StatoDomanda.ELIMINATA
    assert bozza.eventi.last().note == "Bozza eliminata dall'azienda."
    assert bozza.pk not in [d.pk for d in client_di.get(reverse("claims:domanda_list")).context["domande"]]
    assert client_di.get(reverse("claims:domanda_detail", args=[bozza.pk])).status_code == 404
    assert client_di.get(passo(bozza, 2)).status_code == 404


def test_a_submitted_domanda_or_another_companys_draft_cannot_be_deleted(client_di, bozza, misura):
    estranea = DomandaFactory(sede=SedeFactory(), misura=misura)
    assert client_di.post(reverse("claims:domanda_elimina", args=[estranea.pk])).status_code == 404
    estranea.refresh_from_db()
    assert estranea.stato == StatoDomanda.BOZZA

    bozza.stato, bozza.presentata_il = StatoDomanda.PRESENTATA, dt.datetime.now(dt.UTC)
    bozza.save()
    response = client_di.post(reverse("claims:domanda_elimina", args=[bozza.pk]))
    assert response["Location"] == reverse("claims:domanda_detail", args=[bozza.pk])
    bozza.refresh_from_db()
    assert bozza.stato == StatoDomanda.PRESENTATA


# --- status page, polling and downloads --------------------------------------------------------


def test_status_page_shows_state_period_workers_and_history(client_di, bozza, utente):
    response = client_di.get(reverse("claims:domanda_detail", args=[bozza.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "BOZZA" in html
    assert bozza.sede.denominazione in html
    assert bozza.lavoratori.first().codice_fiscale in html
    assert "Riprendi la compilazione" in html
    assert "Storico" in html


def test_protocol_box_polls_until_the_number_and_receipt_are_there(client_di, bozza):
    bozza.stato, bozza.presentata_il = StatoDomanda.PRESENTATA, dt.datetime.now(dt.UTC)
    bozza.save()
    url = reverse("claims:domanda_protocollo", args=[bozza.pk])

    waiting = client_di.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert "in attribuzione" in waiting

    presenta(bozza)
    done = client_di.get(url).content.decode()
    assert bozza.registrazione.segnatura in done
    assert "hx-trigger" not in done


def test_polling_stops_when_the_session_has_expired(client, bozza):
    url = reverse("claims:domanda_protocollo", args=[bozza.pk])
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 286
    assert client.get(url).status_code == 302


def test_receipt_is_in_preparation_until_the_worker_made_it(client_di, bozza):
    bozza.stato, bozza.presentata_il = StatoDomanda.PRESENTATA, dt.datetime.now(dt.UTC)
    bozza.save()
    url = reverse("claims:domanda_ricevuta", args=[bozza.pk])

    response = client_di.get(url)
    assert response.status_code == 404
    assert "in preparazione" in response.content.decode()

    presenta(bozza)
    response = client_di.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_prospetto_of_a_submitted_domanda_downloads_as_pdf(client_di, bozza):
    assert client_di.get(reverse("claims:domanda_prospetto", args=[bozza.pk])).status_code == 404

    from claims.services.domande import domanda_submit

    domanda_submit(actor=bozza.creata_da, domanda=bozza)
    response = client_di.get(reverse("claims:domanda_prospetto", args=[bozza.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def _testo_pdf(contenuto: bytes) -> str:
    return "\n".join(pagina.extract_text() for pagina in PdfReader(io.BytesIO(contenuto)).pages)


def test_prospetto_prints_the_self_declaration_the_headcount_and_unbroken_codici_fiscali(client_di, bozza):
    from claims.services.domande import domanda_submit

    bozza.misura.dipendenti_senza_accordo = 15
    bozza.misura.save()
    bozza.numero_dipendenti, bozza.dichiara_danno = 8, True
    bozza.save()
    lungo = LavoratoreFactory(
        domanda=bozza,
        cognome="Dell'Acquasparta Montecchiarelli",
        nome="Maria Antonietta Giovanna Benedetta",
        ore_richieste=Decimal("10"),
    )
    domanda_submit(actor=bozza.creata_da, domanda=bozza)

    response = client_di.get(reverse("claims:domanda_prospetto", args=[bozza.pk]))

    testo = _testo_pdf(response.content)
    assert "Dipendenti dell'azienda 8" in testo
    assert "Danno subito" not in testo
    assert "il danno subito per la sospensione" in testo.replace("\n", " ")
    assert lungo.codice_fiscale in testo  # on one line, not broken across three
    assert f"Misura {bozza.misura.nome}" in testo
    assert bozza.misura.codice not in testo  # the public name, not the code name


# --- rettifica and requests --------------------------------------------------------------------


@pytest.fixture
def presentata(bozza):
    from claims.services.domande import domanda_submit

    domanda_submit(actor=bozza.creata_da, domanda=bozza)
    return presenta(bozza)


def _rettifica_data(domanda, **overrides):
    righe = [
        {
            "codice_fiscale": lav.codice_fiscale,
            "cognome": lav.cognome,
            "nome": lav.nome,
            "qualifica": lav.qualifica,
            "tipo_contratto": lav.tipo_contratto,
            "ore_settimanali": str(lav.ore_settimanali),
            "ore_richieste": str(lav.ore_richieste),
            "data_assunzione": lav.data_assunzione.isoformat(),
        }
        for lav in domanda.lavoratori.order_by("cognome", "nome")
    ]
    data = formset_data(righe, initial=len(righe), azione="rettifica")
    data.update(
        {
            "data_inizio": domanda.data_inizio.isoformat(),
            "data_fine": domanda.data_fine.isoformat(),
            "referente_nome": domanda.referente_nome,
            "referente_email": domanda.referente_email,
            "referente_telefono": domanda.referente_telefono,
            "accordo_data": domanda.accordo_data.isoformat() if domanda.accordo_data else "",
            "dichiara_assenza_altri_ammortizzatori": "on",
            "dichiara_veridicita": "on",
            "conferma": "on",
        }
    )
    return data | overrides


def test_rettifica_changes_agreement_headcount_and_shows_the_officers_note(
    client_di, presentata, funzionario, django_capture_on_commit_callbacks
):
    misura = presentata.misura
    misura.dipendenti_senza_accordo = 5
    misura.save()
    domanda_transition(actor=funzionario, domanda=presentata, to=StatoDomanda.IN_ISTRUTTORIA)
    domanda_transition(
        actor=funzionario,
        domanda=presentata,
        to=StatoDomanda.DA_RETTIFICARE,
        note="Allega l'accordo firmato.",
    )
    url = reverse("claims:domanda_rettifica", args=[presentata.pk])
    assert "Allega l&#x27;accordo firmato." in client_di.get(url).content.decode()

    nuovo_pdf = MINIMAL_PDF.replace(b"1.4", b"1.7")
    data = _rettifica_data(
        presentata,
        numero_dipendenti="12",
        accordo_data="2026-10-01",
        accordo_file=SimpleUploadedFile("firmato.pdf", nuovo_pdf, content_type="application/pdf"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_di.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    nuova = Domanda.objects.get(sostituisce=presentata)
    assert (nuova.numero_dipendenti, nuova.accordo_data.isoformat()) == (12, "2026-10-01")
    assert nuova.accordo_sha256 == hashlib.sha256(nuovo_pdf).hexdigest() != presentata.accordo_sha256
    assert nuova.accordo_file.read() == nuovo_pdf


def test_rettifica_form_is_prefilled_and_warns_about_consuntivi(client_di, presentata):
    response = client_di.get(reverse("claims:domanda_rettifica", args=[presentata.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "non vengono riportati" in html
    assert response.context["form"].initial["referente_email"] == presentata.referente_email
    assert len(response.context["formset"].forms) == presentata.lavoratori.count()


def test_rettifica_creates_a_new_domanda_with_a_new_protocol(
    client_di, presentata, django_capture_on_commit_callbacks
):
    data = _rettifica_data(
        presentata, **{"lavoratori-0-ore_richieste": "20", "referente_nome": "Nuovo Referente"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_di.post(reverse("claims:domanda_rettifica", args=[presentata.pk]), data)

    nuova = Domanda.objects.get(sostituisce=presentata)
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:domanda_detail", args=[nuova.pk])
    presentata.refresh_from_db()
    assert presentata.stato == StatoDomanda.RETTIFICATA
    assert nuova.referente_nome == "Nuovo Referente"
    assert nuova.registrazione is not None and nuova.registrazione != presentata.registrazione
    old_page = client_di.get(reverse("claims:domanda_detail", args=[presentata.pk])).content.decode()
    assert "Questa domanda è stata sostituita" in old_page


def test_rettifica_of_a_long_list_without_a_file_keeps_the_workers(
    client_di, presentata, django_capture_on_commit_callbacks
):
    LavoratoreFactory.create_batch(50, domanda=presentata, ore_richieste=Decimal("10"))
    data = _rettifica_data(presentata, referente_nome="Altro Referente")
    for key in [k for k in data if k.startswith("lavoratori-")]:
        del data[key]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_di.post(reverse("claims:domanda_rettifica", args=[presentata.pk]), data)

    nuova = Domanda.objects.get(sostituisce=presentata)
    assert response["Location"] == reverse("claims:domanda_detail", args=[nuova.pk])
    assert nuova.lavoratori.count() == 52


def test_rettifica_errors_are_shown_next_to_the_fields_with_the_typed_data(client_di, presentata):
    data = _rettifica_data(
        presentata, **{"lavoratori-0-ore_richieste": "900", "referente_email": "nonvalida"}
    )
    del data["conferma"]
    response = client_di.post(reverse("claims:domanda_rettifica", args=[presentata.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Inserisci un indirizzo email valido." in html
    assert "Per presentare spunta la conferma." in html
    assert 'value="nonvalida"' in html and 'value="900"' in html
    assert not Domanda.objects.filter(sostituisce=presentata).exists()


def test_rettifica_checks_hours_against_the_new_period_when_another_field_fails(client_di, presentata):
    nuova_fine = presentata.data_inizio + dt.timedelta(days=27)  # 4 weeks instead of 2
    data = _rettifica_data(
        presentata,
        **{
            "data_fine": nuova_fine.isoformat(),
            "lavoratori-0-ore_settimanali": "40",
            "lavoratori-0-ore_richieste": "120",  # above 2 weeks x 40 h, within 4 weeks x 40 h
            "referente_email": "nonvalida",
        },
    )
    response = client_di.post(reverse("claims:domanda_rettifica", args=[presentata.pk]), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Inserisci un indirizzo email valido" in html or "indirizzo e-mail valido" in html
    assert "superano le ore contrattuali" not in html
    assert response.context["formset"].forms[0].errors == {}


def test_rettifica_refused_when_domanda_is_in_istruttoria(client_di, presentata, funzionario):
    domanda_transition(actor=funzionario, domanda=presentata, to=StatoDomanda.IN_ISTRUTTORIA)

    response = client_di.get(reverse("claims:domanda_rettifica", args=[presentata.pk]), follow=True)

    assert "la rettifica non è possibile" in response.content.decode()
    assert "Richiesta di modifica o annullamento" in response.content.decode()


def test_richiesta_is_sent_and_the_regions_answer_is_shown(client_di, presentata, funzionario):
    domanda_transition(actor=funzionario, domanda=presentata, to=StatoDomanda.IN_ISTRUTTORIA)
    url = reverse("claims:domanda_richiesta", args=[presentata.pk])

    response = client_di.post(url, {"tipo": "ANNULLAMENTO", "motivo": "Attività ripresa in anticipo."})
    assert response.status_code == 302

    richiesta = RichiestaRegione.objects.get()
    richiesta_answer(
        actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.RESPINTA, risposta="Non serve."
    )
    page = client_di.get(reverse("claims:domanda_detail", args=[presentata.pk])).content.decode()
    assert "Attività ripresa in anticipo." in page
    assert "Respinta" in page and "Non serve." in page


def test_richiesta_with_empty_reason_is_refused_next_to_the_field(client_di, presentata, funzionario):
    domanda_transition(actor=funzionario, domanda=presentata, to=StatoDomanda.IN_ISTRUTTORIA)
    response = client_di.post(reverse("claims:domanda_richiesta", args=[presentata.pk]), {"tipo": "MODIFICA"})
    assert "motivo" in response.context["form"].errors
    assert re.search(
        r'<input type="radio" name="tipo" value="MODIFICA"[^>]* checked', response.content.decode()
    )


def test_only_annullamento_is_offered_while_rettifica_is_possible(client_di, presentata):
    url = reverse("claims:domanda_richiesta", args=[presentata.pk])
    response = client_di.post(url, {"tipo": "MODIFICA", "motivo": "x"})
    assert "MODIFICA" in response.context["form"].errors["tipo"][0]
    assert not RichiestaRegione.objects.exists()
    assert [c[0] for c in response.context["form"].fields["tipo"].choices] == ["ANNULLAMENTO"]
    assert "rettificala" in response.content.decode()


def test_a_duplicate_presentata_can_be_withdrawn(client_di, presentata, funzionario):
    url = reverse("claims:domanda_richiesta", args=[presentata.pk])
    response = client_di.post(url, {"tipo": "ANNULLAMENTO", "motivo": "Presentata due volte per errore."})
    assert response.status_code == 302
    richiesta = RichiestaRegione.objects.get()
    richiesta_answer(
        actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.ACCOLTA, risposta="Annullata."
    )
    presentata.refresh_from_db()
    assert presentata.stato == StatoDomanda.ANNULLATA


def test_small_employer_ticks_the_self_declaration_in_step_3_and_needs_no_agreement(client_di, bozza_vuota):
    misura = bozza_vuota.misura
    misura.dipendenti_senza_accordo = 5
    misura.save()
    response = client_di.post(
        passo(bozza_vuota, 3), {"numero_dipendenti": "3", "dichiara_danno": "on", "azione": "continua"}
    )
    assert response.status_code == 302
    bozza_vuota.refresh_from_db()
    assert (bozza_vuota.numero_dipendenti, bozza_vuota.dichiara_danno) == (3, True)
    assert not bozza_vuota.accordo_richiesto
