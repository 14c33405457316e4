"""Backoffice admin. Consuntivi are final once sent: the admin only shows them, for everyone
(superusers included) — no add, change or delete. Officers edit the massimali and the resources."""

from decimal import Decimal

from django.contrib import admin
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from anagrafica.permissions import FunzionarioEditsMixin, FunzionarioOnlyMixin
from claims.models import Domanda
from claims.selectors import ricerca_domande
from core.admin import AnnoFieldListFilter, ElencoLungoMixin
from core.models import AccessoDatiPersonali
from core.services import accesso_dati_registra
from core.spreadsheets import csv_lines

from .models import CaricamentoConsuntivo, Consuntivo, Massimale, RigaConsuntivo, RisorseRegionali
from .selectors import SR41_COLONNE, sr41_righe


@admin.display(description=_("anno"), ordering="anno")
def anno(obj) -> str:
    return str(obj.anno)  # not "2.020": a year takes no thousands separator


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RigaConsuntivoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RigaConsuntivo
    fields = ("lavoratore", "ore", "retribuzione_mensile")
    readonly_fields = fields
    extra = 0
    show_change_link = False

    def get_queryset(self, request: HttpRequest):
        # Each line shows its worker: one join, not a query per line.
        return super().get_queryset(request).select_related("lavoratore")


@admin.action(description=_("Esporta i dati SR41 (CSV)"))
def esporta_sr41(modeladmin, request, queryset):
    accesso_dati_registra(
        actor=request.user,
        azione=AccessoDatiPersonali.Azione.ESPORTAZIONE,
        descrizione=_("dati SR41 dei consuntivi selezionati"),
        motivo=_("pagamento diretto INPS (dati SR41)"),
        quanti=queryset.count(),
    )
    response = StreamingHttpResponse(
        csv_lines([SR41_COLONNE, *sr41_righe(queryset)]), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="sr41.csv"'
    return response


@admin.register(Consuntivo)
class ConsuntivoAdmin(FunzionarioOnlyMixin, ElencoLungoMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A consuntivo a month per domanda: millions of rows. Counts and pages are capped (ElencoLungoMixin),
    the month drill-down reads no DISTINCT (change_list.html), the search goes where the queue's does."""

    list_display = ("domanda", "mese", "inviato_il", "protocollo")
    list_filter = ("mese",)
    date_hierarchy = "mese"
    search_fields = ("domanda__azienda__ragione_sociale",)  # shows the box; the search is ricerca_domande
    search_help_text = _(
        "Protocollo della domanda (2026/0000005), partita IVA, codice fiscale dell'azienda, del legale "
        "rappresentante o di un lavoratore, ragione sociale."
    )
    list_select_related = ("domanda__azienda", "domanda__registrazione", "registrazione")
    readonly_fields = ("domanda", "mese", "inviato_il", "inviato_da", "registrazione", "dati_inviati")
    inlines = [RigaConsuntivoInline]
    actions = [esporta_sr41]

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(
            domanda__in=Domanda.objects.filter(ricerca_domande(search_term)).values("pk")
        ), False

    @admin.display(description=_("protocollo"))
    def protocollo(self, obj: Consuntivo) -> str:
        return obj.protocollo or "—"


@admin.register(CaricamentoConsuntivo)
class CaricamentoConsuntivoAdmin(FunzionarioOnlyMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("nome_file", "domanda", "mese", "stato", "progresso", "errori_totali", "created_at")
    list_filter = ("stato",)
    list_select_related = ("domanda__azienda",)
    show_full_result_count = False
    exclude = ("file",)  # the upload is private; it is not offered for download here


@admin.register(Massimale)
class MassimaleAdmin(FunzionarioEditsMixin, admin.ModelAdmin):
    list_display = (
        anno,
        "soglia_retribuzione",
        "importo_sotto",
        "importo_sopra",
        "riduzione_percentuale",
        "lordi",
    )
    fields = (
        "anno",
        "soglia_retribuzione",
        "importo_sotto",
        "importo_sopra",
        "riduzione_percentuale",
        "fonte",
    )

    @admin.display(description=_("massimali lordi corrispondenti"))
    def lordi(self, obj: Massimale) -> str:
        fattore = 1 - obj.riduzione_percentuale / 100
        sotto = (obj.importo_sotto / fattore).quantize(Decimal("0.01"))
        sopra = (obj.importo_sopra / fattore).quantize(Decimal("0.01"))
        return f"{sotto} / {sopra}"


@admin.register(RisorseRegionali)
class RisorseRegionaliAdmin(FunzionarioEditsMixin, admin.ModelAdmin):
    list_display = (anno, "descrizione", "misura", "importo", "atto")
    list_filter = (("anno", AnnoFieldListFilter),)
