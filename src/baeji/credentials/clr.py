"""Comprehensive Learner Record 2.0: a learner's Open Badges 3.0 credentials in one signed record.

A ``ClrCredential`` is a Verifiable Credential whose subject (a ``ClrSubject``) carries the
learner's credentials *verbatim* in ``verifiableCredential``, the achievements those credentials
assert in ``achievement``, and typed links between achievements in ``association`` (for example
"수영 1단계 precedes 수영 2단계"). Whoever signs the record (here: the platform, on the learner's
behalf) vouches for the bundle; each inner credential keeps its own issuer's proof, so a verifier
checks both: the outer proof, and every inner credential on its own.

:func:`clr_credential` builds an unsigned record and validates it against the bundled CLR 2.0
JSON Schema; sign it with :func:`baeji.credentials.suites.eddsa_rdfc_2022.sign`.
:func:`verify_clr` verifies a signed record and adds the check ``inner credentials``.

Contexts come in the order the CLR 2.0 examples and its signing vector use: VC 2.0, CLR
``context-2.0.1.json``, OB ``context-3.0.3.json`` and then, only when ``credentialSchema`` is
present (its type ``1EdTechJsonSchemaValidator2019`` is defined only there), OB's
``extensions.json``.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from baeji.credentials import contexts, model, schemas
from baeji.credentials import verify as _verify
from baeji.credentials.contexts import VC_V1, VC_V2
from baeji.credentials.errors import CredentialError, SchemaError
from baeji.credentials.fetch import Fetcher
from baeji.credentials.report import Check, VerificationReport
from baeji.credentials.suites import vc_jwt

__all__ = [
    "ASSOCIATION_TYPES",
    "LevelKey",
    "association",
    "check_clr_contents",
    "clr_credential",
    "level_associations",
    "level_of",
    "validate_clr_schema",
    "verify_clr",
    "verify_inner_credentials",
]

#: The CLR 2.0 ``AssociationType`` vocabulary (the schema allows no extension terms here).
#: ``precedes`` means the source achievement comes before (is learned before) the target.
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)
CLR_CREDENTIAL_TYPE = "ClrCredential"
CLR_SUBJECT_TYPE = "ClrSubject"
# Inner credentials a CLR 2.0 record may carry: AchievementCredential (OpenBadgeCredential is
# its alias in OB 3.0).
_INNER_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_CLR_CONTEXT = re.compile(
    r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)?\.json$"
)
# The pre-release CLR 2.0 context some early records (and 1EdTech's old fixtures) still name.
_CLR_DRAFT_CONTEXT = "https://dc.imsglobal.org/draft/clr/v2p0/context"
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


# -- building ----------------------------------------------------------------------------------


def association(*, association_type: str, source_id: str, target_id: str) -> dict[str, Any]:
    """A CLR 2.0 ``Association``: ``source_id`` stands in ``association_type`` to ``target_id``.

    Both ids are achievement ids (absolute URIs). ``association_type`` is one of
    :data:`ASSOCIATION_TYPES`; e.g. ``precedes`` (source comes before target), ``isPartOf``
    (source is part of target), ``isParentOf`` / ``isChildOf``. Raises ``ValueError`` otherwise.
    """
    if association_type not in ASSOCIATION_TYPES:
        allowed = ", ".join(sorted(ASSOCIATION_TYPES))
        raise ValueError(f"{association_type!r} is not a CLR 2.0 association type ({allowed})")
    for what, value in (("source_id", source_id), ("target_id", target_id)):
        if not isinstance(value, str) or not _ABSOLUTE.match(value):
            raise ValueError(f"{what} {value!r} is not an absolute URI (an achievement id)")
    if source_id == target_id:
        raise ValueError("an association needs two different achievements")
    # The schema allows only the plain string "Association" here, not an array.
    return {
        "type": "Association",
        "associationType": association_type,
        "sourceId": source_id,
        "targetId": target_id,
    }


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("type")
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str)]


def _achievements_of(credential: Mapping[str, Any]) -> list[dict[str, Any]]:
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    found = []
    for subject in subjects:
        if isinstance(subject, Mapping) and isinstance(subject.get("achievement"), Mapping):
            found.append(dict(subject["achievement"]))
    return found


def _label(credential: Any, index: int) -> str:
    if isinstance(credential, Mapping):
        name = credential.get("name")
        ident = credential.get("id")
        shown = f" {name!r}" if isinstance(name, str) and name else ""
        return f"#{index}{shown}" + (f" ({ident})" if isinstance(ident, str) else "")
    return f"#{index}"


def _checked_inner(credential: Any, index: int) -> dict[str, Any]:
    """Refuse what a CLR 2.0 record cannot carry, then copy the credential unchanged."""
    label = _label(credential, index)
    if isinstance(credential, str):
        # The CLR 2.0 JSON Schema types every verifiableCredential entry as a JSON object;
        # a record carrying compact JWS strings would not validate.
        raise ValueError(
            f"credential {label} is a compact JWS; CLR 2.0 embeds credentials as JSON objects "
            "with an embedded proof (re-issue it as a Data Integrity credential)"
        )
    if not isinstance(credential, Mapping):
        raise ValueError(f"credential {label} is not a JSON object")
    if not _INNER_TYPES & set(_types(credential)):
        raise ValueError(
            f"credential {label} is not an OpenBadgeCredential / AchievementCredential"
        )
    if not credential.get("proof"):
        raise ValueError(f"credential {label} is not signed; a CLR carries signed credentials")
    if not any(isinstance(a.get("id"), str) for a in _achievements_of(credential)):
        raise ValueError(f"credential {label} names no achievement with an id")
    # Verbatim means byte-for-byte the issuer's JSON: a deep copy, never a re-serialization.
    return copy.deepcopy(dict(credential))


def _name_identifier(learner_name: str) -> dict[str, Any]:
    # ClrSubject has no name property; OB/CLR carry a person's name as an IdentityObject of
    # type "name". Unhashed, because the point of an exported record is that the reader sees
    # whose record it is.
    return {
        "type": "IdentityObject",
        "identityHash": learner_name,
        "identityType": "name",
        "hashed": False,
    }


def clr_credential(
    *,
    id: str,
    issuer: Mapping[str, Any],
    learner_name: str | None,
    subject_id: str | None = None,
    identifiers: Iterable[Mapping[str, Any]] = (),
    credentials: Sequence[Mapping[str, Any] | str],
    associations: Iterable[Mapping[str, Any]] = (),
    name: str,
    description: str | None = None,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    partial: bool | None = None,
    with_schema: bool = True,
    extra_achievements: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """An unsigned ``ClrCredential`` bundling signed OB 3.0 ``credentials`` verbatim.

    ``issuer`` is the signer's ``Profile`` (e.g. :func:`baeji.credentials.model.profile`).
    The learner is ``subject_id`` (a DID or URL) and/or ``identifiers`` (``IdentityObject``
    entries, see :func:`baeji.credentials.model.identity_object`); ``learner_name``, when given,
    is added as an unhashed ``IdentityObject`` of type ``name``. At least one of the three is
    required. ``credentials`` are signed OpenBadgeCredential/AchievementCredential objects,
    copied unchanged; compact JWS strings are refused, since the CLR 2.0 JSON Schema only
    allows embedded objects. ``achievement`` lists the achievements of those credentials (each
    id once, first seen wins) followed by ``extra_achievements`` (achievements the record refers
    to without holding a credential for, such as a programme a course is part of).
    ``associations`` (from :func:`association`) must link achievements in that list.
    ``partial=True`` says the record does not hold everything the publisher knows of the
    learner. Raises ``SchemaError`` when the result fails the CLR 2.0 JSON Schema and
    ``ValueError`` for bad arguments.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a CLR needs a name")
    if not isinstance(issuer, Mapping) or not isinstance(issuer.get("id"), str):
        raise ValueError("the issuer must be a Profile object with an id")
    if isinstance(credentials, str | bytes | Mapping) or not credentials:
        raise ValueError("credentials must be a non-empty list of signed credentials")
    if partial is not None and not isinstance(partial, bool):
        raise ValueError("partial must be True, False or None")
    identifiers = [dict(i) for i in identifiers]
    if learner_name is not None:
        if not isinstance(learner_name, str) or not learner_name.strip():
            raise ValueError("learner_name must be a non-empty string or None")
        identifiers.insert(0, _name_identifier(learner_name.strip()))
    if not subject_id and not identifiers:
        raise ValueError("a CLR needs a learner: a subject id, identifiers or a learner name")
    start = model.xsd_datetime(valid_from)
    end = model.xsd_datetime(valid_until) if valid_until is not None else None
    if end is not None and model.parse_datetime(end) <= model.parse_datetime(start):
        raise ValueError("validUntil must be later than validFrom")

    inner = [_checked_inner(c, i) for i, c in enumerate(credentials, start=1)]
    seen_ids = [c.get("id") for c in inner if c.get("id") is not None]
    if len(seen_ids) != len(set(seen_ids)):
        raise ValueError("the same credential (by id) is included twice")

    achievements: dict[str, dict[str, Any]] = {}
    for credential in inner:
        for item in _achievements_of(credential):
            if isinstance(item.get("id"), str):
                achievements.setdefault(item["id"], copy.deepcopy(item))
    for extra in extra_achievements:
        if not isinstance(extra, Mapping) or not isinstance(extra.get("id"), str):
            raise ValueError("every extra achievement must be an Achievement with an id")
        achievements.setdefault(extra["id"], copy.deepcopy(dict(extra)))

    links = [dict(a) for a in associations]
    for link in links:
        for end_name in ("sourceId", "targetId"):
            if link.get(end_name) not in achievements:
                raise ValueError(
                    f"association {end_name} {link.get(end_name)!r} is not an achievement in "
                    "this record (add it through extra_achievements if it has no credential)"
                )

    context = [contexts.VC_V2, contexts.CLR_V2P0, contexts.OB_V3P0]
    if with_schema:
        context.append(contexts.OB_V3P0_EXTENSIONS)

    subject: dict[str, Any] = {}
    if subject_id:
        subject["id"] = subject_id
    subject["type"] = [CLR_SUBJECT_TYPE]
    if identifiers:
        subject["identifier"] = identifiers
    subject["verifiableCredential"] = inner
    subject["achievement"] = list(achievements.values())
    if links:
        subject["association"] = links

    record: dict[str, Any] = {
        "@context": context,
        "id": id,
        "type": ["VerifiableCredential", CLR_CREDENTIAL_TYPE],
        "name": name,
    }
    if description:
        record["description"] = description
    if partial is not None:
        record["partial"] = partial
    record["issuer"] = dict(issuer)
    record["validFrom"] = start
    if end is not None:
        record["validUntil"] = end
    record["credentialSubject"] = subject
    if with_schema:
        record["credentialSchema"] = [
            model.credential_schema_entry(schemas.CLR_V2P0_CLR_CREDENTIAL)
        ]
    validate_clr_schema(record)
    return record


