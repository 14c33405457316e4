"""The consuntivi journey in the browser: a company uploads a file with an error, sees the rows in
error on the progress page (polled by htmx), fixes the file, sees the preview (totals per worker),
confirms it and only then the consuntivo is sent; then enters another month through the form
(month first, then the rows with that month's limits, sent with the confirmation tick). Every page passes axe-core; the main pages are saved as screenshots."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from consuntivi.models import Consuntivo
from consuntivi.services import caricamento_process, consuntivo_send
from tests.consuntivi.factories import (
    APRILE,
    MassimaleFactory,
    RisorseRegionaliFactory,
    caricamento_in_coda,
    domanda_consuntivabile,
    righe,
)

pytestmark = pytest.mark.e2e


def _csv(tmp_path, domanda, ore: str, name: str):
    path = tmp_path / name
    lines = ["codice_fiscale;cognome;nome;ore;retribuzione_mensile"]
    for i, (cf, cognome, nome) in enumerate(
        domanda.lavoratori.order_by("pk").values_list("codice_fiscale", "cognome", "nome")
    ):
        lines.append(f"{cf};{cognome};{nome};{ore if i else '-5'};2000,00")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _spunta(page, etichetta: str) -> None:
    """Tick a checkbox as a user does, on its label (Bootstrap Italia draws the box on the label)."""
    page.locator("label", has_text=etichetta).click()
    expect(page.get_by_label(etichetta)).to_be_checked()


def test_company_uploads_fixes_and_sends_then_uses_the_form(page, login_as, axe_check, screenshot, tmp_path):
    domanda = domanda_consuntivabile(lavoratori=3)
    login_as(page, domanda.creata_da)

    page.goto(f"/domande/{domanda.pk}/consuntivi/")
    expect(page.get_by_role("heading", name="Consuntivi mensili")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Carica un file CSV o Excel").click()
    axe_check(page)
    page.get_by_label("Mese").select_option("2026-04")
    page.get_by_label("File CSV o Excel (.xlsx)").set_input_files(_csv(tmp_path, domanda, "16", "errato.csv"))
    page.get_by_role("button", name="Carica e verifica").click()
    expect(page.get_by_text("Le ore non possono essere negative.")).to_be_visible()
    axe_check(page)
    screenshot(page, "consuntivo-caricamento-errori")

    page.get_by_role("link", name="Carica un altro file").click()
    path = _csv(tmp_path, domanda, "16", "giusto.csv")
    path.write_text(path.read_text().replace(";-5;", ";16;"), encoding="utf-8")
    page.get_by_label("Mese").select_option("2026-04")
    page.get_by_label("File CSV o Excel (.xlsx)").set_input_files(path)
    page.get_by_role("button", name="Carica e verifica").click()
    # The preview: nothing is sent yet, and the page says a sent consuntivo is final.
    expect(page.get_by_text("File corretto: il consuntivo non è ancora inviato")).to_be_visible()
    expect(page.get_by_text("Un consuntivo inviato è definitivo")).to_be_visible()
    expect(page.locator("#anteprima-lavoratori")).to_have_text("3")
    expect(page.locator("#anteprima-ore")).to_have_text("48,0")  # 3 workers × 16
    for cf in domanda.lavoratori.values_list("codice_fiscale", flat=True):
        expect(page.get_by_role("cell", name=cf)).to_be_visible()
    assert not Consuntivo.objects.filter(domanda=domanda).exists()
    axe_check(page)
    screenshot(page, "consuntivo-caricamento-anteprima")
    # Without the tick the browser does not send (required) and neither does the server (client tests).
    page.get_by_role("button", name="Invia il consuntivo").click()
    assert not Consuntivo.objects.filter(domanda=domanda).exists()
    _spunta(page, "Confermo l'invio del consuntivo di aprile 2026: so che è definitivo")
    page.get_by_role("button", name="Invia il consuntivo").click()
    expect(page.get_by_role("heading", name="Consuntivo di aprile 2026")).to_be_visible()
    assert Consuntivo.objects.filter(domanda=domanda).count() == 1
    axe_check(page)
    screenshot(page, "consuntivo-dettaglio")

    page.goto(f"/domande/{domanda.pk}/consuntivi/nuovo/")
    expect(page.locator("[name=mese]")).to_have_count(1)  # one month control
    page.get_by_label("Mese del consuntivo").select_option("2026-03")
    page.get_by_role("button", name="Continua").click()
    expect(page.get_by_role("columnheader", name="Ore lavorabili nel mese")).to_be_visible()
    expect(page.locator("[name=mese]")).to_have_count(1)
    axe_check(page)
    page.locator("input[name='righe-0-ore']").fill("97")
    page.locator("input[name='righe-1-ore']").fill("10")
    _spunta(page, "Confermo l'invio del consuntivo di marzo 2026: so che è definitivo")
    page.get_by_role("button", name="Invia il consuntivo").click()
    expect(page.get_by_text("superano le ore lavorabili nel mese").first).to_be_visible()
    expect(page.locator("input[name='righe-0-ore']")).to_have_value("97")
    axe_check(page)
    screenshot(page, "consuntivo-modulo-errori")
    page.locator("input[name='righe-0-ore']").fill("96")
    page.get_by_role("button", name="Invia il consuntivo").click()
    expect(page.get_by_role("heading", name="Consuntivo di marzo 2026")).to_be_visible()


def test_progress_page_updates_itself_while_the_worker_checks_the_file(page, login_as, axe_check):
    domanda = domanda_consuntivabile(lavoratori=2)
    lines = [
        "codice_fiscale;ore",
        *(f"{cf};8" for cf in domanda.lavoratori.values_list("codice_fiscale", flat=True)),
    ]
    caricamento = caricamento_in_coda(domanda, lines)
    login_as(page, domanda.creata_da)
    page.goto(f"/domande/{domanda.pk}/consuntivi/caricamenti/{caricamento.pk}/")
    expect(page.get_by_text("In coda")).to_be_visible()
    axe_check(page)

    caricamento_process(caricamento_id=caricamento.pk)  # what the worker does meanwhile
    # no reload: the htmx poll replaces the progress block within a few seconds
    expect(page.get_by_text("File corretto: il consuntivo non è ancora inviato")).to_be_visible(timeout=5000)


def test_officer_dashboard_and_estimate(page, login_as, axe_check, screenshot, funzionario):
    MassimaleFactory(anno=2026, soglia_retribuzione=Decimal("2102.24"))
    RisorseRegionaliFactory(anno=2026, importo=Decimal("82506160.00"))
    domanda = domanda_consuntivabile(lavoratori=2, autorizzata=True)
    consuntivo = consuntivo_send(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=APRILE,
        righe=righe(domanda, ore="80", retribuzione="2000"),
    )
    login_as(page, funzionario)
    page.goto("/backoffice/consuntivi/cruscotto/")
    heading = "Stima del costo delle domande autorizzate e risorse regionali"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("cell", name="1.390,68")).to_have_count(2)  # 2 × 695,34
    axe_check(page)
    screenshot(page, "consuntivi-cruscotto")
    page.goto(f"/consuntivi/{consuntivo.pk}/")
    expect(page.get_by_role("cell", name="695,34")).to_have_count(2)
    axe_check(page)
