"""SPID sign-in: SAML2 with djangosaml2 and pysaml2, configured for the SPID profile.

- The pysaml2 configuration is built at each request from the files in settings.SAML_CONFIG_DIR
  (`sp.key`, `sp.crt`, `idp-metadata/*.xml`), so keys and the identity providers' metadata are
  deployment files, never settings or code.
- AuthnRequests are signed (HTTP-Redirect binding), ask for SpidL2 at least (comparison "minimum",
  ForceAuthn as the SPID rules require from level 2) and for the attributes fiscalNumber, name,
  familyName and email.
- Responses must be signed and the assertions too; an assertion is accepted once only (its id is
  remembered until it expires), only in answer to a request of this browser (no unsolicited
  responses), and only with an authentication level of SpidL2 or SpidL3.
- The person is found, or created, by codice fiscale (`fiscalNumber` without its `TINIT-` prefix).
"""

import calendar
import hashlib
import logging
import time
from pathlib import Path

import saml2
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from djangosaml2.backends import Saml2Backend
from djangosaml2.utils import available_idps
from djangosaml2.views import AssertionConsumerServiceView, LoginView, MetadataView
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT
from saml2.sigver import security_context
from saml2.time_util import str_to_time
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from anagrafica.services import user_from_identity

logger = logging.getLogger(__name__)

SPID_L2 = "https://www.spid.gov.it/SpidL2"
SPID_L3 = "https://www.spid.gov.it/SpidL3"
ACCEPTED_LEVELS = (SPID_L2, SPID_L3)
SPID_ATTRIBUTES = ["fiscalNumber", "name", "familyName", "email"]
ATTRIBUTE_MAP_DIR = Path(__file__).resolve().parent / "attribute_maps"

MSG_SPID_NON_CONFIGURATO = _("L'accesso con SPID non è configurato su questa installazione.")
MSG_SPID_RIFIUTATO = _(
    "L'accesso con SPID non è riuscito: la risposta del gestore dell'identità non è valida, è scaduta "
    "o è già stata usata. Riprovi dall'inizio."
)
MSG_SPID_LIVELLO = _("Per accedere serve un'identità SPID di livello 2 o superiore.")


class SpidLevelTooLow(Exception):
    pass


def _paths() -> dict[str, Path]:
    base = Path(settings.SAML_CONFIG_DIR)
    return {"key": base / "sp.key", "cert": base / "sp.crt", "idp_metadata": base / "idp-metadata"}


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
    public_url = settings.AMINDER_PUBLIC_URL.rstrip("/")
    config: dict = {
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
                    "assertion_consumer_service": [(f"{public_url}/spid/acs/", saml2.BINDING_HTTP_POST)],
                },
                "authn_requests_signed": True,
                "want_response_signed": True,
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
        "organization": {
            "name": [(settings.SAML_SP_ORGANIZATION, "it")],
            "display_name": [(settings.SAML_SP_ORGANIZATION, "it")],
            "url": [(public_url, "it")],
        },
    }
    if settings.SAML_SP_CONTACT_EMAIL:
        config["contact_person"] = [
            {"contact_type": "other", "email_address": settings.SAML_SP_CONTACT_EMAIL}
        ]
    return config


def sp_config(request=None) -> SPConfig:
    """SAML_CONFIG_LOADER for djangosaml2."""
    conf = SPConfig()
    conf.load(sp_config_dict())
    return conf


def spid_identity_providers() -> list[tuple[str, str]]:
    """(entity id, name) of the identity providers in the metadata, for the SPID button."""
    try:
        idps = available_idps(sp_config(), langpref="it")
    except Exception:  # a broken deployment file must not take the sign-in page down with it
        logger.exception("Configurazione SPID non leggibile")
        return []
    return sorted(idps.items(), key=lambda item: (item[1] or item[0]).casefold())


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


class SpidLoginView(LoginView):
    def get(self, request, *args, **kwargs):
        if not spid_configured():
            return render(
                request, "anagrafica/accesso_errore.html", {"messaggio": MSG_SPID_NON_CONFIGURATO}, status=503
            )
        return super().get(request, *args, **kwargs)


class SpidAcsView(AssertionConsumerServiceView):
    def custom_validation(self, response):
        levels = [authn_class for authn_class, _authorities, _instant in response.authn_info()]
        if not any(level in ACCEPTED_LEVELS for level in levels):
            # djangosaml2 turns any validation error into a generic one: remember which it was.
            self.level_too_low = True
            raise SpidLevelTooLow(levels)

    def post(self, request, *args, **kwargs):
        if not spid_configured():
            return render(
                request, "anagrafica/accesso_errore.html", {"messaggio": MSG_SPID_NON_CONFIGURATO}, status=503
            )
        return super().post(request, *args, **kwargs)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):
        messaggio = MSG_SPID_LIVELLO if getattr(self, "level_too_low", False) else MSG_SPID_RIFIUTATO
        return render(request, "anagrafica/accesso_errore.html", {"messaggio": messaggio}, status=status)


class SpidMetadataView(MetadataView):
    """The service provider's metadata, signed with its key as the SPID rules require."""

    def get(self, request, *args, **kwargs):
        if not spid_configured():
            return HttpResponse(str(MSG_SPID_NON_CONFIGURATO), status=503, content_type="text/plain")
        conf = self.get_sp_config(request)
        descriptor = entity_descriptor(conf)
        _descriptor, xml = sign_entity_descriptor(
            descriptor, None, security_context(conf), sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256
        )
        return HttpResponse(content=xml.encode("utf-8"), content_type="application/samlmetadata+xml")
