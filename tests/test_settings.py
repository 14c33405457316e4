"""The two modes of the one settings module, checked in fresh interpreters."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
    "'engine': settings.DATABASES['default']['ENGINE'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
    "'debug': settings.DEBUG, 'email': settings.EMAIL_BACKEND, 'dev_login': settings.DEV_LOGIN_ENABLED,"
    "'lang': settings.LANGUAGE_CODE, 'tz': settings.TIME_ZONE, 'cookie_secure': settings.SESSION_COOKIE_SECURE}))"
)
SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "EMAIL_URL",
)


def run_settings(**env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env |= {"DJANGO_SETTINGS_MODULE": "aminder.settings", **env_vars}
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_embedded_default_needs_no_environment():
    result = run_settings()
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["eager"] is True
    assert probe["debug"] is True
    assert probe["dev_login"] is True
    assert probe["email"] == "django.core.mail.backends.console.EmailBackend"
    assert (probe["lang"], probe["tz"]) == ("it", "Europe/Rome")


def test_services_mode_uses_postgresql_and_redis_and_hides_the_dev_sign_in():
    result = run_settings(
        DATABASE_URL="postgres://aminder@127.0.0.1:5432/aminder",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        DJANGO_SECRET_KEY="a-real-secret",
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["eager"] is False
    assert probe["debug"] is False
    assert probe["dev_login"] is False
    assert probe["cookie_secure"] is True


def test_dev_sign_in_cannot_be_enabled_in_services_mode_even_with_debug():
    result = run_settings(DATABASE_URL="postgres://aminder@127.0.0.1/aminder", DJANGO_DEBUG="true")
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["debug"] is True
    assert probe["dev_login"] is False


def test_services_mode_refuses_to_start_without_a_secret_key():
    result = run_settings(DATABASE_URL="postgres://aminder@127.0.0.1:5432/aminder")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY è obbligatoria" in result.stderr


def test_docker_compose_file_is_valid(tmp_path):
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
