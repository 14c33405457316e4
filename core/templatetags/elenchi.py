"""Template tags of long admin lists (issue 19)."""

import calendar
import datetime as dt
from typing import Any

from django import template
from django.contrib.admin.views.main import ChangeList
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _anno(valore: dt.date) -> int:
    if isinstance(valore, dt.datetime) and timezone.is_aware(valore):
        return timezone.localtime(valore).year
    return valore.year


@register.inclusion_tag("admin/date_hierarchy.html")
def gerarchia_date(cl: ChangeList) -> dict[str, Any]:
    """Django's `date_hierarchy` drill-down without its scans (issue 19): Django lists the years, months
    and days that have a row with a DISTINCT over every matching row (a million at the top level). Here
    the years run from the first to the last row of the list (two index lookups), a year shows its twelve
    months and a month its days; a day without rows simply lists none. In a changelist template:
    `{% block date_hierarchy %}{% if cl.date_hierarchy %}{% gerarchia_date cl %}{% endif %}{% endblock %}`."""
    campo = cl.date_hierarchy
    anno, mese, giorno = (cl.params.get(f"{campo}__{parte}") for parte in ("year", "month", "day"))

    def link(filtri: dict[str, Any]) -> str:
        return cl.get_query_string(filtri, [f"{campo}__"])

    try:
        anno, mese, giorno = (int(v) if v else None for v in (anno, mese, giorno))
        if anno and mese and giorno:
            data = dt.date(anno, mese, giorno)
            return {
                "show": True,
                "back": {
                    "link": link({f"{campo}__year": anno, f"{campo}__month": mese}),
                    "title": capfirst(date_format(data, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(date_format(data, "MONTH_DAY_FORMAT"))}],
            }
        if anno and mese:
            giorni = calendar.monthrange(anno, mese)[1]
            return {
                "show": True,
                "back": {"link": link({f"{campo}__year": anno}), "title": str(anno)},
                "choices": [
                    {
                        "link": link({f"{campo}__year": anno, f"{campo}__month": mese, f"{campo}__day": g}),
                        "title": capfirst(date_format(dt.date(anno, mese, g), "MONTH_DAY_FORMAT")),
                    }
                    for g in range(1, giorni + 1)
                ],
            }
    except (ValueError, TypeError):
        return {"show": False}
    if anno:
        return {
            "show": True,
            "back": {"link": link({}), "title": _("All dates")},
            "choices": [
                {
                    "link": link({f"{campo}__year": anno, f"{campo}__month": m}),
                    "title": capfirst(date_format(dt.date(anno, m, 1), "YEAR_MONTH_FORMAT")),
                }
                for m in range(1, 13)
            ],
        }
    # The years of the whole list (the first and last row on the index), not of the search or filters:
    # over a search matching thousands of rows, MIN and MAX would read every one of them.
    estremi = cl.root_queryset.aggregate(primo=Min(campo), ultimo=Max(campo))
    if estremi["primo"] is None:
        return {"show": False}
    primo, ultimo = (_anno(estremi[k]) for k in ("primo", "ultimo"))
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({f"{campo}__year": a}), "title": str(a)} for a in range(primo, ultimo + 1)],
    }
