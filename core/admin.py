"""Admin pieces every backoffice app shares."""

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessoDatiPersonali


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
