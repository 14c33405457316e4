"""Receipts: rendered by real WeasyPrint, read back with pypdf, stored, e-mailed once."""

import dataclasses
import datetime as dt
import hashlib
import io
import json
import subprocess
import threading
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import segno
from django.core import mail
from django.db import connection
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from claims.services.prospetto import prospetto_render
from consuntivi.models import Consuntivo, RigaConsuntivo
from protocollo import pdf as receipts
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from protocollo.services import ricevuta_create, ricevuta_send, url_verifica
from tests.claims.factories import domanda_con_lavoratori, misura_dell_anno

ROMA = ZoneInfo("Europe/Rome")
REGISTRATA_IL = dt.datetime(2026, 3, 12, 14, 5, 33, tzinfo=ROMA)


def registra(documento, *, numero=42, tipo="DOMANDA", codice="K7Q4M2XP9TLC"):
    """A registration as the protocol worker writes it, linked to its document."""
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=2026,
        numero=numero,
        registrata_il=REGISTRATA_IL,
        tipo_documento=tipo,
        oggetto=f"{tipo.capitalize()} – {documento}",
        impronta=hashlib.sha256(f"dati {numero}".encode()).hexdigest(),
        codice_verifica=codice,
    )
    documento.registrazione = registrazione
    documento.save(update_fields=["registrazione"])
    return registrazione


def domanda_presentata(lavoratori=2, **kwargs):
    kwargs.setdefault("misura", misura_dell_anno(2026))
    return domanda_con_lavoratori(
        lavoratori=lavoratori,
        lavoratore={"ore_richieste": Decimal("36.5")},
        data_inizio=dt.date(2026, 3, 2),
        data_fine=dt.date(2026, 3, 27),
        sede__azienda__ragione_sociale="Officine Subalpine S.r.l.",
        **kwargs,
    )


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def contenuto(ricevuta: Ricevuta) -> bytes:
    with ricevuta.pdf.open("rb") as file:
        return file.read()


@pytest.fixture
def registrazione(db):
    return registra(domanda_presentata())


# --- content --------------------------------------------------------------------------------------


def test_ricevuta_shows_protocol_company_period_and_verification_code(registrazione):
    domanda = registrazione.domanda

    pdf = contenuto(ricevuta_create(registrazione=registrazione))

    text = pdf_text(pdf)
    assert "2026/0000042" in text
    assert "Officine Subalpine S.r.l." in text
    assert domanda.azienda.codice_fiscale in text
    assert "dal 02/03/2026 al 27/03/2026" in text
    assert "12/03/2026" in text and "14:05:33" in text
    assert "Regione Piemonte" in text
    assert domanda.misura.nome in text
    assert "Paola Neri" in text
    assert registrazione.impronta in text.replace("\n", "")
    assert domanda.accordo_sha256 in text.replace("\n", "")
    assert "K7Q4M2XP9TLC" in text
    assert "73,0" in text  # 2 workers × 36.5 hours, Italian decimal comma


def test_ricevuta_is_one_a4_page_even_with_200_workers(db):
    registrazione = registra(domanda_presentata(lavoratori=200))

    pdf = contenuto(ricevuta_create(registrazione=registrazione))

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert "200" in pdf_text(pdf)
    assert "7.300,0" in pdf_text(pdf)


def test_ricevuta_is_stored_privately_with_its_sha256(registrazione, settings):
    ricevuta = ricevuta_create(registrazione=registrazione)

    pdf = contenuto(ricevuta)
    assert pdf.startswith(b"%PDF-")
    assert ricevuta.sha256 == hashlib.sha256(pdf).hexdigest()
    assert ricevuta.pdf.name.endswith("ricevuta-2026-0000042.pdf")
    assert ricevuta.pdf.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))


def test_ricevuta_qr_code_points_to_the_public_verification_page(registrazione, settings, client):
    settings.AMINDER_PUBLIC_URL = "https://aminder.example.it"

    url = url_verifica(registrazione)

    assert url == "https://aminder.example.it/verifica/?protocollo=2026/0000042&codice=K7Q4M2XP9TLC"
    pdf = contenuto(ricevuta_create(registrazione=registrazione))
    atteso = [[bool(m) for m in riga] for riga in segno.make(url, error="m").matrix_iter(border=0)]
    assert qr_printed(pdf, len(atteso)) == atteso  # what a phone reads off the printed page
    response = client.get(url.removeprefix("https://aminder.example.it"))
    assert "Ricevuta autentica" in response.content.decode()


