from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# The employee contribution withheld from wage integrations (seeds: FIS handbook, INPS circulars).
RIDUZIONE_PERCENTUALE_DEFAULT = Decimal("5.84")
# The integration is 80% of the pay lost for the hours not worked (DOMAIN.md "Amounts").
QUOTA_INTEGRAZIONE = Decimal("0.8")


class StatoCaricamento(models.TextChoices):
    IN_ATTESA = "IN_ATTESA", _("In coda")
    IN_CORSO = "IN_CORSO", _("Verifica in corso")
    INVIATO = "INVIATO", _("Consuntivo inviato")
    RIFIUTATO = "RIFIUTATO", _("Il file contiene errori: nulla è stato salvato")
    FALLITO = "FALLITO", _("Elaborazione non riuscita: nulla è stato salvato")


CARICAMENTO_FINITO = frozenset(
    {StatoCaricamento.INVIATO, StatoCaricamento.RIFIUTATO, StatoCaricamento.FALLITO}
)


class FormatoFile(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
