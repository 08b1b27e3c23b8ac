"""The client's address behind the documented TLS proxy: the right-most hop of
X-Forwarded-For that no trusted proxy added. Forged hops, chains, ports, garbage and a missing
header never give a 500 and never let a client choose its address."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from hamkke.core.actors import client_address, rate_limit_address

PROXIES = ["10.0.0.0/8", "::1/128"]


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # Not behind a trusted proxy: the header is the client's own word and is ignored.
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),
        # Our proxy appended the client; whatever the client sent stays on the left.
        ("10.0.0.2", "6.6.6.6, 198.51.100.23", "198.51.100.23"),
        ("10.0.0.2", "198.51.100.23", "198.51.100.23"),
        # Two of our proxies in a row: skip both.
        ("10.0.0.2", "6.6.6.6, 198.51.100.23, 10.0.0.9", "198.51.100.23"),
        # Ports and IPv6 brackets as some proxies write them.
        ("10.0.0.2", "198.51.100.23:51234", "198.51.100.23"),
        ("::1", "[2001:db8::5]:443", "2001:db8::5"),
        # No header, an empty one, only our own hops: the nearest address we can believe.
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3", "10.0.0.3"),
        # Garbage appended after a believable hop stops the walk at what we could read.
        ("10.0.0.2", "198.51.100.23, not-an-address", "10.0.0.2"),
        ("10.0.0.2", "unknown, \x00, 300.1.1.1", "10.0.0.2"),
    ],
)
def test_the_right_most_untrusted_hop_is_the_client(settings, remote, forwarded, client):
    settings.HAMKKE_TRUSTED_PROXIES = PROXIES
    assert client_address(_request(remote, forwarded)) == client


def test_a_peer_without_an_address_shares_one_bucket(settings):
    settings.HAMKKE_TRUSTED_PROXIES = PROXIES
    request = _request("")
    assert client_address(request) is None
    assert rate_limit_address(request) == "0.0.0.0"


def test_a_forged_header_cannot_escape_a_rate_limit(client, settings, city):
    """Behind the proxy, a client that sends a new X-Forwarded-For each time is still one
    client: the place search (60 a minute per address) refuses it like anyone else."""
    settings.HAMKKE_TRUSTED_PROXIES = PROXIES
    statuses = [
        client.get(
            "/api/v1/geocode",
            {"q": "Seoul"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.23",
        ).status_code
        for n in range(62)
    ]
    assert statuses[:60] == [200] * 60
    assert statuses[60:] == [429, 429]


def test_behind_the_proxy_a_missing_header_is_no_error(client, settings, city):
    settings.HAMKKE_TRUSTED_PROXIES = PROXIES
    answer = client.get("/api/v1/geocode", {"q": "Seoul"}, REMOTE_ADDR="10.0.0.2")
    assert answer.status_code == 200
