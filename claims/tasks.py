"""Background work of the domande: the officers' digest of new requests (beat)."""

from celery import shared_task

from protocollo.tasks import DURABLE, RETRY_DB

from .services.notifiche import richieste_digest as digest


@shared_task(**DURABLE, **RETRY_DB)
def richieste_digest() -> int:
    """Beat: the officers' e-mail digest of new requests of modifica/annullamento."""
    return digest()
