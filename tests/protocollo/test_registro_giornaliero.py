"""The daily protocol register: that day's registrations (Europe/Rome), in number order, PDF and CSV."""

import csv
import datetime as dt
import hashlib
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from protocollo.models import RegistrazioneProtocollo
from protocollo.services import registro_giornaliero

ROMA = ZoneInfo("Europe/Rome")
UTC = dt.UTC
GIORNO = dt.date(2026, 3, 12)


def registrazione(numero, quando, *, oggetto=None, tipo="DOMANDA"):
    return RegistrazioneProtocollo.objects.create(
        anno=quando.astimezone(ROMA).year,
        numero=numero,
        registrata_il=quando,
        tipo_documento=tipo,
        oggetto=oggetto or f"Domanda di CIGD n. {numero}",
        impronta=hashlib.sha256(str(numero).encode()).hexdigest(),
        codice_verifica=f"CODICE{numero}",
    )


def righe_csv(testo):
    return list(csv.reader(io.StringIO(testo), delimiter=";"))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def giornata(db):
    """Registrations around 12 March 2026, Rome time (UTC+1 on that day)."""
    return [
        registrazione(10, dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=ROMA)),  # the day before
        registrazione(11, dt.datetime(2026, 3, 11, 23, 30, tzinfo=UTC)),  # 00:30 in Rome: that day
        registrazione(12, dt.datetime(2026, 3, 12, 12, 0, tzinfo=ROMA), tipo="CONSUNTIVO"),
        registrazione(13, dt.datetime(2026, 3, 12, 23, 59, 59, tzinfo=ROMA)),
        registrazione(14, dt.datetime(2026, 3, 12, 23, 30, tzinfo=UTC)),  # 00:30 of the 13th in Rome
    ]


def test_registro_csv_lists_that_days_registrations_only_in_number_order(giornata):
    _, testo = registro_giornaliero(giorno=GIORNO)

    intestazione, *righe = righe_csv(testo)
    assert intestazione == [
        "Protocollo",
        "Anno",
        "Numero",
        "Data e ora",
        "Tipo",
        "Oggetto",
        "Impronta SHA-256",
    ]
    assert [r[0] for r in righe] == ["2026/0000011", "2026/0000012", "2026/0000013"]
    assert righe[0][3] == "12/03/2026 00:30:00"
    assert righe[1][4] == "Consuntivo"
    assert righe[2][5] == "Domanda di CIGD n. 13"
    assert righe[2][6] == hashlib.sha256(b"13").hexdigest()


def test_registro_pdf_lists_that_days_registrations_only(giornata):
    pdf, _ = registro_giornaliero(giorno=GIORNO)

    text = pdf_text(pdf)
    assert "Registro giornaliero di protocollo" in text
    assert "12/03/2026" in text
    for numero in ("2026/0000011", "2026/0000012", "2026/0000013"):
        assert numero in text
    assert "2026/0000010" not in text and "2026/0000014" not in text


def test_registro_of_a_day_without_registrations_says_so(db):
    pdf, testo = registro_giornaliero(giorno=GIORNO)

    assert len(righe_csv(testo)) == 1
    assert "Nessuna registrazione" in pdf_text(pdf)


def test_registro_csv_neutralises_spreadsheet_formulas(db):
    registrazione(1, dt.datetime(2026, 3, 12, 9, 0, tzinfo=ROMA), oggetto='=HYPERLINK("http://x","y")')

    _, testo = registro_giornaliero(giorno=GIORNO)

    assert righe_csv(testo)[1][5] == '\'=HYPERLINK("http://x","y")'


def test_registro_of_a_busy_day_runs_over_several_pages(db):
    for numero in range(1, 121):
        registrazione(numero, dt.datetime(2026, 3, 12, 8, 0, tzinfo=ROMA) + dt.timedelta(minutes=numero))

    pdf, testo = registro_giornaliero(giorno=GIORNO)

    assert len(righe_csv(testo)) == 121
    text = pdf_text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1
    assert "2026/0000001" in text and "2026/0000120" in text


def test_registro_giornaliero_command_writes_pdf_and_csv(giornata, tmp_path):
    out = io.StringIO()

    call_command("registro_giornaliero", "--giorno", "2026-03-12", "--out", str(tmp_path), stdout=out)

    pdf = tmp_path / "registro-protocollo-2026-03-12.pdf"
    csv_file = tmp_path / "registro-protocollo-2026-03-12.csv"
    assert pdf.read_bytes().startswith(b"%PDF-")
    righe = righe_csv(csv_file.read_text(encoding="utf-8-sig"))
    assert [r[0] for r in righe[1:]] == ["2026/0000011", "2026/0000012", "2026/0000013"]
    assert "3 registrazioni" in out.getvalue()
