"""Template tags of the domande pages: `{% load domande %}`.

- `{% stato_badge domanda %}`: the state as a coloured badge (the text says it; the colour only helps);
- `{% domande_di azienda user as domande %}`: the latest domande of a company the user acts for,
  through the selector that decides visibility;
- `{% richieste_in_attesa user as n %}`: the backoffice counter of requests waiting for an answer;
- `{% voci_errori form formset as voci %}`: every error of a page's forms, each linked to its field,
  for the error summary of pages with several forms.
"""

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from anagrafica.models import Azienda, User
from claims.constants import StatoDomanda
from claims.models import Domanda
from claims.selectors import domande_for
from claims.selectors import richieste_in_attesa as _richieste_in_attesa
from core.templatetags.aminder import field_anchor, voce_errore

register = template.Library()

COLORI_STATO: dict[str, str] = {
    StatoDomanda.BOZZA: "bg-secondary",
    StatoDomanda.ELIMINATA: "bg-secondary",
    StatoDomanda.PRESENTATA: "bg-primary",
    StatoDomanda.IN_ISTRUTTORIA: "bg-primary",
    StatoDomanda.DA_RETTIFICARE: "bg-warning",
    StatoDomanda.AMMISSIBILE: "bg-success",
    StatoDomanda.AUTORIZZATA: "bg-success",
    StatoDomanda.TRASMESSA_INPS: "bg-success",
    StatoDomanda.ACCOLTA_INPS: "bg-success",
    StatoDomanda.ANOMALIA_INPS: "bg-warning",
    StatoDomanda.NON_AMMISSIBILE: "bg-danger",
    StatoDomanda.ANNULLATA: "bg-dark",
    StatoDomanda.RETTIFICATA: "bg-secondary",
}
ULTIME_DOMANDE = 5


@register.simple_tag
def stato_badge(domanda: Domanda) -> SafeString:
    return format_html(
        '<span class="badge {} aminder-stato">{}</span>',
        COLORI_STATO.get(domanda.stato, "bg-secondary"),
        domanda.get_stato_display(),
    )


@register.simple_tag
def domande_di(azienda: Azienda, user: User):
    return (
        domande_for(user)
        .filter(azienda=azienda)
        .select_related("sede", "misura", "registrazione")
        .order_by("-created_at")[:ULTIME_DOMANDE]
    )


def _voci_form(form: forms.BaseForm, titolo: str = "") -> list[dict[str, str]]:
    prefisso = f"{titolo}, " if titolo else ""
    ancora_generale = f"#{form.prefix}-errori-modulo" if form.prefix else "#errori-modulo"
    voci = [{"href": ancora_generale, "testo": f"{prefisso}{e}"} for e in form.non_field_errors()]
    for field in form:
        voci.extend(
            {"href": f"#{field_anchor(field)}", "testo": f"{prefisso}{voce_errore(field, e)}"}
            for e in field.errors
        )
    return voci


@register.simple_tag
def voci_errori(*forms_or_formsets, altri=()) -> list[dict[str, str]]:
    """`altri`: messages that belong to no field, shown in the page's #errori-generali box."""
    voci = [{"href": "#errori-generali", "testo": str(testo)} for testo in altri]
    for item in forms_or_formsets:
        if item is None or not item.is_bound:
            continue
        if isinstance(item, forms.BaseFormSet):
            voci.extend({"href": "#lavoratori", "testo": str(e)} for e in item.non_form_errors())
            for numero, form in enumerate(item.forms, start=1):
                voci.extend(_voci_form(form, _("Lavoratore %(n)d") % {"n": numero}))
        else:
            voci.extend(_voci_form(item))
    return voci


@register.simple_tag
def richieste_in_attesa(user: User) -> int:
    return _richieste_in_attesa(user)