def test_ricevuta_qr_code_follows_long_values_and_scans_at_100_dpi():
    """The code is drawn where the layout put its square: values that wrap over many lines push it
    down, and it still reads back, also from a coarse 100 dpi rendering."""
    contesto = receipts.contesto_di_prova(7)
    ragione_sociale = "Consorzio Artigiano " + "Subalpino delle Officine Meccaniche " * 6 + "S.c.a r.l."
    documento = contesto["documento"]
    contesto["documento"] = dataclasses.replace(
        documento,
        righe=[("Ragione sociale", ragione_sociale), *documento.righe[1:]],
        nota="Nota di prova che va a capo. " * 12,
    )
    corta = receipts.render_ricevuta(receipts.contesto_di_prova(7))

    pdf = receipts.render_ricevuta(contesto)

    atteso = [
        [bool(m) for m in riga]
        for riga in segno.make(contesto["url_verifica"], error="m").matrix_iter(border=0)
    ]
    assert qr_printed(pdf, len(atteso), dpi=100) == atteso
    assert qr_top(pdf) > qr_top(corta)  # pushed down by the wrapped name
    assert pdf_pages(pdf) == 1
    testo = " ".join(pdf_text(pdf).split())
    assert ragione_sociale.strip() in testo
    assert "Nota di prova che va a capo. " * 11 in testo


def test_ricevuta_qr_code_is_drawn_on_the_second_page_when_the_values_push_it_there():
    contesto = receipts.contesto_di_prova(8)
    allegati = [{"nome": f"Documento integrativo n. {n}", "sha256": f"{n:02d}" * 32} for n in range(40)]
    contesto["documento"] = dataclasses.replace(contesto["documento"], allegati=allegati)

    pdf = receipts.render_ricevuta(contesto)

    assert pdf_pages(pdf) == 2
    atteso = [
        [bool(m) for m in riga]
        for riga in segno.make(contesto["url_verifica"], error="m").matrix_iter(border=0)
    ]
    assert qr_printed(pdf, len(atteso), numero_pagina=2) == atteso
    assert "Documento integrativo n. 39" in pdf_text(pdf)


