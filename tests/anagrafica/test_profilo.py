"""The profile page and the API token: shown once, stored hashed, with an expiry and a revocation."""

import datetime as dt
import re
import threading
import time

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from anagrafica.models import ApiToken
from anagrafica.services import api_token_regenerate
from tests.anagrafica.factories import UserFactory

API = "/api/v1/aziende/"


def shown_key(page: str) -> str:
    match = re.search(r'id="api-token"[^>]*value="([^"]+)"', page)
    assert match, "the new token is not on the page"
    return match.group(1)


def api_status(client, key: str) -> int:
    return client.get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_profile_shows_the_new_token_once_and_keeps_only_its_digest(client, legale_rappresentante):
    client.force_login(legale_rappresentante)

    page = client.get(reverse("anagrafica:profilo")).content.decode()
    assert legale_rappresentante.codice_fiscale in page
    assert "<title>Profilo" in page
    assert "Non hai ancora un token." in page

    response = client.post(reverse("anagrafica:profilo_token"))
    key = shown_key(response.content.decode())
    assert "Copialo ora" in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    token = ApiToken.objects.get(user=legale_rappresentante)
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert all(key not in value for value in stored)  # nowhere in clear
    assert token.digest != key and len(token.digest) == 64
    later = client.get(reverse("anagrafica:profilo")).content.decode()
    assert key not in later
    assert f"{key[:8]}…" in later
    assert api_status(client, key) == 200


def test_a_new_token_revokes_the_previous_one(client, legale_rappresentante):
    client.force_login(legale_rappresentante)
    first = shown_key(client.post(reverse("anagrafica:profilo_token")).content.decode())
    second = shown_key(client.post(reverse("anagrafica:profilo_token")).content.decode())

    assert second != first
    assert api_status(client, first) == 401
    assert api_status(client, second) == 200


def test_revoking_the_token_from_the_profile_locks_the_api_out(client, legale_rappresentante):
    client.force_login(legale_rappresentante)
    key = shown_key(client.post(reverse("anagrafica:profilo_token")).content.decode())

    page = client.post(reverse("anagrafica:profilo_token_revoca"), follow=True).content.decode()

    assert "Token revocato" in page
    assert "Revocato il" in page
    client.logout()
    response = client.get(API, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token scaduto o revocato: generane uno nuovo dal profilo."


def test_a_token_stops_working_when_it_expires(client, legale_rappresentante, settings):
    settings.API_TOKEN_DAYS = 90
    client.force_login(legale_rappresentante)
    key = shown_key(client.post(reverse("anagrafica:profilo_token")).content.decode())
    client.logout()

    with time_machine.travel(timezone.now() + dt.timedelta(days=89)):
        assert api_status(client, key) == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=90, minutes=1)):
        assert api_status(client, key) == 401


def test_a_token_of_a_deactivated_user_is_refused(client, legale_rappresentante):
    client.force_login(legale_rappresentante)
    key = shown_key(client.post(reverse("anagrafica:profilo_token")).content.decode())
    client.logout()
    legale_rappresentante.is_active = False
    legale_rappresentante.save(update_fields=["is_active"])

    assert api_status(client, key) == 401


def test_token_regeneration_and_revocation_are_posts(client, legale_rappresentante):
    client.force_login(legale_rappresentante)

    assert client.get(reverse("anagrafica:profilo_token")).status_code == 405
    assert client.get(reverse("anagrafica:profilo_token_revoca")).status_code == 405


def test_api_token_command_prints_a_new_working_token_by_codice_fiscale_or_username(
    client, legale_rappresentante, capsys
):
    call_command("api_token", legale_rappresentante.codice_fiscale.lower())
    by_cf = capsys.readouterr().out.strip()
    call_command("api_token", legale_rappresentante.username)
    by_username = capsys.readouterr().out.strip()

    assert by_cf != by_username
    assert api_status(client, by_cf) == 401  # the second replaced it
    assert api_status(client, by_username) == 200


def test_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "nessuno")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_regenerations_leave_one_working_token():
    # A double click on "Genera": the second regeneration must wait and revoke the first one's token.
    user = UserFactory()
    prima_in_corso = threading.Event()

    def rigenera(numero: int) -> None:
        try:
            if numero == 1:
                with transaction.atomic():  # holds the first token uncommitted a moment
                    api_token_regenerate(actor=user)
                    prima_in_corso.set()
                    time.sleep(1)
            else:
                prima_in_corso.wait(timeout=30)
                api_token_regenerate(actor=user)
        finally:
            prima_in_corso.set()
            connection.close()

    threads = [threading.Thread(target=rigenera, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert ApiToken.objects.filter(user=user).count() == 2
    assert ApiToken.objects.active().filter(user=user).count() == 1
    ultimo = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk").first()
    assert ultimo is not None and ultimo.usable, "the profile would show a revoked token as the current one"


# --- the migration from DRF's clear-text tokens ----------------------------------------------------------

PRIMA = [("anagrafica", "0003_lato_impresa_senza_ruolo_ufficio")]
DOPO = [("anagrafica", "0004_api_token_hashed")]
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migration_hashes_the_clear_tokens_and_they_keep_working(client):
    try:
        vecchie = migrate(PRIMA)
        utente = vecchie.get_model("anagrafica", "User").objects.create(
            username="RSSMRA80A01L219M", codice_fiscale="RSSMRA80A01L219M"
        )
        with connection.cursor() as cursor:  # the table of rest_framework.authtoken as it was
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL,"
                " user_id bigint NOT NULL UNIQUE REFERENCES anagrafica_user(id) DEFERRABLE INITIALLY DEFERRED)"
            )
            cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [OLD_KEY, utente.pk])
        migrate(DOPO)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM authtoken_token")
            assert cursor.fetchone()[0] == 0  # no key left in clear
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS authtoken_token")
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    token = ApiToken.objects.get(user_id=utente.pk)
    assert token.digest != OLD_KEY and token.prefix == OLD_KEY[:8]
    assert token.expires_at > timezone.now() + dt.timedelta(days=80)
    assert api_status(client, OLD_KEY) == 200
