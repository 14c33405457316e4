"""The real nginx with deploy/nginx/aminder.conf.template in front of gunicorn in the production mode:
what a visitor, a forger and a script meet at the door."""

import gzip
import json
import secrets
import subprocess
from urllib.parse import quote

import pytest
import requests

from anagrafica.models import User
from consuntivi.imports import MAX_FILE_BYTES

from .conftest import CODICE_FISCALE, MAX_BODY, NGINX, TEMPLATE, VERIFICA_TENTATIVI, Nginx, render_template

pytestmark = pytest.mark.django_db(transaction=True)

MIB = 1024 * 1024


def session(nginx: Nginx, card: str | None = None) -> requests.Session:
    client = requests.Session()
    client.trust_env = False  # the machine's CA bundle variable would replace our CA
    client.verify = str(nginx.pki.path("cns-ca.crt"))
    if card:
        client.cert = (str(nginx.pki.path(f"{card}.crt")), str(nginx.pki.path(f"{card}.key")))
    return client


def cns_sign_in(client: requests.Session, nginx: Nginx, **kwargs) -> requests.Response:
    client.get(f"{nginx.url}/accesso/", timeout=10)
    return client.post(
        f"{nginx.url}/accesso/cns/",
        data={"csrfmiddlewaretoken": client.cookies["__Host-csrftoken"]},
        headers={"Referer": f"{nginx.url}/accesso/", **kwargs.pop("headers", {})},
        allow_redirects=False,
        timeout=10,
    )


def test_a_card_of_a_known_issuer_signs_in(nginx):
    client = session(nginx, "mario")
    response = cns_sign_in(client, nginx)
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/"
    home = client.get(f"{nginx.url}/", timeout=10)
    assert home.status_code == 200
    assert "Rossi" in home.text
    assert User.objects.get(codice_fiscale=CODICE_FISCALE).last_name == "Rossi"


def test_a_certificate_header_sent_by_the_client_is_dropped(nginx):
    forged = quote(nginx.pki.path("mario.crt").read_text())
    client = session(nginx)  # no card: only the header
    response = cns_sign_in(client, nginx, headers={"X-SSL-Client-Cert": forged})
    assert response.status_code == 403
    assert "Nessun certificato CNS ricevuto" in response.text
    assert not User.objects.filter(codice_fiscale=CODICE_FISCALE).exists()


@pytest.mark.parametrize("card", ["revocata", "falsa"])
def test_a_revoked_or_unknown_card_is_refused_before_the_app(nginx, card):
    client = session(nginx, card)
    response = client.get(f"{nginx.url}/accesso/", timeout=10)
    assert response.status_code == 400
    assert "SSL certificate error" in response.text
    assert "certificate revoked" in nginx.error_log() or card == "falsa"
    assert not User.objects.filter(codice_fiscale=CODICE_FISCALE).exists()


def test_the_body_limit_lets_the_largest_upload_through_and_stops_more(nginx):
    assert MAX_BODY == "21m"  # the app's 20 MB upload plus the multipart envelope
    assert MAX_FILE_BYTES == 20 * MIB
    client = session(nginx)
    upload = {"file": ("consuntivo.csv", b"x" * MAX_FILE_BYTES, "text/csv")}
    # A form view: Django reads the whole body (the CSRF check parses it) before it answers 403, so
    # the answer proves the body went through. (An API 401 answered before the body is read races
    # with nginx still sending it, and shows as a 502 on a loaded machine.)
    accepted = client.post(f"{nginx.url}/accesso/", files=upload, timeout=60)
    assert accepted.status_code == 403
    assert accepted.headers["Content-Type"].startswith("text/html")
    too_big = client.post(f"{nginx.url}/api/v1/domande/", data=b"x" * (21 * MIB + 1), timeout=60)
    assert too_big.status_code == 413


@pytest.mark.parametrize(("path", "burst"), [("/accesso/", 6), ("/verifica/", 11)])
def test_sign_in_and_verification_are_rate_limited_per_address(nginx, path, burst):
    client = session(nginx)
    statuses = [client.get(f"{nginx.url}{path}", timeout=10).status_code for _ in range(burst + 6)]
    assert statuses[:burst] == [200] * burst
    # A slow machine may earn back a token (one every 6 or 2 seconds) during the run, not more.
    assert statuses[burst:].count(429) >= 4, statuses
    assert set(statuses) == {200, 429}
    assert client.get(f"{nginx.url}/accessibilita/", timeout=10).status_code == 200  # other pages are not


