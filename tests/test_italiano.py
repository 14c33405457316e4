"""Italian and consistency on the company's side (issue 18), read as a user reads it: every date in
the project's two styles ("2 novembre 2026" or 02/11/2026) on the pages and in the PDFs read back,
the measure's public name and never its code name, no doubled punctuation in any message, alone or
composed into another sentence."""

import datetime as dt
import html
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags
from pypdf import PdfReader

from consuntivi.models import Consuntivo
from consuntivi.services import caricamento_create, consuntivo_send
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.claims.factories import misura_dell_anno
from tests.consuntivi.factories import APRILE, MAGGIO, MARZO, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db

MESI = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
]
MESE_MAIUSCOLO = re.compile(r"\b(" + "|".join(m.capitalize() for m in MESI) + r")\b")
# Any date in figures (1 or 2 digits, a separator, …) and any date in words with its year.
DATA_IN_CIFRE = re.compile(
    r"(?<![\d/.-])(\d{1,4}[/-]\d{1,2}[/-]\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4})(?![\d/.-])"  # not ATECO 25.62.00
)
DATA_IN_LETTERE = re.compile(r"\b\d{1,2}[°º]? ([A-Za-zà-ù]+) \d{4}\b")
CODICE_MISURA = "CIGD-CODICE-INTERNO-7"


def leggi_pagina(response) -> str:
    assert response.status_code == 200, response
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(strip_tags(body))


def leggi_pdf(contenuto: bytes) -> str:
    assert contenuto.startswith(b"%PDF")
    return "\n".join(pagina.extract_text() for pagina in PdfReader(io.BytesIO(contenuto)).pages)


def date_fuori_stile(testo: str) -> list[str]:
    """Dates not written as the Region writes them: dd/mm/yyyy, or "2 novembre 2026"."""
    sbagliate = [
        m.group(0)
        for m in DATA_IN_CIFRE.finditer(testo)
        if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", m.group(0))
    ]
    sbagliate += [m.group(0) for m in DATA_IN_LETTERE.finditer(testo) if m.group(1) not in MESI]
    sbagliate += [m.group(0) for m in MESE_MAIUSCOLO.finditer(testo)]
    return sbagliate


@pytest.fixture
def mondo(client, time_machine):
    """A company's submitted domanda under a measure with a code name, registered with its receipt,
    two consuntivi sent and registered with theirs and an upload, all on 2 November (a day of one
    figure, that "j/m/Y" would print as 2/11/2026); the client signed in as the company."""
    time_machine.move_to(dt.datetime(2026, 11, 2, 9, 5, tzinfo=ZoneInfo("Europe/Rome")))
    misura = misura_dell_anno(2026, codice=CODICE_MISURA, nome="CIGD in deroga 2026")
    domanda = domanda_consuntivabile(misura=misura)
    if domanda.registrazione_id is None:
        ricevuta_create(registrazione=protocollo_register_documento(domanda))
    consuntivi = []
    for mese in (MARZO, APRILE):
        consuntivo = consuntivo_send(
            actor=domanda.creata_da, domanda=domanda, mese=mese, righe=righe(domanda)
        )
        ricevuta_create(registrazione=protocollo_register_documento(consuntivo))
        consuntivi.append(Consuntivo.objects.get(pk=consuntivo.pk))
    csv = "codice_fiscale;ore\n" + "\n".join(f"{r['codice_fiscale']};8" for r in righe(domanda))
    caricamento = caricamento_create(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=MAGGIO,
        file=SimpleUploadedFile("maggio.csv", csv.encode()),
    )
    domanda.caricamento = caricamento
    client.force_login(domanda.creata_da)
    domanda.refresh_from_db()
    return domanda, consuntivi


def pagine_e_pdf(client, domanda, consuntivi) -> dict[str, str]:
    """What the company reads: its pages (domande, the domanda, the consuntivi, the profile) and the
    PDFs it downloads (prospetto, receipts of the domanda and of a consuntivo), as text."""
    d = domanda.pk
    pagine = {
        "domande": reverse("claims:domanda_list"),
        "domanda": reverse("claims:domanda_detail", args=[d]),
        "domande dell'azienda": reverse("claims:azienda_domande", args=[domanda.azienda_id]),
        "azienda": reverse("anagrafica:azienda_detail", args=[domanda.azienda_id]),
        "profilo": reverse("anagrafica:profilo"),
        "consuntivi": reverse("consuntivi:lista", args=[d]),
        "nuovo consuntivo": reverse("consuntivi:nuovo", args=[d]) + "?mese=2026-05",
        "carica consuntivo": reverse("consuntivi:carica", args=[d]),
        "consuntivo": reverse("consuntivi:dettaglio", args=[consuntivi[0].pk]),
        "caricamento": reverse("consuntivi:caricamento", args=[d, domanda.caricamento.pk]),
    }
    testi = {nome: leggi_pagina(client.get(url)) for nome, url in pagine.items()}
    pdf = {
        "prospetto": reverse("claims:domanda_prospetto", args=[d]),
        "ricevuta della domanda": reverse("claims:domanda_ricevuta", args=[d]),
        "ricevuta del consuntivo": reverse("consuntivi:ricevuta", args=[consuntivi[0].pk]),
    }
    for nome, url in pdf.items():
        response = client.get(url)
        assert response.status_code == 200, nome
        testi[nome] = leggi_pdf(b"".join(response) if response.streaming else response.content)
    return testi


def test_every_date_on_the_company_pages_and_pdfs_is_in_the_regions_style(client, mondo):
    domanda, consuntivi = mondo
    testi = pagine_e_pdf(client, domanda, consuntivi)

    for nome, testo in testi.items():
        assert date_fuori_stile(testo) == [], nome
    # The styles are there to be checked: figures and words, with lower-case months.
    assert "aprile 2026" in testi["consuntivi"] and "marzo 2026" in testi["consuntivo"]
    assert re.search(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b", testi["consuntivi"]), "inviato il"
    assert "02/11/2026" in testi["consuntivo"] and "02/11/2026" in testi["caricamento"]
    assert "marzo 2026" in testi["ricevuta del consuntivo"]
    assert DATA_IN_LETTERE.search(testi["domanda"]) and DATA_IN_CIFRE.search(testi["prospetto"])


def test_the_measure_shows_by_its_public_name_never_its_code_name(client, mondo):
    domanda, consuntivi = mondo
    testi = pagine_e_pdf(client, domanda, consuntivi)

    for nome, testo in testi.items():
        assert CODICE_MISURA.lower() not in testo.lower(), nome
    assert "CIGD in deroga 2026" in testi["domanda"]
    assert "CIGD in deroga 2026" in testi["prospetto"]


def test_the_date_checker_finds_what_it_must(db):
    """The checker above is only worth its failures: a test that could not fail would prove nothing."""
    assert date_fuori_stile("inviato il 2/04/2026 alle 10:30") == ["2/04/2026"]
    assert date_fuori_stile("il 2026-04-02") == ["2026-04-02"]
    assert date_fuori_stile("Consuntivo di Aprile 2026") == ["Aprile"]
    assert date_fuori_stile("dal 2 Novembre 2026") == ["2 Novembre 2026", "Novembre"]
    assert date_fuori_stile("il 2.11.2026") == ["2.11.2026"]
    assert (
        date_fuori_stile("dal 02/11/2026 al 2 novembre 2026, ore 10:30:05, 1.234,5 ore, ATECO 25.62.00") == []
    )
