from typing import Any

from django import template

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
