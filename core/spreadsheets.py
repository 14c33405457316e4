"""Every CSV and XLSX file the app reads or writes goes through here: the workers' and consuntivi
uploads, their templates, the SR41 and register exports.

Reading streams the file one row at a time (`csv.reader` over a text wrapper of the stored file;
openpyxl in read-only mode), so memory does not grow with the file. CSV may be separated by
semicolons (Excel in Italian), commas or tabs, in UTF-8 or Windows-1252. Row numbers are the
spreadsheet's: the header is row 1.

Writing escapes cells a spreadsheet would run as formulas (OWASP "CSV injection"); CSV is
semicolon-separated with a UTF-8 BOM, so that Excel in Italian opens it with its accents.

Upload bombs: an XLSX is a zip, and a few hundred KB can hold hundreds of MB of sheet. Before an
XLSX is opened the sizes its zip declares are checked (`ESTRATTO_MAX_BYTES`; Python's zipfile never
inflates a member past its declared size, so the check cannot be lied to), and `righe(max_righe=…)`
stops at a row number, so blank rows count toward the limit like the others.
"""

import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from django.core.files import File
from django.utils.translation import gettext as _

CSV = "csv"
XLSX = "xlsx"
# The most an XLSX may hold once unzipped (all its members together): a 50,000-line consuntivo is
# about 10 MB of XML; a sheet of blank rows compresses a thousand times.
ESTRATTO_MAX_BYTES = 100 * 1024 * 1024
# Sheets up to this size (XML, unzipped) may be read by calamine, which holds a whole sheet in memory:
# a 50,000-line consuntivo is about 10 MB of XML and takes about 24 MB read so.
CALAMINE_MAX_BYTES = 16 * 1024 * 1024
# A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class FileIlleggibile(Exception):
    """The file cannot be read as the format it claims; `motivo` says why, in Italian."""

    def __init__(self, formato: str, motivo: str):
        super().__init__(motivo)
        self.formato = formato
        self.motivo = motivo


class TroppeRighe(Exception):
    """The file has more rows than allowed, blank ones included; `massimo` is the limit (below the
    header)."""

    def __init__(self, massimo: int):
        super().__init__(massimo)
        self.massimo = massimo


class FileTroppoEsteso(FileIlleggibile):
    """An XLSX whose zip would unpack to more than `ESTRATTO_MAX_BYTES` (an upload bomb)."""


def cella_sicura(value: Any) -> Any:
    """A value to write in a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def nome_colonna(intestazione: Any, alias: dict[str, str]) -> str:
    """A header cell as a field name: "Ore settimanali (da contratto)" → "ore_settimanali_da_contratto",
    then mapped through `alias`, so users may write the headers as they like."""
    text = unicodedata.normalize("NFKD", str(intestazione or "")).encode("ascii", "ignore").decode()
    text = "".join(c if c.isalnum() else "_" for c in text.strip().lower())
    while "__" in text:
        text = text.replace("__", "_")
    text = text.strip("_")
    return alias.get(text, text)


# --- reading ---------------------------------------------------------------------------------------


def righe(
    stream: IO[bytes], formato: str, *, max_righe: int | None = None, veloce: bool = False
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a CSV or XLSX file as (row number, cells); FileIlleggibile when it cannot be read.

    With `max_righe`, TroppeRighe as soon as a row below the header is numbered past it: blank rows
    count, so a sheet of a million empty rows is stopped after `max_righe` of them. With `veloce`,
    an XLSX whose sheets are small enough is read by calamine (`righe_xlsx_calamine`): numbers come
    as float and dates as date rather than datetime, so only callers that parse numbers from any
    type ask for it."""
    if formato == XLSX:
        rows = righe_xlsx_calamine(stream) if veloce and _fogli_piccoli(stream) else righe_xlsx(stream)
    else:
        rows = righe_csv(stream)
    if max_righe is None:
        return rows
    return _al_massimo(rows, max_righe)


def _al_massimo(rows: Iterator[tuple[int, list[Any]]], max_righe: int) -> Iterator[tuple[int, list[Any]]]:
    with contextlib.closing(rows):  # type: ignore[type-var]
        for numero, row in rows:
            if numero > max_righe + 1:
                raise TroppeRighe(max_righe)
            yield numero, row


