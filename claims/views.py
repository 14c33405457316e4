"""Company-side pages of the domande: the lists, the new domanda in steps (a draft saved at every
step), the status page with its protocol number and downloads, the rettifica and the requests to the
Region.

Views never change a domanda themselves: they call `claims.services.domande` and show what it
answers (ValidationError next to the fields, NotAllowed as a message, NotPermitted as a 404). A
domanda is reached only through `claims.selectors` and a site through `anagrafica.selectors`, so an
id of another company answers 404 on every URL, downloads included.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from anagrafica.models import User
from anagrafica.permissions import is_backoffice
from anagrafica.selectors import azienda_get_for, aziende_for, sede_get_for, sedi_for
from core import spreadsheets
from core.exceptions import NotAllowed, NotPermitted
from core.models import AccessoDatiPersonali
from core.services import accesso_dati_registra
from core.spreadsheets import csv_testo
from protocollo.selectors import ricevuta_pronta
from protocollo.views import ricevuta_download

from .constants import AUTORIZZATE, RETTIFICABILI, Qualifica, StatoDomanda, TipoContratto, TipoRichiesta
from .forms import (
    COLONNE_FILE,
    COLONNE_OBBLIGATORIE,
    FILE_MAX_RIGHE,
    FORMSET_MAX_RIGHE,
    LABELS_LAVORATORE,
    MODULO_MAX_RIGHE,
    PREFISSO_LAVORATORI,
    AccordoForm,
    BaseLavoratoriFormSet,
    ConfermaForm,
    DichiarazioniForm,
    FiltroDomandeForm,
    LavoratoriFileForm,
    NuovaDomandaForm,
    PeriodoForm,
    ReferenteForm,
    RettificaForm,
    RichiestaForm,
    initial_from_data,
    initial_from_domanda,
    lavoratori_formset,
)
from .models import Domanda, EventoDomanda, RichiestaRegione
from .rules import azienda_agricola, check_submission
from .selectors import domanda_get_for, domande_for, misure_aperte, pagina_di_domande
from .services.domande import (
    domanda_attach_accordo,
    domanda_create,
    domanda_delete_draft,
    domanda_rettifica,
    domanda_submit,
    domanda_update,
    richiesta_create,
    tipi_richiesta,
)
from .services.prospetto import prospetto_render

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

PER_PAGINA = 25
LAVORATORI_PER_PAGINA = 50


class AuthenticatedRequest(HttpRequest):
    """Every view here is behind login_required: the user is a signed-in User."""

    user: User  # type: ignore[assignment]


MSG_BOZZA_SALVATA = gettext_lazy("Bozza salvata.")
MSG_LAVORATORI_CARICATI = gettext_lazy(
    "Caricati %(n)d lavoratori dal file «%(file)s»: l'elenco precedente è stato sostituito."
)
MSG_PRESENTATA = gettext_lazy(
    "Domanda presentata. Il numero di protocollo e la ricevuta compaiono in questa pagina appena assegnati."
)
MSG_BOZZA_ELIMINATA = gettext_lazy("Bozza n. %(n)s eliminata.")
MSG_GIA_PRESENTATA = gettext_lazy("La domanda è già stata presentata: non si può più modificare.")
MSG_RETTIFICA_FATTA = gettext_lazy(
    "Rettifica presentata: questa è la nuova domanda, che riceve un nuovo numero di protocollo. "
    "I consuntivi vanno inseriti di nuovo su questa domanda."
)
MSG_RETTIFICA_NON_AMMESSA = gettext_lazy("Per una domanda in stato %(stato)s la rettifica non è possibile.")
MSG_SCRIVI_ALLA_REGIONE = gettext_lazy("Puoi inviare una richiesta di modifica o annullamento alla Regione.")
MSG_RICHIESTA_INVIATA = gettext_lazy(
    "Richiesta inviata alla Regione: la risposta comparirà in questa pagina."
)


# --- steps of a new domanda ----------------------------------------------------------------------


@dataclass(frozen=True)
class Passo:
    numero: int
    titolo: "StrOrPromise"
    campi: tuple[str, ...]


PASSI = (
    Passo(1, gettext_lazy("Sede, misura e periodo"), ("sede", "misura", "data_inizio", "data_fine")),
    Passo(2, gettext_lazy("Lavoratori"), ("lavoratori",)),
    Passo(
        3,
        gettext_lazy("Accordo sindacale"),
        ("numero_dipendenti", "accordo_file", "accordo_data", "dichiara_danno"),
    ),
    Passo(4, gettext_lazy("Referente"), ("referente_nome", "referente_email", "referente_telefono")),
    Passo(
        5,
        gettext_lazy("Dichiarazioni"),
        ("dichiara_assenza_altri_ammortizzatori", "dichiara_veridicita"),
    ),
    Passo(6, gettext_lazy("Riepilogo e presentazione"), ()),
)
ULTIMO_PASSO = PASSI[-1].numero
ETICHETTE_CAMPI = {
    "sede": gettext_lazy("Sede"),
    "misura": gettext_lazy("Misura"),
    "data_inizio": gettext_lazy("Inizio del periodo"),
    "data_fine": gettext_lazy("Fine del periodo"),
    "lavoratori": gettext_lazy("Lavoratori"),
    "accordo_file": gettext_lazy("Accordo sindacale (PDF)"),
    "accordo_data": gettext_lazy("Data dell'accordo sindacale"),
    "numero_dipendenti": gettext_lazy("Numero di dipendenti dell'azienda"),
    "dichiara_danno": gettext_lazy("Autodichiarazione del danno"),
    "referente_nome": gettext_lazy("Nome e cognome del referente"),
    "referente_email": gettext_lazy("E-mail del referente"),
    "referente_telefono": gettext_lazy("Telefono del referente"),
    "dichiara_assenza_altri_ammortizzatori": gettext_lazy("Dichiarazione sugli altri ammortizzatori"),
    "dichiara_veridicita": gettext_lazy("Dichiarazione di veridicità"),
}


def _passo_del_campo(campo: str) -> Passo:
    campo = campo.split(".")[0]
    return next((p for p in PASSI if campo in p.campi), PASSI[-1])


def _url_passo(domanda: Domanda, numero: int) -> str:
    return reverse("claims:domanda_passo", args=[domanda.pk, numero])


def _errori_per_passo(domanda: Domanda, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Submission errors as links to the step (and the field) where the user fixes them."""
    voci: list[dict[str, Any]] = []
    for key, messaggi in errors.items():
        passo = _passo_del_campo(key)
        campo = key.split(".")[0]
        if key.startswith("lavoratori."):
            etichetta = _("Lavoratore %(n)s") % {"n": key.split(".", 1)[1]}
        else:
            etichetta = str(ETICHETTE_CAMPI.get(campo, ""))
        ancora = "lavoratori" if campo == "lavoratori" else f"id_{campo}"
        if passo.numero == 1 and campo in ("sede", "misura"):
            ancora = "dati-fissi"
        href = (
            f"{_url_passo(domanda, passo.numero)}#{ancora}" if passo.numero != ULTIMO_PASSO else "#riepilogo"
        )
        voci.extend(
            {"passo": passo, "campo": etichetta, "messaggio": messaggio, "href": href}
            for messaggio in messaggi
        )
    return sorted(voci, key=lambda v: v["passo"].numero)


