"""Bundled 1EdTech JSON Schemas (pinned by sha256 in ``manifest.json``)."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from baeji.credentials.errors import SchemaError

OB_V3P0_ACHIEVEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_V3P0_ENDORSEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
CLR_V2P0_CLR_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)


@cache
def manifest() -> dict[str, dict[str, str]]:
    """The table of bundled schemas: schema ``$id`` -> {"file", "sha256", ...}."""
    text = resources.files(__package__).joinpath("manifest.json").read_text("utf-8")
    table: dict[str, dict[str, str]] = json.loads(text)
    return table


@cache
def get_schema(schema_id: str) -> dict[str, Any]:
    """Return the bundled JSON Schema whose ``$id`` is ``schema_id``; SchemaError if unknown."""
    entry = manifest().get(schema_id)
    if entry is None:
        raise SchemaError(f"JSON Schema {schema_id!r} is not bundled with Baeji")
    data = resources.files(__package__).joinpath(entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise SchemaError(f"bundled schema {entry['file']} was altered (sha256 mismatch)")
    schema: dict[str, Any] = json.loads(data)
    return schema
