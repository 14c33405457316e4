"""The production stack on loopback ports: gunicorn in the production mode on the test PostgreSQL
database and Redis, Debian's nginx with the project's own template in front of it, a Celery worker
and beat. A test CA issues the site's certificate and CNS-like client certificates, and a CRL.

The servers read what the tests commit, so the tests use a transactional database."""

import datetime as dt
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.worker.conftest import BROKER_URL, database_url, wait_for

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "nginx" / "aminder.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# The one body limit, as docker-compose.yml and the ingress set it.
MAX_BODY = "21m"
CODICE_FISCALE = "RSSMRA80A01L219M"
# The verification page's attempts per address in the production stack: fewer than nginx's burst, so
# the app's own limit answers first.
VERIFICA_TENTATIVI = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_template(text: str, values: dict[str, str]) -> str:
    """envsubst restricted to the template's own variables, as the nginx image does it."""
    rendered = re.sub(r"\$\{(AMINDER_[A-Z_]+)\}", lambda m: values[m.group(1)], text)
    assert "${" not in rendered
    return rendered


# --- A test PKI: a CNS issuing CA, the site's certificate, cards, a CRL ------------------------------


@dataclass
class Pki:
    folder: Path
    ca: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey

    def path(self, name: str) -> Path:
        return self.folder / name

    def issue(
        self, name: str, subject: x509.Name, *, client: bool, san: list | None = None
    ) -> x509.Certificate:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(tz=dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH]
                ),
                critical=False,
            )
        )
        if san:
            builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
        certificate = builder.sign(self.ca_key, hashes.SHA256())
        write_pair(self.folder, name, certificate, key)
        return certificate

    def card(self, name: str, codice_fiscale: str = CODICE_FISCALE) -> x509.Certificate:
        """A CNS-like card: codice fiscale in serialNumber (TINIT-…) and in the CN (CF/card id.hash)."""
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
                x509.NameAttribute(NameOID.SURNAME, "Rossi"),
                x509.NameAttribute(NameOID.GIVEN_NAME, "Mario"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINIT-{codice_fiscale}"),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{codice_fiscale}/7420059000012345.abcd"),
            ]
        )
        return self.issue(name, subject, client=True)

    def revoke(self, *certificates: x509.Certificate) -> None:
        now = dt.datetime.now(tz=dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.ca.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=1))
        )
        for certificate in certificates:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(certificate.serial_number)
                .revocation_date(now - dt.timedelta(minutes=1))
                .build()
            )
        crl = builder.sign(self.ca_key, hashes.SHA256())
        self.path("cns-crl.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))


def write_pair(folder: Path, name: str, certificate: x509.Certificate, key) -> None:
    (folder / f"{name}.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / f"{name}.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def make_ca(folder: Path, name: str, common_name: str) -> Pki:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(tz=dt.UTC)
    ca = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    write_pair(folder, name, ca, key)
    return Pki(folder, ca, key)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("tls")
    pki = make_ca(folder, "cns-ca", "CA di prova dei servizi CNS")
    pki.issue(
        "tls",
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aminder.test")]),
        client=False,
        san=[x509.DNSName("aminder.test"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    shutil.copy(pki.path("cns-ca.crt"), pki.path("cns-ca.pem"))
    pki.card("mario")
    pki.revoke(pki.card("revocata"))
    # A card from an issuer nginx does not know: what a forger can make.
    make_ca(folder, "rogue-ca", "CA non riconosciuta").card("falsa")
    return pki


# --- The app in the production mode ------------------------------------------------------------------


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("static")


@pytest.fixture(scope="module")
def production_env(django_db_setup, django_db_blocker, static_root, tmp_path_factory) -> dict[str, str]:
    if not BROKER_URL.startswith("redis://"):
        pytest.skip("servono Redis e PostgreSQL: `make test` li avvia")
    with django_db_blocker.unblock():
        url = database_url()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AMINDER_"))},
        "AMINDER_MODE": "production",
        "DATABASE_URL": url,
        "REDIS_URL": BROKER_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "DJANGO_SECRET_KEY": "prod-boot-" + "k3Y9vQ2xL7mN4pR8sT1wZ6bC0dF5gH" * 2,
        "AMINDER_PUBLIC_URL": "https://aminder.test",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,aminder.test",
        "EMAIL_URL": "dummymail://",
        "PRIVATE_MEDIA_ROOT": str(tmp_path_factory.mktemp("private")),
        "STATIC_ROOT": str(static_root),
        "DJANGO_STATIC_PRECOMPRESS": "false",
        "METRICS_TOKEN": "metrics-test-token",
        "AMINDER_VERIFICA_TENTATIVI": str(VERIFICA_TENTATIVI),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("prometheus")),
    }
    if not (static_root / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True, timeout=300,
        )  # fmt: skip
    return env


class Server:
    """A process group started in the background, its output in a file; stopped with SIGTERM."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.running():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def answers(url: str, **kwargs) -> bool:
    try:
        return requests.get(url, timeout=2, **kwargs).status_code < 500
    except requests.RequestException:
        return False


@dataclass
class Web:
    url: str
    server: Server


@pytest.fixture(scope="module")
def gunicorn(production_env, tmp_path_factory) -> Iterator[Web]:
    port = free_port()
    server = Server(
        [sys.executable, "-m", "gunicorn", "aminder.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "60", "--access-logfile", "-"],
        production_env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log",
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{url}/health/live/") or not server.running(), "gunicorn non risponde", 60)
        assert server.running(), server.output()
        yield Web(url, server)
    finally:
        server.stop()


@dataclass
class Nginx:
    url: str
    http_url: str
    conf: Path
    server: Server
    pki: Pki

    def error_log(self) -> str:
        return (self.conf.parent / "error.log").read_text(errors="replace")


@pytest.fixture
def nginx(gunicorn, pki, tmp_path) -> Iterator[Nginx]:
    """Debian's nginx, not a daemon, with the project's template rendered for loopback ports."""
    https_port, http_port = free_port(), free_port()
    site = render_template(
        TEMPLATE.read_text(),
        {
            "AMINDER_SERVER_NAME": "aminder.test",
            "AMINDER_HTTP_PORT": f"127.0.0.1:{http_port}",
            "AMINDER_HTTPS_PORT": f"127.0.0.1:{https_port}",
            "AMINDER_UPSTREAM": gunicorn.url.removeprefix("http://"),
            "AMINDER_TLS_DIR": str(pki.folder),
            "AMINDER_MAX_BODY": MAX_BODY,
            "AMINDER_INTERNAL_NETWORK": "10.255.255.0/24",  # not loopback: the test client is "outside"
        },
    )
    (tmp_path / "aminder.conf").write_text(site)
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""{user}
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/aminder.conf;
}}
"""
    (tmp_path / "nginx.conf").write_text(main)
    server = Server(
        [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-g", "daemon off;"],
        os.environ.copy(), tmp_path / "nginx.out",
    )  # fmt: skip
    url = f"https://127.0.0.1:{https_port}"
    proxy = Nginx(url, f"http://127.0.0.1:{http_port}", tmp_path / "nginx.conf", server, pki)
    try:
        wait_for(
            lambda: (
                answers(f"{url}/health/live/", verify=str(pki.path("cns-ca.crt"))) or not server.running()
            ),
            "nginx non risponde",
            30,
        )
        assert server.running(), server.output() + proxy.error_log()
        yield proxy
    finally:
        server.stop()