def _apply_errors(
    exc: ValidationError, form: Form | None = None, formset: BaseLavoratoriFormSet | None = None
) -> list[str]:
    """Put each error of a service next to its field (worker rows on their row of the formset);
    return the messages that belong to no field on this page."""
    altri: list[str] = []
    righe = formset.kept_forms() if formset is not None else []
    for key, messaggi in exc.message_dict.items():
        if key.startswith("lavoratori.") and righe:
            indice = int(key.split(".", 1)[1]) - 1
            if 0 <= indice < len(righe):
                _errori_su_riga(righe[indice], messaggi)
                continue
        if key == "lavoratori" and righe:
            altri.extend(m for m in messaggi if not _errore_per_codice_fiscale(righe, m))
            continue
        if form is not None and key in form.fields:
            form.add_error(key, messaggi)
            continue
        altri.extend(messaggi)
    return altri


def _errori_su_riga(riga: Form, messaggi: list[str]) -> None:
    # The service writes a worker's errors as "field: message".
    for messaggio in messaggi:
        campo, sep, testo = messaggio.partition(": ")
        if sep and campo in riga.fields:
            riga.add_error(campo, testo)
        else:
            riga.add_error(None, messaggio)


def _errore_per_codice_fiscale(righe: list[Form], messaggio: str) -> bool:
    # The submission rules name the worker by codice fiscale: "RSSMRA...: le ore richieste ...".
    codice = messaggio.split(":", 1)[0].strip()
    for riga in righe:
        if riga.cleaned_data.get("codice_fiscale") == codice:
            riga.add_error(None, messaggio)
            return True
    return False


def _post(request: AuthenticatedRequest):
    """The submitted data, or None for a GET: an empty POST must still show its errors."""
    return request.POST if request.method == "POST" else None


def _files(request: AuthenticatedRequest):
    return request.FILES if request.method == "POST" else None


def _non_permitted_is_404(exc: NotPermitted) -> Http404:
    return Http404(exc.message)


