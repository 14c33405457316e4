import datetime as dt

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anagrafica.permissions import FunzionarioOnlyMixin, is_funzionario
from core.admin import AnnoFieldListFilter

from . import registry
from .models import RegistrazioneProtocollo
from .services import registro_giornaliero


class RegistroGiornalieroForm(forms.Form):
    giorno = forms.DateField(label=_("Giorno"), help_text=_("gg/mm/aaaa"))
    formato = forms.ChoiceField(label=_("Formato"), choices=[("pdf", "PDF"), ("csv", "CSV")], initial="pdf")

    def clean_giorno(self) -> dt.date:
        giorno = self.cleaned_data["giorno"]
        if giorno > timezone.localdate():
            raise forms.ValidationError(_("Il registro di un giorno futuro non esiste ancora."))
        return giorno


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
    list_filter = (("anno", AnnoFieldListFilter), TipoDocumentoFilter)
    search_fields = ("=numero", "=codice_verifica", "oggetto", "=impronta")
    date_hierarchy = "registrata_il"
    ordering = ("-anno", "-numero")
    show_full_result_count = False
    readonly_fields = (
        "segnatura",
        "anno_col",
        "numero",
        "registrata_il",
        "tipo",
        "oggetto",
        "impronta",
        "codice_verifica",
    )
    fields = readonly_fields
    actions = None

    @admin.display(description=_("anno"))
    def anno_col(self, obj: RegistrazioneProtocollo) -> str:
        return str(obj.anno)

    @admin.display(description=_("protocollo"), ordering="numero")
    def segnatura(self, obj: RegistrazioneProtocollo) -> str:
        return obj.segnatura

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: RegistrazioneProtocollo | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: RegistrazioneProtocollo | None = None) -> bool:
        return False

    def get_urls(self):
        registro = self.admin_site.admin_view(self.registro_giornaliero_view)
        return [
            path("registro-giornaliero/", registro, name="protocollo_registro_giornaliero"),
            *super().get_urls(),
        ]

    def registro_giornaliero_view(self, request: HttpRequest) -> HttpResponse:
        """The daily register (DPR 445/2000 art. 53 c. 2) of any past day, rendered from the register
        itself: the same content the nightly task archives."""
        if not is_funzionario(request.user):
            raise PermissionDenied
        form = RegistroGiornalieroForm(request.GET if "giorno" in request.GET else None)
        if form.is_bound and form.is_valid():
            giorno, formato = form.cleaned_data["giorno"], form.cleaned_data["formato"]
            pdf, csv_testo = registro_giornaliero(giorno=giorno)
            nome = f"registro-protocollo-{giorno:%Y-%m-%d}.{formato}"
            if formato == "csv":
                risposta = HttpResponse(
                    ("\ufeff" + csv_testo).encode("utf-8"), content_type="text/csv; charset=utf-8"
                )
            else:
                risposta = HttpResponse(pdf, content_type="application/pdf")
            risposta["Content-Disposition"] = f'attachment; filename="{nome}"'
            return risposta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Registro giornaliero di protocollo"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/protocollo/registro_giornaliero.html", context)

    @admin.display(description=_("tipo di documento"), ordering="tipo_documento")
    def tipo(self, obj: RegistrazioneProtocollo) -> str:
        return obj.tipo_documento_etichetta
