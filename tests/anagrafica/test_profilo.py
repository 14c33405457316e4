import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token


def test_profile_shows_the_user_and_generates_an_api_token(client, legale_rappresentante):
    client.force_login(legale_rappresentante)

    page = client.get(reverse("anagrafica:profilo")).content.decode()
    assert legale_rappresentante.codice_fiscale in page
    assert "<title>Profilo" in page
    assert not Token.objects.filter(user=legale_rappresentante).exists()

    client.post(reverse("anagrafica:profilo_token"))
    first = Token.objects.get(user=legale_rappresentante).key
    assert first in client.get(reverse("anagrafica:profilo")).content.decode()

    client.post(reverse("anagrafica:profilo_token"))
    second = Token.objects.get(user=legale_rappresentante).key
    assert second != first


def test_token_regeneration_is_a_post(client, legale_rappresentante):
    client.force_login(legale_rappresentante)

    assert client.get(reverse("anagrafica:profilo_token")).status_code == 405


def test_api_token_command_prints_the_token_by_codice_fiscale_or_username(legale_rappresentante, capsys):
    call_command("api_token", legale_rappresentante.codice_fiscale.lower())
    by_cf = capsys.readouterr().out.strip()
    call_command("api_token", legale_rappresentante.username)
    by_username = capsys.readouterr().out.strip()

    assert by_cf == by_username == Token.objects.get(user=legale_rappresentante).key


def test_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("api_token", "nessuno")
