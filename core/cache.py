"""The shared cache (Redis in services mode) for the few things the app keeps there: rate-limit
counters, SPID assertion ids against replay, the sweep's "already published" marks.

None of them may turn a Redis outage into a 500. Each call here tries the shared cache; when it is
unreachable the call is logged and served by a cache local to the process (Django's LocMemCache), and
for `PAUSA_SECONDI` the shared cache is not tried again, so a request pays the connection timeout at
most once per outage and process, not once per call. A limit counted locally is per process, a
replayed assertion is caught only in the process that saw it first: weaker, for the minutes of an
outage, than refusing every sign-in and every submission.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache import cache as condivisa
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

PAUSA_SECONDI = 5.0

locale = LocMemCache("aminder-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_lock = threading.Lock()
_giu_fino = 0.0


def _condivisa_giu() -> bool:
    return time.monotonic() < _giu_fino


def _segna_giu(operazione: str, chiave: str, errore: Exception) -> None:
    global _giu_fino
    with _lock:
        gia_giu = _condivisa_giu()
        _giu_fino = time.monotonic() + PAUSA_SECONDI
    if not gia_giu:
        logger.warning(
            "Cache condivisa irraggiungibile (%s %s: %s): uso la cache locale del processo per %s s",
            operazione,
            chiave,
            errore,
            PAUSA_SECONDI,
        )


def _chiama(operazione: str, chiave: str, *args: Any, **kwargs: Any) -> Any:
    if not _condivisa_giu():
        try:
            return getattr(condivisa, operazione)(chiave, *args, **kwargs)
        except ValueError:
            raise  # incr() of a missing key: the caller's business, not an outage
        except Exception as errore:
            _segna_giu(operazione, chiave, errore)
    return getattr(locale, operazione)(chiave, *args, **kwargs)


def add(chiave: str, valore: Any, timeout: float | None) -> bool:
    return bool(_chiama("add", chiave, valore, timeout))


def get(chiave: str, default: Any = None) -> Any:
    return _chiama("get", chiave, default)


def incr(chiave: str, delta: int = 1) -> int:
    return int(_chiama("incr", chiave, delta))


def delete(chiave: str) -> None:
    _chiama("delete", chiave)


def condivisa_raggiungibile() -> bool:
    """False while the shared cache is treated as down (for the health endpoint and the tests)."""
    return not _condivisa_giu()


def azzera_stato() -> None:
    """Forget an outage and the local values (tests)."""
    global _giu_fino
    _giu_fino = 0.0
    locale.clear()
