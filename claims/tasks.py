"""Celery tasks of the claims: the e-mails that tell the company about the Region's decisions and
answers, and the officers' digest of new requests (beat). They take ids and re-read the rows; an
e-mail server that is briefly down is retried."""

from celery import shared_task

from protocollo.tasks import DURABLE, RETRY_DB

from .services import notifiche
from .services import retenzione as servizio_retenzione

RETRY_SMTP = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 5}


@shared_task(name="claims.notifica_stato", acks_late=True, ignore_result=True, **RETRY_SMTP)
def notifica_stato(domanda_id: int) -> None:
    notifiche.stato_cambiato(domanda_id)


@shared_task(name="claims.notifica_risposta", acks_late=True, ignore_result=True, **RETRY_SMTP)
def notifica_risposta(richiesta_id: int) -> None:
    notifiche.richiesta_risposta(richiesta_id)


@shared_task(**DURABLE, **RETRY_DB)
def richieste_digest() -> int:
    """Beat: the officers' e-mail digest of new requests of modifica/annullamento."""
    return notifiche.richieste_digest()


@shared_task(**DURABLE, **RETRY_DB)
def retenzione() -> dict[str, int]:
    """Beat, nightly: expired drafts deleted, closed domande past retention anonymised."""
    esito = servizio_retenzione.retenzione_run(secondi=servizio_retenzione.SECONDI_TASK)
    return {"bozze_cancellate": esito.bozze_cancellate, "domande_anonimizzate": esito.domande_anonimizzate}