def qr_top(pdf: bytes) -> int:
    raster = subprocess.run(
        ["pdftoppm", "-r", "100", "-gray", "-singlefile", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    return Image.open(io.BytesIO(raster)).convert("L").point(lambda v: 255 if v == 0 else 0).getbbox()[1]


def qr_printed(pdf: bytes, moduli: int, dpi: int = 300, numero_pagina: int = 1) -> list[list[bool]]:
    """The QR code as printed, `moduli` modules a side: the page rasterised by poppler, the code found
    as the only pure black of the page (text is #111 or lighter), each module read at its centre."""
    raster = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(numero_pagina), "-gray", "-singlefile", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    pagina = Image.open(io.BytesIO(raster)).convert("L")
    sinistra, alto, destra, basso = pagina.point(lambda v: 255 if v == 0 else 0).getbbox()
    passo_x, passo_y = (destra - sinistra) / moduli, (basso - alto) / moduli
    return [
        [
            pagina.getpixel((int(sinistra + (x + 0.5) * passo_x), int(alto + (y + 0.5) * passo_y))) < 128
            for x in range(moduli)
        ]
        for y in range(moduli)
    ]


def test_ricevuta_is_pdf_a_with_the_project_fonts_embedded(registrazione):
    reader = PdfReader(io.BytesIO(contenuto(ricevuta_create(registrazione=registrazione))))

    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="U"' in metadata
    assert "/OutputIntents" in reader.trailer["/Root"]  # the sRGB profile PDF/A asks for
    fonts = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        fonts.add(str(font["/BaseFont"]).split("+", 1)[1])
        assert "/FontFile2" in font["/DescendantFonts"][0].get_object()["/FontDescriptor"]  # embedded
    assert fonts <= {"Aminder-Sans", "Aminder-Sans-Bold", "Aminder-Mono"}


def test_ricevuta_of_consuntivo_shows_month_workers_and_hours_of_the_month(db):
    domanda = domanda_presentata(lavoratori=3)
    registra(domanda, numero=41)
    consuntivo = Consuntivo.objects.create(
        domanda=domanda, mese=dt.date(2026, 3, 1), inviato_il=timezone.now(), inviato_da=domanda.creata_da
    )
    for lavoratore, ore in zip(domanda.lavoratori.all(), ["10.0", "12.5", "0"], strict=True):
        RigaConsuntivo.objects.create(consuntivo=consuntivo, lavoratore=lavoratore, ore=Decimal(ore))
    registrazione = registra(consuntivo, numero=43, tipo="CONSUNTIVO", codice="C0NSUNT1V0")

    ricevuta = ricevuta_create(registrazione=registrazione)
    ricevuta_send(ricevuta=ricevuta)

    text = pdf_text(contenuto(ricevuta))
    assert "2026/0000043" in text
    assert "marzo 2026" in text
    assert "domanda 2026/0000041" in text
    assert "22,5" in text
    assert "Lavoratori nel mese 2" in text
    assert mail.outbox[0].to == [domanda.referente_email]


# --- idempotency and e-mail ------------------------------------------------------------------------


def test_ricevuta_create_twice_keeps_one_ricevuta(registrazione):
    prima = ricevuta_create(registrazione=registrazione)
    seconda = ricevuta_create(registrazione=registrazione)

    assert prima.pk == seconda.pk
    assert seconda.sha256 == prima.sha256
    assert Ricevuta.objects.filter(registrazione=registrazione).count() == 1


def test_ricevuta_send_mails_the_pdf_to_the_referente(registrazione):
    ricevuta = ricevuta_create(registrazione=registrazione)

    ricevuta_send(ricevuta=ricevuta)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["paola.neri@example.it"]
    assert "2026/0000042" in email.subject
    assert "Ricevuta di presentazione" in email.subject
    assert "2026/0000042" in email.body and "K7Q4M2XP9TLC" in email.body
    assert "/verifica/?protocollo=2026/0000042&codice=K7Q4M2XP9TLC" in email.body
    [(nome, allegato, tipo)] = email.attachments
    assert (nome, tipo) == ("ricevuta-2026-0000042.pdf", "application/pdf")
    assert hashlib.sha256(allegato).hexdigest() == ricevuta.sha256
    ricevuta.refresh_from_db()
    assert ricevuta.inviata_il is not None


def test_ricevuta_send_twice_sends_one_email(registrazione):
    ricevuta = ricevuta_create(registrazione=registrazione)

    ricevuta_send(ricevuta=ricevuta)
    ricevuta_send(ricevuta=ricevuta_create(registrazione=registrazione))

    assert len(mail.outbox) == 1


def test_ricevuta_send_refuses_a_pdf_that_no_longer_matches_its_sha256(registrazione):
    ricevuta = ricevuta_create(registrazione=registrazione)
    with open(ricevuta.pdf.path, "ab") as file:
        file.write(b"% altered\n")

    with pytest.raises(Exception, match="non corrisponde all'impronta"):
        ricevuta_send(ricevuta=ricevuta)

    assert mail.outbox == []
    ricevuta.refresh_from_db()
    assert ricevuta.inviata_il is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("broker_irraggiungibile")
def test_ricevuta_create_concurrent_calls_make_one_ricevuta():
    registrazione = registra(domanda_presentata())
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(ricevuta_create(registrazione=registrazione).pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(results) == 2 and len(set(results)) == 1
    assert Ricevuta.objects.filter(registrazione=registrazione).count() == 1


# --- prospetto ------------------------------------------------------------------------------------


def test_prospetto_lists_every_worker_over_several_pages(db):
    domanda = domanda_presentata(lavoratori=200)
    registra(domanda)

    pdf = prospetto_render(domanda=domanda)

    text = pdf_text(pdf)
    assert pdf_pages(pdf) > 1
    for lavoratore in domanda.lavoratori.all():
        assert lavoratore.codice_fiscale in text
    assert "Prospetto dei dati trasmessi" in text
    assert "2026/0000042" in text
    assert "7.300,0" in text
    assert domanda.accordo_sha256 in text.replace("\n", "")
    assert "veritieri" in text  # the declaration, with its answer
    assert f"Pagina {pdf_pages(pdf)} di {pdf_pages(pdf)}" in text


def test_prospetto_embeds_the_transmitted_data_as_json(db):
    domanda = domanda_presentata(lavoratori=3)

    reader = PdfReader(io.BytesIO(prospetto_render(domanda=domanda)))

    [allegato] = reader.attachments["dati-trasmessi.json"]
    assert json.loads(allegato) == domanda.dati_presentati


# --- what the PDF may fetch ----------------------------------------------------------------------


def test_pdf_fetches_nothing_outside_the_fonts_folder(tmp_path):
    immagine = tmp_path / "segreto.png"
    immagine.write_bytes(_png())
    html = (
        '<style>@import url("file:///etc/hostname");</style>'
        '<p>prova</p><img src="file:///etc/passwd">'
        f'<img src="{immagine.as_uri()}">'
        '<img src="http://127.0.0.1:9/traccia.png">'
        '<img src="../pdf.py">'
        f'<svg width="10" height="10"><image href="{immagine.as_uri()}" width="10" height="10"/></svg>'
    )
    fetcher = receipts.LocalOnlyFetcher()

    pdf = receipts.html_to_pdf(html, fetcher=fetcher)

    assert "file:///etc/passwd" in fetcher.refused
    assert "file:///etc/hostname" in fetcher.refused
    assert immagine.as_uri() in fetcher.refused
    assert "http://127.0.0.1:9/traccia.png" in fetcher.refused
    assert any(url.endswith("/protocollo/pdf.py") for url in fetcher.refused)
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0
    assert "root:" not in pdf_text(pdf)


def test_pdf_serves_the_shipped_fonts_and_data_uris():
    fetcher = receipts.LocalOnlyFetcher()
    html = f'<p>prova</p><img src="data:image/png;base64,{_png_base64()}">'

    pdf = receipts.html_to_pdf(html, fetcher=fetcher)

    assert fetcher.refused == []
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1


def _png() -> bytes:
    import base64

    return base64.b64decode(_png_base64())


def _png_base64() -> str:
    # 1×1 opaque black pixel
    return "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
