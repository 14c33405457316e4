"""An officer's first sign-in in the browser: password, then the QR enrolment of the authenticator
app, then the backoffice; the page is accessible."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.anagrafica.factories import UserFactory, totp_code

pytestmark = pytest.mark.e2e

PASSWORD = "Palazzo-Lascaris-1848"


def test_an_officer_enrols_the_second_factor_and_reaches_the_backoffice(
    page, axe_check, screenshot, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code follows the wrong one at once
    officer = UserFactory(username="franca.funzionaria", funzionario=True)
    officer.set_password(PASSWORD)
    officer.save()

    page.goto("/accesso/")
    page.get_by_label("Nome utente").fill(officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()

    expect(page.get_by_role("heading", name="Verifica dell'accesso")).to_be_visible()
    qr = page.get_by_role("img", name="Codice QR per configurare l'app di autenticazione")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the CSP let the data: image through
    axe_check(page)
    screenshot(page, "secondo-fattore-attivazione")

    device = TOTPDevice.objects.get(user=officer)
    page.get_by_label("Codice di verifica").fill(f"{(int(totp_code(device)) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Attiva e accedi").click()
    expect(
        page.get_by_text("Codice non valido o scaduto: controlli l'ora del telefono e riprovi.", exact=True)
    ).to_be_visible()

    page.get_by_label("Codice di verifica").fill(totp_code(device))
    page.get_by_role("button", name="Attiva e accedi").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    device.refresh_from_db()
    assert device.confirmed
