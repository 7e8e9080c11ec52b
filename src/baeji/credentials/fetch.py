"""The guarded fetcher: the one way the credential engine reaches the network.

Verifying a badge means fetching URLs that a stranger wrote into it (an OB 2.0 assertion's
``id``, its BadgeClass and issuer, a signing key, a revocation list, an OB 3.0 status list or
``did:web`` document). Left unguarded, that lets anyone who can submit a badge make the server
request its own internal addresses (server-side request forgery: cloud metadata at
169.254.169.254, databases on 10.x, admin pages on localhost). :class:`Fetcher` therefore:

* serves **seeded** documents (exact URL, or the URL without its fragment) with no network at
  all, and with ``offline=True`` refuses everything else;
* allows only ``http`` and ``https``;
* resolves the host name itself and refuses when **any** resolved address is not public
  (loopback, private, link-local, multicast, reserved, unspecified, carrier-grade NAT
  100.64.0.0/10, and the same ranges embedded in IPv6 as IPv4-mapped, NAT64, 6to4 or Teredo
  addresses), unless ``allow_private`` is set or the host is listed in ``allow_hosts``;
* connects to the **address it vetted**, not to the name, so a second DNS answer cannot swap
  in an internal address (DNS rebinding), while the ``Host`` header, TLS SNI and certificate
  verification still use the host name;
* follows redirects itself, at most ``max_redirects``, checking scheme and address again at
  every hop;
* stops reading as soon as the body passes ``max_bytes`` (also when ``Content-Length``
  announces more), asks for no compression, so a small response cannot inflate;
* enforces ``timeout`` as one overall deadline for the whole request, redirects included:
  every connect, handshake and single ``recv`` gets only the time that is left, so a server
  that trickles one byte at a time is cut off too.

Why ``http.client``/``ssl`` rather than httpx: the guard needs the socket in hand. We must
connect to an address we chose while verifying the certificate for a name, and we must re-arm
the socket timeout before *every* read (header bytes included) to turn per-read timeouts into
an overall deadline. httpx can do the first through transport extensions, but its timeouts are
per operation and a total deadline would need a custom network backend that reaches into
httpcore internals. The standard library gives both in a few lines, with no private API.

Non-2xx answers are returned as :class:`Response` (OB 2.0 revocation is an HTTP 410); only
transport failures and refusals raise :class:`~baeji.credentials.errors.FetchError` or its
subclass :class:`~baeji.credentials.errors.FetchRefused`.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import json
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from .errors import FetchError, FetchRefused

__all__ = ["Fetcher", "Response", "check_address"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_READ_CHUNK = 65536
_DEFAULT_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"

# ipaddress.is_global does not cover every range that must never be reached from a verifier
# (multicast is "global" in Python's tables, 100.64/10 is only excluded on newer versions), so
# the ranges are listed explicitly in addition to the ipaddress properties.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


@dataclass
class Response:
    """One HTTP answer (or a seeded document): final URL, status, content type, body, headers.

    ``headers`` has lower-case names. ``url`` is the URL that answered, after redirects.
    """

    url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; :class:`FetchError` naming the URL when it is not JSON."""
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            raise FetchError(
                f"{self.url} did not return JSON (content type {self.content_type or 'unknown'}): "
                f"{error}"
            ) from None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is a translation form."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        # The client's real address is the obfuscated second element.
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    # IPv4-compatible ::a.b.c.d (deprecated, but still routed by some stacks).
    if int(address) >> 32 == 0 and int(address) > 0xFFFF:
        return ipaddress.IPv4Address(int(address))
    return None


def _non_public_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``address`` must not be contacted, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return "a scoped (link-local) IPv6 address"
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            # A translation form reaches whatever IPv4 address it carries, so that address
            # decides (the IPv6 prefixes themselves sit in ranges Python calls reserved).
            reason = _non_public_reason(embedded)
            return f"{reason} embedded in an IPv6 address" if reason else None
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (
            isinstance(address, ipaddress.IPv4Address) and address in _CGNAT,
            "a shared (CGNAT) address",
        ),
        (
            isinstance(address, ipaddress.IPv6Address) and address.is_site_local,
            "a site-local address",
        ),
        (not address.is_global, "a non-public address"),
    )
    for failed, reason in checks:
        if failed:
            return reason
    return None


