"""Open Badges 2.0 verification, so learners can bring the badges they already have.

:func:`verify_ob2` takes a hosted assertion (the JSON, or its URL) or a signed assertion (a
compact JWS) and returns a :class:`~baeji.credentials.report.VerificationReport` with the same
check names as the OB 3.0 verifier:

``format``
    the document is an OB 2.0 Assertion: the OB v2 ``@context``, type ``Assertion`` and the
    required properties (``id``, ``recipient``, ``badge``, ``verification``, ``issuedOn``).
``issuer``
    the BadgeClass and the issuer Profile were fetched and are well formed; the Profile really
    lives where its ``id`` says (same host as the URL it came from). For a hosted assertion, the
    assertion's ``id`` is within the issuer's verification policy (OB 2.0 "Hosted
    Verification": ``startsWith`` prefixes, ``allowedOrigins`` hosts, by default the host of the
    issuer's ``id``).
``proof``
    hosted: the document served at the assertion's ``id`` is the assertion given. Signed: the
    JWS signature verifies with the ``publicKeyPem`` of the CryptographicKey named by
    ``verification.creator``, the key's ``owner`` is the issuer, and the issuer acknowledges the
    key (lists it in ``publicKey``, or hosts it on its own host when it lists none).
``validity``
    ``issuedOn`` is not in the future; ``expires`` has not passed.
``status``
    hosted: HTTP 410 Gone at the assertion's ``id``, or ``revoked: true`` there, means revoked.
    Both kinds: the issuer's ``revocationList``, when it has one, must not list the assertion.
``recipient``
    skipped unless an e-mail address is given; then compared with ``recipient.identity``
    (hashed with its salt, or plain).

Every document is fetched through the guarded :class:`~baeji.credentials.fetch.Fetcher`; each
URL at most once per verification. Nothing here follows JSON-LD contexts: OB 2.0 documents are
read as JSON, which is how every OB 2.0 verifier in use reads them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .contexts import OB_V2
from .errors import FetchError
from .fetch import Fetcher, Response
from .identity import identity_matches
from .report import Status, VerificationReport

__all__ = ["verify_ob2"]

# The OB 2.0 context was published under both names; assertions in the wild use either.
_OB2_CONTEXTS = frozenset({OB_V2, OB_V2 + "/", "https://openbadgespec.org/v2/context.json"})
_JWS_PATTERN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_JWS_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
# Issuers' clocks are not ours; an assertion issued a moment "in the future" is clock skew.
_CLOCK_SKEW = timedelta(minutes=5)
_CHECKS = ("format", "issuer", "proof", "validity", "status", "recipient")


class _Problem(Exception):
    """A check failed: the message is for people, ``code`` and ``params`` for the report
    (see the table of codes in :mod:`baeji.credentials.report`)."""

    def __init__(self, message: str, code: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# What a check found: (status, message, code, params).
_Outcome = tuple[Status, str, str, dict[str, Any]]


@dataclass
class _Document:
    """A JSON object and the URL that vouches for it (None when given inline or embedded)."""

    data: dict[str, Any]
    url: str | None


@dataclass
class _Session:
    """One verification's fetches: every URL is asked for once, failures included."""

    fetcher: Fetcher
    _cache: dict[str, Response | FetchError] = field(default_factory=dict)

    def get(self, url: str) -> Response:
        if url not in self._cache:
            try:
                self._cache[url] = self.fetcher.get(
                    url, accept="application/ld+json, application/json;q=0.9"
                )
            except FetchError as error:
                self._cache[url] = error
        found = self._cache[url]
        if isinstance(found, FetchError):
            raise found
        return found

    def document(self, url: str, what: str) -> _Document:
        """Fetch ``url`` as a JSON object, or raise :class:`_Problem` saying what was wanted."""
        try:
            response = self.get(url)
        except FetchError as error:
            raise _Problem(
                f"The {what} could not be fetched: {error}",
                "document.unavailable",
                url=url,
                document=what,
            ) from None
        if not response.ok:
            raise _Problem(
                f"The {what} at {url} answered HTTP {response.status}.",
                "document.unavailable",
                url=url,
                document=what,
                http_status=response.status,
            )
        try:
            data = response.json()
        except FetchError as error:
            raise _Problem(
                f"The {what} is not JSON: {error}", "document.invalid", url=url, document=what
            ) from None
        if not isinstance(data, dict):
            raise _Problem(
                f"The {what} at {url} is not a JSON object.",
                "document.invalid",
                url=url,
                document=what,
            )
        return _Document(data, response.url)


