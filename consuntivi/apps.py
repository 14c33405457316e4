from django.apps import AppConfig


class ConsuntiviConfig(AppConfig):
    name = "consuntivi"
    verbose_name = "Consuntivi"

    def ready(self) -> None:
        from claims.services.retenzione import register_anonimizzatore
        from core import sezioni
        from protocollo import registry

        from .protocollo import ConsuntivoProtocollabile
        from .retenzione import consuntivi_anonymise

        registry.register(ConsuntivoProtocollabile())
        register_anonimizzatore(consuntivi_anonymise)
        sezioni.register("domanda.azioni", "consuntivi/includes/azioni_domanda.html")
        sezioni.register("backoffice", "admin/consuntivi/home.html", ordine=20)
