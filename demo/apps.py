from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world of the README (`manage.py demo_data`): on top of every app, imported by none."""

    name = "demo"
    verbose_name = "Dati dimostrativi"
