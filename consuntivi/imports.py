"""Reading and writing the tables of consuntivi: the uploaded CSV/XLSX files, their templates and
CSV cells safe to open in a spreadsheet.

Uploaded files are read as streams, one line at a time (`csv.reader` over a text wrapper of the
stored file; openpyxl in read-only mode), so memory does not grow with the file: only the valid
lines, as small dicts, are kept until the consuntivo is sent.

File layout (the templates have it): a header on the first row naming the columns, then one line
per worker. Columns, in any order: `codice_fiscale` and `ore` (required), `retribuzione_mensile`
(optional: gross monthly pay, for the estimate of the amounts); `cognome` and `nome` are in the
templates for the reader's convenience and are ignored. CSV may be separated by semicolons (Excel in
Italian) or commas, UTF-8 or Windows-1252; decimals with comma or point. Row numbers in messages are
the spreadsheet's (the header is row 1).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from claims.models import Domanda
from core.spreadsheets import cella_sicura, nome_colonna

from .constants import FormatoFile
from .rules import CAMPO_CF, CAMPO_ORE, CAMPO_RETRIBUZIONE, Errore

MAX_FILE_BYTES = 20 * 1024 * 1024

MSG_FORMATO = N_("Il file deve essere in formato CSV (.csv) o Excel (.xlsx).")
MSG_TROPPO_GRANDE = N_("Il file supera i 20 MB.")
MSG_FILE_VUOTO = N_("Il file non contiene righe di lavoratori.")
MSG_INTESTAZIONE = N_(
    "Nella prima riga (intestazione) manca la colonna «{colonna}». Scaricare il modello dalla pagina."
)
MSG_XLSX_ILLEGGIBILE = N_("Il file non è un foglio Excel (.xlsx) leggibile.")

COLONNE_MODELLO = ("codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile")
OBBLIGATORIE = (CAMPO_CF, CAMPO_ORE)
ALIAS = {
    "codice_fiscale": CAMPO_CF,
    "cf": CAMPO_CF,
    "codice_fiscale_lavoratore": CAMPO_CF,
    "ore": CAMPO_ORE,
    "ore_cigd": CAMPO_ORE,
    "ore_integrazione": CAMPO_ORE,
    "ore_di_integrazione": CAMPO_ORE,
    "retribuzione_mensile": CAMPO_RETRIBUZIONE,
    "retribuzione": CAMPO_RETRIBUZIONE,
    "retribuzione_mensile_lorda": CAMPO_RETRIBUZIONE,
}


class Echo:
    """A write-only file whose write returns the line: lets csv.writer feed a StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def csv_lines(righe: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """Semicolon-separated CSV lines, cells made safe, with a UTF-8 BOM so Excel reads the accents."""
    writer = csv.writer(Echo(), delimiter=";")
    if bom:
        yield "\ufeff"
    for riga in righe:
        yield writer.writerow([cella_sicura(c) for c in riga])


# --- uploaded files -----------------------------------------------------------------------------


def formato_di(file: UploadedFile) -> str:
    """The format of an upload from its name and first bytes; ValidationError({"file": ...}) if not
    CSV or XLSX or too big."""
    name = (file.name or "").lower()
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise ValidationError({"file": [_(MSG_TROPPO_GRANDE)]})
    head = file.read(4)
    file.seek(0)
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise ValidationError({"file": [_(MSG_XLSX_ILLEGGIBILE)]})
        return FormatoFile.XLSX
    if name.endswith((".csv", ".txt")):
        return FormatoFile.CSV
    raise ValidationError({"file": [_(MSG_FORMATO)]})


class Lettore:
    """Iterates the lines of an uploaded file as (row number, {field: raw value}, reading errors)."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream

    def righe_totali(self) -> int | None:
        raise NotImplementedError

    def _rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError

    def righe(self) -> Iterator[tuple[int | None, dict[str, Any], list[Errore]]]:
        rows = self._rows()
        try:
            _numero, header = next(rows)
        except StopIteration:
            return
        except _ReadError as exc:
            yield None, {}, [Errore(None, "file", exc.message)]
            return
        indici: dict[str, int] = {}
        for i, intestazione in enumerate(header):
            indici.setdefault(nome_colonna(intestazione, ALIAS), i)
        mancanti = [c for c in OBBLIGATORIE if c not in indici]
        if mancanti:
            yield 1, {}, [Errore(1, c, _(MSG_INTESTAZIONE).format(colonna=c)) for c in mancanti]
            return
        campi = [(c, indici[c]) for c in (CAMPO_CF, CAMPO_ORE, CAMPO_RETRIBUZIONE) if c in indici]
        try:
            for numero, row in rows:
                if not any(v not in (None, "") and str(v).strip() for v in row):
                    continue  # blank lines are not lines
                yield numero, {c: (row[i] if i < len(row) else None) for c, i in campi}, []
        except _ReadError as exc:
            yield None, {}, [Errore(None, "file", exc.message)]


class _ReadError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LettoreCSV(Lettore):
    def righe_totali(self) -> int | None:
        self.stream.seek(0)
        lines, last = 0, b""
        while chunk := self.stream.read(1024 * 1024):
            lines += chunk.count(b"\n")
            last = chunk
        if last and not last.endswith(b"\n"):
            lines += 1
        self.stream.seek(0)
        return max(lines - 1, 0)

    def _rows(self) -> Iterator[tuple[int, list[Any]]]:
        self.stream.seek(0)
        sample = self.stream.read(64 * 1024)
        self.stream.seek(0)
        try:
            sample.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still UTF-8.
            encoding = "utf-8-sig" if exc.start >= len(sample) - 3 else "cp1252"
        # errors="replace": the fields we read are ASCII (codice fiscale, numbers); a stray byte in a
        # name, which is ignored, must not refuse the file.
        text = io.TextIOWrapper(self.stream, encoding=encoding, errors="replace", newline="")  # type: ignore[type-var]
        try:
            header_line = text.readline()
            counts = {d: header_line.count(d) for d in (";", ",", "\t")}
            delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
            yield 1, next(csv.reader([header_line], delimiter=delimiter), [])
            reader = csv.reader(text, delimiter=delimiter)
            try:
                yield from enumerate(reader, start=2)
            except csv.Error as exc:
                raise _ReadError(_("Il file CSV non è leggibile: %(errore)s") % {"errore": exc}) from None
        finally:
            text.detach()


class LettoreXLSX(Lettore):
    def __init__(self, stream: IO[bytes]):
        super().__init__(stream)
        self.workbook: Any = None
        self.sheet: Any = None

    def _open(self) -> None:
        if self.workbook is not None:
            return
        from openpyxl import load_workbook

        try:
            self.workbook = load_workbook(self.stream, read_only=True, data_only=True)
            self.sheet = self.workbook.worksheets[0]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise _ReadError(_(MSG_XLSX_ILLEGGIBILE)) from exc

    def righe_totali(self) -> int | None:
        try:
            self._open()
        except _ReadError:
            return None
        max_row = self.sheet.max_row  # from the sheet's <dimension>, which some writers leave out
        if not max_row or max_row <= 1:
            with self.sheet._get_source() as source:
                max_row = _count_row_tags(source)
        return max(max_row - 1, 0)

    def _rows(self) -> Iterator[tuple[int, list[Any]]]:
        self._open()
        try:
            for numero, row in enumerate(self.sheet.iter_rows(values_only=True), start=1):
                yield numero, [v.strip() if isinstance(v, str) else v for v in row]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise _ReadError(_(MSG_XLSX_ILLEGGIBILE)) from exc
        finally:
            self.workbook.close()


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _count_row_tags(source: IO[bytes]) -> int:
    """Rows of a sheet's XML, counted on the raw bytes in chunks (a fraction of parsing it)."""
    count, keep, buffer = 0, 64, b""
    while chunk := source.read(1024 * 1024):
        buffer += chunk
        limit = len(buffer) - keep
        # Tags starting in the kept tail are counted with the next chunk, never twice.
        count += sum(1 for match in _ROW_TAG.finditer(buffer) if match.start() < limit)
        buffer = buffer[max(limit, 0) :]
    return count + len(_ROW_TAG.findall(buffer))


def lettore(stream: IO[bytes], formato: str) -> Lettore:
    return LettoreXLSX(stream) if formato == FormatoFile.XLSX else LettoreCSV(stream)


# --- templates ------------------------------------------------------------------------------------


def _righe_modello(domanda: Domanda) -> Iterator[tuple[str, str, str, str, str]]:
    for cf, cognome, nome in domanda.lavoratori.order_by("cognome", "nome").values_list(
        "codice_fiscale", "cognome", "nome"
    ):
        yield cf, cognome, nome, "", ""


def modello_csv(domanda: Domanda) -> Iterator[str]:
    """The CSV template: the header and one line per worker of the domanda, hours left blank."""
    return csv_lines([COLONNE_MODELLO, *_righe_modello(domanda)])


def modello_xlsx(domanda: Domanda) -> bytes:
    """The XLSX template, written in openpyxl's write-only mode (constant memory per row)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Consuntivo")
    for letter, width in zip("ABCDE", (20, 24, 20, 10, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(list(COLONNE_MODELLO))
    for riga in _righe_modello(domanda):
        sheet.append([cella_sicura(v) if v else None for v in riga])
    istruzioni = workbook.create_sheet("Istruzioni")
    for line in (
        _("Compilare il foglio «Consuntivo»: una riga per lavoratore, senza modificare l'intestazione."),
        _("ore: ore di integrazione utilizzate nel mese (0 se nessuna), al massimo un decimale."),
        _("retribuzione_mensile: facoltativa, retribuzione mensile lorda in euro (serve alla stima)."),
        _("cognome e nome sono solo di riferimento: conta il codice fiscale."),
        _("Il file viene accettato solo se tutte le righe sono corrette; gli errori sono indicati per riga."),
    ):
        istruzioni.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
