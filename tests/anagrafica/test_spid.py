import base64
import datetime as dt
from urllib.parse import parse_qsl, urlparse

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from saml2.saml import NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1, SIG_RSA_SHA256

from anagrafica.auth.spid import (
    MSG_CIE_NON_CONFIGURATA,
    MSG_SPID_LIVELLO,
    MSG_SPID_RIFIUTATO,
    MSG_SPID_USCITA_RIFIUTATA,
    SPID_L2,
)
from anagrafica.auth.spid_checks import MSG_DESTINAZIONE, MSG_FIRMA, MSG_SOGGETTO
from anagrafica.models import User
from tests.anagrafica.spid_idp import CIE_MARIO_ROSSI, SpidTestIdentityProvider
from tests.log_capture import every_log_line

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


def refusal_page(response) -> str:
    assert response.status_code in (400, 403)
    return response.content.decode()


def test_spid_refuses_a_response_addressed_to_another_service(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp), destination="https://altro.example/spid/acs/")

    page = refusal_page(client.post(ACS, fields))

    assert escape(str(MSG_DESTINAZIONE)) in page
    assert signed_in_user(client) is None


def test_spid_refuses_a_persistent_name_id(client, spid_idp, db):
    persistent = NameID(text="mario", format=NAMEID_FORMAT_PERSISTENT, name_qualifier=spid_idp.ENTITY_ID)
    fields = spid_idp.response(start_login(client, spid_idp), name_id=persistent)

    page = refusal_page(client.post(ACS, fields))

    assert escape(str(MSG_SOGGETTO)) in page
    assert signed_in_user(client) is None


def test_spid_refuses_a_response_signed_with_sha1(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp), sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1)

    page = refusal_page(client.post(ACS, fields))

    assert escape(str(MSG_FIRMA)) in page
    assert signed_in_user(client) is None


def test_spid_refuses_an_answer_to_a_request_of_another_browser(client, spid_idp, db):
    fields = spid_idp.response(start_login(Client(), spid_idp))
    start_login(client, spid_idp)  # this browser has a request of its own, answered by nobody

    refusal_page(client.post(ACS, fields))

    assert signed_in_user(client) is None


def test_spid_authn_request_names_the_sp_and_the_metadata_indexes(client, spid_idp, settings, db):
    request, _query = start_login(client, spid_idp)

    message = request.message
    assert message.issuer.text == settings.SAML_SP_ENTITY_ID
    assert message.issuer.name_qualifier == settings.SAML_SP_ENTITY_ID
    assert message.issuer.format == NAMEID_FORMAT_ENTITY
    assert (message.assertion_consumer_service_index, message.attribute_consuming_service_index) == ("0", "0")


def test_spid_single_logout_started_by_aminder_ends_the_session_at_the_idp(client, spid_idp, settings, db):
    client.post(ACS, spid_idp.response(start_login(client, spid_idp)))
    assert signed_in_user(client) is not None

    to_idp = client.post(reverse("anagrafica:logout"))
    back_to_sp = spid_idp.answer_logout_request(to_idp["Location"])
    response = client.get(back_to_sp.removeprefix(settings.AMINDER_PUBLIC_URL))

    assert spid_idp.last_logout_request.name_id.text == spid_idp.name_id.text
    assert spid_idp.last_logout_request.issuer.name_qualifier == settings.SAML_SP_ENTITY_ID
    assert response.status_code == 302
    assert response["Location"] == reverse("anagrafica:login")
    assert signed_in_user(client) is None


def test_spid_single_logout_started_by_the_idp_signs_the_person_out(client, spid_idp, settings, db):
    client.post(ACS, spid_idp.response(start_login(client, spid_idp)))
    assert signed_in_user(client) is not None

    url = spid_idp.logout_request(settings.SAML_SP_ENTITY_ID)
    response = client.get(url.removeprefix(settings.AMINDER_PUBLIC_URL))

    assert response.status_code == 302
    assert response["Location"].startswith(spid_idp.SLO_URL + "?SAMLResponse=")
    assert signed_in_user(client) is None


