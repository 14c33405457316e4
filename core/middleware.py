"""What every request shares: private caching by default, the absolute lifetime of a session."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _


class PrivateByDefaultMiddleware:
    """`Cache-Control: no-store, private` on every answer that does not choose its own caching.

    Pages, PDFs and API answers carry personal data (codici fiscali, hours, the API token on the
    profile): neither the browser's disk cache nor a proxy may keep them (ASVS 8.2.1). Static files never
    get here (WhiteNoise answers them before this middleware, with their own long-lived headers); a
    truly public page that wants to be cached sets its own `Cache-Control`, which is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response


SESSION_STARTED_KEY = "aminder_autenticato_il"
MSG_SESSIONE_SCADUTA = _("La sessione è scaduta (durata massima %(ore)d ore): acceda di nuovo.")


def remember_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On `user_logged_in` (password, SPID, CIE, CNS, development): when the session began."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = int(time.time())


class SessionAbsoluteLifetimeMiddleware:
    """Ends a signed-in session SESSION_ABSOLUTE_SECONDS after the sign-in, however active it was
    (ASVS 3.3.2); the idle limit is SESSION_COOKIE_AGE, renewed on each request. A session from before
    this rule (no start recorded) starts counting at its next request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            started = request.session.setdefault(SESSION_STARTED_KEY, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.warning(
                    request, str(MSG_SESSIONE_SCADUTA) % {"ore": settings.SESSION_ABSOLUTE_SECONDS // 3600}
                )
        return self.get_response(request)