def validate_clr_schema(document: Mapping[str, Any]) -> None:
    """Raise ``SchemaError`` listing what is wrong when ``document`` fails the CLR 2.0 schema."""
    errors = model.schema_errors(document, schemas.CLR_V2P0_CLR_CREDENTIAL)
    if errors:
        shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
        raise SchemaError(f"does not match the CLR 2.0 JSON Schema: {shown}")


# -- levels ------------------------------------------------------------------------------------

LevelKey = Callable[[Mapping[str, Any]], tuple[str, int] | None]

_LEVEL_PATTERNS = (
    re.compile(r"^\s*(?P<family>\S.*?)\s*(?P<order>\d+)\s*단계\s*$"),
    re.compile(r"^\s*(?P<family>\S.*?)\s*(?:level|lv\.?)\s*(?P<order>\d+)\s*$", re.IGNORECASE),
)


def level_of(achievement: Mapping[str, Any]) -> tuple[str, int] | None:
    """The default ``family_key``: ``(family, order)`` read from an achievement's name.

    Understands ``"<family> <n>단계"`` (``"수영 3단계"`` -> ``("수영", 3)``) and
    ``"<family> Level <n>"`` / ``"<family> Lv. <n>"``; anything else is not levelled (None).
    Names in a language map are not read.
    """
    name = achievement.get("name")
    if not isinstance(name, str):
        return None
    for pattern in _LEVEL_PATTERNS:
        match = pattern.match(name)
        if match:
            return match.group("family"), int(match.group("order"))
    return None


