"""The domanda's steps when things go wrong for the user, in Chromium: an expired session during an
htmx action, the idle-timeout warning, leaving a step with unsaved changes, a file too large for
its field, the agreement marked required by the headcount; and the sign-in page on a phone."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def mario():
    return UserFactory(first_name="Mario", last_name="Rossi")


@pytest.fixture
def bozza(mario):
    sede = SedeFactory(azienda=AziendaFactory(lr_codice_fiscale=mario.codice_fiscale))
    return DomandaFactory(sede=sede, creata_da=mario, lavoratori=[])


def passo(domanda, numero: int) -> str:
    return reverse("claims:domanda_passo", args=[domanda.pk, numero])


def test_expired_session_on_add_worker_signs_in_again_and_keeps_what_was_typed(page, login_as, mario, bozza):
    login_as(page, mario)
    page.goto(passo(bozza, 2))
    riga = page.get_by_role("group", name="Lavoratore 1", exact=True)
    riga.get_by_label("Cognome", exact=True).fill("Bianchi")
    riga.get_by_label("Nome", exact=True).fill("Lucia")

    Session.objects.all().delete()  # the idle timeout passed on the server
    page.get_by_role("button", name="Aggiungi un lavoratore").click()

    expect(page).to_have_url(f"/accesso/?next={passo(bozza, 2)}")
    expect(page.get_by_text("La sessione è scaduta per inattività")).to_be_visible()
    expect(page.get_by_role("group", name="Lavoratore 1")).to_have_count(0)  # nothing pasted

    login_as(page, mario)
    page.goto(passo(bozza, 2))  # where the sign-in's ?next= leads
    expect(page.get_by_text("Abbiamo rimesso nel modulo quello che avevi scritto")).to_be_visible()
    riga = page.get_by_role("group", name="Lavoratore 1", exact=True)
    expect(riga.get_by_label("Cognome", exact=True)).to_have_value("Bianchi")
    expect(riga.get_by_label("Nome", exact=True)).to_have_value("Lucia")


def test_idle_warning_offers_to_stay_signed_in_then_says_the_session_expired(
    page, login_as, mario, bozza, settings
):
    settings.SESSION_COOKIE_AGE = 6  # the warning shows after 3 seconds
    login_as(page, mario)
    page.goto(passo(bozza, 4))
    page.get_by_label("Telefono del referente").fill("011 1234567")
    avviso = page.locator("#avviso-sessione")
    expect(avviso).to_be_hidden()

    expect(avviso.get_by_text("fra poco la sessione scade")).to_be_visible(timeout=5000)
    with page.expect_response(lambda r: r.url.endswith("/sessione/rinnova/")) as rinnovo:
        avviso.get_by_role("button", name="Resta collegato").click()
    assert rinnovo.value.status == 204
    expect(avviso).to_be_hidden()

    # Left alone again: the warning comes back, then the session ends, with what was typed kept.
    expect(avviso.get_by_text("La sessione è scaduta per inattività")).to_be_visible(timeout=9000)
    accedi = avviso.get_by_role("link", name="accedi di nuovo")
    expect(accedi).to_have_attribute("href", f"/accesso/?next={passo(bozza, 4)}")


def test_leaving_a_step_with_unsaved_changes_asks_first(page, login_as, mario, bozza):
    login_as(page, mario)
    page.goto(passo(bozza, 4))
    page.get_by_label("Telefono del referente").fill("011 7654321")
    dialoghi = []

    def rifiuta(dialog):
        dialoghi.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", rifiuta)
    page.get_by_role("navigation", name="Passi della domanda").get_by_role(
        "link", name="Accordo sindacale"
    ).click()
    page.wait_for_timeout(500)

    assert dialoghi == ["beforeunload"]
    expect(page).to_have_url(passo(bozza, 4))
    expect(page.get_by_label("Telefono del referente")).to_have_value("011 7654321")

    page.remove_listener("dialog", rifiuta)
    page.get_by_role("button", name="Salva la bozza").click()  # saving is not leaving
    expect(page.get_by_text("Bozza salvata.")).to_be_visible()
    assert dialoghi == ["beforeunload"]


def test_agreement_too_large_is_refused_before_the_upload_and_marked_required_by_the_headcount(
    page, login_as, mario, bozza
):
    bozza.misura.dipendenti_senza_accordo = 15
    bozza.misura.save()
    bozza.numero_dipendenti, bozza.accordo_file, bozza.accordo_sha256 = 10, "", ""
    bozza.save()
    login_as(page, mario)
    page.goto(passo(bozza, 3))

    etichetta = page.locator("label[for='id_accordo_file']")
    expect(etichetta).to_contain_text("(facoltativo)")
    page.get_by_label("Numero di dipendenti dell'azienda").fill("40")
    expect(etichetta.get_by_text("(facoltativo)")).to_be_hidden()
    expect(page.locator("#id_accordo_file")).to_have_attribute("aria-required", "true")

    richieste = []
    page.on("request", lambda r: richieste.append(r) if r.method == "POST" else None)
    grande = {
        "name": "accordo.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024),
    }
    page.locator("#id_accordo_file").set_input_files(grande)

    expect(page.get_by_role("alert").filter(has_text="Il file supera i 10 MB")).to_be_visible()
    expect(page.locator("#id_accordo_file")).to_have_value("")
    expect(page.locator("#id_accordo_file")).to_have_attribute("aria-invalid", "true")
    assert richieste == []


@pytest.mark.parametrize("larghezza", [390, 1280])
def test_sign_in_page_opens_at_the_top_with_the_spid_and_cns_cards(page, larghezza):
    page.set_viewport_size({"width": larghezza, "height": 844})
    page.goto("/accesso/")
    page.wait_for_timeout(600)  # Bootstrap Italia's smooth scroll, had anything taken the focus

    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate("document.activeElement === document.body")
    expect(page.get_by_role("heading", name="Carta Nazionale dei Servizi")).to_be_attached()
    expect(page.locator("#id_username")).not_to_have_attribute("autofocus", "")
