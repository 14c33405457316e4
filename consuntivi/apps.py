from django.apps import AppConfig


class ConsuntiviConfig(AppConfig):
    name = "consuntivi"
    verbose_name = "Consuntivi"
