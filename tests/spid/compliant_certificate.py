"""Make the service provider's key pair with `spid-compliant-certificates` (Avviso SPID n. 29 v3,
public sector) and validate it with the same package. Run by .venv-spid's Python, not the app's:

    .venv-spid/bin/python tests/spid/compliant_certificate.py OUT_DIR ENTITY_ID

The generator checks the IPA code on indicepa.gov.it, which a closed test network cannot reach: the
offline part of that check (the `PA:IT-<code>` form) still runs; the certificate is the same.
"""

import importlib
import re
import sys
from pathlib import Path

from spid_compliant_certificates.validator.validate import validate

# The package's __init__ re-exports the function `generate` under the module's own name.
generator = importlib.import_module("spid_compliant_certificates.generator.generate")
ORG_ID = "PA:IT-r_piemon"


def offline_validate_arguments(cert_opts: dict) -> None:
    if not re.match(r"^PA:IT-\S{1,11}$", cert_opts["org_id"]):
        raise ValueError(f"organizationIdentifier non valido: {cert_opts['org_id']}")


def main(out_dir: Path, entity_id: str) -> int:
    generator.validate_arguments = offline_validate_arguments
    generator.generate(
        {
            "common_name": "Aminder",
            "days": 30,
            "entity_id": entity_id,
            "locality_name": "Torino",
            "org_id": ORG_ID,
            "org_name": "Regione Piemonte",
            "sector": "public",
        },
        {
            "crt_out": out_dir / "sp.crt",
            "csr_out": out_dir / "sp.csr",
            "key_out": out_dir / "sp.key",
            "key_size": 3072,
            "md_alg": "sha256",
        },
    )
    report = validate(out_dir / "sp.crt", "public")
    for test in report.tests:
        for check in test.checks:
            if not check.is_success():
                print(f"NON CONFORME: {test.description}: {check.description} ({check.value})")
    return 0 if report.is_success() else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
