"""The service provider's metadata as AgID requires it for a public body (Regole tecniche SPID,
Avviso SPID n. 29 v3), signed with the SP's key; and its twin for the CIE federation (Manuale
operativo CIE per i fornitori di servizi: the same SP, with the ministry's contact extensions).

pysaml2's metadata writer knows nothing of the SPID extensions (ContactPerson with spid:IPACode and
spid:Public) nor of the indexes AgID wants (default AssertionConsumerService and
AttributeConsumingService with index 0), so the document is written here with ElementTree and signed
by xmlsec1 through pysaml2's security context, the same signer the AuthnRequests use.
"""

# ElementTree builds our own document; every parse goes through defusedxml.
import xml.etree.ElementTree as etree  # nosec B405
from dataclasses import dataclass

from defusedxml import ElementTree as defused_etree
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.sigver import pre_signature_part, security_context
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SPID = "https://spid.gov.it/saml-extensions"
CIE = "https://www.cartaidentita.interno.gov.it/saml-extensions"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
# The AuthnRequest names both by index (AssertionConsumerServiceIndex, AttributeConsumingServiceIndex).
ACS_INDEX = "0"
DESCRIPTOR_ID = "_aminder-spid-sp-metadata"
ATTRIBUTE_SET_INDEX = "0"
for _prefix, _uri in (("md", MD), ("ds", DS), ("spid", SPID), ("cie", CIE)):
    etree.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class SpMetadata:
    entity_id: str
    public_url: str
    organization: str
    ipa_code: str
    contact_email: str
    contact_phone: str
    certificate_pem: str
    attributes: list[str]
    municipality: str = ""  # ISTAT code of the body's seat, for CIE
    cie: bool = False
    acs_path: str = "/spid/acs/"
    slo_path: str = "/spid/ls/"
    slo_post_path: str = "/spid/ls/post/"


def _md(parent, tag: str, text: str | None = None, **attrib: str):
    element = etree.SubElement(parent, f"{{{MD}}}{tag}", attrib)
    if text is not None:
        element.text = text
    return element


def _certificate_body(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if "-----" not in line)


def _sp_sso_descriptor(root, sp: SpMetadata) -> None:
    sso = _md(
        root,
        "SPSSODescriptor",
        protocolSupportEnumeration=PROTOCOL,
        AuthnRequestsSigned="true",
        WantAssertionsSigned="true",
    )
    key = _md(sso, "KeyDescriptor", use="signing")
    x509 = etree.SubElement(etree.SubElement(key, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
    etree.SubElement(x509, f"{{{DS}}}X509Certificate").text = _certificate_body(sp.certificate_pem)
    url = sp.public_url.rstrip("/")
    _md(sso, "SingleLogoutService", Binding=BINDING_HTTP_POST, Location=f"{url}{sp.slo_post_path}")
    _md(sso, "SingleLogoutService", Binding=BINDING_HTTP_REDIRECT, Location=f"{url}{sp.slo_path}")
    _md(sso, "NameIDFormat", NAMEID_FORMAT_TRANSIENT)
    _md(
        sso,
        "AssertionConsumerService",
        Binding=BINDING_HTTP_POST,
        Location=f"{url}{sp.acs_path}",
        index=ACS_INDEX,
        isDefault="true",
    )
    attribute_set = _md(sso, "AttributeConsumingService", index=ATTRIBUTE_SET_INDEX)
    _md(attribute_set, "ServiceName", "Aminder").set(XML_LANG, "it")
    for name in sp.attributes:
        _md(attribute_set, "RequestedAttribute", Name=name, isRequired="true")


def _organization(root, sp: SpMetadata) -> None:
    organization = _md(root, "Organization")
    for tag, value in (
        ("OrganizationName", sp.organization),
        ("OrganizationDisplayName", sp.organization),
        ("OrganizationURL", sp.public_url),
    ):
        _md(organization, tag, value).set(XML_LANG, "it")


def _contact(root, sp: SpMetadata) -> None:
    """AgID's contact for a public body: its IPA code and the empty spid:Public marker."""
    contact = _md(root, "ContactPerson", contactType="other")
    extensions = _md(contact, "Extensions")
    etree.SubElement(extensions, f"{{{SPID}}}IPACode").text = sp.ipa_code
    etree.SubElement(extensions, f"{{{SPID}}}Public")
    _md(contact, "EmailAddress", sp.contact_email)
    if sp.contact_phone:
        _md(contact, "TelephoneNumber", sp.contact_phone.replace(" ", ""))


def _cie_contacts(root, sp: SpMetadata) -> None:
    """The CIE federation's contacts: administrative (the body, with its IPA code) and technical."""
    for contact_type in ("administrative", "technical"):
        contact = _md(root, "ContactPerson", contactType=contact_type)
        extensions = _md(contact, "Extensions")
        etree.SubElement(extensions, f"{{{CIE}}}Public")
        if contact_type == "administrative":
            etree.SubElement(extensions, f"{{{CIE}}}IPACode").text = sp.ipa_code
        etree.SubElement(extensions, f"{{{CIE}}}Municipality").text = sp.municipality
        _md(contact, "Company", sp.organization)
        _md(contact, "EmailAddress", sp.contact_email)
        if sp.contact_phone:
            _md(contact, "TelephoneNumber", sp.contact_phone.replace(" ", ""))


def build_metadata(sp: SpMetadata) -> bytes:
    """The unsigned EntityDescriptor, with an empty Signature template where xmlsec1 fills it."""
    root = etree.Element(f"{{{MD}}}EntityDescriptor", {"entityID": sp.entity_id, "ID": DESCRIPTOR_ID})
    signature = pre_signature_part(DESCRIPTOR_ID, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256)
    signature_element = defused_etree.fromstring(str(signature))
    x509 = etree.SubElement(etree.SubElement(signature_element, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
    etree.SubElement(x509, f"{{{DS}}}X509Certificate").text = _certificate_body(sp.certificate_pem)
    root.append(signature_element)
    _sp_sso_descriptor(root, sp)
    _organization(root, sp)
    if sp.cie:
        _cie_contacts(root, sp)
    else:
        _contact(root, sp)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def signed_metadata(sp: SpMetadata, sp_config) -> bytes:
    """The metadata signed with the SP's key (SPID: RSA-SHA256, enveloped signature)."""
    signed = security_context(sp_config).sign_statement(
        build_metadata(sp).decode("utf-8"), node_name=f"{MD}:EntityDescriptor", node_id=DESCRIPTOR_ID
    )
    return signed.encode("utf-8") if isinstance(signed, str) else signed
