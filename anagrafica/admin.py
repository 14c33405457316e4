"""Backoffice of the anagrafica: plain Django admin.

Funzionari regionali see everything; an operatore CPI sees only the companies, sites, abilitazioni
and census requests of the comuni their CPI covers (get_queryset), and every write goes through the
services in anagrafica.services, which check the same rule again.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

from .constants import StatoCensimento
from .forms import AdminLoginForm
from .models import (
    Abilitazione,
    AccessoNegato,
    Azienda,
    CentroImpiego,
    ModificaAnagrafica,
    RichiestaCensimento,
    Sede,
    User,
)
from .permissions import FunzionarioOnlyMixin, is_backoffice, is_funzionario, is_operatore_cpi
from .selectors import aziende_of_cpi, ricerca_aziende
from .services import (
    abilitazione_grant,
    abilitazione_revoke,
    abilitazione_validate,
    azienda_update,
    censimento_approve,
    censimento_refuse,
    sede_update,
)

MSG_SOLO_SUPERUTENTE = _(
    "Ruolo, CPI, accesso al backoffice e attivazione di un account li cambia solo l'amministratore."
)

admin.site.site_header = _("Aminder – backoffice")
admin.site.site_title = _("Aminder")
admin.site.index_title = _("Gestione")
admin.site.login_form = AdminLoginForm
# The home lists every section; the officers' queue needs the width more than a second menu.
admin.site.enable_nav_sidebar = False


def _cpi_of(request):
    """The CPI an operator is confined to; None for funzionari and superusers."""
    user = request.user
    if is_funzionario(user):
        return None
    if is_operatore_cpi(user):
        return user.cpi
    raise PermissionDenied


def _save_through_service(service, request, form, **target) -> None:
    """Admin edits of companies and sites go through their service (territory check, audit rows),
    with only the fields the officer changed; `target` is the stored record the service compares to."""
    try:
        service(
            actor=request.user, **target, **{field: form.cleaned_data[field] for field in form.changed_data}
        )
    except DomainError as error:
        raise PermissionDenied(error.message) from error


class BackofficeAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 50

    def has_module_permission(self, request):
        return is_backoffice(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_backoffice(request.user) and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Master data and its history are referenced by claims: records are never deleted.
        return False


def _report(request, done: int, errors: list[str], message_done) -> None:
    if done:
        messages.success(request, message_done % {"n": done})
    for error in errors:
        messages.error(request, error)


def _error_text(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# --- Aziende and sedi -------------------------------------------------------------------------------


class SedeInline(admin.TabularInline):
    model = Sede
    fields = ("denominazione", "indirizzo", "comune", "cap")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ModificaAnagraficaInline(admin.TabularInline):
    model = ModificaAnagrafica
    fields = ("created_at", "actor", "campo", "valore_precedente", "valore_nuovo")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("storico delle modifiche")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def maschera_codice_fiscale(valore: str | None) -> str:
    """A person's codice fiscale as lists show it: enough to tell two rows apart (RSS**********19M), not
    the value, which the detail page shows. A company's (11 digits) is public: shown whole."""
    if not valore or len(valore) != 16:
        return valore or "–"
    return f"{valore[:3]}{'*' * 10}{valore[-3:]}"


@admin.register(Azienda)
class AziendaAdmin(BackofficeAdmin):
    list_display = ("ragione_sociale", "codice_fiscale", "comune", "legale_rappresentante", "telefono")
    list_select_related = ("comune",)
    list_filter = ("comune__provincia",)
    search_fields = ("ragione_sociale",)  # shows the box; the search itself is ricerca_aziende
    search_help_text = _(
        "Ragione sociale, partita IVA, codice fiscale dell'azienda o del legale rappresentante."
    )
    readonly_fields = ("created_at", "updated_at")
    inlines = (SedeInline, ModificaAnagraficaInline)

    def get_search_results(self, request, queryset, search_term: str):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(ricerca_aziende(search_term)), False

    @admin.display(description=_("legale rappresentante"), ordering="lr_cognome")
    def legale_rappresentante(self, obj):
        return f"{obj.lr_nome} {obj.lr_cognome} ({maschera_codice_fiscale(obj.lr_codice_fiscale)})"

    def get_queryset(self, request):
        cpi = _cpi_of(request)
        queryset = super().get_queryset(request)
        return queryset if cpi is None else queryset.filter(pk__in=aziende_of_cpi(cpi).values("pk"))

    def has_add_permission(self, request):
        # New companies enter through a census request, which says who asked and which CPI decided.
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # The legal representative acts for the company without an abilitazione: the Region's call
        # (azienda_update refuses it too).
        return fields if _cpi_of(request) is None else (*fields, "lr_codice_fiscale")

    def save_model(self, request, obj, form, change):
        _save_through_service(azienda_update, request, form, azienda=Azienda.objects.get(pk=obj.pk))


