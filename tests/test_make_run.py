"""`make run` on a fresh machine: the embedded database (SQLite) is migrated from nothing, the demo world
is loaded, and the home page answers. Every migration must run on SQLite as well as on PostgreSQL (a
data migration written as PostgreSQL's `UPDATE … FROM` once stopped `make run` at consuntivi 0006)."""

import os
import subprocess
import sys

from tests.test_settings import ROOT, SERVICE_VARS

HOME = (
    "import django; django.setup(); from django.test import Client; "
    "r = Client(HTTP_HOST='127.0.0.1').get('/', follow=True); print(r.status_code); print(r.content.decode())"
)


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env |= {"DJANGO_SETTINGS_MODULE": "aminder.settings", "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_embedded_database_migrates_from_nothing_and_serves_the_demo(tmp_path):
    database = tmp_path / "aminder.sqlite3"

    migrate = manage("manage.py", "migrate", "--noinput", database=str(database))
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    demo = manage("manage.py", "demo_data", database=str(database))
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Mondo dimostrativo pronto" in demo.stdout

    home = manage("-c", HOME, database=str(database))
    assert home.returncode == 0, home.stderr[-3000:]
    status, _newline, page = home.stdout.partition("\n")
    assert status == "200"
    assert 'lang="it"' in page
    assert "SPID" in page  # "/" leads a visitor to the sign-in page
