from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.models import Domanda, Lavoratore, RegistrazioneProtocollo


class Consuntivo(models.Model):
    """Hours of integration actually used in one month, per worker of one domanda. Final once sent."""

    domanda = models.ForeignKey(Domanda, on_delete=models.CASCADE, related_name="consuntivi")
    mese = models.DateField(_("mese"), help_text=_("Il primo giorno del mese."))
    inviato_il = models.DateTimeField(_("inviato il"))
    inviato_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    dati_inviati = models.JSONField(_("dati trasmessi"), default=dict)
    registrazione = models.OneToOneField(
        RegistrazioneProtocollo, on_delete=models.PROTECT, null=True, blank=True, related_name="consuntivo"
    )

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

    @property
    def protocollo(self) -> str | None:
        return self.registrazione.segnatura if self.registrazione_id else None


class RigaConsuntivo(models.Model):
    consuntivo = models.ForeignKey(Consuntivo, on_delete=models.CASCADE, related_name="righe")
    lavoratore = models.ForeignKey(Lavoratore, on_delete=models.PROTECT, related_name="righe_consuntivo")
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
