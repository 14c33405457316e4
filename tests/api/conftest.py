import datetime as dt

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.anagrafica.factories import AbilitazioneFactory, UserFactory, api_key_for
from tests.claims.factories import DomandaFactory


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    """Rate-limit counters live in the cache (Redis in `make test`): each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


@pytest.fixture
def mario(legale_rappresentante):
    """Mario Rossi, legale rappresentante of `azienda`."""
    return legale_rappresentante


@pytest.fixture
def api(mario, azienda):
    return client_for(mario)


@pytest.fixture
def consulente(azienda):
    """Giuseppe Verdi, labour consultant enabled by the CPI to act for `azienda`."""
    user = UserFactory(first_name="Giuseppe", last_name="Verdi")
    AbilitazioneFactory(azienda=azienda, codice_fiscale=user.codice_fiscale)
    return user


@pytest.fixture
def make_domanda(mario, sede):
    """A domanda of Mario's company (traits as DomandaFactory's: presentata=True, ...)."""

    def make(**kwargs):
        kwargs.setdefault("sede", sede)
        kwargs.setdefault("creata_da", mario)
        return DomandaFactory(**kwargs)

    return make


@pytest.fixture
def domanda_altrui(db):
    """A submitted domanda of a company Mario has nothing to do with."""
    return DomandaFactory(presentata=True)


def first_of_previous_month(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
