"""PDF files written object by object, with a correct cross-reference table, so that each test
says exactly what is inside the file it uploads."""

import io
import zipfile


def build_pdf(
    catalog_extra: bytes = b"", *more: bytes, page_extra: bytes = b"", header: bytes = b"%PDF-1.4"
) -> bytes:
    """A one-page PDF: object 1 the catalog (plus `catalog_extra`), 2 the page tree, 3 the page
    (plus `page_extra`), then `more` as objects 4, 5, …"""
    objects = (
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] " + page_extra + b" >>",
        *more,
    )
    parts, offsets, size = [header + b"\n"], [], len(header) + 1
    for number, body in enumerate(objects, start=1):
        offsets.append(size)
        parts.append(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        size += len(parts[-1])
    parts.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    parts.extend(b"%010d 00000 n \n" % offset for offset in offsets)
    parts.append(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, size))
    return b"".join(parts)


MINIMAL_PDF = build_pdf()
JS_PDF = build_pdf(
    b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>", b"<< /S /JavaScript /JS (app.alert(1)) >>"
)
OPEN_ACTION_PDF = build_pdf(b"/OpenAction 4 0 R", b"<< /S /URI /URI (https://evil.example/) >>")
EMBEDDED_FILE_PDF = build_pdf(
    b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
    b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
    b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
)


def _zip(name: str = "payload.exe", data: bytes = b"MZ") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _zip_in_a_stream() -> bytes:
    """A PDF that is also a ZIP: the archive sits in a stream and its comment runs to the end of
    the file, so `unzip` opens it as well as a PDF reader does."""
    archive = _zip()
    content = build_pdf(b"", b"<< /Length %d >>\nstream\n" % len(archive) + archive + b"\nendstream")
    end = content.rfind(b"PK\x05\x06")
    comment = len(content) - (end + 22)
    return content[: end + 20] + comment.to_bytes(2, "little") + content[end + 22 :]


ZIP_POLYGLOT_PDF = _zip_in_a_stream()
