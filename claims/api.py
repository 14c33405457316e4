"""REST endpoints for domande and misure (/api/v1/domande/, /api/v1/misure/).

Every domanda is reached through `claims.selectors` (another company's id answers 404) and changed
only by `claims.services.domande`; each business action has its own endpoint (`presenta/`,
`rettifica/`, `richieste/`, `accordo/`), never a PATCH of `stato`.
"""

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from anagrafica.api import ActorMixin
from core.api import IDEMPOTENCY_HEADER, IdempotentPostMixin, error_responses, pk_or_404
from protocollo.api import PDF_RESPONSE, RICEVUTA_DESCRIZIONE, FirstRendererNegotiation, ricevuta_response

from .constants import StatoDomanda
from .models import Domanda, EventoDomanda
from .selectors import domanda_get_for, domande_for, finestre_aperte, misure_aperte, pagina_di_domande
from .serializers import (
    AccordoSerializer,
    DomandaFiltroSerializer,
    DomandaModificaSerializer,
    DomandaScritturaSerializer,
    DomandaSerializer,
    DomandaSintesiSerializer,
    MisuraSerializer,
    RichiestaSerializer,
)
from .services.domande import (
    domanda_attach_accordo,
    domanda_create,
    domanda_rettifica,
    domanda_submit,
    domanda_update,
    richiesta_create,
)

MSG_RICEVUTA_BOZZA = _("La domanda non è ancora stata presentata: non ha una ricevuta.")


