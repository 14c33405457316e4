"""docker-compose.yml, the image and the lock files agree with each other and with the nginx template.
No Docker engine runs here: Debian's docker-compose renders the file, the tests read the result."""

import re
import shutil
import subprocess

import pytest
import yaml

from .conftest import MAX_BODY, ROOT, TEMPLATE

APP_SERVICES = ("migrate", "web", "worker", "worker-protocollo", "beat")


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", folder)
    shutil.copy(ROOT / ".env.example", folder / ".env")
    result = subprocess.run(
        ["docker-compose", "config"], cwd=folder, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def test_nginx_proxies_to_the_web_service_with_the_paths_it_mounts(compose):
    nginx = compose["nginx"]
    env = nginx["environment"]
    assert env["AMINDER_UPSTREAM"] == "web:8000"
    assert "--bind 0.0.0.0:8000" in " ".join(compose["web"]["command"])
    mounts = {target: source for source, target, _mode in (volume.split(":") for volume in nginx["volumes"])}
    assert mounts["/etc/nginx/templates"].endswith("deploy/nginx")
    assert mounts[env["AMINDER_TLS_DIR"]].endswith("deploy/tls")
    assert set(re.findall(r"\$\{(AMINDER_[A-Z_]+)\}", TEMPLATE.read_text())) <= set(env)


def test_one_body_limit_and_one_trusted_proxy(compose):
    assert compose["nginx"]["environment"]["AMINDER_MAX_BODY"] == MAX_BODY
    nginx_address = compose["nginx"]["networks"]["aminder"]["ipv4_address"]
    for service in APP_SERVICES:
        env = compose[service]["environment"]
        assert env["TRUSTED_PROXIES"] == f"{nginx_address}/32"
        assert env["AMINDER_MODE"] == "production"


def test_every_long_running_service_has_a_health_check(compose):
    for name, service in compose.items():
        if name != "migrate":
            assert service.get("healthcheck", {}).get("test"), name


def test_worker_and_beat_start_after_the_migrations(compose):
    for name in ("web", "worker", "worker-protocollo", "beat"):
        assert compose[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_app_containers_are_read_only_without_privileges(compose):
    for name in (*APP_SERVICES, "nginx"):
        assert compose[name]["read_only"] is True, name
    for name in APP_SERVICES:
        assert compose[name]["cap_drop"] == ["ALL"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nUSER 1000\n" in dockerfile


def test_the_image_installs_the_hashed_lock_and_leaves_secrets_out():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/production.txt" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".env", "var", ".venv", "deploy/tls"} <= set(ignored)


def pins(path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9._-]+)==(\S+)", path.read_text(), re.MULTILINE))


def test_production_and_development_locks_pin_the_same_versions():
    production = pins(ROOT / "requirements" / "production.txt")
    development = pins(ROOT / "requirements" / "development.txt")
    assert {"django", "celery", "gunicorn", "django-health-check", "django-prometheus"} <= set(production)
    assert {name: development[name] for name in production} == production
    assert "--hash=sha256:" in (ROOT / "requirements" / "production.txt").read_text()


def test_every_queue_has_a_worker_and_numbering_has_one_of_its_own(compose):
    from aminder.settings import CELERY_TASK_ROUTES

    queues = {route["queue"] for route in CELERY_TASK_ROUTES.values()} | {"celery"}
    consumed = {
        name: set(service["command"][service["command"].index("-Q") + 1].split(","))
        for name, service in compose.items()
        if "worker" in service.get("command", [])
    }
    assert set().union(*consumed.values()) == queues
    assert consumed["worker-protocollo"] == {"protocollo"}
    assert "protocollo" not in consumed["worker"]
