"""The API against its own OpenAPI contract, with schemathesis 4 (property-based) on the demo world.

Every operation of /api/schema/ is called in-process through the WSGI application, as Mario Rossi
(legale rappresentante of Alfa Meccanica) with a token, with data generated from the schema: valid
data and, on purpose, invalid data (the "negative" mode).

Checks enabled, and why:
- `not_a_server_error`: no input, valid or not, may produce a 5xx;
- `status_code_conformance`: every status the API answers is documented for that operation (so
  clients can rely on the list: 400, 401, 403, 404, 409, 422, 429 where they apply);
- `response_schema_conformance`: every documented body (successes and the error envelope) has the
  documented shape, including nullability (`protocollo`, `presentata_il`, ...).
Not enabled: `content_type_conformance` is covered by `response_schema_conformance` for JSON and by
the tests of the PDF endpoints; `negative_data_rejection` and `positive_data_acceptance` judge the
business rules by the schema alone (a schema-valid domanda may still break a submission rule, which
answers 400 by design), so they would report the rules themselves as failures.

Ids are random integers, so most would only ever answer 404 (or 400 for the `sede` of a new domanda):
three times out of four the test swaps them for ids of the demo world (Mario's draft and submitted
domanda, his company and sites, a consuntivo, the open misura, and the other company's domanda, company
and site, which must answer 404 or 400), so the real code paths run.
Bounded for `make test`: at most MAX_EXAMPLES generated cases per operation plus the coverage phase.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from anagrafica.models import Azienda, User
from claims.models import Domanda
from consuntivi.services import consuntivo_send
from tests.anagrafica.factories import api_key_for
from tests.claims.factories import domanda_con_lavoratori

MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20200323,  # reproducible in CI; change it locally to explore
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def same_connection_for_requests():
    """Django closes the database connection around each WSGI request; the test's transaction (and
    the demo world in it) must survive the requests, as Django's test client arranges too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def demo_world(db, settings, same_connection_for_requests):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": None, "anon": None},
    }
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    mario = User.objects.get(codice_fiscale="RSSMRA80A01L219M")
    alfa = Azienda.objects.get(codice_fiscale="09876540015")
    beta = Azienda.objects.get(codice_fiscale="05555550010")
    bozza = Domanda.objects.get(azienda=alfa)

    inizio = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    presentata = domanda_con_lavoratori(
        lavoratori=1,
        lavoratore={"ore_richieste": Decimal("80")},
        sede=alfa.sedi.first(),
        creata_da=mario,
        data_inizio=inizio,
        data_fine=inizio + dt.timedelta(days=13),
    )
    lavoratore = presentata.lavoratori.get()
    consuntivo = consuntivo_send(
        actor=mario,
        domanda=presentata,
        mese=inizio,
        righe=[{"codice_fiscale": lavoratore.codice_fiscale, "ore": Decimal("8")}],
    )
    return SimpleNamespace(
        token=api_key_for(mario),
        ids={
            "/api/v1/aziende/": [alfa.pk, beta.pk],
            "/api/v1/domande/": [bozza.pk, presentata.pk, Domanda.objects.get(azienda=beta).pk],
            "/api/v1/consuntivi/": [consuntivo.pk],
            "sede": [*alfa.sedi.values_list("pk", flat=True), beta.sedi.get().pk],
            "misura": [bozza.misura_id],
        },
    )


def _demo(value, ids):
    """An id of the demo world for most generated integers; the others stay random (404 or 400)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():  # the coverage phase's path ids
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value % 4 != 3:
        return ids[value % len(ids)]
    return value


def use_demo_ids(case, world) -> None:
    for name in ("id", "domanda_id"):
        if case.path_parameters and name in case.path_parameters:
            prefix = next(p for p in world.ids if case.operation.path.startswith(p))
            case.path_parameters[name] = _demo(case.path_parameters[name], world.ids[prefix])
    if isinstance(case.body, dict):
        for name in ("sede", "misura"):
            if name in case.body:
                case.body[name] = _demo(case.body[name], world.ids[name])


@schema.parametrize()
@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)  # one world per operation
def test_api_conforms_to_its_schema(case, demo_world):
    use_demo_ids(case, demo_world)
    case.call_and_validate(headers={"Authorization": f"Token {demo_world.token}"}, checks=CHECKS)
