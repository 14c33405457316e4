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

from anagrafica.permissions import is_funzionario

from ..selectors import contatori_backoffice

register = template.Library()


@register.simple_tag(takes_context=True)
def contatori(context: template.Context) -> dict[str, Any] | None:
    """The officer's counters on the backoffice home; None for anyone else (a CPI operator)."""
    request = context.get("request")
    if request is None or not is_funzionario(request.user):
        return None
    return contatori_backoffice(request.user)


@register.inclusion_tag("admin/date_hierarchy.html")
def gerarchia_date(cl: ChangeList) -> dict[str, Any]:
    """Django's drill-down by submission date without its scans (issue 19): Django lists the years,
    months and days that have a domanda with a DISTINCT over every matching row (a million at the top
    level). Here the years run from the first to the last domanda (two index lookups), a year shows its
    twelve months and a month its days; a day without domande simply lists none."""
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
    estremi = cl.queryset.aggregate(primo=Min(campo), ultimo=Max(campo))
    if estremi["primo"] is None:
        return {"show": False}
    primo, ultimo = (timezone.localtime(estremi[k]).year for k in ("primo", "ultimo"))
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({f"{campo}__year": a}), "title": str(a)} for a in range(primo, ultimo + 1)],
    }