@dataclass
class _Jws:
    header: dict[str, Any]
    signing_input: bytes
    signature: bytes


@dataclass
class _State:
    """What the checks learn and share."""

    assertion: dict[str, Any]
    jws: _Jws | None = None
    badge: _Document | None = None
    issuer: _Document | None = None
    hosted: Response | None = None
    hosted_document: dict[str, Any] | None = None
    hosted_error: str | None = None


# -- small helpers -----------------------------------------------------------------------------


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _types(document: dict[str, Any]) -> set[str]:
    return {t.rsplit("#", 1)[-1] for t in _as_list(document.get("type")) if isinstance(t, str)}


def _ref(value: Any) -> str | None:
    """The IRI of a reference that is either a string or an object with an ``id``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"].strip()
    return None


def _is_http(url: Any) -> bool:
    """Whether ``url`` is a readable http(s) address (the checks below rely on it before
    calling :func:`_host` or :func:`_authority`)."""
    if not isinstance(url, str):
        return False
    try:
        return urlsplit(url).scheme.lower() in ("http", "https")
    except ValueError:  # e.g. an unclosed "[" in the host
        return False


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _authority(url: str) -> str:
    """Host and, when given, port: what ``allowedOrigins`` lists."""
    netloc = urlsplit(url).netloc.rsplit("@", 1)[-1].lower()
    return netloc


def _parse_datetime(value: Any, name: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise _Problem(f"{name} is not a date and time.", "validity.invalid_date")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _Problem(
            f"{name} {value!r} is not an ISO 8601 date and time.", "validity.invalid_date"
        ) from None
    # OB 2.0 asks for a time zone; a missing one is read as UTC rather than local server time.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _plain_text(value: Any) -> str:
    """A document's value as text for a check's params (which hold only JSON values)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _verification_type(assertion: dict[str, Any]) -> str | None:
    verification = assertion.get("verification")
    kind = verification.get("type") if isinstance(verification, dict) else None
    for value in _as_list(kind):
        if not isinstance(value, str):
            continue
        short = value.rsplit("#", 1)[-1].rsplit(":", 1)[-1].lower()
        if short in ("hosted", "hostedbadge"):
            return "hosted"
        if short in ("signed", "signedbadge"):
            return "signed"
    return None


# -- loading the source ------------------------------------------------------------------------


def _parse_jws(token: str) -> tuple[_Jws, dict[str, Any]]:
    head, payload, signature = token.split(".")
    try:
        header = json.loads(_b64url(head))
        assertion = json.loads(_b64url(payload).decode("utf-8"))
        raw_signature = _b64url(signature)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _Problem("The signed assertion is not a readable JWS.", "format.unreadable") from None
    if not isinstance(header, dict) or not isinstance(assertion, dict):
        raise _Problem(
            "The signed assertion's JWS header or payload is not a JSON object.",
            "format.unreadable",
        )
    jws = _Jws(header, f"{head}.{payload}".encode("ascii"), raw_signature)
    return jws, assertion


