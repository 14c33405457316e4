"""The consuntivi pages: permissions (a foreign id is a 404 everywhere), the entry form, the upload
with its progress, the detail with receipt, the SR41 exports, the officers' dashboard, the admin."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consuntivi.constants import StatoCaricamento
from consuntivi.models import CaricamentoConsuntivo, Consuntivo
from consuntivi.selectors import consuntivo_dati_trasmessi
from consuntivi.services import (
    caricamenti_sweep,
    caricamento_conferma,
    caricamento_create,
    caricamento_process,
    consuntivo_send,
)
from tests.anagrafica.factories import UserFactory

from .factories import APRILE, MARZO, MassimaleFactory, domanda_consuntivabile, registra, righe

pytestmark = pytest.mark.django_db


def send(domanda, mese=APRILE, **kwargs):
    return consuntivo_send(
        actor=domanda.creata_da, domanda=domanda, mese=mese, righe=righe(domanda, **kwargs)
    )


def csv_upload(domanda, ore="8"):
    lines = ["codice_fiscale;ore"] + [
        f"{cf};{ore}" for cf in domanda.lavoratori.values_list("codice_fiscale", flat=True)
    ]
    return SimpleUploadedFile("consuntivo.csv", "\n".join(lines).encode())


@pytest.fixture
def mia(client):
    domanda = domanda_consuntivabile()
    client.force_login(domanda.creata_da)
    return domanda


@pytest.fixture
def altrui():
    """Another company's domanda with a consuntivo (registered, with receipt) and an upload."""
    domanda = domanda_consuntivabile()
    consuntivo = send(domanda)
    registra(consuntivo)
    caricamento = caricamento_create(
        actor=domanda.creata_da, domanda=domanda, mese=MARZO, file=csv_upload(domanda)
    )
    return domanda, consuntivo, caricamento


def foreign_urls(domanda, consuntivo, caricamento):
    d = domanda.pk
    return [
        reverse("consuntivi:lista", args=[d]),
        reverse("consuntivi:nuovo", args=[d]),
        reverse("consuntivi:carica", args=[d]),
        reverse("consuntivi:caricamento", args=[d, caricamento.pk]),
        reverse("consuntivi:caricamento_stato", args=[d, caricamento.pk]),
        reverse("consuntivi:caricamento_errori", args=[d, caricamento.pk]),
        reverse("consuntivi:modello", args=[d, "csv"]),
        reverse("consuntivi:modello", args=[d, "xlsx"]),
        reverse("consuntivi:dettaglio", args=[consuntivo.pk]),
        reverse("consuntivi:ricevuta", args=[consuntivo.pk]),
        reverse("consuntivi:sr41_consuntivo", args=[consuntivo.pk]),
    ]


def test_every_consuntivi_url_of_another_company_answers_404(client, mia, altrui):
    for url in foreign_urls(*altrui):
        assert client.get(url).status_code == 404, url


def test_posting_to_another_companys_domanda_answers_404_and_saves_nothing(client, mia, altrui):
    domanda, _consuntivo, _caricamento = altrui
    assert client.post(reverse("consuntivi:nuovo", args=[domanda.pk]), {"mese": "2026-05"}).status_code == 404
    response = client.post(
        reverse("consuntivi:carica", args=[domanda.pk]), {"mese": "2026-05", "file": csv_upload(domanda)}
    )
    assert response.status_code == 404
    assert Consuntivo.objects.filter(domanda=domanda).count() == 1
    assert CaricamentoConsuntivo.objects.filter(domanda=domanda).count() == 1


