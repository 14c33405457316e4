"""The officer's backoffice for determinazioni: build an act from a selection of admissible domande,
a correction act, the act's PDF, its Flusso B, "sent to INPS", and INPS's outcome file. Every write
goes through `autorizzazioni.services`; only regional officers get in (CPI operators: 403)."""

from decimal import Decimal
from typing import Any, cast

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from anagrafica.models import Provincia, User
from anagrafica.permissions import FunzionarioOnlyMixin, is_funzionario
from claims.admin import DomandaAdmin
from claims.constants import StatoDomanda
from core.admin import AnnoFieldListFilter
from core.exceptions import DomainError
from core.models import AccessoDatiPersonali
from core.services import accesso_dati_registra

from .constants import TipoDeterminazione
from .forms import MAX_SELEZIONE, AutorizzazioneForm, EsitoForm, RettificaForm
from .models import Determinazione
from .services import (
    determinazione_create,
    determinazione_flusso_b,
    determinazione_segna_inviata,
    esito_inps_import,
)

MSG_SOLO_AMMISSIBILI = _(
    "%(n)d domande selezionate non sono VERIFICATA - AMMISSIBILE e non sono state portate nella determinazione."
)
# The service's error keys that the forms name differently.
CAMPI_SERVIZIO = {"data": "data_atto", "ore": "riduzioni"}