def level_associations(
    credentials: Iterable[Mapping[str, Any]],
    *,
    family_key: LevelKey | Mapping[str, tuple[str, int]] = level_of,
) -> list[dict[str, Any]]:
    """``precedes`` associations between consecutive levels of each badge family.

    ``credentials`` are OB 3.0 credentials (their ``credentialSubject.achievement`` is used)
    or achievements themselves. ``family_key`` says which family and which position an
    achievement has, either as

    * a function ``achievement -> (family, order) | None`` (None: not levelled), by default
      :func:`level_of`, which reads names such as ``"수영 2단계"``; or
    * a mapping ``{achievement id: (family, order)}``, for badges whose names do not say it
      (e.g. built from stored ``(achievement_id, family, order)`` rows); ids not in it are
      not levelled.

    Within a family the achievements are sorted by ``order`` and each one ``precedes`` the next
    one present (1 -> 2 -> 3; with levels 1 and 3 only, 1 -> 3). The same achievement given
    twice counts once. Families come out in the order first seen. Raises ``ValueError`` when
    two different achievements claim the same level of one family.
    """
    key: LevelKey
    if isinstance(family_key, Mapping):
        table = dict(family_key)

        def key(achievement: Mapping[str, Any]) -> tuple[str, int] | None:
            achievement_id = achievement.get("id")
            return table.get(achievement_id) if isinstance(achievement_id, str) else None

    else:
        key = family_key
    families: dict[str, dict[int, str]] = {}
    for item in credentials:
        found = _achievements_of(item) if "credentialSubject" in item else [dict(item)]
        for achievement in found:
            achievement_id = achievement.get("id")
            level = key(achievement)
            if level is None or not isinstance(achievement_id, str):
                continue
            family, order = level
            slots = families.setdefault(family, {})
            if slots.get(order, achievement_id) != achievement_id:
                raise ValueError(
                    f"{slots[order]} and {achievement_id} both claim level {order} of {family!r}"
                )
            slots[order] = achievement_id
    links = []
    for slots in families.values():
        ordered = [slots[order] for order in sorted(slots)]
        for source, target in itertools.pairwise(ordered):
            if source != target:
                links.append(
                    association(association_type="precedes", source_id=source, target_id=target)
                )
    return links


