"""The SPID profile's checks on an identity provider's response, beyond what pysaml2 checks.

pysaml2 verifies signatures, the status and the request the response answers, but it is lax where the
SPID technical rules (Regole tecniche SPID, and Avviso SPID n. 29) are strict: it accepts a response
without Destination, an assertion without Conditions or Audience, a NameID that is not transient, an
IssueInstant decades away. Everything here runs on the response pysaml2 has already verified, before
anybody is signed in; any failure refuses the sign-in with the reason below (Italian, shown to the
person) and never raises anything else. Developers Italia's `spid-sp-test` crafts one response per
rule (tests/spid/).
"""

import datetime as dt
import re
from dataclasses import dataclass

from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext_lazy as _
from saml2.saml import NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_TRANSIENT, SCM_BEARER

SAML_VERSION = "2.0"
SPID_LEVELS = {
    "https://www.spid.gov.it/SpidL1": 1,
    "https://www.spid.gov.it/SpidL2": 2,
    "https://www.spid.gov.it/SpidL3": 3,
}
MIN_LEVEL = 2
# SHA-1 is refused: SPID asks for SHA-256 or stronger, in signatures and digests.
SIGNATURE_ALGORITHMS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
}
DIGEST_ALGORITHMS = {
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512",
}
XMLDSIG = "{http://www.w3.org/2000/09/xmldsig#}"
# xs:dateTime in UTC as SAML requires it, seconds with optional fractions.
UTC_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")

MSG_VERSIONE = _("La risposta non usa SAML 2.0.")
MSG_ISTANTE = _("La data e l'ora della risposta mancano o non sono plausibili.")
MSG_RICHIESTA = _("La risposta non corrisponde alla richiesta di accesso partita da questo browser.")
MSG_DESTINAZIONE = _("La risposta non è indirizzata a questo servizio.")
MSG_EMITTENTE = _("La risposta non viene dal gestore dell'identità scelto.")
MSG_ASSERZIONE = _("La risposta non contiene un'asserzione d'identità completa.")
MSG_SOGGETTO = _("La risposta non identifica la persona nel modo previsto da SPID.")
MSG_CONFERMA = _("La conferma del soggetto nella risposta non è valida o è scaduta.")
MSG_CONDIZIONI = _(
    "Le condizioni di validità dell'asserzione mancano, sono scadute o non riguardano questo servizio."
)
MSG_LIVELLO_IGNOTO = _("Il livello di autenticazione indicato nella risposta non è previsto da SPID.")
MSG_ATTRIBUTI = _("La risposta non contiene i dati della persona.")
MSG_FIRMA = _("La risposta è firmata con un algoritmo non ammesso (serve SHA-256 o superiore).")


class SpidResponseInvalid(Exception):
    """The response breaks a rule of the SPID profile; `messaggio` says which, in Italian."""

    def __init__(self, messaggio, detail: str = ""):
        super().__init__(f"{messaggio} {detail}".strip())
        self.messaggio = messaggio


class SpidLevelTooLow(SpidResponseInvalid):
    pass


@dataclass(frozen=True)
class RichiestaSpid:
    """What the service provider remembers of an AuthnRequest it sent (in the SAML session)."""

    id: str
    idp: str
    issued_at: float  # epoch seconds, taken just before the request was built


@dataclass(frozen=True)
class Attese:
    """What a valid response must say, besides answering `richiesta`."""

    richiesta: RichiestaSpid
    acs_url: str
    sp_entity_id: str
    now: dt.datetime
    tolerance: dt.timedelta
    assertion_issuer_format_required: bool = True  # SPID yes; CIE may omit it


def _instant(value: str | None, messaggio, detail: str) -> dt.datetime:
    if not value or not UTC_INSTANT.match(value):
        raise SpidResponseInvalid(messaggio, f"{detail}: {value!r}")
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise SpidResponseInvalid(messaggio, f"{detail}: {value!r}") from error


def _require(condition: object, messaggio, detail: str) -> None:
    if not condition:
        raise SpidResponseInvalid(messaggio, detail)


def _check_issue_instant(value: str | None, attese: Attese, what: str) -> None:
    issued = _instant(value, MSG_ISTANTE, f"{what} IssueInstant")
    request_issued = dt.datetime.fromtimestamp(attese.richiesta.issued_at, tz=dt.UTC)
    _require(issued >= request_issued - attese.tolerance, MSG_ISTANTE, f"{what} issued before the request")
    _require(issued <= attese.now + attese.tolerance, MSG_ISTANTE, f"{what} issued in the future")


def _check_issuer(issuer, attese: Attese, what: str, *, format_required: bool) -> None:
    _require(issuer is not None and issuer.text, MSG_EMITTENTE, f"{what} Issuer missing")
    _require(issuer.text.strip() == attese.richiesta.idp, MSG_EMITTENTE, f"{what} Issuer {issuer.text!r}")
    if format_required or issuer.format is not None:
        _require(
            issuer.format == NAMEID_FORMAT_ENTITY, MSG_EMITTENTE, f"{what} Issuer Format {issuer.format!r}"
        )


