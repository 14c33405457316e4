from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from anagrafica.permissions import FunzionarioOnlyMixin

from . import registry
from .models import RegistrazioneProtocollo


class TipoDocumentoFilter(admin.SimpleListFilter):
    title = _("tipo di documento")
    parameter_name = "tipo"

    def lookups(self, request, model_admin):
        return [(adapter.tipo, adapter.etichetta) for adapter in registry.adapters()]

    def queryset(self, request, queryset):
        return queryset.filter(tipo_documento=self.value()) if self.value() else queryset


@admin.register(RegistrazioneProtocollo)
class RegistrazioneProtocolloAdmin(FunzionarioOnlyMixin, admin.ModelAdmin):
    """The protocol register, read-only: entries are never added, changed or deleted by hand
    (DPR 445/2000 art. 57; the database refuses it too)."""

    list_display = ("segnatura", "registrata_il", "tipo", "oggetto", "codice_verifica")
    list_filter = ("anno", TipoDocumentoFilter)
    search_fields = ("=numero", "=codice_verifica", "oggetto", "=impronta")
    date_hierarchy = "registrata_il"
    ordering = ("-anno", "-numero")
    show_full_result_count = False
    readonly_fields = (
        "segnatura",
        "anno",
        "numero",
        "registrata_il",
        "tipo",
        "oggetto",
        "impronta",
        "codice_verifica",
    )
    fields = readonly_fields
    actions = None

    @admin.display(description=_("protocollo"), ordering="numero")
    def segnatura(self, obj: RegistrazioneProtocollo) -> str:
        return obj.segnatura

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RegistrazioneProtocollo | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RegistrazioneProtocollo | None = None) -> bool:
        return False

    @admin.display(description=_("tipo di documento"), ordering="tipo_documento")
    def tipo(self, obj: RegistrazioneProtocollo) -> str:
        return obj.tipo_documento_etichetta
