"""A real SAML2 identity provider for the tests, built with pysaml2, and test certificates.

Keys and certificates are generated here with `cryptography`; the provider signs its responses and
assertions with xmlsec1 exactly as pysaml2 does for a production IdP.
"""

import base64
import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from anagrafica.auth.spid import ATTRIBUTE_MAP_DIR, SPID_L2, sp_metadata
from anagrafica.auth.spid_metadata import build_metadata


def make_certificate(
    subject: list[x509.NameAttribute],
    *,
    key: rsa.RSAPrivateKey | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A self-signed certificate with this subject (RSA 2048, SHA-256)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(tz=dt.UTC)
    name = x509.Name(subject)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - dt.timedelta(days=1))
        .not_valid_after(valid_to or now + dt.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_certificate(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def write_key_pair(folder: Path, stem: str, common_name: str) -> tuple[Path, Path]:
    key, certificate = make_certificate(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Aminder test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    key_file, cert_file = folder / f"{stem}.key", folder / f"{stem}.crt"
    key_file.write_bytes(pem_key(key))
    cert_file.write_bytes(pem_certificate(certificate))
    return key_file, cert_file


MARIO_ROSSI = {
    "fiscalNumber": ["TINIT-RSSMRA80A01L219M"],
    "name": ["Mario"],
    "familyName": ["Rossi"],
    "email": ["mario.rossi@example.it"],
}


class SpidTestIdentityProvider:
    ENTITY_ID = "https://idp.spid.test/metadata"
    SSO_URL = "https://idp.spid.test/sso"
    SLO_URL = "https://idp.spid.test/slo"
    NAME = "IdP SPID di prova"
    CIE = False

    def __init__(self, config_dir: Path):
        """Write the SP key pair into config_dir (unless there), start the IdP, publish its metadata
        to the SP."""
        config_dir.mkdir(parents=True, exist_ok=True)
        if not (config_dir / "sp.key").exists():
            write_key_pair(config_dir, "sp", "aminder-sp")
        (config_dir / "idp-metadata").mkdir(exist_ok=True)
        metadata_of_the_sp = build_metadata(sp_metadata(cie=self.CIE)).decode("utf-8")
        stem = type(self).__name__.lower()
        idp_dir = config_dir / stem
        idp_dir.mkdir(exist_ok=True)
        key_file, cert_file = write_key_pair(idp_dir, "idp", stem)
        config = IdPConfig()
        config.load(
            {
                "entityid": self.ENTITY_ID,
                "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
                "attribute_map_dir": str(ATTRIBUTE_MAP_DIR),
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "metadata": {"inline": [metadata_of_the_sp]},
                "organization": {
                    "name": [(self.NAME, "it")],
                    "display_name": [(self.NAME, "it")],
                    "url": [(self.SSO_URL, "it")],
                },
                "service": {
                    "idp": {
                        "name": self.NAME,
                        "endpoints": {
                            "single_sign_on_service": [
                                (self.SSO_URL, BINDING_HTTP_REDIRECT),
                                (self.SSO_URL, BINDING_HTTP_POST),
                            ],
                            "single_logout_service": [(self.SLO_URL, BINDING_HTTP_REDIRECT)],
                        },
                        "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                        "want_authn_requests_signed": True,
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_BASIC,
                            }
                        },
                    }
                },
            }
        )
        self.server = Server(config=config)
        self.name_id = NameID(
            text="_transient-mario-rossi", format=NAMEID_FORMAT_TRANSIENT, name_qualifier=self.ENTITY_ID
        )
        (config_dir / "idp-metadata" / f"{stem}.xml").write_text(str(entity_descriptor(config)))

    def receive_authn_request(self, redirect_url: str):
        """Parse and verify (signature included) the AuthnRequest the SP redirected the browser with."""
        url = urlparse(redirect_url)
        assert f"{url.scheme}://{url.netloc}{url.path}" == self.SSO_URL
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        return request, query

    def response(
        self,
        authn_request,
        identity=None,
        *,
        signed=True,
        level=SPID_L2,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
        **overrides,
    ) -> dict[str, str]:
        """The POST fields (SAMLResponse, RelayState) the browser carries back to the SP's ACS."""
        request, query = authn_request
        message = request.message
        _binding, destination = self.server.pick_binding(
            "assertion_consumer_service",
            bindings=[BINDING_HTTP_POST],
            entity_id=message.issuer.text,
            request=message,
        )
        destination = overrides.pop("destination", destination)
        name_id = overrides.pop("name_id", self.name_id)
        response = self.server.create_authn_response(
            identity if identity is not None else MARIO_ROSSI,
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=message.issuer.text,
            name_id=name_id,
            userid="mario.rossi",
            session_id="_sessione-di-mario",
            authn={"class_ref": level, "authn_auth": self.ENTITY_ID},
            sign_response=signed,
            sign_assertion=signed,
            sign_alg=sign_alg,
            digest_alg=digest_alg,
            **overrides,
        )
        return {
            "SAMLResponse": base64.b64encode(str(response).encode("utf-8")).decode("ascii"),
            "RelayState": query.get("RelayState", ""),
        }

    def _query(self, url: str, expected_endpoint: str) -> dict[str, str]:
        parsed = urlparse(url)
        assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == expected_endpoint
        return {key: values[0] for key, values in parse_qs(parsed.query).items()}

    def answer_logout_request(self, redirect_url: str) -> str:
        """Verify the SP's LogoutRequest (SP-initiated single logout) and answer it: the URL of the
        SP's single logout service the browser is sent back to."""
        query = self._query(redirect_url, self.SLO_URL)
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.last_logout_request = request.message
        response = self.server.create_logout_response(request.message, [BINDING_HTTP_REDIRECT])
        destination = self.server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=request.message.issuer.text
        )[1]
        http_info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
        )
        return dict(http_info["headers"])["Location"]

    def logout_request(self, sp_entity_id: str) -> str:
        """An IdP-initiated LogoutRequest for Mario Rossi's session: the URL the browser is sent to."""
        destination = self.server.pick_binding(
            "single_logout_service", [BINDING_HTTP_REDIRECT], "spsso", entity_id=sp_entity_id
        )[1]
        _request_id, request = self.server.create_logout_request(
            destination,
            self.ENTITY_ID,
            name_id=self.name_id,
            session_indexes=["_sessione-di-mario"],
            sign=False,
        )
        http_info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT, str(request), destination, "", sign=True, sigalg=SIG_RSA_SHA256
        )
        return dict(http_info["headers"])["Location"]


CIE_MARIO_ROSSI = {
    "fiscalNumber": ["TINIT-RSSMRA80A01L219M"],
    "name": ["Mario"],
    "familyName": ["Rossi"],
    "dateOfBirth": ["1980-01-01"],
}


class CieTestIdentityProvider(SpidTestIdentityProvider):
    """The CIE identity provider's SAML2 interface, as the ministry runs it, with its own keys."""

    ENTITY_ID = settings.CIE_IDP_ENTITY_ID
    SSO_URL = "https://idserver.cie.test/idp/profile/SAML2/Redirect/SSO"
    SLO_URL = "https://idserver.cie.test/idp/profile/SAML2/Redirect/SLO"
    NAME = "CIE - Carta d'Identità Elettronica"
    CIE = True
