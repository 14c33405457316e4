"""What every endpoint of the REST API shares: the error format, the rate limit, pagination and the
`Idempotency-Key` header.

Errors always answer `{"detail": "<Italian message>"}`; a 400 adds `"errors"`, a map from field to
the list of its Italian messages (the same messages the services give the browser). Rows of a list
are addressed as the services address them: `lavoratori.<n>` (1-based, the row the user typed) with
messages `"campo: messaggio"`, `righe.<n>.<campo>` for the lines of a consuntivo.
"""

import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from . import ratelimit
from .exceptions import DomainError, NotAllowed, NotPermitted
from .models import IdempotencyKey

logger = logging.getLogger(__name__)

MSG_DATI_NON_VALIDI = _("I dati inviati non sono validi.")
MSG_NON_TROVATO = _("Non trovato.")
MSG_CORPO_ILLEGGIBILE = _("Il corpo della richiesta non è leggibile ({motivo}).")
MSG_JSON_POSIZIONE = _("JSON non valido alla riga {riga}, colonna {colonna}")
MSG_FORMATO_NON_VALIDO = _("il contenuto non è nel formato dichiarato")
MSG_TROPPE_RICHIESTE = _("Troppe richieste in poco tempo: riprova tra {secondi} secondi.")
MSG_CHIAVE_RIUSATA = _(
    "La chiave Idempotency-Key è già stata usata per una richiesta diversa: "
    "usa una chiave nuova per ogni nuova operazione."
)
MSG_DATABASE_GIU = _(
    "Il servizio è momentaneamente non disponibile: nulla è stato registrato. Riprova tra {secondi} secondi "
    "con la stessa Idempotency-Key."
)
RETRY_AFTER_DATABASE = 5
MSG_CHIAVE_NON_VALIDA = _("La chiave Idempotency-Key deve avere da 1 a 255 caratteri stampabili.")
NON_FIELD_ERRORS = "non_field_errors"
# Lists whose row errors are reported per row, as claims.services.domande reports them.
ROW_LEVEL_LISTS = frozenset({"lavoratori"})


# --- errors ----------------------------------------------------------------------------------------


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = MSG_CHIAVE_RIUSATA
    default_code = "idempotency_key_reused"


def _messages(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(path, message) pairs of a DRF error detail, paths dotted and list rows 1-based."""
    if isinstance(value, dict):
        pairs = []
        for key, sub in value.items():
            name = str(int(key) + 1) if isinstance(key, int) else str(key)
            pairs += _messages(sub, f"{prefix}.{name}" if prefix else name)
        return pairs
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        pairs = []
        for n, item in enumerate(value, start=1):
            pairs += _messages(item, f"{prefix}.{n}")
        return pairs
    if isinstance(value, list):
        return [(prefix, str(m)) for m in value]
    return [(prefix, str(value))]


def flatten_errors(detail: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for path, message in _messages(detail):
        parts = path.split(".") if path else [NON_FIELD_ERRORS]
        if parts[0] in ("__all__", ""):
            parts[0] = NON_FIELD_ERRORS
        if parts[0] in ROW_LEVEL_LISTS and len(parts) > 2:
            key, message = ".".join(parts[:2]), f"{'.'.join(parts[2:])}: {message}"
        else:
            key = ".".join(parts)
        errors.setdefault(key, []).append(message)
    return errors


def _validation_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD_ERRORS if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD_ERRORS: exc.messages}


def _motivo_illeggibile(exc: exceptions.ParseError) -> str:
    """DRF's parsers explain in English ("JSON parse error - Expecting value: line 1 column 10
    (char 9)"): the client reads where, in Italian."""
    posizione = re.search(r"line (\d+) column (\d+)", str(exc.detail))
    if posizione:
        return str(MSG_JSON_POSIZIONE).format(riga=posizione[1], colonna=posizione[2])
    return str(MSG_FORMATO_NON_VALIDO)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Domain errors of the services become HTTP answers; every answer has an Italian `detail`."""
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"detail": MSG_DATI_NON_VALIDI, "errors": _validation_errors(exc)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, NotPermitted):
        # Reached only for an object the selectors showed (else it is a 404): the user may see it
        # but not act on it.
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, NotAllowed | DomainError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, OperationalError | InterfaceError):
        # The database is restarting or unreachable: the request's transaction is rolled back whole,
        # so the client may simply retry (a 503 says so; a 500 would not).
        logger.warning("Database non raggiungibile durante %s", context.get("request"), exc_info=exc)
        return Response(
            {"detail": str(MSG_DATABASE_GIU).format(secondi=RETRY_AFTER_DATABASE)},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_DATABASE)},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(MSG_NON_TROVATO)  # never the model name of get_object_or_404
    if isinstance(exc, exceptions.Throttled):
        exc.detail = exceptions.ErrorDetail(
            str(MSG_TROPPE_RICHIESTE).format(secondi=getattr(exc, "wait", None) or 1), code="throttled"
        )
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {"detail": MSG_DATI_NON_VALIDI, "errors": flatten_errors(exc.detail)},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.ParseError):
        return Response(
            {"detail": str(MSG_CORPO_ILLEGGIBILE).format(motivo=_motivo_illeggibile(exc)), "errors": {}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    # Imported here: rest_framework.views reads the throttle and pagination classes of this module
    # when it is first imported, so importing it at the top is circular (Celery's start-up checks).
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)


# For the schema only. ("errors" would shadow Serializer.errors on a declared class.)
ErroreSerializer = inline_serializer(
    name="Errore", fields={"detail": serializers.CharField(help_text=_("Il motivo, in italiano."))}
)
ErroriValidazioneSerializer = inline_serializer(
    name="ErroriValidazione",
    fields={
        "detail": serializers.CharField(help_text=_("Il motivo, in italiano.")),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text=_(
                "Per ogni campo l'elenco dei messaggi; le righe come «lavoratori.2» o «righe.3.ore», "
                "numerate da 1; «non_field_errors» per gli errori generali."
            ),
        ),
    },
)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation (401 and 429 apply to every one)."""
    descriptions = {
        400: _("Dati non validi: i messaggi per campo sono in «errors»."),
        401: _("Autenticazione mancante o token non valido."),
        403: _("L'utente vede l'oggetto ma non può compiere l'operazione."),
        404: _("Non esiste o appartiene a un'azienda per cui l'utente non opera."),
        409: _("Operazione non consentita nello stato attuale."),
        422: _("Idempotency-Key già usata con una richiesta diversa."),
        429: _("Limite di richieste superato: riprovare dopo i secondi indicati da Retry-After."),
    }
    responses = {}
    for code in sorted({*codes, 401, 429}):
        serializer = ErroriValidazioneSerializer if code == 400 else ErroreSerializer
        responses[code] = OpenApiResponse(serializer, description=str(descriptions[code]))
    return responses


# --- rate limit --------------------------------------------------------------------------------------


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/min" -> (600, 60). Units as DRF's: s, m, h, d and any word starting with them."""
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]