# -- verifying ---------------------------------------------------------------------------------


def check_format(credential: dict[str, Any], report: VerificationReport) -> bool:
    """The ``format`` check for a ``ClrCredential`` (called by the verifier)."""
    context = credential.get("@context")
    context_list = context if isinstance(context, list) else [context]
    problems = []
    if not isinstance(context, list) or not context:
        problems.append("@context is missing")
    elif context[0] not in (VC_V2, VC_V1):
        problems.append(f"the first @context must be {VC_V2}, not {context[0]!r}")
    clr_contexts = [
        c
        for c in context_list
        if isinstance(c, str) and (_CLR_CONTEXT.match(c) or c == _CLR_DRAFT_CONTEXT)
    ]
    if not clr_contexts:
        problems.append("@context names no CLR 2.0 context")
    types = _types(credential)
    if "VerifiableCredential" not in types:
        problems.append("type does not include VerifiableCredential")
    if CLR_CREDENTIAL_TYPE not in types:
        problems.append("type does not include ClrCredential")
    if _verify._issuer_id(credential) is None:
        problems.append("issuer (with an id) is missing")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        problems.append("credentialSubject (a ClrSubject object) is missing")
    else:
        if CLR_SUBJECT_TYPE not in _types(subject):
            problems.append("credentialSubject type does not include ClrSubject")
        if not subject.get("verifiableCredential"):
            problems.append("credentialSubject.verifiableCredential is missing or empty")
    # Only a VC 1.1 record starts with issuanceDate; for anything else, name the VC 2.0 term.
    is_v1 = isinstance(context, list) and context and context[0] == VC_V1
    start_key = "issuanceDate" if is_v1 else "validFrom"
    if not credential.get(start_key) and not credential.get("validFrom"):
        problems.append(f"{start_key} is missing")
    if problems:
        report.add("format", "fail", "; ".join(problems), code="format.invalid")
        return False
    old = []
    if is_v1:
        old.append("a Verifiable Credentials 1.1 document (CLR 2.0 now uses VC 2.0)")
    if _CLR_DRAFT_CONTEXT in clr_contexts:
        old.append(f"it uses the pre-release CLR context {_CLR_DRAFT_CONTEXT}")
    if old:
        report.add("format", "warn", "; ".join(old), code="format.clr_outdated")
    else:
        report.add(
            "format",
            "pass",
            "a Verifiable Credentials 2.0 Comprehensive Learner Record",
            code="format.clr",
        )
    return True