@admin.register(Determinazione)
class DeterminazioneAdmin(FunzionarioOnlyMixin, admin.ModelAdmin):
    list_display = ("numero_anno", "data", "tranche", "tipo", "domande_n", "protocollo", "inviata_inps_il")
    list_filter = ("tipo", ("anno", AnnoFieldListFilter))
    search_fields = ("tranche", "=numero")
    list_select_related = ("registrazione",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(domande_n=Count("righe"))

    @admin.display(description=_("numero"), ordering="numero")
    def numero_anno(self, obj: Determinazione) -> str:
        return f"{obj.numero}/{obj.anno}"  # never "2.026": a number, not a quantity

    @admin.display(description=_("domande"), ordering="domande_n")
    def domande_n(self, obj: Determinazione) -> int:
        return cast(Any, obj).domande_n

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_funzionario(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        """The act, its annex with each domanda's current state, its actions and its INPS outcomes."""
        self._solo_funzionari(request)
        atto = get_object_or_404(
            Determinazione.objects.select_related(
                "misura", "registrazione", "adottata_da", "inviata_inps_da"
            ),
            pk=object_id,
        )
        righe = atto.righe.select_related("domanda__azienda", "domanda__registrazione").order_by("pk")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": str(atto),
            "atto": atto,
            "righe": righe,
            "ore_totali": sum((r.ore_autorizzate for r in righe), Decimal(0)),
            "stima_totale": sum((r.stima for r in righe), Decimal(0)),
            "esiti": atto.esiti.select_related("importata_da"),
        }
        return TemplateResponse(request, "admin/autorizzazioni/determinazione.html", context)

    def get_urls(self):
        def view(funzione, nome: str, percorso: str):
            return path(
                percorso, self.admin_site.admin_view(funzione), name=f"autorizzazioni_determinazione_{nome}"
            )

        return [
            view(self.rettifica_view, "rettifica", "rettifica/"),
            view(self.pdf_view, "pdf", "<int:pk>/atto.pdf"),
            view(self.flusso_b_view, "flusso_b", "<int:pk>/flusso-b.xml"),
            view(self.inviata_view, "inviata", "<int:pk>/inviata/"),
            view(self.esito_view, "esito", "<int:pk>/esito/"),
            *super().get_urls(),
        ]

    # --- pages ------------------------------------------------------------------------------------

    def _solo_funzionari(self, request: HttpRequest) -> User:
        if not is_funzionario(request.user):
            raise PermissionDenied
        return cast(User, request.user)

    def _pagina(self, request: HttpRequest, form, **context: Any) -> TemplateResponse:
        return TemplateResponse(
            request,
            "admin/autorizzazioni/modulo.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, **context},
        )

    def _adotta(self, request: HttpRequest, form, **kwargs: Any) -> Determinazione | None:
        """Call the service; its errors go next to the fields they name, the rest on top."""
        intestazione = {k: form.cleaned_data[k] for k in ("numero", "tranche", "firmatario")}
        try:
            return determinazione_create(
                actor=cast(User, request.user), data=form.cleaned_data["data_atto"], **intestazione, **kwargs
            )
        except ValidationError as exc:
            for campo, errori in exc.message_dict.items():
                campo = CAMPI_SERVIZIO.get(campo, campo)
                form.add_error(campo if campo in form.fields else None, errori)
        except DomainError as exc:
            form.add_error(None, exc.message)
        return None

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """A new authorisation act from a selection of VERIFICATA - AMMISSIBILE domande."""
        self._solo_funzionari(request)
        provincia = request.GET.get("provincia", "")
        scelte = [
            int(pk) for pk in request.GET.get("domande", "").split(",") if pk.isascii() and pk.isdigit()
        ]
        form = AutorizzazioneForm(request.POST or None, provincia=provincia, scelte=scelte[:MAX_SELEZIONE])
        if request.method == "POST" and form.is_valid():
            determinazione = self._adotta(
                request,
                form,
                domande=form.cleaned_data["domande"],
                ore=form.cleaned_data["riduzioni"],
                motivo=form.cleaned_data["motivo"],
            )
            if determinazione is not None:
                messages.success(request, _("Determinazione adottata: le sue domande sono AUTORIZZATA."))
                return redirect("admin:autorizzazioni_determinazione_change", determinazione.pk)
        return self._pagina(
            request,
            form,
            title=_("Nuova determinazione di autorizzazione"),
            titolo_breadcrumb=_("Nuova determinazione"),
            intro=_(
                "Scegliere le domande VERIFICATA - AMMISSIBILE della tranche. La determinazione è respinta per "
                "intero se il costo stimato delle ore autorizzate supera le risorse residue dell'anno."
            ),
            invia=_("Adotta la determinazione"),
            elencate=form.elencate,
            province=Provincia.objects.filter(comuni__sedi__domande__stato=StatoDomanda.AMMISSIBILE)
            .distinct()
            .order_by("nome"),
            provincia=provincia,
        )

    def rettifica_view(self, request: HttpRequest):
        """A correction act of the authorised hours of domande already authorised."""
        self._solo_funzionari(request)
        form = RettificaForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            ore = form.cleaned_data["righe"]
            determinazione = self._adotta(
                request,
                form,
                domande=[],
                ore=ore,
                motivo=form.cleaned_data["motivo"],
                tipo=TipoDeterminazione.RETTIFICA,
            )
            if determinazione is not None:
                messages.success(request, _("Determinazione di rettifica adottata."))
                return redirect("admin:autorizzazioni_determinazione_change", determinazione.pk)
        return self._pagina(
            request,
            form,
            title=_("Nuova determinazione di rettifica del monte ore"),
            titolo_breadcrumb=_("Rettifica del monte ore"),
            intro=_("Rettifiche ad integrazione del monte ore di domande già autorizzate."),
            invia=_("Adotta la rettifica"),
        )

    def pdf_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._solo_funzionari(request)
        determinazione = get_object_or_404(Determinazione.objects.select_related("registrazione"), pk=pk)
        dati = determinazione.dati
        domande = dati["domande"]
        from protocollo import pdf  # WeasyPrint loads where PDFs are rendered, not in every process

        contenuto = pdf.render_with_data(
            "autorizzazioni/pdf/determinazione.html",
            {
                "dati": dati,
                "data": determinazione.data,
                "tipo": determinazione.get_tipo_display(),
                "domande": domande,
                "ore_totali": sum((Decimal(d["ore"]) for d in domande), Decimal(0)),
                "stima_totale": sum((Decimal(d["stima"]) for d in domande), Decimal(0)),
                "segnatura": determinazione.protocollo,
                "registrata_il": determinazione.registrazione.registrata_il
                if determinazione.registrazione
                else None,
            },
            dati,
        )
        response = HttpResponse(contenuto, content_type="application/pdf")
        nome = f"determinazione-{determinazione.anno}-{determinazione.numero}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{nome}"'
        return response

    def flusso_b_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = self._solo_funzionari(request)
        determinazione = get_object_or_404(Determinazione, pk=pk)
        try:
            contenuto = determinazione_flusso_b(actor=actor, determinazione=determinazione)
        except DomainError as exc:  # e.g. the file would differ from the one already handed out
            messages.error(request, exc.message)
            return redirect("admin:autorizzazioni_determinazione_change", pk)
        accesso_dati_registra(
            actor=actor,
            azione=AccessoDatiPersonali.Azione.ESPORTAZIONE,
            descrizione=f"Flusso B della determinazione {determinazione.pk}",
            motivo=_("trasmissione all'INPS"),
            oggetto=determinazione,
            quanti=determinazione.righe.count(),
        )
        response = HttpResponse(contenuto, content_type="application/xml")
        nome = f"flusso-b-{determinazione.anno}-{determinazione.numero}.xml"
        response["Content-Disposition"] = f'attachment; filename="{nome}"'
        return response

    def inviata_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = self._solo_funzionari(request)
        if request.method != "POST":
            return redirect("admin:autorizzazioni_determinazione_change", pk)
        determinazione = get_object_or_404(Determinazione, pk=pk)
        try:
            determinazione_segna_inviata(actor=actor, determinazione=determinazione)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Flusso B segnato come inviato: le domande sono TRASMESSA INPS."))
        return redirect("admin:autorizzazioni_determinazione_change", pk)

    def esito_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        actor = self._solo_funzionari(request)
        determinazione = get_object_or_404(Determinazione, pk=pk)
        form = EsitoForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                importazione = esito_inps_import(
                    actor=actor, determinazione=determinazione, file=form.cleaned_data["file"]
                )
            except ValidationError as exc:
                for errori in exc.message_dict.values():
                    form.add_error("file", errori)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Esito INPS importato: %(accolte)d accolte, %(anomalie)d con anomalia.")
                    % {"accolte": importazione.accolte, "anomalie": importazione.anomalie},
                )
                return redirect("admin:autorizzazioni_determinazione_change", pk)
        return self._pagina(
            request,
            form,
            oggetto=determinazione,
            multipart=True,
            title=_("Esito INPS della %(atto)s") % {"atto": determinazione},
            titolo_breadcrumb=_("Esito INPS"),
            intro=_(
                "Il file CSV che INPS restituisce per il Flusso B: si importa solo se ogni riga è corretta."
            ),
            invia=_("Importa l'esito"),
        )


@admin.action(description=_("Autorizza in una nuova determinazione…"))
def autorizza_in_determinazione(modeladmin: Any, request: HttpRequest, queryset: Any) -> HttpResponse:
    """From the officers' queue: the new act's page with the selected admissible domande ticked; the
    officer completes number, date, tranche and signatory there and adopts it (issue of the workbench:
    "authorise into a new act")."""
    scelte = list(
        queryset.filter(stato=StatoDomanda.AMMISSIBILE).values_list("pk", flat=True)[:MAX_SELEZIONE]
    )
    escluse = queryset.exclude(stato=StatoDomanda.AMMISSIBILE).count()
    if escluse:
        messages.warning(request, MSG_SOLO_AMMISSIBILI % {"n": escluse})
    url = reverse("admin:autorizzazioni_determinazione_add")
    return redirect(f"{url}?domande={','.join(map(str, scelte))}")


# The queue belongs to claims, the act to this app: the action is added from here, so claims never
# names the app above it.
DomandaAdmin.actions = (*DomandaAdmin.actions, autorizza_in_determinazione)