def _contesto_passo(domanda: Domanda | None, numero: int, **extra: Any) -> dict[str, Any]:
    return {
        "domanda": domanda,
        "azienda": domanda.azienda if domanda else extra.get("azienda"),
        "passi": PASSI,
        "passo": PASSI[numero - 1],
        "passo_precedente": _url_passo(domanda, numero - 1) if domanda and numero > 1 else None,
        **extra,
    }


def _dopo_salvataggio(request: AuthenticatedRequest, domanda: Domanda, numero: int) -> HttpResponse:
    messages.success(request, MSG_BOZZA_SALVATA)
    if request.POST.get("azione") == "salva":
        return redirect(_url_passo(domanda, numero))
    return redirect(_url_passo(domanda, min(numero + 1, ULTIMO_PASSO)))


@login_required
def domanda_nuova(request: AuthenticatedRequest) -> HttpResponse:
    """Step 1 of a new domanda for the company in ?azienda=: without it, the company is chosen first."""
    azienda_pk = request.GET.get("azienda", "")
    if not azienda_pk:
        aziende = aziende_for(request.user).order_by("ragione_sociale")
        return render(request, "claims/domanda_nuova_azienda.html", {"aziende": aziende})
    if not azienda_pk.isdigit():
        raise Http404
    azienda = azienda_get_for(request.user, int(azienda_pk))
    sedi = sedi_for(request.user).filter(azienda=azienda).order_by("denominazione")
    misure = misure_aperte(timezone.localdate()).order_by("nome")
    form = NuovaDomandaForm(_post(request), sedi=sedi, misure=misure)
    if request.method == "POST" and form.is_valid():
        domanda = _esegui(
            request,
            domanda_create,
            form=form,
            sede=sede_get_for(request.user, form.cleaned_data["sede"].pk),
            misura=form.cleaned_data["misura"],
            data_inizio=form.cleaned_data["data_inizio"],
            data_fine=form.cleaned_data["data_fine"],
        )
        if domanda is not None:
            return _dopo_salvataggio(request, domanda, 1)
    return render(
        request,
        "claims/passo_1.html",
        _contesto_passo(None, 1, azienda=azienda, form=form, sedi=sedi, misure=misure),
    )


