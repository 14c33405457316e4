"""The receipt download of the API, shared by every document type's endpoint: the PDF when ready,
409 with Retry-After while the worker numbers the document or renders its receipt."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from .models import RegistrazioneProtocollo
from .selectors import ricevuta_pronta

MSG_PROTOCOLLO_IN_ATTESA = _(
    "Il numero di protocollo non è ancora stato assegnato: la ricevuta sarà disponibile tra pochi secondi."
)
MSG_RICEVUTA_IN_PREPARAZIONE = _("La ricevuta è in preparazione: sarà disponibile tra pochi secondi.")
RETRY_AFTER_SECONDS = "5"
RICEVUTA_DESCRIZIONE = _(
    "409 finché il protocollo o la ricevuta non sono pronti (riprovare dopo Retry-After)."
)
PDF_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description=str(_("Il PDF della ricevuta.")))


class FirstRendererNegotiation(BaseContentNegotiation):
    """For file downloads: the file is sent as is, errors as JSON, whatever the client accepts."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def not_ready(message) -> Response:
    return Response(
        {"detail": message}, status=status.HTTP_409_CONFLICT, headers={"Retry-After": RETRY_AFTER_SECONDS}
    )


def ricevuta_response(
    registrazione: RegistrazioneProtocollo | None, prefisso: str
) -> Response | FileResponse:
    """The receipt PDF of `registrazione` as `<prefisso>-AAAA-NNNNNNN.pdf`, or 409 while not ready."""
    if registrazione is None:
        return not_ready(MSG_PROTOCOLLO_IN_ATTESA)
    ricevuta = ricevuta_pronta(registrazione)
    if ricevuta is None:
        return not_ready(MSG_RICEVUTA_IN_PREPARAZIONE)
    response = FileResponse(
        ricevuta.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{prefisso}-{registrazione.segnatura.replace('/', '-')}.pdf",
    )
    response["ETag"] = f'"{ricevuta.sha256}"'
    return response
