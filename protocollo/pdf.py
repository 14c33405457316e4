"""PDF rendering of receipts, data sheets and the daily register with WeasyPrint.

Pure rendering: these functions take plain context dicts and return PDF bytes; reading the database,
storing and mailing are in `protocollo.services`.

Why it is built this way:
- The fonts are shipped in `protocollo/fonts/` (Titillium Web, OFL; DejaVu Sans Mono for hashes) and
  embedded in every PDF, so a receipt looks the same on every machine.
- The HTML only ever reaches the fonts folder and `data:` URIs (the QR code): `LocalOnlyFetcher`
  refuses `file://` elsewhere, `http(s)://` and every other scheme, so a value that slipped into a
  template can neither read server files nor make the worker call the network.
- PDF/A-3u (archival, text extractable) as WeasyPrint's `pdf_variant`; A-3 also allows the
  data sheets carry the transmitted data as an embedded JSON file.
"""

import json
import logging
import mimetypes
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML, Attachment
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


def qr_data_uri(text: str) -> str:
    """A vector QR code (SVG data URI, error correction M) for an <img> in the templates.

    Vector on purpose: a PNG of one pixel per module drawn with `image-rendering: crisp-edges` saved
    3–5 ms of a 70 ms receipt, but poppler-based viewers smooth so small an image anyway, and the
    page rendered at 100–120 dpi no longer scanned (BENCHMARKS.md, «Receipts: where the time goes»)."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=2, dark="#000")


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
) -> bytes:
    """Render an HTML string with the print stylesheet, the shipped fonts and the local-only fetcher."""
    stylesheet, font_config = _stylesheet()
    document = HTML(string=html, base_url=FONTS_URL, url_fetcher=fetcher or LocalOnlyFetcher())
    pdf = document.write_pdf(
        stylesheets=[stylesheet],
        font_config=font_config,
        pdf_variant=PDF_VARIANT,
        attachments=attachments or [],
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
    return render("protocollo/pdf/ricevuta.html", {**context, "qr": qr_data_uri(context["url_verifica"])})


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
