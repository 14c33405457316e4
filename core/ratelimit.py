"""The client's address behind our proxies, and one atomic rate-limit counter for sign-in, the API and
the public verification page.

Not DRF throttling, which is not a security control (DRF issue 8127: it reads, modifies and writes a
list, so concurrent requests overwrite each other's counts). Here a count is one atomic increment in
the cache (Redis INCR in services mode), and nginx limits requests too (`limit_req`).

The counters live in the shared cache through `core.cache`: when Redis is unreachable they are counted
in the process (logged), because refusing every sign-in and every submission while the cache is down
would be the bigger harm, and answering 500 the worst.
"""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from . import cache

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _reti(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` is one of settings.TRUSTED_PROXIES (addresses or CIDR ranges)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    # A server listening on a dual-stack socket sees an IPv4 proxy as ::ffff:a.b.c.d.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in rete for rete in _reti(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The address of the client: REMOTE_ADDR, unless it is a trusted proxy; then the rightmost address
    of X-Forwarded-For that is not itself a trusted proxy (what a client writes further left is
    forgeable, what our proxies append is not)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    inoltrati = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(inoltrati):
        if not is_trusted_proxy(address):
            return address
    return inoltrati[0] if inoltrati else remote


def hit(key: str, *, window: int) -> int:
    """Count one more event under `key` and return the count in the window, which starts at the first
    event and lasts `window` seconds (never extended). Never raises: see `core.cache`."""
    try:
        if cache.add(key, 1, timeout=window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # the window expired between add() and incr()
            cache.add(key, 1, timeout=window)
            return 1
    except Exception:  # even the local fallback failed: never the request's business
        logger.exception("Contatore %s non disponibile: limite non applicato", key)
        return 0


def count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except Exception:
        logger.exception("Contatore %s non leggibile: limite non applicato", key)
        return 0


def reset(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        logger.exception("Contatore %s non azzerato", key)
