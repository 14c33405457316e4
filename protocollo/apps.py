import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


def _consuma_ricevute() -> bool:
    """Whether this worker takes receipts (`-Q`): a worker of the `protocollo` queue alone never renders."""
    from celery import current_app

    return "ricevute" in current_app.amqp.queues.consume_from


def _warm_up_renderer(**kwargs: object) -> None:
    if not _consuma_ricevute():
        return
    from . import pdf

    try:
        secondi = pdf.warm_up()
    except Exception:  # a worker that cannot render still numbers: the receipt task will tell
        logger.exception("Riscaldamento del renderer delle ricevute non riuscito")
        return
    logger.info("Renderer delle ricevute pronto in %.2f s", secondi)


class ProtocolloConfig(AppConfig):
    name = "protocollo"
    verbose_name = "Protocollo"

    def ready(self) -> None:
        from celery.signals import worker_process_init
        from django.db.models.signals import post_migrate

        from core import sezioni

        from . import sql

        sezioni.register("backoffice", "admin/protocollo/home.html", ordine=10)

        # WeasyPrint's start-up (fonts, stylesheet) costs about a second: pay it when a worker process
        # starts, not on the first receipt of the day.
        worker_process_init.connect(_warm_up_renderer, weak=False, dispatch_uid="protocollo-warm-up")
        # Registration's link statement written for the registered document tables (see `sql`).
        post_migrate.connect(sql.installa, sender=self, dispatch_uid="protocollo-registra-documento")