@admin.register(Sede)
class SedeAdmin(BackofficeAdmin):
    list_display = ("denominazione", "azienda", "indirizzo", "comune", "cap")
    list_select_related = ("azienda", "comune")
    list_filter = ("comune__provincia",)
    search_fields = ("denominazione", "azienda__ragione_sociale", "azienda__codice_fiscale", "comune__nome")
    fields = ("azienda", "denominazione", "indirizzo", "comune", "cap")
    readonly_fields = ("azienda",)

    def get_queryset(self, request):
        cpi = _cpi_of(request)
        queryset = super().get_queryset(request)
        return queryset if cpi is None else queryset.filter(comune__cpi=cpi)

    def has_add_permission(self, request):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        cpi = _cpi_of(request)
        if db_field.name == "comune" and cpi is not None:
            # Only the comuni of the operator's territory (sede_update refuses the others too).
            kwargs["queryset"] = cpi.comuni.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        _save_through_service(sede_update, request, form, sede=Sede.objects.get(pk=obj.pk))


@admin.register(CentroImpiego)
class CentroImpiegoAdmin(BackofficeAdmin):
    """Funzionari edit which comuni each CPI covers: it decides who enables and censuses whom."""

    list_display = ("nome", "provincia", "email")
    list_select_related = ("provincia",)
    list_filter = ("provincia",)
    search_fields = ("nome",)
    filter_horizontal = ("comuni",)

    def get_queryset(self, request):
        cpi = _cpi_of(request)
        queryset = super().get_queryset(request)
        return queryset if cpi is None else queryset.filter(pk=cpi.pk)

    def _funzionario(self, request) -> bool:
        return is_funzionario(request.user)

    def has_add_permission(self, request):
        return self._funzionario(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._funzionario(request) and super().has_change_permission(request, obj)


# --- Abilitazioni -----------------------------------------------------------------------------------


class AbilitazioneAdminForm(forms.ModelForm):
    actor: User  # set per request by AbilitazioneAdmin.get_form

    class Meta:
        model = Abilitazione
        fields = ("azienda", "codice_fiscale", "denominazione", "valida_dal", "valida_al")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                abilitazione_validate(actor=self.actor, **(cleaned or {}))
            except DomainError as error:
                raise ValidationError(error.message) from error
        return cleaned

    def _post_clean(self):
        # The model needs the CPI, which the service derives: validation is the service's.
        pass


class StatoAbilitazioneFilter(admin.SimpleListFilter):
    title = _("stato")
    parameter_name = "stato"

    def lookups(self, request, model_admin):
        return [("valida", _("valida oggi")), ("revocata", _("revocata"))]

    def queryset(self, request, queryset):
        if self.value() == "valida":
            return queryset.valid_on(timezone.localdate())
        if self.value() == "revocata":
            return queryset.filter(revocata_il__isnull=False)
        return queryset


@admin.register(Abilitazione)
class AbilitazioneAdmin(BackofficeAdmin):
    form = AbilitazioneAdminForm
    list_display = (
        "denominazione",
        "codice_fiscale_col",
        "azienda",
        "cpi",
        "valida_dal",
        "valida_al",
        "revocata_il",
    )
    list_select_related = ("azienda", "cpi")
    list_filter = (StatoAbilitazioneFilter, "cpi")
    search_fields = ("codice_fiscale", "denominazione", "azienda__ragione_sociale", "azienda__codice_fiscale")
    autocomplete_fields = ("azienda",)
    actions = ("revoca",)
    date_hierarchy = "valida_dal"

    @admin.display(description=_("codice fiscale"), ordering="codice_fiscale")
    def codice_fiscale_col(self, obj: Abilitazione) -> str:
        return maschera_codice_fiscale(obj.codice_fiscale)

    def get_queryset(self, request):
        cpi = _cpi_of(request)
        queryset = super().get_queryset(request)
        return queryset if cpi is None else queryset.filter(azienda__in=aziende_of_cpi(cpi))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        cpi = _cpi_of(request)
        if db_field.name == "azienda" and cpi is not None:
            kwargs["queryset"] = aziende_of_cpi(cpi)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A subclass per request: the form's clean() checks the acting user's territory.
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (*AbilitazioneAdminForm.Meta.fields, "cpi", "concessa_da", "revocata_il", "revocata_da")

    def has_change_permission(self, request, obj=None):
        # An abilitazione is never edited: it is revoked (action) and, if needed, granted anew.
        return obj is None and super().has_change_permission(request)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in AbilitazioneAdminForm.Meta.fields}
        try:
            created = abilitazione_grant(actor=request.user, **fields)
        except DomainError as error:
            raise PermissionDenied(error.message) from error
        for field in Abilitazione._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    @admin.action(
        description=_("Revoca le abilitazioni selezionate (effetto immediato)"), permissions=["change"]
    )
    def revoca(self, request, queryset):
        done, errors = 0, []
        for abilitazione in queryset.select_related("azienda"):
            try:
                abilitazione_revoke(actor=request.user, abilitazione=abilitazione)
            except (DomainError, ValidationError) as error:
                errors.append(f"{abilitazione}: {_error_text(error)}")
            else:
                done += 1
        _report(request, done, errors, _("Abilitazioni revocate: %(n)d."))