def _check_signature_algorithms(xml: str | bytes) -> None:
    root = fromstring(xml)
    for method in root.iter(f"{XMLDSIG}SignatureMethod"):
        _require(method.get("Algorithm") in SIGNATURE_ALGORITHMS, MSG_FIRMA, method.get("Algorithm") or "")
    for digest in root.iter(f"{XMLDSIG}DigestMethod"):
        _require(digest.get("Algorithm") in DIGEST_ALGORITHMS, MSG_FIRMA, digest.get("Algorithm") or "")


def _check_response(message, attese: Attese) -> None:
    _require(message.version == SAML_VERSION, MSG_VERSIONE, f"Response Version {message.version!r}")
    _check_issue_instant(message.issue_instant, attese, "Response")
    _require(message.in_response_to == attese.richiesta.id, MSG_RICHIESTA, "Response InResponseTo")
    _require(message.destination == attese.acs_url, MSG_DESTINAZIONE, f"Destination {message.destination!r}")
    _check_issuer(message.issuer, attese, "Response", format_required=False)


def _check_subject(assertion, attese: Attese) -> None:
    subject = assertion.subject
    _require(subject is not None, MSG_SOGGETTO, "Subject missing")
    name_id = subject.name_id
    _require(name_id is not None and (name_id.text or "").strip(), MSG_SOGGETTO, "NameID missing")
    _require(name_id.format == NAMEID_FORMAT_TRANSIENT, MSG_SOGGETTO, f"NameID Format {name_id.format!r}")
    _require(name_id.name_qualifier, MSG_SOGGETTO, "NameID NameQualifier missing")
    confirmations = subject.subject_confirmation or []
    _require(len(confirmations) == 1, MSG_CONFERMA, "one SubjectConfirmation expected")
    confirmation = confirmations[0]
    _require(confirmation.method == SCM_BEARER, MSG_CONFERMA, f"Method {confirmation.method!r}")
    data = confirmation.subject_confirmation_data
    _require(data is not None, MSG_CONFERMA, "SubjectConfirmationData missing")
    _require(data.recipient == attese.acs_url, MSG_CONFERMA, f"Recipient {data.recipient!r}")
    _require(data.in_response_to == attese.richiesta.id, MSG_CONFERMA, "SubjectConfirmationData InResponseTo")
    expires = _instant(data.not_on_or_after, MSG_CONFERMA, "SubjectConfirmationData NotOnOrAfter")
    _require(expires > attese.now - attese.tolerance, MSG_CONFERMA, "SubjectConfirmationData expired")


def _check_conditions(assertion, attese: Attese) -> None:
    conditions = assertion.conditions
    _require(conditions is not None, MSG_CONDIZIONI, "Conditions missing")
    not_before = _instant(conditions.not_before, MSG_CONDIZIONI, "Conditions NotBefore")
    _require(
        not_before <= attese.now + attese.tolerance, MSG_CONDIZIONI, "Conditions NotBefore in the future"
    )
    not_on_or_after = _instant(conditions.not_on_or_after, MSG_CONDIZIONI, "Conditions NotOnOrAfter")
    _require(not_on_or_after > attese.now - attese.tolerance, MSG_CONDIZIONI, "Conditions expired")
    restrictions = conditions.audience_restriction or []
    _require(restrictions, MSG_CONDIZIONI, "AudienceRestriction missing")
    audiences = [(audience.text or "").strip() for r in restrictions for audience in r.audience or []]
    _require(audiences, MSG_CONDIZIONI, "Audience missing")
    _require(all(a == attese.sp_entity_id for a in audiences), MSG_CONDIZIONI, f"Audience {audiences!r}")


def _check_authn_statement(assertion) -> None:
    statements = assertion.authn_statement or []
    _require(statements, MSG_ASSERZIONE, "AuthnStatement missing")
    context = statements[0].authn_context
    _require(context is not None, MSG_ASSERZIONE, "AuthnContext missing")
    class_ref = context.authn_context_class_ref
    level = SPID_LEVELS.get((class_ref.text or "").strip()) if class_ref is not None else None
    if level is None:
        raise SpidResponseInvalid(MSG_LIVELLO_IGNOTO, f"AuthnContextClassRef {class_ref!r}")
    if level < MIN_LEVEL:
        raise SpidLevelTooLow(MSG_LIVELLO_IGNOTO, f"level {level}")


def _check_attributes(assertion) -> None:
    attributes = [a for statement in assertion.attribute_statement or [] for a in statement.attribute or []]
    _require(attributes, MSG_ATTRIBUTI, "no Attribute")


def check_spid_response(authn_response, attese: Attese) -> None:
    """Refuse (SpidResponseInvalid) a response that breaks the SPID profile. `authn_response` is
    pysaml2's AuthnResponse, already verified (signatures, status, outstanding request)."""
    _check_signature_algorithms(authn_response.xmlstr)
    _check_response(authn_response.response, attese)
    assertion = authn_response.assertion
    _require(assertion is not None, MSG_ASSERZIONE, "Assertion missing")
    _require(assertion.id, MSG_ASSERZIONE, "Assertion ID missing")
    _require(assertion.version == SAML_VERSION, MSG_VERSIONE, f"Assertion Version {assertion.version!r}")
    _check_issue_instant(assertion.issue_instant, attese, "Assertion")
    _check_issuer(
        assertion.issuer, attese, "Assertion", format_required=attese.assertion_issuer_format_required
    )
    _check_subject(assertion, attese)
    _check_conditions(assertion, attese)
    _check_authn_statement(assertion)
    _check_attributes(assertion)
