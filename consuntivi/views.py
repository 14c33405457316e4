"""Consuntivi pages: the company side (list, entry form, upload with progress, detail, receipt, SR41
export) and the regional officers' SR41 export and budget dashboard.

Company records are reached only through selectors, so a foreign id answers 404; sending and
uploading need a domanda of a company the user acts for (`domanda_per_invio`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_
from django.views.decorators.http import require_GET, require_POST

from anagrafica.models import User
from anagrafica.permissions import is_backoffice
from claims.constants import STATI_CONSUNTIVABILI
from claims.selectors import domanda_get_for, domande_for
from core.exceptions import NotPermitted
from core.models import AccessoDatiPersonali
from core.services import accesso_dati_registra
from core.spreadsheets import csv_lines
from protocollo.views import ricevuta_download

from . import imports, selectors, services, stime
from .constants import StatoCaricamento
from .forms import CaricamentoForm, MeseField, MeseForm, Sr41Form, righe_formset
from .models import CaricamentoConsuntivo, Consuntivo
from .rules import CAMPO_CF, CAMPO_ORE, CAMPO_RETRIBUZIONE, ConsuntivoNonValido, ConsuntivoRules
from .selectors import (
    SR41_COLONNE,
    caricamento_get_for,
    consuntivi_for,
    consuntivo_get_for,
    domanda_per_invio,
    sr41_righe,
)

ERRORI_MOSTRATI = 500
RIGHE_ANTEPRIMA = 200
MSG_SPUNTA_CONFERMA = N_(
    "Per inviare il consuntivo spuntare la conferma: un consuntivo inviato è definitivo."
)
# Why the backoffice opens workers' data here (core.AccessoDatiPersonali).
MOTIVO_CONTROLLO = gettext_lazy("controllo del consuntivo")
MOTIVO_SR41 = gettext_lazy("pagamento diretto INPS (dati SR41)")


def _funzionario_required(user: User) -> None:
    if not user.is_funzionario:
        raise PermissionDenied(_("Pagina riservata ai funzionari regionali."))


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- list and detail --------------------------------------------------------------------------------


@login_required
@require_GET
def consuntivo_list(request, domanda_pk: int):
    domanda = domanda_get_for(request.user, domanda_pk)
    # The lines are counted in their table: the snapshot does not hold them any more (and an old one
    # holding them is megabytes to read for a number).
    consuntivi = (
        domanda.consuntivi.select_related("registrazione", "inviato_da")
        .defer("dati_inviati")
        .annotate(lavoratori=Count("righe"), ore_totali=Sum("righe__ore"))
        .order_by("mese")
    )
    context = {
        "domanda": domanda,
        "consuntivi": consuntivi,
        "caricamenti": CaricamentoConsuntivo.objects.filter(domanda=domanda).exclude(
            stato=StatoCaricamento.INVIATO
        )[:10],
        "puo_inviare": domanda.stato in STATI_CONSUNTIVABILI
        and domanda_per_invio_or_none(request.user, domanda.pk) is not None,
    }
    if request.user.is_funzionario:
        context["stima"] = stime.stima_domanda(domanda)
    return render(request, "consuntivi/consuntivo_list.html", context)


def domanda_per_invio_or_none(user: User, pk: int):
    try:
        return domanda_per_invio(user, pk)
    except Http404:
        return None


@login_required
@require_GET
def consuntivo_detail(request, pk: int):
    consuntivo = consuntivo_get_for(request.user, pk)
    righe = consuntivo.righe.select_related("lavoratore").order_by("lavoratore__cognome", "lavoratore__nome")
    if is_backoffice(request.user):
        accesso_dati_registra(
            actor=request.user,
            azione=AccessoDatiPersonali.Azione.ELENCO,
            descrizione=f"lavoratori del consuntivo {consuntivo.pk}",
            motivo=MOTIVO_CONTROLLO,
            oggetto=consuntivo,
        )
    context = {"consuntivo": consuntivo, "domanda": consuntivo.domanda, "righe": righe}
    if request.user.is_funzionario:
        context["stima"] = stime.stima_consuntivo(consuntivo)
    return render(request, "consuntivi/consuntivo_detail.html", context)


@login_required
@require_GET
def consuntivo_ricevuta(request, pk: int):
    """The PDF receipt of the consuntivo's registration; 'in preparazione' until the worker made it."""
    consuntivo = consuntivo_get_for(request.user, pk)
    if is_backoffice(request.user):
        accesso_dati_registra(
            actor=request.user,
            azione=AccessoDatiPersonali.Azione.DOCUMENTO,
            descrizione=f"ricevuta del consuntivo {consuntivo.pk}",
            motivo=MOTIVO_CONTROLLO,
            oggetto=consuntivo,
        )
    return ricevuta_download(
        request,
        consuntivo.registrazione,
        "ricevuta-consuntivo",
        in_preparazione="consuntivi/ricevuta_in_preparazione.html",
        consuntivo=consuntivo,
    )


