"""Inspection of untrusted PDF files (the union agreements) before they are stored and served to
officers: a file is accepted only if pypdf parses it as a PDF and no object in it carries active
content.

Active content is what a reader runs or opens without the user asking: JavaScript (`/JS`,
`/JavaScript`), an action on opening or on an event (`/OpenAction`, `/AA`), launching a program or
opening another file (`/Launch`, `/GoToE`, `/SubmitForm`, `/ImportData`), XFA forms, embedded files
and file attachments (`/EmbeddedFile`, `/EmbeddedFiles`, `/FileAttachment`, `/RichMedia`). The check
looks at every object of the file, reached from the trailer or listed in the cross-reference table,
after pypdf has decoded it, so a name written with escapes (`/J#61vaScript`) or hidden in a
compressed object stream is found as well as a plain one.

A polyglot (a file that is a valid PDF and also something else: a ZIP, JAR or Office file, an HTML
page, an executable) is refused by its structure: the PDF header must open the file, nothing but
white space may follow the last `%%EOF`, and the file must not be readable as a ZIP archive.
"""

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Keys and names that make a reader act on its own (ISO 32000-1 §12.6 actions, §7.11 embedded
# files, §12.7.8 XFA, §13 multimedia).
ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/XFA",
        "/RichMedia",
    }
)
ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/GoToE",
        "/SubmitForm",
        "/ImportData",
        "/EmbeddedFile",
        "/FileAttachment",
        "/RichMedia",
    }
)
# After the last %%EOF some producers leave line ends, spaces or NUL padding; nothing else.
TRAILING_ALLOWED = b" \t\r\n\x00\x0c"
# A bound on the objects inspected (about 80 µs each here): a 900-page agreement has about 2,000,
# while 10 MB of empty objects would hold 180,000 and keep a web worker busy for 14 s.
MAX_OBJECTS = 20_000


class PdfNonValido(Exception):
    """The file is not a PDF pypdf can read, or is also another kind of file."""


class PdfAttivo(Exception):
    """The PDF carries active content; `trovato` names what was found (e.g. "/JavaScript")."""

    def __init__(self, trovato: str) -> None:
        super().__init__(trovato)
        self.trovato = trovato


def check_pdf_passivo(content: bytes) -> None:
    """Raise `PdfNonValido` or `PdfAttivo` unless `content` is a plain PDF with no active content."""
    if not content.startswith(b"%PDF-"):
        raise PdfNonValido("header")
    fine = content.rfind(b"%%EOF")
    if fine < 0 or content[fine + len(b"%%EOF") :].strip(TRAILING_ALLOWED):
        raise PdfNonValido("data after %%EOF")
    if _is_zip(content):
        raise PdfNonValido("zip")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            # Encrypted with a user password: its objects cannot be inspected.
            raise PdfNonValido("encrypted")
        if len(reader.pages) < 1:  # a document has a page tree with at least one page
            raise PdfNonValido("no pages")
        for obj in _objects(reader):
            _check_object(obj)
    except PdfAttivo:
        raise
    except (PyPdfError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise PdfNonValido(type(exc).__name__) from exc


def _is_zip(content: bytes) -> bool:
    """True if a ZIP reader (a JAR, an Office file) finds an archive with entries in the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archivio:
            return bool(archivio.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return False


def _objects(reader: PdfReader) -> Iterator[Any]:
    """Every object of the file once: the trailer, then all listed in the cross-reference table
    (including those inside object streams and those no page refers to)."""
    yield reader.trailer
    numeri: set[tuple[int, int]] = set()
    for generazione, voci in reader.xref.items():
        numeri.update((numero, generazione) for numero in voci)
    numeri.update((numero, 0) for numero in reader.xref_objStm)
    if len(numeri) > MAX_OBJECTS:
        raise PdfNonValido("too many objects")
    for numero, generazione in sorted(numeri):
        obj = reader.get_object(IndirectObject(numero, generazione, reader))
        if obj is not None:
            yield obj


def _check_object(obj: Any) -> None:
    """Look inside one object's direct values (indirect references are visited on their own)."""
    stack = [obj]
    while stack:
        valore = stack.pop()
        if isinstance(valore, IndirectObject):
            continue
        if isinstance(valore, DictionaryObject):
            for chiave, figlio in valore.items():
                if chiave in ACTIVE_KEYS:
                    raise PdfAttivo(str(chiave))
                stack.append(figlio)
        elif isinstance(valore, ArrayObject):
            stack.extend(valore)
        elif isinstance(valore, NameObject) and valore in ACTIVE_NAMES:
            raise PdfAttivo(str(valore))
