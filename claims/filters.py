"""The filters of the officers' queue (backoffice, `DomandaAdmin`)."""

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from anagrafica.models import CentroImpiego
from anagrafica.reference import sezioni_ateco

from .constants import NON_PRESENTATE, StatoDomanda
from .selectors import lavoratore_altrove, prima_domanda, richiesta_pendente

MSG_DATA_NON_VALIDA = _("Data non valida nel filtro del periodo: usa il formato gg/mm/aaaa.")


class InCaricoFilter(admin.SimpleListFilter):
    title = _("in carico")
    parameter_name = "in_carico"

    def lookups(self, request, model_admin):
        return [
            ("mie", _("Le mie domande")),
            ("nessuno", _("Non assegnate")),
            ("altri", _("Di altri funzionari")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "mie":
            return queryset.filter(assegnata_a=request.user)
        if self.value() == "nessuno":
            return queryset.filter(assegnata_a__isnull=True)
        if self.value() == "altri":
            return queryset.exclude(assegnata_a=request.user).exclude(assegnata_a__isnull=True)
        return queryset


class CpiFilter(admin.SimpleListFilter):
    title = _("centro per l'impiego")
    parameter_name = "cpi"

    def lookups(self, request, model_admin):
        return list(CentroImpiego.objects.values_list("pk", "nome"))

    def queryset(self, request, queryset):
        valore = self.value() or ""
        if valore.isdigit():
            return queryset.filter(sede__comune__cpi=int(valore))
        return queryset


class SezioneAtecoFilter(admin.SimpleListFilter):
    title = _("sezione ATECO")
    parameter_name = "ateco"

    def lookups(self, request, model_admin):
        return [
            (lettera, f"{lettera} – {titolo}") for lettera, (titolo, _divisioni) in sezioni_ateco().items()
        ]

    def queryset(self, request, queryset):
        sezione = sezioni_ateco().get(self.value() or "")
        if sezione is None:
            return queryset
        return queryset.filter(azienda__codice_ateco__regex=rf"^({'|'.join(sezione[1])})")


class SegnalazioneFilter(admin.SimpleListFilter):
    """The flags of the queue (`claims.selectors`)."""

    title = _("segnalazione")
    parameter_name = "segnalazione"

    def lookups(self, request, model_admin):
        return [
            ("richiesta", _("Richiesta dell'azienda in attesa")),
            ("lavoratore", _("Lavoratore in una domanda di altra azienda")),
            ("prima", _("Prima domanda della sede")),
            ("autodichiarazione", _("Autodichiarazione al posto dell'accordo")),
            ("accordo", _("Con accordo sindacale")),
        ]

    def queryset(self, request, queryset):
        condizione = {
            "richiesta": Q(richiesta_pendente()),
            "lavoratore": Q(lavoratore_altrove()),
            "prima": Q(prima_domanda()),
            "autodichiarazione": Q(dichiara_danno=True),
            "accordo": ~Q(accordo_file=""),
        }.get(self.value() or "")
        return queryset if condizione is None else queryset.filter(condizione)


class StatoFilter(admin.SimpleListFilter):
    title = _("stato")
    parameter_name = "stato"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in StatoDomanda if s not in NON_PRESENTATE]

    def queryset(self, request, queryset):
        return queryset.filter(stato=self.value()) if self.value() else queryset


class PeriodoFilter(admin.ListFilter):
    """Domande whose period overlaps the chosen range: two dates typed in the sidebar."""

    title = _("periodo")
    template = "admin/claims/filtro_periodo.html"
    parametri = ("periodo_dal", "periodo_al")

    def __init__(self, request: HttpRequest, params: dict[str, Any], model, model_admin) -> None:
        super().__init__(request, params, model, model_admin)
        self.valori: dict[str, str] = {}
        self.date: dict[str, dt.date] = {}
        for nome in self.parametri:
            if nome not in params:
                continue
            valore = params.pop(nome)
            valore = valore[-1] if isinstance(valore, list) else valore
            self.valori[nome] = valore
            data = _data(valore)
            if data is None and valore:
                messages.error(request, MSG_DATA_NON_VALIDA)
            elif data is not None:
                self.date[nome] = data
        self.altri_parametri = [(k, v) for k, v in request.GET.items() if k not in self.parametri]

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return list(self.parametri)

    def choices(self, changelist):
        return []

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if "periodo_dal" in self.date:
            queryset = queryset.filter(data_fine__gte=self.date["periodo_dal"])
        if "periodo_al" in self.date:
            queryset = queryset.filter(data_inizio__lte=self.date["periodo_al"])
        return queryset


def _data(valore: str) -> dt.date | None:
    for formato in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(valore.strip(), formato).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    return None