# --- sending ----------------------------------------------------------------------------------------


def _apply_errors(exc: ConsuntivoNonValido, mese_form, formset) -> None:
    """Put each failure next to its field: line errors on the worker's row, the rest on the month."""
    for errore in exc.errori:
        if errore.riga is not None and 1 <= errore.riga <= len(formset.forms):
            form = formset.forms[errore.riga - 1]
            form.add_error(
                errore.campo if errore.campo in (CAMPO_ORE, CAMPO_RETRIBUZIONE) else None, errore.messaggio
            )
        elif errore.campo == "mese":
            mese_form.add_error("mese", errore.messaggio)
        else:
            mese_form.add_error(None, errore.messaggio)


@login_required
def consuntivo_create(request, domanda_pk: int):
    """First the month (one control), then one row per worker with the limits of that month: hours
    used, monthly pay optional. Sent only with the confirmation ticked: a consuntivo is final."""
    domanda = domanda_per_invio(request.user, domanda_pk)
    mese = _mese_scelto(request)
    if mese is None:
        mese_form = MeseForm(request.GET if "mese" in request.GET else None, domanda=domanda)
        if mese_form.is_bound:
            mese_form.is_valid()  # shows why the month was not accepted
        return render(
            request, "consuntivi/consuntivo_form.html", {"domanda": domanda, "mese_form": mese_form}
        )
    lavoratori = list(domanda.lavoratori.order_by("cognome", "nome", "pk"))
    data = request.POST if request.method == "POST" else None
    mese_form = MeseForm(data, domanda=domanda, initial={"mese": mese})
    mese_form.fields["mese"].widget = forms.HiddenInput()
    formset = righe_formset(lavoratori, data)
    confermato = request.method == "POST" and request.POST.get("conferma") == "1"
    if request.method == "POST" and mese_form.is_valid() and formset.is_valid():
        if not confermato:
            mese_form.add_error(None, _(MSG_SPUNTA_CONFERMA))
        else:
            consuntivo = _invia_dal_modulo(request, domanda, mese_form, formset, lavoratori)
            if consuntivo is not None:
                return _inviato(request, consuntivo)
    limiti = _limiti(domanda, mese)
    righe_modulo = [
        (form, lav, limiti(lav) if limiti else None)
        for form, lav in zip(formset.forms, lavoratori, strict=False)
    ]
    context = {
        "domanda": domanda,
        "mese_form": mese_form,
        "formset": formset,
        "righe": righe_modulo,
        "errori_righe": sum(1 for form in formset.forms if form.errors),
        "mese": mese,
        "conferma_spuntata": confermato,
    }
    return render(request, "consuntivi/consuntivo_form.html", context)


def _invia_dal_modulo(request, domanda, mese_form, formset, lavoratori) -> Consuntivo | None:
    per_id = {lav.pk: lav for lav in lavoratori}
    righe = [
        {
            "riga": numero,
            CAMPO_CF: per_id[form.cleaned_data["lavoratore"]].codice_fiscale,
            CAMPO_ORE: form.cleaned_data["ore"],
            CAMPO_RETRIBUZIONE: form.cleaned_data["retribuzione_mensile"],
        }
        for numero, form in enumerate(formset.forms, start=1)
        if not form.is_blank()
    ]
    try:
        return services.consuntivo_send(
            actor=request.user, domanda=domanda, mese=mese_form.cleaned_data["mese"], righe=righe
        )
    except ConsuntivoNonValido as exc:
        _apply_errors(exc, mese_form, formset)
    except NotPermitted:
        raise Http404 from None
    return None


def _mese_scelto(request):
    value = request.POST.get("mese") if request.method == "POST" else request.GET.get("mese")
    try:
        return MeseField().clean(value) if value else None
    except ValidationError:
        return None


