from django.apps import AppConfig


class AutorizzazioniConfig(AppConfig):
    name = "autorizzazioni"
    verbose_name = "Autorizzazioni e INPS"

    def ready(self) -> None:
        from protocollo import registry

        from .protocollo import DeterminazioneProtocollabile

        registry.register(DeterminazioneProtocollabile())
