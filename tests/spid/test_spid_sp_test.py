"""Developers Italia's `spid-sp-test` 1.2.18 against the running application, public SP profile with
the extra checks: the metadata, the AuthnRequest, and the whole battery of crafted responses, each of
which the application must accept (HTTP 200 after the sign-in) or refuse (4xx) as the tool expects.
The tool's JSON report is kept in test-artifacts/spid-sp-test/ for AgID's onboarding."""

import json
import shutil
from pathlib import Path

import pytest

from tests.spid.conftest import ROOT, run_tool

pytestmark = [pytest.mark.spid, pytest.mark.django_db(transaction=True)]

ARTIFACTS = ROOT / "test-artifacts" / "spid-sp-test"


def results_by_category(report: dict) -> dict[str, list[dict]]:
    """{"metadata_extra": [...], "authnrequest_extra": [...], "response": [...]}: every check made."""
    return {
        category: [result for results in checks.values() for result in results]
        for category, checks in report["test"]["sp"].items()
    }


def response_test_names() -> list[str]:
    printed = run_tool("spid_sp_test", "--print-responses-settings")
    assert printed.returncode == 0, printed.stderr
    return list(json.loads(printed.stdout))


def run_and_keep_report(spid_sp, tmp_path, name: str, *args: str):
    report_file = tmp_path / "report.json"
    result = spid_sp(*args, "--report_format", "json", "-o", str(report_file))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(report_file, ARTIFACTS / f"{name}.json")
    (ARTIFACTS / f"{name}.txt").write_text(result.stdout + result.stderr)
    checks = results_by_category(json.loads(report_file.read_text()))
    failed = [
        f"{category}: {check['test']} {str(check.get('value', ''))[:200]}"
        for category, results in checks.items()
        for check in results
        if check["result"] != "success"
    ]
    return result, checks, failed


def test_spid_sp_test_passes_metadata_authn_request_and_every_crafted_response(spid_sp, tmp_path):
    result, checks, failed = run_and_keep_report(spid_sp, tmp_path, "spid", "--extra", "--test-response")

    assert failed == []
    assert set(checks) == {"metadata_extra", "authnrequest_extra", "response"}
    assert len(checks["metadata_extra"]) > 80
    assert len(checks["authnrequest_extra"]) > 40
    # One verdict per crafted response: none skipped, whatever the tool's version adds.
    assert len(checks["response"]) == len(response_test_names()) > 100
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "0 failed" in result.stdout + result.stderr


def test_spid_sp_test_passes_the_cie_metadata_and_authn_request(spid_sp, tmp_path, live_server):
    """The CIE federation's profile (cie-sp-public) on /cie/metadata/: contacts, extensions, attributes."""
    result, checks, failed = run_and_keep_report(
        spid_sp,
        tmp_path,
        "cie",
        "--extra",
        "--profile",
        "cie-sp-public",
        "--metadata-url",
        f"{live_server.url}/cie/metadata/",
    )

    assert failed == []
    assert len(checks["metadata_extra"]) > 80
    assert len(checks["authnrequest_extra"]) > 40
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_the_compliant_certificate_is_the_one_in_the_metadata(spid_sp, client, settings):
    """The signing certificate AgID reads in the metadata is the one spid-compliant-certificates made
    and validated (public sector profile: organizationIdentifier PA:IT-<IPA code>, entityID in uri)."""
    certificate = Path(settings.SAML_CONFIG_DIR, "sp.crt").read_text()
    body = "".join(line for line in certificate.splitlines() if "-----" not in line)

    metadata = client.get("/spid/metadata/").content.decode()

    assert body in metadata.replace("\n", "")