def controlla_zip(stream: IO[bytes], *, max_bytes: int = ESTRATTO_MAX_BYTES) -> None:
    """Refuse an XLSX whose zip declares more than `max_bytes` once unpacked, before anything is
    inflated (FileTroppoEsteso); a damaged zip is FileIlleggibile."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            totale = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileIlleggibile(XLSX, _("non è un foglio Excel (.xlsx) leggibile")) from exc
    finally:
        stream.seek(0)
    if totale > max_bytes:
        raise FileTroppoEsteso(
            XLSX,
            _("una volta decompresso occuperebbe %(mb)s MB, oltre il massimo di %(max)s MB")
            % {"mb": totale // 2**20, "max": max_bytes // 2**20},
        )


def righe_csv(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    # The text wrapper asks its stream whether it is closed at every line: a Django File answers
    # through properties of its own, the file it wraps directly.
    while isinstance(stream, File) and stream.file is not None:
        stream = cast(IO[bytes], stream.file)
    stream.seek(0)
    sample = stream.read(64 * 1024)
    stream.seek(0)
    try:
        sample.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        encoding = "utf-8-sig" if exc.start >= len(sample) - 3 else "cp1252"
    # errors="replace": a stray byte in a name must not refuse the whole file.
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")  # type: ignore[type-var]
    try:
        header_line = text.readline()
        counts = {d: header_line.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"
        yield 1, next(csv.reader([header_line], delimiter=delimiter), [])
        reader = csv.reader(text, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=2)
        except csv.Error:
            # Python's own wording is English and ends in "?" or ")": the reader's line says it all.
            raise FileIlleggibile(
                CSV, _("la riga %(riga)s non si legge come CSV") % {"riga": reader.line_num + 1}
            ) from None
    finally:
        # Leave the caller's stream open; a reader left half-way may be closed after its file was.
        with contextlib.suppress(ValueError):
            text.detach()


def righe_xlsx(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows; strings stripped."""
    workbook = _apri_xlsx(stream)
    try:
        for numero, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            yield numero, [v.strip() if isinstance(v, str) else v for v in row]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, IndexError) as exc:
        # A damaged sheet fails while its rows are read, not when the workbook opens.
        raise FileIlleggibile(XLSX, _("il foglio Excel è danneggiato")) from exc
    finally:
        workbook.close()


def _fogli_piccoli(stream: IO[bytes]) -> bool:
    """Whether every sheet of the XLSX declares at most CALAMINE_MAX_BYTES of XML (after the zip
    bomb check of `controlla_zip`)."""
    controlla_zip(stream)
    try:
        with zipfile.ZipFile(stream) as archive:
            return all(
                info.file_size <= CALAMINE_MAX_BYTES
                for info in archive.infolist()
                if info.filename.startswith("xl/worksheets/")
            )
    finally:
        stream.seek(0)


