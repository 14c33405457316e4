"""Template tags shared by every page: icons, breadcrumbs, navigation state and form rendering.

Load with `{% load aminder %}`.
"""

from typing import Any

from django import forms, template
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from core import sezioni as registro

register = template.Library()

SPRITES = "vendor/bootstrap-italia/svg/sprites.svg"

# Widgets Bootstrap Italia styles by their position next to a label (form-check), not by a class.
CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.simple_tag
def icon(name: str, extra_classes: str = "") -> SafeString:
    """A decorative icon from the Bootstrap Italia sprite: `{% icon "it-user" "icon-sm icon-white" %}`.

    The icon is hidden from assistive technology: the text next to it carries the meaning.
    """
    classes = f"icon {extra_classes}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static(SPRITES),
        name,
    )


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList, var_name: str) -> None:
        self.nodelist = nodelist
        self.var_name = var_name

    def render(self, context: template.Context) -> str:
        # The nodelist was rendered with autoescape: its variables are already escaped.
        context[self.var_name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308  # nosec B308, B703
        return ""


@register.tag
def capture(parser: template.base.Parser, token: template.base.Token) -> CaptureNode:
    """`{% capture as name %}...{% endcapture %}`: render the content into a variable.

    base.html uses it to render the breadcrumbs landmark only when a page fills the block.
    """
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Uso: {% capture as nome %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag
def crumb(label: str, href: str = "") -> SafeString:
    """One breadcrumb: with `href` a link, without it the current page (the last crumb)."""
    if href:
        return format_html(
            '<li class="breadcrumb-item"><a href="{}">{}</a><span class="separator">/</span></li>',
            href,
            label,
        )
    return format_html('<li class="breadcrumb-item active" aria-current="page">{}</li>', label)


NIENTE = SafeString("")
ARIA_CURRENT = SafeString(' aria-current="page"')


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, href: str, exact: bool = False) -> SafeString:
    """` aria-current="page"` and the active class when the request is in this nav section."""
    request = context.get("request")
    if not href or request is None:
        return NIENTE
    path = request.path
    if path == href or (not exact and path.startswith(href)):
        return ARIA_CURRENT
    return NIENTE


@register.filter
def field_anchor(field: forms.BoundField) -> str:
    """The id the error summary links to: the control itself, or the first option of a group."""
    if field.use_fieldset or isinstance(field.field.widget, forms.MultiWidget):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.filter
def voce_errore(field: forms.BoundField, errore: object) -> str:
    """One entry of the error summary, "Campo: errore". A label that is a whole sentence (the
    declarations: "Dichiaro che …") loses its full stop there, so that no entry reads ".:"."""
    etichetta = str(field.label or "").strip().rstrip(".").rstrip()
    return f"{etichetta}: {errore}" if etichetta else str(errore)


@register.filter
def error_count(form: forms.BaseForm) -> int:
    return sum(len(errors) for errors in form.errors.values())


@register.filter
def error_summary_title(form: forms.BaseForm) -> str:
    count = error_count(form)
    return ngettext("Il modulo contiene %(count)d errore", "Il modulo contiene %(count)d errori", count) % {
        "count": count
    }


def widget_classes(field: forms.BoundField) -> str:
    widget = field.field.widget
    own = widget.attrs.get("class", "")
    if isinstance(widget, CHECK_WIDGETS):
        base = ""
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        base = "form-select"
    elif isinstance(widget, forms.MultiWidget):
        base = ""
    else:
        base = "form-control"
    if field.errors and base:
        base += " is-invalid"
    return " ".join(c for c in (base, own) if c)


@register.simple_tag
def bi_widget(field: forms.BoundField) -> SafeString:
    """Render a field's widget with the Bootstrap Italia classes and, on error, `is-invalid`.

    Django itself adds `aria-invalid` and `aria-describedby` (help text and error ids).
    """
    classes = widget_classes(field)
    attrs: dict[str, str | bool] = {"class": classes} if classes else {}
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field: forms.BoundField) -> bool:
    """Radio buttons or checkboxes for a list of choices: field.html draws each option itself."""
    return isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def is_check(field: forms.BoundField) -> bool:
    """A single checkbox: its label goes after the box, as Bootstrap Italia draws it."""
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag(takes_context=True)
def sezioni(context: template.Context, slot: str) -> SafeString:
    """The sections upper apps registered for `slot` (core.sezioni), rendered with this page's context."""
    flat: dict[str, Any] = context.flatten()  # type: ignore[assignment]
    request = context.get("request")
    parti = [get_template(nome).render(flat, request) for nome in registro.templates(slot)]
    # Each part is a template rendered with autoescape.
    return mark_safe("".join(parti))  # noqa: S308  # nosec B308, B703
