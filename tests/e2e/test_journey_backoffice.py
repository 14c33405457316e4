"""An officer's morning in the backoffice (issue 14): the home counters, the queue oldest first, taking
the oldest domande in charge, examining one and deciding, landing on the next one, and a bulk
"ammissibile" with its outcome per domanda. axe-core on every page; any CSP violation fails the test."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from claims.constants import StatoDomanda
from claims.models import Domanda
from protocollo.services import protocollo_register_documento
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.e2e


def _domanda(giorni_fa: int, ragione_sociale: str) -> Domanda:
    domanda = DomandaFactory(
        presentata=True,
        presentata_il=timezone.now() - dt.timedelta(days=giorni_fa),
        sede__azienda__ragione_sociale=ragione_sociale,
    )
    protocollo_register_documento(domanda)
    return Domanda.objects.get(pk=domanda.pk)


def test_officer_morning(page, login_as, axe_check, screenshot):
    officer = UserFactory(username="franca", first_name="Franca", last_name="Bruno", funzionario=True)
    vecchia = _domanda(6, "Officina Vecchia S.r.l.")
    media = _domanda(4, "Panificio Medio S.n.c.")
    recente = _domanda(1, "Bar Recente S.a.s.")
    login_as(page, officer)

    page.goto("/admin/")
    contatori = page.locator(".contatori")
    expect(contatori).to_contain_text("3da prendere in carico")
    axe_check(page)
    screenshot(page, "backoffice-home")

    page.get_by_role("link", name="Apri la coda delle domande (dalla più vecchia)").click()
    righe = page.locator("#result_list tbody tr")
    expect(righe).to_have_count(3)
    expect(righe.nth(0)).to_contain_text("Officina Vecchia")
    expect(righe.nth(2)).to_contain_text("Bar Recente")
    axe_check(page)
    screenshot(page, "backoffice-coda")

    # Take the two oldest in charge at once.
    righe.nth(0).locator("input.action-select").check()
    righe.nth(1).locator("input.action-select").check()
    page.locator("select[name=action]").select_option("prendi_in_carico")
    page.locator("button[name=index]").click()
    expect(page.locator(".riepilogo-esiti")).to_contain_text("2 domande eseguite")
    expect(page.locator("#esiti tbody tr")).to_have_count(2)
    axe_check(page)

    # "Le mie domande", then the examination page of the oldest.
    page.goto("/admin/")
    page.get_by_role("link", name="Le mie domande").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.get_by_role("link", name=vecchia.protocollo).click()
    expect(page.locator(".esame")).to_contain_text("Dichiarazioni dell'azienda")
    expect(page.get_by_role("link", name="Accordo sindacale (PDF)")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Presa in carico da Franca Bruno")
    axe_check(page)
    screenshot(page, "backoffice-esame")

    # Decide, and land on the next domanda of the same queue.
    page.locator("#id_a").select_option(StatoDomanda.AMMISSIBILE)
    page.get_by_role("button", name="Decidi e passa alla prossima").click()
    expect(page).to_have_url(re.compile(rf"/admin/claims/domanda/{media.pk}/change/\?_changelist_filters="))
    expect(page.locator(".messagelist")).to_contain_text("Ecco la prossima domanda della coda")
    assert Domanda.objects.get(pk=vecchia.pk).stato == StatoDomanda.AMMISSIBILE

    # Back to the queue: bulk "ammissibile" on what is left; the untaken one is refused, with the reason.
    page.goto("/admin/claims/domanda/")
    for riga in (
        page.locator("#result_list tbody tr").filter(has_text=nome) for nome in ("Panificio", "Bar")
    ):
        riga.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("ammissibile")
    page.locator("button[name=index]").click()
    expect(page.locator(".riepilogo-esiti")).to_contain_text("1 domanda eseguita")
    expect(page.locator(".esito-rifiutato")).to_contain_text("non è consentito")
    axe_check(page)
    screenshot(page, "backoffice-esiti")
    assert Domanda.objects.get(pk=media.pk).stato == StatoDomanda.AMMISSIBILE
    assert Domanda.objects.get(pk=recente.pk).stato == StatoDomanda.PRESENTATA

    # The queue of what is admissible, exported as a spreadsheet.
    page.goto("/admin/claims/domanda/?stato=AMMISSIBILE")
    page.locator(".object-tools").get_by_role("link", name="Esporta").click()
    page.locator("#id_format").select_option(label="xlsx")
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Invia").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_budget_dashboard_draws_its_chart_under_the_csp(page, login_as, axe_check, screenshot):
    from consuntivi.models import RisorseRegionali

    RisorseRegionali.objects.create(anno=2020, importo="82506160.00", descrizione="Prima assegnazione")
    login_as(page, UserFactory(username="franca", funzionario=True))
    page.goto("/backoffice/consuntivi/cruscotto/")
    tela = page.locator("#grafico-cruscotto")
    expect(tela).to_be_visible()
    assert page.evaluate("() => !!window.Chart && !!window.Chart.getChart('grafico-cruscotto')")
    assert tela.bounding_box()["height"] > 100
    axe_check(page)
    screenshot(page, "backoffice-cruscotto")
