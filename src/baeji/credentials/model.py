"""Builders for Open Badges 3.0 objects on the Verifiable Credentials Data Model 2.0.

Each builder returns a plain ``dict`` in the compacted JSON-LD form the OB 3.0 specification
shows, leaving out every optional property that was not given. :func:`open_badge_credential`
assembles an unsigned ``OpenBadgeCredential`` and validates it against the pinned official
JSON Schema, so a credential that leaves this module is one the standard accepts.

Contexts come in the order the specification requires: VC 2.0, then OB 3.0.3, then (only when
``credentialSchema`` is present, whose type ``1EdTechJsonSchemaValidator2019`` only OB's
``extensions.json`` defines) the extensions context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import jsonschema

from baeji.credentials import contexts, schemas
from baeji.credentials.errors import SchemaError
from baeji.credentials.identity import identity_hash, new_salt, normalize_email

ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)
RESULT_TYPES = frozenset(
    {
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    }
)
RESULT_STATUSES = frozenset(
    {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
)
_EXTENSION = re.compile(r"^ext:[A-Za-z0-9._-]+$")
CREDENTIAL_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"


def xsd_datetime(value: datetime | str) -> str:
    """Format a datetime as an XSD dateTime in UTC with seconds, e.g. ``2026-03-01T09:00:00Z``.

    A string is returned unchanged after checking that it parses; a naive datetime is refused,
    since a credential's dates must not depend on the server's time zone.
    """
    if isinstance(value, str):
        parse_datetime(value)
        return value
    if value.tzinfo is None:
        raise ValueError("a naive datetime has no time zone; pass an aware datetime")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime:
    """Parse an XSD dateTime (``Z`` or an offset) into an aware datetime; ValueError if invalid.

    A value without a time zone is read as UTC, as the VC Data Model allows.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date-time string")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a valid XSD dateTime") from None
    if "T" not in text:
        raise ValueError(f"{value!r} is a date without a time; an XSD dateTime is required")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` only when a value was given (None and empty collections are left out)."""
    if value is None:
        return
    if isinstance(value, list | tuple) and not value:
        return
    target[key] = list(value) if isinstance(value, tuple) else value


def _check_vocabulary(value: str, allowed: frozenset[str], what: str) -> str:
    if value in allowed or _EXTENSION.match(value):
        return value
    raise ValueError(f"{value!r} is not an OB 3.0 {what} (nor an 'ext:' extension term)")


def image(url: str, *, caption: str | None = None) -> dict[str, Any]:
    """An ``Image``: a URL or a ``data:`` URI, with an optional caption."""
    result: dict[str, Any] = {"id": url, "type": "Image"}
    _put(result, "caption", caption)
    return result


def profile(
    *,
    id: str,
    name: str,
    url: str | None = None,
    email: str | None = None,
    image: dict[str, Any] | str | None = None,
    description: str | None = None,
    parent_org: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An issuer ``Profile`` (the ``issuer`` of a credential, or its ``parentOrg``)."""
    result: dict[str, Any] = {"id": id, "type": ["Profile"], "name": name}
    _put(result, "url", url)
    _put(result, "email", email)
    _put(result, "image", _image_value(image))
    _put(result, "description", description)
    _put(result, "parentOrg", dict(parent_org) if parent_org else None)
    return result


def _image_value(value: dict[str, Any] | str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return image(value) if isinstance(value, str) else dict(value)


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_type: str | None = None,
    target_code: str | None = None,
    target_framework: str | None = None,
    target_description: str | None = None,
) -> dict[str, Any]:
    """An ``Alignment`` of an achievement to a competency or framework item."""
    result: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": target_name,
        "targetUrl": target_url,
    }
    _put(result, "targetType", target_type)
    _put(result, "targetCode", target_code)
    _put(result, "targetFramework", target_framework)
    _put(result, "targetDescription", target_description)
    return result


def result_description(
    *,
    id: str,
    name: str,
    result_type: str,
    allowed_values: Sequence[str] | None = None,
    required_level: str | None = None,
    required_value: str | None = None,
    value_min: str | None = None,
    value_max: str | None = None,
) -> dict[str, Any]:
    """A ``ResultDescription``: what kind of result the achievement records (e.g. a time)."""
    result: dict[str, Any] = {
        "id": id,
        "type": ["ResultDescription"],
        "name": name,
        "resultType": _check_vocabulary(result_type, RESULT_TYPES, "result type"),
    }
    _put(result, "allowedValue", list(allowed_values) if allowed_values else None)
    _put(result, "requiredLevel", required_level)
    _put(result, "requiredValue", required_value)
    _put(result, "valueMin", value_min)
    _put(result, "valueMax", value_max)
    return result


def result(
    *,
    result_description: str | None = None,
    value: str | None = None,
    status: str | None = None,
    achieved_level: str | None = None,
) -> dict[str, Any]:
    """A ``Result`` the learner reached, pointing at its ``ResultDescription`` by id."""
    out: dict[str, Any] = {"type": ["Result"]}
    _put(out, "resultDescription", result_description)
    _put(out, "value", value)
    if status is not None and status not in RESULT_STATUSES:
        raise ValueError(f"{status!r} is not an OB 3.0 result status")
    _put(out, "status", status)
    _put(out, "achievedLevel", achieved_level)
    if len(out) == 1:
        raise ValueError("a result needs at least a value, a status or an achieved level")
    return out


def evidence(
    *,
    id: str | None = None,
    name: str | None = None,
    narrative: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> dict[str, Any]:
    """An ``Evidence`` item: a URL and/or a narrative of what the learner did."""
    result: dict[str, Any] = {}
    _put(result, "id", id)
    result["type"] = ["Evidence"]
    _put(result, "name", name)
    _put(result, "narrative", narrative)
    _put(result, "description", description)
    _put(result, "genre", genre)
    _put(result, "audience", audience)
    if len(result) == 1:
        raise ValueError("evidence needs at least a URL, a name, a narrative or a description")
    return result


def achievement(
    *,
    id: str,
    name: str,
    description: str,
    criteria_narrative: str | None = None,
    criteria_id: str | None = None,
    achievement_type: str | None = None,
    image: dict[str, Any] | str | None = None,
    tags: Iterable[str] = (),
    alignments: Iterable[Mapping[str, Any]] = (),
    result_descriptions: Iterable[Mapping[str, Any]] = (),
    in_language: str | None = None,
    human_code: str | None = None,
    credits_available: float | None = None,
    field_of_study: str | None = None,
    creator: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``Achievement`` (the badge class): what was achieved and the criteria for it."""
    if not criteria_narrative and not criteria_id:
        raise ValueError("an achievement needs criteria: a narrative, a criteria URL, or both")
    criteria: dict[str, Any] = {}
    _put(criteria, "id", criteria_id)
    _put(criteria, "narrative", criteria_narrative)
    result: dict[str, Any] = {
        "id": id,
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": criteria,
    }
    if achievement_type is not None:
        result["achievementType"] = _check_vocabulary(
            achievement_type, ACHIEVEMENT_TYPES, "achievement type"
        )
    _put(result, "image", _image_value(image))
    _put(result, "tag", [t for t in tags if t])
    _put(result, "alignment", [dict(a) for a in alignments])
    _put(result, "resultDescription", [dict(r) for r in result_descriptions])
    _put(result, "inLanguage", in_language)
    _put(result, "humanCode", human_code)
    _put(result, "creditsAvailable", credits_available)
    _put(result, "fieldOfStudy", field_of_study)
    _put(result, "creator", dict(creator) if creator else None)
    return result


def identity_object(
    *,
    email: str | None = None,
    sourced_id: str | None = None,
    salt: str | None = None,
    hashed: bool = True,
) -> dict[str, Any]:
    """A recipient ``IdentityObject``: an e-mail address or a sourcedId, salted and hashed.

    The e-mail address is normalized (trimmed, lower case) before hashing. A fresh random salt is
    drawn when none is given.
    """
    if (email is None) == (sourced_id is None):
        raise ValueError("give exactly one of email or sourced_id")
    if email is not None:
        identifier, identity_type = normalize_email(email), "emailAddress"
        if "@" not in identifier:
            raise ValueError(f"{email!r} is not an e-mail address")
    else:
        identifier, identity_type = str(sourced_id), "sourcedId"
    if not hashed:
        return {
            "type": "IdentityObject",
            "identityHash": identifier,
            "identityType": identity_type,
            "hashed": False,
        }
    salt = salt if salt is not None else new_salt()
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(identifier, salt),
        "identityType": identity_type,
        "hashed": True,
        "salt": salt,
    }


def credential_schema_entry(
    schema_id: str = schemas.OB_V3P0_ACHIEVEMENT_CREDENTIAL,
) -> dict[str, str]:
    """The ``credentialSchema`` entry naming the official 1EdTech JSON Schema."""
    return {"id": schema_id, "type": CREDENTIAL_SCHEMA_TYPE}


def open_badge_credential(
    *,
    id: str,
    issuer: Mapping[str, Any],
    achievement: Mapping[str, Any],
    valid_from: datetime | str,
    name: str | None = None,
    description: str | None = None,
    valid_until: datetime | str | None = None,
    awarded_date: datetime | str | None = None,
    subject_id: str | None = None,
    identifiers: Iterable[Mapping[str, Any]] = (),
    results: Iterable[Mapping[str, Any]] = (),
    evidence: Iterable[Mapping[str, Any]] = (),
    credential_status: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    with_schema: bool = True,
    image: dict[str, Any] | str | None = None,
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned ``OpenBadgeCredential``, validated against the official OB 3.0 JSON Schema.

    The recipient is ``subject_id`` (a DID or URL) and/or ``identifiers`` (hashed
    ``IdentityObject`` entries from :func:`identity_object`); at least one is required.
    Raises ``SchemaError`` when the result does not validate, ``ValueError`` for bad arguments.
    """
    identifiers = [dict(i) for i in identifiers]
    if not subject_id and not identifiers:
        raise ValueError("a credential needs a recipient: a subject id, an identifier, or both")
    start = xsd_datetime(valid_from)
    end = xsd_datetime(valid_until) if valid_until is not None else None
    if end is not None and parse_datetime(end) <= parse_datetime(start):
        raise ValueError("validUntil must be later than validFrom")

    context = [contexts.VC_V2, contexts.OB_V3P0]
    if with_schema:
        context.append(contexts.OB_V3P0_EXTENSIONS)
    context.extend(c for c in extra_contexts if c not in context)

    subject: dict[str, Any] = {}
    _put(subject, "id", subject_id)
    subject["type"] = ["AchievementSubject"]
    _put(subject, "identifier", identifiers)
    subject["achievement"] = dict(achievement)
    _put(subject, "result", [dict(r) for r in results])

    credential: dict[str, Any] = {
        "@context": context,
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name or str(achievement.get("name", "")),
    }
    _put(credential, "description", description)
    _put(credential, "image", _image_value(image))
    credential["issuer"] = dict(issuer)
    credential["validFrom"] = start
    _put(credential, "validUntil", end)
    _put(credential, "awardedDate", xsd_datetime(awarded_date) if awarded_date else None)
    credential["credentialSubject"] = subject
    _put(credential, "evidence", [dict(e) for e in evidence])
    if isinstance(credential_status, Mapping):
        credential["credentialStatus"] = dict(credential_status)
    elif credential_status:
        statuses = [dict(entry) for entry in credential_status]
        credential["credentialStatus"] = statuses[0] if len(statuses) == 1 else statuses
    if with_schema:
        credential["credentialSchema"] = [credential_schema_entry()]
    validate_schema(credential)
    return credential


def _schema_errors(document: Mapping[str, Any], schema_id: str) -> list[str]:
    schema = schemas.get_schema(schema_id)
    validator = jsonschema.Draft201909Validator(schema)
    messages = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        messages.append(f"{where}: {error.message}")
    return messages


def schema_errors(
    document: Mapping[str, Any], schema_id: str = schemas.OB_V3P0_ACHIEVEMENT_CREDENTIAL
) -> list[str]:
    """Every way ``document`` fails the bundled JSON Schema ``schema_id``, as readable lines."""
    return _schema_errors(document, schema_id)


def validate_schema(
    document: Mapping[str, Any], schema_id: str = schemas.OB_V3P0_ACHIEVEMENT_CREDENTIAL
) -> None:
    """Raise ``SchemaError`` listing what is wrong when ``document`` fails the JSON Schema."""
    errors = _schema_errors(document, schema_id)
    if errors:
        shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
        raise SchemaError(f"does not match the OB 3.0 JSON Schema: {shown}")


def now() -> datetime:
    """The current time in UTC, to the second (what credentials record)."""
    return datetime.now(UTC).replace(microsecond=0)