def test_pages_require_login(client, altrui):
    response = client.get(reverse("consuntivi:lista", args=[altrui[0].pk]))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_list_shows_the_sent_consuntivi_with_their_protocol(client, mia):
    consuntivo = send(mia)
    registra(consuntivo)
    response = client.get(reverse("consuntivi:lista", args=[mia.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "aprile 2026" in html
    assert consuntivo.registrazione.segnatura in html
    assert reverse("consuntivi:nuovo", args=[mia.pk]) in html


def test_list_counts_the_workers_and_sums_the_hours_of_each_consuntivo_from_its_lines(client, mia):
    send(mia, ore="12,5")
    html = client.get(reverse("consuntivi:lista", args=[mia.pk])).content.decode()
    # Workers and hours: the lines are not in the snapshot any more.
    assert '<td class="text-end">2</td>' in html
    assert '<td class="text-end">25,0</td>' in html


def _form_data(domanda, mese, values):
    lavoratori = list(domanda.lavoratori.order_by("cognome", "nome", "pk"))
    data = {
        "mese": mese,
        "conferma": "1",
        "righe-TOTAL_FORMS": str(len(lavoratori)),
        "righe-INITIAL_FORMS": str(len(lavoratori)),
        "righe-MIN_NUM_FORMS": "0",
        "righe-MAX_NUM_FORMS": str(len(lavoratori)),
    }
    for i, (lav, (ore, retribuzione)) in enumerate(zip(lavoratori, values, strict=True)):
        data |= {
            f"righe-{i}-lavoratore": lav.pk,
            f"righe-{i}-ore": ore,
            f"righe-{i}-retribuzione_mensile": retribuzione,
        }
    return data, lavoratori


def test_form_shows_one_row_per_worker_with_the_limits_of_the_month(client, mia):
    response = client.get(reverse("consuntivi:nuovo", args=[mia.pk]) + "?mese=2026-03")
    html = response.content.decode()
    for lav in mia.lavoratori.all():
        assert lav.codice_fiscale in html
    assert "96,0" in html  # 12 weekdays of March inside the period × 40 / 5


def test_form_sends_the_consuntivo_and_leaves_out_workers_without_hours(client, mia):
    data, lavoratori = _form_data(mia, "2026-04", [("12,5", "2000"), ("", "")])
    response = client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    consuntivo = Consuntivo.objects.get(domanda=mia)
    assert response.status_code == 302
    assert response["Location"] == reverse("consuntivi:dettaglio", args=[consuntivo.pk])
    [riga] = consuntivo.righe.all()
    assert (riga.lavoratore, riga.ore, riga.retribuzione_mensile) == (
        lavoratori[0],
        Decimal("12.5"),
        Decimal("2000"),
    )


def test_form_errors_are_shown_next_to_the_fields_keeping_what_was_typed(client, mia):
    data, lavoratori = _form_data(mia, "2026-03", [("97", "1500,00"), ("-4", "")])
    response = client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{lavoratori[0].codice_fiscale}: 97,0 ore superano le ore lavorabili nel mese, 96,0" in html
    assert "Le ore non possono essere negative." in html
    assert 'value="97"' in html and 'value="1500,00"' in html and 'value="-4"' in html
    assert not Consuntivo.objects.exists()


def test_form_reports_a_month_already_sent(client, mia):
    send(mia)
    data, _lavoratori = _form_data(mia, "2026-04", [("1", ""), ("1", "")])
    response = client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    assert "per questa domanda è già stato inviato" in response.content.decode()
    assert Consuntivo.objects.count() == 1


def _carica(client, domanda, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the worker's task runs on commit
        response = client.post(
            reverse("consuntivi:carica", args=[domanda.pk]), {"mese": "2026-04", "file": file}
        )
    return response, CaricamentoConsuntivo.objects.latest("pk")


def test_upload_shows_a_preview_and_sends_nothing_until_confirmed(
    client, mia, django_capture_on_commit_callbacks
):
    response, caricamento = _carica(
        client, mia, csv_upload(mia, ore="12,5"), django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("consuntivi:caricamento", args=[mia.pk, caricamento.pk])
    assert caricamento.stato == StatoCaricamento.VERIFICATO
    assert not Consuntivo.objects.exists()

    html = client.get(response["Location"]).content.decode()
    assert "il consuntivo non è ancora inviato" in html
    assert "Un consuntivo inviato è definitivo" in html
    assert '<dd class="col-sm-7" id="anteprima-lavoratori">2</dd>' in html
    assert '<dd class="col-sm-7" id="anteprima-ore">25,0</dd>' in html  # 2 workers × 12,5
    for lav in mia.lavoratori.all():
        assert lav.codice_fiscale in html
    assert "hx-get" not in html  # the check is over: no more polling
    assert reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk]) in html


def test_confirming_without_the_tick_sends_nothing(client, mia, django_capture_on_commit_callbacks):
    _response, caricamento = _carica(client, mia, csv_upload(mia), django_capture_on_commit_callbacks)
    url = reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk])
    response = client.post(url, {}, follow=True)
    assert "Per inviare il consuntivo spuntare la conferma" in response.content.decode()
    assert not Consuntivo.objects.exists()
    caricamento.refresh_from_db()
    assert caricamento.stato == StatoCaricamento.VERIFICATO
    assert client.get(url).status_code == 405  # a link or a prefetch never sends


def test_confirming_sends_the_consuntivo_once(client, mia, django_capture_on_commit_callbacks):
    _response, caricamento = _carica(
        client, mia, csv_upload(mia, ore="12,5"), django_capture_on_commit_callbacks
    )
    url = reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk])
    response = client.post(url, {"conferma": "1"})
    consuntivo = Consuntivo.objects.get()
    assert response["Location"] == reverse("consuntivi:dettaglio", args=[consuntivo.pk])
    assert sorted(str(r.ore) for r in consuntivo.righe.all()) == ["12.5", "12.5"]
    assert [r["ore"] for r in consuntivo_dati_trasmessi(consuntivo)["righe"]] == ["12.5", "12.5"]
    assert consuntivo.dati_inviati["ore_totali"] == "25.0"
    caricamento.refresh_from_db()
    assert (caricamento.stato, caricamento.consuntivo_id) == (StatoCaricamento.INVIATO, consuntivo.pk)
    caricamenti_sweep()
    assert not caricamento.righe.exists()  # the staged lines go with the next sweep

    again = client.post(url, {"conferma": "1"}, follow=True)
    assert "non è in attesa di conferma" in again.content.decode()
    assert Consuntivo.objects.count() == 1


