"""Nothing lost, nothing numbered twice, with a real Celery worker on Redis and PostgreSQL."""

import os
import re
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone
from sequences import get_last_value

from claims.models import Domanda
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from protocollo.tasks import registra_documento, sweep_outbox
from tests.claims.factories import DomandaFactory
from tests.conftest import broker_giu

from .conftest import ROOT, UNREACHABLE_BROKER_URL, wait_for
from .presenta import presenta

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

N = 30


def ultimo_numero() -> int:
    return get_last_value(f"protocollo-{timezone.localdate().year}") or 0


def registrate(pks: list[int]) -> list[RegistrazioneProtocollo]:
    return list(RegistrazioneProtocollo.objects.filter(domanda__pk__in=pks).order_by("numero"))


def numero_di(pk: int) -> int | None:
    domanda = Domanda.objects.select_related("registrazione").get(pk=pk)
    return domanda.registrazione.numero if domanda.registrazione else None


def ricevuta_inviata(pk: int) -> bool:
    return Ricevuta.objects.filter(registrazione__domanda__pk=pk, inviata_il__isnull=False).exists()


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def in_own_connection(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def test_concurrent_submissions_are_numbered_one_to_n_without_gaps_or_duplicates(celery_worker):
    prima = ultimo_numero()
    pks = [DomandaFactory().pk for _ in range(N)]
    via = threading.Barrier(N)

    @in_own_connection
    def presenta_insieme(pk: int) -> None:
        via.wait()
        presenta(pk)

    with ThreadPoolExecutor(max_workers=N) as pool:
        list(pool.map(presenta_insieme, pks))
    wait_for(lambda: len(registrate(pks)) == N, f"{N} domande protocollate")

    registrazioni = registrate(pks)
    assert [r.numero for r in registrazioni] == list(range(prima + 1, prima + N + 1))
    assert {r.domanda.pk for r in registrazioni} == set(pks)
    # a higher number never carries an earlier time
    assert [r.registrata_il for r in registrazioni] == sorted(r.registrata_il for r in registrazioni)


def test_task_delivered_twice_numbers_once(celery_worker):
    with broker_giu():  # submitted while the broker is down: the test sends the task itself
        domanda = DomandaFactory(presentata=True)
    prima = ultimo_numero()

    registra_documento.delay("DOMANDA", domanda.pk)
    registra_documento.delay("DOMANDA", domanda.pk)

    riusciti = re.compile(r"registra_documento\[[0-9a-f-]+\] succeeded in [0-9.]+s: '(\d{4}/\d{7})'")
    wait_for(lambda: len(riusciti.findall(celery_worker.output())) == 2, "due esecuzioni del task concluse")
    segnature = riusciti.findall(celery_worker.output())
    assert segnature[0] == segnature[1] == f"{timezone.localdate().year}/{prima + 1:07d}"
    assert RegistrazioneProtocollo.objects.count() == 1
    assert ultimo_numero() == prima + 1


def test_submission_with_broker_down_is_saved_and_registered_when_broker_is_back(celery_worker, worker_env):
    domanda = DomandaFactory()

    # A web process whose Redis is down: the submission must commit, quickly, without error.
    offline = {**worker_env, "CELERY_BROKER_URL": UNREACHABLE_BROKER_URL, "REDIS_URL": UNREACHABLE_BROKER_URL}
    esito = subprocess.run(
        [sys.executable, "-m", "tests.worker.presenta", str(domanda.pk)],
        cwd=ROOT, env=offline, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert esito.returncode == 0, esito.stderr
    assert "presentata in" in esito.stdout
    assert "non accodato" in esito.stderr  # logged for the operators
    domanda.refresh_from_db()
    assert domanda.presentata_il is not None
    assert domanda.registrazione is None  # waiting in the outbox

    # The broker is back (the worker listens on it): the beat's sweep publishes the domanda again.
    assert sweep_outbox(older_than_seconds=0)["DOMANDA"] == 1
    wait_for(lambda: numero_di(domanda.pk) is not None, "domanda protocollata dopo la scansione")
    assert RegistrazioneProtocollo.objects.count() == 1


def test_worker_process_killed_mid_task_is_redelivered_and_numbers_once(celery_worker):
    with broker_giu():  # submitted while the broker is down: the test sends the task itself
        domanda = DomandaFactory(presentata=True)
    prima = ultimo_numero()

    with transaction.atomic():
        # Holding the domanda's row lock keeps the task in the middle of its registration.
        Domanda.objects.select_for_update().get(pk=domanda.pk)
        registra_documento.delay("DOMANDA", domanda.pk)
        wait_for(someone_waits_for_a_lock, "il task è in esecuzione")
        for pid in celery_worker.children():
            os.kill(pid, signal.SIGKILL)  # the pool processes, not the worker
        wait_for(
            lambda: "WorkerLostError" in celery_worker.output(), "il worker si accorge del processo perso"
        )

    # Late acknowledgement + reject_on_worker_lost: the message went back to the queue.
    wait_for(lambda: numero_di(domanda.pk) is not None, "domanda protocollata dopo la riconsegna")
    assert numero_di(domanda.pk) == prima + 1
    assert RegistrazioneProtocollo.objects.count() == 1


def test_whole_worker_killed_mid_task_loses_nothing(start_worker):
    with broker_giu():  # submitted while the broker is down: the test sends the task itself
        domanda = DomandaFactory(presentata=True)
    prima = ultimo_numero()
    primo = start_worker()

    with transaction.atomic():
        Domanda.objects.select_for_update().get(pk=domanda.pk)
        registra_documento.delay("DOMANDA", domanda.pk)
        wait_for(someone_waits_for_a_lock, "il task è in esecuzione")
        primo.kill()  # kill -9 of the worker and its pool: nobody gives the message back

    # The registration is one statement, at the server when the worker died: it completes there on its
    # own once the lock is free (numbered, but nobody asks for the receipt), or it dies with its
    # connection (nothing numbered). Either way one sweep publishes what is missing.
    start_worker()
    sweep_outbox(older_than_seconds=0)
    wait_for(
        lambda: ricevuta_inviata(domanda.pk), "domanda protocollata e ricevuta inviata dopo la scansione"
    )
    assert numero_di(domanda.pk) == prima + 1  # one number, no gap
    assert RegistrazioneProtocollo.objects.count() == 1
