"""SPID sign-in: SAML2 with djangosaml2 and pysaml2, configured for the SPID profile.

- The pysaml2 configuration is built at each request from the files in settings.SAML_CONFIG_DIR
  (`sp.key`, `sp.crt`, `idp-metadata/*.xml`), so keys and the identity providers' metadata are
  deployment files, never settings or code.
- AuthnRequests are signed (HTTP-Redirect binding), ask for SpidL2 at least (comparison "minimum",
  ForceAuthn as the SPID rules require from level 2) and for the attributes fiscalNumber, name,
  familyName and email.
- The AuthnRequest's Issuer carries NameQualifier and Format entity, and it names the metadata's
  default AssertionConsumerService and AttributeConsumingService by index 0.
- Responses must be signed and the assertions too; an assertion is accepted once only (its id is
  remembered until it expires), only in answer to a request of this browser (no unsolicited
  responses). Then every rule of the SPID profile pysaml2 does not check (spid_checks) must hold,
  SpidL2 or SpidL3 included, before the person is signed in.
- The metadata (spid_metadata) is signed and carries AgID's extensions for a public body.
- Single logout both ways: `/esci/` of a SPID session sends a LogoutRequest to the identity provider
  (SP-initiated); `/spid/ls/` answers the identity provider's LogoutRequest (IdP-initiated).
- The person is found, or created, by codice fiscale (`fiscalNumber` without its `TINIT-` prefix).
"""

import calendar
import datetime as dt
import hashlib
import logging
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

import saml2
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from djangosaml2.backends import Saml2Backend
from djangosaml2.cache import IdentityCache, OutstandingQueriesCache, StateCache
from djangosaml2.utils import available_idps
from djangosaml2.views import (
    AssertionConsumerServiceView,
    LoginView,
    LogoutInitView,
    LogoutView,
    _get_subject_id,
)
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_TRANSIENT, Issuer
from saml2.sigver import verify_redirect_signature
from saml2.time_util import str_to_time
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from anagrafica.services import user_from_identity
from core import cache

from .spid_checks import (
    MSG_RICHIESTA,
    SIGNATURE_ALGORITHMS,
    Attese,
    RichiestaSpid,
    SpidLevelTooLow,
    SpidResponseInvalid,
    check_spid_response,
)
from .spid_metadata import ACS_INDEX, ATTRIBUTE_SET_INDEX, SpMetadata, signed_metadata

logger = logging.getLogger(__name__)

SPID_L2 = "https://www.spid.gov.it/SpidL2"
SPID_L3 = "https://www.spid.gov.it/SpidL3"
ACCEPTED_LEVELS = (SPID_L2, SPID_L3)
SPID_ATTRIBUTES = ["fiscalNumber", "name", "familyName", "email"]
# The CIE identity provider releases these (no e-mail): Manuale operativo CIE, attribute profile.
CIE_ATTRIBUTES = ["fiscalNumber", "name", "familyName", "dateOfBirth"]
ATTRIBUTE_MAP_DIR = Path(__file__).resolve().parent / "attribute_maps"
# In the SAML session (its cookie is SameSite=None, so it comes back with the IdP's cross-site POST).
REQUESTS_KEY = "aminder_spid_requests"
REQUEST_MEMORY_SECONDS = 3600

MSG_SPID_NON_CONFIGURATO = _("L'accesso con SPID non è configurato su questa installazione.")
MSG_SPID_RIFIUTATO = _(
    "L'accesso con SPID non è riuscito: la risposta del gestore dell'identità non è valida, è scaduta "
    "o è già stata usata. Riprovi dall'inizio."
)
MSG_SPID_LIVELLO = _("Per accedere serve un'identità SPID di livello 2 o superiore.")
MSG_SPID_USCITA_RIFIUTATA = _(
    "La richiesta di uscita non è firmata da un gestore dell'identità riconosciuto: la sessione resta aperta."
)
MSG_CIE_NON_CONFIGURATA = _(
    "L'accesso con la Carta d'Identità Elettronica non è configurato su questa installazione."
)


def _paths() -> dict[str, Path]:
    base = Path(settings.SAML_CONFIG_DIR)
    return {"key": base / "sp.key", "cert": base / "sp.crt", "idp_metadata": base / "idp-metadata"}


def _public_url() -> str:
    return settings.AMINDER_PUBLIC_URL.rstrip("/")


def acs_url() -> str:
    return f"{_public_url()}/spid/acs/"


def spid_configured() -> bool:
    paths = _paths()
    return (
        paths["key"].is_file()
        and paths["cert"].is_file()
        and paths["idp_metadata"].is_dir()
        and any(paths["idp_metadata"].glob("*.xml"))
    )


