from django.apps import AppConfig


class ConsuntiviConfig(AppConfig):
    name = "consuntivi"
    verbose_name = "Consuntivi"

    def ready(self) -> None:
        from core import sezioni
        from protocollo import registry

        from .protocollo import ConsuntivoProtocollabile

        registry.register(ConsuntivoProtocollabile())
        sezioni.register("domanda.azioni", "consuntivi/includes/azioni_domanda.html")
        sezioni.register("backoffice", "admin/consuntivi/home.html", ordine=20)