def _load(source: dict | str, session: _Session, report: VerificationReport) -> _State | None:
    """Turn the source into an assertion; on failure add the reason to ``report``."""
    if isinstance(source, dict):
        return _State(dict(source))
    if not isinstance(source, str):
        report.add(
            "format",
            "fail",
            "Give an assertion as JSON, as its URL, or as a signed JWS.",
            code="format.unreadable",
        )
        return None
    text = source.strip()
    try:
        if text.startswith("{"):
            try:
                # Text that starts with "{" and parses is always a JSON object.
                return _State(json.loads(text))
            except ValueError as error:
                raise _Problem(
                    f"The assertion is not valid JSON: {error}", "format.unreadable"
                ) from None
        if _JWS_PATTERN.match(text):
            jws, assertion = _parse_jws(text)
            return _State(assertion, jws=jws)
        if _is_http(text):
            try:
                response = session.get(text)
            except FetchError as error:
                raise _Problem(
                    f"The assertion could not be fetched: {error}",
                    "document.unavailable",
                    url=text,
                    document="assertion",
                ) from None
            if response.status == 410:
                report.add(
                    "format",
                    "fail",
                    f"{text} is gone (HTTP 410): nothing to verify.",
                    code="format.gone",
                    params={"url": text},
                )
                report.add(
                    "status",
                    "fail",
                    f"Revoked: the issuer answers 410 Gone at {text}.",
                    code="status.revoked_gone",
                    params={"url": text},
                )
                return None
            document = session.document(text, "assertion")
            return _State(document.data)
        raise _Problem(
            "This is not an Open Badges 2.0 assertion: expected JSON, a URL or a JWS.",
            "format.unreadable",
        )
    except _Problem as problem:
        report.add("format", "fail", str(problem), code=problem.code, params=problem.params)
        return None


# -- checks ------------------------------------------------------------------------------------


def _check_format(state: _State) -> _Outcome:
    assertion = state.assertion
    problems = []
    contexts = _as_list(assertion.get("@context"))
    if not any(isinstance(c, str) and c in _OB2_CONTEXTS for c in contexts):
        problems.append(f"its @context does not include {OB_V2}")
    if "Assertion" not in _types(assertion):
        problems.append("its type is not Assertion")
    if not isinstance(assertion.get("id"), str) or not assertion["id"].strip():
        problems.append("it has no id")
    recipient = assertion.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("identity"), str):
        problems.append("it has no recipient identity")
    elif not isinstance(recipient.get("type"), str):
        problems.append("its recipient has no type")
    elif "hashed" in recipient and not isinstance(recipient["hashed"], bool):
        problems.append("recipient.hashed is not true or false")
    if _ref(assertion.get("badge")) is None and not isinstance(assertion.get("badge"), dict):
        problems.append("it names no badge")
    kind = _verification_type(assertion)
    if kind is None:
        problems.append("its verification type is neither hosted nor signed")
    elif state.jws is not None and kind != "signed":
        problems.append("it was given as a JWS but its verification type is not signed")
    if "issuedOn" not in assertion:
        problems.append("it has no issuedOn")
    for name in ("issuedOn", "expires"):
        if name in assertion:
            try:
                _parse_datetime(assertion[name], name)
            except _Problem as problem:
                problems.append(str(problem).rstrip("."))
    if problems:
        raise _Problem(
            "This is not a valid Open Badges 2.0 assertion: " + "; ".join(problems) + ".",
            "format.invalid",
        )
    if state.jws is None:
        return (
            "pass",
            f"An Open Badges 2.0 assertion, {kind} verification.",
            "format.ob2",
            {"verification": kind},
        )
    return "pass", "An Open Badges 2.0 signed assertion (JWS).", "format.ob2_jws", {}


