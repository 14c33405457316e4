"""CNS (Carta Nazionale dei Servizi) sign-in with a TLS client certificate.

nginx verifies the certificate against the CNS certification authorities (`ssl_verify_client`) and
passes it, PEM and URL-encoded (`$ssl_client_escaped_cert`), in the header settings.CNS_CERT_HEADER.
The application trusts that header only when the request comes from an address in
settings.TRUSTED_PROXIES: from anywhere else anyone could write it. See deploy/nginx/aminder.conf.

The codice fiscale is in the certificate's subject: in `serialNumber` as `TINIT-RSSMRA80A01L219M`
(ETSI EN 319 412-1 semantics, newer cards), or in the common name as
`RSSMRA80A01L219M/7420059000012345.<hash>` (codice fiscale / card identifier . hash of it, the format
of the CNS technical rules).
"""

import datetime as dt
import logging
from urllib.parse import unquote

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anagrafica.services import user_from_identity
from anagrafica.validators import normalize_codice_fiscale, validate_codice_fiscale_persona
from core.ratelimit import is_trusted_proxy

logger = logging.getLogger(__name__)

MSG_CNS_ASSENTE = _(
    "Nessun certificato CNS ricevuto: inserisca la carta nel lettore, riavvii il browser e riprovi."
)
MSG_CNS_NON_FIDATO = _("Il certificato non è arrivato attraverso il server di accesso della Regione.")
MSG_CNS_ILLEGGIBILE = _("Il certificato ricevuto non è leggibile.")
MSG_CNS_SCADUTO = _("Il certificato della carta è scaduto o non ancora valido.")
MSG_CNS_SENZA_CF = _("Il certificato non contiene un codice fiscale valido.")


class CnsError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _meta_key(header: str) -> str:
    """Accept both `X-SSL-Client-Cert` and the request.META form `HTTP_X_SSL_CLIENT_CERT`."""
    if header.startswith("HTTP_"):
        return header
    return "HTTP_" + header.upper().replace("-", "_")


def certificate_from_request(request) -> x509.Certificate:
    """The client certificate the trusted proxy verified, or CnsError."""
    if not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        raise CnsError(MSG_CNS_NON_FIDATO)
    value = request.META.get(_meta_key(settings.CNS_CERT_HEADER), "").strip()
    if not value or value == "(null)":
        raise CnsError(MSG_CNS_ASSENTE)
    return certificate_from_header(value)


def certificate_from_header(value: str) -> x509.Certificate:
    pem = unquote(value).strip()
    if "-----BEGIN CERTIFICATE-----" not in pem:
        raise CnsError(MSG_CNS_ILLEGGIBILE)
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise CnsError(MSG_CNS_ILLEGGIBILE) from error
    now = dt.datetime.now(tz=dt.UTC)
    if not (certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc):
        raise CnsError(MSG_CNS_SCADUTO)
    return certificate


def _subject_values(certificate: x509.Certificate, oid) -> list[str]:
    return [str(attribute.value) for attribute in certificate.subject.get_attributes_for_oid(oid)]


def codice_fiscale_from_certificate(certificate: x509.Certificate) -> str:
    candidates = [
        normalize_codice_fiscale(value).removeprefix("IT:")
        for value in _subject_values(certificate, NameOID.SERIAL_NUMBER)
    ] + [
        normalize_codice_fiscale(value.split("/", 1)[0])
        for value in _subject_values(certificate, NameOID.COMMON_NAME)
    ]
    for candidate in candidates:
        try:
            validate_codice_fiscale_persona(candidate)
        except ValidationError:
            continue
        return candidate
    raise CnsError(MSG_CNS_SENZA_CF)


def names_from_certificate(certificate: x509.Certificate) -> tuple[str, str]:
    given = _subject_values(certificate, NameOID.GIVEN_NAME)
    surname = _subject_values(certificate, NameOID.SURNAME)
    return (given[0] if given else "", surname[0] if surname else "")


class CnsBackend(ModelBackend):
    """authenticate(request, cns_certificate=<x509.Certificate>) -> the person of that codice fiscale."""

    def authenticate(self, request, cns_certificate=None, **kwargs):  # type: ignore[override]
        if cns_certificate is None:
            return None
        try:
            codice_fiscale = codice_fiscale_from_certificate(cns_certificate)
        except CnsError:
            return None
        first_name, last_name = names_from_certificate(cns_certificate)
        user = user_from_identity(codice_fiscale=codice_fiscale, first_name=first_name, last_name=last_name)
        return user if self.user_can_authenticate(user) else None