def test_not_sending_discards_the_upload(client, mia, django_capture_on_commit_callbacks):
    _response, caricamento = _carica(client, mia, csv_upload(mia), django_capture_on_commit_callbacks)
    url = reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk])
    response = client.post(url, {"azione": "annulla"}, follow=True)
    assert "Caricamento annullato: nulla è stato inviato." in response.content.decode()
    caricamento.refresh_from_db()
    assert caricamento.stato == StatoCaricamento.ANNULLATO
    assert not Consuntivo.objects.exists()
    assert client.post(url, {"conferma": "1"}, follow=True).status_code == 200
    assert not Consuntivo.objects.exists()


def test_confirmation_checks_again_what_changed_since_the_preview(
    client, mia, django_capture_on_commit_callbacks
):
    _response, caricamento = _carica(
        client, mia, csv_upload(mia, ore="150"), django_capture_on_commit_callbacks
    )
    send(mia, mese=MARZO, ore="96")  # meanwhile March, by the form: 96 + 150 > 300 requested? no; 246
    send_maggio = consuntivo_send(
        actor=mia.creata_da, domanda=mia, mese=APRILE.replace(month=5), righe=righe(mia, ore="60")
    )
    assert send_maggio  # 96 + 60 + 150 = 306 > 300 requested hours
    response = client.post(
        reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk]),
        {"conferma": "1"},
        follow=True,
    )
    html = response.content.decode()
    assert "Il consuntivo non è stato inviato" in html
    assert "oltre le 300,0 ore richieste per il lavoratore" in html
    assert not Consuntivo.objects.filter(mese=APRILE).exists()
    caricamento.refresh_from_db()
    assert caricamento.stato == StatoCaricamento.RIFIUTATO


def test_confirmation_of_another_companys_upload_answers_404(client, mia, altrui):
    domanda, _consuntivo, caricamento = altrui
    url = reverse("consuntivi:caricamento_conferma", args=[domanda.pk, caricamento.pk])
    assert client.post(url, {"conferma": "1"}).status_code == 404
    url = reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk])
    assert client.post(url, {"conferma": "1"}).status_code == 404
    assert Consuntivo.objects.filter(domanda=domanda).count() == 1