def test_static_files_are_served_hashed_and_cached(nginx, static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    response = session(nginx).get(f"{nginx.url}/static/{manifest['vendor/htmx/htmx.min.js']}", timeout=10)
    assert response.status_code == 200
    assert "javascript" in response.headers["Content-Type"]
    assert "immutable" in response.headers["Cache-Control"]
    assert response.content.startswith(b"var htmx") or b"htmx" in response.content[:200]


def test_pages_and_stylesheets_are_sent_compressed(nginx, static_root):
    client = session(nginx)
    page = client.get(f"{nginx.url}/accesso/", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    compressed = page.raw.read(decode_content=False)
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    html = gzip.decompress(compressed).decode()
    assert "Accedi ad Aminder</h1>" in html
    assert len(compressed) * 3 < len(html)

    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    css = client.get(
        f"{nginx.url}/static/{manifest['vendor/bootstrap-italia/css/bootstrap-italia.min.css']}",
        headers={"Accept-Encoding": "gzip"},
        timeout=10,
    )
    assert css.headers["Content-Encoding"] == "gzip"
    assert ".it-header-wrapper" in css.text

    plain = client.get(f"{nginx.url}/accesso/", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers
    assert plain.text.count("Accedi") == html.count("Accedi")


def test_pages_carry_the_security_headers(nginx):
    response = session(nginx).get(f"{nginx.url}/accesso/", timeout=10)
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Server"] == "nginx"  # no version
    assert "Secure" in headers["Set-Cookie"]
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "no-store" in headers["Cache-Control"]


def test_production_cookies_carry_the_host_prefix(nginx):
    """`__Host-`: Secure, Path=/, no Domain, so no sibling subdomain can set or shadow them."""
    response = session(nginx).get(f"{nginx.url}/accesso/", timeout=10)
    csrf = next(cookie for cookie in response.cookies if "csrftoken" in cookie.name)
    assert csrf.name == "__Host-csrftoken"
    assert csrf.secure
    assert csrf.path == "/"
    assert not csrf.domain_specified


def test_plain_http_is_redirected_to_https(nginx):
    response = requests.get(f"{nginx.http_url}/accesso/", allow_redirects=False, timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_health_and_metrics_are_not_public(nginx, gunicorn):
    client = session(nginx)
    assert client.get(f"{nginx.url}/health/", timeout=10).status_code == 403
    assert client.get(f"{nginx.url}/metrics", timeout=10).status_code == 404
    token = {"Authorization": "Bearer metrics-test-token"}
    assert client.get(f"{nginx.url}/metrics", headers=token, timeout=10).status_code == 404
    # Directly on the app (what Prometheus scrapes): only with the token.
    assert requests.get(f"{gunicorn.url}/metrics", timeout=10).status_code == 404
    metrics = requests.get(f"{gunicorn.url}/metrics", headers=token, timeout=10)
    assert metrics.status_code == 200
    assert 'aminder_outbox_backlog{documento="domanda"}' in metrics.text
    assert 'aminder_celery_queue_length{queue="celery"}' in metrics.text
    assert "django_http_requests_total_by_method_total" in metrics.text


def test_both_templates_make_a_valid_configuration_with_the_compose_values(pki, tmp_path):
    """What the nginx image renders at start in docker-compose, checked by `nginx -t`."""
    values = {
        "AMINDER_SERVER_NAME": "aminder.regione.example.it",
        "AMINDER_HTTP_PORT": "127.0.0.1:8080",
        "AMINDER_HTTPS_PORT": "127.0.0.1:8443",
        "AMINDER_UPSTREAM": "127.0.0.1:8000",
        "AMINDER_TLS_DIR": str(pki.folder),
        "AMINDER_MAX_BODY": MAX_BODY,
        "AMINDER_INTERNAL_NETWORK": "172.28.0.0/24",
    }
    sites = "".join(
        render_template(template.read_text(), values) for template in TEMPLATE.parent.glob("*.template")
    )
    (tmp_path / "sites.conf").write_text(sites)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include {tmp_path}/sites.conf; }}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "default_server" in sites


class FromAddress(requests.adapters.HTTPAdapter):
    """Connections that leave from one loopback address (127.0.0.0/8 is all ours on Linux): a client
    that nginx sees as a different machine."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def test_a_client_exhausting_the_verification_attempts_does_not_lock_another(nginx, gunicorn):
    """The app counts attempts per client behind nginx (X-Forwarded-For from TRUSTED_PROXIES), not
    per proxy: client A, out of attempts, gets 429; client B, from another address, still verifies."""
    base = secrets.randbelow(200) + 20  # fresh counters on every run: they live in Redis for minutes
    clients = {}
    for name, address in {"A": f"127.{base}.0.2", "B": f"127.{base}.0.3"}.items():
        clients[name] = session(nginx)
        clients[name].mount("https://", FromAddress(address))
    wrong = {"protocollo": "2026/0000042", "codice": "SBAGLIATO"}
    statuses = [
        clients["A"].get(f"{nginx.url}/verifica/", params=wrong, timeout=10).status_code
        for _ in range(VERIFICA_TENTATIVI + 1)
    ]
    assert statuses == [200] * VERIFICA_TENTATIVI + [429], statuses
    locked = clients["A"].get(f"{nginx.url}/verifica/", params=wrong, timeout=10)
    assert "Troppi tentativi di verifica" in locked.text

    other = clients["B"].get(f"{nginx.url}/verifica/", params=wrong, timeout=10)
    assert other.status_code == 200
    assert "Nessuna ricevuta corrisponde" in other.text
    assert "Troppi tentativi" not in other.text

    # A script bursting from A meets nginx's limit_req (its own 429 page, before the app); B does not.
    burst = [clients["A"].get(f"{nginx.url}/verifica/", timeout=10) for _ in range(15)]
    refused = [r for r in burst if r.status_code == 429 and "Troppi tentativi" not in r.text]
    assert len(refused) >= 4, [r.status_code for r in burst]
    assert clients["B"].get(f"{nginx.url}/verifica/", timeout=10).status_code == 200

    # The app's refusal is in gunicorn's output as production writes logs: one JSON object a line.
    records = [json.loads(line) for line in gunicorn.server.output().splitlines() if line.startswith("{")]
    refusals = [r for r in records if r.get("message") == "Too Many Requests: /verifica/"]
    assert refusals, gunicorn.server.output()[-2000:]
    assert (refusals[0]["level"], refusals[0]["logger"]) == ("WARNING", "django.request")
    assert refusals[0]["timestamp"].startswith("20")
