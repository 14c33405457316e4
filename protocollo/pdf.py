"""PDF rendering of receipts, data sheets and the daily register with WeasyPrint.

Pure rendering: these functions take plain context dicts and return PDF bytes; reading the database,
storing and mailing are in `protocollo.services`.

Why it is built this way:
- The fonts are shipped in `protocollo/fonts/` (Titillium Web, OFL; DejaVu Sans Mono for hashes) and
  embedded in every PDF, so a receipt looks the same on every machine.
- The HTML only ever reaches the fonts folder and `data:` URIs: `LocalOnlyFetcher`
  refuses `file://` elsewhere, `http(s)://` and every other scheme, so a value that slipped into a
  template can neither read server files nor make the worker call the network.
- PDF/A-3u (archival, text extractable) as WeasyPrint's `pdf_variant`; A-3 also allows the
  data sheets carry the transmitted data as an embedded JSON file.
"""

import json
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import pydyf
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, path2url

# WeasyPrint logs each rendering step at INFO: in a worker that renders all day it is only noise.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONTS_DIR = (Path(__file__).resolve().parent / "fonts").resolve()
FONTS_URL = path2url(str(FONTS_DIR) + "/")
PDF_VARIANT = "pdf/a-3u"
ROMA = ZoneInfo("Europe/Rome")


class ResourceRefused(ValueError):
    """The PDF asked for something outside the fonts folder or a data: URI."""


