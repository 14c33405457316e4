"""The protocol number appears on the status page by itself, as soon as the worker assigns it: the
page asks the server every 2 seconds (htmx) while the number or the receipt are missing, then stops."""

import pytest
from playwright.sync_api import expect

from anagrafica.models import User
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.e2e


def test_protocol_number_appears_without_reloading(
    page, login_as, axe_check, screenshot, broker_irraggiungibile
):
    mario = UserFactory(first_name="Mario", last_name="Rossi")
    sede = SedeFactory(azienda=AziendaFactory(lr_codice_fiscale=mario.codice_fiscale))
    # Submitted while the worker is down: no number yet.
    domanda = DomandaFactory(sede=sede, presentata=True, creata_da=mario)
    login_as(page, User.objects.get(pk=mario.pk))

    page.goto(f"/domande/{domanda.pk}/")
    box = page.locator("#protocollo")
    expect(box).to_contain_text("in attribuzione")
    expect(box).to_contain_text("Ricevuta di presentazione in preparazione")
    axe_check(page)
    screenshot(page, "domanda-in-attesa-di-protocollo")

    # The worker comes back and numbers it; nobody touches the page.
    registrazione = protocollo_register_documento(domanda)
    expect(page.locator(".aminder-protocollo")).to_have_text(registrazione.segnatura, timeout=10_000)
    ricevuta_create(registrazione=registrazione)
    expect(box.get_by_role("link", name="Scarica la ricevuta (PDF)")).to_be_visible(timeout=10_000)
    # Polling has stopped: the box no longer asks the server.
    expect(page.locator("#protocollo[hx-trigger]")).to_have_count(0)
