"""The two modes of the one settings module, checked in fresh interpreters."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    "AMINDER_MODE",
    "AMINDER_PUBLIC_URL",
    "DJANGO_ALLOWED_HOSTS",
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


PRODUCTION = {
    "AMINDER_MODE": "production",
    "DATABASE_URL": "postgres://aminder@127.0.0.1:5432/aminder",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_SECRET_KEY": "x7Qp-3vK9sLm2RtY8wZc4NbH6jFd1GaE5uXo0iVkTqWy_PnMsB",
    "AMINDER_PUBLIC_URL": "https://aminder.regione.example.it",
    "DJANGO_ALLOWED_HOSTS": "aminder.regione.example.it",
}


def test_production_mode_uses_postgresql_and_redis_and_hides_the_dev_sign_in():
    result = run_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["eager"] is False
    assert probe["debug"] is False
    assert probe["dev_login"] is False
    assert probe["cookie_secure"] is True


def test_a_database_url_alone_does_not_make_production_nor_turn_debug_off():
    """The mode is said, never guessed: the tests run PostgreSQL in the embedded mode."""
    result = run_settings(DATABASE_URL="postgres://aminder@127.0.0.1/aminder")
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["debug"] is True


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG deve essere false"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY deve essere un segreto casuale"),
        ({"DJANGO_SECRET_KEY": "change-me"}, "DJANGO_SECRET_KEY deve essere un segreto casuale"),
        ({"AMINDER_PUBLIC_URL": None}, "AMINDER_PUBLIC_URL deve essere l'indirizzo pubblico https"),
        ({"AMINDER_PUBLIC_URL": "http://127.0.0.1:8000"}, "AMINDER_PUBLIC_URL deve essere"),
        ({"DATABASE_URL": None}, "DATABASE_URL deve indicare un database PostgreSQL"),
        ({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL (o REDIS_URL) è obbligatoria"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS è obbligatoria"),
    ],
)
def test_production_mode_refuses_to_start_when_misconfigured(override, message):
    env_vars = {**PRODUCTION, **override}
    result = run_settings(**{k: v for k, v in env_vars.items() if v is not None})
    assert result.returncode != 0
    assert "Configurazione di produzione non valida" in result.stderr
    assert message in result.stderr


def test_an_unknown_mode_is_refused():
    result = run_settings(AMINDER_MODE="services")
    assert result.returncode != 0
    assert "AMINDER_MODE deve essere 'embedded' o 'production'" in result.stderr
