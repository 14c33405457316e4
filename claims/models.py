from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anagrafica.models import Azienda, Sede
from anagrafica.validators import validate_codice_fiscale_persona
from core.models import TimeStampedModel
from protocollo.models import DocumentoProtocollato

from . import conteggi
from .constants import EsitoRichiesta, Qualifica, StatoDomanda, TipoContratto, TipoRichiesta


class Misura(TimeStampedModel):
    """The legal measure a domanda relies on. Data an officer edits, not code."""

    codice = models.SlugField(_("codice"), max_length=50, unique=True)
    nome = models.CharField(_("nome"), max_length=200)
    base_giuridica = models.CharField(_("base giuridica"), max_length=200)
    periodo_dal = models.DateField(_("periodi dal"))
    periodo_al = models.DateField(_("periodi fino al"))
    max_settimane_per_sede = models.PositiveSmallIntegerField(
        _("settimane massime per sede"),
        help_text=_("Contate sull'unione dei giorni delle domande attive della sede (9 nel 2020)."),
    )
    max_settimane_prima_domanda = models.PositiveSmallIntegerField(
        _("settimane massime della prima domanda"),
        null=True,
        blank=True,
        help_text=_(
            "La prima domanda di una sede copre al massimo queste settimane (5 nel 2020). Vuoto: nessun limite."
        ),
    )
    min_giorni_prima_domanda = models.PositiveSmallIntegerField(
        _("giorni minimi della prima domanda"),
        null=True,
        blank=True,
        help_text=_(
            "La prima domanda di una sede copre almeno questi giorni (5 nel 2020). Vuoto: nessun minimo."
        ),
    )
    decreto_inps = models.CharField(
        _("numero convenzionale del decreto (INPS)"),
        max_length=10,
        default="33193",
        help_text=_(
            "Il numero che INPS assegna alla misura nel Flusso B (messaggio INPS 1525/2020: 33193 per "
            "l'art. 22 del DL 18/2020)."
        ),
    )
    data_assunzione_entro = models.DateField(
        _("lavoratori assunti entro il"),
        help_text=_("Il lavoratore deve risultare assunto a questa data."),
    )
    dipendenti_senza_accordo = models.PositiveSmallIntegerField(
        _("dipendenti senza accordo sindacale"),
        null=True,
        blank=True,
        help_text=_(
            "Fino a questo numero di dipendenti l'azienda presenta un'autodichiarazione del danno al posto "
            "dell'accordo sindacale (5 nell'accordo quadro piemontese del 2020). Vuoto: accordo sempre richiesto."
        ),
    )

    class Meta:
        verbose_name = _("misura")
        verbose_name_plural = _("misure")
        ordering = ["-periodo_dal"]
        constraints = [
            models.CheckConstraint(
                condition=Q(periodo_al__gte=models.F("periodo_dal")), name="misura_periodo_coerente"
            )
        ]

    def __str__(self) -> str:
        return self.nome


class FinestraPresentazione(TimeStampedModel):
    """Between these submission dates, domande under this misura may cover these periods.

    "From 1 November no new domande" is simply the absence of a window after 31 October.
    """

    misura = models.ForeignKey(Misura, on_delete=models.PROTECT, related_name="finestre")
    nome = models.CharField(_("nome"), max_length=200)
    presentazione_dal = models.DateField(_("presentazione dal"))
    presentazione_al = models.DateField(_("presentazione fino al"))
    periodo_dal = models.DateField(_("periodi dal"))
    periodo_al = models.DateField(_("periodi fino al"))

    class Meta:
        verbose_name = _("finestra di presentazione")
        verbose_name_plural = _("finestre di presentazione")
        ordering = ["-presentazione_dal"]
        constraints = [
            models.CheckConstraint(
                condition=Q(presentazione_al__gte=models.F("presentazione_dal"))
                & Q(periodo_al__gte=models.F("periodo_dal")),
                name="finestra_date_coerenti",
            )
        ]

    def __str__(self) -> str:
        return f"{self.misura}: {self.nome}"


