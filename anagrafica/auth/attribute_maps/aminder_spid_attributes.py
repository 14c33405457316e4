"""pysaml2 attribute map for the SPID (and CIE) attributes Aminder asks for (SPID technical rules: attribute
names in the `basic` name format). Loaded by pysaml2 from this folder (`attribute_map_dir`)."""

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
    "fro": {
        "fiscalNumber": "fiscalNumber",
        "name": "name",
        "familyName": "familyName",
        "email": "email",
        "spidCode": "spidCode",
        "dateOfBirth": "dateOfBirth",
    },
    "to": {
        "fiscalNumber": "fiscalNumber",
        "name": "name",
        "familyName": "familyName",
        "email": "email",
        "spidCode": "spidCode",
        "dateOfBirth": "dateOfBirth",
    },
}