def _inner_items(credential: Mapping[str, Any]) -> list[Any]:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return []
    items = subject.get("verifiableCredential")
    if items is None:
        return []
    return list(items) if isinstance(items, list) else [items]


def _peek(item: Any) -> dict[str, Any] | None:
    """The credential an inner entry holds, read without verifying (None if unreadable)."""
    if isinstance(item, dict):
        return item
    if isinstance(item, str):
        try:
            return vc_jwt.decode_unverified(item)[2]
        except CredentialError:
            return None
    return None


def verify_inner_credentials(
    credential: Mapping[str, Any], *, fetcher: Fetcher, at: datetime
) -> list[tuple[str, VerificationReport]]:
    """Verify every credential a CLR carries on its own: ``[(label, report), ...]``.

    Each entry of ``credentialSubject.verifiableCredential`` (a JSON object, or a compact JWS
    as pre-release records carry) goes through :func:`baeji.credentials.verify.verify` with
    the same fetcher and time. An entry that is not an OpenBadgeCredential /
    AchievementCredential (CLR 2.0 carries nothing else; in particular no nested CLR) fails
    without being verified. The label names its position, name and id for people.
    """
    results = []
    for index, item in enumerate(_inner_items(credential), start=1):
        peeked = _peek(item)
        label = _label(peeked if peeked is not None else item, index)
        if not isinstance(item, dict | str):
            inner = VerificationReport()
            inner.add(
                "format",
                "fail",
                "neither a credential object nor a compact JWS",
                code="format.unreadable",
            )
        elif peeked is not None and not _INNER_TYPES & set(_types(peeked)):
            inner = VerificationReport(credential=peeked)
            inner.add(
                "format",
                "fail",
                f"a CLR carries AchievementCredentials, not {', '.join(_types(peeked)) or '?'}",
                code="format.not_achievement",
                params={"types": _types(peeked)},
            )
        else:
            inner = _verify.verify(item, fetcher=fetcher, at=at)
        results.append((label, inner))
    return results


