"""The officer's forms for an act, a correction act and an INPS outcome file."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from claims.constants import StatoDomanda
from claims.models import Domanda

# How many admissible domande the act page lists at once; a filter narrows them down.
MAX_SELEZIONE = 500
RIGA_ORE = re.compile(r"^\s*(\d+)\s*[;,\t]\s*([A-Za-z0-9]{16})\s*[;,\t]\s*(\d+(?:[.,]\d)?)\s*$")

MSG_RIGA_ORE = _("Riga {n}: scrivere «id domanda;codice fiscale;ore», ad esempio «42;RSSMRA80A01L219M;120».")
MSG_RIGA_DOPPIA = _("Riga {n}: il lavoratore {cf} della domanda {id} compare due volte.")


def ore_da_testo(testo: str) -> dict[int, dict[str, Decimal]]:
    """Lines «id domanda;codice fiscale;ore» (pasted from a spreadsheet) → {domanda: {cf: ore}}."""
    ore: dict[int, dict[str, Decimal]] = {}
    errori = []
    for n, riga in enumerate(testo.splitlines(), start=1):
        if not riga.strip():
            continue
        match = RIGA_ORE.match(riga)
        if not match:
            errori.append(str(MSG_RIGA_ORE).format(n=n))
            continue
        pk, cf = int(match[1]), match[2].upper()
        try:
            valore = Decimal(match[3].replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            errori.append(str(MSG_RIGA_ORE).format(n=n))
            continue
        if cf in ore.setdefault(pk, {}):
            errori.append(str(MSG_RIGA_DOPPIA).format(n=n, cf=cf, id=pk))
        ore[pk][cf] = valore
    if errori:
        raise forms.ValidationError(errori)
    return ore


class IntestazioneForm(forms.Form):
    numero = forms.IntegerField(label=_("numero della determinazione"), min_value=1)
    data_atto = forms.DateField(label=_("data"), widget=forms.DateInput(attrs={"type": "date"}))
    tranche = forms.CharField(label=_("tranche"), max_length=100, help_text=_("Es. «Tranche 176-2020»"))
    firmatario = forms.CharField(label=_("dirigente firmatario"), max_length=200)


class DomandaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return (
            f"n. {obj.pk} · {obj.protocollo or '–'} · {obj.azienda.ragione_sociale} · {obj.sede.comune.nome} "
            f"· dal {obj.data_inizio:%d/%m/%Y} al {obj.data_fine:%d/%m/%Y} · {obj.ore_richieste or 0} ore richieste"
        )


def domande_ammissibili(provincia: str = ""):
    domande = (
        Domanda.objects.filter(stato=StatoDomanda.AMMISSIBILE)
        .select_related("azienda", "sede__comune", "registrazione")
        .annotate(ore_richieste=Sum("lavoratori__ore_richieste"))
        .order_by("presentata_il", "pk")
    )
    return domande.filter(sede__comune__provincia_id=provincia) if provincia else domande


class AutorizzazioneForm(IntestazioneForm):
    domande = DomandaChoiceField(
        label=_("domande da autorizzare"),
        queryset=Domanda.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    riduzioni = forms.CharField(
        label=_("ore ridotte (facoltativo)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Una riga per lavoratore: «id domanda;codice fiscale;ore autorizzate». Gli altri lavoratori "
            "hanno le ore richieste."
        ),
    )
    motivo = forms.CharField(
        label=_("motivo delle riduzioni"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, provincia: str = "", scelte: list[int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        queryset = domande_ammissibili(provincia)
        self.fields["domande"].queryset = queryset  # type: ignore[attr-defined]
        if scelte:
            # Chosen on the queue ("Autorizza in una nuova determinazione"): listed first, ticked.
            self.initial["domande"] = [str(pk) for pk in scelte]
            prime = list(queryset.filter(pk__in=scelte))
            altre = queryset.exclude(pk__in=scelte)[: max(MAX_SELEZIONE - len(prime), 0)]
            self.elencate = [*prime, *altre]
        else:
            self.elencate = queryset[:MAX_SELEZIONE]

    def clean_riduzioni(self) -> dict[int, dict[str, Decimal]]:
        return ore_da_testo(self.cleaned_data["riduzioni"])


class RettificaForm(IntestazioneForm):
    righe = forms.CharField(
        label=_("ore rettificate"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Una riga per lavoratore: «id domanda;codice fiscale;nuove ore autorizzate»."),
    )
    motivo = forms.CharField(label=_("motivo della rettifica"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean_righe(self) -> dict[int, dict[str, Decimal]]:
        return ore_da_testo(self.cleaned_data["righe"])


class EsitoForm(forms.Form):
    file = forms.FileField(
        label=_("file di esito INPS (CSV)"),
        help_text=_("Colonne: id_domanda;codice_fiscale_azienda;esito;codice_autorizzazione;motivo_anomalia"),
    )