def righe_xlsx_calamine(stream: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows read by calamine (Rust): about 15 times openpyxl's speed, but the
    whole sheet is held in memory (about 2.5 times its XML), hence only for sheets up to
    CALAMINE_MAX_BYTES. Cells as openpyxl gives them: strings stripped, empty cells None, row 1
    and column A first even when the sheet's used area starts further down or right."""
    from python_calamine import CalamineError, CalamineWorkbook

    controlla_zip(stream)
    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        sheet = workbook.get_sheet_by_index(0)
        vuote = [None] * sheet.start[1] if sheet.start else []
        rows = sheet.iter_rows()
    except (CalamineError, IndexError, ValueError, OSError) as exc:
        raise FileIlleggibile(XLSX, _("non è un foglio Excel (.xlsx) leggibile")) from exc
    finally:
        stream.seek(0)
    try:
        # iter_rows starts at row 1 (leading blank rows included) but at the used area's column.
        for numero, row in enumerate(rows, start=1):
            yield (
                numero,
                [*vuote, *((v.strip() or None) if isinstance(v, str) else v for v in row)],
            )
    except (CalamineError, ValueError) as exc:
        raise FileIlleggibile(XLSX, _("il foglio Excel è danneggiato")) from exc
    finally:
        workbook.close()


def _apri_xlsx(stream: IO[bytes]) -> Any:
    from openpyxl import load_workbook

    controlla_zip(stream)
    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
        raise FileIlleggibile(XLSX, _("non è un foglio Excel (.xlsx) leggibile")) from exc


def conta_righe(stream: IO[bytes], formato: str, *, veloce: bool = False) -> int | None:
    """Lines below the header, counted without parsing the cells (for a progress bar); None if the
    file cannot be read. With `veloce`, a small XLSX is counted by calamine: openpyxl parses the
    whole sheet when the writer left out its <dimension> (4 s at 50,000 rows)."""
    if formato == XLSX:
        if veloce and _fogli_piccoli(stream):
            return _conta_righe_calamine(stream)
        try:
            workbook = _apri_xlsx(stream)
        except FileIlleggibile:
            return None
        sheet = workbook.worksheets[0]
        max_row = sheet.max_row  # from the sheet's <dimension>, which some writers leave out
        if not max_row or max_row <= 1:
            with sheet._get_source() as source:
                max_row = _conta_tag_row(source)
        workbook.close()
        stream.seek(0)
        return max(max_row - 1, 0)
    stream.seek(0)
    lines, last = 0, b""
    while chunk := stream.read(1024 * 1024):
        lines += chunk.count(b"\n")
        last = chunk
    if last and not last.endswith(b"\n"):
        lines += 1
    stream.seek(0)
    return max(lines - 1, 0)


def _conta_righe_calamine(stream: IO[bytes]) -> int | None:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(stream)
        fine = workbook.get_sheet_by_index(0).end
        workbook.close()
    except (CalamineError, IndexError, ValueError, OSError):
        return None
    finally:
        stream.seek(0)
    return fine[0] if fine else 0


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _conta_tag_row(source: IO[bytes]) -> int:
    """Rows of a sheet's XML, counted on the raw bytes in chunks (a fraction of parsing it)."""
    count, keep, buffer = 0, 64, b""
    while chunk := source.read(1024 * 1024):
        buffer += chunk
        limit = len(buffer) - keep
        # Tags starting in the kept tail are counted with the next chunk, never twice.
        count += sum(1 for match in _ROW_TAG.finditer(buffer) if match.start() < limit)
        buffer = buffer[max(limit, 0) :]
    return count + len(_ROW_TAG.findall(buffer))


# --- writing ---------------------------------------------------------------------------------------


class _Echo:
    """A write-only file whose write returns the line: lets csv.writer feed a StreamingHttpResponse."""

    def write(self, value: str) -> str:
        return value


def csv_lines(righe: Iterable[Iterable[Any]], *, bom: bool = True) -> Iterator[str]:
    """Semicolon-separated CSV lines (CRLF), cells made safe, after a UTF-8 BOM."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    if bom:
        yield "\ufeff"
    for riga in righe:
        yield writer.writerow([cella_sicura(c) for c in riga])


def csv_testo(righe: Iterable[Iterable[Any]], *, bom: bool = True) -> str:
    return "".join(csv_lines(righe, bom=bom))


@dataclass
class Foglio:
    """One sheet of an XLSX file to write."""

    nome: str
    righe: Iterable[Iterable[Any]]  # the first one is the header
    larghezze: tuple[int, ...] = ()  # column widths, from column A
    intestazione_in_grassetto: bool = False
    formati: dict[str, str] = field(default_factory=dict)  # column letter -> number format
    scelte: dict[str, list[str]] = field(default_factory=dict)  # column letter -> allowed values
    righe_convalidate: int = 0  # how many rows below the header the choices apply to


def xlsx(fogli: Iterable[Foglio]) -> bytes:
    """An XLSX file of the given sheets, cells made safe."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    for foglio in fogli:
        sheet = workbook.create_sheet(foglio.nome)
        for riga in foglio.righe:
            sheet.append([cella_sicura(v) for v in riga])
        if foglio.intestazione_in_grassetto:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
        for indice, larghezza in enumerate(foglio.larghezze, start=1):
            sheet.column_dimensions[get_column_letter(indice)].width = larghezza
        for colonna, formato in foglio.formati.items():
            for (cell,) in sheet.iter_rows(min_row=2, min_col=_indice(colonna), max_col=_indice(colonna)):
                cell.number_format = formato
        for colonna, valori in foglio.scelte.items():
            convalida = DataValidation(type="list", formula1='"' + ",".join(valori) + '"', allow_blank=True)
            convalida.add(f"{colonna}2:{colonna}{foglio.righe_convalidate + 1}")
            sheet.add_data_validation(convalida)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _indice(colonna: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(colonna)
