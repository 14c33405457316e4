"""Supply chain (issue 15 item 12): bandit runs in `make lint` and finds nothing left unreviewed;
every dependency is pinned with hashes and installed with --require-hashes."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BANDIT = Path(sys.executable).parent / "bandit"


def _bandit(target: Path) -> list[dict]:
    risultato = subprocess.run(
        [str(BANDIT), "-c", str(ROOT / "pyproject.toml"), "-r", str(target), "-f", "json", "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    return json.loads(risultato.stdout)["results"]


def test_bandit_finds_nothing_unreviewed_in_the_code():
    trovati = _bandit(ROOT)
    assert [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in trovati] == []


def test_bandit_configuration_still_flags_dangerous_code(tmp_path):
    modulo = tmp_path / "app" / "pericoloso.py"
    modulo.parent.mkdir()
    modulo.write_text(
        "import pickle, subprocess\n"
        "def f(cmd, data):\n"
        "    subprocess.call(cmd, shell=True)\n"
        "    return pickle.loads(data), eval(cmd)\n"
    )
    assert {r["test_id"] for r in _bandit(tmp_path)} >= {"B602", "B301", "B307"}


def test_make_lint_runs_bandit_with_the_project_configuration():
    makefile = (ROOT / "Makefile").read_text()
    lint = re.search(r"^lint:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert lint is not None
    assert "$(VENV)/bin/bandit -c pyproject.toml -r ." in lint.group(1)
    assert "bandit" in " ".join(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    )


def _requirements(lock: str) -> list[list[str]]:
    """Each requirement of a pip-compile lock with its continuation lines (hashes, comments)."""
    blocchi: list[list[str]] = []
    for riga in (ROOT / "requirements" / lock).read_text().splitlines():
        if riga and not riga[0].isspace() and not riga.startswith("#"):
            blocchi.append([riga])
        elif blocchi and riga.strip():
            blocchi[-1].append(riga.strip())
    return blocchi


@pytest.mark.parametrize("lock", ["production.txt", "development.txt"])
def test_every_locked_package_is_pinned_with_a_hash(lock):
    requisiti = _requirements(lock)
    assert len(requisiti) > 20
    for requisito in requisiti:
        assert re.fullmatch(r"[A-Za-z0-9._-]+==\S+ \\", requisito[0]), requisito[0]
        assert any(r.startswith("--hash=sha256:") for r in requisito), requisito[0]


def test_every_declared_dependency_is_in_the_production_lock():
    dichiarate = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    bloccate = {
        re.sub(r"[-_.]+", "-", riga.split("==")[0]).lower()
        for riga in (ROOT / "requirements" / "production.txt").read_text().splitlines()
        if "==" in riga
    }
    for dipendenza in dichiarate:
        nome = re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", dipendenza)[0]).lower()
        assert nome in bloccate, dipendenza


def test_installs_require_hashes():
    assert "pip install --require-hashes -r requirements/production.txt" in (ROOT / "Dockerfile").read_text()
    assert (
        "pip install --quiet --require-hashes -r requirements/development.txt"
        in (ROOT / "Makefile").read_text()
    )
