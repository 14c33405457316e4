"""CSRF (ASVS 4.0.3 V4.2.2): a signed-in company user's browser cannot be made to change a domanda
by another site's form, neither through the pages nor through the API's session authentication."""

import pytest
from django.test import Client
from django.urls import reverse

from claims.constants import StatoDomanda
from claims.models import Domanda
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bozza():
    return DomandaFactory()


@pytest.fixture
def browser(bozza):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bozza.creata_da)
    return client


def test_page_form_without_the_csrf_token_is_refused_and_changes_nothing(browser, bozza):
    passo = reverse("claims:domanda_passo", args=[bozza.pk, 4])
    response = browser.post(passo, {"referente_nome": "Forgiato", "azione": "continua"})
    assert response.status_code == 403
    assert Domanda.objects.get(pk=bozza.pk).referente_nome == "Paola Neri"

    browser.get(passo)  # the page sets the cookie; its form carries the token
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        passo,
        {"referente_nome": "Anna Blu", "azione": "salva", "csrfmiddlewaretoken": token},
    )
    assert response.status_code != 403


def test_sign_out_without_the_csrf_token_is_refused(browser, bozza):
    assert browser.post(reverse("anagrafica:logout")).status_code == 403
    assert browser.get(reverse("claims:domanda_passo", args=[bozza.pk, 4])).status_code == 200


def test_api_with_the_session_cookie_needs_the_csrf_token(browser, bozza):
    response = browser.post(f"/api/v1/domande/{bozza.pk}/presenta/", content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Domanda.objects.get(pk=bozza.pk).stato == StatoDomanda.BOZZA
