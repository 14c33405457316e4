from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """A POST of the API sent with an `Idempotency-Key` header, and the answer it got.

    The row is inserted before the request runs, inside the request's transaction: a concurrent
    duplicate waits on the unique index and then replays the stored answer instead of running twice.
    Only successful answers are kept; a refused request leaves no row and may be retried.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("chiave"), max_length=255)
    request_hash = models.CharField(_("impronta della richiesta"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("stato della risposta"), null=True)
    response_body = models.JSONField(_("corpo della risposta"), null=True)
    created_at = models.DateTimeField(_("ricevuta il"), auto_now_add=True)

    class Meta:
        verbose_name = _("chiave di idempotenza")
        verbose_name_plural = _("chiavi di idempotenza")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unica_per_utente")
        ]

    def __str__(self) -> str:
        return self.key
