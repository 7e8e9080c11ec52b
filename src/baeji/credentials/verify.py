"""Verify a credential and say, check by check, what holds.

:func:`verify` accepts an Open Badges 3.0 credential as JSON (text, bytes or a parsed object),
as a compact JWS (VC-JWT), or baked into a PNG or SVG; and an Open Badges 2.0 assertion as JSON,
a hosted assertion URL, a JWS or a baked image. It returns a
:class:`~baeji.credentials.report.VerificationReport` whose named checks are, for OB 3.0:

``format``        the document parses and is a VC 2.0 Open Badges credential
``schema``        it matches each bundled JSON Schema its ``credentialSchema`` names
``proof``         every proof verifies (Data Integrity ``eddsa-rdfc-2022`` or VC-JWT)
``issuer``        the signing key is controlled by ``issuer.id`` and allowed to assert
``validity``      the time given (default: now) lies in ``validFrom`` .. ``validUntil``
``status``        no status list marks it revoked or suspended (each list's own proof verified)
``recipient``     when an e-mail address is given, it matches the salted identity hash
``endorsements``  each embedded ``EndorsementCredential`` verifies on its own

A CLR 2.0 ``ClrCredential`` gets the same checks plus ``inner credentials`` (each credential
it carries verifies on its own) and ``associations`` (see :mod:`baeji.credentials.clr`).

Every network access (did:web, status lists, OB 2.0 documents) goes through the one guarded
:class:`~baeji.credentials.fetch.Fetcher`; a fetcher seeded with local documents verifies offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from baeji.credentials import keys, model, ob2, schemas, status
from baeji.credentials.bake import unbake
from baeji.credentials.contexts import VC_V1, VC_V2
from baeji.credentials.errors import CredentialError, FetchError
from baeji.credentials.fetch import Fetcher
from baeji.credentials.identity import identity_matches
from baeji.credentials.report import VerificationReport
from baeji.credentials.suites import eddsa_rdfc_2022, vc_jwt

_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CREDENTIAL_TYPES = {
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
    "ClrCredential",
}
_OB2_CONTEXTS = {"https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json"}
_CRYPTOSUITES = {"eddsa-rdfc-2022", "eddsa-2022"}
_MAX_ENDORSEMENT_DEPTH = 2


def verify(
    data: bytes | str | dict[str, Any],
    *,
    fetcher: Fetcher | None = None,
    at: datetime | None = None,
    email: str | None = None,
) -> VerificationReport:
    """Verify ``data`` and return a report of named checks (see the module docstring).

    ``fetcher`` defaults to a new guarded :class:`Fetcher`; pass one seeded with local
    documents (or ``offline=True``) to verify without the network. ``at`` is the time the
    validity window is checked at (default: now). ``email``, when given, is checked against
    the credential's hashed recipient identity.
    """
    fetcher = fetcher or Fetcher()
    at = at or datetime.now(UTC)
    report = VerificationReport()
    try:
        kind, value, source_format = _read_input(data, fetcher)
    except CredentialError as error:
        report.add("format", "fail", str(error), code="format.unreadable")
        return report
    if kind == "ob2":
        ob2_report = ob2.verify_ob2(value, fetcher=fetcher, at=at, email=email)
        ob2_report.format = source_format if source_format != "json" else "ob2"
        return ob2_report
    report.format = source_format
    if kind == "jwt":
        _verify_jwt(value, report, fetcher=fetcher, at=at, email=email)
    else:
        _verify_document(value, report, fetcher=fetcher, at=at, email=email, depth=0)
    return report


# -- reading the input ------------------------------------------------------------------------


def _read_input(data: bytes | str | dict[str, Any], fetcher: Fetcher) -> tuple[str, Any, str]:
    """Return (kind, value, format): kind is ``ob3`` (dict), ``jwt`` (str) or ``ob2``."""
    if isinstance(data, dict):
        return _classify(data, "json")
    if isinstance(data, bytes):
        head = data.lstrip()[:512]
        if data.startswith(_PNG_MAGIC) or (head.startswith(b"<") and b"<svg" in data[:4096]):
            baked = unbake(data)
            image_format = "png" if data.startswith(_PNG_MAGIC) else "svg"
            if baked.kind == "ob2":
                return "ob2", _ob2_value(baked.value, baked.format), image_format
            if baked.format == "jws":
                return "jwt", baked.value, image_format
            return "ob3", _parse_json(baked.value), image_format
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CredentialError(
                "the input is neither UTF-8 text (JSON or a JWT) nor a PNG or SVG image"
            ) from None
        return _read_input(text, fetcher)
    text = data.strip()
    if not text:
        raise CredentialError("the input is empty")
    if text.startswith("{"):
        return _classify(_parse_json(text), "json")
    if _JWS.match(text):
        header = _jws_header(text)
        payload = _jws_payload(text)
        if _is_ob2(payload):
            return "ob2", text, "jws"
        if "vc" in payload or "@context" in payload or header.get("typ") in {"JWT", "vc+jwt"}:
            return "jwt", text, "jwt"
        return "ob2", text, "jws"
    if text.startswith(("https://", "http://")):
        response = fetcher.get(text, accept="application/ld+json, application/json")
        if response.status == 410:
            return "ob2", text, "url"
        if response.status >= 400:
            raise CredentialError(f"{text} answered HTTP {response.status}")
        document = response.json()
        if not isinstance(document, dict):
            raise CredentialError(f"{text} did not return a JSON object")
        kind, value, _ = _classify(document, "url")
        return kind, (text if kind == "ob2" else value), "url"
    raise CredentialError("the input is not JSON, a compact JWS, a URL, or a PNG or SVG image")


def _classify(document: dict[str, Any], source_format: str) -> tuple[str, Any, str]:
    return ("ob2" if _is_ob2(document) else "ob3"), document, source_format


def _is_ob2(document: dict[str, Any]) -> bool:
    context = document.get("@context")
    contexts_given = context if isinstance(context, list) else [context]
    return any(c in _OB2_CONTEXTS for c in contexts_given if isinstance(c, str))


def _ob2_value(value: str, value_format: str) -> Any:
    if value_format == "json":
        return _parse_json(value)
    return value.strip()


def _parse_json(text: str) -> dict[str, Any]:
    # Only called for text that starts with "{" (or that unbake already found to be a JSON
    # object), so whatever parses is an object.
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CredentialError(f"the input is not valid JSON: {error}") from None


def _jws_part(token: str, index: int) -> dict[str, Any]:
    import base64

    part = token.split(".")[index]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, json.JSONDecodeError):
        raise CredentialError("the input looks like a JWS but its parts are not JSON") from None
    if not isinstance(decoded, dict):
        raise CredentialError("the JWS header or payload is not a JSON object")
    return decoded


def _jws_header(token: str) -> dict[str, Any]:
    return _jws_part(token, 0)


def _jws_payload(token: str) -> dict[str, Any]:
    return _jws_part(token, 1)


# -- OB 3.0 ------------------------------------------------------------------------------------


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    return None


def _is_clr(credential: dict[str, Any]) -> bool:
    types = credential.get("type")
    return "ClrCredential" in (types if isinstance(types, list) else [types])


def _check_clr(
    credential: dict[str, Any], report: VerificationReport, *, fetcher: Fetcher, at: datetime
) -> None:
    if _is_clr(credential):
        # Imported here because clr.py builds on this module.
        from baeji.credentials import clr

        clr.check_clr_contents(credential, report, fetcher=fetcher, at=at)


def _check_format(credential: dict[str, Any], report: VerificationReport) -> bool:
    if _is_clr(credential):
        from baeji.credentials import clr

        return clr.check_format(credential, report)
    context = credential.get("@context")
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    problems = []
    if not isinstance(context, list) or not context:
        problems.append("@context is missing")
    elif context[0] not in (VC_V2, VC_V1):
        problems.append(f"the first @context must be {VC_V2}, not {context[0]!r}")
    if "VerifiableCredential" not in types:
        problems.append("type does not include VerifiableCredential")
    if not _CREDENTIAL_TYPES & set(t for t in types if isinstance(t, str)):
        problems.append("type names no Open Badges credential (OpenBadgeCredential ...)")
    if _issuer_id(credential) is None:
        problems.append("issuer (with an id) is missing")
    if not isinstance(credential.get("credentialSubject"), dict | list):
        problems.append("credentialSubject is missing")
    # Only a VC 1.1 document starts with issuanceDate; for anything else, name the VC 2.0 term.
    is_v1 = isinstance(context, list) and bool(context) and context[0] == VC_V1
    start_key = "issuanceDate" if is_v1 else "validFrom"
    if not credential.get(start_key) and not credential.get("validFrom"):
        problems.append(f"{start_key} is missing")
    if problems:
        report.add("format", "fail", "; ".join(problems), code="format.invalid")
        return False
    if is_v1:
        report.add(
            "format",
            "warn",
            "a Verifiable Credentials 1.1 document; Open Badges 3.0 now uses VC 2.0",
            code="format.vc1",
        )
    else:
        report.add(
            "format",
            "pass",
            "a Verifiable Credentials 2.0 Open Badges credential",
            code="format.ob3",
        )
    return True


def _check_schema(credential: dict[str, Any], report: VerificationReport) -> None:
    entries = credential.get("credentialSchema")
    if not entries:
        report.add("schema", "skip", "the credential names no JSON Schema", code="schema.none")
        return
    entries = entries if isinstance(entries, list) else [entries]
    checked, unknown, errors = [], [], []
    for entry in entries:
        schema_id = entry.get("id") if isinstance(entry, dict) else None
        if schema_id not in schemas.manifest():
            unknown.append(str(schema_id))
            continue
        checked.append(schema_id.rsplit("/", 1)[-1])
        errors.extend(model.schema_errors(credential, schema_id))
    if errors:
        report.add(
            "schema",
            "fail",
            "; ".join(errors[:5]),
            code="schema.failed",
            params={"count": len(errors)},
        )
    elif checked:
        extra = f" ({len(unknown)} other schema(s) not bundled, not checked)" if unknown else ""
        report.add(
            "schema",
            "pass",
            f"matches {', '.join(checked)}{extra}",
            code="schema.passed",
            params={"schemas": checked, "unchecked": unknown},
        )
    else:
        report.add(
            "schema",
            "warn",
            f"schema(s) not bundled, not checked: {', '.join(unknown)}",
            code="schema.not_bundled",
            params={"unchecked": unknown},
        )


def _fetch_json(fetcher: Fetcher) -> Callable[[str], dict[str, Any]]:
    def fetch_json(url: str) -> dict[str, Any]:
        document = fetcher.get_json(url)
        if not isinstance(document, dict):
            raise FetchError(f"{url} did not return a JSON object")
        return document

    return fetch_json


def _check_data_integrity(
    credential: dict[str, Any], report: VerificationReport, fetcher: Fetcher
) -> bool:
    try:
        proofs = eddsa_rdfc_2022.proof_of(credential)
    except CredentialError as error:
        report.add("proof", "fail", str(error), code="proof.invalid")
        report.add("issuer", "skip", "no proof to bind the issuer to", code="issuer.not_checked")
        return False
    if not proofs:
        report.add("proof", "fail", "the credential has no proof", code="proof.missing")
        report.add("issuer", "skip", "no proof to bind the issuer to", code="issuer.not_checked")
        return False
    document = {k: v for k, v in credential.items() if k != "proof"}
    issuer_id = _issuer_id(credential)
    verified = 0
    # Each failure with its code and params; the check takes the first one's code.
    failures: list[tuple[str, str, dict[str, Any]]] = []
    binding_failures: list[tuple[str, str, dict[str, Any]]] = []
    for proof in proofs:
        suite = proof.get("cryptosuite") if isinstance(proof, dict) else None
        if not isinstance(proof, dict) or proof.get("type") != "DataIntegrityProof":
            kind = proof.get("type") if isinstance(proof, dict) else proof
            failures.append((f"unsupported proof type {kind!r}", "proof.unsupported", {}))
            continue
        if suite not in _CRYPTOSUITES:
            failures.append((f"unsupported cryptosuite {suite!r}", "proof.unsupported", {}))
            continue
        if proof.get("proofPurpose") != "assertionMethod":
            failures.append(
                (
                    f"proof purpose is {proof.get('proofPurpose')!r}, not assertionMethod",
                    "proof.wrong_purpose",
                    {},
                )
            )
            continue
        method_id = str(proof.get("verificationMethod", ""))
        try:
            method = keys.resolve_verification_method(
                method_id, fetch_json=_fetch_json(fetcher), purpose="assertionMethod"
            )
        except CredentialError as error:
            failures.append((str(error), "proof.key_unresolved", {"key": method_id}))
            continue
        try:
            eddsa_rdfc_2022.verify_proof(document, proof, public_key=method.public_key)
        except CredentialError as error:
            failures.append((str(error), "proof.failed", {}))
            continue
        if method.controller != issuer_id:
            binding_failures.append(
                (
                    f"the key {method.id} is controlled by {method.controller}, not by the "
                    f"issuer {issuer_id}",
                    "issuer.wrong_key",
                    {"key": method.id, "controller": method.controller, "issuer": issuer_id},
                )
            )
            continue
        if method.revoked:
            binding_failures.append(
                (
                    f"the issuer revoked the key {method.id} ({method.revoked})",
                    "issuer.key_revoked",
                    {"key": method.id, "revoked": str(method.revoked), "issuer": issuer_id},
                )
            )
            continue
        verified += 1
    if failures:
        report.add(
            "proof",
            "fail",
            "; ".join(text for text, _code, _params in failures),
            code=failures[0][1],
            params=failures[0][2],
        )
    else:
        report.add(
            "proof",
            "pass",
            f"{len(proofs)} eddsa-rdfc-2022 signature(s) verified",
            code="proof.verified",
            params={"count": len(proofs), "suite": "eddsa-rdfc-2022"},
        )
    if binding_failures:
        report.add(
            "issuer",
            "fail",
            "; ".join(text for text, _code, _params in binding_failures),
            code=binding_failures[0][1],
            params=binding_failures[0][2],
        )
    elif verified:
        report.add(
            "issuer",
            "pass",
            f"signed with a key of the issuer {issuer_id}",
            code="issuer.verified",
            params={"issuer": issuer_id},
        )
    else:
        report.add(
            "issuer",
            "skip",
            "no verified proof to bind the issuer to",
            code="issuer.not_checked",
        )
    return not failures and not binding_failures


def _check_validity(credential: dict[str, Any], report: VerificationReport, at: datetime) -> None:
    start_text = credential.get("validFrom") or credential.get("issuanceDate")
    end_text = credential.get("validUntil") or credential.get("expirationDate")
    try:
        start = model.parse_datetime(start_text) if start_text else None
        end = model.parse_datetime(end_text) if end_text else None
    except ValueError as error:
        report.add("validity", "fail", str(error), code="validity.invalid_date")
        return
    if start and at < start:
        report.add(
            "validity",
            "fail",
            f"not yet valid: valid from {start_text}",
            code="validity.not_yet_valid",
            params={"valid_from": start_text},
        )
    elif end and at >= end:
        report.add(
            "validity",
            "fail",
            f"expired: valid until {end_text}",
            code="validity.expired",
            params={"valid_until": end_text},
        )
    elif end:
        report.add(
            "validity",
            "pass",
            f"valid from {start_text} until {end_text}",
            code="validity.valid",
            params={"valid_from": start_text, "valid_until": end_text},
        )
    else:
        report.add(
            "validity",
            "pass",
            f"valid from {start_text}, does not expire",
            code="validity.no_expiry",
            params={"valid_from": start_text},
        )


# When several status entries fail, the check's code is that of the weightiest finding.
_STATUS_FAIL_ORDER = ("status.revoked", "status.suspended", "status.set")


def _check_status(
    credential: dict[str, Any], report: VerificationReport, fetcher: Fetcher, at: datetime
) -> None:
    entries = credential.get("credentialStatus")
    if not entries:
        report.add(
            "status",
            "skip",
            "the credential has no status entry (it cannot be revoked)",
            code="status.none",
        )
        return
    entries = entries if isinstance(entries, list) else [entries]
    fails: list[str] = []
    warns: list[str] = []
    passes: list[str] = []
    # The code and params of each failure and warning, and the purposes that passed.
    fail_codes: list[tuple[str, dict[str, Any]]] = []
    warn_codes: list[tuple[str, dict[str, Any]]] = []
    purposes: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            fails.append("a credentialStatus entry is not an object")
            fail_codes.append(("status.invalid", {}))
            continue
        url = entry.get("statusListCredential") or entry.get("id")
        try:
            list_document = fetcher.get_json(str(url).split("#", 1)[0])
            if not isinstance(list_document, dict):
                raise FetchError(f"{url} did not return a JSON object")
            _check_status_list_credential(list_document, credential, fetcher, at)
            result = status.read_status(entry, list_document, credential_id=credential.get("id"))
        except FetchError as error:
            warns.append(f"could not fetch the status list: {error}")
            warn_codes.append(("status.unavailable", {"url": str(url)}))
            continue
        except CredentialError as error:
            fails.append(f"the status list cannot be trusted: {error}")
            fail_codes.append(("status.untrusted", {"url": str(url)}))
            continue
        if result.set:
            fails.append(result.message)
            code = {"revocation": "status.revoked", "suspension": "status.suspended"}.get(
                result.purpose, "status.set"
            )
            params: dict[str, Any] = {"purpose": result.purpose}
            if result.reason:
                params["reason"] = result.reason
            fail_codes.append((code, params))
        else:
            passes.append(result.message)
            purposes.append(result.purpose)
    if fails:
        code, params = min(
            fail_codes,
            key=lambda item: (
                _STATUS_FAIL_ORDER.index(item[0])
                if item[0] in _STATUS_FAIL_ORDER
                else len(_STATUS_FAIL_ORDER)
            ),
        )
        report.add("status", "fail", "; ".join(fails), code=code, params=params)
    elif warns:
        code, params = warn_codes[0]
        report.add("status", "warn", "; ".join(warns + passes), code=code, params=params)
    else:
        report.add(
            "status",
            "pass",
            "; ".join(passes),
            code="status.active",
            params={"purposes": purposes},
        )


def _check_status_list_credential(
    list_document: dict[str, Any], credential: dict[str, Any], fetcher: Fetcher, at: datetime
) -> None:
    """Refuse a status list that is not signed by the credential's issuer or has expired.

    1EdTech revocation lists are plain JSON documents without a proof; they are accepted as
    they are, since that format defines none.
    """
    types = list_document.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types:
        return
    inner = VerificationReport()
    if not _check_data_integrity(list_document, inner, fetcher):
        raise CredentialError("; ".join(c.message for c in inner.failed()) or "no valid proof")
    if _issuer_id(list_document) != _issuer_id(credential):
        raise CredentialError(
            f"the list is issued by {_issuer_id(list_document)}, not by the credential's issuer"
        )
    _check_validity(list_document, inner, at)
    if inner.failed():
        raise CredentialError(inner.failed()[0].message)


def _check_recipient(
    credential: dict[str, Any], report: VerificationReport, email: str | None
) -> None:
    if email is None:
        report.add(
            "recipient",
            "skip",
            "no e-mail address given to check the recipient against",
            code="recipient.no_email",
        )
        return
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    identifiers = []
    for subject in subjects:
        if isinstance(subject, dict):
            found = subject.get("identifier") or []
            identifiers.extend(found if isinstance(found, list) else [found])
    for identifier in identifiers:
        if not isinstance(identifier, dict):
            continue
        if identifier.get("identityType") not in ("emailAddress", "email"):
            continue
        value = str(identifier.get("identityHash", ""))
        salt = identifier.get("salt")
        if identifier.get("hashed") is False:
            matched = value.strip().lower() == email.strip().lower()
        else:
            matched = identity_matches(email, value, salt)
        if matched:
            report.add(
                "recipient",
                "pass",
                f"issued to {email}",
                code="recipient.matched",
                params={"email": email},
            )
            return
    if not identifiers:
        report.add(
            "recipient",
            "fail",
            "the credential names no recipient e-mail identity",
            code="recipient.none",
        )
    else:
        report.add(
            "recipient",
            "fail",
            f"not issued to {email}",
            code="recipient.mismatch",
            params={"email": email},
        )


def _embedded_endorsements(credential: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            endorsements = node.get("endorsement")
            if endorsements:
                items = endorsements if isinstance(endorsements, list) else [endorsements]
                found.extend(e for e in items if isinstance(e, dict))
            for key in ("issuer", "achievement", "creator", "credentialSubject"):
                collect(node.get(key))
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(credential)
    return found


def _check_endorsements(
    credential: dict[str, Any],
    report: VerificationReport,
    *,
    fetcher: Fetcher,
    at: datetime,
    depth: int,
) -> None:
    endorsements = _embedded_endorsements(credential)
    if not endorsements:
        report.add("endorsements", "skip", "no embedded endorsements", code="endorsements.none")
        return
    if depth >= _MAX_ENDORSEMENT_DEPTH:
        report.add(
            "endorsements",
            "warn",
            "endorsements nested too deeply were not checked",
            code="endorsements.too_deep",
        )
        return
    bad = []
    for endorsement in endorsements:
        inner = VerificationReport()
        _verify_document(endorsement, inner, fetcher=fetcher, at=at, email=None, depth=depth + 1)
        if not inner.valid:
            name = endorsement.get("name") or endorsement.get("id") or "an endorsement"
            bad.append(f"{name}: " + "; ".join(c.message for c in inner.failed()))
    if bad:
        report.add(
            "endorsements",
            "fail",
            " | ".join(bad),
            code="endorsements.failed",
            params={"failed": len(bad), "count": len(endorsements)},
        )
    else:
        report.add(
            "endorsements",
            "pass",
            f"{len(endorsements)} endorsement(s) verified",
            code="endorsements.verified",
            params={"count": len(endorsements)},
        )


def _verify_document(
    credential: dict[str, Any],
    report: VerificationReport,
    *,
    fetcher: Fetcher,
    at: datetime,
    email: str | None,
    depth: int,
) -> None:
    report.credential = credential
    if not _check_format(credential, report):
        return
    _check_schema(credential, report)
    _check_data_integrity(credential, report, fetcher)
    _check_validity(credential, report, at)
    _check_status(credential, report, fetcher, at)
    _check_recipient(credential, report, email)
    _check_endorsements(credential, report, fetcher=fetcher, at=at, depth=depth)
    _check_clr(credential, report, fetcher=fetcher, at=at)


def _verify_jwt(
    token: str,
    report: VerificationReport,
    *,
    fetcher: Fetcher,
    at: datetime,
    email: str | None,
) -> None:
    try:
        header, _payload, credential = vc_jwt.decode_unverified(token)
    except CredentialError as error:
        report.add("format", "fail", str(error), code="format.unreadable")
        return
    report.credential = credential
    if not _check_format(credential, report):
        return
    _check_schema(credential, report)
    issuer_id = _issuer_id(credential)
    binding: list[str] = []
    binding_codes: list[tuple[str, dict[str, Any]]] = []
    unresolved_key: list[str] = []

    def resolve_key(jose_header: dict[str, Any], claims_credential: dict[str, Any]) -> Any:
        kid = jose_header.get("kid")
        if not kid:
            # vc_jwt.verify has checked the header names a key: without kid, it embeds a jwk.
            return keys.public_key_from_jwk(jose_header["jwk"])
        try:
            method = keys.resolve_verification_method(
                str(kid), fetch_json=_fetch_json(fetcher), purpose="assertionMethod"
            )
        except CredentialError:
            unresolved_key.append(str(kid))
            raise
        if method.controller != issuer_id:
            binding.append(f"the key {method.id} is controlled by {method.controller}")
            binding_codes.append(
                (
                    "issuer.wrong_key",
                    {"key": method.id, "controller": method.controller, "issuer": issuer_id},
                )
            )
        if method.revoked:
            binding.append(f"the issuer revoked the key {method.id}")
            binding_codes.append(
                (
                    "issuer.key_revoked",
                    {"key": method.id, "revoked": str(method.revoked), "issuer": issuer_id},
                )
            )
        return method.public_key

    try:
        vc_jwt.verify(token, resolve_key=resolve_key)
    except CredentialError as error:
        report.add(
            "proof",
            "fail",
            str(error),
            code="proof.key_unresolved" if unresolved_key else "proof.failed",
            params={"key": unresolved_key[0]} if unresolved_key else {},
        )
        report.add(
            "issuer",
            "skip",
            "no verified proof to bind the issuer to",
            code="issuer.not_checked",
        )
    else:
        report.add(
            "proof",
            "pass",
            f"JWT signature ({header.get('alg')}) verified",
            code="proof.verified_jwt",
            params={"alg": str(header.get("alg"))},
        )
        if binding:
            report.add(
                "issuer",
                "fail",
                "; ".join(binding) + f", not by the issuer {issuer_id}",
                code=binding_codes[0][0],
                params=binding_codes[0][1],
            )
        elif "jwk" in header and not header.get("kid"):
            report.add(
                "issuer",
                "warn",
                "the key is embedded in the token, so nothing ties it to the issuer's identity",
                code="issuer.embedded_key",
            )
        else:
            report.add(
                "issuer",
                "pass",
                f"signed with a key of the issuer {issuer_id}",
                code="issuer.verified",
                params={"issuer": issuer_id},
            )
    _check_validity(credential, report, at)
    _check_status(credential, report, fetcher, at)
    _check_recipient(credential, report, email)
    _check_endorsements(credential, report, fetcher=fetcher, at=at, depth=0)
    _check_clr(credential, report, fetcher=fetcher, at=at)
