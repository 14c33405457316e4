"""Sign-in (SPID, CNS, backoffice password, development identities) and the company side of the
anagrafica. Company records are reached only through anagrafica.selectors, so a foreign id is a 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core.exceptions import NotPermitted
from core.ratelimit import client_ip

from .auth import ratelimit
from .auth.cns import MSG_CNS_SENZA_CF, CnsError, certificate_from_request
from .auth.secondo_fattore import (
    base32_secret,
    confirmed_device,
    enrolment_device,
    qr_data_uri,
    requires_second_factor,
)
from .auth.spid import cie_configured, spid_configured, spid_identity_providers
from .constants import CAMPI_MODIFICABILI_DALL_AZIENDA, MotivoAccessoNegato, Ruolo, TipoCensimento
from .forms import (
    AziendaContattiForm,
    CensimentoAziendaEsistenteForm,
    CensimentoAziendaForm,
    CensimentoSedeForm,
    CodiceVerificaForm,
    LoginForm,
)
from .models import ApiToken, RichiestaCensimento, Sede, User
from .permissions import is_backoffice
from .selectors import azienda_get_for, aziende_for, richieste_censimento_for
from .services import api_token_regenerate, api_token_revoke, azienda_update_contatti, censimento_request

MSG_CONTATTI_SALVATI = _("Dati aggiornati: %(campi)s.")
MSG_NESSUNA_MODIFICA = _("Nessun dato è cambiato.")
MSG_CENSIMENTO_INVIATA = _(
    "Richiesta inviata al %(cpi)s: riceverà l'esito per e-mail e lo troverà in questa pagina."
)
MSG_TOKEN_GENERATO = _(
    "Nuovo token generato: quello precedente non è più valido. Copialo ora: non sarà più mostrato."
)
MSG_CODICE_ERRATO = _("Codice non valido o scaduto: controlli l'ora del telefono e riprovi.")
MSG_TOKEN_REVOCATO = _("Token revocato: le chiamate all'API con quel token sono rifiutate.")
MSG_NESSUN_TOKEN = _("Non c'era un token attivo da revocare.")


def _safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


# --- Sign-in ----------------------------------------------------------------------------------------


def dev_login_enabled() -> bool:
    # Both: DEV_LOGIN_ENABLED follows DEBUG, and production settings refuse to start without a secret
    # key when DEBUG is off, so the page cannot be switched on in production by one variable alone.
    return bool(settings.DEV_LOGIN_ENABLED and settings.DEBUG)


class AccessoView(auth_views.LoginView):
    """The sign-in page: SPID, CNS, backoffice username and password, development identities."""

    template_name = "anagrafica/accesso.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["spid_configured"] = spid_configured()
        context["spid_idps"] = spid_identity_providers() if context["spid_configured"] else []
        context["cie_configured"] = cie_configured()
        context["dev_login_enabled"] = dev_login_enabled()
        return context


def _demo_identities():
    return User.objects.filter(is_active=True).filter(
        Q(codice_fiscale__isnull=False) | ~Q(ruolo=Ruolo.IMPRESA) | Q(is_staff=True)
    )


def dev_login(request):
    """Pick a demo identity. Exists only in the embedded development setup (DEBUG)."""
    if not dev_login_enabled():
        raise Http404
    if request.method == "POST":
        user = get_object_or_404(_demo_identities(), pk=request.POST.get("user"))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if requires_second_factor(user) and (device := confirmed_device(user)) is not None:
            otp_login(request, device)  # development only, like skipping the password
        return redirect(_safe_next(request, reverse("anagrafica:home")))
    identities = _demo_identities().select_related("cpi").order_by("ruolo", "last_name", "first_name")
    return render(
        request,
        "anagrafica/accesso_sviluppo.html",
        {
            "imprese": [u for u in identities if u.ruolo == Ruolo.IMPRESA and u.codice_fiscale],
            "backoffice": [u for u in identities if is_backoffice(u)],
        },
    )


@require_POST
def cns_login(request):
    """Sign-in with the CNS client certificate that the trusted proxy verified. POST only, so a link
    on another site cannot sign a visitor in behind their back."""
    try:
        certificate = certificate_from_request(request)
    except CnsError as error:
        return render(request, "anagrafica/accesso_errore.html", {"messaggio": error.message}, status=403)
    user = authenticate(request, cns_certificate=certificate)
    if user is None:
        return render(request, "anagrafica/accesso_errore.html", {"messaggio": MSG_CNS_SENZA_CF}, status=403)
    login(request, user)
    return redirect(_safe_next(request, reverse("anagrafica:home")))


@login_required
def secondo_fattore(request):
    """The backoffice's second factor: the TOTP code, after enrolling a device the first time."""
    user = request.user
    next_url = _safe_next(request, reverse("admin:index"))
    if not requires_second_factor(user) or user.is_verified():
        return redirect(next_url)
    device = confirmed_device(user)
    attivazione = device is None
    if device is None:
        device = enrolment_device(user)
    form = CodiceVerificaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip, username = client_ip(request), user.get_username()
        if ratelimit.blocked(ip, username):
            form.add_error(None, ratelimit.blocked_message())
        elif device.verify_token(form.cleaned_data["codice"]):
            ratelimit.reset(ip, username)
            if attivazione:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session.cycle_key()  # a new session id for the raised privilege
            return redirect(next_url)
        elif ratelimit.refuse(ip, username, MotivoAccessoNegato.CODICE):
            form.add_error(None, ratelimit.blocked_message())
        else:
            form.add_error("codice", MSG_CODICE_ERRATO)
    context = {"form": form, "attivazione": attivazione, "next": next_url}
    if attivazione:
        context |= {"qr": qr_data_uri(device), "chiave": base32_secret(device)}
    return render(request, "anagrafica/secondo_fattore.html", context)


