"""Redis down or hung never makes a 500: rate limits, SPID replay marks and the sweep's marks go to a
cache in the process for a few seconds (logged once), a Redis that accepts connections and never
answers costs half a second once, and a submission over the API is saved and answered."""

import logging
import socket
import time

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from rest_framework.test import APIClient

from claims.constants import StatoDomanda
from claims.models import Domanda
from core import cache, ratelimit
from tests.claims.factories import DomandaFactory
from tests.conftest import broker_giu

NESSUNO_ASCOLTA = "redis://127.0.0.1:6390/0"  # as tests/worker: nothing listens here


def redis_cache(location: str) -> dict:
    """The production cache settings (timeouts included) pointed at `location`."""
    produzione = django_settings.CACHES["default"]
    opzioni = produzione.get("OPTIONS") if "redis" in produzione["BACKEND"] else None
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "OPTIONS": opzioni or {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(autouse=True)
def stato_pulito():
    cache.azzera_stato()
    yield
    cache.azzera_stato()


@pytest.fixture
def redis_giu(settings):
    settings.CACHES = redis_cache(NESSUNO_ASCOLTA)


@pytest.fixture
def redis_muto(settings):
    """A Redis that accepts connections (the kernel completes them) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        settings.CACHES = redis_cache(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
        yield


def test_production_cache_has_short_socket_timeouts():
    if "redis" not in django_settings.CACHES["default"]["BACKEND"]:
        pytest.skip("senza REDIS_URL la cache è quella del processo")
    assert django_settings.CACHES["default"]["OPTIONS"] == {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
    }


def test_with_redis_down_the_counter_goes_on_in_the_process_and_the_outage_is_logged_once(redis_giu, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        conteggi = [ratelimit.hit("prova", window=60) for _ in range(3)]

    assert conteggi == [1, 2, 3]  # still limited, per process
    avvisi = [r for r in caplog.records if "Cache condivisa irraggiungibile" in r.getMessage()]
    assert len(avvisi) == 1
    assert cache.condivisa_raggiungibile() is False


def test_a_hung_redis_costs_half_a_second_once_then_nothing(redis_muto):
    inizio = time.monotonic()
    assert ratelimit.hit("prova", window=60) == 1
    primo = time.monotonic() - inizio
    inizio = time.monotonic()
    assert [ratelimit.hit("prova", window=60) for _ in range(20)][-1] == 21
    altri = time.monotonic() - inizio

    assert primo < 2
    assert altri < 0.5  # the shared cache is not tried again during the pause


def test_the_shared_cache_is_tried_again_after_the_pause(redis_giu, monkeypatch):
    ratelimit.hit("prova", window=60)
    assert cache.condivisa_raggiungibile() is False
    monkeypatch.setattr(cache, "_giu_fino", time.monotonic() - 1)
    assert cache.condivisa_raggiungibile() is True


@pytest.mark.django_db
def test_api_submission_with_redis_unreachable_is_saved_and_answered(redis_giu, legale_rappresentante, sede):
    domanda = DomandaFactory(sede=sede, creata_da=legale_rappresentante)
    client = APIClient()
    client.force_authenticate(legale_rappresentante)

    inizio = time.monotonic()
    with broker_giu():  # the broker is the same Redis: publishing fails too
        risposta = client.post(f"/api/v1/domande/{domanda.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="giu-1")
    secondi = time.monotonic() - inizio

    assert risposta.status_code == 200, risposta.content
    assert risposta.data["stato"] == "PRESENTATA"
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.PRESENTATA
    assert secondi < 5


@pytest.mark.django_db
def test_api_rate_limit_still_applies_in_the_process_while_redis_is_down(
    redis_giu, settings, legale_rappresentante
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/min", "anon": "2/min"},
    }
    client = APIClient()
    client.force_authenticate(legale_rappresentante)

    stati = [client.get("/api/v1/aziende/").status_code for _ in range(3)]

    assert stati == [200, 200, 429]


@pytest.mark.django_db
def test_database_unreachable_answers_503_with_retry_after(monkeypatch, legale_rappresentante, sede):
    domanda = DomandaFactory(sede=sede, creata_da=legale_rappresentante)
    client = APIClient()
    client.force_authenticate(legale_rappresentante)

    def database_giu(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("claims.api.domanda_submit", database_giu)
    risposta = client.post(f"/api/v1/domande/{domanda.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="db-giu")

    assert risposta.status_code == 503
    assert risposta["Retry-After"] == "5"
    assert "Riprova tra 5 secondi" in risposta.data["detail"]


def test_a_replayed_spid_assertion_is_refused_in_the_process_while_redis_is_down(redis_giu):
    from anagrafica.auth.spid import SpidBackend

    backend = SpidBackend()
    assertion = {"assertion_id": "_a1b2c3"}

    assert backend.is_authorized({}, {}, "https://idp.example.it", assertion) is True
    assert backend.is_authorized({}, {}, "https://idp.example.it", assertion) is False
