"""Rate limit of username/password sign-in: an atomic counter in the cache per address and username.

Not DRF throttling, which is not a security control (DRF issue 8127): the counter is incremented
atomically (Redis INCR in services mode) and the proxy limits requests too (deploy/nginx).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

MSG_TROPPI_TENTATIVI = _(
    "Troppi tentativi di accesso non riusciti: riprovi tra %(minuti)d minuti o contatti l'assistenza."
)


def client_ip(request) -> str:
    """The client's address: the proxy's X-Forwarded-For only when the request comes from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.CNS_TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip()
    return remote


def _key(ip: str, username: str) -> str:
    digest = hashlib.sha256(f"{ip}\n{username.strip().casefold()}".encode()).hexdigest()
    return f"aminder:login-failures:{digest}"


def is_blocked(ip: str, username: str) -> bool:
    return (cache.get(_key(ip, username)) or 0) >= settings.LOGIN_MAX_FAILURES


def record_failure(ip: str, username: str) -> int:
    key = _key(ip, username)
    # add() starts the window at the first failure and never extends it; incr() is atomic.
    cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add() and incr()
        cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        return 1


def reset(ip: str, username: str) -> None:
    cache.delete(_key(ip, username))


def blocked_message() -> str:
    return str(MSG_TROPPI_TENTATIVI) % {"minuti": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60}
