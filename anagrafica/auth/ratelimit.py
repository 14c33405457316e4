"""Rate limit of username/password sign-in and of the second-factor code: an atomic counter per
address and username (`core.ratelimit`), blocking the pair for LOGIN_FAILURE_WINDOW after
LOGIN_MAX_FAILURES failures. Every refusal is also written down as an `AccessoNegato` row."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anagrafica.constants import MotivoAccessoNegato
from anagrafica.models import AccessoNegato
from core import ratelimit

MSG_TROPPI_TENTATIVI = _(
    "Troppi tentativi di accesso non riusciti: riprovi tra %(minuti)d minuti o contatti l'assistenza."
)


def _key(ip: str, username: str) -> str:
    digest = hashlib.sha256(f"{ip}\n{username.strip().casefold()}".encode()).hexdigest()
    return f"aminder:login-failures:{digest}"


def is_blocked(ip: str, username: str) -> bool:
    return ratelimit.count(_key(ip, username)) >= settings.LOGIN_MAX_FAILURES


def record_failure(ip: str, username: str) -> int:
    return ratelimit.hit(_key(ip, username), window=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def reset(ip: str, username: str) -> None:
    ratelimit.reset(_key(ip, username))


def blocked_message() -> str:
    return str(MSG_TROPPI_TENTATIVI) % {"minuti": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60}


def record_refusal(ip: str, username: str, motivo: MotivoAccessoNegato) -> None:
    AccessoNegato.objects.create(username=username.strip()[:150], indirizzo=ip or None, motivo=motivo)


def blocked(ip: str, username: str) -> bool:
    """True while the pair is blocked; the attempt is then recorded as refused."""
    if not is_blocked(ip, username):
        return False
    record_refusal(ip, username, MotivoAccessoNegato.BLOCCATO)
    return True


def refuse(ip: str, username: str, motivo: MotivoAccessoNegato) -> bool:
    """Record and count a failed attempt; True when it is the one that blocks the pair."""
    record_refusal(ip, username, motivo)
    return record_failure(ip, username) >= settings.LOGIN_MAX_FAILURES
