"""deploy/refresh-cns-crl.sh: the CNS revocation lists nginx checks, fetched and verified."""

import shutil
import subprocess

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .conftest import ROOT, make_ca

SCRIPT = ROOT / "deploy" / "refresh-cns-crl.sh"


def publish_crl(pki, folder, name) -> str:
    """The issuer's CRL as it publishes it: DER, at a URL (here a file:// one)."""
    pem = x509.load_pem_x509_crl(pki.path("cns-crl.pem").read_bytes())
    (folder / name).write_bytes(pem.public_bytes(serialization.Encoding.DER))
    return f"file://{folder / name}"


def refresh(tls):
    return subprocess.run(
        ["sh", str(SCRIPT), str(tls)], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_crl_is_fetched_verified_and_replaced(pki, tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir()
    shutil.copy(pki.path("cns-ca.pem"), tls / "cns-ca.pem")
    (tls / "cns-crl-urls.txt").write_text(f"# CA di prova\n{publish_crl(pki, tmp_path, 'ca.crl')}\n")
    result = refresh(tls)
    assert result.returncode == 0, result.stderr
    crl = x509.load_pem_x509_crl((tls / "cns-crl.pem").read_bytes())
    revoked = x509.load_pem_x509_certificate(pki.path("revocata.crt").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(revoked.serial_number) is not None
    assert crl.is_signature_valid(pki.ca.public_key())


def test_a_crl_of_another_issuer_is_refused_and_the_old_one_kept(pki, tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir()
    shutil.copy(pki.path("cns-ca.pem"), tls / "cns-ca.pem")
    (tls / "cns-crl.pem").write_text("old")
    forger = make_ca(tmp_path, "forger", "Altro emittente")
    forger.revoke()
    (tls / "cns-crl-urls.txt").write_text(publish_crl(forger, tmp_path, "forged.crl") + "\n")
    result = refresh(tls)
    assert result.returncode != 0
    assert "CRL non verificata" in result.stderr
    assert (tls / "cns-crl.pem").read_text() == "old"
