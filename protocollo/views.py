"""Public verification of a receipt: anyone with the protocol number and the verification code printed
on it (or the QR code) can check that the receipt is authentic, an employer or a bank clerk as well as
someone with `sha256sum`. No login, and nothing personal shown: the registration's own data (number,
date, type) and, for a PDF the visitor has, whether it is the one issued: the file is compared with
the stored receipt's SHA-256 and not kept."""

import hashlib
import re
import secrets

from django import forms
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

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
MSG_PDF_UGUALE = _("Il PDF caricato è identico alla ricevuta rilasciata con questo numero di protocollo.")
MSG_PDF_DIVERSO = _(
    "Il PDF caricato non è la ricevuta rilasciata con questo numero di protocollo: può essere stato "
    "modificato o appartenere a un altro documento. Chiedi a chi l'ha presentato di scaricarla di nuovo "
    "dall'area riservata."
)
MSG_PDF_GRANDE = _("Il file supera i 10 MB: una ricevuta è molto più piccola.")
PDF_MAX_BYTES = 10 * 1024 * 1024
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


class ConfrontoPdfForm(forms.Form):
    pdf = forms.FileField(
        label=_("PDF della ricevuta che hai ricevuto"),
        help_text=_("Il file non viene conservato: serve solo a confrontarlo con quello rilasciato."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def clean_pdf(self):
        pdf = self.cleaned_data["pdf"]
        if pdf.size > PDF_MAX_BYTES:
            raise forms.ValidationError(MSG_PDF_GRANDE)
        return pdf


def _sha256(file) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


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
@require_http_methods(["GET", "POST"])
def verifica(request: HttpRequest) -> HttpResponse:
    """GET /verifica/?protocollo=2026/0000042&codice=… (the URL in the receipt's QR code); POST to the
    same URL with a PDF compares it with the receipt issued."""
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
                ricevuta = Ricevuta.objects.filter(registrazione=registrazione).first()
                contesto["registrazione"], contesto["ricevuta"] = registrazione, ricevuta
                confronto = ConfrontoPdfForm(
                    request.POST if request.method == "POST" else None,
                    request.FILES if request.method == "POST" else None,
                )
                contesto["confronto"] = confronto
                if ricevuta is not None and confronto.is_valid():
                    uguale = _sha256(confronto.cleaned_data["pdf"]) == ricevuta.sha256
                    contesto["pdf_uguale"] = uguale
                    contesto["esito_pdf"] = MSG_PDF_UGUALE if uguale else MSG_PDF_DIVERSO
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
