"""An expired session met by htmx, and "Resta collegato": through the test client."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bozza(sede, legale_rappresentante):
    return DomandaFactory(sede=sede, creata_da=legale_rappresentante)


def test_htmx_action_after_the_session_expired_redirects_to_sign_in_back_to_the_same_step(client, bozza):
    passo_2 = reverse("claims:domanda_passo", args=[bozza.pk, 2])
    riga = reverse("claims:lavoratore_riga", args=[bozza.pk])

    response = client.get(
        f"{riga}?lavoratori-TOTAL_FORMS=1",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{passo_2}"},
    )

    assert response.status_code == 200
    assert response.content == b""  # nothing to paste into the form
    assert response["HX-Redirect"] == f"{reverse('anagrafica:login')}?next={quote(passo_2)}"
    accesso = client.get(response["HX-Redirect"]).content.decode()
    assert "La sessione è scaduta per inattività" in accesso


def test_htmx_redirect_never_sends_to_another_site(client, bozza):
    riga = reverse("claims:lavoratore_riga", args=[bozza.pk])
    response = client.get(
        f"{riga}?lavoratori-TOTAL_FORMS=1",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/domande/"},
    )
    assert response["HX-Redirect"] == f"{reverse('anagrafica:login')}?next=/"


def test_a_signed_in_htmx_request_is_left_alone(client, bozza, legale_rappresentante):
    client.force_login(legale_rappresentante)
    riga = reverse("claims:lavoratore_riga", args=[bozza.pk])
    response = client.get(f"{riga}?lavoratori-TOTAL_FORMS=1", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "Codice fiscale" in response.content.decode()


def test_stay_signed_in_renews_the_session_or_says_it_expired(client, legale_rappresentante, settings):
    url = reverse("core:sessione_rinnova")
    assert client.post(url).status_code == 403
    client.force_login(legale_rappresentante)
    response = client.post(url)
    assert response.status_code == 204
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the idle time starts again
    assert client.get(url).status_code == 405


def test_the_steps_carry_the_idle_timeout_warning(client, bozza, legale_rappresentante, settings):
    client.force_login(legale_rappresentante)
    html = client.get(reverse("claims:domanda_passo", args=[bozza.pk, 2])).content.decode()
    assert f'data-durata="{settings.SESSION_COOKIE_AGE}"' in html
    assert "Resta collegato" in html
