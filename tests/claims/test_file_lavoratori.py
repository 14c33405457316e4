"""Reading the workers' file of a domanda: damaged files and the row limit give messages, not crashes."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from claims import forms
from claims.forms import leggi_lavoratori


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
    assert "più di 3 lavoratori" not in text
