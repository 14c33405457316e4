"""Protocol registration of a sent consuntivo (same guarantees as `claims.tasks.registra_domanda`)."""

import logging

from celery import shared_task

from claims.services.protocollo import protocollo_register
from claims.tasks import DURABLE, RETRY_DB, request_ricevuta
from core.exceptions import DomainError

from .models import Consuntivo

logger = logging.getLogger(__name__)


@shared_task(**DURABLE, **RETRY_DB)
def registra_consuntivo(consuntivo_id: int) -> str | None:
    """Give a sent consuntivo its protocol number, then ask for its receipt."""
    try:
        consuntivo = Consuntivo.objects.get(pk=consuntivo_id)
        registrazione = protocollo_register(documento=consuntivo)
    except (Consuntivo.DoesNotExist, DomainError):
        logger.exception("Consuntivo %s: non protocollabile", consuntivo_id)
        return None
    request_ricevuta(registrazione)
    return registrazione.segnatura