def _limiti(domanda, mese):
    """For the chosen month: per worker, the hours workable in the month and those still available."""
    rules = ConsuntivoRules(domanda, mese, oggi=timezone.localdate())
    if rules.periodo is None:
        return None

    def limiti(lav):
        residuo = lav.ore_richieste - rules.ore_gia_inviate.get(lav.pk, 0)
        return {"massimo": rules.massimo_ore(lav), "residuo": max(residuo, 0)}

    return limiti


# --- uploads ----------------------------------------------------------------------------------------


@login_required
def caricamento_create(request, domanda_pk: int):
    domanda = domanda_per_invio(request.user, domanda_pk)
    form = CaricamentoForm(request.POST or None, request.FILES or None, domanda=domanda)
    if request.method == "POST" and form.is_valid():
        try:
            caricamento = services.caricamento_create(
                actor=request.user,
                domanda=domanda,
                mese=form.cleaned_data["mese"],
                file=form.cleaned_data["file"],
            )
        except ConsuntivoNonValido as exc:
            for errore in exc.errori:
                form.add_error("mese" if errore.campo == "mese" else None, errore.messaggio)
        except ValidationError as exc:
            for messaggio in exc.message_dict.get("file", exc.messages):
                form.add_error("file", messaggio)
        except NotPermitted:
            raise Http404 from None
        else:
            return redirect("consuntivi:caricamento", domanda_pk=domanda.pk, pk=caricamento.pk)
    return render(request, "consuntivi/caricamento_form.html", {"domanda": domanda, "form": form})


def _caricamento_context(request, domanda_pk: int, pk: int) -> dict:
    domanda = domanda_get_for(request.user, domanda_pk)
    caricamento = caricamento_get_for(request.user, domanda, pk)
    context = {
        "domanda": domanda,
        "caricamento": caricamento,
        "errori": caricamento.errori[:ERRORI_MOSTRATI],
        "errori_nascosti": max(caricamento.errori_totali - ERRORI_MOSTRATI, 0),
    }
    if caricamento.stato == StatoCaricamento.VERIFICATO:
        context["anteprima"] = selectors.anteprima_caricamento(caricamento, RIGHE_ANTEPRIMA)
        context["puo_confermare"] = domanda_per_invio_or_none(request.user, domanda.pk) is not None
    return context


@login_required
@require_GET
def caricamento_detail(request, domanda_pk: int, pk: int):
    return render(
        request, "consuntivi/caricamento_detail.html", _caricamento_context(request, domanda_pk, pk)
    )


@login_required
@require_GET
def caricamento_stato(request, domanda_pk: int, pk: int):
    """The progress partial the page polls every second (htmx) until the upload is finished."""
    return render(
        request, "consuntivi/_caricamento_stato.html", _caricamento_context(request, domanda_pk, pk)
    )


