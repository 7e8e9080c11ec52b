"""The guarded fetcher, against loopback servers this module starts itself.

An autouse guard wraps ``socket.connect``: any attempt to connect anywhere but 127.0.0.1 fails
the test, so "refused" below always means "refused before any packet left".
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from baeji.credentials.errors import FetchError, FetchRefused
from baeji.credentials.fetch import Fetcher, Response, check_address

LOOPBACK = "127.0.0.1"


# -- loopback server --------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict[str, str]]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json", **extra):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.seen.append(
            {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
        )  # type: ignore[attr-defined]
        path = self.path
        try:
            if path == "/doc":
                self._send(200, b'{"hello": "world"}')
            elif path == "/text":
                self._send(200, b"not json at all", "text/plain")
            elif path == "/gone":
                self._send(410, b'{"revoked": true}')
            elif path.startswith("/redirect?to="):
                self._send(302, b"", Location=path.split("=", 1)[1])
            elif path.startswith("/loop/"):
                n = int(path.rsplit("/", 1)[1])
                self._send(302, b"", Location=f"/loop/{n + 1}")
            elif path.startswith("/chain/"):
                n = int(path.rsplit("/", 1)[1])
                if n == 0:
                    self._send(200, b'{"end": true}')
                else:
                    self._send(301, b"", Location=f"/chain/{n - 1}")
            elif path == "/big-length":
                self.send_response(200)
                self.send_header("Content-Length", "50000000")
                self.end_headers()
                self.wfile.write(b"x" * 1000)
            elif path == "/big-chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for _ in range(200):
                    self.wfile.write(b"64\r\n" + b"y" * 100 + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/small-chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for _ in range(5):
                    self.wfile.write(b"2\r\nab\r\n")
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/sleep":
                time.sleep(3)
                self._send(200, b"{}")
            elif path == "/trickle-body":
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                for _ in range(100):
                    self.wfile.write(b"z")
                    self.wfile.flush()
                    time.sleep(0.1)
            elif path == "/trickle-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                for i in range(100):
                    self.wfile.write(f"X-Slow-{i}: y\r\n".encode())
                    self.wfile.flush()
                    time.sleep(0.1)
                self.wfile.write(b"\r\n")
            else:
                self._send(404, b"{}")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up on purpose


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.seen: list[dict[str, str]] = []
        self.context = context
        self.sni: list[str | None] = []

    def get_request(self):
        sock, address = super().get_request()
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_side=True)
        return sock, address

    def handle_error(self, request, client_address) -> None:
        pass  # refused handshakes and hang-ups are what several tests provoke

    @property
    def base(self) -> str:
        scheme = "https" if self.context else "http"
        return f"{scheme}://{LOOPBACK}:{self.server_address[1]}"


def _start(server: _Server) -> _Server:
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    running = _start(_Server())
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail the test if anything tries to connect to an address that is not 127.0.0.1."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        if not (isinstance(address, tuple) and address[0] == LOOPBACK):
            raise AssertionError(f"the test tried to connect to {address!r}")
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


def _trusted(server: _Server, **kwargs: Any) -> Fetcher:
    return Fetcher(allow_hosts=[LOOPBACK], **kwargs)


# -- scheme and address refusals ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/badge.json",
        "data:application/json,{}",
        "gopher://example.org/",
        "javascript:alert(1)",
        "//example.org/no-scheme",
    ],
)
def test_only_http_and_https(url: str, loopback_only: list[Any]) -> None:
    with pytest.raises(FetchRefused, match="only http and https"):
        Fetcher().get(url)
    assert loopback_only == []


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "127.1.2.3", "[::ffff:127.0.0.1]"]
)
def test_loopback_refused_by_default(server: _Server, host: str, loopback_only: list) -> None:
    port = server.server_address[1]
    before = len(server.seen)
    with pytest.raises(FetchRefused, match="public addresses"):
        Fetcher().get(f"http://{host}:{port}/doc")
    assert loopback_only == []
    assert len(server.seen) == before


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1",
        "10.255.255.254",
        "172.16.0.1",
        "172.31.255.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "[fe80::1]",
        "[fc00::1]",
        "[fd12:3456::1]",
        "[ff02::1]",
        "[::]",
        "[::ffff:10.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[64:ff9b::a9fe:a9fe]",
        "[2002:c0a8:0101::1]",
    ],
)
def test_private_addresses_refused_without_traffic(host: str, loopback_only: list) -> None:
    with pytest.raises(FetchRefused):
        Fetcher().get(f"http://{host}/latest/meta-data/")
    with pytest.raises(FetchRefused):
        Fetcher().get(f"https://{host}:8443/x")
    assert loopback_only == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("8.8.8.8", True),
        ("100.63.255.255", True),
        ("100.64.0.0", False),
        ("172.15.255.255", True),
        ("172.16.0.0", False),
        ("::ffff:8.8.8.8", True),
        ("::ffff:192.168.0.1", False),
        ("64:ff9b::808:808", True),
        ("64:ff9b::7f00:1", False),
        ("2001:db8::1", False),
        ("198.18.0.1", False),
        ("192.0.2.1", False),
    ],
)
def test_check_address(address: str, public: bool) -> None:
    if public:
        check_address(address)
    else:
        with pytest.raises(FetchRefused):
            check_address(address)


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Make getaddrinfo answer from ``answers``; return the list of names asked for."""
    asked: list[str] = []

    def fake(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple]:
        asked.append(host)
        result = []
        for address in answers[host]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            result.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return result

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return asked


