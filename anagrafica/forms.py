from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.ratelimit import client_ip

from .auth import ratelimit
from .constants import CAMPI_MODIFICABILI_DALL_AZIENDA, MotivoAccessoNegato
from .models import Azienda, Comune, Sede
from .services import CAMPI_CENSIMENTO_AZIENDA, CAMPI_CENSIMENTO_SEDE
from .validators import normalize_codice_fiscale


class RateLimitedLoginMixin(forms.Form):
    """Refuses the sign-in after settings.LOGIN_MAX_FAILURES failures of one address and username."""

    request: HttpRequest | None

    def clean(self):
        username = self.data.get("username", "") if self.is_bound else ""
        ip = client_ip(self.request) if self.request is not None else ""
        if ratelimit.blocked(ip, username):
            raise ValidationError(ratelimit.blocked_message(), code="too_many_attempts")
        try:
            cleaned = super().clean()
        except ValidationError:
            if ratelimit.refuse(ip, username, MotivoAccessoNegato.PASSWORD):
                raise ValidationError(ratelimit.blocked_message(), code="too_many_attempts") from None
            raise
        ratelimit.reset(ip, username)
        return cleaned


class LoginForm(RateLimitedLoginMixin, AuthenticationForm):
    """The backoffice's username and password on the sign-in page, below the SPID, CIE and CNS cards.

    Without Django's `autofocus` on the username: it made phones open the page scrolled past the
    cards most people need (issue 18)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)


class CodiceVerificaForm(forms.Form):
    """The six digits of the authenticator app (TOTP)."""

    codice = forms.RegexField(
        label=_("Codice di verifica"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Il codice è di 6 cifre.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Le 6 cifre mostrate ora dall'app di autenticazione (cambiano ogni 30 secondi)."),
    )

    def clean_codice(self) -> str:
        return self.cleaned_data["codice"].strip()


class AdminLoginForm(RateLimitedLoginMixin, AdminAuthenticationForm):
    pass


class AziendaContattiForm(forms.ModelForm):
    """The data the company side corrects itself; the service validates and records each change."""

    class Meta:
        model = Azienda
        fields = CAMPI_MODIFICABILI_DALL_AZIENDA
        help_texts = {"codice_ateco": _("Classificazione ISTAT delle attività economiche, es. 25.62.00.")}

    def _post_clean(self):
        # Validation is the service's job (it also checks the CAP against the comune): do not run the
        # model validation twice on an instance that the service locks and saves.
        pass


class ComuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.nome} ({obj.provincia_id})"


def _comuni():
    return Comune.objects.select_related("provincia").order_by("nome")


class CensimentoAziendaForm(forms.ModelForm):
    comune = ComuneChoiceField(queryset=_comuni(), label=_("Comune della sede legale"))

    class Meta:
        model = Azienda
        fields = CAMPI_CENSIMENTO_AZIENDA

    def clean_codice_fiscale(self):
        return normalize_codice_fiscale(self.cleaned_data["codice_fiscale"])

    def clean_lr_codice_fiscale(self):
        return normalize_codice_fiscale(self.cleaned_data["lr_codice_fiscale"])


class CensimentoSedeForm(forms.ModelForm):
    comune = ComuneChoiceField(queryset=_comuni(), label=_("Comune"))

    class Meta:
        model = Sede
        fields = CAMPI_CENSIMENTO_SEDE


class CensimentoAziendaEsistenteForm(forms.Form):
    azienda_codice_fiscale = forms.CharField(
        label=_("Codice fiscale dell'azienda già censita"), max_length=16
    )