def _resolve_badge(state: _State, session: _Session) -> _Document:
    badge = state.assertion.get("badge")
    url = _ref(badge)
    if isinstance(badge, dict) and not _is_http(url):
        document = _Document(badge, None)
        where = "embedded in the assertion"
    elif url is not None and _is_http(url):
        document = session.document(url, "BadgeClass")
        where = f"at {url}"
    else:
        raise _Problem(f"The badge {url!r} is not an http(s) address.", "issuer.badge_invalid")
    data = document.data
    if "BadgeClass" not in _types(data):
        raise _Problem(f"The badge {where} is not a BadgeClass.", "issuer.badge_invalid")
    missing = [
        name
        for name in ("name", "description", "image", "criteria", "issuer")
        if not data.get(name)
    ]
    if missing:
        raise _Problem(
            f"The BadgeClass {where} lacks {', '.join(missing)}.",
            "issuer.badge_invalid",
            missing=missing,
        )
    return document


def _resolve_issuer(badge: _Document, session: _Session) -> tuple[_Document, list[str]]:
    """The issuer Profile, fetched from where it lives, and any warnings about it."""
    reference = badge.data.get("issuer")
    url = _ref(reference)
    warnings: list[str] = []
    if url is not None and _is_http(url):
        # An embedded profile with an http id is fetched from that id too: its contents (keys,
        # verification policy) must come from the issuer, not from whoever embedded it.
        document = session.document(url, "issuer profile")
    elif isinstance(reference, dict):
        # Only an embedded profile can lack an http id; the checks below warn about it.
        document = _Document(reference, None)
    else:
        raise _Problem(
            f"The BadgeClass names its issuer as {url!r}, not an http(s) address.",
            "issuer.profile_invalid",
        )
    data = document.data
    if not ({"Issuer", "Profile"} & _types(data)):
        raise _Problem(
            f"The issuer document {url} is not an Issuer Profile.", "issuer.profile_invalid"
        )
    issuer_id = data.get("id")
    if not isinstance(issuer_id, str) or not issuer_id:
        raise _Problem(f"The issuer profile at {url} has no id.", "issuer.profile_invalid")
    if not data.get("name"):
        raise _Problem(f"The issuer profile {issuer_id} has no name.", "issuer.profile_invalid")
    if document.url is not None and _is_http(issuer_id) and _host(issuer_id) != _host(document.url):
        raise _Problem(
            f"The issuer profile fetched from {document.url} claims the id {issuer_id} on "
            "another host.",
            "issuer.profile_wrong_host",
            url=document.url,
            issuer=issuer_id,
        )
    if not _is_http(issuer_id):
        warnings.append(f"the issuer id {issuer_id} is not an http(s) address")
    for name in ("url", "email"):
        if not data.get(name):
            warnings.append(f"the issuer profile has no {name}")
    return document, warnings


def _policy(issuer: _Document, session: _Session) -> dict[str, Any]:
    policy = issuer.data.get("verification")
    if isinstance(policy, str) and _is_http(policy):
        return session.document(policy, "issuer verification policy").data
    return policy if isinstance(policy, dict) else {}


def _check_hosted_scope(assertion_id: str, issuer: _Document, session: _Session) -> str | None:
    """Apply the issuer's hosted verification policy; a warning text or None when it passes."""
    policy = _policy(issuer, session)
    prop = policy.get("verificationProperty", "id")
    if prop not in ("id", "@id"):
        raise _Problem(
            f"The issuer's verification policy uses {prop!r}; only id is supported.",
            "issuer.policy_unsupported",
        )
    prefixes = [p for p in _as_list(policy.get("startsWith")) if isinstance(p, str)]
    if prefixes and not any(assertion_id.startswith(prefix) for prefix in prefixes):
        raise _Problem(
            f"The assertion id {assertion_id} does not start with any prefix the issuer allows "
            f"({', '.join(prefixes)}).",
            "issuer.out_of_scope",
            assertion=assertion_id,
        )
    issuer_id = issuer.data["id"]
    if "allowedOrigins" in policy and policy["allowedOrigins"] is not None:
        origins = [
            o.strip().lower() for o in _as_list(policy["allowedOrigins"]) if isinstance(o, str)
        ]
    elif _is_http(issuer_id):
        origins = [_authority(issuer_id)]
    else:
        return f"the issuer {issuer_id} has no web address to check the assertion's host against"
    if _authority(assertion_id) not in origins:
        raise _Problem(
            f"The assertion {assertion_id} is not hosted on an origin the issuer allows "
            f"({', '.join(origins) or 'none'}).",
            "issuer.out_of_scope",
            assertion=assertion_id,
        )
    return None


