"""`make run` on a fresh machine: the embedded database (SQLite) is migrated from nothing, the demo world
is loaded, the home page answers and a consuntivo file goes through check and confirmation. Every
migration must run on SQLite as well as on PostgreSQL (a data migration written as PostgreSQL's
`UPDATE … FROM` once stopped `make run` at consuntivi 0006), and the upload, written for PostgreSQL's
COPY, must still work there."""

import os
import subprocess
import sys

import pytest

from tests.test_settings import ROOT, SERVICE_VARS

HOME = """
import django; django.setup()
from django.test import Client
r = Client(HTTP_HOST="127.0.0.1").get("/", follow=True)
print(r.status_code); print(r.content.decode())
"""

# The demo's first draft completed and submitted, then three of its workers' hours uploaded as a CSV.
CONSUNTIVO = """
import django; django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from claims.models import Domanda
from claims.services.domande import domanda_submit
from consuntivi.services import caricamento_conferma, caricamento_create
bozza = Domanda.objects.filter(stato="BOZZA").order_by("pk").first()
Domanda.objects.filter(pk=bozza.pk).update(
    referente_telefono="011 5550000", numero_dipendenti=3, dichiara_danno=True,
    dichiara_assenza_altri_ammortizzatori=True, dichiara_veridicita=True,
)
bozza.refresh_from_db()
domanda = domanda_submit(actor=bozza.creata_da, domanda=bozza)
lavoratori = list(domanda.lavoratori.order_by("pk")[:3])
testo = "codice_fiscale;cognome;nome;ore;retribuzione_mensile\\n" + "".join(
    f"{l.codice_fiscale};{l.cognome};{l.nome};8;1500,00\\n" for l in lavoratori
)
caricamento = caricamento_create(
    actor=domanda.creata_da, domanda=domanda, mese=domanda.data_inizio.replace(day=1),
    file=SimpleUploadedFile("ore.csv", testo.encode()),
)
caricamento.refresh_from_db()
print("VERIFICA", caricamento.stato, caricamento.errori)
consuntivo = caricamento_conferma(actor=domanda.creata_da, caricamento=caricamento)
print("INVIO", consuntivo.righe.count(), sum(r.ore for r in consuntivo.righe.all()))
"""


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARS}
    env |= {"DJANGO_SETTINGS_MODULE": "aminder.settings", "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def embedded(tmp_path_factory) -> str:
    """The embedded database, migrated from nothing and with the demo world, as `make run` leaves it."""
    database = str(tmp_path_factory.mktemp("embedded") / "aminder.sqlite3")
    migrate = manage("manage.py", "migrate", "--noinput", database=database)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    demo = manage("manage.py", "demo_data", database=database)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Mondo dimostrativo pronto" in demo.stdout
    return database


def test_the_embedded_database_serves_the_sign_in_page(embedded):
    home = manage("-c", HOME, database=embedded)

    assert home.returncode == 0, home.stderr[-3000:]
    status, _newline, page = home.stdout.partition("\n")
    assert status == "200"
    assert 'lang="it"' in page
    assert "SPID" in page  # "/" leads a visitor to the sign-in page


def test_a_consuntivo_file_is_checked_and_sent_on_the_embedded_database(embedded):
    run = manage("-c", CONSUNTIVO, database=embedded)

    assert run.returncode == 0, run.stderr[-3000:]
    esiti = [riga for riga in run.stdout.splitlines() if riga.startswith(("VERIFICA ", "INVIO "))]
    assert esiti == ["VERIFICA VERIFICATO []", "INVIO 3 24.0"]  # the console e-mails print around them