def test_any_private_answer_refuses_the_name(monkeypatch, loopback_only) -> None:
    _fake_dns(monkeypatch, {"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(FetchRefused, match=r"mixed\.test resolves to 10\.0\.0\.7"):
        Fetcher().get("https://mixed.test/badge.json")
    assert loopback_only == []


def test_name_resolving_to_metadata_address_refused(monkeypatch, loopback_only) -> None:
    _fake_dns(monkeypatch, {"metadata.test": ["169.254.169.254"]})
    with pytest.raises(FetchRefused, match="link-local"):
        Fetcher().get("http://metadata.test/")
    assert loopback_only == []


def test_connects_to_the_vetted_address_with_the_right_host_header(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One DNS answer is taken and used: a rebinding resolver gets no second question.
    asked = _fake_dns(monkeypatch, {"issuer.test": [LOOPBACK]})
    port = server.server_address[1]
    response = Fetcher(allow_hosts=["issuer.test"]).get(f"http://issuer.test:{port}/doc")
    assert response.status == 200
    assert response.json() == {"hello": "world"}
    assert asked == ["issuer.test"]
    assert server.seen[-1]["host"] == f"issuer.test:{port}"
    assert server.seen[-1]["user-agent"] == "Baeji-Verifier"
    assert server.seen[-1]["accept-encoding"] == "identity"


def test_allow_private_lifts_the_address_check(server: _Server) -> None:
    response = Fetcher(allow_private=True).get(f"{server.base}/doc")
    assert response.json() == {"hello": "world"}


def test_allow_hosts_is_per_host(server: _Server) -> None:
    port = server.server_address[1]
    fetcher = Fetcher(allow_hosts=["localhost"])
    with pytest.raises(FetchRefused):
        fetcher.get(f"http://127.0.0.1:{port}/doc")


def test_credentials_in_url_refused(loopback_only) -> None:
    with pytest.raises(FetchRefused, match="credentials"):
        Fetcher(allow_private=True).get("http://user:secret@127.0.0.1/doc")


# -- responses ------------------------------------------------------------------------------


def test_plain_get_and_status_codes(server: _Server) -> None:
    fetcher = _trusted(server)
    ok = fetcher.get(f"{server.base}/doc")
    assert (ok.status, ok.content_type, ok.url) == (200, "application/json", f"{server.base}/doc")
    assert fetcher.get_json(f"{server.base}/doc") == {"hello": "world"}
    gone = fetcher.get(f"{server.base}/gone")
    assert gone.status == 410
    assert gone.json() == {"revoked": True}
    missing = fetcher.get(f"{server.base}/nothing")
    assert missing.status == 404
    with pytest.raises(FetchError, match="HTTP 410"):
        fetcher.get_json(f"{server.base}/gone")


def test_not_json_names_the_url(server: _Server) -> None:
    response = _trusted(server).get(f"{server.base}/text")
    with pytest.raises(FetchError, match=r"/text did not return JSON"):
        response.json()


def test_connection_failure_names_the_url() -> None:
    # A port nobody listens on: bind, note the port, close.
    probe = socket.socket()
    probe.bind((LOOPBACK, 0))
    port = probe.getsockname()[1]
    probe.close()
    url = f"http://{LOOPBACK}:{port}/doc"
    with pytest.raises(FetchError, match=rf"{LOOPBACK}:{port}/doc") as caught:
        Fetcher(allow_hosts=[LOOPBACK]).get(url)
    assert not isinstance(caught.value, FetchRefused)


def test_small_chunked_body(server: _Server) -> None:
    response = _trusted(server, max_bytes=10).get(f"{server.base}/small-chunked")
    assert response.body == b"ab" * 5


# -- redirects ------------------------------------------------------------------------------


def test_redirects_followed_within_limit(server: _Server) -> None:
    response = _trusted(server, max_redirects=3).get(f"{server.base}/chain/3")
    assert response.json() == {"end": True}
    assert response.url == f"{server.base}/chain/0"


def test_too_many_redirects(server: _Server) -> None:
    with pytest.raises(FetchError, match="redirected more than 2 times"):
        _trusted(server, max_redirects=2).get(f"{server.base}/loop/0")
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        _trusted(server).get(f"{server.base}/chain/4")


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://192.168.0.1:8080/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_redirect_to_refused_address(server: _Server, target: str, loopback_only: list) -> None:
    with pytest.raises(FetchRefused):
        _trusted(server).get(f"{server.base}/redirect?to={target}")
    assert all(address[0] == LOOPBACK for address in loopback_only)


def test_redirect_to_unreadable_address_is_a_fetch_error(server: _Server) -> None:
    # urljoin raises ValueError on an unclosed "[": that must not escape as a crash.
    with pytest.raises(FetchError, match="redirected to an unreadable address"):
        _trusted(server).get(f"{server.base}/redirect?to=http://[bad/x")


def test_redirect_to_host_outside_allow_list(server: _Server) -> None:
    port = server.server_address[1]
    target = f"http://localhost:{port}/doc"
    with pytest.raises(FetchRefused, match="localhost"):
        _trusted(server).get(f"{server.base}/redirect?to={target}")


# -- size and time limits -------------------------------------------------------------------


def test_too_large_by_content_length(server: _Server) -> None:
    with pytest.raises(FetchError, match="announces 50000000 bytes"):
        _trusted(server, max_bytes=1000).get(f"{server.base}/big-length")


def test_too_large_chunked_without_length(server: _Server) -> None:
    with pytest.raises(FetchError, match="more than 1000 bytes"):
        _trusted(server, max_bytes=1000).get(f"{server.base}/big-chunked")


def test_slow_server_cut_off(server: _Server) -> None:
    with pytest.raises(FetchError, match=r"took longer than 0\.5 s"):
        _trusted(server, timeout=0.5).get(f"{server.base}/sleep")


def test_trickling_body_cut_off_by_overall_deadline(server: _Server) -> None:
    # Each byte arrives well inside 0.5 s, so only an overall deadline can stop this.
    with pytest.raises(FetchError, match=r"took longer than 0\.5 s"):
        _trusted(server, timeout=0.5).get(f"{server.base}/trickle-body")


def test_trickling_headers_cut_off_by_overall_deadline(server: _Server) -> None:
    with pytest.raises(FetchError, match=r"took longer than 0\.5 s"):
        _trusted(server, timeout=0.5).get(f"{server.base}/trickle-headers")


# -- seeds and offline ----------------------------------------------------------------------


def test_seeds_served_without_network(loopback_only: list) -> None:
    fetcher = Fetcher(
        seeds={
            "https://issuer.example/key.json": {"type": "CryptographicKey"},
            "https://issuer.example/badge.jwt": "aaa.bbb.ccc",
        },
        offline=True,
    )
    fetcher.seed("https://issuer.example/image.png", b"\x89PNG", "image/png")
    fetcher.seed("https://issuer.example/gone.json", {"id": "x"}, status=410)

    key = fetcher.get("https://issuer.example/key.json")
    assert (key.status, key.content_type) == (200, "application/ld+json")
    assert key.json() == {"type": "CryptographicKey"}
    assert fetcher.get_json("https://issuer.example/key.json#main") == {"type": "CryptographicKey"}
    assert fetcher.get("https://issuer.example/badge.jwt").body == b"aaa.bbb.ccc"
    image = fetcher.get("https://issuer.example/image.png")
    assert (image.body, image.content_type) == (b"\x89PNG", "image/png")
    assert fetcher.get("https://issuer.example/gone.json").status == 410
    assert loopback_only == []


def test_seeds_win_even_for_private_looking_urls(loopback_only: list) -> None:
    fetcher = Fetcher(seeds={"http://localhost/ctx.json": {"ok": 1}})
    assert fetcher.get_json("http://localhost/ctx.json") == {"ok": 1}
    assert loopback_only == []


def test_offline_refuses_unseeded(server: _Server, loopback_only: list) -> None:
    fetcher = Fetcher(offline=True, allow_private=True)
    with pytest.raises(FetchRefused, match="not available offline"):
        fetcher.get(f"{server.base}/doc")
    assert loopback_only == []


def test_fragment_only_stripped_for_lookup() -> None:
    fetcher = Fetcher(offline=True, seeds={"https://a.example/doc#frag": b"{}"})
    assert fetcher.get("https://a.example/doc#frag").body == b"{}"
    with pytest.raises(FetchRefused):
        fetcher.get("https://a.example/doc")


def test_response_json_error() -> None:
    response = Response("https://x.example/a", 200, "text/html", b"<html>", {})
    with pytest.raises(FetchError, match=r"https://x\.example/a did not return JSON"):
        response.json()


# -- TLS: connect to the vetted address, verify the certificate for the name ----------------


def _certificate(tmp: Path, name: str) -> tuple[Path, Path]:
    """A throwaway CA-free certificate for ``name``; returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[_Server, Path]]:
    cert, key = _certificate(tmp_path, "issuer.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    running = _Server(context)

    def remember(sock: ssl.SSLSocket, name: str | None, _ctx: ssl.SSLContext) -> None:
        running.sni.append(name)

    context.sni_callback = remember
    _start(running)
    yield running, cert
    running.shutdown()
    running.server_close()


def test_https_uses_sni_and_verifies_the_name(tls_server, monkeypatch) -> None:
    running, cert = tls_server
    port = running.server_address[1]
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: real(cafile=str(cert)))
    asked = _fake_dns(monkeypatch, {"issuer.test": [LOOPBACK], "other.test": [LOOPBACK]})
    fetcher = Fetcher(allow_hosts=["issuer.test", "other.test"])

    response = fetcher.get(f"https://issuer.test:{port}/doc")
    assert response.json() == {"hello": "world"}
    assert running.sni[-1] == "issuer.test"
    assert running.seen[-1]["host"] == f"issuer.test:{port}"

    # Same address, other name: the certificate does not match, so the fetch fails.
    with pytest.raises(FetchError, match="TLS failed"):
        fetcher.get(f"https://other.test:{port}/doc")
    assert asked == ["issuer.test", "other.test"]


def test_https_untrusted_certificate_fails(tls_server, monkeypatch) -> None:
    running, _cert = tls_server
    _fake_dns(monkeypatch, {"issuer.test": [LOOPBACK]})
    with pytest.raises(FetchError, match="TLS failed"):
        Fetcher(allow_hosts=["issuer.test"]).get(
            f"https://issuer.test:{running.server_address[1]}/doc"
        )


def test_ipaddress_sanity() -> None:
    # The guard leans on these stdlib facts; if a Python upgrade changed them we want to know.
    assert ipaddress.ip_address("169.254.169.254").is_link_local
    assert ipaddress.ip_address("::ffff:127.0.0.1").ipv4_mapped == ipaddress.ip_address(LOOPBACK)
