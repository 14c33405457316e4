from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.models import Domanda, Lavoratore, Misura
from core.models import TimeStampedModel
from protocollo.models import DocumentoProtocollato

from .constants import (
    CARICAMENTO_FINITO,
    CARICAMENTO_IN_VERIFICA,
    RIDUZIONE_PERCENTUALE_DEFAULT,
    FormatoFile,
    StatoCaricamento,
)


class Consuntivo(DocumentoProtocollato):
    """Hours of integration actually used in one month, per worker of one domanda. Final once sent."""

    domanda = models.ForeignKey(Domanda, on_delete=models.CASCADE, related_name="consuntivi")
    mese = models.DateField(_("mese"), help_text=_("Il primo giorno del mese."))
    inviato_il = models.DateTimeField(_("inviato il"))
    inviato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dati_inviati = models.JSONField(_("dati trasmessi"), default=dict)

    class Meta:
        verbose_name = _("consuntivo")
        verbose_name_plural = _("consuntivi")
        ordering = ["domanda", "mese"]
        constraints = [
            models.UniqueConstraint(fields=["domanda", "mese"], name="consuntivo_unico_per_mese"),
            models.CheckConstraint(condition=Q(mese__day=1), name="consuntivo_mese_primo_giorno"),
        ]

    def __str__(self) -> str:
        return f"Consuntivo {self.mese:%m/%Y} – {self.domanda}"


