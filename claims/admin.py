from typing import cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from anagrafica.models import User
from anagrafica.permissions import FunzionarioEditsMixin, FunzionarioOnlyMixin, is_funzionario
from core.exceptions import DomainError

from .constants import AUTORIZZATE, TRANSITIONS, EsitoRichiesta, Lato, StatoDomanda, TipoRichiesta
from .models import (
    Domanda,
    EventoDomanda,
    FinestraPresentazione,
    Lavoratore,
    Misura,
    RichiestaRegione,
)
from .selectors import lavoratori_in_altre_aziende
from .services.domande import domanda_transition, richiesta_answer

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
    fields = readonly_fields = ("created_at", "actor", "da", "a", "note")
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


@admin.register(Domanda)
class DomandaAdmin(FunzionarioOnlyMixin, admin.ModelAdmin):
    """Officers examine domande here; every decision goes through `domanda_transition`."""

    list_display = ("__str__", "sede", "stato", "data_inizio", "data_fine", "presentata_il", "protocollo")
    list_filter = ("stato", "misura", "sede__comune__provincia")
    search_fields = ("azienda__ragione_sociale", "=azienda__codice_fiscale", "=registrazione__numero")
    list_select_related = ("azienda", "sede__comune", "registrazione")
    show_full_result_count = False
    date_hierarchy = "presentata_il"
    inlines = [LavoratoreInline, EventoInline, RichiestaInline]
    readonly_fields = (
        "azioni",
        "stato",
        "protocollo",
        "azienda",
        "sede",
        "misura",
        "data_inizio",
        "data_fine",
        "settimane",
        "referente_nome",
        "referente_email",
        "referente_telefono",
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
        # Drafts are invisible to the Region.
        return super().get_queryset(request).exclude(stato=StatoDomanda.BOZZA)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

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
            mark_safe("<br>"),
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

    @admin.display(description=_("decisione"))
    def azioni(self, obj: Domanda):
        if not decisioni_manuali(obj.stato):
            return _("Nessuna decisione possibile in questo stato.")
        url = reverse("admin:claims_domanda_decidi", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Cambia stato"))

    def get_urls(self):
        decidi = path(
            "<int:pk>/decidi/", self.admin_site.admin_view(self.decidi_view), name="claims_domanda_decidi"
        )
        return [decidi, *super().get_urls()]

    def decidi_view(self, request: HttpRequest, pk: int):
        if not is_funzionario(request.user):
            raise PermissionDenied
        domanda = get_object_or_404(self.get_queryset(request), pk=pk)
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
                messages.success(request, _("Stato della domanda aggiornato; il referente riceve un'e-mail."))
                return redirect("admin:claims_domanda_change", domanda.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decisione sulla domanda %(domanda)s") % {"domanda": domanda},
            "opts": self.model._meta,
            "oggetto": domanda,
            "oggetto_url": reverse("admin:claims_domanda_change", args=[domanda.pk]),
            "azione": _("Decisione"),
            "intro": _("Stato attuale: %(stato)s") % {"stato": domanda.get_stato_display()},
            "form": form,
            "invia": _("Conferma la decisione"),
        }
        return TemplateResponse(request, "admin/claims/azione.html", context)


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
