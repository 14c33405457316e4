import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from anagrafica.auth.spid import MSG_SPID_LIVELLO, MSG_SPID_RIFIUTATO, SPID_L2
from anagrafica.models import User
from tests.anagrafica.spid_idp import SpidTestIdentityProvider

ACS = "/spid/acs/"


def start_login(client, idp: SpidTestIdentityProvider):
    response = client.get(reverse("anagrafica:spid_login"), {"idp": idp.ENTITY_ID})
    assert response.status_code == 302
    return idp.receive_authn_request(response["Location"])


def signed_in_user(client):
    response = client.get(reverse("anagrafica:profilo"))
    return response.context["user"] if response.status_code == 200 else None


def test_spid_round_trip_signs_mario_rossi_in(client, spid_idp, db):
    authn_request = start_login(client, spid_idp)

    response = client.post(ACS, spid_idp.response(authn_request))

    assert response.status_code == 302
    assert response["Location"] == reverse("anagrafica:home")
    mario = User.objects.get(codice_fiscale="RSSMRA80A01L219M")
    assert (mario.username, mario.first_name, mario.last_name) == ("RSSMRA80A01L219M", "Mario", "Rossi")
    assert mario.email == "mario.rossi@example.it"
    assert not mario.has_usable_password()
    assert signed_in_user(client) == mario


def test_spid_authn_request_is_signed_and_asks_for_level_2_and_the_spid_attributes(client, spid_idp, db):
    request, query = start_login(client, spid_idp)  # the IdP verified the signature while parsing

    message = request.message
    assert "Signature" in query
    assert message.force_authn == "true"
    assert message.requested_authn_context.comparison == "minimum"
    assert [ref.text for ref in message.requested_authn_context.authn_context_class_ref] == [SPID_L2]


def test_spid_finds_an_existing_person_by_codice_fiscale(client, spid_idp, legale_rappresentante):
    identity = {
        "fiscalNumber": [f"TINIT-{legale_rappresentante.codice_fiscale}"],
        "name": ["Mario"],
        "familyName": ["Rossi"],
        "email": ["nuova@example.it"],
    }

    client.post(ACS, spid_idp.response(start_login(client, spid_idp), identity))

    legale_rappresentante.refresh_from_db()
    assert signed_in_user(client) == legale_rappresentante
    assert legale_rappresentante.email == "nuova@example.it"
    assert User.objects.filter(codice_fiscale=legale_rappresentante.codice_fiscale).count() == 1


def test_spid_refuses_an_unsigned_assertion(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp), signed=False)

    response = client.post(ACS, fields)

    assert response.status_code == 403
    assert escape(str(MSG_SPID_RIFIUTATO)) in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(codice_fiscale="RSSMRA80A01L219M").exists()


def test_spid_refuses_an_expired_assertion(client, spid_idp, db, caplog):
    fields = spid_idp.response(start_login(client, spid_idp))  # the test IdP's assertions last 5 minutes

    # Ten minutes later: the browser's session (30 minutes) is still open, the assertion is not.
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=10)):
        response = client.post(ACS, fields)

    assert response.status_code == 403
    assert "no longer valid" in caplog.text or "ResponseLifetimeExceed" in caplog.text
    assert signed_in_user(client) is None


def test_spid_refuses_a_replayed_assertion(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp))
    assert client.post(ACS, fields).status_code == 302
    client.post(reverse("anagrafica:logout"))
    assert signed_in_user(client) is None

    response = client.post(ACS, fields)

    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_spid_refuses_a_replayed_assertion_in_another_browser(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp))
    assert client.post(ACS, fields).status_code == 302

    other_browser = Client()
    response = other_browser.post(ACS, fields)

    assert response.status_code == 403
    assert signed_in_user(other_browser) is None


def test_spid_refuses_level_1(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp), level="https://www.spid.gov.it/SpidL1")

    response = client.post(ACS, fields)

    assert response.status_code == 400
    assert escape(str(MSG_SPID_LIVELLO)) in response.content.decode()
    assert signed_in_user(client) is None


def test_spid_metadata_is_signed_and_requests_the_spid_attributes(client, spid_idp, db):
    response = client.get(reverse("anagrafica:spid_metadata"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "SignatureValue" in body
    for attribute in ("fiscalNumber", "name", "familyName", "email"):
        assert f'Name="{attribute}"' in body


def test_spid_login_says_so_when_not_configured(client, settings, tmp_path, db):
    settings.SAML_CONFIG_DIR = tmp_path / "vuota"

    response = client.get(reverse("anagrafica:spid_login"))

    assert response.status_code == 503
