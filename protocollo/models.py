"""The protocol register (DPR 445/2000 art. 57) and its receipts.

The tables kept the names they were born with in `claims` (`claims_registrazioneprotocollo`,
`claims_ricevuta`): the models moved here without touching a row (see migrations/0001).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import registry


class RegistrazioneProtocollo(models.Model):
    """One entry of the protocol register. Append-only: never changed (PostgreSQL triggers refuse it)."""

    anno = models.PositiveSmallIntegerField(_("anno"))
    numero = models.PositiveIntegerField(_("numero"))
    registrata_il = models.DateTimeField(_("registrata il"))
    # The type of a registered document (registry.Protocollabile.tipo): open, so that a new document
    # type needs no change here.
    tipo_documento = models.CharField(_("tipo di documento"), max_length=12)
    oggetto = models.CharField(_("oggetto"), max_length=300)
    impronta = models.CharField(_("impronta SHA-256 dei dati"), max_length=64)
    codice_verifica = models.CharField(_("codice di verifica"), max_length=20, unique=True)

    class Meta:
        db_table = "claims_registrazioneprotocollo"
        verbose_name = _("registrazione di protocollo")
        verbose_name_plural = _("registro di protocollo")
        ordering = ["-anno", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["anno", "numero"], name="protocollo_unico_per_anno"),
        ]
        # A number without its year, as read on the phone ("the 5"): the officers' search.
        indexes = [models.Index(fields=["numero"], name="protocollo_numero")]

    def __str__(self) -> str:
        return self.segnatura

    @property
    def segnatura(self) -> str:
        return f"{self.anno}/{self.numero:07d}"

    @property
    def tipo_documento_etichetta(self) -> str:
        return registry.etichetta(self.tipo_documento)


class Ricevuta(models.Model):
    """The PDF receipt of a registration, stored with its SHA-256. Never changed once made."""

    registrazione = models.OneToOneField(
        RegistrazioneProtocollo, on_delete=models.PROTECT, related_name="ricevuta"
    )
    pdf = models.FileField(_("PDF"), upload_to="ricevute/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("generata il"), auto_now_add=True)
    inviata_il = models.DateTimeField(_("inviata al referente il"), null=True, blank=True)

    class Meta:
        db_table = "claims_ricevuta"
        verbose_name = _("ricevuta")
        verbose_name_plural = _("ricevute")

    def __str__(self) -> str:
        return f"Ricevuta {self.registrazione}"


class DocumentoProtocollato(models.Model):
    """What a document model needs to be registered: its registration, set once by the register, and
    what the register will write, set once when the document is submitted (`protocollo_prepare`)."""

    registrazione = models.OneToOneField(
        RegistrazioneProtocollo,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s",
    )
    # Empty for documents submitted before these fields existed and for those whose submission does
    # not prepare them: the register then computes both itself.
    oggetto_protocollo = models.CharField(
        _("oggetto di protocollo"), max_length=300, null=True, blank=True, editable=False
    )
    impronta_dati = models.CharField(
        _("impronta SHA-256 dei dati trasmessi"), max_length=64, null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def protocollo(self) -> str | None:
        return self.registrazione.segnatura if self.registrazione is not None else None
