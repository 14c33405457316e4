"""The company-side journey of a domanda in the browser, as Mario Rossi (legale rappresentante of Alfa
Meccanica) and as Giuseppe Verdi (intermediary enabled for Alfa): choose the company, fill the steps
with a failed validation and its fix, submit with confirmation, see the protocol number, download the
receipt, rectify, and write to the Region once the domanda is under examination.

Every page of the journey passes axe-core (no serious or critical violations); the main pages are
saved as screenshots (test-artifacts/screenshots/; docs/screenshot-domanda.png is a copy of mario-05).
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from anagrafica.models import User
from claims.constants import StatoDomanda
from claims.models import Domanda
from claims.services.domande import domanda_transition
from tests.anagrafica.factories import make_codice_fiscale
from tests.claims.factories import MINIMAL_PDF

pytestmark = pytest.mark.e2e

PROTOCOLLO = re.compile(r"\d{4}/\d{7}")
PERSONE = {
    "mario": ("RSSMRA80A01L219M", "Mario Rossi"),
    "giuseppe": ("VRDGPP70C15D205L", "Giuseppe Verdi"),
}


@pytest.fixture
def demo():
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


def tick(page, label: str) -> None:
    """Bootstrap Italia draws radios and checkboxes in their label, which takes the click."""
    page.locator("label", has_text=label).click()
    expect(page.get_by_label(label)).to_be_checked()


def fill_worker(page, numero: int, *, cf: str, cognome: str, nome: str, ore: str) -> None:
    riga = page.get_by_role("group", name=f"Lavoratore {numero}", exact=True)
    riga.get_by_label("Codice fiscale").fill(cf)
    riga.get_by_label("Cognome", exact=True).fill(cognome)
    riga.get_by_label("Nome", exact=True).fill(nome)
    riga.get_by_label("Qualifica").select_option(label="Operaio")
    riga.get_by_label("Tipo di contratto").select_option(label="Tempo indeterminato")
    riga.get_by_label("Data di assunzione").fill("2019-04-01")
    riga.get_by_label("Ore settimanali da contratto").fill("40")
    riga.get_by_label("Ore richieste nel periodo").fill(ore)


@pytest.mark.parametrize("persona", ["mario", "giuseppe"])
def test_domanda_journey(page, login_as, axe_check, screenshot, demo, persona):
    codice_fiscale, nome = PERSONE[persona]
    login_as(page, User.objects.get(codice_fiscale=codice_fiscale))
    oggi = timezone.localdate()

    # Choose the company: the LR and the intermediary both see Alfa, and only the companies they act for.
    page.goto("/")
    expect(page.get_by_role("banner")).to_contain_text(nome)
    expect(page.get_by_role("link", name="Beta Servizi S.n.c.")).to_have_count(0)
    page.get_by_role("link", name="Alfa Meccanica S.r.l.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alfa Meccanica S.r.l.")
    expect(page.get_by_role("heading", name="Domande")).to_be_visible()
    axe_check(page)
    screenshot(page, f"{persona}-01-azienda")

    # Step 1: site, misura (the only one open today is preselected), period.
    page.get_by_role("link", name="Nuova domanda").click()
    expect(page).to_have_title(re.compile("Sede, misura e periodo"))
    tick(page, "Officina di Cuneo")
    page.get_by_label("Inizio del periodo").fill((oggi - dt.timedelta(days=13)).isoformat())
    page.get_by_label("Fine del periodo").fill(oggi.isoformat())
    axe_check(page)
    screenshot(page, f"{persona}-02-passo-1")
    page.get_by_role("button", name="Crea la bozza e continua").click()

    # Step 2: two workers, the second added in place (htmx) with too many hours.
    expect(page.get_by_role("alert").filter(has_text="Bozza salvata")).to_be_visible()
    expect(page).to_have_title(re.compile("Lavoratori"))
    fill_worker(page, 1, cf=make_codice_fiscale(70001), cognome="Ferrero", nome="Luca", ore="72")
    page.get_by_role("button", name="Aggiungi un lavoratore").click()
    seconda_riga = page.get_by_role("group", name="Lavoratore 2", exact=True)
    expect(seconda_riga.get_by_label("Codice fiscale")).to_be_focused()
    fill_worker(page, 2, cf=make_codice_fiscale(70002), cognome="Gallo", nome="Sara", ore="500")
    page.get_by_role("button", name="Salva e continua").click()

    summary = page.get_by_role("alert").filter(has_text="Il modulo contiene")
    expect(summary).to_contain_text("Il modulo contiene 1 errore")
    expect(summary).to_be_focused()
    ore = seconda_riga.get_by_label("Ore richieste nel periodo")
    expect(ore).to_have_attribute("aria-invalid", "true")
    expect(ore).to_have_value("500")
    expect(seconda_riga).to_contain_text(
        "Le ore richieste (500,0) superano le ore contrattuali del periodo (80,0"
    )
    expect(
        page.get_by_role("group", name="Lavoratore 1", exact=True).get_by_label("Cognome", exact=True)
    ).to_have_value("Ferrero")
    axe_check(page)
    screenshot(page, f"{persona}-03-passo-2-errore")
    summary.get_by_role("link").first.click()
    expect(ore).to_be_focused()
    ore.fill("64")
    page.get_by_role("button", name="Salva e continua").click()

    # Step 3: the union agreement.
    expect(page).to_have_title(re.compile("Accordo sindacale"))
    page.get_by_label("Numero di dipendenti dell'azienda").fill("12")  # above 5: the agreement is needed
    page.get_by_label("Accordo sindacale (PDF)").set_input_files(
        {"name": "accordo.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    page.get_by_label("Data dell'accordo sindacale").fill((oggi - dt.timedelta(days=15)).isoformat())
    axe_check(page)
    page.get_by_role("button", name="Salva e continua").click()

    # Step 4: the referente, pre-filled with the signed-in person.
    expect(page).to_have_title(re.compile("Referente"))
    expect(page.get_by_label("Nome e cognome del referente")).to_have_value(nome)
    page.get_by_label("Telefono del referente").fill("011 5551234")
    axe_check(page)
    page.get_by_role("button", name="Salva e continua").click()

    # Step 5: the declarations.
    expect(page).to_have_title(re.compile("Dichiarazioni"))
    tick(page, "non ha accesso a CIGO")
    tick(page, "dati sono veritieri")
    axe_check(page)
    page.get_by_role("button", name="Salva e continua").click()

    # Step 6: the summary with totals; submitting needs the explicit confirmation.
    expect(page).to_have_title(re.compile("Riepilogo"))
    expect(page.get_by_role("table")).to_contain_text("Ore totali")
    expect(page.get_by_role("table")).to_contain_text("136,0")
    expect(page.get_by_role("main")).to_contain_text("2 settimane")
    axe_check(page)
    screenshot(page, f"{persona}-04-riepilogo")
    page.get_by_role("button", name="Presenta la domanda").click()
    expect(page.get_by_label("Confermo la presentazione della domanda")).to_have_accessible_description(
        re.compile("Per presentare spunta la conferma.")
    )
    tick(page, "Confermo la presentazione della domanda")
    page.get_by_role("button", name="Presenta la domanda").click()

    # Status page: PRESENTATA, the protocol number, the receipt.
    expect(page.get_by_role("main")).to_contain_text("PRESENTATA")
    numero = page.locator(".aminder-protocollo")
    expect(numero).to_have_text(PROTOCOLLO)
    segnatura = numero.inner_text()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Domanda protocollo {segnatura}")
    expect(page.get_by_role("table").last).to_contain_text("PRESENTATA")  # the history
    axe_check(page)
    screenshot(page, f"{persona}-05-domanda")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica la ricevuta (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"ricevuta-{segnatura.replace('/', '-')}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Prospetto dei dati trasmessi (PDF)").click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")

    # Rettifica: pre-filled, with the warning about consuntivi; it makes a new domanda and protocol.
    page.get_by_role("link", name="Rettifica la domanda").click()
    expect(page.locator("#avviso-consuntivi")).to_contain_text("non vengono riportati")
    expect(page.get_by_label("E-mail del referente")).not_to_be_empty()
    prima_riga = page.get_by_role("group", name="Lavoratore 1", exact=True)
    expect(prima_riga.get_by_label("Cognome", exact=True)).to_have_value("Ferrero")
    prima_riga.get_by_label("Ore richieste nel periodo").fill("40")
    axe_check(page)
    screenshot(page, f"{persona}-06-rettifica")
    tick(page, "Confermo la presentazione della rettifica")
    page.get_by_role("button", name="Presenta la rettifica").click()

    expect(page.get_by_role("main")).to_contain_text(f"Rettifica della domanda protocollo {segnatura}")
    nuovo_numero = page.locator(".aminder-protocollo")
    expect(nuovo_numero).to_have_text(PROTOCOLLO)
    assert nuovo_numero.inner_text() != segnatura
    axe_check(page)

    # Later the Region examines it: no more rettifica, a request of modifica/annullamento instead.
    nuova = Domanda.objects.get(registrazione__numero=int(nuovo_numero.inner_text().split("/")[1]))
    domanda_transition(
        actor=User.objects.get(username="funzionario"), domanda=nuova, to=StatoDomanda.IN_ISTRUTTORIA
    )
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("IN ISTRUTTORIA")
    expect(page.get_by_role("link", name="Rettifica la domanda")).to_have_count(0)
    page.get_by_role("link", name="Richiesta di modifica o annullamento").click()
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_role("alert").filter(has_text="Il modulo contiene")).to_be_focused()
    tick(page, "Richiesta di annullamento")
    page.get_by_label("Motivo e dettagli della richiesta").fill("L'attività è ripresa prima del previsto.")
    axe_check(page)
    page.get_by_role("button", name="Invia la richiesta").click()
    expect(page.get_by_role("main")).to_contain_text("L'attività è ripresa prima del previsto.")
    expect(page.get_by_role("main")).to_contain_text("In attesa di risposta")
    axe_check(page)
    screenshot(page, f"{persona}-07-richiesta")

    # The list of "Le mie domande" with the states.
    page.get_by_role("navigation", name="Navigazione principale").get_by_role("link", name="Domande").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le mie domande")
    expect(page.get_by_role("table")).to_contain_text("RETTIFICATA")
    expect(page.get_by_role("table")).to_contain_text("IN ISTRUTTORIA")
    page.get_by_label("Stato").select_option(label="RETTIFICATA")
    page.get_by_role("button", name="Filtra").click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(1)
    axe_check(page)
    screenshot(page, f"{persona}-08-domande")
