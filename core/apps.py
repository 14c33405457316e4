from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Infrastruttura comune"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_sign_in

        user_logged_in.connect(remember_sign_in, dispatch_uid="core.remember_sign_in")
