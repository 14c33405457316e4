from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Domande"

    def ready(self) -> None:
        from core import sezioni
        from protocollo import registry

        from .protocollo import DomandaProtocollabile

        registry.register(DomandaProtocollabile())
        sezioni.register("azienda", "claims/includes/domande_azienda.html")
        sezioni.register("backoffice", "admin/claims/home.html")