def check_clr_contents(
    credential: dict[str, Any], report: VerificationReport, *, fetcher: Fetcher, at: datetime
) -> list[tuple[str, VerificationReport]]:
    """Add the checks ``inner credentials`` and ``associations`` of a CLR to ``report``.

    ``inner credentials`` passes with the count when every carried credential verifies on its
    own (warns when some only passed with warnings) and fails naming each one that did not and
    why. ``associations`` warns when an association points at an achievement the record does
    not hold. Returns the inner reports (see :func:`verify_inner_credentials`).
    """
    results = verify_inner_credentials(credential, fetcher=fetcher, at=at)
    if not results:
        report.add(
            "inner credentials",
            "fail",
            "the record carries no credentials",
            code="inner_credentials.none",
        )
    else:
        bad, warned = [], []
        for label, inner in results:
            if not inner.valid:
                reasons = inner.failed() or [c for c in inner.checks if c.status != "pass"]
                why = "; ".join(f"{c.name}: {c.message}" for c in reasons) or "nothing verified"
                bad.append(f"{label}: {why}")
            elif any(c.status == "warn" for c in inner.checks):
                notes = "; ".join(
                    f"{c.name}: {c.message}" for c in inner.checks if c.status == "warn"
                )
                warned.append(f"{label}: {notes}")
        if bad:
            report.add(
                "inner credentials",
                "fail",
                f"{len(bad)} of {len(results)} inner credential(s) failed: " + " | ".join(bad),
                code="inner_credentials.failed",
                params={"failed": len(bad), "count": len(results)},
            )
        elif warned:
            report.add(
                "inner credentials",
                "warn",
                f"{len(results)} inner credential(s) verified, with warnings: "
                + " | ".join(warned),
                code="inner_credentials.warnings",
                params={"count": len(results), "warned": len(warned)},
            )
        else:
            report.add(
                "inner credentials",
                "pass",
                f"{len(results)} inner credential(s) verified",
                code="inner_credentials.verified",
                params={"count": len(results)},
            )
    _check_associations(credential, results, report)
    return results


def _check_associations(
    credential: Mapping[str, Any],
    results: list[tuple[str, VerificationReport]],
    report: VerificationReport,
) -> None:
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    links = subject.get("association")
    links = links if isinstance(links, list) else ([links] if links else [])
    if not links:
        report.add(
            "associations", "skip", "the record links no achievements", code="associations.none"
        )
        return
    known: set[str] = set()
    listed = subject.get("achievement")
    for item in listed if isinstance(listed, list) else [listed]:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            known.add(item["id"])
    for _label_text, inner in results:
        if inner.credential:
            known.update(
                a["id"] for a in _achievements_of(inner.credential) if isinstance(a.get("id"), str)
            )
    problems = []
    for link in links:
        if not isinstance(link, Mapping):
            problems.append("an association is not an object")
            continue
        kind = link.get("associationType")
        if kind not in ASSOCIATION_TYPES:
            problems.append(f"unknown association type {kind!r}")
        for end_name in ("sourceId", "targetId"):
            if link.get(end_name) not in known:
                problems.append(f"{end_name} {link.get(end_name)!r} is not in the record")
    if problems:
        report.add(
            "associations",
            "warn",
            "; ".join(problems),
            code="associations.problems",
            params={"count": len(links)},
        )
    else:
        report.add(
            "associations",
            "pass",
            f"{len(links)} association(s) between its achievements",
            code="associations.verified",
            params={"count": len(links)},
        )


def verify_clr(
    data: bytes | str | dict[str, Any],
    *,
    fetcher: Fetcher | None = None,
    at: datetime | None = None,
) -> VerificationReport:
    """Verify a ``ClrCredential`` and, one by one, every credential it carries.

    ``data`` is the record as JSON (text, bytes or a parsed object), a VC-JWT, or a baked
    PNG/SVG. The outer record gets the checks :func:`baeji.credentials.verify.verify` runs on
    an OB 3.0 credential (``format`` for a CLR, ``schema``, ``proof``, ``issuer``,
    ``validity``, ``status``, ``endorsements``), then ``inner credentials`` and
    ``associations`` (see :func:`check_clr_contents`). A changed inner credential fails both
    the outer ``proof`` (the record's signature covers it) and ``inner credentials``; a revoked
    one fails only ``inner credentials``. ``fetcher`` and ``at`` are as for ``verify``.
    """
    report = _verify.verify(data, fetcher=fetcher, at=at)
    if report.credential is not None and CLR_CREDENTIAL_TYPE not in _types(report.credential):
        report.checks.insert(
            0,
            Check(
                "format",
                "fail",
                "not a CLR 2.0 ClrCredential (type ClrCredential missing)",
                code="format.not_clr",
            ),
        )
    return report
