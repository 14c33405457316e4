"""An expired session met by an htmx request, and the keep-alive of the idle-timeout warning.

`login_required` answers an anonymous request with a redirect to the sign-in page. The browser's
XMLHttpRequest follows it, and htmx would swap the whole sign-in page into the form ("Aggiungi un
lavoratore"). `SessioneScadutaHtmxMiddleware` turns that redirect into an `HX-Redirect` to the
sign-in page, with the page the user was on (`HX-Current-URL`) as `next`, and a "sessione scaduta"
message: after signing in the user is back on the same step, whose draft is saved in the database.
"""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

MSG_SESSIONE_SCADUTA = gettext_lazy(
    "La sessione è scaduta per inattività: accedi di nuovo per continuare. I dati salvati nella bozza "
    "non sono andati persi."
)


class SessioneScadutaHtmxMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or response.status_code not in (301, 302):
            return response
        if request.user.is_authenticated:
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        pagina = request.headers.get("HX-Current-URL", "")
        if not url_has_allowed_host_and_scheme(pagina, {request.get_host()}, request.is_secure()):
            pagina = "/"
        parti = urlsplit(pagina)
        successivo = parti.path + (f"?{parti.query}" if parti.query else "")
        messages.warning(request, MSG_SESSIONE_SCADUTA)
        return HttpResponseClientRedirect(redirect_to_login(successivo or "/")["Location"])


@require_POST
def sessione_rinnova(request: HttpRequest) -> HttpResponse:
    """ "Resta collegato": a request that renews the session (SESSION_SAVE_EVERY_REQUEST); 403 when
    it has already expired, so the page can say so."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    request.session.modified = True
    return HttpResponse(status=204)
