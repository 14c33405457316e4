import pytest
from playwright.sync_api import expect

from tests.anagrafica.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_accessibility_statement_is_accessible_and_styled(page, axe_check, screenshot):
    response = page.goto("/accessibilita/")

    assert response is not None and response.ok
    expect(page).to_have_title("Dichiarazione di accessibilità – Aminder")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dichiarazione di accessibilità")
    # Bootstrap Italia's stylesheet and fonts are served by the app itself.
    font_family = page.locator("body").evaluate("el => getComputedStyle(el).fontFamily")
    assert "Titillium Web" in font_family
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px \"Titillium Web\"')")
    axe_check(page)
    screenshot(page, "accessibilita")


def test_skip_link_is_the_first_stop_and_leads_to_main_content(page):
    page.goto("/accessibilita/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Vai al contenuto principale")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_page_has_landmarks_and_region_name(page):
    page.goto("/accessibilita/")

    expect(page.get_by_role("banner")).to_contain_text("Regione Piemonte")
    expect(page.get_by_role("banner")).to_contain_text("Aminder – Cassa integrazione in deroga")
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_contain_text("Dichiarazione di accessibilità")
    expect(page.get_by_role("navigation", name="Percorso di navigazione")).to_contain_text(
        "Dichiarazione di accessibilità"
    )


def test_signed_in_user_sees_their_name_in_the_header(page, login_as, axe_check, screenshot):
    login_as(page, UserFactory(first_name="Mario", last_name="Rossi"))

    page.goto("/accessibilita/")

    expect(page.get_by_role("banner")).to_contain_text("Mario Rossi")
    axe_check(page)
    screenshot(page, "accessibilita-utente-autenticato")


def test_menu_opens_on_a_phone_with_bootstrap_italia_script(page, login_as, axe_check, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    login_as(page, UserFactory(first_name="Giuseppe", last_name="Verdi"))
    page.goto("/accessibilita/")
    menu_link = page.get_by_role("link", name="Le mie aziende")
    expect(menu_link).to_be_hidden()

    page.get_by_role("button", name="Mostra o nascondi il menu").click()

    expect(menu_link).to_be_visible()
    axe_check(page)
    screenshot(page, "menu-mobile")
    page.get_by_role("button", name="Nascondi il menu", exact=True).click()
    expect(menu_link).to_be_hidden()