class LocalOnlyFetcher(URLFetcher):
    """Serve only the shipped fonts and `data:` URIs; refuse everything else (and remember it).

    A refusal is not fatal: WeasyPrint logs it and leaves the resource out, as a browser would.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols={"data", "file"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            if path.parent == FONTS_DIR and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
        self.refused.append(url)  # WeasyPrint logs the refusal with the URL
        raise ResourceRefused(f"Risorsa non consentita nel PDF: {url}")


QR_ANCORA = "qr"  # the id of the QR code's square in ricevuta.html
QR_BORDO = 2  # quiet zone in modules, inside the square
PUNTI_PER_PX = 0.75  # 72 PDF points, 96 CSS pixels per inch
MODULI_SCURI = re.compile(rb"\x01+")


def disegna_qr(testo: str) -> Callable[[Document, pydyf.PDF], None]:
    """A WeasyPrint finisher that draws the QR code of `testo` (error correction M) on the square
    with id "qr", on whichever page the layout put it: one black rectangle per run of dark modules
    of a row, all in one filled path, so the edges stay sharp at any resolution.

    Drawn into the page rather than given to WeasyPrint as an image: an SVG data URI was fetched,
    parsed and drawn path point by point (7 ms of a 75 ms receipt), and a PNG of one pixel per module
    is smoothed by poppler until the page no longer scans at 100–120 dpi (BENCHMARKS.md, «Receipts:
    where the time goes»)."""
    codice = segno.make(testo, error="m")

    def finisher(document: Document, pdf_file: pydyf.PDF) -> None:
        numero, pagina = next((n, p) for n, p in enumerate(document.pages) if QR_ANCORA in p.anchors)
        x, y, destra, _ = (v * PUNTI_PER_PX for v in pagina.anchors[QR_ANCORA])
        modulo = (destra - x) / codice.symbol_size(border=QR_BORDO)[0]
        x, y = x + QR_BORDO * modulo, y + QR_BORDO * modulo
        pagina_pdf = pdf_file.objects[pdf_file.pages["Kids"][3 * numero]]  # Kids: n 0 R, n 0 R, …
        stream = pdf_file.objects[int(pagina_pdf["Contents"].split()[0])]
        # WeasyPrint's drawing leaves the page in points from the top-left corner, y downwards.
        stream.push_state()
        stream.set_color_rgb(0, 0, 0)
        for riga, moduli in enumerate(codice.matrix):
            for run in MODULI_SCURI.finditer(moduli):
                stream.rectangle(x + run.start() * modulo, y + riga * modulo, len(run[0]) * modulo, modulo)
        stream.fill()
        stream.pop_state()

    return finisher


_per_thread = threading.local()


def _stylesheet() -> tuple[CSS, FontConfiguration]:
    """The print stylesheet with its fonts loaded, made once per thread: parsing it and loading the
    fonts is a tenth of a receipt's time. Per thread, because WeasyPrint's objects are not meant to
    be shared between threads (a Celery prefork worker has one thread per process)."""
    cached = getattr(_per_thread, "stylesheet", None)
    if cached is None or settings.DEBUG:  # DEBUG: pick up edits of print.css at once
        font_config = FontConfiguration()
        css = CSS(
            string=render_to_string("protocollo/pdf/print.css"),
            base_url=FONTS_URL,
            url_fetcher=LocalOnlyFetcher(),
            font_config=font_config,
        )
        cached = _per_thread.stylesheet = (css, font_config)
    return cached


def contesto_di_prova(numero: int = 0) -> dict[str, Any]:
    """A receipt's context with made-up data, the rows a domanda's receipt prints
    (claims/protocollo.py): the warm-up and the benchmarks render it. `numero` gives each one its own
    protocol number, code and QR code, as real receipts have."""
    from protocollo.registry import ContenutoRicevuta

    adesso = timezone.now()
    segnatura = f"2026/{numero:07d}"
    codice = f"K7Q4M{numero:07d}"[-12:]
    return {
        "segnatura": segnatura,
        "registrata_il": adesso,
        "tipo_documento": "Domanda",
        "documento": ContenutoRicevuta(
            titolo="Domanda di Cassa Integrazione Guadagni in Deroga",
            presentato_il=adesso,
            righe=[
                ("Ragione sociale", f"Officine Meccaniche Subalpine {numero} S.r.l."),
                ("Codice fiscale", "01234567890"),
                ("Unità produttiva", "Stabilimento – Via Po 10, 10124 Torino"),
                ("Misura", "CIGD 2026 – Regione Piemonte"),
                ("Periodo", "dal 02/03/2026 al 03/04/2026"),
                ("Lavoratori", 200),
                ("Ore richieste in totale", "8.000,0"),
                ("Referente", "Paola Neri – paola.neri@example.it – 011 5550000"),
                ("Presentata da", "Mario Rossi, codice fiscale RSSMRA70A01L219X, legale rappresentante"),
            ],
            allegati=[{"nome": "Accordo sindacale (PDF)", "sha256": "ab" * 32}],
            nota="Il prospetto completo dei dati trasmessi è scaricabile dall'area riservata.",
        ),
        "impronta": "cd" * 32,
        "codice_verifica": codice,
        "url_verifica": f"https://example.invalid/verifica/?protocollo={segnatura}&codice={codice}",
        "url_verifica_pagina": "https://example.invalid/verifica/",
    }


def warm_up() -> float:
    """Render one receipt of made-up data, so that fonts, stylesheet, the template, the QR code and
    WeasyPrint's own caches are loaded before the first real one: called when a worker process starts
    (protocollo.apps), it makes the first receipt of a process as fast as the others. Returns the
    seconds it took."""
    inizio = time.perf_counter()
    render_ricevuta(contesto_di_prova())
    return time.perf_counter() - inizio


def html_to_pdf(
    html: str,
    *,
    fetcher: LocalOnlyFetcher | None = None,
    attachments: list[Attachment] | None = None,
    finisher: Callable[[Document, pydyf.PDF], None] | None = None,
) -> bytes:
    """Render an HTML string with the print stylesheet, the shipped fonts and the local-only fetcher."""
    stylesheet, font_config = _stylesheet()
    document = HTML(string=html, base_url=FONTS_URL, url_fetcher=fetcher or LocalOnlyFetcher())
    pdf = document.write_pdf(
        stylesheets=[stylesheet],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        attachments=attachments or [],
        finisher=finisher,
    )
    if pdf is None:  # write_pdf without a target returns bytes; never None here
        raise RuntimeError("WeasyPrint non ha prodotto il PDF")
    return pdf


def render(template_name: str, context: dict[str, Any], **kwargs: Any) -> bytes:
    """Render a PDF template in Italian, with dates and times in Europe/Rome."""
    with translation.override("it"), timezone.override(ROMA):
        html = render_to_string(template_name, {"regione": settings.AMINDER_REGIONE, **context})
    return html_to_pdf(html, **kwargs)


def render_ricevuta(context: dict[str, Any]) -> bytes:
    """The one-page "ricevuta di presentazione" (templates/protocollo/pdf/ricevuta.html)."""
    return render("protocollo/pdf/ricevuta.html", context, finisher=disegna_qr(context["url_verifica"]))


def render_with_data(template_name: str, context: dict[str, Any], dati: Any) -> bytes:
    """A data sheet such as the "prospetto dei dati trasmessi", with the transmitted data embedded as
    JSON (PDF/A-3 associated file), so that the fingerprint can be recomputed from the PDF alone."""
    allegato = Attachment(
        string=json.dumps(dati, ensure_ascii=False, indent=2, sort_keys=True),
        name="dati-trasmessi.json",
        description="Dati trasmessi (JSON)",
        relationship="Data",
        url_fetcher=LocalOnlyFetcher(),
    )
    return render(template_name, context, attachments=[allegato])


def render_registro(context: dict[str, Any]) -> bytes:
    """The "registro giornaliero di protocollo" (templates/protocollo/pdf/registro.html)."""
    return render("protocollo/pdf/registro.html", context)
