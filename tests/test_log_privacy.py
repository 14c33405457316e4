"""Issue 15, item 10: the main flows, with every logger at DEBUG and every line written as production
writes it (the configured handler's filters, the JSON formatter), leave in the logs no codice fiscale,
API token, session id or SAML assertion."""

import json
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient
from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1

from claims.constants import StatoDomanda
from claims.models import Domanda
from tests.anagrafica.factories import api_key_for
from tests.anagrafica.spid_idp import SpidTestIdentityProvider
from tests.anagrafica.test_spid import ACS, start_login
from tests.claims.factories import DomandaFactory, LavoratoreFactory
from tests.log_capture import every_log_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


def test_the_main_flows_log_no_codice_fiscale_token_session_or_assertion(
    settings, tmp_path, legale_rappresentante, sede, funzionario, django_capture_on_commit_callbacks
):
    settings.SAML_CONFIG_DIR = tmp_path / "saml"
    idp = SpidTestIdentityProvider(settings.SAML_CONFIG_DIR)
    mario = legale_rappresentante
    identity = {
        "fiscalNumber": [f"TINIT-{mario.codice_fiscale}"],
        "name": ["Mario"],
        "familyName": ["Rossi"],
        "email": ["mario.rossi@example.it"],
    }
    browser, officer = Client(), Client()
    officer.force_login(funzionario)
    bozza = DomandaFactory(sede=sede, creata_da=mario, lavoratori=[])
    LavoratoreFactory.create_batch(2, domanda=bozza)
    token = api_key_for(mario)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = idp.response(start_login(browser, idp), identity, sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1)
    accepted = idp.response(start_login(browser, idp), identity)

    # SQL statements are logged too (django.db.backends at DEBUG), with their parameters.
    with every_log_line() as lines, CaptureQueriesContext(connection):
        # SPID: a refused response, then an accepted one.
        assert browser.post(ACS, refused).status_code in (400, 403)
        assert browser.post(ACS, accepted).status_code == 302
        # The payroll software submits the domanda with its token; the protocol number and the
        # receipt follow (tasks run in this process).
        assert api.get(f"/api/v1/domande/{bozza.pk}/").status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            assert api.post(f"/api/v1/domande/{bozza.pk}/presenta/").status_code == 200
        assert api.get("/api/v1/domande/?codice_fiscale=" + mario.codice_fiscale).status_code in (200, 400)
        # The person signed in with SPID downloads the receipt.
        ricevuta = browser.get(reverse("claims:domanda_ricevuta", args=[bozza.pk]))
        assert ricevuta.status_code == 200
        assert ricevuta["Content-Type"] == "application/pdf"
        # The officer takes the domanda and decides it.
        officer.post(reverse("admin:claims_domanda_prendi", args=[bozza.pk]))
        decisione = officer.post(
            reverse("admin:claims_domanda_decidi", args=[bozza.pk]),
            {"a": StatoDomanda.AMMISSIBILE, "note": ""},
        )
        assert decisione.status_code == 302
        # A request for a page that does not exist, with the codice fiscale in the path.
        assert browser.get(f"/domande/{mario.codice_fiscale}/").status_code == 404

    assert Domanda.objects.get(pk=bozza.pk).stato == StatoDomanda.AMMISSIBILE
    assert len(lines) > 10, "the flows were logged at DEBUG: the test reads real lines"
    for line in lines:
        json.loads(line)  # every line is one JSON object
    text = lines.text()
    secrets = {
        "codice fiscale of the person": mario.codice_fiscale,
        "API token": token,
        "session id of the person": browser.cookies["sessionid"].value,
        "session id of the officer": officer.cookies["sessionid"].value,
        "SAML response": accepted["SAMLResponse"][:60],
        "refused SAML response": refused["SAMLResponse"][:60],
        "e-mail from the assertion": "mario.rossi@example.it",
    }
    secrets |= {
        f"codice fiscale of worker {i}": w.codice_fiscale for i, w in enumerate(bozza.lavoratori.all())
    }
    for what, value in secrets.items():
        assert value not in text, what
    for markup in ("<saml", "AttributeValue", "urn:oasis:names:tc:SAML"):
        assert markup not in text