def _check_issuer(state: _State, session: _Session) -> _Outcome:
    state.badge = _resolve_badge(state, session)
    state.issuer, warnings = _resolve_issuer(state.badge, session)
    issuer_id = state.issuer.data["id"]
    if _verification_type(state.assertion) == "hosted":
        assertion_id = state.assertion["id"]
        if not _is_http(assertion_id):
            raise _Problem(
                f"A hosted assertion needs an http(s) id, not {assertion_id!r}.",
                "hosted.id_invalid",
            )
        scope_warning = _check_hosted_scope(assertion_id, state.issuer, session)
        if scope_warning:
            warnings.append(scope_warning)
    name = state.issuer.data.get("name")
    message = f"Badge {state.badge.data.get('name')!r} issued by {name!r} ({issuer_id})."
    params = {
        "badge": _plain_text(state.badge.data.get("name")),
        "issuer_name": _plain_text(name),
        "issuer": issuer_id,
    }
    if warnings:
        return "warn", message + " But " + "; ".join(warnings) + ".", "issuer.ob2_warnings", params
    return "pass", message, "issuer.ob2", params


_MUTABLE = ("revoked", "revocationReason")


def _check_hosted_proof(state: _State, session: _Session) -> _Outcome:
    assertion_id = state.assertion["id"]
    if not _is_http(assertion_id):
        raise _Problem(
            f"A hosted assertion needs an http(s) id, not {assertion_id!r}.", "hosted.id_invalid"
        )
    try:
        response = session.get(assertion_id)
    except FetchError as error:
        state.hosted_error = str(error)
        raise _Problem(
            f"The hosted assertion could not be fetched: {error}",
            "hosted.unavailable",
            url=assertion_id,
        ) from None
    state.hosted = response
    if response.status == 410:
        return (
            "skip",
            f"The issuer no longer hosts the assertion at {assertion_id} (410 Gone).",
            "proof.gone",
            {"url": assertion_id},
        )
    if not response.ok:
        state.hosted_error = f"HTTP {response.status}"
        raise _Problem(
            f"The issuer does not host the assertion at {assertion_id} (HTTP {response.status}).",
            "hosted.unavailable",
            url=assertion_id,
            http_status=response.status,
        )
    try:
        hosted = response.json()
    except FetchError as error:
        state.hosted_error = str(error)
        raise _Problem(str(error), "hosted.invalid", url=assertion_id) from None
    if not isinstance(hosted, dict):
        state.hosted_error = "not a JSON object"
        raise _Problem(
            f"The document at {assertion_id} is not an assertion.",
            "hosted.invalid",
            url=assertion_id,
        )

    # Revocation changes the hosted copy on purpose; that is the status check's business.
    def comparable(document: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in document.items() if k not in _MUTABLE}

    if comparable(hosted) != comparable(state.assertion):
        state.hosted_error = "it differs from the one given"
        raise _Problem(
            f"The assertion hosted at {assertion_id} differs from the one given.",
            "proof.hosted_differs",
            url=assertion_id,
        )
    # The hosted copy is authoritative for revocation, whatever the given copy says.
    state.hosted_document = hosted
    return (
        "pass",
        f"The issuer hosts this assertion at {assertion_id}.",
        "proof.hosted",
        {"url": assertion_id},
    )


