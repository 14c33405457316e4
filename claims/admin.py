import copy
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, Q
from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportMixin
from import_export.formats import base_formats

from anagrafica.models import User
from anagrafica.permissions import FunzionarioEditsMixin, FunzionarioOnlyMixin, funzionari, is_funzionario
from core.admin import CappedChangeList, ElencoLungoMixin
from core.exceptions import DomainError
from core.models import AccessoDatiPersonali
from core.services import accesso_dati_registra
from protocollo.selectors import ricevuta_pronta

from . import conteggi
from .constants import (
    AUTORIZZATE,
    STATI_SULLA_SCRIVANIA,
    TRANSITIONS,
    EsitoRichiesta,
    Lato,
    StatoDomanda,
    TipoRichiesta,
)
from .filters import (
    CpiFilter,
    InCaricoFilter,
    PeriodoFilter,
    SegnalazioneFilter,
    SezioneAtecoFilter,
    StatoFilter,
)
from .models import (
    Domanda,
    EventoDomanda,
    FinestraPresentazione,
    Lavoratore,
    Misura,
    RichiestaRegione,
)
from .selectors import (
    coda_istruttoria,
    con_dettagli,
    lavoratori_in_altre_aziende,
    pagina_con_dettagli,
    ricerca_domande,
)
from .services.domande import domanda_transition, richiesta_answer
from .services.istruttoria import (
    Esito,
    domanda_assign,
    domanda_take_in_charge,
    domande_bulk,
    domande_decide,
    domande_take_in_charge,
    nome_di,
)

# --- the Region's backoffice for domande ------------------------------------------------------


class FinestraInline(FunzionarioEditsMixin, admin.TabularInline):
    model = FinestraPresentazione
    extra = 0


@admin.register(Misura)
class MisuraAdmin(FunzionarioEditsMixin, admin.ModelAdmin):
    """Measures and submission windows are data the officer edits, not code."""

    list_display = (
        "nome",
        "base_giuridica",
        "periodo_dal",
        "periodo_al",
        "max_settimane_per_sede",
        "max_settimane_prima_domanda",
        "min_giorni_prima_domanda",
    )
    prepopulated_fields = {"codice": ("nome",)}
    inlines = [FinestraInline]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_funzionario(request.user) and (obj is None or not obj.domande.exists())


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    @property
    def media(self) -> forms.Media:
        # Nothing to add or remove here: without inlines.js no script sets inline styles (CSP).
        return forms.Media()

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_funzionario(request.user)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class LavoratoreInline(ReadOnlyInline):
    model = Lavoratore
    fields = readonly_fields = (
        "codice_fiscale",
        "cognome",
        "nome",
        "qualifica",
        "tipo_contratto",
        "ore_settimanali",
        "ore_richieste",
        "ore_autorizzate",
        "data_assunzione",
        "giorni_settimana",
        "giorni_richiesti",
    )


class EventoInline(ReadOnlyInline):
    model = EventoDomanda
    fields = readonly_fields = ("created_at", "chi", "da", "a", "note")

    @admin.display(description=_("chi"))
    def chi(self, obj: EventoDomanda) -> str:
        return str(obj.actor) if obj.actor else gettext("sistema")

    verbose_name_plural = _("storico")


class RichiestaInline(ReadOnlyInline):
    model = RichiestaRegione
    fields = readonly_fields = ("created_at", "tipo", "motivo", "esito", "risposta")


class DecisioneForm(forms.Form):
    a = forms.ChoiceField(label=_("nuovo stato"))
    note = forms.CharField(
        label=_("nota per l'azienda"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Obbligatoria per «da rettificare», «non ammissibile» e «annullata»: arriva al referente."
        ),
    )

    def __init__(self, *args, domanda: Domanda, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["a"]).choices = [
            (stato, StatoDomanda(stato).label) for stato in decisioni_manuali(domanda.stato)
        ]


