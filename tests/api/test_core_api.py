"""What every endpoint shares: Idempotency-Key, the rate limit, the error format, the schema and docs."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from anagrafica.models import Abilitazione
from anagrafica.services import abilitazione_revoke
from claims.constants import StatoDomanda
from claims.models import Domanda
from core.models import IdempotencyKey
from tests.api.conftest import client_for, first_of_previous_month
from tests.api.test_domande_api import URL, body, lavoratore
from tests.claims.factories import MINIMAL_PDF, LavoratoreFactory, MisuraFactory, avanza

pytestmark = pytest.mark.django_db


# --- Idempotency-Key -------------------------------------------------------------------------------


def test_same_idempotency_key_and_body_make_one_domanda_and_replay_the_answer(api, sede):
    payload = body(sede, MisuraFactory())
    first = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="9d1c-prima")
    second = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="9d1c-prima")
    assert first.status_code == second.status_code == 201
    assert Domanda.objects.count() == 1
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


def test_same_idempotency_key_with_another_body_is_refused_with_422(api, sede):
    misura = MisuraFactory()
    assert api.post(URL, body(sede, misura), format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    response = api.post(
        URL, body(sede, misura, referente_nome="Altro"), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 422
    assert response.data["detail"].startswith("La chiave Idempotency-Key è già stata usata")
    assert Domanda.objects.count() == 1


def test_same_idempotency_key_on_another_endpoint_is_refused(api, sede, make_domanda):
    assert (
        api.post(URL, body(sede, MisuraFactory()), format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code
        == 201
    )
    bozza = make_domanda()
    response = api.post(f"{URL}{bozza.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="k2")
    assert response.status_code == 422


def test_idempotency_keys_belong_to_their_user(api, consulente, sede):
    payload = body(sede, MisuraFactory())
    assert api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k3").status_code == 201
    other = client_for(consulente).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert other.status_code == 201
    assert other.get("Idempotent-Replayed") is None
    assert Domanda.objects.count() == 2


def test_a_refused_request_leaves_its_idempotency_key_free(api, sede):
    misura = MisuraFactory()
    bad = api.post(URL, body(sede, misura, data_fine="2000-01-01"), format="json", HTTP_IDEMPOTENCY_KEY="k4")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = api.post(URL, body(sede, misura), format="json", HTTP_IDEMPOTENCY_KEY="k4")
    assert good.status_code == 201


def test_idempotency_key_replays_a_submission(api, make_domanda):
    bozza = make_domanda()
    first = api.post(f"{URL}{bozza.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="presenta-1")
    second = api.post(f"{URL}{bozza.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="presenta-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()


def test_idempotency_key_replays_a_file_upload(api, make_domanda):
    bozza = make_domanda(accordo_file="", accordo_sha256="")

    def upload():
        pdf = SimpleUploadedFile("accordo.pdf", MINIMAL_PDF, content_type="application/pdf")
        return api.post(f"{URL}{bozza.pk}/accordo/", {"accordo_file": pdf}, HTTP_IDEMPOTENCY_KEY="accordo-1")

    first, second = upload(), upload()
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"


def test_a_replay_after_the_enabling_is_revoked_answers_404_not_the_stored_answer(
    consulente, funzionario, sede
):
    """The intermediary created a domanda with a key; the CPI revoked the enabling; the same request
    replayed must not hand back the stored answer (with the company's workers)."""
    intermediario = client_for(consulente)
    payload = body(sede, MisuraFactory(), lavoratori=[lavoratore(1)])
    assert intermediario.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="rev-1").status_code == 201
    abilitazione_revoke(actor=funzionario, abilitazione=Abilitazione.objects.get(azienda=sede.azienda))

    replay = intermediario.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")

    assert replay.status_code == 404
    assert replay.get("Idempotent-Replayed") is None
    assert lavoratore(1)["codice_fiscale"] not in replay.content.decode()


