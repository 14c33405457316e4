import pytest
from playwright.sync_api import expect

from tests.anagrafica.spid_idp import CieTestIdentityProvider, SpidTestIdentityProvider

pytestmark = pytest.mark.e2e


@pytest.fixture
def identity_providers(settings, tmp_path, live_server):
    settings.AMINDER_PUBLIC_URL = live_server.url
    settings.SAML_SP_ENTITY_ID = f"{live_server.url}/spid/metadata/"
    settings.SAML_CONFIG_DIR = tmp_path / "saml"
    return SpidTestIdentityProvider(settings.SAML_CONFIG_DIR), CieTestIdentityProvider(
        settings.SAML_CONFIG_DIR
    )


def test_sign_in_page_offers_spid_providers_cie_and_cns_accessibly(
    page, identity_providers, axe_check, screenshot
):
    spid, _cie = identity_providers
    page.goto("/accesso/")

    spid_button = page.get_by_role("button", name="Entra con SPID")
    expect(spid_button).to_have_attribute("aria-expanded", "false")
    spid_button.click()  # Bootstrap Italia's dropdown, no inline script

    expect(spid_button).to_have_attribute("aria-expanded", "true")
    provider = page.get_by_role("list", name="Gestori di identità SPID").get_by_role("link", name=spid.NAME)
    expect(provider).to_be_visible()
    # axe reads colours as painted: wait for the menu's fade-in to end.
    expect(page.locator(".dropdown-menu.show")).to_have_css("opacity", "1")
    expect(page.get_by_role("link", name="Entra con CIE")).to_be_visible()
    expect(page.get_by_role("button", name="Entra con la Carta Nazionale dei Servizi (CNS)")).to_be_visible()
    expect(page.get_by_text("livello 2", exact=False).first).to_be_visible()
    axe_check(page)
    screenshot(page, "accesso-spid-cie-cns")
