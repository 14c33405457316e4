"""Races on the protocol counter, with real concurrent transactions (threads, each with its own
PostgreSQL connection). Data is committed, so these tests use a transactional database."""

import datetime as dt
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from sequences import get_last_value

from claims.models import Domanda
from protocollo.services import protocollo_register_documento
from tests.claims.factories import DomandaFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("broker_irraggiungibile")]

ROMA = ZoneInfo("Europe/Rome")


def in_own_connection(fn: Callable) -> Callable:
    def run(*args):
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


def wait_until_someone_waits_for_a_lock() -> None:
    """Block until another connection of this database waits on a row lock (no sleeping on luck)."""
    with connection.cursor() as cursor:
        for _ in range(500):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is a snapshot
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("nessuna transazione in attesa del lock")


def register(pk: int) -> tuple[int, int]:
    registrazione = protocollo_register_documento(Domanda.objects.get(pk=pk))
    return registrazione.anno, registrazione.numero


def test_concurrent_registrations_get_consecutive_numbers():
    pks = [DomandaFactory(presentata=True).pk for _ in range(16)]
    start = threading.Barrier(len(pks))

    @in_own_connection
    def registra(pk: int) -> tuple[int, int]:
        start.wait()
        return register(pk)

    with ThreadPoolExecutor(max_workers=len(pks)) as pool:
        risultati = list(pool.map(registra, pks))

    assert sorted(numero for _anno, numero in risultati) == list(range(1, len(pks) + 1))


def test_registration_waiting_behind_a_rolled_back_one_takes_its_number():
    annullata, successiva = DomandaFactory(presentata=True), DomandaFactory(presentata=True)
    numero_preso, rollback = threading.Event(), threading.Event()

    @in_own_connection
    def registra_e_annulla() -> int:
        with transaction.atomic():
            numero = protocollo_register_documento(annullata).numero
            numero_preso.set()
            rollback.wait(timeout=30)
            transaction.set_rollback(True)
        return numero

    with ThreadPoolExecutor(max_workers=2) as pool:
        prima = pool.submit(registra_e_annulla)
        numero_preso.wait(timeout=30)
        seconda = pool.submit(in_own_connection(register), successiva.pk)
        wait_until_someone_waits_for_a_lock()  # the counter row is held by the first transaction
        rollback.set()
        assert prima.result(timeout=30) == 1
        assert seconda.result(timeout=30)[1] == 1  # the number of the rolled-back one: no gap

    assert register(annullata.pk)[1] == 2


def test_year_turning_while_waiting_for_the_counter_numbers_in_the_new_year():
    """A registration that took the year before waiting for the counter lock, and got the lock after
    midnight, must not carry the old year: it is retried on the new year's counter."""
    prima, seconda = DomandaFactory(presentata=True), DomandaFactory(presentata=True)
    numero_preso, commit = threading.Event(), threading.Event()

    @in_own_connection
    def registra_e_attendi() -> tuple[int, int]:
        with transaction.atomic():
            registrazione = protocollo_register_documento(prima)
            numero_preso.set()
            commit.wait(timeout=30)
        return registrazione.anno, registrazione.numero

    with (
        time_machine.travel(dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=ROMA), tick=False) as orologio,
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        primo = pool.submit(registra_e_attendi)
        numero_preso.wait(timeout=30)
        secondo = pool.submit(in_own_connection(register), seconda.pk)
        wait_until_someone_waits_for_a_lock()  # waits for the 2026 counter
        orologio.move_to(dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=ROMA))
        commit.set()
        assert primo.result(timeout=30) == (2026, 1)
        assert secondo.result(timeout=30) == (2027, 1)

    assert get_last_value("protocollo-2026") == 1  # the retry gave its 2026 number back
