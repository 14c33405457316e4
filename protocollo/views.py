"""Public verification of a receipt: anyone with the protocol number and the verification code printed
on it (or the QR code) can check that the receipt is authentic. No login, and nothing personal shown:
only the registration's own data and the SHA-256 of the stored PDF."""

import re
import secrets

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.ratelimit import client_ip, hit

from .models import RegistrazioneProtocollo, Ricevuta
from .selectors import ricevuta_pronta

PROTOCOLLO_RE = re.compile(r"^\s*(\d{4})\s*/\s*(\d{1,9})\s*$")
# A light brake on guessing codes: this many lookups per client address in this many seconds.
TENTATIVI_MAX = settings.AMINDER_VERIFICA_TENTATIVI
TENTATIVI_FINESTRA = settings.AMINDER_VERIFICA_FINESTRA

MSG_FORMATO = _("Scrivi il numero di protocollo nel formato anno/numero, ad esempio 2026/0000042.")
MSG_NESSUNA = _(
    "Nessuna ricevuta corrisponde a questo numero di protocollo e codice di verifica. "
    "Controlla di averli scritti esattamente come sono stampati sulla ricevuta."
)
MSG_TROPPI = _("Troppi tentativi di verifica da questo indirizzo. Riprova fra qualche minuto.")


class VerificaForm(forms.Form):
    protocollo = forms.CharField(
        label=_("Numero di protocollo"),
        max_length=20,
        help_text=_("Come stampato sulla ricevuta, ad esempio 2026/0000042."),
    )
    codice = forms.CharField(
        label=_("Codice di verifica"),
        max_length=40,
        help_text=_("Il codice stampato sulla ricevuta sotto l'impronta dei dati."),
    )

    def clean_protocollo(self) -> tuple[int, int]:
        match = PROTOCOLLO_RE.match(self.cleaned_data["protocollo"])
        if not match:
            raise forms.ValidationError(MSG_FORMATO)
        return int(match[1]), int(match[2])

    def clean_codice(self) -> str:
        return "".join(self.cleaned_data["codice"].split())


def _troppi_tentativi(request: HttpRequest) -> bool:
    return hit(f"verifica:tentativi:{client_ip(request)}", window=TENTATIVI_FINESTRA) > TENTATIVI_MAX


def _registrazione(anno: int, numero: int, codice: str) -> RegistrazioneProtocollo | None:
    registrazione = RegistrazioneProtocollo.objects.filter(anno=anno, numero=numero).first()
    # Compare in constant time, whether or not the number exists, so timing tells nothing.
    atteso = registrazione.codice_verifica if registrazione else secrets.token_hex(8)
    if secrets.compare_digest(atteso.upper().encode(), codice.upper().encode()):
        return registrazione
    return None


@never_cache
@require_GET
def verifica(request: HttpRequest) -> HttpResponse:
    """GET /verifica/?protocollo=2026/0000042&codice=… (the URL in the receipt's QR code)."""
    form = VerificaForm(request.GET if request.GET else None)
    contesto: dict = {"form": form}
    status = 200
    if form.is_bound:
        if _troppi_tentativi(request):
            contesto["errore"] = MSG_TROPPI
            status = 429
        elif form.is_valid():
            anno, numero = form.cleaned_data["protocollo"]
            registrazione = _registrazione(anno, numero, form.cleaned_data["codice"])
            if registrazione is None:
                contesto["errore"] = MSG_NESSUNA
            else:
                contesto["registrazione"] = registrazione
                contesto["ricevuta"] = Ricevuta.objects.filter(registrazione=registrazione).first()
    response = render(request, "protocollo/verifica.html", contesto, status=status)
    # The code travels in the query string: never pass it on in a Referer, never index the page.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def ricevuta_download(
    request: HttpRequest,
    registrazione: RegistrazioneProtocollo | None,
    prefisso: str,
    *,
    in_preparazione: str,
    **contesto: object,
) -> HttpResponse | FileResponse:
    """The receipt PDF of a document the caller already checked `request.user` may see; the page
    `in_preparazione` (404) until the worker has numbered the document and made its receipt."""
    ricevuta = ricevuta_pronta(registrazione)
    if registrazione is None or ricevuta is None:
        return render(request, in_preparazione, contesto, status=404)
    nome = f"{prefisso}-{registrazione.segnatura.replace('/', '-')}.pdf"
    return FileResponse(
        ricevuta.pdf.open("rb"), as_attachment=True, filename=nome, content_type="application/pdf"
    )