@pytest.mark.parametrize("forgery", ["unsigned", "bad signature"])
def test_spid_refuses_a_forged_logout_request_and_keeps_the_session(client, spid_idp, settings, db, forgery):
    client.post(ACS, spid_idp.response(start_login(client, spid_idp)))
    url = urlparse(spid_idp.logout_request(settings.SAML_SP_ENTITY_ID))
    query = dict(parse_qsl(url.query))
    if forgery == "unsigned":
        del query["SigAlg"], query["Signature"]
    else:
        query["Signature"] = base64.b64encode(b"\x00" * 256).decode()

    response = client.get(url.path, query)

    assert response.status_code == 403
    assert escape(str(MSG_SPID_USCITA_RIFIUTATA)) in response.content.decode()
    assert signed_in_user(client) is not None


def test_sign_out_without_spid_stays_local(client, legale_rappresentante, spid_idp):
    client.force_login(legale_rappresentante)

    response = client.post(reverse("anagrafica:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("anagrafica:login")
    assert signed_in_user(client) is None


def test_cie_sign_in_matches_the_person_on_the_codice_fiscale(client, cie_idp, legale_rappresentante):
    to_spid_login = client.get(reverse("anagrafica:cie_login"))
    to_idp = client.get(to_spid_login["Location"])
    authn_request = cie_idp.receive_authn_request(to_idp["Location"])

    identity = {**CIE_MARIO_ROSSI, "fiscalNumber": [f"TINIT-{legale_rappresentante.codice_fiscale}"]}
    response = client.post(ACS, cie_idp.response(authn_request, identity))

    assert response.status_code == 302
    assert signed_in_user(client) == legale_rappresentante
    assert User.objects.filter(codice_fiscale=legale_rappresentante.codice_fiscale).count() == 1


def test_cie_metadata_carries_the_federation_contacts_and_attributes(client, cie_idp, settings):
    body = client.get(reverse("anagrafica:cie_metadata")).content.decode()

    assert "SignatureValue" in body
    assert 'contactType="administrative"' in body and 'contactType="technical"' in body
    assert f"<cie:IPACode>{settings.SAML_SP_IPA_CODE}</cie:IPACode>" in body
    assert 'Name="dateOfBirth"' in body and 'Name="email"' not in body


def test_cie_login_says_so_when_the_cie_idp_is_not_installed(client, spid_idp):
    response = client.get(reverse("anagrafica:cie_login"))

    assert response.status_code == 503
    assert escape(str(MSG_CIE_NON_CONFIGURATA)) in response.content.decode()


def test_spid_refuses_a_sha1_digest_under_a_sha256_signature(client, spid_idp, db):
    fields = spid_idp.response(start_login(client, spid_idp), sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA1)

    page = refusal_page(client.post(ACS, fields))

    assert escape(str(MSG_FIRMA)) in page
    assert signed_in_user(client) is None


def _malformed(fields: dict[str, str], how: str) -> dict[str, str]:
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    if how == "troncata":
        xml = xml[: len(xml) - 40]
    else:  # well-formed, but not a SAML response pysaml2 can read
        xml = xml.replace("samlp:Response ", "samlp:Risposta ", 1).replace(
            "</samlp:Response>", "</samlp:Risposta>"
        )
    return {**fields, "SAMLResponse": base64.b64encode(xml.encode()).decode()}


SAML_VARIANTS = {
    "accettata": lambda idp, request: idp.response(request),
    "troncata": lambda idp, request: _malformed(idp.response(request), "troncata"),
    "non SAML": lambda idp, request: _malformed(idp.response(request), "non SAML"),
    "SHA-1": lambda idp, request: idp.response(request, sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1),
    "non firmata": lambda idp, request: idp.response(request, signed=False),
}


@pytest.mark.parametrize("variant", SAML_VARIANTS)
def test_spid_responses_accepted_or_refused_never_reach_the_logs(client, spid_idp, db, variant):
    fields = SAML_VARIANTS[variant](spid_idp, start_login(client, spid_idp))

    with every_log_line() as lines:
        response = client.post(ACS, fields)

    assert response.status_code == 302 if variant == "accettata" else response.status_code in (400, 403)
    text = lines.text()
    assert lines, "the flow logs something: the test reads real lines"
    for personal in ("RSSMRA80A01L219M", "mario.rossi@example.it", "Rossi", "_transient-mario-rossi"):
        assert personal not in text
    for markup in ("<saml", "AttributeValue", "urn:oasis:names:tc:SAML", fields["SAMLResponse"][:40]):
        assert markup not in text
