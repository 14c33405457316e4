from django.db import models
from django.utils.translation import gettext_lazy as _


class TipoDeterminazione(models.TextChoices):
    AUTORIZZAZIONE = "AUTORIZZAZIONE", _("Autorizzazione")
    RETTIFICA = "RETTIFICA", _("Rettifica ad integrazione del monte ore")


class EsitoInps(models.TextChoices):
    """The outcome column of the file INPS returns (README, "The INPS outcome file")."""

    ACCOLTA = "ACCOLTA", _("Accolta")
    ANOMALIA = "ANOMALIA", _("Anomalia")
