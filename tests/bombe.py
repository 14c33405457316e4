"""Upload bombs built in the tests (issue 15, item 1): an XLSX whose few hundred KB unzip to a sheet
of hundreds of MB of blank rows, a sheet of more blank rows than the row limit, a CSV of bad lines."""

import io
import re
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"
RIGA_VUOTA = b"<row/>"  # openpyxl numbers a row without r="" as the one after the previous


def xlsx_con_righe_vuote(
    header: list[str], righe_vuote: int, *, dopo: list[list[str]] = (), salto: int = 0
) -> bytes:
    """A real XLSX (made by openpyxl) whose first sheet has `header`, then `righe_vuote` blank rows,
    then the rows `dopo` (the first numbered `salto` rows further down, if given: the rows skipped
    are blank to a reader). Blank rows compress about a thousand times: 20 million of them (120 MB
    of XML) make a file of a few hundred KB. The sheet's dimension is set as a writer would."""
    ultima = 1 + righe_vuote + salto + len(dopo)
    colonna = openpyxl.utils.get_column_letter(max([len(header), *(len(r) for r in dopo)]))
    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    buffer = io.BytesIO()
    workbook.save(buffer)
    bomba = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(bomba, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != SHEET:
                target.writestr(item, data)
                continue
            data = re.sub(
                rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{colonna}{ultima}"/>'.encode(), data
            )
            testa, coda = data.split(b"</sheetData>")
            with target.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(testa)
                blocco = RIGA_VUOTA * 100_000
                for _ in range(righe_vuote // 100_000):
                    sheet.write(blocco)
                sheet.write(RIGA_VUOTA * (righe_vuote % 100_000))
                numero = 1 + righe_vuote + salto
                for riga in dopo:
                    numero += 1
                    celle = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in riga)
                    sheet.write(f'<row r="{numero}">{celle}</row>'.encode())
                sheet.write(b"</sheetData>" + coda)
    return bomba.getvalue()


def estratto_mb(content: bytes) -> float:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sum(i.file_size for i in archive.infolist()) / 2**20
