"""Admin pieces every backoffice app shares."""

from django.contrib import admin


class AnnoFieldListFilter(admin.AllValuesFieldListFilter):
    """A year filter that shows "2020", not "2.020": with USE_THOUSAND_SEPARATOR the admin would
    localise the year like any other number."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if isinstance(choice.get("display"), int):
                choice = {**choice, "display": str(choice["display"])}
            yield choice