def sp_config_dict() -> dict:
    """The pysaml2 service-provider configuration for the SPID profile."""
    paths = _paths()
    public_url = _public_url()
    return {
        "entityid": settings.SAML_SP_ENTITY_ID,
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "attribute_map_dir": str(ATTRIBUTE_MAP_DIR),
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.SAML_ACCEPTED_TIME_DIFF,
        "key_file": str(paths["key"]),
        "cert_file": str(paths["cert"]),
        "metadata": {"local": [str(paths["idp_metadata"])]},
        "name": settings.SAML_SP_ORGANIZATION,
        "service": {
            "sp": {
                "name": "Aminder",
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "name_id_policy_format": NAMEID_FORMAT_TRANSIENT,
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(), saml2.BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (f"{public_url}/spid/ls/", saml2.BINDING_HTTP_REDIRECT),
                        (f"{public_url}/spid/ls/post/", saml2.BINDING_HTTP_POST),
                    ],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_response_signed": False,  # SPID: the assertion must be signed, the response may be
                "want_assertions_signed": True,
                "allow_unsolicited": False,
                "force_authn": True,
                "requested_authn_context": {
                    "authn_context_class_ref": [SPID_L2],
                    "comparison": "minimum",
                },
                "required_attributes": SPID_ATTRIBUTES,
                "requested_attribute_name_format": NAME_FORMAT_BASIC,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
    }


def sp_config(request=None) -> SPConfig:
    """SAML_CONFIG_LOADER for djangosaml2."""
    conf = SPConfig()
    conf.load(sp_config_dict())
    return conf


def sp_issuer() -> Issuer:
    """SPID wants the SP's Issuer with Format entity and NameQualifier (Regole tecniche, AuthnRequest)."""
    entity_id = settings.SAML_SP_ENTITY_ID
    return Issuer(text=entity_id, format=NAMEID_FORMAT_ENTITY, name_qualifier=entity_id)


class SpidClient(Saml2Client):
    """pysaml2's client, with the SPID Issuer on every message it writes (AuthnRequest, logout)."""

    def _issuer(self, entityid=None):
        return sp_issuer()


def _identity_providers() -> dict[str, str]:
    try:
        return available_idps(sp_config(), langpref="it")
    except Exception:  # a broken deployment file must not take the sign-in page down with it
        logger.exception("Configurazione SPID non leggibile")
        return {}


def spid_identity_providers() -> list[tuple[str, str]]:
    """(entity id, name) of the SPID identity providers in the metadata, for the SPID button, in a
    new random order each time as AgID's button does (no provider is favoured by coming first)."""
    idps = _identity_providers()
    idps.pop(settings.CIE_IDP_ENTITY_ID, None)
    return secrets.SystemRandom().sample(list(idps.items()), k=len(idps))


def cie_configured() -> bool:
    """CIE sign-in is offered when the CIE identity provider's metadata is installed."""
    return spid_configured() and settings.CIE_IDP_ENTITY_ID in _identity_providers()


def is_cie(idp_entity_id: str) -> bool:
    return idp_entity_id == settings.CIE_IDP_ENTITY_ID


class SpidBackend(Saml2Backend):
    """Authentication backend for djangosaml2: the SAML subject is the person with that codice fiscale."""

    def clean_user_main_attribute(self, main_attribute):
        return (main_attribute or "").strip().upper().replace(" ", "")

    def is_authorized(self, attributes, attribute_mapping, idp_entityid, assertion_info, **kwargs) -> bool:
        """Each assertion is accepted once: its id is remembered until it expires (replay)."""
        assertion_id = (assertion_info or {}).get("assertion_id")
        if not assertion_id:
            return False
        timeout = 3600
        not_on_or_after = assertion_info.get("not_on_or_after")
        if not_on_or_after:
            expires = calendar.timegm(str_to_time(not_on_or_after))
            timeout = max(int(expires - time.time()) + settings.SAML_ACCEPTED_TIME_DIFF, 60)
        digest = hashlib.sha256(f"{idp_entityid}\n{assertion_id}".encode()).hexdigest()
        # core.cache: during a Redis outage the ids are remembered in the process (logged), not a 500.
        if not cache.add(f"aminder:spid-assertion:{digest}", 1, timeout):
            logger.warning("Asserzione SPID già usata, rifiutata: %s da %s", assertion_id, idp_entityid)
            return False
        return True

    def get_or_create_user(
        self,
        user_lookup_key,
        user_lookup_value,
        create_unknown_user,
        idp_entityid,
        attributes,
        attribute_mapping,
        request,
    ):
        def first(name: str) -> str:
            values = attributes.get(name) or [""]
            return values[0] or ""

        try:
            user = user_from_identity(
                codice_fiscale=user_lookup_value,
                first_name=first("name"),
                last_name=first("familyName"),
                email=first("email"),
            )
        except ValidationError:
            logger.warning("Codice fiscale non valido nell'asserzione SPID di %s", idp_entityid)
            return None, False
        # user_from_identity already saved the person: nothing left for djangosaml2 to save.
        return user, False


def _not_configured(request):
    return render(
        request, "anagrafica/accesso_errore.html", {"messaggio": MSG_SPID_NON_CONFIGURATO}, status=503
    )


class SpidLoginView(LoginView):
    """Sends the signed AuthnRequest and remembers, per request id, which IdP it went to and when."""

    def load_sso_kwargs(self, sso_kwargs):
        sso_kwargs["issuer"] = sp_issuer()
        sso_kwargs["assertion_consumer_service_index"] = ACS_INDEX
        sso_kwargs["attribute_consuming_service_index"] = ATTRIBUTE_SET_INDEX

    def get(self, request, *args, **kwargs):
        if not spid_configured():
            return _not_configured(request)
        before = set(OutstandingQueriesCache(request.saml_session).outstanding_queries())
        issued_at = time.time() - 1  # IssueInstant has whole seconds
        response = super().get(request, *args, **kwargs)
        sent = set(OutstandingQueriesCache(request.saml_session).outstanding_queries()) - before
        idp = request.GET.get("idp") or next(iter(available_idps(self.conf)), "")
        remembered = {  # an unanswered request is forgotten after an hour
            request_id: sent_to
            for request_id, sent_to in request.saml_session.get(REQUESTS_KEY, {}).items()
            if sent_to["issued_at"] > issued_at - REQUEST_MEMORY_SECONDS
        }
        for request_id in sent:
            remembered[request_id] = {"idp": idp, "issued_at": issued_at}
        request.saml_session[REQUESTS_KEY] = remembered
        return response


class SpidAcsView(AssertionConsumerServiceView):
    def custom_validation(self, response):
        """The SPID profile's rules pysaml2 leaves out (spid_checks), on the verified response."""
        remembered = self.request.saml_session.get(REQUESTS_KEY, {}).get(response.in_response_to or "")
        try:
            if remembered is None:
                raise SpidResponseInvalid(MSG_RICHIESTA, "no AuthnRequest of this browser")
            attese = Attese(
                richiesta=RichiestaSpid(id=response.in_response_to, **remembered),
                acs_url=acs_url(),
                sp_entity_id=settings.SAML_SP_ENTITY_ID,
                now=timezone.now().astimezone(dt.UTC),
                tolerance=dt.timedelta(seconds=settings.SAML_ACCEPTED_TIME_DIFF),
                assertion_issuer_format_required=not is_cie(remembered["idp"]),
            )
            check_spid_response(response, attese)
        except SpidResponseInvalid as error:
            # djangosaml2 turns any validation error into a generic one: remember which it was.
            self.refusal = error
            raise
        requests = self.request.saml_session.get(REQUESTS_KEY, {})
        requests.pop(response.in_response_to, None)  # a request is answered once
        self.request.saml_session[REQUESTS_KEY] = requests

    def post(self, request, *args, **kwargs):
        if not spid_configured():
            return _not_configured(request)
        return super().post(request, *args, **kwargs)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        refusal = getattr(self, "refusal", None)
        if isinstance(refusal, SpidLevelTooLow):
            messaggio, dettaglio = MSG_SPID_LIVELLO, ""
        else:
            messaggio, dettaglio = MSG_SPID_RIFIUTATO, getattr(refusal, "messaggio", "")
        context = {"messaggio": messaggio, "dettaglio": dettaglio}
        return render(request, "anagrafica/accesso_errore.html", context, status=status)


class SpidClientMixin:
    def get_state_client(self, request):
        state = StateCache(request.saml_session)
        client = SpidClient(
            sp_config(request), state_cache=state, identity_cache=IdentityCache(request.saml_session)
        )
        return state, client


class SpidLogoutInitView(SpidClientMixin, LogoutInitView):
    """SP-initiated single logout: reached from /esci/ (a POST) when the session came from SPID."""

    def post(self, request, *args, **kwargs):
        return self.get(request, *args, **kwargs)

    def handle_unsupported_slo_exception(self, request, exception, *args, **kwargs):
        return redirect(settings.LOGOUT_REDIRECT_URL)


class SpidLogoutView(SpidClientMixin, LogoutView):
    """Single logout endpoint: the IdP's LogoutResponse, or its own LogoutRequest (IdP-initiated).

    pysaml2 does not require a service provider's incoming LogoutRequest to be signed, and djangosaml2
    signs the person out whatever the request says: so a forged link could end anybody's session.
    The request must be signed by a known identity provider (query signature for HTTP-Redirect, XML
    signature for HTTP-POST) before djangosaml2 sees it."""

    def do_logout_service(self, request, data, binding, *args, **kwargs):
        if "SAMLRequest" in data and not self._signed_by_a_known_idp(request, data, binding):
            context = {"messaggio": MSG_SPID_USCITA_RIFIUTATA}
            return render(request, "anagrafica/accesso_errore.html", context, status=403)
        return super().do_logout_service(request, data, binding, *args, **kwargs)

    def _signed_by_a_known_idp(self, request, data, binding) -> bool:
        redirect_binding = binding == saml2.BINDING_HTTP_REDIRECT
        if redirect_binding and not (data.get("SigAlg") and data.get("Signature")):
            return False
        _state, client = self.get_state_client(request)
        try:
            parsed = client.parse_logout_request(
                data["SAMLRequest"],
                binding,
                relay_state=data.get("RelayState"),
                sigalg=data.get("SigAlg"),
                signature=data.get("Signature"),
            )
        except Exception:  # any parsing or signature failure is a refusal, never a 500
            logger.warning("LogoutRequest SPID non valida o non firmata", exc_info=True)
            return False
        if parsed is None or parsed.message.issuer is None:
            return False
        if not redirect_binding:
            return parsed.message.signature is not None  # pysaml2 verified it while parsing
        return _query_signature_valid(client, data, idp=parsed.message.issuer.text)


def _query_signature_valid(client, data, *, idp: str) -> bool:
    """HTTP-Redirect binding: the query string's signature, by one of the IdP's signing certificates."""
    if data["SigAlg"] not in SIGNATURE_ALGORITHMS:
        return False
    message = {key: data[key] for key in ("SAMLRequest", "RelayState", "SigAlg", "Signature") if key in data}
    certificates = client.metadata.certs(idp, "idpsso", use="signing")
    try:
        return any(
            verify_redirect_signature(message, client.sec.sec_backend, cert) for _name, cert in certificates
        )
    except Exception:
        logger.warning("Firma della LogoutRequest SPID non verificabile", exc_info=True)
        return False


def spid_session_active(request) -> bool:
    return request.user.is_authenticated and _get_subject_id(request.saml_session) is not None


def logout_view(request):
    """Sign-out (POST): a SPID session ends at its identity provider too (single logout)."""
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    if spid_configured() and spid_session_active(request):
        return SpidLogoutInitView.as_view()(request)
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def sp_metadata(*, cie: bool = False) -> SpMetadata:
    """What the metadata says (for SPID, or for the CIE federation), from the settings and the SP's
    certificate."""
    return SpMetadata(
        entity_id=settings.SAML_SP_ENTITY_ID,
        public_url=_public_url(),
        organization=settings.SAML_SP_ORGANIZATION,
        ipa_code=settings.SAML_SP_IPA_CODE,
        contact_email=settings.SAML_SP_CONTACT_EMAIL,
        contact_phone=settings.SAML_SP_CONTACT_PHONE,
        certificate_pem=_paths()["cert"].read_text(),
        attributes=CIE_ATTRIBUTES if cie else SPID_ATTRIBUTES,
        municipality=settings.SAML_SP_MUNICIPALITY,
        cie=cie,
    )


class SpidMetadataView(View):
    """The service provider's metadata (AgID profile for a public body, or the CIE federation's with
    `cie=True`), signed with its key."""

    cie = False

    def get(self, request, *args, **kwargs):
        if not spid_configured():
            return HttpResponse(str(MSG_SPID_NON_CONFIGURATO), status=503, content_type="text/plain")
        xml = signed_metadata(sp_metadata(cie=self.cie), sp_config())
        return HttpResponse(content=xml, content_type="application/samlmetadata+xml")


def cie_login(request):
    """ "Entra con CIE": the same SAML2 sign-in, addressed to the CIE identity provider."""
    if not cie_configured():
        return render(
            request, "anagrafica/accesso_errore.html", {"messaggio": MSG_CIE_NON_CONFIGURATA}, status=503
        )
    query = {"idp": settings.CIE_IDP_ENTITY_ID}
    if request.GET.get("next"):
        query["next"] = request.GET["next"]
    return redirect(f"{reverse('anagrafica:spid_login')}?{urlencode(query)}")
