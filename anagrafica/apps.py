from django.apps import AppConfig


class AnagraficaConfig(AppConfig):
    name = "anagrafica"
    verbose_name = "Anagrafica"