class FixedWindowRateThrottle(BaseThrottle):
    """At most N requests per user (per address when anonymous) in each fixed window.

    DRF's throttles read, modify and write a list in the cache: concurrent requests overwrite each
    other's counts (DRF issue 8127). Here the count is one atomic increment in the cache (Redis in
    services mode). The rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("user", "anon"), read at
    each request. It protects the service from a runaway client; abuse is stopped at the proxy.
    """

    def __init__(self) -> None:
        self.retry_after: int | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        user = request.user
        scope = "user" if user and user.is_authenticated else "anon"
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        rate = rates.get(scope)
        if not rate:
            return True
        limit, duration = parse_rate(rate)
        ident = user.pk if scope == "user" else ratelimit.client_ip(request)
        now = timezone.now().timestamp()
        window = int(now // duration)
        if ratelimit.hit(f"api-rate:{scope}:{ident}:{window}", window=duration + 1) > limit:
            self.retry_after = max(1, int(duration - now % duration))
            return False
        return True

    def wait(self) -> float | None:
        return self.retry_after


# --- lookups -----------------------------------------------------------------------------------------

MAX_ID = 2**63 - 1


def pk_or_404(value: str) -> int:
    """Path ids are positive 64-bit integers; anything else is simply not found (never a 500)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


# --- pagination --------------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    page_size = 50
    page_query_description = _("Numero della pagina (da 1).")  # type: ignore[assignment]


# --- views -------------------------------------------------------------------------------------------


# --- Idempotency-Key ---------------------------------------------------------------------------------

IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    description=str(
        _(
            "Una chiave unica per operazione (per esempio un UUID). Ripetendo la stessa richiesta con la "
            "stessa chiave si riceve la risposta della prima, senza eseguirla di nuovo; la stessa chiave "
            "con dati diversi è rifiutata con 422."
        )
    ),
)


def _canonical(value: Any) -> Any:
    if isinstance(value, QueryDict):
        return {key: [_canonical(v) for v in value.getlist(key)] for key in sorted(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, UploadedFile):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"file": value.name, "sha256": digest.hexdigest()}
    return value


def request_fingerprint(request: Request) -> str:
    """SHA-256 of what the request asks: method, path with query, and the parsed body (so the same
    JSON with other spacing, or the same upload with another multipart boundary, is the same)."""
    payload = [request.method, request.get_full_path(), _canonical(request.data)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= 255 and key.isprintable()


class IdempotentPostMixin:
    """Honours the `Idempotency-Key` header on every POST of the view.

    The key row is inserted first, in the transaction that runs the request: a concurrent duplicate
    blocks on the unique index until the first commits, then finds its stored answer and replays it.
    Only 2xx answers are stored; any other answer rolls the key back, so the client may retry.

    A replay answers only after `replay_check_access` passes, as the first request did: an
    intermediary whose enabling was revoked since, or a company no longer visible, gets the 404 that a
    fresh request would get, never the stored answer. Each view says what it checks.
    """

    def replay_check_access(self, request: Request, stored: Any, *args: Any, **kwargs: Any) -> None:
        """Raise (Http404, PermissionDenied, ...) unless the user may still see this answer."""
        raise NotImplementedError(f"{type(self).__name__} must say how a replay re-checks access")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key is not None and hasattr(self, "post"):
            if not _valid_key(key):
                raise exceptions.ValidationError({"Idempotency-Key": [MSG_CHIAVE_NON_VALIDA]})
            # The bound handler is replaced on this instance only (as DRF's as_view() binds actions).
            setattr(self, "post", functools.partial(self._run_once, self.post, key))  # noqa: B010

    def _run_once(
        self, handler: Callable[..., Response], key: str, request: Request, *args, **kwargs
    ) -> Response:
        fingerprint = request_fingerprint(request)
        user = cast(Any, request.user)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(user=user, key=key, request_hash=fingerprint)
            except IntegrityError:
                # The other request with this key has committed (we waited for it on the index).
                record = IdempotencyKey.objects.get(user=user, key=key)
                if record.request_hash != fingerprint:
                    raise IdempotencyKeyReused() from None
                self.replay_check_access(request, record.response_body, *args, **kwargs)
                return Response(
                    record.response_body,
                    status=record.response_status,
                    headers={"Idempotent-Replayed": "true"},
                )
            response = handler(request, *args, **kwargs)
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data))
            record.save(update_fields=["response_status", "response_body"])
            return response
