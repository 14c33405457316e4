"""Admin pieces every backoffice app shares."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest

from .models import AccessoDatiPersonali
from .pagination import CappedPaginator


class AnnoFieldListFilter(admin.AllValuesFieldListFilter):
    """A year filter that shows "2020", not "2.020": with USE_THOUSAND_SEPARATOR the admin would
    localise the year like any other number."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if isinstance(choice.get("display"), int):
                choice = {**choice, "display": str(choice["display"])}
            yield choice


@admin.register(AccessoDatiPersonali)
class AccessoDatiPersonaliAdmin(admin.ModelAdmin):
    """Who opened or took away personal data: for the superuser (the data protection checks) only,
    read-only; the database refuses any change anyway (core/migrations/0003)."""

    list_display = ("created_at", "actor", "azione", "descrizione", "motivo", "quanti")
    list_filter = ("azione", "created_at")
    list_select_related = ("actor",)
    search_fields = ("actor__username", "actor__last_name", "descrizione", "oggetto_tipo", "oggetto_id")
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at", "actor", "azione", "descrizione", "motivo", "oggetto_tipo", "oggetto_id", "quanti",
    )  # fmt: skip
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CappedChangeList(ChangeList):
    """A changelist on `CappedPaginator`: it shows the capped count and says when there are more rows."""

    limitato = False

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.limitato = self.paginator.limitato
        if self.limitato:
            self.result_count = self.paginator.max_righe


class ElencoLungoMixin:
    """For the changelist of a table that grows to millions of rows (issue 19): counts and pages stop at
    `CappedPaginator.max_righe`. Its template includes "admin/elenco_limitato.html" under the pagination
    and draws a `date_hierarchy` with `gerarchia_date` (core/templatetags/elenchi.py)."""

    show_full_result_count = False

    def get_paginator(self, request: HttpRequest, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_changelist(self, request: HttpRequest, **kwargs):
        return CappedChangeList
