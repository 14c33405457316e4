"""The public verification page: authentic with the right pair, nothing personal, a brake on guessing."""

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.urls import reverse

from protocollo import views as views_verifica
from protocollo.models import RegistrazioneProtocollo, Ricevuta

URL = reverse("protocollo:verifica")
PDF = b"%PDF-1.7\n% ricevuta\n%%EOF\n"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the attempt counters live in the cache
    yield
    cache.clear()


@pytest.fixture
def registrazione(db):
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=2026,
        numero=42,
        registrata_il=dt.datetime(2026, 3, 12, 14, 5, 33, tzinfo=ZoneInfo("Europe/Rome")),
        tipo_documento="DOMANDA",
        oggetto="Domanda di CIGD – Officine Subalpine S.r.l.",
        impronta="a" * 64,
        codice_verifica="K7Q4M2XP9TLC",
    )
    ricevuta = Ricevuta(registrazione=registrazione, sha256=hashlib.sha256(PDF).hexdigest())
    ricevuta.pdf.save("ricevuta-2026-0000042.pdf", ContentFile(PDF))
    return registrazione


def test_verifica_with_matching_protocol_and_code_says_authentic(client, registrazione):
    response = client.get(URL, {"protocollo": "2026/0000042", "codice": "K7Q4M2XP9TLC"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Ricevuta autentica" in page
    assert "2026/0000042" in page
    assert "12 marzo 2026, ore 14:05" in page
    assert "Domanda" in page
    assert "a" * 64 in page
    assert hashlib.sha256(PDF).hexdigest() in page


def test_a_clerk_uploads_the_pdf_and_learns_whether_it_is_the_receipt_issued(client, registrazione):
    url = f"{URL}?protocollo=2026/0000042&codice=K7Q4M2XP9TLC"
    page = client.get(url).content.decode()
    assert "Hai la ricevuta in PDF?" in page
    assert "Confronta il PDF" in page

    uguale = client.post(url, {"pdf": ContentFile(PDF, name="ricevuta.pdf")}).content.decode()
    assert "Il PDF caricato è identico alla ricevuta rilasciata" in uguale

    alterato = PDF.replace(b"ricevuta", b"ricevutA")
    diverso = client.post(url, {"pdf": ContentFile(alterato, name="ricevuta.pdf")}).content.decode()
    assert "non è la ricevuta rilasciata con questo numero di protocollo" in diverso
    assert "identico" not in diverso


def test_a_pdf_cannot_be_compared_without_the_right_code(client, registrazione):
    url = f"{URL}?protocollo=2026/0000042&codice=SBAGLIATO1234"
    page = client.post(url, {"pdf": ContentFile(PDF, name="ricevuta.pdf")}).content.decode()
    assert "identico" not in page
    assert "Nessuna ricevuta corrisponde" in page


def test_verifica_shows_nothing_personal(client, registrazione):
    page = client.get(URL, {"protocollo": "2026/0000042", "codice": "K7Q4M2XP9TLC"}).content.decode()

    assert "Officine Subalpine" not in page  # the registration's subject names the company


def test_verifica_needs_no_login_and_is_not_cached_nor_indexed(client, registrazione):
    response = client.get(URL, {"protocollo": "2026/0000042", "codice": "K7Q4M2XP9TLC"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_verifica_accepts_the_code_in_lower_case_with_spaces_and_a_short_number(client, registrazione):
    page = client.get(URL, {"protocollo": " 2026/42 ", "codice": "k7q4 m2xp 9tlc"}).content.decode()

    assert "Ricevuta autentica" in page


@pytest.mark.parametrize(
    ("protocollo", "codice"),
    [("2026/0000042", "K7Q4M2XP9TLD"), ("2026/0000043", "K7Q4M2XP9TLC"), ("2025/0000042", "K7Q4M2XP9TLC")],
)
def test_verifica_with_a_wrong_number_or_code_says_nothing_matches(client, registrazione, protocollo, codice):
    response = client.get(URL, {"protocollo": protocollo, "codice": codice})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ricevuta autentica" not in page
    assert "Nessuna ricevuta corrisponde a questo numero di protocollo e codice di verifica" in page
    assert "a" * 64 not in page


def test_verifica_explains_the_protocol_number_format(client, db):
    page = client.get(URL, {"protocollo": "42-2026", "codice": "X"}).content.decode()

    assert "nel formato anno/numero, ad esempio 2026/0000042" in page


def test_verifica_without_parameters_shows_the_empty_form(client, db):
    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="protocollo"' in page and 'name="codice"' in page
    assert "Nessuna ricevuta corrisponde" not in page


def test_verifica_slows_down_guessing_from_one_address(client, registrazione):
    for tentativo in range(views_verifica.TENTATIVI_MAX):
        client.get(URL, {"protocollo": "2026/0000042", "codice": f"SBAGLIATO{tentativo}"})

    response = client.get(URL, {"protocollo": "2026/0000042", "codice": "K7Q4M2XP9TLC"})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Troppi tentativi di verifica" in page
    assert "Ricevuta autentica" not in page
    other = client.get(URL, {"protocollo": "2026/0000042", "codice": "K7Q4M2XP9TLC"}, REMOTE_ADDR="192.0.2.7")
    assert "Ricevuta autentica" in other.content.decode()
