"""Bundled JSON-LD contexts and the offline document loader.

The standard contexts ship with the package, each pinned by sha256 in ``manifest.json``.
Nothing is ever fetched to process a context: :func:`document_loader` serves the bundled
copies and refuses every other URL with :class:`~baeji.credentials.errors.ContextError`.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from baeji.credentials.errors import ContextError

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_V2 = "https://w3id.org/openbadges/v2"
CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
JWS_2020_V1 = "https://w3id.org/security/suites/jws-2020/v1"
STATUS_LIST_2021 = "https://w3id.org/vc/status-list/2021/v1"


@cache
def manifest() -> dict[str, dict[str, str]]:
    """The table of bundled contexts: context URL -> {"file", "sha256", ...}."""
    text = resources.files(__package__).joinpath("manifest.json").read_text("utf-8")
    table: dict[str, dict[str, str]] = json.loads(text)
    return table


@cache
def _load_bytes(filename: str, sha256: str) -> bytes:
    data = resources.files(__package__).joinpath(filename).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise ContextError(
            f"bundled context {filename} has sha256 {digest}, expected {sha256}: "
            "the package data was altered"
        )
    return data


@cache
def get_context(url: str) -> dict[str, Any]:
    """Return the parsed bundled context document for ``url``.

    Raises ContextError for a URL that is not bundled. The returned dict is shared: do not
    modify it.
    """
    entry = manifest().get(url)
    if entry is None:
        raise ContextError(
            f"JSON-LD context {url!r} is not bundled with Baeji; "
            "contexts are never fetched from the network"
        )
    document: dict[str, Any] = json.loads(_load_bytes(entry["file"], entry["sha256"]))
    return document


def is_bundled(url: str) -> bool:
    """True when ``url`` names a context that ships with the package."""
    return url in manifest()


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves bundled contexts only.

    Documents are tagged ``static`` so pyld caches each processed context once per process
    instead of re-processing it for every document.
    """
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": get_context(url),
        "tag": "static",
    }
