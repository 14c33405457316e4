"""Celery tasks of the uploads. They take ids, re-fetch, call a service and can run twice without harm.
(The protocol registration of a sent consuntivo is `protocollo.tasks.registra_documento`.)"""

from celery import shared_task

from . import services


@shared_task(name="consuntivi.caricamento_process", acks_late=True, ignore_result=True)
def caricamento_process_task(caricamento_id: int) -> None:
    services.caricamento_process(caricamento_id=caricamento_id)


@shared_task(name="consuntivi.caricamenti_sweep", ignore_result=True)
def caricamenti_sweep_task() -> int:
    return services.caricamenti_sweep()