def _load_key(document: _Document, url: str) -> rsa.RSAPublicKey:
    data = document.data
    if "CryptographicKey" not in _types(data) and "Key" not in _types(data):
        raise _Problem(
            f"The document at {url} is not a CryptographicKey.", "proof.key_invalid", key=url
        )
    key_id = data.get("id")
    if isinstance(key_id, str) and _is_http(key_id) and _host(key_id) != _host(document.url or url):
        raise _Problem(
            f"The key fetched from {url} claims the id {key_id} on another host.",
            "proof.key_invalid",
            key=url,
        )
    pem = data.get("publicKeyPem")
    if not isinstance(pem, str):
        raise _Problem(
            f"The CryptographicKey at {url} has no publicKeyPem.", "proof.key_invalid", key=url
        )
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise _Problem(
            f"The publicKeyPem at {url} is not a readable public key.",
            "proof.key_invalid",
            key=url,
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise _Problem(
            f"The key at {url} is not an RSA key, as Open Badges 2.0 requires.",
            "proof.key_invalid",
            key=url,
        )
    return key


def _signature_verifies(jws: _Jws, key: rsa.RSAPublicKey, algorithm: hashes.HashAlgorithm) -> bool:
    try:
        key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return False
    return True


def _check_key_owner(key_doc: _Document, key_url: str, issuer: _Document | None) -> None:
    if issuer is None:
        raise _Problem(
            "The signature verifies, but the issuer is unknown, so the key's owner "
            "cannot be confirmed.",
            "proof.key_not_issuer",
            key=key_url,
        )
    issuer_id = issuer.data["id"]
    owner = _ref(key_doc.data.get("owner"))
    if owner != issuer_id:
        raise _Problem(
            f"The signing key {key_url} belongs to {owner or 'nobody'}, not to the issuer "
            f"{issuer_id}.",
            "proof.key_not_issuer",
            key=key_url,
            issuer=issuer_id,
        )
    if issuer.url is None:
        raise _Problem(
            f"The issuer {issuer_id} is not hosted, so it cannot confirm the key.",
            "proof.key_not_issuer",
            key=key_url,
            issuer=issuer_id,
        )
    listed = {_ref(k) for k in _as_list(issuer.data.get("publicKey"))}
    key_ids = {key_url, key_doc.data.get("id")}
    if listed:
        if not listed & key_ids:
            raise _Problem(
                f"The issuer {issuer_id} does not list the key {key_url}.",
                "proof.key_not_issuer",
                key=key_url,
                issuer=issuer_id,
            )
    elif _host(key_url) != _host(issuer.url):
        raise _Problem(
            f"The issuer {issuer_id} lists no keys and {key_url} is on another host, so nothing "
            "ties the key to the issuer.",
            "proof.key_not_issuer",
            key=key_url,
            issuer=issuer_id,
        )


def _check_signed_proof(state: _State, session: _Session) -> _Outcome:
    jws = state.jws
    if jws is None:
        raise _Problem(
            "This assertion says it is signed; verify it from its JWS, not its JSON.",
            "proof.needs_jws",
        )
    algorithm_name = jws.header.get("alg")
    if algorithm_name not in _JWS_HASHES:
        raise _Problem(
            f"The JWS algorithm {algorithm_name!r} is not allowed; use RS256.",
            "proof.bad_algorithm",
            alg=str(algorithm_name),
        )
    algorithm = _JWS_HASHES[algorithm_name]()
    creator = _ref((state.assertion.get("verification") or {}).get("creator"))
    if creator is not None:
        candidates = [creator]
    elif state.issuer is not None:
        candidates = [
            k for k in (_ref(v) for v in _as_list(state.issuer.data.get("publicKey"))) if k
        ]
    else:
        candidates = []
    if not candidates:
        raise _Problem("The assertion names no signing key (verification.creator).", "proof.no_key")
    failures = []
    for key_url in candidates:
        if not _is_http(key_url):
            failures.append(f"{key_url} is not an http(s) address")
            continue
        try:
            key_doc = session.document(key_url, "signing key")
            key = _load_key(key_doc, key_url)
        except _Problem as problem:
            # With no creator named, one unusable key of the issuer must not hide another.
            failures.append(str(problem).rstrip("."))
            continue
        if not _signature_verifies(jws, key, algorithm):
            failures.append(f"the signature does not verify with {key_url}")
            continue
        _check_key_owner(key_doc, key_url, state.issuer)
        issuer_id = state.issuer.data["id"] if state.issuer else ""
        return (
            "pass",
            f"The {algorithm_name} signature verifies with {key_url}, a key of the issuer "
            f"{issuer_id}.",
            "proof.signed",
            {"alg": algorithm_name, "key": key_url, "issuer": issuer_id},
        )
    raise _Problem("The signature is not valid: " + "; ".join(failures) + ".", "proof.failed")


def _check_validity(state: _State, at: datetime) -> _Outcome:
    issued = _parse_datetime(state.assertion.get("issuedOn"), "issuedOn")
    expires = None
    if "expires" in state.assertion:
        expires = _parse_datetime(state.assertion["expires"], "expires")
        if expires < issued:
            raise _Problem(
                f"It expires ({expires.isoformat()}) before it was issued.",
                "validity.expires_before_issued",
                valid_from=issued.isoformat(),
                valid_until=expires.isoformat(),
            )
    if issued > at + _CLOCK_SKEW:
        raise _Problem(
            f"Not yet valid: issued in the future ({issued.isoformat()}).",
            "validity.not_yet_valid",
            valid_from=issued.isoformat(),
        )
    if expires is None:
        return (
            "pass",
            f"Issued {issued.isoformat()}; it does not expire.",
            "validity.no_expiry",
            {"valid_from": issued.isoformat()},
        )
    if expires <= at:
        raise _Problem(
            f"Expired on {expires.isoformat()}.",
            "validity.expired",
            valid_until=expires.isoformat(),
        )
    return (
        "pass",
        f"Issued {issued.isoformat()}; valid until {expires.isoformat()}.",
        "validity.valid",
        {"valid_from": issued.isoformat(), "valid_until": expires.isoformat()},
    )


def _revocation_entry(entries: list[Any], assertion: dict[str, Any]) -> dict[str, Any] | None:
    ids = {assertion.get("id")}
    uid = assertion.get("uid")
    for entry in entries:
        if isinstance(entry, str) and entry in ids:
            return {"id": entry}
        if isinstance(entry, dict) and (
            entry.get("id") in ids or (uid is not None and entry.get("uid") == uid)
        ):
            return entry
    return None


def _check_status(state: _State, session: _Session) -> _Outcome:
    assertion = state.assertion
    hosted = _verification_type(assertion) == "hosted"
    if hosted and state.hosted is not None and state.hosted.status == 410:
        raise _Problem(
            f"Revoked: the issuer answers 410 Gone at {assertion['id']}.",
            "status.revoked_gone",
            url=assertion["id"],
        )
    for document in (state.hosted_document, assertion):
        if document is not None and document.get("revoked") is True:
            reason = document.get("revocationReason")
            raise _Problem(
                "Revoked" + (f": {reason}" if reason else " by the issuer."),
                "status.revoked",
                **({"reason": _plain_text(reason)} if reason else {}),
            )
    checked = []
    if hosted and state.hosted_document is not None:
        # Only a hosted copy that was read and matched can vouch for "not revoked".
        checked.append("the hosted assertion is not marked revoked")
    list_url = _ref(state.issuer.data.get("revocationList")) if state.issuer else None
    if list_url:
        if not _is_http(list_url):
            raise _Problem(
                f"The issuer's revocation list {list_url!r} is not an http(s) address.",
                "status.list_invalid",
                url=list_url,
            )
        data = session.document(list_url, "revocation list").data
        if "RevocationList" not in _types(data):
            raise _Problem(
                f"The document at {list_url} is not a RevocationList.",
                "status.list_invalid",
                url=list_url,
            )
        entry = _revocation_entry(_as_list(data.get("revokedAssertions")), assertion)
        if entry is not None:
            reason = entry.get("revocationReason")
            raise _Problem(
                "Revoked: the issuer's revocation list names this assertion"
                + (f" ({reason})." if reason else "."),
                "status.revoked",
                **({"reason": _plain_text(reason)} if reason else {}),
            )
        checked.append("the issuer's revocation list does not name it")
    if checked:
        return "pass", "Not revoked: " + " and ".join(checked) + ".", "status.not_revoked", {}
    if hosted and state.hosted_error is not None:
        return (
            "skip",
            f"Revocation was not checked: the hosted assertion could not be used "
            f"({state.hosted_error}).",
            "status.not_checked",
            {},
        )
    return (
        "skip",
        "The issuer publishes no revocation list, so revocation cannot be checked.",
        "status.no_list",
        {},
    )


def _check_recipient(state: _State, email: str | None) -> _Outcome:
    if email is None:
        return (
            "skip",
            "No recipient e-mail address was given to compare.",
            "recipient.no_email",
            {},
        )
    # The format check (which must pass first) made sure the recipient identity is text.
    recipient = state.assertion["recipient"]
    identity = recipient["identity"]
    kind = recipient.get("type", "email")
    hashed = recipient.get("hashed") is True
    if hashed and "$" not in identity:
        raise _Problem(
            "The recipient identity says it is hashed but is not an alg$hash value.",
            "recipient.invalid",
        )
    salt = recipient.get("salt") if isinstance(recipient.get("salt"), str) else None
    candidate = email if hashed else email.strip()
    if identity_matches(candidate, identity, salt) or (
        not hashed and identity.strip().lower() == email.strip().lower()
    ):
        return "pass", f"The badge was awarded to {email}.", "recipient.matched", {"email": email}
    if kind != "email":
        raise _Problem(
            f"The badge's recipient is identified by {kind}, and {email} does not match.",
            "recipient.mismatch",
            email=email,
            identity_type=str(kind),
        )
    raise _Problem(f"The badge was not awarded to {email}.", "recipient.mismatch", email=email)


def _run(report: VerificationReport, name: str, check: Any, *args: Any) -> bool:
    """Run one check, record it, and say whether it did not fail."""
    try:
        status, message, code, params = check(*args)
    except _Problem as problem:
        report.add(name, "fail", str(problem), code=problem.code, params=problem.params)
        return False
    report.add(name, status, message, code=code, params=params)
    return True


def verify_ob2(
    source: dict | str,
    *,
    fetcher: Fetcher,
    at: datetime | None = None,
    email: str | None = None,
) -> VerificationReport:
    """Verify an Open Badges 2.0 assertion and report each named check.

    ``source`` is a hosted assertion (a dict, or JSON text), the URL of a hosted assertion, or
    a signed assertion as a compact JWS. ``at`` is the moment to judge dates against (now by
    default). ``email``, when given, is compared with the recipient identity. Everything
    remote is fetched with ``fetcher``. ``report.credential`` is the assertion as read.
    """
    report = VerificationReport(format="ob2")
    now = at or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    session = _Session(fetcher)
    state = _load(source, session, report)
    if state is None:
        return report
    report.credential = state.assertion
    if not _run(report, "format", _check_format, state):
        for name in _CHECKS[1:]:
            report.add(
                name,
                "skip",
                "Not checked: the document is not an Open Badges 2.0 assertion.",
                code="not_checked.format_failed",
            )
        return report
    _run(report, "issuer", _check_issuer, state, session)
    if _verification_type(state.assertion) == "signed":
        _run(report, "proof", _check_signed_proof, state, session)
    else:
        _run(report, "proof", _check_hosted_proof, state, session)
    _run(report, "validity", _check_validity, state, now)
    _run(report, "status", _check_status, state, session)
    _run(report, "recipient", _check_recipient, state, email)
    return report
