"""The union agreement's PDF is parsed (core/pdf.py): active content and polyglots are refused,
plain PDFs from real producers pass."""

import io
import zipfile

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from weasyprint import HTML

from core.pdf import MAX_OBJECTS, PdfAttivo, PdfNonValido, check_pdf_passivo
from tests.core.pdfs import (
    EMBEDDED_FILE_PDF,
    JS_PDF,
    MINIMAL_PDF,
    OPEN_ACTION_PDF,
    ZIP_POLYGLOT_PDF,
    build_pdf,
)

JS_ACTION = b"<< /S /JavaScript /JS (app.alert('accordo')) >>"


def _pypdf_with(add) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    add(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ACTIVE = {
    "document-level JavaScript": JS_PDF,
    "OpenAction": OPEN_ACTION_PDF,
    "page additional action": build_pdf(page_extra=b"/AA << /O " + JS_ACTION + b" >>"),
    "Launch action on a link": build_pdf(
        b"",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /A << /S /Launch /F (calc.exe) >> >>",
        page_extra=b"/Annots [4 0 R]",
    ),
    "embedded file": EMBEDDED_FILE_PDF,
    "file attachment annotation": build_pdf(
        b"",
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS (a.exe) >>",
        page_extra=b"/Annots [4 0 R]",
    ),
    "SubmitForm action": build_pdf(
        b"",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /SubmitForm /F (https://x.example) >> >>",
        page_extra=b"/Annots [4 0 R]",
    ),
    # Names written with #-escapes: a search of the bytes for "/JavaScript" finds nothing.
    "escaped names": build_pdf(b"/Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    # JavaScript in an object nothing refers to is still in the file a reader may repair.
    "JavaScript in an unreferenced object": build_pdf(b"", JS_ACTION),
    "pypdf add_open_action": _pypdf_with(lambda w: w.add_open_action(JavaScript("app.alert('x');"))),
    "pypdf add_attachment": _pypdf_with(lambda w: w.add_attachment("a.exe", b"MZ")),
}


@pytest.mark.parametrize("content", ACTIVE.values(), ids=ACTIVE.keys())
def test_pdf_with_active_content_is_refused(content):
    with pytest.raises(PdfAttivo):
        check_pdf_passivo(content)


def test_escaped_names_are_found_by_parsing_not_by_bytes():
    content = ACTIVE["escaped names"]
    assert b"/JavaScript" not in content and b"/OpenAction" not in content
    with pytest.raises(PdfAttivo) as exc:
        check_pdf_passivo(content)
    assert exc.value.trovato in {"/OpenAction", "/JavaScript", "/JS"}


def test_the_zip_polyglot_is_a_zip_too():
    assert zipfile.ZipFile(io.BytesIO(ZIP_POLYGLOT_PDF)).namelist() == ["payload.exe"]


def test_a_pdf_of_too_many_objects_is_refused_before_they_are_read():
    with pytest.raises(PdfNonValido, match="too many objects"):
        check_pdf_passivo(build_pdf(b"", *[b"<< >>"] * MAX_OBJECTS))


POLYGLOTS = {
    "ZIP appended after %%EOF": MINIMAL_PDF + ZIP_POLYGLOT_PDF[ZIP_POLYGLOT_PDF.find(b"PK\x03\x04") :],
    "ZIP inside a stream": ZIP_POLYGLOT_PDF,
    "HTML before the header": b"<html><script>alert(1)</script><!--\n" + MINIMAL_PDF,
    "script after %%EOF": MINIMAL_PDF + b"<script>alert(1)</script>\n",
    "header only": b"%PDF-1.7\n<html>no</html>\n%%EOF\n",
    "not a PDF": b"<html>no</html>",
}


@pytest.mark.parametrize("content", POLYGLOTS.values(), ids=POLYGLOTS.keys())
def test_polyglots_and_non_pdfs_are_refused(content):
    with pytest.raises(PdfNonValido):
        check_pdf_passivo(content)


PLAIN = {
    "minimal": MINIMAL_PDF,
    "trailing new lines": MINIMAL_PDF + b"\r\n\r\n",
    "link to a web page": build_pdf(
        b"",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://www.inps.it/) >> >>",
        page_extra=b"/Annots [4 0 R]",
    ),
    "pypdf": _pypdf_with(lambda w: None),
    "WeasyPrint": HTML(string="<h1>Accordo sindacale</h1><p>Le parti concordano…</p>").write_pdf(),
}


@pytest.mark.parametrize("content", PLAIN.values(), ids=PLAIN.keys())
def test_plain_pdfs_pass(content):
    check_pdf_passivo(content)