def decisioni_manuali(stato: str) -> list[str]:
    """The officer's moves from `stato`, except those made only by a determinazione and its Flusso B."""
    return [a for a, lato in TRANSITIONS[stato].items() if lato == Lato.REGIONE and a not in AUTORIZZATE]


class DomandaResource(resources.ModelResource):
    """The filtered queue as a spreadsheet (CSV, XLSX): one row per domanda, with its workers and hours."""

    protocollo = fields.Field(attribute="protocollo", column_name=_("protocollo"))
    stato = fields.Field(attribute="get_stato_display", column_name=_("stato"))
    azienda = fields.Field(attribute="azienda__ragione_sociale", column_name=_("azienda"))
    codice_fiscale = fields.Field(attribute="azienda__codice_fiscale", column_name=_("codice fiscale"))
    partita_iva = fields.Field(attribute="azienda__partita_iva", column_name=_("partita IVA"))
    ateco = fields.Field(attribute="azienda__codice_ateco", column_name=_("codice ATECO"))
    sede = fields.Field(attribute="sede__denominazione", column_name=_("sede"))
    comune = fields.Field(attribute="sede__comune__nome", column_name=_("comune della sede"))
    cpi = fields.Field(attribute="cpi_nome", column_name=_("CPI"))
    misura = fields.Field(attribute="misura__nome", column_name=_("misura"))
    presentata_il = fields.Field(column_name=_("presentata il"))
    data_inizio = fields.Field(attribute="data_inizio", column_name=_("dal"))
    data_fine = fields.Field(attribute="data_fine", column_name=_("al"))
    n_lavoratori = fields.Field(attribute="num_lavoratori", column_name=_("lavoratori"))
    ore_totali = fields.Field(attribute="ore_totali", column_name=_("ore richieste"))
    in_carico = fields.Field(column_name=_("in carico a"))
    segnalazioni = fields.Field(column_name=_("segnalazioni"))
    lavoratori = fields.Field(column_name=_("lavoratori e ore"))

    class Meta:
        model = Domanda
        fields = (
            "protocollo", "stato", "azienda", "codice_fiscale", "partita_iva", "ateco", "sede", "comune",
            "cpi", "misura", "presentata_il", "data_inizio", "data_fine", "n_lavoratori", "ore_totali",
            "in_carico", "segnalazioni", "lavoratori",
        )  # fmt: skip
        export_order = fields

    def dehydrate_presentata_il(self, domanda: Domanda) -> str:
        return timezone.localtime(domanda.presentata_il).strftime("%d/%m/%Y %H:%M")

    def dehydrate_in_carico(self, domanda: Domanda) -> str:
        return nome_di(domanda.assegnata_a) if domanda.assegnata_a else ""

    def dehydrate_segnalazioni(self, domanda: Domanda) -> str:
        return "; ".join(str(testo) for testo in segnalazioni(domanda))

    def dehydrate_lavoratori(self, domanda: Domanda) -> str:
        return "; ".join(
            f"{lav.codice_fiscale} {lav.cognome} {lav.nome}: {lav.ore_richieste} h"
            for lav in domanda.lavoratori.all()
        )


def segnalazioni(domanda: Domanda) -> list[str]:
    """The flags an officer looks at first (annotations of `coda_istruttoria`)."""
    testi = []
    if getattr(domanda, "richiesta_pendente", False):
        testi.append(gettext("richiesta in attesa"))
    if getattr(domanda, "lavoratore_altrove", False):
        testi.append(gettext("lavoratore in domanda di altra azienda"))
    if getattr(domanda, "prima_domanda", False):
        testi.append(gettext("prima domanda della sede"))
    testi.append(gettext("autodichiarazione") if domanda.dichiara_danno else gettext("accordo sindacale"))
    return testi


class CodaChangeList(CappedChangeList):
    def get_results(self, request: HttpRequest) -> None:
        # Count and page on the bare queue (pks only); the details are computed for the page's rows.
        self.queryset = self.queryset.select_related(None).only("pk")
        super().get_results(request)
        self.result_list = pagina_con_dettagli(self.result_list)


class MotivoForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo della non ammissibilità (arriva al referente di ogni domanda)"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AssegnaForm(forms.Form):
    funzionario = forms.ModelChoiceField(label=_("Assegna a"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["funzionario"]).queryset = funzionari().order_by(
            "last_name", "first_name"
        )


MSG_TROPPE = _("Si possono trattare al massimo %(n)d domande per volta: restringi la selezione con i filtri.")
MAX_AZIONE_MULTIPLA = 200  # about 4 s of work under load (bench/backoffice.py): well inside a request


@admin.register(Domanda)
class DomandaAdmin(FunzionarioOnlyMixin, ElencoLungoMixin, ExportMixin, admin.ModelAdmin):
    """The officers' queue and examination page. Every decision goes through the services
    (`domanda_transition`, `domanda_assign`, `domande_decide`)."""

    resource_classes = [DomandaResource]
    formats = [base_formats.CSV, base_formats.XLSX]
    change_list_template = "admin/claims/domanda/change_list.html"
    change_form_template = "admin/claims/domanda/change_form.html"
    list_display = (
        "protocollo_col",
        "azienda",
        "presentata_col",
        "eta",
        "stato",
        "segnalazioni_col",
        "in_carico",
        "n_lavoratori_col",
        "ore_col",
        "settimane_col",
        "cpi_col",
    )
    list_display_links = ("protocollo_col", "azienda")
    list_filter = (
        StatoFilter,
        InCaricoFilter,
        SegnalazioneFilter,
        CpiFilter,
        "misura",
        PeriodoFilter,
        SezioneAtecoFilter,
    )
    search_fields = ("azienda__ragione_sociale",)  # shows the box; the search itself is ricerca_domande
    search_help_text = _(
        "Protocollo (2026/0000005), partita IVA, codice fiscale dell'azienda, del legale rappresentante o "
        "di un lavoratore, ragione sociale."
    )
    ordering = ("presentata_il", "id")
    # "The domande of 3 April": one day's intake. Drawn by `gerarchia_date` (change_list.html) without
    # Django's DISTINCT over every row; counts and pages capped by ElencoLungoMixin.
    date_hierarchy = "presentata_il"
    show_facets = admin.ShowFacets.NEVER  # a count per filter choice, over a month of domande: no
    list_per_page = 50
    actions: tuple[Any, ...] = ("prendi_in_carico", "assegna", "ammissibile", "non_ammissibile")
    inlines = [LavoratoreInline, EventoInline, RichiestaInline]
    readonly_fields = (
        "stato",
        "protocollo",
        "azienda",
        "sede",
        "misura",
        "data_inizio",
        "data_fine",
        "settimane",
        "assegnata_a",
        "referente_nome",
        "referente_email",
        "referente_telefono",
        "numero_dipendenti",
        "accordo_data",
        "accordo_sha256",
        "presentata_il",
        "presentata_da",
        "codice_autorizzazione_inps",
        "sostituisce",
        "sostituita_da_link",
        "altre_aziende",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest):
        # Drafts are invisible to the Region (coda_istruttoria leaves them out).
        return coda_istruttoria()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        titolo = {"title": _("Coda delle domande, dalla più vecchia")}
        return super().changelist_view(request, {**titolo, **(extra_context or {})})

    def get_changelist(self, request: HttpRequest, **kwargs):
        return CodaChangeList

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(ricerca_domande(search_term)), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_export_permission(self, request: HttpRequest) -> bool:
        return is_funzionario(request.user)

    def get_export_data(self, file_format, request: HttpRequest, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)  # checks permission
        accesso_dati_registra(
            actor=request.user,
            azione=AccessoDatiPersonali.Azione.ESPORTAZIONE,
            descrizione=f"coda di istruttoria ({file_format.get_title()})",
            motivo=_("esportazione della coda di istruttoria"),
            quanti=queryset.count(),
        )
        return data

    def get_export_queryset(self, request: HttpRequest):
        return con_dettagli(super().get_export_queryset(request)).prefetch_related("lavoratori")

    # --- columns --------------------------------------------------------------------------------

    @admin.display(description=_("protocollo"), ordering="registrazione__numero")
    def protocollo_col(self, obj: Domanda) -> str:
        return obj.protocollo or gettext("in attesa di numero")

    @admin.display(description=_("presentata il"), ordering="presentata_il")
    def presentata_col(self, obj: Domanda) -> str:
        return timezone.localtime(obj.presentata_il).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("giorni"))
    def eta(self, obj: Domanda) -> int:
        return (timezone.localdate() - timezone.localtime(obj.presentata_il).date()).days

    @admin.display(description=_("in carico a"), ordering="assegnata_a__last_name")
    def in_carico(self, obj: Domanda) -> str:
        return nome_di(obj.assegnata_a) if obj.assegnata_a else "–"

    @admin.display(description=_("lavoratori"))
    def n_lavoratori_col(self, obj: Domanda) -> int:
        return obj.num_lavoratori  # type: ignore[attr-defined]

    @admin.display(description=_("ore"))
    def ore_col(self, obj: Domanda):
        return obj.ore_totali  # type: ignore[attr-defined]

    @admin.display(description=_("CPI"))
    def cpi_col(self, obj: Domanda) -> str:
        return obj.cpi_nome or "–"  # type: ignore[attr-defined]

    @admin.display(description=_("settimane della sede"))
    def settimane_col(self, obj: Domanda) -> str:
        giorni = getattr(obj, "giorni_usati_sede", None)
        if giorni is None:
            return "–"
        return f"{conteggi.settimane_di(giorni)}/{obj.misura.max_settimane_per_sede}"

    @admin.display(description=_("segnalazioni"))
    def segnalazioni_col(self, obj: Domanda) -> str:
        return format_html_join(
            " ", '<span class="segnalazione">{}</span>', ((testo,) for testo in segnalazioni(obj))
        )

    @admin.display(description=_("sostituita da"))
    def sostituita_da_link(self, obj: Domanda):
        successor = getattr(obj, "sostituita_da", None)
        if successor is None:
            return "–"
        url = reverse("admin:claims_domanda_change", args=[successor.pk])
        return format_html('<a href="{}">{}</a>', url, successor)

    @admin.display(description=_("lavoratori anche in domande di altre aziende"))
    def altre_aziende(self, obj: Domanda):
        altri = list(lavoratori_in_altre_aziende(obj))
        if not altri:
            return "–"
        return format_html_join(
            mark_safe("<br>"),  # a constant  # nosec B308
            "{}: {} ({}, dal {} al {}, {} ore)",
            (
                (
                    lav.codice_fiscale,
                    lav.domanda,
                    lav.domanda.get_stato_display(),
                    date_format(lav.domanda.data_inizio, "SHORT_DATE_FORMAT"),
                    date_format(lav.domanda.data_fine, "SHORT_DATE_FORMAT"),
                    lav.ore_richieste,
                )
                for lav in altri
            ),
        )

    # --- bulk actions: each domanda has its outcome -----------------------------------------------

    def _esiti(self, request: HttpRequest, titolo, esiti: list[Esito]) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": titolo,
            "opts": self.model._meta,
            "esiti": esiti,
            "fatte": sum(1 for esito in esiti if esito.fatto),
            "rifiutate": sum(1 for esito in esiti if not esito.fatto),
            "torna": self._url_coda(request),
        }
        return TemplateResponse(request, "admin/claims/domanda/esiti.html", context)

    def _url_coda(self, request: HttpRequest) -> str:
        filtri = request.GET.urlencode()
        url = reverse("admin:claims_domanda_changelist")
        return f"{url}?{filtri}" if filtri else url

    def _selezione(self, request: HttpRequest, queryset) -> list[Domanda] | None:
        domande = list(queryset.order_by("presentata_il", "pk")[: MAX_AZIONE_MULTIPLA + 1])
        if len(domande) > MAX_AZIONE_MULTIPLA:
            messages.error(request, MSG_TROPPE % {"n": MAX_AZIONE_MULTIPLA})
            return None
        return domande

    @admin.action(description=_("Prendi in carico le domande selezionate"))
    def prendi_in_carico(self, request: HttpRequest, queryset):
        domande = self._selezione(request, queryset)
        if domande is None:
            return None
        esiti = domande_take_in_charge(actor=cast(User, request.user), domande=domande)
        return self._esiti(request, _("Presa in carico"), esiti)

    @admin.action(description=_("Dichiara ammissibili le domande selezionate"))
    def ammissibile(self, request: HttpRequest, queryset):
        domande = self._selezione(request, queryset)
        if domande is None:
            return None
        esiti = domande_decide(actor=cast(User, request.user), domande=domande, to=StatoDomanda.AMMISSIBILE)
        return self._esiti(request, _("Verificate - ammissibili"), esiti)

    @admin.action(description=_("Dichiara non ammissibili le domande selezionate…"))
    def non_ammissibile(self, request: HttpRequest, queryset):
        form = MotivoForm(request.POST if "motivo" in request.POST else None)
        if form.is_bound and form.is_valid():
            domande = self._selezione(request, queryset)
            if domande is None:
                return None
            esiti = domande_decide(
                actor=cast(User, request.user),
                domande=domande,
                to=StatoDomanda.NON_AMMISSIBILE,
                note=form.cleaned_data["motivo"],
            )
            return self._esiti(request, _("Non ammissibili"), esiti)
        return self._chiedi(request, queryset, form, "non_ammissibile", _("Dichiara non ammissibili"))

    @admin.action(description=_("Assegna le domande selezionate a un funzionario…"))
    def assegna(self, request: HttpRequest, queryset):
        form = AssegnaForm(request.POST if "funzionario" in request.POST else None)
        if form.is_bound and form.is_valid():
            domande = self._selezione(request, queryset)
            if domande is None:
                return None
            actor, funzionario = cast(User, request.user), form.cleaned_data["funzionario"]
            esiti = domande_bulk(
                actor=actor,
                domande=domande,
                azione=lambda d: domanda_assign(actor=actor, domanda=d, funzionario=funzionario, forza=True),
            )
            return self._esiti(request, _("Assegnazione a %(nome)s") % {"nome": nome_di(funzionario)}, esiti)
        return self._chiedi(request, queryset, form, "assegna", _("Assegna a un funzionario"))

    def _chiedi(self, request: HttpRequest, queryset, form, azione: str, titolo) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": titolo,
            "opts": self.model._meta,
            "domande": queryset[:MAX_AZIONE_MULTIPLA],
            "form": form,
            "azione": azione,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/claims/domanda/azione_multipla.html", context)

    # --- the examination page -------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/decidi/", view(self.decidi_view), name="claims_domanda_decidi"),
            path("<int:pk>/prendi/", view(self.prendi_view), name="claims_domanda_prendi"),
            *super().get_urls(),
        ]

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        domanda = self.get_object(request, object_id)
        extra = {}
        if domanda is not None and self.has_view_permission(request, domanda):
            extra = self._esame(request, domanda)
            accesso_dati_registra(
                actor=request.user,
                azione=AccessoDatiPersonali.Azione.ELENCO,
                descrizione=f"lavoratori della domanda {domanda.pk}",
                motivo=_("istruttoria della domanda"),
                oggetto=domanda,
            )
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def _esame(self, request: HttpRequest, domanda: Domanda) -> dict:
        [domanda] = pagina_con_dettagli([domanda])
        registrazione = domanda.registrazione
        return {
            "domanda": domanda,
            "ore_totali": domanda.ore_totali,  # type: ignore[attr-defined]
            "n_lavoratori": domanda.num_lavoratori,  # type: ignore[attr-defined]
            "segnalazioni": segnalazioni(domanda),
            "settimane_sede": conteggi.settimane_di(domanda.giorni_usati_sede),  # type: ignore[attr-defined]
            "dichiarazioni": [
                (cast(Field, Domanda._meta.get_field(campo)).verbose_name, getattr(domanda, campo))
                for campo in (
                    "dichiara_danno",
                    "dichiara_assenza_altri_ammortizzatori",
                    "dichiara_veridicita",
                )
            ],
            "ricevuta_pronta": ricevuta_pronta(registrazione),
            "has_accordo": bool(domanda.accordo_file),
            "registrazione": registrazione,
            "decisione_form": DecisioneForm(domanda=domanda),
            "puo_decidere": bool(decisioni_manuali(domanda.stato)),
            "puo_prendere": domanda.stato in STATI_SULLA_SCRIVANIA
            and domanda.assegnata_a_id != request.user.pk,
            "filtri": request.GET.get("_changelist_filters", ""),
        }

    def _prossima(self, request: HttpRequest, domanda: Domanda, filtri: str) -> Domanda | None:
        """The next domanda of the queue the officer came from, with the same filters and search."""
        coda = copy.copy(request)
        coda.GET = QueryDict(filtri)
        try:
            queryset = self.get_changelist_instance(coda).get_queryset(coda)
        except IncorrectLookupParameters:
            queryset = self.get_queryset(request)
        dopo = Q(presentata_il__gt=domanda.presentata_il) | Q(
            presentata_il=domanda.presentata_il, pk__gt=domanda.pk
        )
        return queryset.filter(dopo).order_by("presentata_il", "pk").first()

    def _url_domanda(self, domanda: Domanda, filtri: str) -> str:
        url = reverse("admin:claims_domanda_change", args=[domanda.pk])
        return f"{url}?{urlencode({'_changelist_filters': filtri})}" if filtri else url

    def prendi_view(self, request: HttpRequest, pk: int):
        if not is_funzionario(request.user):
            raise PermissionDenied
        domanda = get_object_or_404(self.get_queryset(request), pk=pk)
        filtri = request.POST.get("_changelist_filters", "")
        if request.method == "POST":
            try:
                domanda_take_in_charge(actor=cast(User, request.user), domanda=domanda)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, MSG_PRESA_IN_CARICO)
        return redirect(self._url_domanda(domanda, filtri))

    def decidi_view(self, request: HttpRequest, pk: int):
        if not is_funzionario(request.user):
            raise PermissionDenied
        domanda = get_object_or_404(self.get_queryset(request), pk=pk)
        filtri = request.POST.get("_changelist_filters", request.GET.get("_changelist_filters", ""))
        form = DecisioneForm(request.POST or None, domanda=domanda)
        if request.method == "POST" and form.is_valid():
            try:
                domanda_transition(
                    actor=cast(User, request.user),
                    domanda=domanda,
                    to=form.cleaned_data["a"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("note", message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return self._dopo_decisione(request, domanda, filtri)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decisione sulla domanda %(domanda)s") % {"domanda": domanda},
            "opts": self.model._meta,
            "oggetto": domanda,
            "oggetto_url": self._url_domanda(domanda, filtri),
            "azione": _("Decisione"),
            "intro": _("Stato attuale: %(stato)s") % {"stato": domanda.get_stato_display()},
            "form": form,
            "filtri": filtri,
            "invia": _("Conferma la decisione"),
        }
        return TemplateResponse(request, "admin/claims/azione.html", context)

    def _dopo_decisione(self, request: HttpRequest, domanda: Domanda, filtri: str):
        prossima = self._prossima(request, domanda, filtri)
        if prossima is None:
            messages.success(request, MSG_DECISIONE_FINE_CODA)
            url = reverse("admin:claims_domanda_changelist")
            return redirect(f"{url}?{filtri}" if filtri else url)
        messages.success(request, MSG_DECISIONE % {"domanda": domanda.protocollo or domanda.pk})
        return redirect(self._url_domanda(prossima, filtri))


MSG_PRESA_IN_CARICO = _("Domanda presa in carico: è tra «Le mie domande».")
MSG_DECISIONE = _(
    "Decisione sulla domanda %(domanda)s registrata; il referente riceve un'e-mail. Ecco la prossima domanda della coda."
)
MSG_DECISIONE_FINE_CODA = _(
    "Decisione registrata; il referente riceve un'e-mail. Non ci sono altre domande nella coda filtrata."
)


class RispostaForm(forms.Form):
    esito = forms.ChoiceField(
        label=_("esito"),
        choices=[(EsitoRichiesta.ACCOLTA, _("Accolta")), (EsitoRichiesta.RESPINTA, _("Respinta"))],
    )
    risposta = forms.CharField(label=_("risposta"), widget=forms.Textarea(attrs={"rows": 4}))
    rimanda_in_rettifica = forms.BooleanField(
        label=_("Rimanda la domanda all'azienda in VERIFICATA - DA RETTIFICARE"),
        required=False,
        help_text=_(
            "Solo accogliendo la richiesta di modifica, finché la domanda non è stata trasmessa all'INPS: "
            "la risposta diventa la nota della rettifica richiesta."
        ),
    )

    def __init__(self, *args, richiesta: RichiestaRegione, **kwargs):
        super().__init__(*args, **kwargs)
        if richiesta.tipo == TipoRichiesta.ANNULLAMENTO:
            del self.fields["rimanda_in_rettifica"]
            self.fields["esito"].help_text = _("Accogliendo la richiesta la domanda viene annullata.")


@admin.register(RichiestaRegione)
class RichiestaRegioneAdmin(FunzionarioOnlyMixin, admin.ModelAdmin):
    list_display = ("domanda", "tipo", "esito", "created_at", "richiedente")
    list_filter = ("esito", "tipo")
    list_select_related = ("domanda__azienda", "domanda__registrazione", "richiedente")
    show_full_result_count = False
    fields = readonly_fields = (
        "rispondi",
        "domanda",
        "tipo",
        "motivo",
        "richiedente",
        "created_at",
        "esito",
        "risposta",
        "risposta_da",
        "risposta_il",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("risposta all'azienda"))
    def rispondi(self, obj: RichiestaRegione):
        if obj.esito != EsitoRichiesta.IN_ATTESA:
            return _("Risposta già data.")
        url = reverse("admin:claims_richiestaregione_rispondi", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Rispondi"))

    def get_urls(self):
        rispondi = path(
            "<int:pk>/rispondi/",
            self.admin_site.admin_view(self.rispondi_view),
            name="claims_richiestaregione_rispondi",
        )
        return [rispondi, *super().get_urls()]

    def rispondi_view(self, request: HttpRequest, pk: int):
        if not is_funzionario(request.user):
            raise PermissionDenied
        richiesta = get_object_or_404(RichiestaRegione, pk=pk)
        form = RispostaForm(request.POST or None, richiesta=richiesta)
        if request.method == "POST" and form.is_valid():
            try:
                richiesta_answer(actor=cast(User, request.user), richiesta=richiesta, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Risposta inviata all'azienda."))
                return redirect("admin:claims_richiestaregione_change", richiesta.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Risposta alla richiesta sulla domanda %(domanda)s") % {"domanda": richiesta.domanda},
            "opts": self.model._meta,
            "oggetto": richiesta.domanda,
            "oggetto_url": reverse("admin:claims_richiestaregione_change", args=[richiesta.pk]),
            "azione": _("Risposta"),
            "intro": f"{richiesta.get_tipo_display()}: {richiesta.motivo}",
            "form": form,
            "invia": _("Invia la risposta"),
        }
        return TemplateResponse(request, "admin/claims/azione.html", context)
