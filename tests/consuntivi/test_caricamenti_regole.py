"""The rules of an uploaded file are checked partly per line while it is read and partly over all
its lines in SQL: the user gets the same errors, with the same messages, line numbers and order, as
the form (`consuntivo_send`) gives for the same lines. XLSX files are read by calamine when small,
by openpyxl otherwise, with the same result."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from claims.models import Lavoratore
from consuntivi.constants import StatoCaricamento
from consuntivi.models import Consuntivo, RigaCaricamento
from consuntivi.rules import ConsuntivoNonValido
from consuntivi.selectors import consuntivo_dati_trasmessi
from consuntivi.services import caricamento_conferma, consuntivo_send
from core import spreadsheets

from .factories import APRILE, MARZO, domanda_consuntivabile
from .test_caricamenti import HEADER, csv_file, upload, xlsx_file

pytestmark = pytest.mark.django_db


def workers(domanda):
    return list(domanda.lavoratori.order_by("pk").values_list("codice_fiscale", flat=True))


def errori_del_modulo(domanda, rows):
    """What the form path reports for the same lines, numbered as the file's rows."""
    righe = [
        {"riga": numero, "codice_fiscale": cf, "ore": ore, "retribuzione_mensile": pay or None}
        for numero, (cf, _c, _n, ore, pay) in enumerate(rows, start=2)
    ]
    with pytest.raises(ConsuntivoNonValido) as exc:
        consuntivo_send(actor=domanda.creata_da, domanda=domanda, mese=APRILE, righe=righe)
    return [e.as_dict() for e in exc.value.errori]


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_every_rule_reports_as_the_form_does_with_line_and_order(make_file):
    domanda = domanda_consuntivabile(lavoratori=8)
    cf = workers(domanda)
    # 96 hours already sent in March for cf[5] and cf[6]: the lines below stay within the request.
    consuntivo_send(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=MARZO,
        righe=[{"codice_fiscale": cf[5], "ore": "96"}, {"codice_fiscale": cf[6], "ore": "96"}],
    )
    rows = [
        (cf[0], "", "", "8", ""),  # 2: fine
        ("RSSMRA80A01L219X", "", "", "8", "abc"),  # 3: not a worker, and the pay is wrong
        (cf[1], "", "", "176,5", ""),  # 4: over the 176 workable hours of April
        (cf[2], "", "", "8", ""),  # 5: fine
        (cf[2].lower(), "", "", "9", ""),  # 6: the same worker again
        ("VRDLGU80A01L219Z", "", "", "-1", ""),  # 7: not a worker, hours negative
        (cf[3], "", "", "2.500", "1850,00"),  # 8: ambiguous number
        ("NON-UN-CODICE-FISCALE-LUNGO", "", "", "8", ""),  # 9: longer than any codice fiscale
        (cf[5], "", "", "160", ""),  # 10: 96 + 160 = 256, fine
        (cf[6], "", "", "176", "0"),  # 11: pay zero; 96 + 176 = 272, fine
        (cf[4], "", "", "", ""),  # 12: blank: left out
        (cf[7], "", "", "12,55", ""),  # 13: two decimals
    ]
    attesi = errori_del_modulo(domanda, rows)
    assert [(e["riga"], e["campo"]) for e in attesi] == [
        (3, "codice_fiscale"),
        (3, "retribuzione_mensile"),
        (4, "ore"),
        (6, "codice_fiscale"),
        (7, "codice_fiscale"),
        (7, "ore"),
        (8, "ore"),
        (9, "codice_fiscale"),
        (11, "retribuzione_mensile"),
        (12, "ore"),
        (13, "ore"),
    ]

    caricamento = upload(domanda, make_file(rows))

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    # Row 12 is blank in a file (the worker is left out), but not in the form.
    assert caricamento.errori == [e for e in attesi if e["riga"] != 12]
    assert "2,5" not in caricamento.errori[4]["messaggio"]
    assert not RigaCaricamento.objects.exists()


def test_hours_over_the_request_counting_other_months_are_reported_with_the_total():
    domanda = domanda_consuntivabile(lavoratori=2)
    cf = workers(domanda)
    consuntivo_send(
        actor=domanda.creata_da, domanda=domanda, mese=MARZO, righe=[{"codice_fiscale": cf[0], "ore": "96"}]
    )
    rows = [(cf[0], "", "", "170", ""), (cf[1], "", "", "170", "")]
    domanda.lavoratori.filter(codice_fiscale=cf[0]).update(ore_richieste="250.0")

    caricamento = upload(domanda, csv_file(rows))

    assert caricamento.errori == [
        {
            "riga": 2,
            "campo": "ore",
            "messaggio": f"{cf[0]}: con queste 170,0 ore il totale consuntivato sulla domanda sarebbe "
            "266,0, oltre le 250,0 ore richieste per il lavoratore.",
        }
    ]


def test_a_worker_removed_between_check_and_confirmation_refuses_the_upload_line_by_line():
    domanda = domanda_consuntivabile(lavoratori=3)
    cf = workers(domanda)
    caricamento = upload(domanda, csv_file([(c, "", "", "8", "") for c in cf]), conferma=False)
    assert caricamento.stato == StatoCaricamento.VERIFICATO
    Lavoratore.objects.filter(codice_fiscale=cf[1]).delete()

    with pytest.raises(ConsuntivoNonValido) as exc:
        caricamento_conferma(actor=domanda.creata_da, caricamento=caricamento)

    assert [e.as_dict() for e in exc.value.errori] == [
        {
            "riga": 3,
            "campo": "codice_fiscale",
            "messaggio": f"Il codice fiscale {cf[1]} non corrisponde a nessun lavoratore della domanda.",
        }
    ]
    caricamento.refresh_from_db()
    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert not Consuntivo.objects.filter(mese=APRILE).exists()