@login_required
def domanda_elimina(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask, then throw a draft away (`domanda_delete_draft`); a submitted domanda is never deleted."""
    domanda = domanda_get_for(request.user, pk)
    if domanda.stato != StatoDomanda.BOZZA:
        messages.info(request, MSG_GIA_PRESENTATA)
        return redirect("claims:domanda_detail", domanda.pk)
    if request.method == "POST":
        if _esegui(request, domanda_delete_draft, domanda=domanda) is not None:
            messages.success(request, MSG_BOZZA_ELIMINATA % {"n": domanda.pk})
            return redirect("claims:azienda_domande", domanda.azienda_id)
        return redirect("claims:domanda_detail", domanda.pk)
    return render(request, "claims/domanda_elimina.html", {"domanda": domanda, "azienda": domanda.azienda})


@login_required
def domanda_passo(request: AuthenticatedRequest, pk: int, numero: int) -> HttpResponse:
    domanda = domanda_get_for(request.user, pk)
    if domanda.stato != StatoDomanda.BOZZA:
        messages.info(request, MSG_GIA_PRESENTATA)
        return redirect("claims:domanda_detail", domanda.pk)
    handler = PASSO_VIEWS.get(numero)
    if handler is None:
        raise Http404
    return handler(request, domanda)


def _esegui(
    request: AuthenticatedRequest,
    service: Callable[..., Any],
    *,
    form: Form | None = None,
    formset: BaseLavoratoriFormSet | None = None,
    **kwargs: Any,
) -> Any:
    """Call a service as the signed-in user. On failure its errors go next to the fields (the rest
    above the form, or in a message for a refused state change) and the result is None; a record
    the user may not act on is a 404."""
    try:
        return service(actor=request.user, **kwargs)
    except ValidationError as exc:
        altri = _apply_errors(exc, form, formset)
        if altri and form is not None:
            form.add_error(None, altri)
        elif altri:
            messages.error(request, " ".join(altri))
    except NotPermitted as exc:
        raise _non_permitted_is_404(exc) from exc
    except NotAllowed as exc:
        messages.error(request, exc.message)
    return None


def _salva(
    request: AuthenticatedRequest, domanda: Domanda, form: Form, service=domanda_update, **kwargs: Any
) -> bool:
    """Call a draft service; on failure put its errors next to the fields and say False."""
    return _esegui(request, service, form=form, domanda=domanda, **kwargs) is not None


def _passo_periodo(request: AuthenticatedRequest, domanda: Domanda) -> HttpResponse:
    form = PeriodoForm(
        _post(request),
        misura=domanda.misura,
        initial={"data_inizio": domanda.data_inizio, "data_fine": domanda.data_fine},
    )
    if request.method == "POST" and form.is_valid() and _salva(request, domanda, form, **form.cleaned_data):
        return _dopo_salvataggio(request, domanda, 1)
    return render(request, "claims/passo_1.html", _contesto_passo(domanda, 1, form=form))


def _passo_lavoratori(request: AuthenticatedRequest, domanda: Domanda) -> HttpResponse:
    settimane = domanda.settimane
    entro = domanda.misura.data_assunzione_entro
    agricola = azienda_agricola(domanda.azienda)
    file_form = LavoratoriFileForm(settimane=settimane, assunti_entro=entro, agricola=agricola)
    formset = None
    errori_generali: list[str] = []
    niente_salvato = False  # a save with one bad row keeps none: the page must say so plainly
    azione = request.POST.get("azione", "") if request.method == "POST" else ""
    num_lavoratori = domanda.lavoratori.count()  # before any change: a change redirects
    solo_file = num_lavoratori > MODULO_MAX_RIGHE
    if solo_file and azione in ("salva", "continua", "aggiungi"):
        # A long list is changed only by file: nothing typed to save here.
        return redirect(_url_passo(domanda, 3 if azione == "continua" else 2))
    if azione == "carica":
        file_form = LavoratoriFileForm(
            request.POST, request.FILES, settimane=settimane, assunti_entro=entro, agricola=agricola
        )
        if file_form.is_valid():
            righe = file_form.righe
            if _salva(request, domanda, file_form, lavoratori=righe):
                messages.success(
                    request,
                    MSG_LAVORATORI_CARICATI % {"n": len(righe), "file": file_form.cleaned_data["file"].name},
                )
                return redirect(_url_passo(domanda, 2))
    elif azione == "aggiungi":
        # Without JavaScript: one more blank row, what was typed kept, nothing saved or checked yet.
        typed = lavoratori_formset(request.POST, domanda=domanda)
        formset = lavoratori_formset(domanda=domanda, initial=initial_from_data(typed))
    elif azione in ("salva", "continua"):
        formset = lavoratori_formset(request.POST, domanda=domanda)
        if formset.is_valid():
            try:
                domanda_update(actor=request.user, domanda=domanda, lavoratori=formset.righe())
            except ValidationError as exc:
                errori_generali = _apply_errors(exc, formset=formset)
            except NotPermitted as exc:
                raise _non_permitted_is_404(exc) from exc
            except NotAllowed as exc:
                messages.error(request, exc.message)
            else:
                return _dopo_salvataggio(request, domanda, 2)
        niente_salvato = True
    if formset is None and not solo_file:
        formset = lavoratori_formset(domanda=domanda, initial=initial_from_domanda(domanda))
    avvisi = []
    if request.method == "GET" and num_lavoratori:
        avvisi = check_submission(domanda, oggi=timezone.localdate()).get("lavoratori", [])
    return render(
        request,
        "claims/passo_2.html",
        _contesto_passo(
            domanda,
            2,
            formset=formset,
            file_form=file_form,
            errori_generali=errori_generali,
            niente_salvato=niente_salvato,
            avvisi=avvisi,
            settimane=domanda.settimane,
            modulo_max_righe=MODULO_MAX_RIGHE,
            num_lavoratori=num_lavoratori,
            **(_lavoratori_a_pagine(request, domanda) if solo_file else {}),
        ),
    )


def _lavoratori_a_pagine(request: AuthenticatedRequest, domanda: Domanda) -> dict[str, Any]:
    """A long list shown a page at a time, searchable by surname, name or codice fiscale: thousands of
    rows on one page weigh hundreds of KB and a phone cannot scroll them."""
    lavoratori = domanda.lavoratori.order_by("cognome", "nome", "pk")
    ricerca = request.GET.get("q", "").strip()[:100]
    for parola in ricerca.split():
        lavoratori = lavoratori.filter(
            Q(cognome__icontains=parola) | Q(nome__icontains=parola) | Q(codice_fiscale__icontains=parola)
        )
    return {
        "pagina": Paginator(lavoratori, LAVORATORI_PER_PAGINA).get_page(request.GET.get("pagina")),
        "ricerca": ricerca,
    }


def _passo_accordo(request: AuthenticatedRequest, domanda: Domanda) -> HttpResponse:
    allegato = bool(domanda.accordo_file)
    form = AccordoForm(
        _post(request),
        _files(request),
        allegato=allegato,
        soglia=domanda.misura.dipendenti_senza_accordo,
        initial={
            "accordo_data": domanda.accordo_data,
            "numero_dipendenti": domanda.numero_dipendenti,
            "dichiara_danno": domanda.dichiara_danno,
        },
    )
    if request.method == "POST" and form.is_valid():
        dati = form.cleaned_data
        campi = {k: dati[k] for k in ("accordo_data", "numero_dipendenti", "dichiara_danno") if k in dati}
        saved = _salva(request, domanda, form, **campi)
        if saved and dati.get("accordo_file"):
            saved = _salva(request, domanda, form, service=domanda_attach_accordo, file=dati["accordo_file"])
        if saved:
            return _dopo_salvataggio(request, domanda, 3)
    return render(request, "claims/passo_3.html", _contesto_passo(domanda, 3, form=form, allegato=allegato))


def _passo_referente(request: AuthenticatedRequest, domanda: Domanda) -> HttpResponse:
    user = request.user
    initial = {
        "referente_nome": domanda.referente_nome or user.get_full_name(),
        "referente_email": domanda.referente_email or user.email,
        "referente_telefono": domanda.referente_telefono,
    }
    form = ReferenteForm(_post(request), initial=initial)
    if request.method == "POST" and form.is_valid() and _salva(request, domanda, form, **form.cleaned_data):
        return _dopo_salvataggio(request, domanda, 4)
    return render(request, "claims/passo_4.html", _contesto_passo(domanda, 4, form=form))


def _passo_dichiarazioni(request: AuthenticatedRequest, domanda: Domanda) -> HttpResponse:
    campi = DichiarazioniForm.base_fields
    form = DichiarazioniForm(_post(request), initial={c: getattr(domanda, c) for c in campi})
    if request.method == "POST" and form.is_valid() and _salva(request, domanda, form, **form.cleaned_data):
        return _dopo_salvataggio(request, domanda, 5)
    return render(request, "claims/passo_5.html", _contesto_passo(domanda, 5, form=form))


def _passo_riepilogo(request: AuthenticatedRequest, domanda: Domanda) -> HttpResponse:
    form = ConfermaForm(_post(request))
    errori: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            domanda = domanda_submit(actor=request.user, domanda=domanda)
        except ValidationError as exc:
            errori = exc.message_dict
        except NotPermitted as exc:
            raise _non_permitted_is_404(exc) from exc
        except NotAllowed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, MSG_PRESENTATA)
            return redirect("claims:domanda_detail", domanda.pk)
    if not errori:
        # Every answer of this step shows the rules as they stand, whatever made the POST fail
        # (a missing confirmation must not read as "la domanda è completa").
        errori = check_submission(domanda, oggi=timezone.localdate())
    return render(
        request,
        "claims/passo_6.html",
        _contesto_passo(
            domanda,
            6,
            form=form,
            errori=_errori_per_passo(domanda, errori),
            presentando=request.method == "POST",
            **_dati_domanda(domanda),
        ),
    )


PASSO_VIEWS = {
    1: _passo_periodo,
    2: _passo_lavoratori,
    3: _passo_accordo,
    4: _passo_referente,
    5: _passo_dichiarazioni,
    6: _passo_riepilogo,
}


@login_required
@require_GET
def lavoratore_riga(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """htmx: one more blank worker row for the formset of step 2 or of the rettifica, with the new
    total of forms swapped out of band into the management form."""
    domanda = domanda_get_for(request.user, pk)
    try:
        indice = int(request.GET.get(f"{PREFISSO_LAVORATORI}-TOTAL_FORMS", ""))
    except ValueError:
        return HttpResponseBadRequest()
    if not 0 <= indice < FORMSET_MAX_RIGHE:
        return HttpResponseBadRequest()
    formset = lavoratori_formset(domanda=domanda)
    form = formset.form(
        prefix=formset.add_prefix(indice),
        empty_permitted=True,
        use_required_attribute=False,
        **formset.get_form_kwargs(indice),
    )
    formset.add_fields(form, indice)
    form.fields["codice_fiscale"].widget.attrs["autofocus"] = True
    return render(
        request,
        "claims/includes/lavoratore_riga_htmx.html",
        {"form": form, "numero": indice + 1, "totale": indice + 1, "prefisso": PREFISSO_LAVORATORI},
    )


# --- workers' file template --------------------------------------------------------------------


@login_required
@require_GET
def lavoratori_modello(request: AuthenticatedRequest, pk: int, formato: str) -> HttpResponse:
    """The file template for step 2, filled with the workers already in the domanda, so a large list can
    be edited in a spreadsheet and uploaded again."""
    domanda = domanda_get_for(request.user, pk)
    colonne = COLONNE_FILE if azienda_agricola(domanda.azienda) else COLONNE_OBBLIGATORIE
    lavoratori = list(domanda.lavoratori.order_by("cognome", "nome").values_list(*colonne))
    nome = f"lavoratori-domanda-{domanda.pk}.{formato}"
    if formato == "csv":
        testo = csv_testo([colonne, *([_testo_csv(v) for v in riga] for riga in lavoratori)])
        response = HttpResponse(testo, content_type="text/csv; charset=utf-8")
    elif formato == "xlsx":
        response = HttpResponse(
            _modello_xlsx(colonne, lavoratori),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{nome}"'
    return response


def _testo_csv(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=1)
    return str(value)


def _modello_xlsx(colonne: tuple[str, ...], lavoratori: list[tuple]) -> bytes:
    istruzioni = [
        ["Colonna", "Contenuto"],
        *([campo, str(LABELS_LAVORATORE[campo])] for campo in colonne),
        [],
        ["qualifica", ", ".join(Qualifica.values)],
        ["tipo_contratto", ", ".join(TipoContratto.values)],
        ["ore", "Numeri con la virgola o il punto decimale, es. 37,5"],
        ["data_assunzione", "Data, es. 15/01/2018"],
    ]
    if "giorni_richiesti" in colonne:
        istruzioni.append(["giorni_settimana", "5 o 6: le aziende agricole chiedono giornate, non ore"])
    righe = ([float(v) if isinstance(v, Decimal) else v for v in riga] for riga in lavoratori)
    return spreadsheets.xlsx(
        [
            spreadsheets.Foglio(
                "Lavoratori",
                [colonne, *righe],
                larghezze=(20, 18, 16, 14, 16, 16, 14, 16, 14, 14)[: len(colonne)],
                intestazione_in_grassetto=True,
                formati={"H": "DD/MM/YYYY"},
                scelte={"D": list(Qualifica.values), "E": list(TipoContratto.values)},
                righe_convalidate=FILE_MAX_RIGHE,
            ),
            spreadsheets.Foglio("Istruzioni", istruzioni, larghezze=(18, 60)),
        ]
    )


# --- lists -------------------------------------------------------------------------------------


def _elenco(request: AuthenticatedRequest, domande: QuerySet[Domanda]) -> dict[str, Any]:
    filtro = FiltroDomandeForm(request.GET or None)
    if filtro.is_valid() and filtro.cleaned_data["stato"]:
        domande = domande.filter(stato=filtro.cleaned_data["stato"])
    # Page on the ids in an indexed order, then fetch and sum the page's rows only.
    ordinate = domande.order_by("-created_at", "-pk").values_list("pk", flat=True)
    pagina = Paginator(ordinate, PER_PAGINA).get_page(request.GET.get("pagina"))
    righe = pagina_di_domande(list(pagina.object_list), "azienda", "sede__comune", "misura", "registrazione")
    query = request.GET.copy()
    query.pop("pagina", None)
    return {"filtro": filtro, "pagina": pagina, "domande": righe, "query": query.urlencode()}


@login_required
@require_GET
def domanda_list(request: AuthenticatedRequest) -> HttpResponse:
    """Le mie domande: every domanda of the companies the user acts for."""
    context = _elenco(request, domande_for(request.user))
    context["con_azienda"] = True
    return render(request, "claims/domanda_list.html", context)


@login_required
@require_GET
def azienda_domande(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    azienda = azienda_get_for(request.user, pk)
    context = _elenco(request, domande_for(request.user).filter(azienda=azienda))
    context["azienda"] = azienda
    return render(request, "claims/domanda_list.html", context)


# --- the status page ---------------------------------------------------------------------------


def _dati_domanda(domanda: Domanda) -> dict[str, Any]:
    lavoratori = list(domanda.lavoratori.order_by("cognome", "nome"))
    return {
        "lavoratori": lavoratori,
        "ore_totali": sum((lav.ore_richieste for lav in lavoratori), start=Decimal(0)),
        "autorizzata": domanda.stato in AUTORIZZATE,
        "ore_autorizzate": sum((lav.ore_autorizzate or 0 for lav in lavoratori), start=Decimal(0)),
    }


def _lato_impresa(request: AuthenticatedRequest, domanda: Domanda) -> bool:
    return aziende_for(request.user).filter(pk=domanda.azienda_id).exists()


def _contesto_protocollo(domanda: Domanda) -> dict[str, Any]:
    ricevuta = ricevuta_pronta(domanda.registrazione)
    presentata = domanda.presentata_il is not None
    return {
        "domanda": domanda,
        "ricevuta": ricevuta,
        # Poll while the worker has not yet numbered the domanda or rendered its receipt.
        "in_attesa": presentata and (not domanda.registrazione_id or ricevuta is None),
    }


def _nota_regione(domanda: Domanda) -> EventoDomanda | None:
    """The officer's note asking for a rettifica, while the domanda waits for it."""
    if domanda.stato != StatoDomanda.DA_RETTIFICARE:
        return None
    return domanda.eventi.filter(a=StatoDomanda.DA_RETTIFICARE).order_by("created_at", "pk").last()


@login_required
@require_GET
def domanda_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    domanda = domanda_get_for(request.user, pk)
    impresa = _lato_impresa(request, domanda)
    _accesso_backoffice(request, AccessoDatiPersonali.Azione.ELENCO, domanda, MOTIVO_ISTRUTTORIA)
    eventi = (
        EventoDomanda.objects.filter(domanda=domanda).select_related("actor").order_by("created_at", "pk")
    )
    richieste = RichiestaRegione.objects.filter(domanda=domanda).select_related("richiedente", "risposta_da")
    context = {
        **_dati_domanda(domanda),
        **_contesto_protocollo(domanda),
        "eventi": eventi,
        "richieste": richieste,
        "nota_regione": _nota_regione(domanda),
        "sostituita_da": Domanda.objects.filter(sostituisce=domanda).select_related("registrazione").first(),
        "sostituisce": domanda.sostituisce,
        "puo_rettificare": impresa and domanda.stato in RETTIFICABILI,
        "puo_chiedere": impresa and bool(tipi_richiesta(domanda.stato)),
        "impresa": impresa,
    }
    return render(request, "claims/domanda_detail.html", context)


@require_GET
def domanda_protocollo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """htmx: the protocol number and receipt box, polled every 2 seconds until both are there.

    A session that expired while the page was open stops the polling (HTTP 286) instead of swapping
    the sign-in page into the box."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return HttpResponseStopPolling()
        return redirect_to_login(request.get_full_path())
    domanda = domanda_get_for(request.user, pk)
    return render(request, "claims/includes/protocollo.html", _contesto_protocollo(domanda))


# --- downloads ---------------------------------------------------------------------------------

MOTIVO_ISTRUTTORIA = gettext_lazy("istruttoria della domanda")


def _accesso_backoffice(
    request: AuthenticatedRequest,
    azione: AccessoDatiPersonali.Azione,
    domanda: Domanda,
    motivo: str | Promise,
    documento: str = "",
) -> None:
    """The backoffice opened a domanda's workers or one of its documents: recorded (never the company
    side, whose own data it is)."""
    if is_backoffice(request.user):
        cosa = (
            f"{documento} della domanda {domanda.pk}"
            if documento
            else f"lavoratori della domanda {domanda.pk}"
        )
        accesso_dati_registra(
            actor=request.user, azione=azione, descrizione=cosa, motivo=motivo, oggetto=domanda
        )


@login_required
@require_GET
def domanda_ricevuta(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    domanda = domanda_get_for(request.user, pk)
    _accesso_backoffice(
        request, AccessoDatiPersonali.Azione.DOCUMENTO, domanda, MOTIVO_ISTRUTTORIA, "ricevuta"
    )
    return ricevuta_download(
        request,
        domanda.registrazione,
        "ricevuta",
        in_preparazione="claims/ricevuta_in_preparazione.html",
        domanda=domanda,
    )


@login_required
@require_GET
def domanda_prospetto(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The "prospetto dei dati trasmessi" of a submitted domanda, rendered from its snapshot."""
    domanda = domanda_get_for(request.user, pk)
    if domanda.presentata_il is None:
        raise Http404
    _accesso_backoffice(
        request,
        AccessoDatiPersonali.Azione.DOCUMENTO,
        domanda,
        MOTIVO_ISTRUTTORIA,
        "prospetto dei dati trasmessi",
    )
    pdf = prospetto_render(domanda=domanda)
    numero = domanda.protocollo.replace("/", "-") if domanda.protocollo else str(domanda.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="prospetto-dati-trasmessi-{numero}.pdf"'
    return response


@login_required
@require_GET
def domanda_accordo(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    domanda = domanda_get_for(request.user, pk)
    if not domanda.accordo_file:
        raise Http404
    _accesso_backoffice(
        request, AccessoDatiPersonali.Azione.DOCUMENTO, domanda, MOTIVO_ISTRUTTORIA, "accordo sindacale"
    )
    return FileResponse(
        domanda.accordo_file.open("rb"),
        as_attachment=True,
        filename=f"accordo-sindacale-domanda-{domanda.pk}.pdf",
        content_type="application/pdf",
    )


# --- rettifica and requests --------------------------------------------------------------------


@login_required
def domanda_rettifica_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The "dati rettificabili" pre-filled; on confirmation a new domanda is submitted in place of
    this one (DOMAIN.md: rettifica), with a new protocol number."""
    domanda = domanda_get_for(request.user, pk)
    if not _lato_impresa(request, domanda):
        raise Http404
    if domanda.stato not in RETTIFICABILI:
        messaggio = MSG_RETTIFICA_NON_AMMESSA % {"stato": domanda.get_stato_display()}
        if TipoRichiesta.MODIFICA in tipi_richiesta(domanda.stato):
            messaggio = f"{messaggio} {MSG_SCRIVI_ALLA_REGIONE}"
        messages.error(request, messaggio)
        return redirect("claims:domanda_detail", domanda.pk)
    initial = {
        campo: getattr(domanda, campo)
        for campo in RettificaForm.base_fields
        if campo not in ("accordo_file", "file_lavoratori", "conferma")
    }
    form = RettificaForm(_post(request), _files(request), domanda=domanda, initial=initial)
    errori_generali: list[str] = []
    azione = request.POST.get("azione", "") if request.method == "POST" else ""
    # A long list of workers is corrected by file only; without a file the workers stay as they are.
    solo_file = domanda.lavoratori.count() > MODULO_MAX_RIGHE
    formset: BaseLavoratoriFormSet | None = None
    if azione == "aggiungi" and not solo_file:
        typed = lavoratori_formset(request.POST, domanda=domanda)
        formset = lavoratori_formset(domanda=domanda, initial=initial_from_data(typed))
        form = RettificaForm(initial=_typed(request, RettificaForm), domanda=domanda)
    elif request.method == "POST":
        form_valid = form.is_valid()
        # The period typed now, even when another field fails; None when the period itself is wrong.
        settimane = form.settimane()
        if not solo_file:
            formset = lavoratori_formset(
                request.POST, domanda=domanda, settimane=settimane, periodo_digitato=True
            )
        usa_file = form_valid and form.righe_file is not None
        if form_valid and (usa_file or formset is None or formset.is_valid()):
            righe = form.righe_file if usa_file else (formset.righe() if formset is not None else None)
            try:
                nuova = domanda_rettifica(
                    actor=request.user,
                    domanda=domanda,
                    lavoratori=righe,
                    accordo_file=form.cleaned_data.get("accordo_file"),
                    **form.campi(),
                )
            except ValidationError as exc:
                errori_generali = _apply_errors(exc, form, None if usa_file else formset)
            except NotPermitted as exc:
                raise _non_permitted_is_404(exc) from exc
            except NotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("claims:domanda_detail", domanda.pk)
            else:
                messages.success(request, MSG_RETTIFICA_FATTA)
                return redirect("claims:domanda_detail", nuova.pk)
    elif not solo_file:
        formset = lavoratori_formset(domanda=domanda, initial=initial_from_domanda(domanda), extra=0)
    return render(
        request,
        "claims/rettifica.html",
        {
            "domanda": domanda,
            "form": form,
            "formset": formset,
            "errori_generali": errori_generali,
            "num_consuntivi": domanda.consuntivi.count(),
            "num_lavoratori": domanda.lavoratori.count(),
            "modulo_max_righe": MODULO_MAX_RIGHE,
            "nota_regione": _nota_regione(domanda),
        },
    )


def _typed(request: AuthenticatedRequest, form_class: type[Form]) -> dict[str, Any]:
    """The raw values typed in a form, to re-render it unbound (no errors shown yet)."""
    return {
        name: request.POST.get(name)
        for name in form_class.base_fields
        if name in request.POST and name not in ("conferma",)
    }


@login_required
def domanda_richiesta(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Where rettifica is not possible, the company asks the Region to change or cancel the domanda;
    the page lists the requests already sent with the Region's answers."""
    domanda = domanda_get_for(request.user, pk)
    impresa = _lato_impresa(request, domanda)
    if not impresa:
        raise Http404
    tipi = tipi_richiesta(domanda.stato)
    form = RichiestaForm(_post(request), tipi=tipi)
    inviata = (
        request.method == "POST"
        and form.is_valid()
        and _esegui(request, richiesta_create, form=form, domanda=domanda, **form.cleaned_data)
    )
    if inviata:
        messages.success(request, MSG_RICHIESTA_INVIATA)
        return redirect("claims:domanda_richiesta", domanda.pk)
    richieste = RichiestaRegione.objects.filter(domanda=domanda).select_related("richiedente")
    return render(
        request,
        "claims/richiesta.html",
        {
            "domanda": domanda,
            "form": form,
            "richieste": richieste,
            "puo_chiedere": bool(tipi),
            "puo_rettificare": domanda.stato in RETTIFICABILI,
        },
    )
