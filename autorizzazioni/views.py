"""The public list of authorised domande (open data): no sign-in, nothing personal of any worker."""

from collections.abc import Iterator
from itertools import chain
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from anagrafica.models import Provincia
from claims.constants import AUTORIZZATE
from core.spreadsheets import csv_lines

from .models import Determinazione
from .selectors import autorizzate_pubbliche, determinazioni_pubbliche

PER_PAGINA = 100
CSV_INTESTAZIONE = (
    "azienda",
    "comune_sede",
    "provincia",
    "periodo_dal",
    "periodo_al",
    "numero_lavoratori",
    "ore_autorizzate",
    "numero_determinazione",
    "data_determinazione",
)


class FiltroForm(forms.Form):
    determinazione = forms.ModelChoiceField(
        label=_("Determinazione"),
        queryset=Determinazione.objects.none(),
        required=False,
        empty_label=_("Tutte"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    provincia = forms.ModelChoiceField(
        label=_("Provincia"),
        queryset=Provincia.objects.none(),
        required=False,
        empty_label=_("Tutte"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["determinazione"].queryset = determinazioni_pubbliche()  # type: ignore[attr-defined]
        province = Provincia.objects.filter(comuni__sedi__domande__stato__in=AUTORIZZATE)
        self.fields["provincia"].queryset = province.distinct().order_by("nome")  # type: ignore[attr-defined]
        self.fields["determinazione"].label_from_instance = lambda d: (  # type: ignore[attr-defined]
            f"n. {d.numero}/{d.anno} del {d.data:%d/%m/%Y} – {d.tranche}"
        )


def _filtrate(request: HttpRequest) -> tuple[FiltroForm, Any]:
    form = FiltroForm(request.GET or None)
    filtri: dict[str, Any] = {}
    if form.is_valid():
        provincia = form.cleaned_data["provincia"]
        filtri = {
            "determinazione": form.cleaned_data["determinazione"],
            "provincia": provincia.pk if provincia else "",
        }
    return form, autorizzate_pubbliche(**filtri)


@require_GET
def autorizzate(request: HttpRequest) -> HttpResponse:
    form, righe = _filtrate(request)
    pagina = Paginator(righe, PER_PAGINA).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "autorizzazioni/autorizzate.html",
        {"form": form, "pagina": pagina, "query": query.urlencode()},
    )


def _csv(righe: Any) -> Iterator[str]:
    # chain, not a list: the rows stream from the database cursor to the response.
    return csv_lines(chain([CSV_INTESTAZIONE], (_riga_csv(r) for r in righe.iterator(chunk_size=2000))))


def _riga_csv(r: dict[str, Any]) -> list[Any]:
    return [
        r["azienda__ragione_sociale"],
        r["sede__comune__nome"],
        r["sede__comune__provincia_id"],
        r["data_inizio"].isoformat(),
        r["data_fine"].isoformat(),
        r["lavoratori_n"],
        r["ore"],
        f"{r['atto_numero']}/{r['atto_anno']}" if r["atto_numero"] else "",
        r["atto_data"].isoformat() if r["atto_data"] else "",
    ]


@require_GET
def autorizzate_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The same list as open data: `;` CSV in UTF-8 with BOM, streamed, formula-like cells escaped."""
    _form, righe = _filtrate(request)
    response = StreamingHttpResponse(_csv(righe), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="domande-autorizzate.csv"'
    return response
