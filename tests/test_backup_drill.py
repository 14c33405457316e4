"""The backup and restore drill (scripts/backup_drill.py) run for real: pg_dump of the test
database, pg_restore into a new one, counts compared and the register checked in the copy."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from claims.services.domande import domanda_submit
from protocollo.models import RegistrazioneProtocollo
from protocollo.services import protocollo_register_documento, ricevuta_create
from tests.claims.factories import DomandaFactory

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "backup_drill.py"


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def _drill() -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--database-url", _database_url()],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _drill_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [f"{connection.settings_dict['NAME']}_drill_%"],
        )
        return [nome for (nome,) in cursor.fetchall()]


@pytest.fixture
def registro(broker_irraggiungibile):
    """Three domande submitted and registered (numbers 1, 2, 3 of the year) with their receipts."""
    for _ in range(3):
        bozza = DomandaFactory()
        domanda = domanda_submit(actor=bozza.creata_da, domanda=bozza)
        ricevuta_create(registrazione=protocollo_register_documento(domanda))
    return timezone.now().year


def test_drill_restores_a_whole_copy_with_a_contiguous_register(registro):
    risultato = _drill()

    assert risultato.returncode == 0, risultato.stdout + risultato.stderr
    righe = risultato.stdout.splitlines()
    assert righe[-1] == "ESITO: OK"
    assert re.search(r"^claims_registrazioneprotocollo\s+3\s+3$", risultato.stdout, re.M)
    assert re.search(r"^claims_ricevuta\s+3\s+3$", risultato.stdout, re.M)
    assert re.search(r"^claims_domanda\s+3\s+3$", risultato.stdout, re.M)
    assert f"registro {registro}: 3 registrazioni, numeri 1..3, contatore 3" in righe
    assert re.search(r"trigger di sola aggiunta: (\d+) nell'originale, \1 nella copia", risultato.stdout)
    assert _drill_databases() == []  # the copy is dropped


def test_drill_fails_when_the_register_has_a_gap(registro):
    RegistrazioneProtocollo.objects.create(
        anno=registro,
        numero=5,
        registrata_il=timezone.now(),
        tipo_documento="DOMANDA",
        oggetto="Registrazione fuori sequenza",
        impronta="0" * 64,
        codice_verifica="SALTO00005",
    )

    risultato = _drill()

    assert risultato.returncode == 1
    assert f"PROBLEMA: registro {registro}: non contiguo (4 numeri distinti tra 1 e 5)" in risultato.stdout
    assert f"PROBLEMA: registro {registro}: il contatore è a 3, l'ultimo numero è 5" in risultato.stdout
    assert risultato.stdout.splitlines()[-1] == "ESITO: FALLITO"
