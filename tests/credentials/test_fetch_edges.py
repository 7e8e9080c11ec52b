"""More of the guarded fetcher's refusals and failures, each named for the person reading it.

As in test_fetch.py, a guard fails the test on any connection attempt that is not to the
loopback servers started here, and DNS answers are faked, so nothing leaves the machine.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from baeji.credentials.errors import FetchError, FetchRefused
from baeji.credentials.fetch import Fetcher, Response, check_address

from .test_fetch import LOOPBACK, _fake_dns


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        if not (isinstance(address, tuple) and address[0] == LOOPBACK):
            raise AssertionError(f"the test tried to connect to {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.fixture
def garbage_server() -> Iterator[int]:
    """A TCP server on loopback that answers every connection with a non-HTTP line."""
    listener = socket.socket()
    listener.bind((LOOPBACK, 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


# -- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("fe80::1%1", r"scoped \(link-local\) IPv6"),
        # Teredo: the client's obfuscated address is 10.0.0.1 (bits inverted).
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private address embedded in an IPv6 address"),
        ("::10.0.0.1", "private address embedded in an IPv6 address"),
    ],
)
def test_check_address_sees_through_ipv6_forms(address, reason):
    with pytest.raises(FetchRefused, match=reason):
        check_address(address)


def test_check_address_needs_an_ip_literal():
    with pytest.raises(FetchRefused, match=r"'issuer\.example' is not an IP address"):
        check_address("issuer.example")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.org:99999/doc", "invalid port"),
        ("http:///doc", "names no host"),
        ("https://" + "a" * 64 + ".example/doc", "cannot be encoded"),
        ("http://[bad/doc", "not a readable web address"),
    ],
)
def test_malformed_urls_are_refused(url, message, loopback_only):
    with pytest.raises(FetchRefused, match=message):
        Fetcher().get(url)
    assert loopback_only == []


def test_name_that_does_not_resolve(monkeypatch):
    def fail(*args: Any, **kwargs: Any) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError, match=r"the host nowhere\.test cannot be resolved"):
        Fetcher().get("https://nowhere.test/doc")


def test_name_with_no_addresses(monkeypatch):
    _fake_dns(monkeypatch, {"empty.test": []})
    with pytest.raises(FetchError, match=r"the host empty\.test has no address"):
        Fetcher().get("https://empty.test/doc")


def test_scoped_ipv6_answer_is_refused(monkeypatch, loopback_only):
    _fake_dns(monkeypatch, {"scoped.test": ["fe80::1%2"]})
    with pytest.raises(FetchRefused, match=r"scoped\.test resolves to fe80::1"):
        Fetcher().get("https://scoped.test/doc")
    assert loopback_only == []


def test_public_answer_is_contacted_at_the_vetted_address(monkeypatch, loopback_only):
    _fake_dns(monkeypatch, {"issuer.test": ["93.184.216.34"]})
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    with pytest.raises(FetchError, match="could not be reached") as caught:
        Fetcher().get("http://issuer.test/doc")
    assert not isinstance(caught.value, FetchRefused)
    assert attempts == [("93.184.216.34", 80)]


def test_no_time_left_before_connecting(monkeypatch, loopback_only):
    _fake_dns(monkeypatch, {"issuer.test": ["93.184.216.34"]})
    with pytest.raises(FetchError, match="took longer than 0 s"):
        Fetcher(timeout=0).get("http://issuer.test/doc")
    assert loopback_only == []


# -- answers ----------------------------------------------------------------------------------


def test_answer_that_is_not_http(garbage_server):
    url = f"http://{LOOPBACK}:{garbage_server}/doc"
    with pytest.raises(FetchError, match=rf"{LOOPBACK}:{garbage_server}/doc failed") as caught:
        Fetcher(allow_hosts=[LOOPBACK]).get(url)
    assert not isinstance(caught.value, FetchRefused)


def test_response_text_replaces_invalid_bytes():
    response = Response("https://x.example/a", 200, "text/plain", "배지".encode() + b"\xff")
    assert response.text() == "배지\ufffd"
    assert response.ok
    assert not Response("https://x.example/a", 301, "", b"").ok


def test_seed_content_must_be_bytes_text_or_an_object():
    with pytest.raises(TypeError, match="a seed must be bytes, str or dict"):
        Fetcher().seed("https://x.example/a", ["a", "list"])  # type: ignore[arg-type]