@extend_schema_view(
    list=extend_schema(
        summary="Elenco delle domande",
        parameters=[DomandaFiltroSerializer],
        responses={200: DomandaSintesiSerializer(many=True), **error_responses(400, 404)},
    ),
    create=extend_schema(
        summary="Crea una domanda in BOZZA con i suoi lavoratori",
        request=DomandaScritturaSerializer,
        responses={201: DomandaSerializer, **error_responses(400, 403, 422)},
        parameters=[IDEMPOTENCY_HEADER],
    ),
    retrieve=extend_schema(summary="Una domanda", responses={200: DomandaSerializer, **error_responses(404)}),
    partial_update=extend_schema(
        summary="Modifica una domanda in BOZZA",
        request=DomandaModificaSerializer,
        responses={200: DomandaSerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class DomandaViewSet(ActorMixin, IdempotentPostMixin, viewsets.GenericViewSet):
    """Domande di CIG in deroga delle aziende per cui l'utente opera."""

    serializer_class = DomandaSerializer

    def get_queryset(self):
        return domande_for(self.actor)

    def _domanda(self) -> Domanda:
        return domanda_get_for(self.actor, pk_or_404(self.kwargs["pk"]))

    def replay_check_access(self, request: Request, stored: Any, *args: Any, **kwargs: Any) -> None:
        """The domanda of the path (every action but create) and, for create, the one created: still
        reachable through the selectors, else 404."""
        if "pk" in self.kwargs:
            self._domanda()
        else:
            domanda_get_for(self.actor, pk_or_404(stored.get("id")))

    def _modifica(self, domanda: Domanda, request: Request) -> dict[str, Any]:
        """The body of PATCH and rettifica/: only the fields sent; `lavoratori`, if sent, replaces the list."""
        serializer = DomandaModificaSerializer(
            domanda, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        dati = dict(serializer.validated_data)
        return {"lavoratori": dati.pop("lavoratori", None), **dati}

    def _detail(self, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
        domanda = (
            domande_for(self.actor)
            .select_related("registrazione", "sostituita_da")
            .prefetch_related(
                "lavoratori", Prefetch("eventi", queryset=EventoDomanda.objects.select_related("actor"))
            )
            .get(pk=pk)
        )
        return Response(
            DomandaSerializer(domanda, context=self.get_serializer_context()).data, status=status_code
        )

    def list(self, request: Request) -> Response:
        filtro = DomandaFiltroSerializer(data=request.query_params)
        filtro.is_valid(raise_exception=True)
        f = filtro.validated_data
        domande = domande_for(self.actor).order_by("-created_at", "-pk")
        for param, lookup in [
            ("stato", "stato"),
            ("azienda", "azienda_id"),
            ("sede", "sede_id"),
            ("presentata_dal", "presentata_il__date__gte"),
            ("presentata_al", "presentata_il__date__lte"),
        ]:
            if param in f:
                domande = domande.filter(**{lookup: f[param]})
        # Page on the ids in an indexed order, then fetch and sum the page's rows only.
        pks = self.paginate_queryset(domande.values_list("pk", flat=True))
        righe = pagina_di_domande(pks or [], "registrazione", "sostituita_da")
        return self.get_paginated_response(DomandaSintesiSerializer(righe, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = DomandaScritturaSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        dati = dict(serializer.validated_data)
        domanda = domanda_create(
            actor=self.actor,
            sede=dati.pop("sede"),
            misura=dati.pop("misura"),
            lavoratori=dati.pop("lavoratori", []),
            **dati,
        )
        return self._detail(domanda.pk, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(self._domanda().pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        domanda = self._domanda()
        domanda_update(actor=self.actor, domanda=domanda, **self._modifica(domanda, request))
        return self._detail(domanda.pk)

    @extend_schema(
        summary="Presenta una domanda in BOZZA",
        description=str(
            _(
                "Verifica tutte le regole di presentazione e porta la domanda in PRESENTATA; il numero di "
                "protocollo e la ricevuta seguono entro pochi secondi. Ripetere la chiamata non la "
                "presenta una seconda volta."
            )
        ),
        request=None,
        responses={200: DomandaSerializer, **error_responses(400, 403, 404, 409, 422)},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def presenta(self, request: Request, pk: str) -> Response:
        domanda = domanda_submit(actor=self.actor, domanda=self._domanda())
        # The service's instance already carries its workers, site and registration: only the history
        # is read again, not the whole domanda (a submission is about ten statements in all).
        prefetch_related_objects(
            [domanda], Prefetch("eventi", queryset=EventoDomanda.objects.select_related("actor"))
        )
        return Response(DomandaSerializer(domanda, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Rettifica una domanda PRESENTATA o VERIFICATA - DA RETTIFICARE",
        description=str(
            _(
                "Crea e presenta una nuova domanda con i dati corretti (solo i campi indicati cambiano; "
                "«lavoratori», se presente, sostituisce l'elenco). La domanda originale diventa RETTIFICATA. "
                "Risponde con la nuova domanda."
            )
        ),
        request=DomandaModificaSerializer,
        responses={201: DomandaSerializer, **error_responses(400, 403, 404, 409, 422)},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"])
    def rettifica(self, request: Request, pk: str) -> Response:
        domanda = self._domanda()
        nuova = domanda_rettifica(actor=self.actor, domanda=domanda, **self._modifica(domanda, request))
        return self._detail(nuova.pk, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Richieste di modifica o annullamento inviate alla Regione",
        request=None,
        responses={200: RichiestaSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Chiedi alla Regione di modificare o annullare la domanda",
        description=str(_("Per le domande che non si possono più rettificare.")),
        request=RichiestaSerializer,
        responses={201: RichiestaSerializer, **error_responses(400, 403, 404, 409, 422)},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["get", "post"])
    def richieste(self, request: Request, pk: str) -> Response:
        domanda = self._domanda()
        if request.method == "GET":
            page = self.paginate_queryset(domanda.richieste.order_by("-created_at", "-pk"))
            return self.get_paginated_response(RichiestaSerializer(page, many=True).data)
        serializer = RichiestaSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        richiesta = richiesta_create(actor=self.actor, domanda=domanda, **serializer.validated_data)
        return Response(RichiestaSerializer(richiesta).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Allega l'accordo sindacale (PDF) a una domanda in BOZZA",
        request={"multipart/form-data": AccordoSerializer},
        responses={200: DomandaSerializer, **error_responses(400, 403, 404, 409, 422)},
        parameters=[IDEMPOTENCY_HEADER],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def accordo(self, request: Request, pk: str) -> Response:
        domanda = self._domanda()
        serializer = AccordoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domanda_attach_accordo(
            actor=self.actor,
            domanda=domanda,
            file=serializer.validated_data["accordo_file"],
            accordo_data=serializer.validated_data.get("accordo_data"),
        )
        return self._detail(domanda.pk)

    @extend_schema(
        summary="La ricevuta di presentazione (PDF)",
        description=str(RICEVUTA_DESCRIZIONE),
        responses={(200, "application/pdf"): PDF_RESPONSE, **error_responses(404, 409)},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FirstRendererNegotiation)
    def ricevuta(self, request: Request, pk: str):
        domanda = self._domanda()
        if domanda.stato == StatoDomanda.BOZZA:
            return Response({"detail": MSG_RICEVUTA_BOZZA}, status=status.HTTP_409_CONFLICT)
        return ricevuta_response(domanda.registrazione, "ricevuta")


@extend_schema_view(
    list=extend_schema(
        summary="Misure con una finestra di presentazione aperta oggi",
        responses={200: MisuraSerializer(many=True), **error_responses(404)},
    )
)
class MisuraViewSet(viewsets.GenericViewSet):
    """Misure e finestre di presentazione aperte oggi."""

    serializer_class = MisuraSerializer

    def get_queryset(self):
        oggi = timezone.localdate()
        return (
            misure_aperte(oggi)
            .prefetch_related(Prefetch("finestre", queryset=finestre_aperte(oggi), to_attr="finestre_aperte"))
            .order_by("-periodo_dal", "pk")
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MisuraSerializer(page, many=True).data)
