"""What reaches the logs: one JSON object per line in production, and never a SAML message, an
identity's attributes or a codice fiscale, whoever logs it (pysaml2 logs whole responses at DEBUG and
whole tracebacks of malformed ones at ERROR, djangosaml2 the attributes at DEBUG; an SPID user's
username is their codice fiscale).

`RedactPersonalData` sits on every handler (settings.LOGGING), so it sees each record once, before any
formatter, whatever the logger's level: the message, its arguments, the traceback and any string
`extra` are rewritten in place. `JsonFormatter` is python-json-logger's, with the field names the
Region's log collector expects and without the `request` object Django attaches (its repr carries the
query string).
"""

import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

# Anything that is a SAML protocol message or assertion, as XML or as the base64 a browser posts.
SAML_MARKUP = re.compile(
    r"urn:oasis:names:tc:SAML:|<(?:\w+:)?(?:Response|Assertion|EncryptedAssertion|AuthnRequest"
    r"|LogoutRequest|LogoutResponse|Attribute(?:Statement|Value)?|NameID|Subject)\b"
    # base64 of "<samlp:", "<saml2p:", "<?xml ": what SAMLResponse/SAMLRequest fields start with
    r"|PHNhbWxwO|PHNhbWwycD|PD94bWwg"
)
# A run of base64 long enough to be an encoded message, a key or a certificate.
BASE64_BLOB = re.compile(r"[A-Za-z0-9+/]{120,}={0,2}")
# A person's codice fiscale (omocodia letters included), in any case.
CODICE_FISCALE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# An identity's attributes as the SAML libraries print them: {'email': ['mario.rossi@example.it'], …}.
SPID_ATTRIBUTE = re.compile(
    r"""(['"])(fiscalNumber|name|familyName|email|mobilePhone|dateOfBirth|placeOfBirth|address"""
    r"""|spidCode|gender|ivaCode|companyName|digitalAddress|registeredOffice)\1\s*:\s*\[[^\]]*\]"""
)
# The SAML libraries' DEBUG and INFO lines print whole messages and identities: none is kept, at any
# configured level. Their warnings and errors are kept, redacted.
SAML_LOGGERS = ("saml2", "djangosaml2")
# SQL statements as Django logs them at DEBUG carry every value written or searched: not kept either.
DROPPED_BELOW_WARNING = (*SAML_LOGGERS, "django.db.backends")
SAML_OMESSO = "[messaggio SAML omesso]"
BASE64_OMESSO = "[base64 omesso]"
CF_OMESSO = "[codice fiscale]"


def redact(text: str) -> str:
    """`text` without SAML markup (cut from where it starts), long base64 runs and codici fiscali."""
    if match := SAML_MARKUP.search(text):
        start = text.rfind("<", 0, match.start() + 1)
        start = match.start() if start < 0 else start
        if 0 <= (declaration := text.find("<?xml")) < start:
            start = declaration
        text = text[:start].rstrip() + " " + SAML_OMESSO
    text = SPID_ATTRIBUTE.sub(r"\1\2\1: [omesso]", text)
    text = BASE64_BLOB.sub(BASE64_OMESSO, text)
    return CODICE_FISCALE.sub(CF_OMESSO, text)


class RedactPersonalData(logging.Filter):
    """Rewrites the record so that no handler can write SAML messages or codici fiscali."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING and any(
            record.name == name or record.name.startswith(f"{name}.") for name in DROPPED_BELOW_WARNING
        ):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what there is, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        for name, value in list(vars(record).items()):
            if name in RESERVED_ATTRS or name == "request" or isinstance(value, int | float | None):
                continue  # `request` is Django's object for its own handlers; the JSON formatter skips it
            setattr(record, name, redact(value if isinstance(value, str) else repr(value)))
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: timestamp, level, logger, message, exc_info, and string extras."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "{levelname}{name}{message}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request", "server_time"])
        super().__init__(*args, **kwargs)
