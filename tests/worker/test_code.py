"""Numbering has a queue of its own: a registration is numbered while the receipts and uploads queues
hold a long backlog that a busy worker is working through. And the receipts worker warms its renderer
when each process starts, not on the first receipt."""

import pytest
import redis
from django.utils import timezone

from claims.models import Domanda
from consuntivi.tasks import caricamento_process_task
from protocollo.tasks import genera_ricevuta
from tests.claims.factories import DomandaFactory

from .conftest import BROKER_URL, wait_for
from .presenta import presenta

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BACKLOG = 1500


def in_coda(nome: str) -> int:
    return redis.Redis.from_url(BROKER_URL).llen(nome)


def test_a_registration_is_numbered_while_receipts_and_uploads_are_backed_up(start_worker):
    for _ in range(BACKLOG):  # ids that do not exist: each one costs the worker a failed task
        genera_ricevuta.delay(2**62)
        caricamento_process_task.delay(2**62)
    start_worker(queues="ricevute,caricamenti,celery", concurrency=1)
    start_worker(queues="protocollo", concurrency=1)
    domanda = DomandaFactory()

    presenta(domanda.pk)
    wait_for(
        lambda: Domanda.objects.get(pk=domanda.pk).registrazione_id is not None, "domanda protocollata", 30
    )

    # Numbered while both other queues were still far from empty.
    assert in_coda("ricevute") > BACKLOG // 3
    assert in_coda("caricamenti") > BACKLOG // 3
    assert Domanda.objects.get(pk=domanda.pk).protocollo.startswith(f"{timezone.localdate().year}/")


def test_receipt_worker_processes_warm_the_renderer_at_start_and_the_numbering_worker_does_not(start_worker):
    ricevute = start_worker(queues="ricevute,caricamenti,celery", concurrency=2)
    protocollo = start_worker(queues="protocollo", concurrency=1)

    wait_for(lambda: ricevute.output().count("Renderer delle ricevute pronto in") == 2, "due processi pronti")
    assert "Renderer delle ricevute pronto" not in protocollo.output()
