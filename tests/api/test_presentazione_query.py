"""Submitting over the API reads each thing once: the statements do not grow with the workers, and the
service itself stays within eight (savepoints, there only because the test runs in a transaction, are
not counted)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.constants import StatoDomanda
from claims.services.domande import domanda_submit
from tests.claims.factories import LavoratoreFactory
from tests.conftest import broker_giu

pytestmark = pytest.mark.django_db


def statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"].split(" ", 2)[:2]]


@pytest.mark.parametrize("lavoratori", [1, 25])
def test_api_submission_statements_do_not_grow_with_the_workers(api, make_domanda, lavoratori):
    domanda = make_domanda(lavoratori=[])
    LavoratoreFactory.create_batch(lavoratori, domanda=domanda)

    with broker_giu(), CaptureQueriesContext(connection) as ctx:
        response = api.post(f"/api/v1/domande/{domanda.pk}/presenta/", HTTP_IDEMPOTENCY_KEY=f"k{lavoratori}")

    assert response.status_code == 200, response.data
    assert response.data["stato"] == "PRESENTATA"
    assert len(response.data["lavoratori"]) == lavoratori
    assert [e["a"] for e in response.data["storico"]] == ["PRESENTATA"]
    sql = statements(ctx)
    # token, idempotency key (insert, answer), visibility, then the service, then the history
    assert len(sql) <= 13, "\n".join(sql)


def test_the_submission_service_takes_at_most_eight_statements(mario, make_domanda):
    domanda = make_domanda(lavoratori=[])
    LavoratoreFactory.create_batch(10, domanda=domanda)

    with broker_giu(), CaptureQueriesContext(connection) as ctx:
        domanda = domanda_submit(actor=mario, domanda=domanda)

    assert domanda.stato == StatoDomanda.PRESENTATA
    sql = statements(ctx)
    assert len(sql) <= 8, "\n".join(sql)
