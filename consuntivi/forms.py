import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from claims.models import Domanda, Lavoratore

from .imports import MAX_FILE_BYTES
from .rules import mesi_del_periodo

MSG_MESE = _("Indicare il mese nella forma AAAA-MM (es. 2020-04).")


class MeseField(forms.CharField):
    """A month typed as "AAAA-MM" (the <input type="month"> value) or "MM/AAAA": its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
            anno, mese = int(match[1]), int(match[2])
        elif match := re.fullmatch(r"(\d{1,2})/(\d{4})", value):
            anno, mese = int(match[2]), int(match[1])
        else:
            raise forms.ValidationError(MSG_MESE)
        if not 1 <= mese <= 12 or not 1900 < anno < 2200:
            raise forms.ValidationError(MSG_MESE)
        return dt.date(anno, mese, 1)

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


def _scelte_mesi(domanda: Domanda, esclusi: set[dt.date]) -> list[tuple[str, str]]:
    from django.utils import formats

    return [
        (f"{m:%Y-%m}", formats.date_format(m, "YEAR_MONTH_FORMAT"))
        for m in mesi_del_periodo(domanda)
        if m not in esclusi
    ]


class MeseForm(forms.Form):
    """The month of a consuntivo, chosen among the months of the domanda's period not yet sent."""

    mese = MeseField(label=_("Mese"))

    def __init__(self, *args, domanda: Domanda, **kwargs):
        super().__init__(*args, **kwargs)
        inviati = set(domanda.consuntivi.values_list("mese", flat=True))
        scelte = _scelte_mesi(domanda, inviati)
        self.fields["mese"].widget = forms.Select(choices=[("", _("— scegliere il mese —")), *scelte])
        self.fields["mese"].help_text = _(
            "I mesi già inviati non compaiono: un consuntivo inviato è definitivo."
        )


class RigaForm(forms.Form):
    """One worker's line. Blank hours leave the worker out of the consuntivo."""

    lavoratore = forms.IntegerField(widget=forms.HiddenInput)
    ore = forms.CharField(
        label=_("Ore di integrazione"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8}),
    )
    retribuzione_mensile = forms.CharField(
        label=_("Retribuzione mensile lorda (facoltativa)"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10}),
    )

    # The numbers stay text here: `consuntivo_send` parses and checks them with the same rules as the
    # uploads, and its messages come back next to the fields with what the user typed.

    def is_blank(self) -> bool:
        return (
            not (self.cleaned_data.get("ore") or "").strip()
            and not (self.cleaned_data.get("retribuzione_mensile") or "").strip()
        )


class BaseRigheFormSet(forms.BaseFormSet):
    def __init__(self, *args, lavoratori: list[Lavoratore], **kwargs):
        self.lavoratori = lavoratori
        kwargs.setdefault("initial", [{"lavoratore": lav.pk} for lav in lavoratori])
        super().__init__(*args, **kwargs)

    def clean(self):
        # Each row names its worker by id: the rows must be exactly the domanda's workers, once each.
        inviati = [form.cleaned_data.get("lavoratore") for form in self.forms if form.cleaned_data]
        if sorted(inviati) != sorted(lav.pk for lav in self.lavoratori):
            raise forms.ValidationError(
                _("Il modulo non corrisponde ai lavoratori della domanda: ricaricare la pagina.")
            )


def righe_formset(lavoratori: list[Lavoratore], data=None):
    FormSet: Any = forms.formset_factory(
        RigaForm,
        formset=BaseRigheFormSet,
        extra=0,
        min_num=0,
        max_num=len(lavoratori),
        absolute_max=len(lavoratori),
        validate_max=True,
    )
    return FormSet(data, lavoratori=lavoratori, prefix="righe")


class CaricamentoForm(forms.Form):
    mese = MeseField(label=_("Mese"))
    file = forms.FileField(
        label=_("File CSV o Excel (.xlsx)"),
        help_text=_("Al massimo 20 MB. Usare il modello: una riga per lavoratore."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, domanda: Domanda, **kwargs):
        super().__init__(*args, **kwargs)
        inviati = set(domanda.consuntivi.values_list("mese", flat=True))
        self.fields["mese"].widget = forms.Select(
            choices=[("", _("— scegliere il mese —")), *_scelte_mesi(domanda, inviati)]
        )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Il file supera i 20 MB."))
        return file


class Sr41Form(forms.Form):
    mese = MeseField(label=_("Mese"), help_text=_("Nella forma AAAA-MM, es. 2020-04."))
