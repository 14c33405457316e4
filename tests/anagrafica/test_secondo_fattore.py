"""Backoffice accounts: 12-character passwords off the common list, a TOTP second factor for officers
and CPI operators (enrolment with a QR code), blocks after repeated failures, each refusal recorded.

These tests sign in through the real forms: `force_login` would pass the second factor (tests/conftest)."""

from base64 import b32encode

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django_otp.plugins.otp_totp.models import TOTPDevice

from anagrafica.auth import ratelimit
from anagrafica.constants import MotivoAccessoNegato
from anagrafica.models import AccessoNegato
from tests.anagrafica.factories import UserFactory, totp_code, totp_device_for

pytestmark = pytest.mark.django_db

PASSWORD = "una-Password-robusta-42"
VERIFICA = reverse("anagrafica:secondo_fattore")
ADMIN = reverse("admin:index")


@pytest.fixture(autouse=True)
def no_device_wait(settings):
    """django-otp makes a device wait 1, 2, 4… s after a wrong code; these tests type the next at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture(params=["funzionario", "operatore_cpi"])
def backoffice(request):
    user = UserFactory(username=f"{request.param}.prova", **{request.param: True})
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post(
        reverse("anagrafica:login"), {"username": user.username, "password": password}, **extra
    )


def type_code(client, code, **extra):
    return client.post(VERIFICA, {"codice": code, "next": ADMIN}, **extra)


# --- passwords --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Corta-di-11", "qwerty123456", "1q2w3e4r5t6y"])
def test_backoffice_passwords_need_twelve_characters_off_the_common_list(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_uncommon_password_is_accepted():
    validate_password("Mole-Antonelliana-1889")


def test_a_short_password_is_refused_in_italian(funzionario):
    form = SetPasswordForm(funzionario, {"new_password1": "Breve-123", "new_password2": "Breve-123"})
    with translation.override("it"):
        assert not form.is_valid()
        assert (
            "La password è troppo corta: deve contenere almeno 12 caratteri." in form.errors["new_password2"]
        )


# --- second factor ----------------------------------------------------------------------------------------


def test_without_a_device_the_officer_is_sent_to_enrol_not_let_in(client, backoffice):
    assert sign_in(client, backoffice).status_code == 302

    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFICA)
    page = client.get(response["Location"]).content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code
    assert "Attiva e accedi" in page
    device = TOTPDevice.objects.get(user=backoffice)
    assert not device.confirmed
    assert client.get(ADMIN).status_code == 302

    assert type_code(client, totp_code(device))["Location"] == ADMIN

    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ADMIN).status_code == 200


def test_the_enrolment_qr_holds_the_secret_typed_by_hand(client, backoffice):
    sign_in(client, backoffice)
    page = client.get(VERIFICA).content.decode()
    device = TOTPDevice.objects.get(user=backoffice)
    assert b32encode(device.bin_key).decode()[:4] in page
    assert "otpauth" not in page  # the address is in the picture only


def test_with_a_device_the_officer_types_the_code_and_a_wrong_one_is_refused_and_recorded(client, backoffice):
    device = totp_device_for(backoffice)
    sign_in(client, backoffice, REMOTE_ADDR="198.51.100.7")
    assert client.get(ADMIN)["Location"].startswith(VERIFICA)

    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = type_code(client, wrong, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert "Codice non valido o scaduto" in response.content.decode()
    assert client.get(ADMIN).status_code == 302
    assert AccessoNegato.objects.filter(
        username=backoffice.username, motivo=MotivoAccessoNegato.CODICE, indirizzo="198.51.100.7"
    ).exists()

    assert type_code(client, totp_code(device), REMOTE_ADDR="198.51.100.7")["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_a_code_is_good_once(client, backoffice):
    device = totp_device_for(backoffice)
    code = totp_code(device)
    sign_in(client, backoffice)
    assert type_code(client, code).status_code == 302

    other = client.__class__()
    sign_in(other, backoffice)
    assert type_code(other, code).status_code == 200  # replayed: refused
    assert other.get(ADMIN).status_code == 302


def test_the_api_refuses_a_session_without_the_second_factor(client, backoffice):
    totp_device_for(backoffice)
    sign_in(client, backoffice)
    response = client.get("/api/v1/domande/")
    assert response.status_code == 403
    assert "codice dell'app di autenticazione" in response.json()["detail"]


def test_the_admin_login_form_leads_to_the_second_factor_too(client, backoffice):
    totp_device_for(backoffice)
    client.post(reverse("admin:login"), {"username": backoffice.username, "password": PASSWORD})
    assert client.get(ADMIN)["Location"].startswith(VERIFICA)


def test_company_side_users_need_no_code(client, legale_rappresentante):
    client.force_login(legale_rappresentante)
    assert client.get(reverse("anagrafica:home")).status_code == 200


def test_repeated_wrong_codes_block_even_the_right_one_and_are_recorded(client, backoffice, settings):
    settings.LOGIN_MAX_FAILURES = 3
    device = totp_device_for(backoffice)
    sign_in(client, backoffice)
    wrong = f"{(int(totp_code(device)) + 7) % 1_000_000:06d}"
    for _attempt in range(3):
        type_code(client, wrong)

    response = type_code(client, totp_code(device))

    assert escape(ratelimit.blocked_message()) in response.content.decode()
    assert client.get(ADMIN).status_code == 302
    recorded = list(
        AccessoNegato.objects.filter(username=backoffice.username).values_list("motivo", flat=True)
    )
    assert sorted(recorded) == sorted([MotivoAccessoNegato.CODICE] * 3 + [MotivoAccessoNegato.BLOCCATO])


def test_wrong_passwords_and_the_block_are_recorded(client, backoffice, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _attempt in range(2):
        sign_in(client, backoffice, password="sbagliata", REMOTE_ADDR="203.0.113.5")
    sign_in(client, backoffice, REMOTE_ADDR="203.0.113.5")

    rows = AccessoNegato.objects.filter(username=backoffice.username, indirizzo="203.0.113.5")
    assert sorted(rows.values_list("motivo", flat=True)) == sorted(
        [MotivoAccessoNegato.PASSWORD, MotivoAccessoNegato.PASSWORD, MotivoAccessoNegato.BLOCCATO]
    )
    assert "_auth_user_id" not in client.session
    assert "sbagliata" not in str(list(rows.values()))


def test_refused_sign_ins_are_listed_for_officers_in_the_admin(client, funzionario, backoffice):
    sign_in(client, backoffice, password="sbagliata")
    client.force_login(funzionario)
    page = client.get(reverse("admin:anagrafica_accessonegato_changelist")).content.decode()
    assert backoffice.username in page
    assert client.get(reverse("admin:anagrafica_accessonegato_add")).status_code == 403
