import datetime as dt
from urllib.parse import quote

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.urls import reverse
from django.utils.html import escape

from anagrafica.auth.cns import MSG_CNS_ASSENTE, MSG_CNS_ILLEGGIBILE, MSG_CNS_NON_FIDATO, MSG_CNS_SCADUTO
from anagrafica.models import User
from tests.anagrafica.spid_idp import make_certificate, pem_certificate

CNS = "/accesso/cns/"


def cns_header(subject, **validity) -> str:
    """The certificate as nginx passes it: PEM, URL-encoded ($ssl_client_escaped_cert)."""
    _key, certificate = make_certificate(subject, **validity)
    return quote(pem_certificate(certificate).decode("ascii"), safe="")


def carta_mario(**validity) -> str:
    return cns_header(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Regione Piemonte"),
            x509.NameAttribute(NameOID.SURNAME, "ROSSI"),
            x509.NameAttribute(NameOID.GIVEN_NAME, "MARIO"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "TINIT-RSSMRA80A01L219M"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, "RSSMRA80A01L219M/7420059000012345.UgEhKh7wHkXlcRnH0q4PQ=="
            ),
        ],
        **validity,
    )


def signed_in_user(client):
    response = client.get(reverse("anagrafica:profilo"))
    return response.context["user"] if response.status_code == 200 else None


def test_cns_certificate_signs_mario_rossi_in(client, db):
    response = client.post(CNS, HTTP_X_SSL_CLIENT_CERT=carta_mario(), REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 302
    assert response["Location"] == reverse("anagrafica:home")
    mario = User.objects.get(codice_fiscale="RSSMRA80A01L219M")
    assert (mario.first_name, mario.last_name) == ("MARIO", "ROSSI")
    assert signed_in_user(client) == mario


def test_cns_codice_fiscale_is_read_from_the_common_name_of_older_cards(client, legale_rappresentante):
    header = cns_header(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"{legale_rappresentante.codice_fiscale}/7420059000012345.abcdEFGH1234="
            ),
        ]
    )

    response = client.post(CNS, HTTP_X_SSL_CLIENT_CERT=header)

    assert response.status_code == 302
    assert signed_in_user(client) == legale_rappresentante


def test_cns_header_from_an_untrusted_address_is_refused(client, db):
    response = client.post(CNS, HTTP_X_SSL_CLIENT_CERT=carta_mario(), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 403
    assert escape(str(MSG_CNS_NON_FIDATO)) in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(codice_fiscale="RSSMRA80A01L219M").exists()


def test_cns_garbage_header_is_refused(client, db):
    garbage = quote("-----BEGIN CERTIFICATE-----\nnon è un certificato\n-----END CERTIFICATE-----", safe="")

    response = client.post(CNS, HTTP_X_SSL_CLIENT_CERT=garbage)

    assert response.status_code == 403
    assert escape(str(MSG_CNS_ILLEGGIBILE)) in response.content.decode()
    assert signed_in_user(client) is None


def test_cns_without_certificate_asks_to_insert_the_card(client, db):
    response = client.post(CNS)

    assert response.status_code == 403
    assert escape(str(MSG_CNS_ASSENTE)) in response.content.decode()


def test_cns_expired_certificate_is_refused(client, db):
    now = dt.datetime.now(tz=dt.UTC)
    header = carta_mario(valid_from=now - dt.timedelta(days=400), valid_to=now - dt.timedelta(days=1))

    response = client.post(CNS, HTTP_X_SSL_CLIENT_CERT=header)

    assert response.status_code == 403
    assert escape(str(MSG_CNS_SCADUTO)) in response.content.decode()


def test_cns_certificate_without_codice_fiscale_is_refused(client, db):
    header = cns_header([x509.NameAttribute(NameOID.COMMON_NAME, "Mario Rossi")])

    response = client.post(CNS, HTTP_X_SSL_CLIENT_CERT=header)

    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_cns_header_name_can_be_configured_in_http_form(client, settings, db):
    settings.CNS_CERT_HEADER = "X-Client-Cert"

    response = client.post(CNS, HTTP_X_CLIENT_CERT=carta_mario())

    assert response.status_code == 302


def test_cns_sign_in_refuses_a_get_so_a_link_elsewhere_cannot_sign_in(db, client):
    response = client.get(CNS, HTTP_X_SSL_CLIENT_CERT=carta_mario(), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 405
    assert "_auth_user_id" not in client.session