def check_address(address: str) -> None:
    """Raise :class:`FetchRefused` unless ``address`` (an IP literal) is a public address."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        raise FetchRefused(f"{address!r} is not an IP address") from None
    reason = _non_public_reason(parsed)
    if reason:
        raise FetchRefused(f"{address} is {reason}; the verifier does not contact it")


class _DeadlineReader(io.RawIOBase):
    """A raw reader over a socket that re-arms the socket timeout before every ``recv``.

    http.client reads the status line, headers and body through ``sock.makefile("rb")``; giving
    it this reader instead makes each read wait at most for the time left until the deadline,
    so the deadline holds however slowly the server dribbles bytes.
    """

    def __init__(self, sock: socket.socket, deadline: float, url: str) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline
        self._url = url

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{self._url} took too long to answer")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """The subset of the socket interface http.client uses, with every read deadline-bound."""

    def __init__(self, sock: socket.socket, deadline: float, url: str) -> None:
        self._sock = sock
        self._deadline = deadline
        self._url = url

    def _arm(self) -> None:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{self._url} took too long to answer")
        self._sock.settimeout(remaining)

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        # http.client asks only for a reading file ("rb"); it sends through sendall.
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline, self._url))

    def settimeout(self, value: float | None) -> None:
        # http.client may try to set its own timeout; the deadline is ours to keep.
        pass

    def close(self) -> None:
        # http.client "closes" the connection as soon as it has the headers of a response that
        # ends with the connection, before the body is read; a real socket survives that
        # through its makefile reference count. The fetcher closes the socket itself.
        pass


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _strip_fragment(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed "[" in the host
        raise FetchRefused(f"{url} is not a readable web address") from None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


class Fetcher:
    """Fetches documents for verification, refusing what could reach internal services.

    ``seeds`` maps URLs to documents served without the network (bytes, text, or a dict sent
    as JSON). ``allow_private`` turns the address check off (a private deployment verifying
    its own intranet badges); ``allow_hosts`` turns it off for the listed host names only.
    ``timeout`` is the overall budget of one :meth:`get`, redirects included.
    """

    def __init__(
        self,
        *,
        seeds: Mapping[str, bytes | str | dict] | None = None,
        allow_private: bool = False,
        allow_hosts: Iterable[str] = (),
        max_bytes: int = 2_000_000,
        timeout: float = 10.0,
        max_redirects: int = 3,
        offline: bool = False,
        user_agent: str = "Baeji-Verifier",
    ) -> None:
        self.allow_private = allow_private
        self.allow_hosts = frozenset(h.strip().strip("[]").lower() for h in allow_hosts)
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.max_redirects = max_redirects
        self.offline = offline
        self.user_agent = user_agent
        self._seeds: dict[str, Response] = {}
        for url, content in (seeds or {}).items():
            self.seed(url, content)

    # -- seeds -----------------------------------------------------------------------------

    def seed(
        self,
        url: str,
        content: bytes | str | dict,
        content_type: str | None = None,
        *,
        status: int = 200,
    ) -> None:
        """Serve ``content`` for ``url`` without the network (also for ``url#fragment``).

        A dict is sent as JSON (``application/ld+json`` unless ``content_type`` says
        otherwise). ``status`` lets a seed stand for an error answer, such as 410 Gone.
        """
        if isinstance(content, dict):
            body = json.dumps(content).encode("utf-8")
            kind = content_type or "application/ld+json"
        elif isinstance(content, str):
            body = content.encode("utf-8")
            kind = content_type or self._guess_type(body, "text/plain; charset=utf-8")
        elif isinstance(content, bytes):
            body = content
            kind = content_type or self._guess_type(body, "application/octet-stream")
        else:
            raise TypeError("a seed must be bytes, str or dict")
        self._seeds[url] = Response(
            url=url,
            status=status,
            content_type=kind,
            body=body,
            headers={"content-type": kind, "content-length": str(len(body))},
        )

    @staticmethod
    def _guess_type(body: bytes, fallback: str) -> str:
        return "application/json" if body.lstrip()[:1] in (b"{", b"[") else fallback

    def _seeded(self, url: str) -> Response | None:
        found = self._seeds.get(url) or self._seeds.get(_strip_fragment(url))
        if found is None:
            return None
        return Response(
            found.url, found.status, found.content_type, found.body, dict(found.headers)
        )

    # -- requests --------------------------------------------------------------------------

    def get_json(self, url: str) -> Any:
        """GET ``url`` and parse JSON; :class:`FetchError` for a non-2xx status or non-JSON."""
        response = self.get(url, accept="application/ld+json, application/json;q=0.9")
        if not response.ok:
            raise FetchError(f"{url} answered HTTP {response.status}")
        return response.json()

    def get(self, url: str, *, accept: str | None = None) -> Response:
        """GET ``url`` under every guard; non-2xx statuses are returned, not raised."""
        deadline = time.monotonic() + self.timeout
        current = url
        for _hop in range(self.max_redirects + 1):
            seeded = self._seeded(current)
            if seeded is not None:
                response = seeded
            else:
                if self.offline:
                    raise FetchRefused(
                        f"{current} is not available offline (only seeded documents are served)"
                    )
                response = self._request(current, accept or _DEFAULT_ACCEPT, deadline)
            location = response.headers.get("location")
            if response.status not in _REDIRECT_STATUSES or not location:
                return response
            try:
                target = urljoin(current, location.strip())
            except ValueError:
                raise FetchError(
                    f"{current} redirected to an unreadable address {location!r}"
                ) from None
            # After the last allowed hop the loop ends with this target unrequested.
            current = _strip_fragment(target)
        raise FetchError(f"{url} redirected more than {self.max_redirects} times")

    def _target(self, url: str) -> tuple[str, str, int, str]:
        """Scheme, host, port and request path of ``url``, or FetchRefused."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            shown = scheme + ":" if scheme else "no scheme"
            raise FetchRefused(f"{url}: only http and https addresses are fetched, not {shown}")
        try:
            host = parts.hostname
            port = parts.port or _default_port(scheme)
        except ValueError:
            raise FetchRefused(f"{url} has an invalid port") from None
        if not host:
            raise FetchRefused(f"{url} names no host")
        if parts.username is not None or parts.password is not None:
            raise FetchRefused(f"{url} carries credentials; the verifier does not send them")
        try:
            # The Host header and SNI must be ASCII; IDNA is also what the resolver uses.
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise FetchRefused(f"{url} has a host name that cannot be encoded") from None
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return scheme, host, port, path

    def _vetted_addresses(self, url: str, host: str, port: int, deadline: float) -> list[tuple]:
        """Resolve ``host`` once and return its addresses, refusing any non-public one."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise FetchError(f"{url}: the host {host} cannot be resolved ({error})") from None
        if time.monotonic() >= deadline:
            raise FetchError(f"{url} took longer than {self.timeout:g} s")
        if not infos:
            raise FetchError(f"{url}: the host {host} has no address")
        trusted = self.allow_private or host in self.allow_hosts
        if not trusted:
            for info in infos:
                address = str(info[4][0]).split("%", 1)[0]
                reason = _non_public_reason(ipaddress.ip_address(address))
                if info[4][0] != address:
                    reason = reason or "a scoped IPv6 address"
                if reason:
                    raise FetchRefused(
                        f"{url} was refused: {host} resolves to {address}, {reason}; "
                        "the verifier only contacts public addresses"
                    )
        return infos

    def _connect(self, url: str, infos: list[tuple], deadline: float) -> socket.socket:
        last_error: OSError | None = None
        for family, kind, proto, _name, sockaddr in infos:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(remaining)
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        if last_error is None or isinstance(last_error, TimeoutError):
            raise FetchError(f"{url} took longer than {self.timeout:g} s to connect")
        raise FetchError(f"{url} could not be reached: {last_error}")

    def _request(self, url: str, accept: str, deadline: float) -> Response:
        scheme, host, port, path = self._target(url)
        infos = self._vetted_addresses(url, host, port, deadline)
        raw = self._connect(url, infos, deadline)
        sock: socket.socket = raw
        try:
            if scheme == "https":
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                raw.settimeout(remaining)
                context = ssl.create_default_context()
                # Connected to the vetted address; SNI and the certificate check use the name.
                sock = context.wrap_socket(raw, server_hostname=host)
            # The connection object only formats the request and parses the answer; it never
            # opens a socket itself because one is already in place.
            connection = http.client.HTTPConnection(host, port)
            connection.sock = _DeadlineSocket(sock, deadline, url)
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            shown_host = f"[{host}]" if ":" in host else host
            if port != _default_port(scheme):
                shown_host += f":{port}"
            connection.putheader("Host", shown_host)
            connection.putheader("Accept", accept)
            connection.putheader("Accept-Encoding", "identity")
            connection.putheader("User-Agent", self.user_agent)
            connection.putheader("Connection", "close")
            connection.endheaders()
            answer = connection.getresponse()
            headers = {name.lower(): value for name, value in answer.getheaders()}
            body = self._read_body(url, answer, headers)
            return Response(
                url=url,
                status=answer.status,
                content_type=headers.get("content-type", ""),
                body=body,
                headers=headers,
            )
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError(f"{url} took longer than {self.timeout:g} s") from None
        except ssl.SSLError as error:
            raise FetchError(f"{url}: TLS failed ({error.reason or error})") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"{url} failed: {error or type(error).__name__}") from None
        finally:
            sock.close()
            raw.close()

    def _read_body(
        self, url: str, answer: http.client.HTTPResponse, headers: dict[str, str]
    ) -> bytes:
        length = headers.get("content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_bytes:
            raise FetchError(
                f"{url} is too large: it announces {int(length)} bytes, the limit is "
                f"{self.max_bytes}"
            )
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = answer.read(_READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} is too large: more than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