# --- Company side -----------------------------------------------------------------------------------


@login_required
def home(request):
    """The companies the user may act for, with their sites; the backoffice works in the admin."""
    if is_backoffice(request.user):
        return redirect("admin:index")
    aziende = (
        aziende_for(request.user)
        .select_related("comune")
        .prefetch_related(Prefetch("sedi", queryset=Sede.objects.select_related("comune")))
    )
    richieste_in_attesa = RichiestaCensimento.objects.filter(
        richiedente=request.user, stato="IN_ATTESA"
    ).count()
    return render(
        request,
        "anagrafica/home.html",
        {"aziende": aziende, "richieste_in_attesa": richieste_in_attesa},
    )


@login_required
def azienda_detail(request, pk: int):
    azienda = azienda_get_for(request.user, pk)
    form = AziendaContattiForm(instance=azienda)
    if request.method == "POST":
        form = AziendaContattiForm(request.POST, instance=azienda)
        if form.is_valid():
            campi = {field: form.cleaned_data[field] for field in CAMPI_MODIFICABILI_DALL_AZIENDA}
            try:
                changed = azienda_update_contatti(actor=request.user, azienda=azienda, **campi)
            except NotPermitted as error:
                raise Http404 from error
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changed:
                    labels = ", ".join(str(form.fields[field].label) for field in changed)
                    messages.success(request, MSG_CONTATTI_SALVATI % {"campi": labels})
                else:
                    messages.info(request, MSG_NESSUNA_MODIFICA)
                return redirect("anagrafica:azienda_detail", pk=azienda.pk)
    return render(
        request,
        "anagrafica/azienda_detail.html",
        {
            "azienda": azienda,
            "sedi": azienda.sedi.select_related("comune__provincia"),
            "form": form,
            "modifiche": azienda.modifiche.select_related("actor")[:20],
        },
    )


@login_required
def censimento_list(request):
    richieste = richieste_censimento_for(request.user).select_related("cpi", "azienda", "sede")
    return render(request, "anagrafica/censimento_list.html", {"richieste": richieste})


@login_required
def censimento_create(request):
    tipo = request.POST.get("tipo") or request.GET.get("tipo") or TipoCensimento.AZIENDA
    if tipo not in TipoCensimento.values:
        tipo = TipoCensimento.AZIENDA
    data = request.POST if request.method == "POST" else None
    azienda_form = (
        CensimentoAziendaForm(data, prefix="azienda")
        if tipo == TipoCensimento.AZIENDA
        else CensimentoAziendaEsistenteForm(data, prefix="azienda")
    )
    sede_form = CensimentoSedeForm(data, prefix="sede")
    if data is not None and azienda_form.is_valid() and sede_form.is_valid():
        try:
            if tipo == TipoCensimento.AZIENDA:
                richiesta = censimento_request(
                    actor=request.user,
                    tipo=tipo,
                    sede=sede_form.cleaned_data,
                    azienda=azienda_form.cleaned_data,
                )
            else:
                richiesta = censimento_request(
                    actor=request.user,
                    tipo=tipo,
                    sede=sede_form.cleaned_data,
                    azienda_codice_fiscale=azienda_form.cleaned_data["azienda_codice_fiscale"],
                )
        except ValidationError as error:
            _add_errors(error, azienda_form, sede_form)
        else:
            messages.success(request, MSG_CENSIMENTO_INVIATA % {"cpi": richiesta.cpi.nome})
            return redirect("anagrafica:censimento_list")
    return render(
        request,
        "anagrafica/censimento_form.html",
        {
            "tipo": tipo,
            "tipi": TipoCensimento,
            "azienda_form": azienda_form,
            "sede_form": sede_form,
        },
    )


def _add_errors(error: ValidationError, azienda_form, sede_form) -> None:
    """Errors of censimento_request name their field "azienda.<field>" or "sede.<field>"."""
    if not hasattr(error, "error_dict"):
        sede_form.add_error(None, error)
        return
    forms = {"azienda": azienda_form, "sede": sede_form}
    for key, errors in error.error_dict.items():
        prefix, _sep, field = key.partition(".")
        form = forms.get(prefix, sede_form)
        form.add_error(field if field in form.fields else None, errors)


# The new key is shown once, on the answer that generates it; empty on every other answer.
def _profilo(request, nuovo_token: str = ""):  # nosec B107
    token = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk").first()
    return render(
        request,
        "anagrafica/profilo.html",
        {"profilo": request.user, "token": token, "nuovo_token": nuovo_token},
    )


@login_required
def profilo(request):
    return _profilo(request)


@login_required
@require_POST
def profilo_token(request):
    """The new key is shown in this answer only (not kept in clear anywhere): no redirect, and like
    every page the answer is `Cache-Control: no-store`."""
    _token, key = api_token_regenerate(actor=request.user)
    messages.success(request, MSG_TOKEN_GENERATO)
    return _profilo(request, nuovo_token=key)


@login_required
@require_POST
def profilo_token_revoca(request):
    if api_token_revoke(actor=request.user):
        messages.success(request, MSG_TOKEN_REVOCATO)
    else:
        messages.info(request, MSG_NESSUN_TOKEN)
    return redirect("anagrafica:profilo")