@login_required
@require_POST
def caricamento_conferma(request, domanda_pk: int, pk: int):
    """The user confirms the preview: the consuntivo is sent, final. Only a POST with the tick."""
    domanda = domanda_per_invio(request.user, domanda_pk)
    caricamento = caricamento_get_for(request.user, domanda, pk)
    if request.POST.get("azione") == "annulla":
        try:
            services.caricamento_annulla(actor=request.user, caricamento=caricamento)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except NotPermitted:
            raise Http404 from None
        else:
            messages.info(request, _("Caricamento annullato: nulla è stato inviato."))
        return redirect("consuntivi:lista", domanda_pk=domanda.pk)
    if request.POST.get("conferma") != "1":
        messages.error(request, _(MSG_SPUNTA_CONFERMA))
        return redirect("consuntivi:caricamento", domanda_pk=domanda.pk, pk=caricamento.pk)
    try:
        consuntivo = services.caricamento_conferma(actor=request.user, caricamento=caricamento)
    except ConsuntivoNonValido:
        messages.error(request, _("Il consuntivo non è stato inviato: i motivi sono elencati sotto."))
        return redirect("consuntivi:caricamento", domanda_pk=domanda.pk, pk=caricamento.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("consuntivi:caricamento", domanda_pk=domanda.pk, pk=caricamento.pk)
    except NotPermitted:
        raise Http404 from None
    return _inviato(request, consuntivo)


def _inviato(request, consuntivo: Consuntivo) -> HttpResponse:
    """After a consuntivo is sent, from the form or from an upload: the same message, its page."""
    messages.success(
        request,
        _("Consuntivo di %(mese)s inviato: il numero di protocollo e la ricevuta seguono a breve.")
        % {"mese": formats.date_format(consuntivo.mese, "YEAR_MONTH_FORMAT")},
    )
    return redirect("consuntivi:dettaglio", pk=consuntivo.pk)


@login_required
@require_GET
def caricamento_errori_csv(request, domanda_pk: int, pk: int):
    context = _caricamento_context(request, domanda_pk, pk)
    caricamento = context["caricamento"]
    lines = csv_lines(
        [
            ("riga", "campo", "messaggio"),
            *((e["riga"] or "", e["campo"], e["messaggio"]) for e in caricamento.errori),
        ]
    )
    return _csv_response(lines, f"errori-caricamento-{caricamento.pk}.csv")


@login_required
@require_GET
def modello(request, domanda_pk: int, formato: str):
    """The upload template, pre-filled with the domanda's workers."""
    domanda = domanda_get_for(request.user, domanda_pk)
    if formato not in ("csv", "xlsx"):
        raise Http404
    if formato == "xlsx":
        response = HttpResponse(
            imports.modello_xlsx(domanda),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="consuntivo-domanda-{domanda.pk}.xlsx"'
        return response
    return _csv_response(imports.modello_csv(domanda), f"consuntivo-domanda-{domanda.pk}.csv")


# --- SR41 -------------------------------------------------------------------------------------------


def _sr41(request, consuntivi, template: str, filename_prefix: str):
    form = Sr41Form(request.GET or None)
    if form.is_valid():
        mese = form.cleaned_data["mese"]
        if is_backoffice(request.user):
            accesso_dati_registra(
                actor=request.user,
                azione=AccessoDatiPersonali.Azione.ESPORTAZIONE,
                descrizione=f"dati SR41 di {mese:%m/%Y}",
                motivo=MOTIVO_SR41,
                quanti=consuntivi.filter(mese=mese).count(),
            )
        lines = csv_lines([SR41_COLONNE, *sr41_righe(consuntivi.filter(mese=mese))])
        return _csv_response(lines, f"{filename_prefix}-{mese:%Y-%m}.csv")
    return render(request, template, {"form": form})


@login_required
@require_GET
def sr41_impresa(request):
    """Per month, the SR41 data of every consuntivo of the companies the user acts for."""
    if request.user.is_funzionario:
        return redirect("consuntivi:sr41_regione")
    consuntivi = Consuntivo.objects.filter(domanda__in=domande_for(request.user))
    return _sr41(request, consuntivi, "consuntivi/sr41.html", "sr41")


@login_required
@require_GET
def sr41_consuntivo(request, pk: int):
    consuntivo = consuntivo_get_for(request.user, pk)
    lines = csv_lines([SR41_COLONNE, *sr41_righe(consuntivi_for(request.user).filter(pk=consuntivo.pk))])
    return _csv_response(lines, f"sr41-consuntivo-{consuntivo.pk}-{consuntivo.mese:%Y-%m}.csv")


@login_required
@require_GET
def sr41_regione(request):
    """Officers: the SR41 data of every consuntivo of the month."""
    _funzionario_required(request.user)
    return _sr41(request, Consuntivo.objects.all(), "consuntivi/sr41_regione.html", "sr41-regione")


# --- budget dashboard -------------------------------------------------------------------------------


@login_required
@require_GET
def cruscotto(request):
    """Officers: estimated cost of the AUTORIZZATA domande against the Region's resources."""
    _funzionario_required(request.user)
    anni = stime.cruscotto()
    return render(
        request,
        "consuntivi/cruscotto.html",
        {"anni": anni, "grafico": _dati_grafico(anni), "domande": stime.domande_autorizzate_con_stima()},
    )


def _dati_grafico(anni: list[stime.AnnoCruscotto]) -> dict[str, list]:
    """The figures of the table, oldest year first, for the chart (read by static/js/cruscotto.js)."""
    anni = sorted(anni, key=lambda a: a.anno)
    return {
        "anni": [str(a.anno) for a in anni],
        "risorse": [float(a.risorse) for a in anni],
        "stima": [float(a.stima) for a in anni],
        "proiezione": [float(a.proiezione) if a.proiezione is not None else None for a in anni],
    }