def test_a_replay_on_a_domanda_no_longer_visible_answers_404(consulente, funzionario, sede, make_domanda):
    bozza = make_domanda()
    intermediario = client_for(consulente)
    assert intermediario.post(f"{URL}{bozza.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="rev-2").status_code == 200
    abilitazione_revoke(actor=funzionario, abilitazione=Abilitazione.objects.get(azienda=sede.azienda))

    replay = intermediario.post(f"{URL}{bozza.pk}/presenta/", HTTP_IDEMPOTENCY_KEY="rev-2")

    assert replay.status_code == 404
    assert replay.get("Idempotent-Replayed") is None


def test_a_consuntivo_replay_after_the_enabling_is_revoked_answers_404(consulente, funzionario, make_domanda):
    inizio = first_of_previous_month()
    domanda = make_domanda(data_inizio=inizio, data_fine=inizio + dt.timedelta(days=13), lavoratori=[])
    lavoratore_domanda = LavoratoreFactory(domanda=domanda, ore_settimanali=Decimal("40"))
    domanda = avanza(domanda, StatoDomanda.PRESENTATA)
    url = f"/api/v1/domande/{domanda.pk}/consuntivi/"
    payload = {
        "mese": f"{inizio:%Y-%m}",
        "righe": [{"codice_fiscale": lavoratore_domanda.codice_fiscale, "ore": "8"}],
    }
    intermediario = client_for(consulente)
    assert intermediario.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="rev-3").status_code == 201
    abilitazione_revoke(actor=funzionario, abilitazione=Abilitazione.objects.get(azienda=domanda.azienda))

    replay = intermediario.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="rev-3")

    assert replay.status_code == 404
    assert lavoratore_domanda.codice_fiscale not in replay.content.decode()


def test_idempotency_key_too_long_is_refused(api, sede):
    response = api.post(URL, body(sede, MisuraFactory()), format="json", HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.data["errors"]
    assert not Domanda.objects.exists()


def test_get_ignores_the_idempotency_key(api):
    assert api.get(URL, HTTP_IDEMPOTENCY_KEY="k5").status_code == 200
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_the_same_key_make_one_domanda(legale_rappresentante, sede):
    payload = body(sede, MisuraFactory(), lavoratori=[lavoratore(1)])
    clients = [client_for(legale_rappresentante), client_for(legale_rappresentante)]
    barrier = threading.Barrier(len(clients))
    responses = []

    def post(client):
        try:
            barrier.wait()
            responses.append(client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="corsa"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in responses] == [201, 201]
    assert Domanda.objects.count() == 1
    assert responses[0].json()["id"] == responses[1].json()["id"]


# --- rate limit --------------------------------------------------------------------------------------


def test_requests_over_the_rate_limit_get_429_until_the_next_minute(api, consulente, settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC), tick=False)
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"},
    }
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(URL)
    assert response.status_code == 429
    assert response["Retry-After"] == "55"
    assert response.data["detail"] == "Troppe richieste in poco tempo: riprova tra 55 secondi."
    assert client_for(consulente).get(URL).status_code == 200  # per user
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 1, 0, tzinfo=dt.UTC), tick=False)
    assert api.get(URL).status_code == 200


def test_rate_limit_counts_writes_too(api, sede, settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC), tick=False)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1/min"}}
    misura = MisuraFactory()
    assert api.post(URL, body(sede, misura), format="json").status_code == 201
    assert api.post(URL, body(sede, misura), format="json").status_code == 429
    assert Domanda.objects.count() == 1


# --- errors, schema, docs ----------------------------------------------------------------------------


def test_method_not_allowed_answers_in_italian_json(api):
    response = api.delete(URL)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.data["detail"] == 'Metodo "DELETE" non consentito'


def test_schema_is_valid_openapi_and_lists_every_endpoint(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert set(schema["paths"]) == {
        "/api/v1/aziende/",
        "/api/v1/aziende/{id}/",
        "/api/v1/aziende/{id}/sedi/",
        "/api/v1/domande/",
        "/api/v1/domande/{id}/",
        "/api/v1/domande/{id}/presenta/",
        "/api/v1/domande/{id}/rettifica/",
        "/api/v1/domande/{id}/richieste/",
        "/api/v1/domande/{id}/ricevuta/",
        "/api/v1/domande/{id}/accordo/",
        "/api/v1/domande/{domanda_id}/consuntivi/",
        "/api/v1/consuntivi/{id}/",
        "/api/v1/consuntivi/{id}/ricevuta/",
        "/api/v1/misure/",
    }
    assert set(schema["paths"]["/api/v1/domande/{id}/"]) == {"get", "patch"}
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}


def test_schema_is_served_without_authentication(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/domande/{id}/presenta/" in response.content


def test_docs_are_served_from_local_files_without_inline_scripts(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html
    assert "<style>" not in html
    assert "cdn" not in html.lower()
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