class Domanda(DocumentoProtocollato, TimeStampedModel):
    # No single-column indexes on company, site, state and officer: the composite indexes of Meta start
    # with them and serve the same lookups, and each index is one more write on every change of a row
    # (claims 0017).
    azienda = models.ForeignKey(Azienda, on_delete=models.PROTECT, related_name="domande", db_index=False)
    sede = models.ForeignKey(Sede, on_delete=models.PROTECT, related_name="domande", db_index=False)
    misura = models.ForeignKey(Misura, on_delete=models.PROTECT, related_name="domande")
    stato = models.CharField(_("stato"), max_length=20, choices=StatoDomanda, default=StatoDomanda.BOZZA)
    data_inizio = models.DateField(_("inizio del periodo"))
    data_fine = models.DateField(_("fine del periodo"))
    referente_nome = models.CharField(_("nome e cognome del referente"), max_length=200, blank=True)
    referente_email = models.EmailField(_("e-mail del referente"), blank=True)
    referente_telefono = models.CharField(_("telefono del referente"), max_length=30, blank=True)
    accordo_data = models.DateField(_("data dell'accordo sindacale"), null=True, blank=True)
    accordo_file = models.FileField(_("accordo sindacale (PDF)"), upload_to="accordi/%Y/", blank=True)
    accordo_sha256 = models.CharField(_("SHA-256 dell'accordo"), max_length=64, blank=True)
    numero_dipendenti = models.PositiveIntegerField(
        _("numero di dipendenti dell'azienda"), null=True, blank=True
    )
    dichiara_danno = models.BooleanField(
        _(
            "Dichiaro, ai sensi degli artt. 46 e 47 del DPR 445/2000, il danno subito per la sospensione o "
            "riduzione dell'attività (autodichiarazione al posto dell'accordo sindacale)."
        ),
        default=False,
    )
    dichiara_assenza_altri_ammortizzatori = models.BooleanField(
        _("Dichiaro che l'azienda non ha accesso a CIGO, CIGS, FIS o fondi bilaterali."),
        default=False,
    )
    dichiara_veridicita = models.BooleanField(
        _("Dichiaro, ai sensi degli artt. 46 e 47 del DPR 445/2000, che i dati sono veritieri."),
        default=False,
    )
    creata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="domande_create"
    )
    presentata_il = models.DateTimeField(_("presentata il"), null=True, blank=True)
    presentata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dati_presentati = models.JSONField(_("dati trasmessi"), null=True, blank=True)
    codice_autorizzazione_inps = models.CharField(
        _("codice di autorizzazione INPS"),
        max_length=30,
        blank=True,
        help_text=_("Dato da INPS dopo il Flusso B; l'azienda lo indica nei modelli SR41."),
    )
    assegnata_a = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("in carico a"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="domande_in_carico",
        db_index=False,
    )
    anonimizzata_il = models.DateTimeField(
        _("dati personali rimossi il"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Decorsi i termini di conservazione (claims/services/retenzione.py)."),
    )
    sostituisce = models.OneToOneField(
        "self",
        verbose_name=_("rettifica della domanda"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sostituita_da",
    )

    class Meta:
        verbose_name = _("domanda")
        verbose_name_plural = _("domande")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stato__in=StatoDomanda.values), name="domanda_stato_valid"),
            models.CheckConstraint(
                condition=Q(data_fine__gte=models.F("data_inizio")), name="domanda_periodo_coerente"
            ),
            models.CheckConstraint(
                condition=Q(stato__in=[StatoDomanda.BOZZA, StatoDomanda.ELIMINATA])
                | Q(presentata_il__isnull=False),
                name="domanda_presentata_ha_data",
            ),
        ]
        indexes = [
            models.Index(fields=["presentata_il"]),
            # The officers' queue: oldest first within a state, and "my domande".
            models.Index(fields=["stato", "presentata_il", "id"], name="domanda_coda"),
            models.Index(fields=["assegnata_a", "stato"], name="domanda_in_carico"),
            # The company side and the API list a company's domande, newest first (issue 19).
            models.Index(fields=["azienda", "-created_at", "-id"], name="domanda_azienda_recenti"),
            models.Index(fields=["azienda", "stato", "-created_at", "-id"], name="domanda_azienda_stato"),
            # A page of the queue: "first domanda of the site" and the site's weeks under the measure.
            models.Index(fields=["sede", "misura", "presentata_il"], name="domanda_sede_misura"),
            # The officers' unfiltered queue: every submitted domanda, oldest first.
            models.Index(
                fields=["presentata_il", "id"],
                name="domanda_coda_presentate",
                condition=~Q(stato=StatoDomanda.BOZZA),
            ),
        ]

    def __str__(self) -> str:
        numero = self.registrazione.segnatura if self.registrazione is not None else f"n. {self.pk}"
        return f"Domanda {numero} – {self.azienda}"

    @property
    def giorni(self) -> int:
        return conteggi.giorni(self.data_inizio, self.data_fine)

    @property
    def settimane(self) -> int:
        """Weeks of the period as INPS counts them (`claims.conteggi.settimane`)."""
        return conteggi.settimane(self.data_inizio, self.data_fine)

    @property
    def accordo_richiesto(self) -> bool:
        """Employers up to the measure's threshold declare the damage instead of attaching the union
        agreement (regional framework agreement, Piemonte, 26 March 2020)."""
        soglia = self.misura.dipendenti_senza_accordo
        return soglia is None or self.numero_dipendenti is None or self.numero_dipendenti > soglia


