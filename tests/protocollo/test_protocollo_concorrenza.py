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
from django.utils import timezone
from sequences import get_last_value

from claims.models import Domanda
from protocollo.services import protocollo_register_documento, protocollo_register_nuova
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
    """A registration that read its clock before waiting for the counter lock, and got the lock after
    midnight, must not carry the old year: it is retried on the new year's counter. (The database
    adds the time the call waited to the caller's clock, a millisecond before midnight here.)"""
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
        orologio.move_to(dt.datetime(2026, 12, 31, 23, 59, 59, 999_000, tzinfo=ROMA))
        secondo = pool.submit(in_own_connection(register), seconda.pk)
        wait_until_someone_waits_for_a_lock()  # waits for the 2026 counter
        time.sleep(0.01)  # the wait outlasts the millisecond left in 2026
        orologio.move_to(dt.datetime(2027, 1, 1, 0, 0, 1, tzinfo=ROMA))
        commit.set()
        assert primo.result(timeout=30) == (2026, 1)
        assert secondo.result(timeout=30) == (2027, 1)

    assert get_last_value("protocollo-2026") == 1  # the retry gave its 2026 number back
    assert Domanda.objects.get(pk=seconda.pk).registrazione.registrata_il == dt.datetime(
        2027, 1, 1, 0, 0, 1, tzinfo=ROMA
    )


def submitted_before_the_fields_existed(domanda: Domanda) -> Domanda:
    Domanda.objects.filter(pk=domanda.pk).update(oggetto_protocollo=None, impronta_dati=None)
    return domanda


@pytest.mark.parametrize("preparata", [True, False], ids=["prepared-at-submission", "prepared-by-register"])
def test_two_workers_racing_on_one_document_number_it_once(preparata):
    """The second waits for the document's row, then finds the first one's registration."""
    domanda = DomandaFactory(presentata=True)
    if not preparata:
        submitted_before_the_fields_existed(domanda)
    numero_preso, commit = threading.Event(), threading.Event()

    @in_own_connection
    def registra_e_attendi() -> tuple[int, bool]:
        with transaction.atomic():
            registrazione, nuova = protocollo_register_nuova(tipo="DOMANDA", pk=domanda.pk)
            numero_preso.set()
            commit.wait(timeout=30)
        return registrazione.pk, nuova

    @in_own_connection
    def registra() -> tuple[int, bool]:
        registrazione, nuova = protocollo_register_nuova(tipo="DOMANDA", pk=domanda.pk)
        return registrazione.pk, nuova

    with ThreadPoolExecutor(max_workers=2) as pool:
        primo = pool.submit(registra_e_attendi)
        numero_preso.wait(timeout=30)
        secondo = pool.submit(registra)
        wait_until_someone_waits_for_a_lock()  # on the document's row
        commit.set()
        (pk_primo, nuova_prima), (pk_secondo, nuova_seconda) = primo.result(30), secondo.result(30)

    assert pk_primo == pk_secondo == Domanda.objects.get(pk=domanda.pk).registrazione_id
    assert (nuova_prima, nuova_seconda) == (True, False)
    assert get_last_value(f"protocollo-{timezone.localdate().year}") == 1
