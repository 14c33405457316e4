"""REST endpoints for consuntivi: GET|POST /api/v1/domande/{domanda_id}/consuntivi/,
GET /api/v1/consuntivi/{id}/ and its receipt.

Seeing follows the domanda (`consuntivi.selectors.consuntivi_for`); sending needs to act for the
company (`domanda_per_invio`), so anyone else gets a 404. Sending is `consuntivo_send` and nothing
else; a consuntivo once sent is final, so there is no PATCH nor DELETE.
"""

from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anagrafica.api import ActorMixin
from claims.selectors import domanda_get_for
from core.api import IDEMPOTENCY_HEADER, IdempotentPostMixin, error_responses, pk_or_404
from protocollo.api import PDF_RESPONSE, RICEVUTA_DESCRIZIONE, FirstRendererNegotiation, ricevuta_response

from .models import Consuntivo, RigaConsuntivo
from .selectors import consuntivi_for, consuntivo_get_for, domanda_per_invio
from .serializers import ConsuntivoScritturaSerializer, ConsuntivoSerializer
from .services import consuntivo_send

DOMANDA_ID = OpenApiParameter("domanda_id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _with_righe(consuntivi):
    return consuntivi.select_related("registrazione", "inviato_da").prefetch_related(
        Prefetch("righe", queryset=RigaConsuntivo.objects.select_related("lavoratore").order_by("pk"))
    )


class DomandaConsuntiviView(ActorMixin, IdempotentPostMixin, generics.GenericAPIView):
    """Consuntivi mensili di una domanda."""

    serializer_class = ConsuntivoSerializer

    def get_queryset(self):
        return consuntivi_for(self.actor)

    def replay_check_access(self, request: Request, stored: Any, *args: Any, **kwargs: Any) -> None:
        """As a new POST: the user must still act for the domanda's company."""
        domanda_per_invio(self.actor, pk_or_404(kwargs["domanda_id"]))

    @extend_schema(
        summary="Consuntivi inviati per la domanda",
        parameters=[DOMANDA_ID],
        responses={200: ConsuntivoSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, domanda_id: str) -> Response:
        domanda = domanda_get_for(self.actor, pk_or_404(domanda_id))
        consuntivi = _with_righe(consuntivi_for(self.actor).filter(domanda=domanda)).order_by("mese", "pk")
        page = self.paginate_queryset(consuntivi)
        return self.get_paginated_response(ConsuntivoSerializer(page, many=True).data)

    @extend_schema(
        summary="Invia il consuntivo di un mese",
        description=str(
            _(
                "Le ore di integrazione effettivamente utilizzate da ciascun lavoratore nel mese. Un "
                "consuntivo inviato è definitivo; il protocollo e la ricevuta seguono entro pochi secondi."
            )
        ),
        parameters=[DOMANDA_ID, IDEMPOTENCY_HEADER],
        request=ConsuntivoScritturaSerializer,
        responses={201: ConsuntivoSerializer, **error_responses(400, 404, 422)},
    )
    def post(self, request: Request, domanda_id: str) -> Response:
        domanda = domanda_per_invio(self.actor, pk_or_404(domanda_id))
        serializer = ConsuntivoScritturaSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consuntivo = consuntivo_send(
            actor=self.actor,
            domanda=domanda,
            mese=serializer.validated_data["mese"],
            righe=[dict(riga) for riga in serializer.validated_data["righe"]],
        )
        consuntivo = _with_righe(consuntivi_for(self.actor)).get(pk=consuntivo.pk)
        return Response(ConsuntivoSerializer(consuntivo).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Un consuntivo", responses={200: ConsuntivoSerializer, **error_responses(404)}
    )
)
class ConsuntivoViewSet(ActorMixin, viewsets.GenericViewSet):
    """Consuntivi mensili inviati."""

    serializer_class = ConsuntivoSerializer

    def get_queryset(self):
        return consuntivi_for(self.actor)

    def retrieve(self, request: Request, pk: str) -> Response:
        consuntivo = get_object_or_404(_with_righe(consuntivi_for(self.actor)), pk=pk_or_404(pk))
        return Response(ConsuntivoSerializer(consuntivo).data)

    @extend_schema(
        summary="La ricevuta del consuntivo (PDF)",
        description=str(RICEVUTA_DESCRIZIONE),
        responses={(200, "application/pdf"): PDF_RESPONSE, **error_responses(404, 409)},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FirstRendererNegotiation)
    def ricevuta(self, request: Request, pk: str):
        consuntivo: Consuntivo = consuntivo_get_for(self.actor, pk_or_404(pk))
        return ricevuta_response(consuntivo.registrazione, "ricevuta-consuntivo")
