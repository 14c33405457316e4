from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from . import permissions
from .constants import MotivoAccessoNegato, Ruolo, StatoCensimento, TipoCensimento
from .validators import (
    validate_codice_ateco,
    validate_codice_fiscale_azienda,
    validate_codice_fiscale_persona,
    validate_partita_iva,
)


class User(AbstractUser):
    """A person. Company-side users are identified by their codice fiscale (SPID or CNS);
    backoffice users sign in with username and password and carry a role."""

    codice_fiscale = models.CharField(
        _("codice fiscale"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_codice_fiscale_persona],
    )
    ruolo = models.CharField(_("ruolo"), max_length=20, choices=Ruolo, default=Ruolo.IMPRESA)
    cpi = models.ForeignKey(
        "anagrafica.CentroImpiego",
        verbose_name=_("centro per l'impiego"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operatori",
    )

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")
        constraints = [
            models.CheckConstraint(condition=Q(ruolo__in=Ruolo.values), name="user_ruolo_valid"),
            models.CheckConstraint(
                condition=~Q(ruolo=Ruolo.OPERATORE_CPI) | Q(cpi__isnull=False),
                name="user_operatore_cpi_has_cpi",
            ),
            # A company-side account (identified by its codice fiscale, SPID or CNS) never holds an
            # office role: otherwise one click would show it every company's data.
            models.CheckConstraint(
                condition=Q(ruolo=Ruolo.IMPRESA) | Q(codice_fiscale__isnull=True),
                name="user_lato_impresa_senza_ruolo_ufficio",
            ),
        ]

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name} ({self.codice_fiscale})" if self.codice_fiscale else full_name or self.username

    @property
    def is_funzionario(self) -> bool:
        return permissions.is_funzionario(self)

    @property
    def is_operatore_cpi(self) -> bool:
        return permissions.is_operatore_cpi(self)


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """An API token of a user. Only the SHA-256 of the key is kept: the key itself is shown once, when
    it is generated, and a copy of the database does not let anyone call the API (ASVS 2.10.1, 3.5.2).

    Keys are 32 random bytes (`secrets`), so one fast hash suffices; a slow password hash would add
    nothing but latency to every API call. A token stops working at `expires_at` or when revoked.
    """

    user = models.ForeignKey(
        User, verbose_name=_("utente"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(_("inizio del token"), max_length=8, help_text=_("Per riconoscerlo."))
    digest = models.CharField(_("impronta SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("creato il"), default=timezone.now)
    expires_at = models.DateTimeField(_("scade il"))
    revoked_at = models.DateTimeField(_("revocato il"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_revoked")]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @property
    def usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Provincia(models.Model):
    sigla = models.CharField(_("sigla"), max_length=2, primary_key=True)
    nome = models.CharField(_("nome"), max_length=100)
    regione = models.CharField(_("regione"), max_length=100)

    class Meta:
        verbose_name = _("provincia")
        verbose_name_plural = _("province")
        ordering = ["nome"]

    def __str__(self) -> str:
        return f"{self.nome} ({self.sigla})"


class Comune(models.Model):
    codice_istat = models.CharField(_("codice ISTAT"), max_length=6, primary_key=True)
    nome = models.CharField(_("nome"), max_length=100)
    provincia = models.ForeignKey(Provincia, on_delete=models.PROTECT, related_name="comuni")
    codice_catastale = models.CharField(_("codice catastale"), max_length=4, blank=True)
    cap = models.JSONField(_("CAP"), default=list, blank=True)

    class Meta:
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        ordering = ["nome"]

    def __str__(self) -> str:
        return f"{self.nome} ({self.provincia_id})"


class CentroImpiego(models.Model):
    """A Centro per l'Impiego and the comuni it covers (the mapping is edited by officers)."""

    nome = models.CharField(_("nome"), max_length=100, unique=True)
    provincia = models.ForeignKey(Provincia, on_delete=models.PROTECT, related_name="cpi")
    email = models.EmailField(_("e-mail"), blank=True)
    comuni = models.ManyToManyField(Comune, related_name="cpi", verbose_name=_("comuni coperti"))

    class Meta:
        verbose_name = _("centro per l'impiego")
        verbose_name_plural = _("centri per l'impiego")
        ordering = ["nome"]

    def __str__(self) -> str:
        return self.nome


class Azienda(TimeStampedModel):
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, unique=True, validators=[validate_codice_fiscale_azienda]
    )
    partita_iva = models.CharField(_("partita IVA"), max_length=11, validators=[validate_partita_iva])
    ragione_sociale = models.CharField(_("ragione sociale"), max_length=200)
    forma_giuridica = models.CharField(_("forma giuridica"), max_length=100, blank=True)
    codice_ateco = models.CharField(_("codice ATECO"), max_length=10, validators=[validate_codice_ateco])
    ccnl = models.CharField(_("CCNL applicato"), max_length=200, blank=True)
    matricola_inps = models.CharField(_("matricola INPS"), max_length=10, blank=True)
    telefono = models.CharField(_("telefono"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    pec = models.EmailField(_("PEC"), blank=True)
    indirizzo = models.CharField(_("indirizzo della sede legale"), max_length=200)
    comune = models.ForeignKey(
        Comune, verbose_name=_("comune della sede legale"), on_delete=models.PROTECT, related_name="+"
    )
    cap = models.CharField(_("CAP"), max_length=5)
    lr_codice_fiscale = models.CharField(
        _("codice fiscale del legale rappresentante"),
        max_length=16,
        db_index=True,
        validators=[validate_codice_fiscale_persona],
    )
    lr_nome = models.CharField(_("nome del legale rappresentante"), max_length=100)
    lr_cognome = models.CharField(_("cognome del legale rappresentante"), max_length=100)

    class Meta:
        verbose_name = _("azienda")
        verbose_name_plural = _("aziende")
        ordering = ["ragione_sociale"]
        indexes = [
            # The officers' search: a P.IVA exactly, part of a name by trigrams (`icontains` is
            # `UPPER(ragione_sociale) LIKE UPPER('%…%')`, which this index serves).
            models.Index(fields=["partita_iva"], name="azienda_partita_iva"),
            GinIndex(
                OpClass(Upper("ragione_sociale"), name="gin_trgm_ops"), name="azienda_ragione_sociale_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.ragione_sociale


class Sede(TimeStampedModel):
    """Unità produttiva / sede operativa: its comune determines the competent CPI."""

    azienda = models.ForeignKey(Azienda, on_delete=models.PROTECT, related_name="sedi")
    denominazione = models.CharField(_("denominazione"), max_length=200)
    indirizzo = models.CharField(_("indirizzo"), max_length=200)
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="sedi")
    cap = models.CharField(_("CAP"), max_length=5)

    class Meta:
        verbose_name = _("sede")
        verbose_name_plural = _("sedi")
        ordering = ["azienda", "denominazione"]

    def __str__(self) -> str:
        return f"{self.denominazione}, {self.indirizzo}, {self.comune.nome}"


class AbilitazioneQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(
            Q(valida_al__isnull=True) | Q(valida_al__gte=day),
            valida_dal__lte=day,
            revocata_il__isnull=True,
        )


class Abilitazione(TimeStampedModel):
    """An intermediary enabled by the competent CPI to act for a company, between two dates."""

    azienda = models.ForeignKey(Azienda, on_delete=models.PROTECT, related_name="abilitazioni")
    codice_fiscale = models.CharField(
        _("codice fiscale dell'intermediario"),
        max_length=16,
        db_index=True,
        validators=[validate_codice_fiscale_persona],
    )
    denominazione = models.CharField(
        _("intermediario"), max_length=200, help_text=_("Nome e qualifica, es. consulente del lavoro")
    )
    cpi = models.ForeignKey(CentroImpiego, on_delete=models.PROTECT, related_name="abilitazioni")
    valida_dal = models.DateField(_("valida dal"))
    valida_al = models.DateField(_("valida al"), null=True, blank=True)
    concessa_da = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="abilitazioni_concesse"
    )
    revocata_il = models.DateTimeField(_("revocata il"), null=True, blank=True)
    revocata_da = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="abilitazioni_revocate"
    )

    objects = AbilitazioneQuerySet.as_manager()

    class Meta:
        verbose_name = _("abilitazione")
        verbose_name_plural = _("abilitazioni")
        ordering = ["-valida_dal"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valida_al__isnull=True) | Q(valida_al__gte=models.F("valida_dal")),
                name="abilitazione_periodo_coerente",
            )
        ]

    def __str__(self) -> str:
        return f"{self.denominazione} per {self.azienda}"


class ModificaAnagrafica(models.Model):
    """Append-only record of a change to a company's data: who, when, old and new value."""

    azienda = models.ForeignKey(Azienda, on_delete=models.PROTECT, related_name="modifiche")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    campo = models.CharField(_("campo"), max_length=50)
    valore_precedente = models.TextField(_("valore precedente"), blank=True)
    valore_nuovo = models.TextField(_("valore nuovo"), blank=True)
    created_at = models.DateTimeField(_("modificato il"), auto_now_add=True)

    class Meta:
        verbose_name = _("modifica anagrafica")
        verbose_name_plural = _("modifiche anagrafiche")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campo}: «{self.valore_precedente}» → «{self.valore_nuovo}»"


class AccessoNegato(models.Model):
    """Append-only record of a refused backoffice sign-in: wrong password, wrong second-factor code,
    or an attempt while the username is blocked (ASVS 7.2.1: authentication failures are logged).
    The password or code tried is never kept."""

    username = models.CharField(_("nome utente"), max_length=150)
    indirizzo = models.GenericIPAddressField(_("indirizzo"), null=True, blank=True)
    motivo = models.CharField(_("motivo"), max_length=10, choices=MotivoAccessoNegato)
    created_at = models.DateTimeField(_("avvenuto il"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("accesso negato")
        verbose_name_plural = _("accessi negati")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(motivo__in=MotivoAccessoNegato.values), name="accessonegato_motivo_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.username} – {self.get_motivo_display()}"


class RichiestaCensimento(TimeStampedModel):
    """A user asks the competent CPI to census a missing company (with its site) or site."""

    richiedente = models.ForeignKey(User, on_delete=models.PROTECT, related_name="richieste_censimento")
    tipo = models.CharField(_("tipo"), max_length=10, choices=TipoCensimento)
    cpi = models.ForeignKey(CentroImpiego, on_delete=models.PROTECT, related_name="richieste_censimento")
    azienda = models.ForeignKey(
        Azienda,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="richieste_censimento",
        help_text=_(
            "L'azienda già censita, per una richiesta di nuova sede; l'azienda creata, dopo l'approvazione."
        ),
    )
    sede = models.ForeignKey(Sede, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    dati = models.JSONField(_("dati richiesti"))
    stato = models.CharField(
        _("stato"), max_length=10, choices=StatoCensimento, default=StatoCensimento.IN_ATTESA
    )
    motivo_rifiuto = models.TextField(_("motivo del rifiuto"), blank=True)
    decisa_da = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decisa_il = models.DateTimeField(_("decisa il"), null=True, blank=True)

    class Meta:
        verbose_name = _("richiesta di censimento")
        verbose_name_plural = _("richieste di censimento")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stato__in=StatoCensimento.values), name="censimento_stato_valid"
            ),
            models.CheckConstraint(
                condition=~Q(stato=StatoCensimento.RIFIUTATA) | ~Q(motivo_rifiuto=""),
                name="censimento_rifiuto_motivato",
            ),
        ]

    def __str__(self) -> str:
        oggetto = (self.dati.get("azienda") or {}).get("ragione_sociale") or str(self.azienda or "")
        sede = (self.dati.get("sede") or {}).get("denominazione", "")
        return f"{self.get_tipo_display()}: {oggetto} – {sede}".strip(" –")
