from django.apps import AppConfig


class ConsuntiviConfig(AppConfig):
    name = "consuntivi"
    verbose_name = "Consuntivi"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  registers the upload tasks with Celery
