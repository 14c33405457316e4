from django.apps import AppConfig


def _warm_up_renderer(**kwargs: object) -> None:
    from . import pdf

    pdf.warm_up()


class ProtocolloConfig(AppConfig):
    name = "protocollo"
    verbose_name = "Protocollo"

    def ready(self) -> None:
        from celery.signals import worker_process_init

        from core import sezioni

        sezioni.register("backoffice", "admin/protocollo/home.html", ordine=10)

        # WeasyPrint's start-up (fonts, stylesheet) costs about a second: pay it when a worker process
        # starts, not on the first receipt of the day.
        worker_process_init.connect(_warm_up_renderer, weak=False, dispatch_uid="protocollo-warm-up")
