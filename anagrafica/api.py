"""REST endpoints for the companies a user acts for and their sites (/api/v1/aziende/).

Read only: company data change through the CPI or the browser's "Gestione Anagrafica Azienda".
Visibility is `anagrafica.selectors.aziende_for`: another company's id answers 404.
"""

from typing import cast

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import error_responses, pk_or_404

from .models import Azienda, User
from .selectors import azienda_get_for, aziende_for, sedi_for
from .serializers import AziendaSerializer, SedeSerializer


class ActorMixin:
    """`self.actor`: the user acting, as the services want it (every endpoint requires authentication)."""

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(
        summary="Aziende per cui l'utente opera (legale rappresentante o intermediario abilitato)",
        responses={200: AziendaSerializer(many=True), **error_responses(404)},
    ),
    retrieve=extend_schema(summary="Un'azienda", responses={200: AziendaSerializer, **error_responses(404)}),
)
class AziendaViewSet(ActorMixin, viewsets.GenericViewSet):
    """Aziende e sedi per cui l'utente opera."""

    serializer_class = AziendaSerializer

    def get_queryset(self):
        return aziende_for(self.actor)

    def _azienda(self) -> Azienda:
        return azienda_get_for(self.actor, pk_or_404(self.kwargs["pk"]))

    def list(self, request: Request) -> Response:
        aziende = aziende_for(self.actor).select_related("comune").order_by("ragione_sociale", "pk")
        page = self.paginate_queryset(aziende)
        return self.get_paginated_response(AziendaSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        azienda = self._azienda()
        return Response(AziendaSerializer(azienda).data)

    @extend_schema(
        summary="Sedi (unità produttive) dell'azienda",
        responses={200: SedeSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"])
    def sedi(self, request: Request, pk: str) -> Response:
        azienda = self._azienda()
        sedi = sedi_for(self.actor).filter(azienda=azienda).order_by("denominazione", "pk")
        page = self.paginate_queryset(sedi)
        return self.get_paginated_response(SedeSerializer(page, many=True).data)