def xlsx_shifted(rows, *, riga=3):
    """A sheet whose header is on row `riga` starting in column C, as people do leave margins."""
    workbook = Workbook()
    sheet = workbook.active
    for r, row in enumerate([HEADER, *rows], start=riga):
        for c, value in enumerate(row, start=3):
            sheet.cell(row=r, column=c, value=value if value != "" else None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("calamine", [True, False], ids=["calamine", "openpyxl"])
def test_xlsx_rows_and_columns_are_those_of_the_sheet_with_either_reader(calamine, monkeypatch):
    if not calamine:
        monkeypatch.setattr(spreadsheets, "CALAMINE_MAX_BYTES", 0)
    content = xlsx_shifted([("ABCDEF80A01L219X", "", "", 8, None), ("RSSMRA80A01L219X", "", "", "x", 1850.5)])
    rows = list(spreadsheets.righe(io.BytesIO(content), spreadsheets.XLSX, veloce=True))

    assert rows[2] == (3, [None, None, *HEADER])
    assert rows[3][0] == 4
    assert rows[3][1][2] == "ABCDEF80A01L219X"
    assert rows[3][1][5] == 8
    assert rows[4][1][2:] == ["RSSMRA80A01L219X", None, None, "x", 1850.5]
    # Rows below row 1, for the progress bar (the header is on row 3 here).
    assert spreadsheets.conta_righe(io.BytesIO(content), spreadsheets.XLSX, veloce=True) == 4


@pytest.mark.parametrize("calamine", [True, False], ids=["calamine", "openpyxl"])
def test_uploaded_xlsx_gives_the_same_outcome_with_either_reader(calamine, monkeypatch):
    if not calamine:
        monkeypatch.setattr(spreadsheets, "CALAMINE_MAX_BYTES", 0)
    domanda = domanda_consuntivabile(lavoratori=3)
    cf = workers(domanda)
    rows = [(cf[0], "A", "B", 8, 1850.5), (cf[1], "", "", 12.5, None), (cf[2], "", "", None, None)]
    caricamento = upload(domanda, SimpleUploadedFile("consuntivo.xlsx", xlsx_shifted(rows, riga=1)))

    assert caricamento.stato == StatoCaricamento.INVIATO, caricamento.errori
    dati = consuntivo_dati_trasmessi(Consuntivo.objects.get())
    assert [(r["codice_fiscale"], r["ore"], r["retribuzione_mensile"]) for r in dati["righe"]] == [
        (cf[0], "8.0", "1850.50"),
        (cf[1], "12.5", None),
    ]
    assert dati["ore_totali"] == "20.5"


def test_a_sheet_too_big_for_calamine_is_read_by_openpyxl(monkeypatch):
    monkeypatch.setattr(spreadsheets, "CALAMINE_MAX_BYTES", 0)
    monkeypatch.setattr(spreadsheets, "righe_xlsx_calamine", None)  # would fail if called
    content = xlsx_shifted([("ABCDEF80A01L219X", "", "", 8, None)])
    rows = list(spreadsheets.righe(io.BytesIO(content), spreadsheets.XLSX, veloce=True))
    assert rows[3] == (4, [None, None, "ABCDEF80A01L219X", None, None, 8, None])


def test_a_codice_fiscale_with_tabs_or_backslashes_is_not_a_worker_and_breaks_nothing():
    domanda = domanda_consuntivabile(lavoratori=1)
    cf = workers(domanda)
    strano = "RSS\\MRA\t80A01"
    caricamento = upload(domanda, csv_file([(cf[0], "", "", "8", ""), (strano, "", "", "8", "")]))

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori == [
        {
            "riga": 3,
            "campo": "codice_fiscale",
            "messaggio": f"Il codice fiscale {strano} non corrisponde a nessun lavoratore della domanda.",
        }
    ]


def test_hours_too_many_for_any_month_are_reported_on_their_line_as_the_form_does():
    domanda = domanda_consuntivabile(lavoratori=2)
    cf = workers(domanda)
    rows = [
        (cf[0], "", "", "8", ""),
        (cf[1], "", "", "1000000", ""),  # 3: a worker: over the month's workable hours
        ("RSSMRA80A01L219X", "", "", "1000000", ""),  # 4: not a worker
    ]
    attesi = errori_del_modulo(domanda, rows)

    caricamento = upload(domanda, csv_file(rows))

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert [(e["riga"], e["campo"]) for e in attesi] == [(3, "ore"), (4, "codice_fiscale")]
    assert caricamento.errori == attesi


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file], ids=["csv", "xlsx"])
def test_a_number_too_large_for_any_amount_is_refused_on_its_line_as_the_form_does(make_file):
    domanda = domanda_consuntivabile(lavoratori=2)
    cf = workers(domanda)
    rows = [(cf[0], "", "", "8", ""), (cf[1], "", "", "1e30", "")]
    attesi = errori_del_modulo(domanda, rows)

    caricamento = upload(domanda, make_file(rows))

    assert attesi == [{"riga": 3, "campo": "ore", "messaggio": "«1e30» non è un numero valido."}]
    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori == attesi