class Lavoratore(models.Model):
    domanda = models.ForeignKey(Domanda, on_delete=models.CASCADE, related_name="lavoratori")
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, validators=[validate_codice_fiscale_persona]
    )
    cognome = models.CharField(_("cognome"), max_length=100)
    nome = models.CharField(_("nome"), max_length=100)
    qualifica = models.CharField(_("qualifica"), max_length=20, choices=Qualifica)
    tipo_contratto = models.CharField(_("tipo di contratto"), max_length=20, choices=TipoContratto)
    ore_settimanali = models.DecimalField(
        _("ore settimanali da contratto"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("48"))],
    )
    ore_richieste = models.DecimalField(
        _("ore richieste"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0"))]
    )
    data_assunzione = models.DateField(_("data di assunzione"))
    giorni_settimana = models.PositiveSmallIntegerField(
        _("giorni lavorativi a settimana"),
        null=True,
        blank=True,
        choices=[(5, "5"), (6, "6")],
        help_text=_("Solo per le aziende agricole, che chiedono giorni e non ore."),
    )
    giorni_richiesti = models.PositiveSmallIntegerField(
        _("giorni richiesti"),
        null=True,
        blank=True,
        help_text=_("Solo per le aziende agricole: giornate di integrazione richieste nel periodo."),
    )
    ore_autorizzate = models.DecimalField(
        _("ore autorizzate"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_(
            "Fissate dalla determinazione di autorizzazione; vuoto finché la domanda non è autorizzata."
        ),
    )

    class Meta:
        verbose_name = _("lavoratore")
        verbose_name_plural = _("lavoratori")
        ordering = ["cognome", "nome"]
        # Search by a worker's codice fiscale, and the "worker also in another company's domanda" flag.
        indexes = [models.Index(fields=["codice_fiscale"], name="lavoratore_codice_fiscale")]
        constraints = [
            models.UniqueConstraint(
                fields=["domanda", "codice_fiscale"], name="lavoratore_unico_per_domanda"
            ),
            models.CheckConstraint(
                condition=Q(ore_settimanali__gt=0, ore_settimanali__lte=48) & Q(ore_richieste__gte=0),
                name="lavoratore_ore_valide",
            ),
            models.CheckConstraint(
                condition=Q(giorni_settimana__isnull=True) | Q(giorni_settimana__in=[5, 6]),
                name="lavoratore_giorni_settimana_5_o_6",
            ),
            models.CheckConstraint(
                condition=Q(ore_autorizzate__isnull=True) | Q(ore_autorizzate__gte=0),
                name="lavoratore_ore_autorizzate_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cognome} {self.nome} ({self.codice_fiscale})"


class EventoDomanda(models.Model):
    """Append-only history: one row per transition (who, when, from, to, note)."""

    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="eventi")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    da = models.CharField(_("da"), max_length=20, choices=StatoDomanda, blank=True)
    a = models.CharField(_("a"), max_length=20, choices=StatoDomanda)
    note = models.TextField(_("note"), blank=True)
    dati = models.JSONField(_("dettagli"), default=dict, blank=True)
    created_at = models.DateTimeField(_("il"), auto_now_add=True)

    class Meta:
        verbose_name = _("evento della domanda")
        verbose_name_plural = _("storico della domanda")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_da_display() or '–'} → {self.get_a_display()}"


class RichiestaRegione(TimeStampedModel):
    """A company's request to the Region to change or cancel a domanda it can no longer rectify."""

    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="richieste")
    tipo = models.CharField(_("tipo"), max_length=12, choices=TipoRichiesta)
    motivo = models.TextField(_("motivo"))
    richiedente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    esito = models.CharField(
        _("esito"), max_length=10, choices=EsitoRichiesta, default=EsitoRichiesta.IN_ATTESA
    )
    risposta = models.TextField(_("risposta"), blank=True)
    risposta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risposta_il = models.DateTimeField(_("risposta il"), null=True, blank=True)
    segnalata_il = models.DateTimeField(
        _("segnalata ai funzionari il"),
        null=True,
        blank=True,
        help_text=_("Quando il riepilogo via e-mail l'ha segnalata ai funzionari regionali."),
    )

    class Meta:
        verbose_name = _("richiesta di modifica o annullamento")
        verbose_name_plural = _("richieste di modifica o annullamento")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["esito", "created_at"]),
            models.Index(fields=["domanda", "esito"], name="richiesta_domanda_esito"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tipo_display()} – {self.domanda}"
