"""The determinazione dirigenziale that authorises domande in a tranche, or corrects their hours."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.models import Domanda, Misura
from core.models import TimeStampedModel
from protocollo.models import DocumentoProtocollato

from .constants import TipoDeterminazione


class Determinazione(DocumentoProtocollato, TimeStampedModel):
    """A numbered act, adopted once and never changed: its rows keep the hours it authorised, so its
    PDF and its Flusso B say the same thing forever, whatever later acts correct."""

    tipo = models.CharField(_("tipo"), max_length=14, choices=TipoDeterminazione)
    anno = models.PositiveSmallIntegerField(_("anno"))
    numero = models.PositiveIntegerField(_("numero"))
    data = models.DateField(_("data"))
    tranche = models.CharField(_("tranche"), max_length=100, help_text=_("Es. «Tranche 176-2020»"))
    firmatario = models.CharField(_("dirigente firmatario"), max_length=200)
    misura = models.ForeignKey(Misura, on_delete=models.PROTECT, related_name="determinazioni")
    motivo = models.TextField(_("motivo delle riduzioni o della rettifica"), blank=True)
    adottata_il = models.DateTimeField(_("adottata il"))
    adottata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dati = models.JSONField(
        _("dati dell'atto"), help_text=_("Ciò che il protocollo registra e il Flusso B trasmette.")
    )
    flusso_b_sha256 = models.CharField(_("SHA-256 del Flusso B"), max_length=64, blank=True)
    flusso_b_generato_il = models.DateTimeField(_("Flusso B generato il"), null=True, blank=True)
    inviata_inps_il = models.DateTimeField(_("inviata a INPS il"), null=True, blank=True)
    inviata_inps_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("determinazione dirigenziale")
        verbose_name_plural = _("determinazioni dirigenziali")
        ordering = ["-anno", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["anno", "numero"], name="determinazione_numero_unico_per_anno"),
            models.CheckConstraint(
                condition=Q(tipo__in=TipoDeterminazione.values), name="determinazione_tipo_valid"
            ),
            models.CheckConstraint(condition=Q(numero__gt=0), name="determinazione_numero_positivo"),
        ]

    def __str__(self) -> str:
        return f"Determinazione n. {self.numero}/{self.anno} del {self.data:%d/%m/%Y} – {self.tranche}"


class RigaDeterminazione(models.Model):
    """One domanda of an act with the hours the act authorised, per domanda and per worker."""

    determinazione = models.ForeignKey(Determinazione, on_delete=models.PROTECT, related_name="righe")
    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="righe_determinazione")
    ore_autorizzate = models.DecimalField(_("ore autorizzate"), max_digits=9, decimal_places=1)
    ore_precedenti = models.DecimalField(
        _("ore autorizzate prima dell'atto"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    lavoratori = models.JSONField(_("ore per lavoratore"), help_text=_("[{codice_fiscale, ore}]"))
    stima = models.DecimalField(_("costo stimato (euro)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("domanda dell'atto")
        verbose_name_plural = _("domande dell'atto (allegato)")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["determinazione", "domanda"], name="riga_domanda_unica_per_atto")
        ]

    def __str__(self) -> str:
        return f"{self.domanda_id}: {self.ore_autorizzate} ore"


class ImportazioneEsitoInps(TimeStampedModel):
    """An outcome file INPS returned for an act, kept with its fingerprint and its counts."""

    determinazione = models.ForeignKey(Determinazione, on_delete=models.PROTECT, related_name="esiti")
    nome_file = models.CharField(_("nome del file"), max_length=255)
    sha256 = models.CharField(_("SHA-256 del file"), max_length=64)
    accolte = models.PositiveIntegerField(_("domande accolte"))
    anomalie = models.PositiveIntegerField(_("domande con anomalia"))
    importata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("esito INPS importato")
        verbose_name_plural = _("esiti INPS importati")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.nome_file} ({self.created_at:%d/%m/%Y %H:%M})"
