"""Second factor of the backoffice: a TOTP app (django-otp), required of every staff account
(regional officers, CPI operators, superusers) before any page past the sign-in (ASVS 2.7, 2.8).

After the password the session is signed in but not verified. `SecondFactorRequiredMiddleware` sends
such a session to `accesso/verifica/`: there an account with a confirmed device types its code; an
account without one enrols first (a QR code of a new secret, confirmed by its first code). Wrong codes
count toward the same block as wrong passwords and are recorded (`AccessoNegato`).
"""

from collections.abc import Callable
from typing import Any

import segno
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Aminder"
MSG_VERIFICA_RICHIESTA = _(
    "Per il backoffice serve anche il codice dell'app di autenticazione: acceda da {url}."
)


def requires_second_factor(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def enrolment_device(user: Any) -> TOTPDevice:
    """The unconfirmed device of an enrolment in progress (the same secret across reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The `otpauth://` address as an SVG QR code, inline (the CSP allows `data:` images only)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5)


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class SecondFactorRequiredMiddleware:
    """A staff session not verified by its second factor reaches only the verification page and the
    sign-out; every other page redirects there (the API answers 403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if requires_second_factor(user) and not user.is_verified():  # type: ignore[union-attr]
            verifica = reverse("anagrafica:secondo_fattore")
            if request.path not in {verifica, reverse("anagrafica:logout")}:
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": str(MSG_VERIFICA_RICHIESTA).format(url=verifica)}, status=403
                    )
                return redirect(f"{verifica}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