# --- Richieste di censimento ------------------------------------------------------------------------


class RifiutoForm(forms.Form):
    motivo = forms.CharField(label=_("Motivo del rifiuto"), widget=forms.Textarea(attrs={"rows": 4}))


@admin.register(RichiestaCensimento)
class RichiestaCensimentoAdmin(BackofficeAdmin):
    list_display = ("created_at", "tipo", "oggetto", "comune_sede", "cpi", "stato", "richiedente")
    list_select_related = ("cpi", "richiedente", "azienda")
    list_filter = ("stato", "tipo", "cpi")
    search_fields = ("richiedente__codice_fiscale", "richiedente__last_name", "azienda__ragione_sociale")
    readonly_fields = (
        "richiedente",
        "tipo",
        "cpi",
        "azienda",
        "sede",
        "dati_leggibili",
        "stato",
        "motivo_rifiuto",
        "decisa_da",
        "decisa_il",
        "created_at",
    )
    fields = readonly_fields
    actions = ("approva", "rifiuta")

    @admin.display(description=_("azienda o sede richiesta"))
    def oggetto(self, obj):
        azienda = obj.dati.get("azienda") or {}
        return azienda.get("ragione_sociale") or str(obj.azienda or "")

    @admin.display(description=_("comune della sede"))
    def comune_sede(self, obj):
        return obj.dati.get("sede", {}).get("comune", "")

    @admin.display(description=_("dati richiesti"))
    def dati_leggibili(self, obj):
        rows = []
        for gruppo, valori in obj.dati.items():
            rows.append(f"[{gruppo}]")
            rows.extend(f"  {campo}: {valore}" for campo, valore in valori.items())
        return "\n".join(rows)

    def get_queryset(self, request):
        cpi = _cpi_of(request)
        queryset = super().get_queryset(request)
        return queryset if cpi is None else queryset.filter(cpi=cpi)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Approva le richieste selezionate"), permissions=["change"])
    def approva(self, request, queryset):
        done, errors = 0, []
        for richiesta in queryset.filter(stato=StatoCensimento.IN_ATTESA):
            try:
                censimento_approve(actor=request.user, richiesta=richiesta)
            except (DomainError, ValidationError) as error:
                errors.append(f"{richiesta.pk}: {_error_text(error)}")
            else:
                done += 1
        _report(request, done, errors, _("Richieste approvate: %(n)d."))

    @admin.action(description=_("Rifiuta le richieste selezionate…"), permissions=["change"])
    def rifiuta(self, request, queryset):
        queryset = queryset.filter(stato=StatoCensimento.IN_ATTESA)
        form = RifiutoForm(request.POST if "motivo" in request.POST else None)
        if form.is_bound and form.is_valid():
            done, errors = 0, []
            for richiesta in queryset:
                try:
                    censimento_refuse(
                        actor=request.user, richiesta=richiesta, motivo=form.cleaned_data["motivo"]
                    )
                except (DomainError, ValidationError) as error:
                    errors.append(f"{richiesta.pk}: {_error_text(error)}")
                else:
                    done += 1
            _report(request, done, errors, _("Richieste rifiutate: %(n)d."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Rifiuta le richieste di censimento"),
            "opts": self.model._meta,
            "richieste": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "anagrafica/admin/censimento_rifiuta.html", context)


# --- Users ------------------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(BackofficeAdmin, DjangoUserAdmin):
    list_display = (
        "username_col",
        "last_name",
        "first_name",
        "codice_fiscale_col",
        "ruolo",
        "cpi",
        "is_active",
    )
    list_select_related = ("cpi",)
    list_filter = ("ruolo", "cpi", "is_staff", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "codice_fiscale")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Aminder"), {"fields": ("codice_fiscale", "ruolo", "cpi")}),
    )

    @admin.display(description=_("nome utente"), ordering="username")
    def username_col(self, obj: User) -> str:
        # A person signed in with SPID, CIE or CNS has the codice fiscale as username.
        return maschera_codice_fiscale(obj.username) if obj.username == obj.codice_fiscale else obj.username

    @admin.display(description=_("codice fiscale"), ordering="codice_fiscale")
    def codice_fiscale_col(self, obj: User) -> str:
        return maschera_codice_fiscale(obj.codice_fiscale)

    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (_("Aminder"), {"fields": ("ruolo", "cpi", "first_name", "last_name", "email")}),
    )

    # An officer manages names and e-mails but cannot grant a role, a CPI, the backoffice or the
    # account itself, give an account someone's identity or reset passwords: only the superuser can.
    # (A company-side account never holds an office role at all: a database constraint.)
    PROTECTED_FIELDS = (
        "is_superuser",
        "is_staff",
        "is_active",
        "ruolo",
        "cpi",
        "groups",
        "user_permissions",
        "codice_fiscale",
        "password",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is None or request.user.is_superuser:
            return fields
        return (*fields, *self.PROTECTED_FIELDS)

    def get_fieldsets(self, request, obj=None):
        if obj is None and not request.user.is_superuser:
            # A new account made by an officer is a plain one; a superuser gives it a role.
            return (
                *(DjangoUserAdmin.add_fieldsets or ()),
                (_("Aminder"), {"fields": ("first_name", "last_name", "email")}),
            )
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and set(form.changed_data) & set(self.PROTECTED_FIELDS):
            raise PermissionDenied(MSG_SOLO_SUPERUTENTE)
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    # Only funzionari (and superusers) manage accounts; CPI operators never see them.
    def _funzionario(self, request) -> bool:
        return is_funzionario(request.user)

    def has_module_permission(self, request):
        return self._funzionario(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._funzionario(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._funzionario(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._funzionario(request) and super().has_add_permission(request)


@admin.register(AccessoNegato)
class AccessoNegatoAdmin(FunzionarioOnlyMixin, admin.ModelAdmin):
    """Refused backoffice sign-ins (wrong password or code, attempts while blocked): read only."""

    list_display = ("created_at", "username", "indirizzo", "motivo")
    list_filter = ("motivo",)
    search_fields = ("username", "indirizzo")
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
