"""Phones, front-end weight and public pages (issue 18): what a company meets on a 320-390 px screen,
what each page downloads, and what a search engine reads about the public pages."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from anagrafica.models import User
from claims.constants import StatoDomanda
from claims.models import Domanda

from .conftest import NARROWEST, PHONE, SCREENSHOTS, assert_fits_width

pytestmark = pytest.mark.e2e

MARIO = "RSSMRA80A01L219M"
# What every page may download of JavaScript and CSS (uncompressed bytes), our own files included.
# The full Bootstrap Italia bundle was 1 MB of JavaScript and 605 KB of CSS; the built subset is
# about 45 KB and 340 KB (scripts/bootstrap-italia/).
SCRIPT_BUDGET = 110_000
STYLE_BUDGET = 360_000


@pytest.fixture
def demo():
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_sign_in_page_opens_at_the_top_on_a_phone(page, axe_check):
    page.set_viewport_size(PHONE)

    page.goto("/accesso/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(600)  # longer than Bootstrap Italia's smooth scroll would take

    assert page.evaluate("window.scrollY") == 0
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Imprese, consulenti e intermediari")).to_be_in_viewport()
    expect(page.get_by_label("Nome utente")).not_to_be_focused()
    axe_check(page)


def test_a_wide_table_scrolls_in_its_own_focusable_box_not_the_page(page, login_as, demo):
    login_as(page, User.objects.get(codice_fiscale=MARIO))
    page.set_viewport_size(NARROWEST)

    page.goto("/domande/")

    assert_fits_width(page)
    region = page.get_by_role("region", name="Domande (scorre in orizzontale)")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region.get_by_role("table")).to_contain_text("BOZZA")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function's predicate runs through eval, which the CSP refuses.
    for _ in range(50):
        if page.evaluate("document.querySelector('.table-responsive').scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("document.querySelector('.table-responsive').scrollLeft") > 0
    assert_fits_width(page)

    # On a wide screen the table fits: no box to scroll, no extra tab stop.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".table-responsive").first).not_to_have_attribute("tabindex", "0")
    expect(page.get_by_role("region", name="Domande (scorre in orizzontale)")).to_have_count(0)


def test_the_stepper_names_the_current_step_on_a_phone(page, login_as, demo):
    login_as(page, User.objects.get(codice_fiscale=MARIO))
    bozza = Domanda.objects.filter(
        stato=StatoDomanda.BOZZA, azienda__ragione_sociale="Alfa Meccanica S.r.l."
    ).first()
    page.set_viewport_size(PHONE)

    page.goto(f"/domande/{bozza.pk}/passo/2/")

    stepper = page.get_by_role("navigation", name="Passi della domanda")
    current = stepper.locator("[aria-current=step]")
    expect(current).to_be_visible()
    expect(current).to_match_aria_snapshot("- listitem: Passo 2. Lavoratori")
    gap = current.evaluate(
        """(li) => {
            const number = li.querySelector(".steppers-number").getBoundingClientRect();
            const text = [...li.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
            const range = document.createRange();
            const start = text.textContent.search(/\\S/);
            range.setStart(text, start);
            range.setEnd(text, start + 1);
            return range.getBoundingClientRect().left - number.right;
        }"""
    )
    assert gap >= 3  # seen apart: "2. Lavoratori", not "2.Lavoratori"
    expect(stepper.locator(".steppers-index")).to_have_text("2/6")
    expect(stepper.locator(".steppers-index")).to_be_visible()
    assert_fits_width(page)
    # What the phone shows first (docs/screenshot-telefono.png is a copy): the screen, not the whole page.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "telefono-passo-2.png"))


def test_the_menu_header_and_sign_out_fit_a_320_px_phone(page, login_as):
    login_as(page, User.objects.create(username="lungo", first_name="Maria Antonietta", last_name="Bianchi"))
    page.set_viewport_size(NARROWEST)

    page.goto("/accessibilita/")

    banner = page.get_by_role("banner")
    expect(banner).to_contain_text("Maria Antonietta Bianchi")
    sign_out = banner.get_by_role("button", name="Esci")
    expect(sign_out).to_be_visible()
    box = sign_out.bounding_box()
    assert box["x"] + box["width"] <= NARROWEST["width"]
    assert_fits_width(page)
    page.get_by_role("button", name="Mostra o nascondi il menu").click()
    expect(page.get_by_role("link", name="Profilo")).to_be_visible()


def test_pages_download_only_the_front_end_they_need(page, login_as):
    login_as(page, User.objects.create(username="peso", first_name="Anna", last_name="Neri"))

    page.goto("/accessibilita/")
    page.wait_for_load_state("load")

    resources = page.evaluate(
        """() => performance.getEntriesByType("resource").map(
            (r) => ({ name: r.name, type: r.initiatorType, bytes: r.decodedBodySize }))"""
    )
    scripts = [r for r in resources if r["type"] == "script"]
    styles = [r for r in resources if r["type"] == "link" and r["name"].endswith(".css")]
    assert {r["name"].rsplit("/", 1)[-1] for r in scripts} == {
        "bootstrap-italia.min.js",
        "htmx.min.js",
        "aminder.js",
        "scorrimento.js",
    }
    assert sum(r["bytes"] for r in scripts) < SCRIPT_BUDGET, scripts
    assert sum(r["bytes"] for r in styles) < STYLE_BUDGET, styles
    # Scripts never hold up the first paint: every one is deferred.
    assert page.evaluate("[...document.scripts].filter((s) => s.src && !s.defer).map((s) => s.src)") == []
    # The subset still styles the page as Bootstrap Italia does.
    expect(page.locator(".it-header-center-wrapper")).to_have_css("background-color", "rgb(0, 102, 204)")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/accesso/", "SPID, CIE o Carta Nazionale dei Servizi"),
        ("/accessibilita/", "Dichiarazione di accessibilità"),
        ("/verifica/", "ricevuta di Aminder sia autentica"),
        ("/autorizzate/", "domande di cassa integrazione in deroga autorizzate"),
    ],
)
def test_public_pages_carry_their_own_meta_description(page, path, words):
    page.goto(path)

    description = page.locator('meta[name="description"]')
    expect(description).to_have_count(1)
    content = description.get_attribute("content")
    assert words in content
    assert "Regione Piemonte" in content
    assert 50 <= len(content) <= 200  # what a search result shows
