"""Reading the workers' file of a domanda: damaged files and the row limit give messages, not crashes."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import forms
from claims.forms import FILE_MAX_ERRORI, FILE_MAX_ESTRATTO, FILE_MAX_RIGHE, leggi_lavoratori
from tests.anagrafica.factories import make_codice_fiscale
from tests.bombe import estratto_mb, xlsx_con_righe_vuote
from tests.claims.factories import DomandaFactory, MisuraFactory


def xlsx_with_damaged_sheet() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["codice_fiscale", "cognome", "nome"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    damaged = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of the XML
            target.writestr(item, data)
    return damaged.getvalue()


def test_an_xlsx_whose_sheet_is_damaged_is_refused_with_a_message():
    file = SimpleUploadedFile("lavoratori.xlsx", xlsx_with_damaged_sheet())
    with pytest.raises(ValidationError, match="Il file non è leggibile"):
        leggi_lavoratori(file, settimane=Decimal(2), assunti_entro=None)


def test_rows_with_several_errors_are_listed_not_counted_as_too_many_workers(monkeypatch):
    monkeypatch.setattr(forms, "FILE_MAX_RIGHE", 3)
    header = (
        "codice_fiscale;cognome;nome;qualifica;tipo_contratto;ore_settimanali;ore_richieste;data_assunzione\n"
    )
    riga = "XXX;;;;;;;\n"  # every field wrong or missing
    file = SimpleUploadedFile("lavoratori.csv", (header + riga * 3).encode())
    with pytest.raises(ValidationError) as exc:
        leggi_lavoratori(file, settimane=Decimal(2), assunti_entro=None)
    text = " ".join(exc.value.messages)
    assert "Riga 2" in text
    assert "più di 3 righe" not in text


# --- upload bombs at step 2 (issue 15, item 1) --------------------------------------------------------

HEADER = [
    "codice_fiscale",
    "cognome",
    "nome",
    "qualifica",
    "tipo_contratto",
    "ore_settimanali",
    "ore_richieste",
    "data_assunzione",
]
UN_LAVORATORE = [
    make_codice_fiscale(50001),
    "Neri",
    "Ugo",
    "Operaio",
    "indeterminato",
    "40",
    "64",
    "2018-01-15",
]


@pytest.fixture
def bozza(client, sede, legale_rappresentante):
    client.force_login(legale_rappresentante)
    return DomandaFactory(sede=sede, misura=MisuraFactory(), creata_da=legale_rappresentante)


def _carica(client, domanda, nome, content):
    return client.post(
        reverse("claims:domanda_passo", args=[domanda.pk, 2]),
        {"azione": "carica", "file-file": SimpleUploadedFile(nome, content)},
    )


def _codici(domanda):
    return sorted(domanda.lavoratori.values_list("codice_fiscale", flat=True))


@pytest.mark.django_db
def test_step_2_refuses_an_xlsx_that_unzips_past_the_limit_and_keeps_the_list(client, bozza):
    prima = _codici(bozza)
    bomba = xlsx_con_righe_vuote(HEADER, 5_000_000, dopo=[UN_LAVORATORE])
    assert len(bomba) < 100 * 1024 and estratto_mb(bomba) > FILE_MAX_ESTRATTO / 2**20

    response = _carica(client, bozza, "lavoratori.xlsx", bomba)

    assert response.status_code == 200
    assert "Il file Excel, una volta decompresso, supera i 25 MB" in response.content.decode()
    assert _codici(bozza) == prima


@pytest.mark.django_db
@pytest.mark.parametrize("formato", ["xlsx", "csv"])
def test_step_2_counts_blank_rows_toward_the_row_limit(client, bozza, formato):
    prima = _codici(bozza)
    vuote = FILE_MAX_RIGHE + 10
    if formato == "xlsx":
        content = xlsx_con_righe_vuote(HEADER, vuote, dopo=[UN_LAVORATORE])
    else:
        content = (";".join(HEADER) + "\n" * (vuote + 1) + ";".join(UN_LAVORATORE) + "\n").encode()

    response = _carica(client, bozza, f"lavoratori.{formato}", content)

    assert response.status_code == 200
    assert "Il file contiene più di 5000 righe (contando anche quelle vuote)" in response.content.decode()
    assert _codici(bozza) == prima


@pytest.mark.django_db
def test_step_2_stops_the_check_after_a_bounded_number_of_errors(client, bozza):
    prima = _codici(bozza)
    content = (";".join(HEADER) + "\n" + "XXX;;;;;;;\n" * 4000).encode()  # 8 errors a line

    response = _carica(client, bozza, "lavoratori.csv", content)

    html = response.content.decode()
    assert "Riga 8, " in html and "Riga 9, " not in html  # 8 errors a line: stopped at the 50th, row 8
    assert (
        "Verifica interrotta dopo 50 errori: correggere quelli indicati e caricare di nuovo il file." in html
    )
    assert _codici(bozza) == prima
    with pytest.raises(ValidationError) as exc:
        leggi_lavoratori(SimpleUploadedFile("l.csv", content), settimane=Decimal(2), assunti_entro=None)
    assert len(exc.value.messages) == FILE_MAX_ERRORI + 1
