"""What every answer carries: no caching of personal data, the Permissions-Policy, and the absolute
lifetime of a session beside the idle one."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.anagrafica.factories import api_key_for
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db


def assert_not_stored(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]


def test_pages_with_personal_data_are_never_cached(client, legale_rappresentante, azienda):
    client.force_login(legale_rappresentante)
    for url in (
        reverse("anagrafica:home"),
        reverse("anagrafica:profilo"),
        reverse("anagrafica:azienda_detail", args=[azienda.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response)


def test_api_answers_are_never_cached(client, legale_rappresentante, azienda):
    response = client.get(
        "/api/v1/aziende/", HTTP_AUTHORIZATION=f"Token {api_key_for(legale_rappresentante)}"
    )
    assert response.status_code == 200
    assert azienda.codice_fiscale in response.content.decode()
    assert_not_stored(response)


def test_a_receipt_pdf_is_never_cached(
    client, legale_rappresentante, sede, django_capture_on_commit_callbacks
):
    domanda = DomandaFactory(sede=sede, creata_da=legale_rappresentante)
    client.force_login(legale_rappresentante)
    with django_capture_on_commit_callbacks(execute=True):  # the protocol number and the receipt
        assert client.post(f"/api/v1/domande/{domanda.pk}/presenta/").status_code == 200
    response = client.get(f"/api/v1/domande/{domanda.pk}/ricevuta/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert_not_stored(response)


def test_a_view_choosing_its_own_caching_keeps_it(client):
    response = client.get(reverse("protocollo:verifica"))
    # never_cache on the verification page: Django's full set, not overwritten.
    assert "must-revalidate" in response["Cache-Control"]


def test_every_answer_denies_the_browser_features_the_app_does_not_use(client):
    policy = client.get(reverse("anagrafica:login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


# --- session lifetime -------------------------------------------------------------------------------------


def test_an_active_session_still_ends_twelve_hours_after_the_sign_in(client, legale_rappresentante, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 12 * 3600
    profilo = reverse("anagrafica:profilo")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(legale_rappresentante)
    # Busy all day: a request every 20 minutes, within the 30 minutes of idleness.
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(profilo).status_code == 200, f"signed out after {minutes} minutes"

    with time_machine.travel(start + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get(profilo, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("anagrafica:login"))
    assert "La sessione è scaduta (durata massima 12 ore): acceda di nuovo." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_idle_session_ends_after_the_idle_time(client, legale_rappresentante, settings):
    profilo = reverse("anagrafica:profilo")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(legale_rappresentante)
        assert client.get(profilo).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        assert client.get(profilo).status_code == 302
