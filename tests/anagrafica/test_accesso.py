from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from anagrafica.auth import ratelimit
from tests.anagrafica.factories import UserFactory, totp_code, totp_device_for

PASSWORD = "una-Password-robusta-42"


@pytest.fixture
def funzionaria(db):
    user = UserFactory(username="franca.funzionaria", funzionario=True)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_login_page_offers_spid_cns_and_backoffice_password(client, db):
    response = client.get(reverse("anagrafica:login"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Accesso" in body
    assert reverse("anagrafica:cns_login") in body
    assert 'name="password"' in body
    assert reverse("anagrafica:dev_login") not in body


def test_login_page_lists_the_spid_identity_providers(client, spid_idp):
    response = client.get(reverse("anagrafica:login"))

    assert f"{reverse('anagrafica:spid_login')}?idp=" in response.content.decode()


def test_login_page_offers_spid_with_its_providers_cie_and_cns_saying_what_each_needs(
    client, cie_idp, spid_idp
):
    body = client.get(reverse("anagrafica:login")).content.decode()

    spid_list = body[body.index('aria-label="Gestori di identità SPID"') :].split("</ul>")[0]
    assert f"?idp={quote(spid_idp.ENTITY_ID)}" in spid_list
    assert quote(cie_idp.ENTITY_ID) not in spid_list  # CIE has its own button
    assert "Entra con SPID" in body and "livello 2" in body
    assert f'href="{reverse("anagrafica:cie_login")}"' in body and "Entra con CIE" in body
    assert "PIN" in body and "lettore di smart card" in body


def test_backoffice_signs_in_with_password_and_code_and_goes_to_the_admin(client, funzionaria):
    device = totp_device_for(funzionaria)
    response = client.post(
        reverse("anagrafica:login"), {"username": funzionaria.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    verifica = client.get(response["Location"])["Location"]
    assert verifica.startswith(reverse("anagrafica:secondo_fattore"))
    response = client.post(verifica, {"codice": totp_code(device)})
    assert client.get(response["Location"])["Location"] == reverse("admin:index")


def test_sign_out_is_a_post_and_ends_the_session(client, legale_rappresentante):
    client.force_login(legale_rappresentante)

    assert client.get(reverse("anagrafica:logout")).status_code == 405
    response = client.post(reverse("anagrafica:logout"))

    assert response["Location"] == reverse("anagrafica:login")
    assert client.get(reverse("anagrafica:home")).status_code == 302


def test_login_is_blocked_after_five_failures_even_with_the_right_password(client, funzionaria, settings):
    settings.LOGIN_MAX_FAILURES = 5
    url = reverse("anagrafica:login")
    for _attempt in range(5):
        response = client.post(url, {"username": funzionaria.username, "password": "sbagliata"})
        assert response.status_code == 200

    response = client.post(url, {"username": funzionaria.username, "password": PASSWORD})

    assert response.status_code == 200
    assert escape(ratelimit.blocked_message()) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_failures_count_per_address_and_username(client, funzionaria, settings):
    settings.LOGIN_MAX_FAILURES = 2
    url = reverse("anagrafica:login")
    for _attempt in range(2):
        client.post(
            url, {"username": funzionaria.username, "password": "sbagliata"}, REMOTE_ADDR="198.51.100.1"
        )

    response = client.post(
        url, {"username": funzionaria.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.2"
    )

    assert response.status_code == 302


def test_admin_login_is_rate_limited_too(client, funzionaria, settings):
    settings.LOGIN_MAX_FAILURES = 2
    funzionaria.user_permissions.add(*Permission.objects.filter(content_type__app_label="anagrafica"))
    url = reverse("admin:login")
    for _attempt in range(2):
        client.post(
            url, {"username": funzionaria.username, "password": "sbagliata"}, REMOTE_ADDR="198.51.100.9"
        )

    response = client.post(
        url, {"username": funzionaria.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.9"
    )

    assert escape(ratelimit.blocked_message()) in response.content.decode()


def test_dev_login_answers_404_when_disabled(client, legale_rappresentante, settings):
    settings.DEV_LOGIN_ENABLED = False

    assert client.get(reverse("anagrafica:dev_login")).status_code == 404
    assert client.post(reverse("anagrafica:dev_login"), {"user": legale_rappresentante.pk}).status_code == 404
    assert "_auth_user_id" not in client.session


def test_dev_login_lists_demo_identities_and_signs_in_when_enabled(
    client, legale_rappresentante, funzionaria, settings
):
    settings.DEBUG = True
    settings.DEV_LOGIN_ENABLED = True

    page = client.get(reverse("anagrafica:dev_login"))
    assert legale_rappresentante.codice_fiscale in page.content.decode()
    assert funzionaria.get_full_name() in page.content.decode()
    assert reverse("anagrafica:dev_login") in client.get(reverse("anagrafica:login")).content.decode()

    response = client.post(reverse("anagrafica:dev_login"), {"user": legale_rappresentante.pk})

    assert response["Location"] == reverse("anagrafica:home")
    assert client.get(reverse("anagrafica:profilo")).context["user"] == legale_rappresentante


def test_session_cookie_is_secure_and_expires_when_idle(settings):
    assert settings.SESSION_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