class RigaConsuntivo(models.Model):
    """A worker's hours in a sent consuntivo: the only copy of what was transmitted for the line
    (`selectors.consuntivo_dati_trasmessi`), in the order the lines were sent (their ids).

    Append-only, and its references are kept by the database (consuntivi/0008) with one check per
    statement instead of the two foreign-key checks per line that were half the cost of a 50,000-line
    confirmation: every line's consuntivo exists and its worker is one of that consuntivo's domanda;
    a line is never changed nor deleted, so neither is a consuntivo or a worker that has lines."""

    # The unique (consuntivo, lavoratore) index serves the lookups by consuntivo, and by worker
    # through the consuntivi of the worker's domanda; no index of either column alone (the one on
    # the worker was a sixth of the cost of writing 50,000 lines). A worker with lines is never
    # deleted: the database refuses it (consuntivi/0008), so Django does not look for them first.
    consuntivo = models.ForeignKey(
        Consuntivo, on_delete=models.CASCADE, related_name="righe", db_index=False, db_constraint=False
    )
    lavoratore = models.ForeignKey(
        Lavoratore,
        on_delete=models.DO_NOTHING,
        related_name="righe_consuntivo",
        db_index=False,
        db_constraint=False,
    )
    ore = models.DecimalField(_("ore di integrazione"), max_digits=6, decimal_places=1)
    retribuzione_mensile = models.DecimalField(
        _("retribuzione mensile lorda"), max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("riga del consuntivo")
        verbose_name_plural = _("righe del consuntivo")
        constraints = [
            models.UniqueConstraint(fields=["consuntivo", "lavoratore"], name="riga_unica_per_lavoratore"),
            models.CheckConstraint(condition=Q(ore__gte=0), name="riga_ore_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.lavoratore_id}: {self.ore} ore"


class CaricamentoConsuntivo(TimeStampedModel):
    """An uploaded CSV/XLSX file of consuntivo lines, validated in the background.

    Also the outbox of its own processing: a file stays IN_ATTESA until a worker takes it, so nothing
    is lost if the broker is down when it is uploaded (`caricamenti_sweep` publishes it again)."""

    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="caricamenti_consuntivo")
    mese = models.DateField(_("mese"), help_text=_("Il primo giorno del mese."))
    file = models.FileField(_("file"), upload_to="consuntivi/caricamenti/%Y/%m/")
    nome_file = models.CharField(_("nome del file"), max_length=255)
    formato = models.CharField(_("formato"), max_length=4, choices=FormatoFile)
    caricato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    stato = models.CharField(
        _("stato"), max_length=10, choices=StatoCaricamento, default=StatoCaricamento.IN_ATTESA
    )
    progresso = models.PositiveSmallIntegerField(_("avanzamento (%)"), default=0)
    righe_totali = models.PositiveIntegerField(_("righe del file"), null=True, blank=True)
    righe_validate = models.PositiveIntegerField(_("righe verificate"), default=0)
    errori = models.JSONField(
        _("errori"), default=list, blank=True, help_text=_("Elenco di {riga, campo, messaggio}.")
    )
    errori_totali = models.PositiveIntegerField(_("numero di errori"), default=0)
    consuntivo = models.OneToOneField(
        Consuntivo, on_delete=models.PROTECT, null=True, blank=True, related_name="caricamento"
    )
    iniziato_il = models.DateTimeField(_("elaborazione iniziata il"), null=True, blank=True)
    completato_il = models.DateTimeField(_("elaborazione completata il"), null=True, blank=True)

    class Meta:
        verbose_name = _("caricamento di consuntivo")
        verbose_name_plural = _("caricamenti di consuntivi")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stato__in=StatoCaricamento.values), name="caricamento_stato_valid"
            ),
            models.CheckConstraint(condition=Q(progresso__lte=100), name="caricamento_progresso_percentuale"),
            models.CheckConstraint(condition=Q(mese__day=1), name="caricamento_mese_primo_giorno"),
            models.UniqueConstraint(
                fields=["domanda"],
                condition=Q(stato__in=CARICAMENTO_IN_VERIFICA),
                name="caricamento_uno_in_verifica_per_domanda",
            ),
        ]
        indexes = [models.Index(fields=["stato", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.nome_file} ({self.mese:%m/%Y})"

    @property
    def finito(self) -> bool:
        return self.stato in CARICAMENTO_FINITO


class RigaCaricamento(models.Model):
    """A line of an upload, well formed, waiting for the checks against the domanda's workers and
    then for the user's confirmation.

    Written in chunks (COPY) while the file is checked, so memory does not grow with the file, with
    the codice fiscale as written; the workers are found and the hours checked against the limits by
    one statement over all the lines (`ConsuntivoRules.check_righe_caricate`). On confirmation they
    become the consuntivo's lines in one INSERT … SELECT joined to the workers; `caricamenti_sweep`
    deletes them afterwards."""

    # Keyed by (upload, line), which is also the one index the queries need, and without a foreign-key
    # constraint: only `caricamento_process` writes these lines, for the upload it holds, and they
    # live for minutes. The identity column, its index and the foreign-key check of each line were
    # nine tenths of the cost of staging a 50,000-line file.
    pk = models.CompositePrimaryKey("caricamento", "riga")
    caricamento = models.ForeignKey(
        CaricamentoConsuntivo,
        on_delete=models.CASCADE,
        related_name="righe",
        db_index=False,
        db_constraint=False,
    )
    riga = models.PositiveIntegerField(_("riga del file"))
    # As written (stripped, upper case): the worker is the domanda's worker with this codice fiscale.
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16)
    # Not a column: the worker, set by the preview (`selectors.anteprima_caricamento`) on the lines
    # it shows.
    lavoratore: Lavoratore | None = None
    ore = models.DecimalField(_("ore di integrazione"), max_digits=6, decimal_places=1)
    retribuzione_mensile = models.DecimalField(
        _("retribuzione mensile lorda"), max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("riga di un caricamento")
        verbose_name_plural = _("righe dei caricamenti")

    def __str__(self) -> str:
        return f"{self.caricamento_id}/{self.riga}"


class Massimale(TimeStampedModel):
    """The yearly monthly caps of the integration, as the INPS circular of the year publishes them.

    The amounts are the caps NET of the employee contribution (`riduzione_percentuale`), as in the seed
    on FIS for 2016 (circolare INPS 48/2016: 914,96 euro for monthly pay up to 2.102,24 euro, 1.099,70
    euro above) and the 2020 figures (circolare INPS 20/2020: 939,89 and 1.129,66 euro net). The gross
    caps the circulars print next to them are `importo / (1 - riduzione/100)`."""

    anno = models.PositiveSmallIntegerField(_("anno"), unique=True)
    soglia_retribuzione = models.DecimalField(
        _("soglia di retribuzione mensile"),
        max_digits=9,
        decimal_places=2,
        help_text=_("Retribuzione mensile lorda fino alla quale si applica il massimale inferiore."),
    )
    importo_sotto = models.DecimalField(_("massimale netto fino alla soglia"), max_digits=9, decimal_places=2)
    importo_sopra = models.DecimalField(_("massimale netto oltre la soglia"), max_digits=9, decimal_places=2)
    riduzione_percentuale = models.DecimalField(
        _("riduzione (%)"),
        max_digits=5,
        decimal_places=2,
        default=RIDUZIONE_PERCENTUALE_DEFAULT,
        help_text=_("Contributo a carico del lavoratore trattenuto sull'integrazione (5,84%)."),
    )
    fonte = models.CharField(
        _("fonte"), max_length=200, blank=True, help_text=_("Es. circolare INPS n. 48/2016")
    )

    class Meta:
        verbose_name = _("massimale")
        verbose_name_plural = _("massimali")
        ordering = ["-anno"]
        constraints = [
            models.CheckConstraint(
                condition=Q(soglia_retribuzione__gt=0, importo_sotto__gt=0, importo_sopra__gt=0)
                & Q(riduzione_percentuale__gte=0, riduzione_percentuale__lt=100),
                name="massimale_importi_positivi",
            )
        ]

    def __str__(self) -> str:
        return f"Massimali {self.anno}"

    def importo_per(self, retribuzione_mensile: Decimal) -> Decimal:
        """The cap for a monthly pay: up to and including the threshold the lower one."""
        return self.importo_sotto if retribuzione_mensile <= self.soglia_retribuzione else self.importo_sopra


class RisorseRegionali(TimeStampedModel):
    """Money the Region has for CIGD in a year (an allocation or the residues of earlier ones);
    the estimated cost of the authorised domande is watched against the sum of the year."""

    anno = models.PositiveSmallIntegerField(_("anno"))
    misura = models.ForeignKey(
        Misura,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risorse",
        verbose_name=_("misura"),
    )
    descrizione = models.CharField(_("descrizione"), max_length=200, help_text=_("Es. prima assegnazione"))
    importo = models.DecimalField(_("importo (euro)"), max_digits=14, decimal_places=2)
    atto = models.CharField(_("atto di riferimento"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("risorse regionali")
        verbose_name_plural = _("risorse regionali")
        ordering = ["-anno", "descrizione"]
        constraints = [
            models.CheckConstraint(condition=Q(importo__gte=0), name="risorse_importo_non_negativo")
        ]

    def __str__(self) -> str:
        return f"{self.anno}: {self.descrizione}"
