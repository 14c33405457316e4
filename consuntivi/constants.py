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
    VERIFICATO = "VERIFICATO", _("File corretto: da confermare")
    INVIATO = "INVIATO", _("Consuntivo inviato")
    RIFIUTATO = "RIFIUTATO", _("Il file contiene errori: nulla è stato salvato")
    FALLITO = "FALLITO", _("Elaborazione non riuscita: nulla è stato salvato")
    ANNULLATO = "ANNULLATO", _("Non confermato: nulla è stato inviato")


# The worker is done with these: the page stops polling. VERIFICATO waits for the user's confirmation.
CARICAMENTO_FINITO = frozenset(
    {
        StatoCaricamento.VERIFICATO,
        StatoCaricamento.INVIATO,
        StatoCaricamento.RIFIUTATO,
        StatoCaricamento.FALLITO,
        StatoCaricamento.ANNULLATO,
    }
)
# At most one upload of a domanda in these at a time (a database constraint): one file in the queue
# or under check per domanda, so one company cannot fill the uploads' worker.
CARICAMENTO_IN_VERIFICA = (StatoCaricamento.IN_ATTESA, StatoCaricamento.IN_CORSO)


class FormatoFile(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