def test_an_officer_sees_the_preview_but_cannot_confirm_it(
    client, mia, funzionario, django_capture_on_commit_callbacks
):
    _response, caricamento = _carica(client, mia, csv_upload(mia), django_capture_on_commit_callbacks)
    client.force_login(funzionario)
    html = client.get(reverse("consuntivi:caricamento", args=[mia.pk, caricamento.pk])).content.decode()
    assert "il consuntivo non è ancora inviato" in html
    url = reverse("consuntivi:caricamento_conferma", args=[mia.pk, caricamento.pk])
    assert url not in html
    assert client.post(url, {"conferma": "1"}).status_code == 404
    assert client.post(url, {"azione": "annulla"}).status_code == 404
    caricamento.refresh_from_db()
    assert caricamento.stato == StatoCaricamento.VERIFICATO
    assert not Consuntivo.objects.exists()


def test_form_without_the_confirmation_tick_sends_nothing(client, mia):
    data, _lavoratori = _form_data(mia, "2026-04", [("8", ""), ("8", "")])
    del data["conferma"]
    response = client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Per inviare il consuntivo spuntare la conferma: un consuntivo inviato è definitivo." in html
    assert 'value="8"' in html
    assert not Consuntivo.objects.exists()


def test_form_asks_the_month_once_then_shows_its_limits_with_the_rows(client, mia):
    url = reverse("consuntivi:nuovo", args=[mia.pk])
    html = client.get(url).content.decode()
    assert html.count('name="mese"') == 1  # one month control
    assert "righe-0-ore" not in html
    html = client.get(url + "?mese=2026-03").content.decode()
    assert html.count('name="mese"') == 1  # the chosen month, carried by the rows' form
    assert 'type="month"' not in html
    assert "Ore lavorabili nel mese" in html and "96,0" in html
    assert "righe-0-ore" in html


def test_blank_hours_leave_the_worker_out_in_a_file_as_in_the_form(client, mia):
    lavoratori = list(mia.lavoratori.order_by("pk"))
    file = SimpleUploadedFile(
        "consuntivo.csv",
        f"codice_fiscale;ore\n{lavoratori[0].codice_fiscale};8\n{lavoratori[1].codice_fiscale};\n".encode(),
    )
    caricamento = caricamento_create(actor=mia.creata_da, domanda=mia, mese=APRILE, file=file)
    caricamento = caricamento_process(caricamento_id=caricamento.pk)
    assert caricamento.stato == StatoCaricamento.VERIFICATO, caricamento.errori
    consuntivo = caricamento_conferma(actor=mia.creata_da, caricamento=caricamento)
    assert [r.lavoratore for r in consuntivo.righe.all()] == [lavoratori[0]]

    data, by_name = _form_data(mia, "2026-05", [("8", ""), ("", "")])
    client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    assert [r.lavoratore for r in Consuntivo.objects.get(mese=APRILE.replace(month=5)).righe.all()] == [
        by_name[0]
    ]


