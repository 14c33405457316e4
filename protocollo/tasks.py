"""Background work of the protocol register: numbering, receipts, the outbox sweep, the daily register.

Every task takes ids, reads the rows again and calls a service that can run twice without harm;
acknowledgement is late and a task whose worker dies is given back to the queue, so a worker
killed mid-task loses nothing (and the sweep is there for what Redis itself loses).
"""

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone

from core import cache
from core.exceptions import DomainError

from . import registry
from .models import RegistrazioneProtocollo, Ricevuta
from .selectors import documenti_in_attesa, registrazioni_senza_ricevuta_inviata
from .services import (
    ROMA,
    protocollo_register_nuova,
    publish,
    registro_giornaliero,
    ricevuta_create,
    ricevuta_send,
)

logger = logging.getLogger(__name__)

DURABLE = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}
# A database that is briefly unreachable is retried here; anything longer is the sweep's job.
RETRY_DB = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "max_retries": 5}

SWEEP_AFTER_SECONDS = 60  # a document waiting longer than this for its number is published again
SWEEP_REPUBLISH_SECONDS = 300  # ... but not more often than this, so a backlog does not snowball
SWEEP_BATCH = 1000
RECEIPTS_LOOKBACK = dt.timedelta(days=7)


@shared_task(**DURABLE, **RETRY_DB)
def registra_documento(tipo: str, pk: int) -> str | None:
    """Give a submitted document its protocol number, then ask for its receipt."""
    try:
        registrazione, nuova = protocollo_register_nuova(tipo=tipo, pk=pk)
    except (registry.TipoSconosciuto, DomainError, ObjectDoesNotExist):
        logger.exception("Documento %s %s: non protocollabile", tipo, pk)
        return None
    if nuova:  # no receipt can exist yet: no need to ask the database
        publish(genera_ricevuta, registrazione.pk)
    else:
        request_ricevuta(registrazione)
    return registrazione.segnatura


@shared_task(**DURABLE, autoretry_for=(OperationalError, OSError), retry_backoff=10, max_retries=6)
def genera_ricevuta(registrazione_id: int) -> None:
    """Render and store the receipt of a registration, then e-mail it to its recipient."""
    registrazione = RegistrazioneProtocollo.objects.get(pk=registrazione_id)
    ricevuta = ricevuta_create(registrazione=registrazione)
    ricevuta_send(ricevuta=ricevuta)


def request_ricevuta(registrazione: RegistrazioneProtocollo) -> None:
    if not Ricevuta.objects.filter(registrazione_id=registrazione.pk).exists():
        publish(genera_ricevuta, registrazione.pk)


@shared_task(**DURABLE)
def sweep_outbox(older_than_seconds: int = SWEEP_AFTER_SECONDS) -> dict[str, int]:
    """Publish again what is still waiting: documents without a number, registrations without a
    receipt. Run by beat every minute, so a broker or worker outage delays work but loses none."""
    adesso = timezone.now()
    soglia = adesso - dt.timedelta(seconds=older_than_seconds)
    fatto: dict[str, int] = {}
    for tipo, queryset in documenti_in_attesa(soglia):
        fatto[tipo] = sum(
            _republish(registra_documento, tipo, pk)
            for pk in queryset.values_list("pk", flat=True)[:SWEEP_BATCH]
        )
    # Older ones are left to `manage.py protocollo_sweep`: this query stays on a small index range.
    senza_ricevuta = registrazioni_senza_ricevuta_inviata(soglia, adesso - RECEIPTS_LOOKBACK)
    fatto["ricevute"] = sum(
        _republish(genera_ricevuta, pk) for pk in senza_ricevuta.values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if any(fatto.values()):
        logger.warning("Scansione del protocollo: riaccodati %s", fatto)
    return fatto


def _republish(task: Any, *args: Any) -> bool:
    # core.cache: with Redis down the mark is kept in the process (and publish() fails anyway).
    chiave = f"protocollo:sweep:{task.name}:{':'.join(map(str, args))}"
    if not cache.add(chiave, 1, timeout=SWEEP_REPUBLISH_SECONDS):
        return False  # published by a recent sweep and still queued behind a backlog
    if publish(task, *args):
        return True
    cache.delete(chiave)  # the next sweep tries again
    return False


@shared_task(**DURABLE, **RETRY_DB)
def daily_register(giorno: str | None = None) -> list[str]:
    """Store the "registro giornaliero di protocollo" of `giorno` (ISO date; default yesterday, Rome
    time) as PDF and CSV under registro/YYYY/ in the private storage (DPR 445/2000 art. 53 c. 2).
    A register already stored is left as it is: it was produced after its day had ended."""
    data = (
        dt.date.fromisoformat(giorno) if giorno else timezone.localdate(timezone=ROMA) - dt.timedelta(days=1)
    )
    base = f"registro/{data:%Y}/registro-protocollo-{data:%Y-%m-%d}"
    nomi = [f"{base}.pdf", f"{base}.csv"]
    if all(default_storage.exists(nome) for nome in nomi):
        return nomi
    pdf, csv_testo = registro_giornaliero(giorno=data)
    # BOM: Italian spreadsheets then read the accents right.
    for nome, contenuto in zip(nomi, (pdf, csv_testo.encode("utf-8-sig")), strict=True):
        if default_storage.exists(nome):
            default_storage.delete(nome)
        default_storage.save(nome, ContentFile(contenuto))
    return nomi
