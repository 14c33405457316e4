"""The production mode boots for real: gunicorn, a Celery worker and beat on PostgreSQL and Redis,
behind nginx. The stack answers its health endpoint, takes a domanda and registers it."""

import re
import subprocess
import sys

import pytest
import requests

from tests.anagrafica.factories import api_key_for
from tests.claims.factories import DomandaFactory
from tests.worker.conftest import Worker, wait_for

from .conftest import ROOT, Server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def worker_and_beat(production_env, tmp_path):
    worker = Worker(production_env, tmp_path / "worker.log").start()
    beat = Server(
        [sys.executable, "-m", "celery", "-A", "aminder", "beat", "--loglevel=INFO",
         f"--schedule={tmp_path / 'celerybeat-schedule'}"],
        production_env, tmp_path / "beat.log",
    )  # fmt: skip
    try:
        wait_for(lambda: "beat: Starting..." in beat.output() or not beat.running(), "beat non è partito", 60)
        assert beat.running(), beat.output()
        yield worker, beat
    finally:
        beat.stop()
        worker.stop()


def test_the_production_stack_is_healthy_and_registers_a_domanda(
    gunicorn, nginx, worker_and_beat, production_env
):
    health = requests.get(f"{gunicorn.url}/health/", headers={"Accept": "application/json"}, timeout=30)
    assert health.status_code == 200, health.text
    checks = health.json()
    assert any(name.startswith("Database") for name in checks)
    assert any(name.startswith("Ping") for name in checks)  # a Celery worker answered
    assert set(checks.values()) == {"OK"}
    assert requests.get(f"{gunicorn.url}/health/ready/", timeout=30).status_code == 200
    # The compose health check of the web container, with the allowed host name it sends.
    probe = [sys.executable, "deploy/healthcheck.py", f"{gunicorn.url}/health/ready/"]
    assert subprocess.run(probe, cwd=ROOT, env=production_env, timeout=30, check=False).returncode == 0

    domanda = DomandaFactory()
    api = requests.Session()
    api.trust_env = False
    api.verify = str(nginx.pki.path("cns-ca.crt"))
    api.headers["Authorization"] = f"Token {api_key_for(domanda.creata_da)}"
    url = f"{nginx.url}/api/v1/domande/{domanda.pk}/"

    submitted = api.post(f"{url}presenta/", timeout=30)
    assert submitted.status_code == 200, submitted.text
    assert "no-store" in submitted.headers["Cache-Control"]
    assert submitted.json()["stato"] == "PRESENTATA"

    wait_for(
        lambda: api.get(url, timeout=10).json()["protocollo"], "la domanda non ha ricevuto il protocollo", 60
    )
    assert re.fullmatch(r"\d{4}/\d{7}", api.get(url, timeout=10).json()["protocollo"])
    wait_for(
        lambda: api.get(f"{url}ricevuta/", timeout=30).status_code == 200, "la ricevuta non è pronta", 90
    )
    receipt = api.get(f"{url}ricevuta/", timeout=30)
    assert receipt.headers["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF-")
    assert "no-store" in receipt.headers["Cache-Control"]  # a worker's data: no disk cache, no proxy
    _, beat = worker_and_beat
    assert beat.running()
