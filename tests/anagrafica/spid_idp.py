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

    def __init__(self, config_dir: Path):
        """Write the SP key pair into config_dir, start the IdP, publish its metadata to the SP."""
        config_dir.mkdir(parents=True, exist_ok=True)
        write_key_pair(config_dir, "sp", "aminder-sp")
        (config_dir / "idp-metadata").mkdir(exist_ok=True)
        metadata_of_the_sp = build_metadata(sp_metadata()).decode("utf-8")
        idp_dir = config_dir / "test-idp"
        idp_dir.mkdir(exist_ok=True)
        key_file, cert_file = write_key_pair(idp_dir, "idp", "spid-test-idp")
        config = IdPConfig()
        config.load(
            {
                "entityid": self.ENTITY_ID,
                "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
                "attribute_map_dir": str(ATTRIBUTE_MAP_DIR),
                "key_file": str(key_file),
                "cert_file": str(cert_file),
                "metadata": {"inline": [metadata_of_the_sp]},
                "service": {
                    "idp": {
                        "name": "IdP SPID di prova",
                        "endpoints": {
                            "single_sign_on_service": [
                                (self.SSO_URL, BINDING_HTTP_REDIRECT),
                                (self.SSO_URL, BINDING_HTTP_POST),
                            ]
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
        (config_dir / "idp-metadata" / "test-idp.xml").write_text(str(entity_descriptor(config)))

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
        response = self.server.create_authn_response(
            identity if identity is not None else MARIO_ROSSI,
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=message.issuer.text,
            name_id=NameID(
                text="_transient-mario-rossi",
                format=NAMEID_FORMAT_TRANSIENT,
                name_qualifier=self.ENTITY_ID,
            ),
            userid="mario.rossi",
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
