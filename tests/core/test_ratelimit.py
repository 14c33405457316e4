"""The client's address behind our proxies: what the rate limits count."""

import pytest
from django.test import RequestFactory

from core.ratelimit import client_ip

PROXY = "172.28.0.10"


@pytest.fixture(autouse=True)
def one_proxy(settings):
    settings.TRUSTED_PROXIES = [f"{PROXY}/32"]


def request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/verifica/", REMOTE_ADDR=remote, **extra)


def test_behind_the_proxy_the_client_is_the_forwarded_address():
    assert client_ip(request(PROXY, "203.0.113.5")) == "203.0.113.5"


def test_a_proxy_seen_on_a_dual_stack_socket_is_still_the_proxy():
    assert client_ip(request(f"::ffff:{PROXY}", "203.0.113.5")) == "203.0.113.5"


def test_a_client_cannot_forge_its_address_past_the_proxy():
    # What the client wrote is on the left; the proxy's own entry is the rightmost.
    assert client_ip(request(PROXY, "198.51.100.1, 203.0.113.5")) == "203.0.113.5"


def test_without_the_proxy_the_header_is_ignored():
    assert client_ip(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
