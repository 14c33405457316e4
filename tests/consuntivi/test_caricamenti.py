"""Uploads of consuntivo lines (CSV and XLSX): all or nothing, every row error reported with its row
number and field, 10,000-line files."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from claims.constants import StatoDomanda
from consuntivi.constants import StatoCaricamento
from consuntivi.imports import MSG_FORMATO, MSG_INTESTAZIONE, MSG_XLSX_ILLEGGIBILE, modello_csv, modello_xlsx
from consuntivi.models import CaricamentoConsuntivo, Consuntivo, RigaConsuntivo
from consuntivi.rules import (
    MSG_LAVORATORE_ESTRANEO,
    MSG_MESE_FUORI_PERIODO,
    MSG_ORE_NEGATIVE,
    ConsuntivoNonValido,
)
from consuntivi.services import (
    caricamento_conferma,
    caricamento_create,
    caricamento_process,
    consuntivo_send,
)
from core.exceptions import NotPermitted
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import avanza

from .factories import APRILE, domanda_consuntivabile, lavoratori_in_blocco, righe

pytestmark = pytest.mark.django_db

HEADER = ["codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile"]


def csv_file(rows, *, header=HEADER, delimiter=";", encoding="utf-8-sig", name="consuntivo.csv"):
    text = "\n".join(delimiter.join(str(c) for c in row) for row in [header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, *, header=HEADER, name="consuntivo.xlsx"):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Consuntivo")
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name,
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def rows_of(domanda, ore="8", retribuzione=""):
    return [
        (cf, cognome, nome, ore, retribuzione)
        for cf, cognome, nome in domanda.lavoratori.order_by("pk").values_list(
            "codice_fiscale", "cognome", "nome"
        )
    ]


def upload(domanda, file, mese=APRILE, *, conferma=True):
    """Upload, check (what the worker does) and, if the file is correct, confirm as the user would."""
    caricamento = caricamento_create(actor=domanda.creata_da, domanda=domanda, mese=mese, file=file)
    caricamento = caricamento_process(caricamento_id=caricamento.pk)
    if conferma and caricamento.stato == StatoCaricamento.VERIFICATO:
        caricamento_conferma(actor=domanda.creata_da, caricamento=caricamento)
        caricamento.refresh_from_db()
    return caricamento


def test_valid_csv_sends_the_consuntivo():
    domanda = domanda_consuntivabile(lavoratori=3)
    caricamento = upload(domanda, csv_file(rows_of(domanda, ore="12,5", retribuzione="2.100,50")))

    assert caricamento.stato == StatoCaricamento.INVIATO
    assert caricamento.progresso == 100
    assert caricamento.righe_validate == 3
    consuntivo = caricamento.consuntivo
    assert consuntivo.mese == APRILE
    assert consuntivo.righe.count() == 3
    assert {(str(r.ore), str(r.retribuzione_mensile)) for r in consuntivo.righe.all()} == {
        ("12.5", "2100.50")
    }


def test_valid_xlsx_sends_the_consuntivo_with_numbers_and_blank_pay():
    domanda = domanda_consuntivabile(lavoratori=2)
    rows = rows_of(domanda)
    rows = [(rows[0][0], "", "", 7.5, 1850.25), (rows[1][0], "", "", 10, None)]
    caricamento = upload(domanda, xlsx_file(rows))

    assert caricamento.stato == StatoCaricamento.INVIATO, caricamento.errori
    righe_salvate = {
        r.lavoratore.codice_fiscale: r for r in caricamento.consuntivo.righe.select_related("lavoratore")
    }
    assert str(righe_salvate[rows[0][0]].ore) == "7.5"
    assert str(righe_salvate[rows[0][0]].retribuzione_mensile) == "1850.25"
    assert righe_salvate[rows[1][0]].retribuzione_mensile is None


def test_comma_separated_csv_in_windows_1252_with_reordered_columns_is_read():
    domanda = domanda_consuntivabile(lavoratori=2)
    rows = [("Nicolò", cf, "5.5") for cf, *_rest in rows_of(domanda)]
    file = csv_file(rows, header=["Cognome", "Codice fiscale", "Ore"], delimiter=",", encoding="cp1252")
    caricamento = upload(domanda, file)
    assert caricamento.stato == StatoCaricamento.INVIATO, caricamento.errori


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_file_with_row_errors_is_refused_whole_with_each_row_and_field(make_file):
    domanda = domanda_consuntivabile(lavoratori=4)
    rows = rows_of(domanda)
    rows[1] = (rows[1][0], "", "", "-3", "")  # file row 3
    rows[3] = ("RSSMRA80A01L219X", "", "", "4", "")  # file row 5: not a worker of the domanda
    caricamento = upload(domanda, make_file(rows))

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori == [
        {"riga": 3, "campo": "ore", "messaggio": MSG_ORE_NEGATIVE},
        {
            "riga": 5,
            "campo": "codice_fiscale",
            "messaggio": MSG_LAVORATORE_ESTRANEO.format(cf="RSSMRA80A01L219X"),
        },
    ]
    assert caricamento.errori_totali == 2
    assert caricamento.consuntivo is None
    assert not Consuntivo.objects.exists()
    assert not RigaConsuntivo.objects.exists()


def test_blank_lines_are_skipped_but_row_numbers_stay_those_of_the_spreadsheet():
    domanda = domanda_consuntivabile(lavoratori=2)
    rows = rows_of(domanda)
    rows = [rows[0], ("", "", "", "", ""), (rows[1][0], "", "", "abc", "")]
    caricamento = upload(domanda, csv_file(rows))
    assert [(e["riga"], e["campo"]) for e in caricamento.errori] == [(4, "ore")]


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_missing_required_column_is_reported_on_the_header_row(make_file):
    domanda = domanda_consuntivabile(lavoratori=1)
    caricamento = upload(domanda, make_file([("X", "1")], header=["codice_fiscale", "ore_lavorate"]))
    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori == [
        {"riga": 1, "campo": "ore", "messaggio": MSG_INTESTAZIONE.format(colonna="ore")}
    ]


def test_empty_file_is_refused():
    domanda = domanda_consuntivabile(lavoratori=1)
    caricamento = upload(domanda, csv_file([]))
    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori[0]["messaggio"] == "Il file non contiene righe di lavoratori."


def test_file_of_another_type_is_refused_at_upload():
    domanda = domanda_consuntivabile(lavoratori=1)
    with pytest.raises(ValidationError) as exc:
        caricamento_create(
            actor=domanda.creata_da,
            domanda=domanda,
            mese=APRILE,
            file=SimpleUploadedFile("consuntivo.pdf", b"%PDF-1.4"),
        )
    assert exc.value.message_dict == {"file": [MSG_FORMATO]}
    assert not CaricamentoConsuntivo.objects.exists()


def test_broken_xlsx_is_refused():
    domanda = domanda_consuntivabile(lavoratori=1)
    with pytest.raises(ValidationError) as exc:
        upload(domanda, SimpleUploadedFile("consuntivo.xlsx", b"not a zip"))
    assert exc.value.message_dict == {"file": [MSG_XLSX_ILLEGGIBILE]}
    # A zip's directory is read before the file is stored: a damaged one is refused at once.
    corrupt = SimpleUploadedFile("consuntivo.xlsx", b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ValidationError) as exc:
        upload(domanda, corrupt)
    assert exc.value.message_dict == {"file": [MSG_XLSX_ILLEGGIBILE]}
    assert not CaricamentoConsuntivo.objects.exists()


def test_month_outside_the_period_is_refused_at_upload():
    domanda = domanda_consuntivabile(lavoratori=1)
    with pytest.raises(ConsuntivoNonValido) as exc:
        caricamento_create(
            actor=domanda.creata_da,
            domanda=domanda,
            mese=APRILE.replace(month=9),
            file=csv_file(rows_of(domanda)),
        )
    assert exc.value.message_dict == {
        "mese": [MSG_MESE_FUORI_PERIODO.format(mese="settembre 2026", dal="16/03/2026", al="15/05/2026")]
    }


def test_upload_refused_to_who_does_not_act_for_the_company():
    domanda = domanda_consuntivabile(lavoratori=1)
    with pytest.raises(NotPermitted):
        caricamento_create(actor=UserFactory(), domanda=domanda, mese=APRILE, file=csv_file(rows_of(domanda)))


def test_a_consuntivo_sent_meanwhile_is_reported_not_duplicated():
    domanda = domanda_consuntivabile(lavoratori=2)
    caricamento = caricamento_create(
        actor=domanda.creata_da, domanda=domanda, mese=APRILE, file=csv_file(rows_of(domanda))
    )
    consuntivo_send(actor=domanda.creata_da, domanda=domanda, mese=APRILE, righe=righe(domanda))
    caricamento = caricamento_process(caricamento_id=caricamento.pk)
    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert "è già stato inviato" in caricamento.errori[0]["messaggio"]
    assert Consuntivo.objects.count() == 1


def test_processing_twice_is_harmless():
    domanda = domanda_consuntivabile(lavoratori=2)
    caricamento = upload(domanda, csv_file(rows_of(domanda)))
    again = caricamento_process(caricamento_id=caricamento.pk)
    assert again.stato == StatoCaricamento.INVIATO
    assert again.consuntivo_id == caricamento.consuntivo_id
    assert Consuntivo.objects.count() == 1


def test_templates_are_prefilled_with_the_workers_of_the_domanda():
    domanda = domanda_consuntivabile(lavoratori=2)
    lavoratori = list(domanda.lavoratori.order_by("cognome", "nome"))

    text = "".join(modello_csv(domanda)).lstrip("\ufeff")
    lines = text.splitlines()
    assert lines[0] == "codice_fiscale;cognome;nome;ore;retribuzione_mensile"
    assert lines[1:] == [f"{lav.codice_fiscale};{lav.cognome};{lav.nome};;" for lav in lavoratori]

    sheet = load_workbook(io.BytesIO(modello_xlsx(domanda)), read_only=True).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert [v[:3] for v in values[1:]] == [[lav.codice_fiscale, lav.cognome, lav.nome] for lav in lavoratori]
    assert all(cell is None for v in values[1:] for cell in v[3:])  # hours and pay left blank


def test_filled_in_template_is_accepted():
    domanda = domanda_consuntivabile(lavoratori=2)
    text = "".join(modello_csv(domanda)).replace(";;", ";16;1900,00")
    caricamento = upload(domanda, SimpleUploadedFile("modello.csv", text.encode("utf-8")))
    assert caricamento.stato == StatoCaricamento.INVIATO, caricamento.errori


# --- 10,000 lines -------------------------------------------------------------------------------------

DIECIMILA = 10_000


@pytest.fixture
def domanda_diecimila():
    domanda = domanda_consuntivabile(lavoratori=0, bozza=True)
    lavoratori_in_blocco(domanda, DIECIMILA)
    return avanza(domanda, StatoDomanda.PRESENTATA)


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_ten_thousand_valid_lines_make_one_consuntivo_with_ten_thousand_lines(domanda_diecimila, make_file):
    caricamento = upload(
        domanda_diecimila, make_file(rows_of(domanda_diecimila, ore="16", retribuzione="1800"))
    )
    assert caricamento.stato == StatoCaricamento.INVIATO, caricamento.errori[:5]
    assert caricamento.righe_totali == DIECIMILA
    assert caricamento.righe_validate == DIECIMILA
    assert Consuntivo.objects.count() == 1
    assert caricamento.consuntivo.righe.count() == DIECIMILA


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_ten_thousand_lines_with_errors_in_rows_17_and_9999_are_both_reported_and_nothing_saved(
    domanda_diecimila, make_file
):
    rows = rows_of(domanda_diecimila, ore="16")
    # file row n is rows[n - 2]: row 1 is the header
    rows[17 - 2] = (rows[17 - 2][0], "", "", "-1", "")
    rows[9999 - 2] = (rows[9999 - 2][0], "", "", "16", "zero")
    caricamento = upload(domanda_diecimila, make_file(rows))

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.righe_validate == DIECIMILA
    assert [(e["riga"], e["campo"]) for e in caricamento.errori] == [
        (17, "ore"),
        (9999, "retribuzione_mensile"),
    ]
    assert caricamento.errori[1]["messaggio"] == "«zero» non è un numero valido."
    assert not Consuntivo.objects.exists()
    assert not RigaConsuntivo.objects.exists()
