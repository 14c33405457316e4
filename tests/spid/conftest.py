"""Harness for Developers Italia's validator of SPID/CIE service providers, `spid-sp-test`.

The tool pins libraries that clash with the app's, so it lives in its own venv (`.venv-spid`, built
by the Makefile from requirements-spid.txt) and runs as a subprocess against pytest-django's live
server. `SPID_SP_TEST` names its executable (the Makefile sets it).

Keys are made at test time: the service provider's with `spid-compliant-certificates` (the AgID
profile of Avviso SPID n. 29 v3); the tool signs its crafted responses with its own test identity
provider, whose metadata (`spid_sp_test --idp-metadata`) the application is told to trust.
"""

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPID_VENV_BIN = ROOT / ".venv-spid" / "bin"
TOOL_IDP_ENTITY_ID = "https://localhost:8443"


def spid_tool(name: str) -> Path:
    executable = Path(os.environ.get("SPID_SP_TEST", SPID_VENV_BIN / "spid_sp_test")).parent / name
    if not executable.is_file():
        pytest.fail(f"{executable} non c'è: lanciare i test con `make test` (costruisce .venv-spid)")
    return executable


def run_tool(name: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(spid_tool(name)), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def make_compliant_certificate(folder: Path, *, entity_id: str) -> None:
    """sp.key and sp.crt as AgID wants them for a public body, validated by the same package."""
    folder.mkdir(parents=True, exist_ok=True)
    script = Path(__file__).parent / "compliant_certificate.py"
    result = run_tool("python", str(script), str(folder), entity_id)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def spid_sp(settings, tmp_path, live_server) -> Callable[..., subprocess.CompletedProcess]:
    """The application served by the live server as a SPID service provider trusting the tool's IdP;
    returns a function running spid_sp_test with the metadata and sign-in URLs filled in."""
    public_url = live_server.url
    settings.AMINDER_PUBLIC_URL = public_url
    settings.SAML_SP_ENTITY_ID = f"{public_url}/spid/metadata/"
    settings.SAML_SP_CONTACT_EMAIL = "spid@regione.piemonte.it"
    settings.SAML_SP_CONTACT_PHONE = "+390114321111"
    # The tool's HTTP client (python-requests) does not send Secure cookies over http://.
    settings.SESSION_COOKIE_SECURE = False
    settings.SAML_CONFIG_DIR = tmp_path / "saml"
    make_compliant_certificate(settings.SAML_CONFIG_DIR, entity_id=settings.SAML_SP_ENTITY_ID)
    idp_metadata = run_tool("spid_sp_test", "--idp-metadata")
    assert idp_metadata.returncode == 0, idp_metadata.stderr
    (settings.SAML_CONFIG_DIR / "idp-metadata").mkdir()
    (settings.SAML_CONFIG_DIR / "idp-metadata" / "spid-sp-test.xml").write_text(idp_metadata.stdout)

    def run(*args: str) -> subprocess.CompletedProcess:
        """The tool on the SPID metadata and sign-in URL, public SP profile; later arguments win."""
        return run_tool(
            "spid_sp_test",
            "--metadata-url", f"{public_url}/spid/metadata/",
            "--authn-url", f"{public_url}/spid/login/?idp={TOOL_IDP_ENTITY_ID}",
            "--profile", "spid-sp-public",
            "--debug", "ERROR",
            *args,
        )  # fmt: skip

    return run