def test_progress_partial_polls_every_second_while_the_file_is_checked(client, mia):
    caricamento = caricamento_create(actor=mia.creata_da, domanda=mia, mese=APRILE, file=csv_upload(mia))
    url = reverse("consuntivi:caricamento_stato", args=[mia.pk, caricamento.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert "<progress" in html


def test_upload_errors_are_listed_by_row_and_downloadable(client, mia, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("consuntivi:carica", args=[mia.pk]), {"mese": "2026-04", "file": csv_upload(mia, ore="x")}
        )
    caricamento = CaricamentoConsuntivo.objects.get()
    html = client.get(reverse("consuntivi:caricamento", args=[mia.pk, caricamento.pk])).content.decode()
    assert "«x» non è un numero valido." in html
    rows = list(
        csv.reader(
            io.StringIO(
                _body(client.get(reverse("consuntivi:caricamento_errori", args=[mia.pk, caricamento.pk])))
            ),
            delimiter=";",
        )
    )
    assert rows == [
        ["riga", "campo", "messaggio"],
        ["2", "ore", "«x» non è un numero valido."],
        ["3", "ore", "«x» non è un numero valido."],
    ]
    assert not Consuntivo.objects.exists()


def test_upload_of_a_wrong_file_type_is_refused_on_the_form(client, mia):
    response = client.post(
        reverse("consuntivi:carica", args=[mia.pk]),
        {"mese": "2026-04", "file": SimpleUploadedFile("x.docx", b"PK\x03\x04")},
    )
    assert response.status_code == 200
    assert "Il file deve essere in formato CSV (.csv) o Excel (.xlsx)." in response.content.decode()
    assert not CaricamentoConsuntivo.objects.exists()


def test_templates_download(client, mia):
    csv_response = client.get(reverse("consuntivi:modello", args=[mia.pk, "csv"]))
    assert csv_response["Content-Type"].startswith("text/csv")
    body = _body(csv_response)
    for cf in mia.lavoratori.values_list("codice_fiscale", flat=True):
        assert cf in body
    xlsx_response = client.get(reverse("consuntivi:modello", args=[mia.pk, "xlsx"]))
    assert xlsx_response.content[:2] == b"PK"
    assert client.get(reverse("consuntivi:modello", args=[mia.pk, "pdf"])).status_code == 404


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


# --- detail and receipt -----------------------------------------------------------------------------


def test_detail_shows_protocol_number_and_receipt_link_once_registered(client, mia):
    consuntivo = send(mia)
    html = client.get(reverse("consuntivi:dettaglio", args=[consuntivo.pk])).content.decode()
    assert "in attribuzione" in html
    registra(consuntivo)
    html = client.get(reverse("consuntivi:dettaglio", args=[consuntivo.pk])).content.decode()
    assert consuntivo.registrazione.segnatura in html
    assert reverse("consuntivi:ricevuta", args=[consuntivo.pk]) in html


def test_receipt_is_downloaded_as_pdf(client, mia):
    consuntivo = send(mia)
    registra(consuntivo)
    response = client.get(reverse("consuntivi:ricevuta", args=[consuntivo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_receipt_not_ready_answers_404_in_preparazione(client, mia):
    consuntivo = send(mia)
    response = client.get(reverse("consuntivi:ricevuta", args=[consuntivo.pk]))
    assert response.status_code == 404
    assert "Ricevuta in preparazione" in response.content.decode()
    registra(consuntivo, con_ricevuta=False)
    assert client.get(reverse("consuntivi:ricevuta", args=[consuntivo.pk])).status_code == 404


def test_officer_sees_the_estimate_and_why_it_is_missing(client, funzionario):
    MassimaleFactory(anno=2026, soglia_retribuzione=Decimal("2102.24"))
    domanda = domanda_consuntivabile()
    lavoratori = list(domanda.lavoratori.order_by("pk"))
    consuntivo = consuntivo_send(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=APRILE,
        righe=[
            {"codice_fiscale": lavoratori[0].codice_fiscale, "ore": "80", "retribuzione_mensile": "2000"},
            {"codice_fiscale": lavoratori[1].codice_fiscale, "ore": "10"},
        ],
    )
    client.force_login(funzionario)
    html = client.get(reverse("consuntivi:dettaglio", args=[consuntivo.pk])).content.decode()
    assert "695,34" in html
    assert "stima non disponibile: retribuzione non indicata" in html


def test_company_does_not_see_the_estimate(client, mia):
    consuntivo = send(mia, retribuzione="2000")
    html = client.get(reverse("consuntivi:dettaglio", args=[consuntivo.pk])).content.decode()
    assert "Stima" not in html


# --- SR41 -------------------------------------------------------------------------------------------


def _sr41_rows(response):
    return list(csv.reader(io.StringIO(_body(response)), delimiter=";"))


def test_company_sr41_export_lists_each_worker_of_its_consuntivi_of_the_month(client, mia, altrui):
    mia.azienda.matricola_inps = "1234567890"
    mia.azienda.save()
    lavoratore = mia.lavoratori.order_by("cognome").first()
    lavoratore.cognome = '=HYPERLINK("http://x")'
    lavoratore.save()
    consuntivo = send(mia, ore="16")
    registra(consuntivo)
    send(mia, mese=MARZO)  # another month: not in the April export

    response = client.get(reverse("consuntivi:sr41"), {"mese": "2026-04"})
    assert response["Content-Disposition"] == 'attachment; filename="sr41-2026-04.csv"'
    rows = _sr41_rows(response)
    assert rows[0][:13] == [
        "mese", "codice_fiscale_azienda", "ragione_sociale", "matricola_inps", "protocollo_domanda",
        "codice_autorizzazione_inps", "protocollo_consuntivo", "codice_fiscale", "cognome", "nome",
        "periodo_dal", "periodo_al", "ore_cigd",
    ]  # fmt: skip
    assert len(rows) == 3  # two workers; the other company's consuntivo is not there
    assert rows[1][:13] == [
        "04/2026",
        mia.azienda.codice_fiscale,
        mia.azienda.ragione_sociale,
        "1234567890",
        "",
        "",
        consuntivo.registrazione.segnatura,
        lavoratore.codice_fiscale,
        '\'=HYPERLINK("http://x")',  # formula injection escaped
        lavoratore.nome,
        "01/04/2026",
        "30/04/2026",
        "16,0",
    ]


def test_sr41_period_is_the_part_of_the_month_inside_the_domanda(client, mia):
    send(mia, mese=MARZO)
    rows = _sr41_rows(client.get(reverse("consuntivi:sr41"), {"mese": "2026-03"}))
    assert {(r[10], r[11]) for r in rows[1:]} == {("16/03/2026", "31/03/2026")}


def test_sr41_page_without_month_shows_the_form(client, mia):
    response = client.get(reverse("consuntivi:sr41"))
    assert response.status_code == 200
    assert 'name="mese"' in response.content.decode()


def test_officer_sr41_export_has_every_company_and_companies_cannot_open_it(client, mia, altrui, funzionario):
    send(mia)
    url = reverse("consuntivi:sr41_regione")
    assert client.get(url, {"mese": "2026-04"}).status_code == 403
    client.force_login(funzionario)
    rows = _sr41_rows(client.get(url, {"mese": "2026-04"}))
    assert {r[1] for r in rows[1:]} == {mia.azienda.codice_fiscale, altrui[0].azienda.codice_fiscale}
    assert len(rows) == 5


def test_dashboard_is_for_officers_only(client, mia, funzionario):
    url = reverse("consuntivi:cruscotto")
    assert client.get(url).status_code == 403
    client.force_login(funzionario)
    assert client.get(url).status_code == 200


def test_dashboard_shows_resources_and_estimate(client, funzionario):
    from .factories import RisorseRegionaliFactory

    MassimaleFactory(anno=2026, soglia_retribuzione=Decimal("2102.24"))
    RisorseRegionaliFactory(anno=2026, importo=Decimal("82506160.00"))
    domanda = domanda_consuntivabile(lavoratori=1, autorizzata=True)
    send(domanda, ore="80", retribuzione="2000")
    client.force_login(funzionario)
    html = client.get(reverse("consuntivi:cruscotto")).content.decode()
    assert "82.506.160,00" in html
    assert "695,34" in html


# --- sent is final ----------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    admin = UserFactory(
        username="admin", is_staff=True, is_superuser=True, codice_fiscale=None, ruolo="funzionario"
    )
    client.force_login(admin)
    return client


def test_admin_shows_a_sent_consuntivo_but_refuses_change_and_delete(superuser_client):
    domanda = domanda_consuntivabile()
    consuntivo = send(domanda, ore="5")
    change = reverse("admin:consuntivi_consuntivo_change", args=[consuntivo.pk])
    response = superuser_client.get(change)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert superuser_client.post(change, {"mese": "2026-05-01"}).status_code == 403
    delete = reverse("admin:consuntivi_consuntivo_delete", args=[consuntivo.pk])
    assert superuser_client.get(delete).status_code == 403
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert superuser_client.get(reverse("admin:consuntivi_consuntivo_add")).status_code == 403
    changelist = reverse("admin:consuntivi_consuntivo_changelist")
    response = superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [consuntivo.pk]}
    )
    consuntivo.refresh_from_db()
    assert consuntivo.mese == APRILE
    assert consuntivo.righe.count() == 2
    assert {r.ore for r in consuntivo.righe.all()} == {Decimal("5")}


def test_admin_page_of_a_consuntivo_shows_every_line_s_worker_without_a_query_per_line(
    superuser_client, django_assert_max_num_queries
):
    domanda = domanda_consuntivabile(lavoratori=30)
    consuntivo = send(domanda, ore="5")
    change = reverse("admin:consuntivi_consuntivo_change", args=[consuntivo.pk])

    with django_assert_max_num_queries(20):
        html = superuser_client.get(change).content.decode()

    for codice_fiscale in domanda.lavoratori.values_list("codice_fiscale", flat=True):
        assert codice_fiscale in html


def test_there_is_no_service_to_change_or_cancel_a_consuntivo():
    import consuntivi.services as services

    writes = {name for name in dir(services) if name.startswith("consuntivo_")}
    assert writes == {"consuntivo_send"}


def test_officers_edit_the_massimali_in_the_admin(superuser_client):
    MassimaleFactory(anno=2016)
    html = superuser_client.get(reverse("admin:consuntivi_massimale_changelist")).content.decode()
    assert ">2016<" in html  # a year, not "2.016"
    assert "971,71 / 1167,91" in html or "971.71 / 1167.91" in html  # the gross caps they correspond to


def test_form_rows_are_matched_to_workers_by_id_not_by_position(client, mia):
    data, lavoratori = _form_data(mia, "2026-04", [("12,5", ""), ("3", "")])
    # The same rows in the other order: each still names its worker.
    data["righe-0-lavoratore"], data["righe-1-lavoratore"] = lavoratori[1].pk, lavoratori[0].pk
    data["righe-0-ore"], data["righe-1-ore"] = "3", "12,5"
    client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    ore = dict(Consuntivo.objects.get(domanda=mia).righe.values_list("lavoratore", "ore"))
    assert ore == {lavoratori[0].pk: Decimal("12.5"), lavoratori[1].pk: Decimal("3")}


def test_form_with_missing_rows_is_refused_with_a_message_not_a_crash(client, mia):
    data, _ = _form_data(mia, "2026-04", [("12,5", ""), ("3", "")])
    data["righe-TOTAL_FORMS"] = "1"
    response = client.post(reverse("consuntivi:nuovo", args=[mia.pk]), data)
    assert response.status_code == 200
    assert "Il modulo non corrisponde ai lavoratori della domanda" in response.content.decode()
    assert not Consuntivo.objects.exists()


def test_an_officer_opening_a_consuntivo_or_its_receipt_is_recorded_the_company_is_not(client, funzionario):
    from core.models import AccessoDatiPersonali

    domanda = domanda_consuntivabile()
    consuntivo = send(domanda)
    registra(consuntivo)
    pagine = [
        reverse("consuntivi:dettaglio", args=[consuntivo.pk]),
        reverse("consuntivi:ricevuta", args=[consuntivo.pk]),
    ]
    client.force_login(domanda.creata_da)
    assert [client.get(url).status_code for url in pagine] == [200, 200]
    assert not AccessoDatiPersonali.objects.exists()

    client.force_login(funzionario)
    assert [client.get(url).status_code for url in pagine] == [200, 200]

    accessi = AccessoDatiPersonali.objects.order_by("pk")
    assert [(a.actor, a.azione, a.oggetto_id) for a in accessi] == [
        (funzionario, AccessoDatiPersonali.Azione.ELENCO, str(consuntivo.pk)),
        (funzionario, AccessoDatiPersonali.Azione.DOCUMENTO, str(consuntivo.pk)),
    ]
    assert accessi[1].descrizione == f"ricevuta del consuntivo {consuntivo.pk}"
