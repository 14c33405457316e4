"""The log lines themselves: JSON in production, readable in the embedded mode, and redacted in both."""

import json
import logging
import os
import subprocess
import sys

from core.log import RedactPersonalData, redact
from tests.test_settings import PRODUCTION, ROOT, SERVICE_VARS

SAML_XML = (
    '<?xml version="1.0"?>\n<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">'
    "<saml:Assertion><saml:AttributeValue>Mario Rossi</saml:AttributeValue></saml:Assertion>"
    "</samlp:Response>"
)
LOG_SOMETHING = (
    "import django, logging; django.setup(); "
    "logging.getLogger('anagrafica').warning('Accesso di %s rifiutato', 'RSSMRA80A01L219M')"
)


def log_in_a_new_process(**env_vars) -> str:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env |= {"DJANGO_SETTINGS_MODULE": "aminder.settings", **env_vars}
    result = subprocess.run(
        [sys.executable, "-c", LOG_SOMETHING], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.strip()


def test_production_writes_one_json_object_per_line():
    (line,) = log_in_a_new_process(**PRODUCTION).splitlines()
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "anagrafica"
    assert record["message"] == "Accesso di [codice fiscale] rifiutato"
    assert record["timestamp"].startswith("20")


def test_the_embedded_mode_writes_readable_lines_redacted_too():
    line = log_in_a_new_process()
    assert line.endswith("WARNING anagrafica Accesso di [codice fiscale] rifiutato")


def test_redact_cuts_saml_messages_and_masks_codici_fiscali():
    assert redact(f"xmlstr: {SAML_XML}") == "xmlstr: [messaggio SAML omesso]"
    assert redact("utente rssmra80a01l219m") == "utente [codice fiscale]"
    assert redact("{'email': ['mario.rossi@example.it'], 'ok': [1]}") == "{'email': [omesso], 'ok': [1]}"
    assert redact("protocollo 2026/0000042") == "protocollo 2026/0000042"


def test_the_filter_redacts_tracebacks_and_drops_the_saml_libraries_chatter():
    try:
        raise ValueError(SAML_XML)
    except ValueError:
        error = logging.LogRecord(
            "djangosaml2", logging.ERROR, __file__, 1, "Risposta %s", ("rifiutata",), None
        )
        error.exc_info = sys.exc_info()
    debug = logging.LogRecord("saml2.response", logging.DEBUG, __file__, 1, "xmlstr: %s", (SAML_XML,), None)

    assert RedactPersonalData().filter(error) is True
    assert error.getMessage() == "Risposta rifiutata"
    assert "ValueError" in error.exc_text
    assert "Mario" not in error.exc_text and "<saml" not in error.exc_text
    assert RedactPersonalData().filter(debug) is False
