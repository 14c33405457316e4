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


class AccessoDatiPersonali(models.Model):
    """An officer opened or took away personal data: who, when, what and why, never the values.

    Append-only in PostgreSQL (core/migrations/0002): a row is never changed nor deleted. Written by
    `core.services.accesso_dati_registra`, called where the backoffice opens a list of workers,
    downloads a document or exports data.
    """

    class Azione(models.TextChoices):
        ELENCO = "elenco", _("elenco di lavoratori consultato")
        DOCUMENTO = "documento", _("documento scaricato")
        ESPORTAZIONE = "esportazione", _("dati esportati")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chi")
    )
    created_at = models.DateTimeField(_("quando"), auto_now_add=True, db_index=True)
    azione = models.CharField(_("azione"), max_length=20, choices=Azione.choices)
    oggetto_tipo = models.CharField(_("tipo di oggetto"), max_length=100)
    oggetto_id = models.CharField(_("id dell'oggetto"), max_length=64, blank=True)
    descrizione = models.CharField(_("che cosa"), max_length=200)
    motivo = models.CharField(_("perché"), max_length=200)
    quanti = models.PositiveIntegerField(_("righe"), null=True, blank=True)

    class Meta:
        verbose_name = _("accesso ai dati personali")
        verbose_name_plural = _("accessi ai dati personali")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["oggetto_tipo", "oggetto_id"], name="accesso_dati_oggetto")]

    def __str__(self) -> str:
        return f"{self.get_azione_display()}: {self.descrizione}"
