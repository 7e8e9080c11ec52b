"""W3C Bitstring Status List 1.0: the status lists Baeji publishes, and the ones it reads.

An issuer keeps one bitstring per status purpose (``revocation``, ``suspension``); every
credential it issues gets a random position in it (:func:`allocate_index`) and carries a
``BitstringStatusListEntry`` (:func:`status_entry`) that points at that position. Revoking or
suspending flips the bit and re-publishes the list as a ``BitstringStatusListCredential``
(:func:`status_list_credential`, signed by the caller).

Verifiers call :func:`read_status` with a credential's status entry and the list document
they fetched (and proof-checked) themselves. Besides Bitstring Status List it reads the
legacy ``StatusList2021`` form and 1EdTech's ``1EdTechRevocationList``, which Open Badges 3.0
credentials from other issuers still use.

Layout (spec, section "Bitstring Encoding"): ``encodedList`` is ``u`` (multibase base64url,
no padding) followed by the base64url of the GZIP-compressed bitstring. Index 0 is the
left-most (most significant) bit of the first byte.
"""

from __future__ import annotations

import base64
import gzip
import re
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .contexts import VC_V2
from .errors import StatusListError

__all__ = [
    "MIN_LENGTH",
    "PURPOSES",
    "StatusList",
    "StatusResult",
    "allocate_index",
    "read_status",
    "status_entry",
    "status_list_credential",
]

MIN_LENGTH = 131072
"""The smallest list the spec allows (16 KiB of bits), so that one credential hides in a crowd."""

PURPOSES = ("revocation", "suspension")
"""The status purposes Baeji issues lists for."""

# A list this large (134 million entries) is far beyond any real issuer; the cap stops a
# small GZIP "bomb" from expanding into gigabytes in a verifier's memory.
_MAX_DECODED_BYTES = 16 * 1024 * 1024

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# StatusList2021 lists in the wild use either alphabet, with or without padding.
_BASE64_ANY = re.compile(r"[A-Za-z0-9_+/-]*={0,2}")
_DIGITS = re.compile(r"[0-9]+")
_GZIP_MAGIC = b"\x1f\x8b"

_BITSTRING_ENTRY = "BitstringStatusListEntry"
_LEGACY_ENTRY = "StatusList2021Entry"
_ONE_EDTECH_ENTRY = "1EdTechRevocationList"


class StatusList:
    """A mutable bitstring of credential statuses, one bit per credential.

    ``length`` is the number of entries (bits). Index 0 is the left-most bit of byte 0, as
    the spec requires, so lists written here read the same in every other implementation.
    """

    __slots__ = ("_bits",)

    def __init__(self, length: int = MIN_LENGTH) -> None:
        """Create an all-zero list of ``length`` bits.

        Raises StatusListError when ``length`` is below :data:`MIN_LENGTH` (the spec's floor
        for herd privacy) or not a whole number of bytes.
        """
        if isinstance(length, bool) or not isinstance(length, int):
            raise StatusListError(f"A status list length must be a whole number, not {length!r}.")
        if length < MIN_LENGTH:
            raise StatusListError(
                f"A status list needs at least {MIN_LENGTH} entries (16 KiB) so that one "
                f"credential's status cannot be singled out; {length} was asked for."
            )
        if length % 8:
            raise StatusListError(
                f"A status list length must be a multiple of 8 (whole bytes); got {length}."
            )
        self._bits = bytearray(length // 8)

    @property
    def length(self) -> int:
        """The number of entries (bits) in the list."""
        return len(self._bits) * 8

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """Read an ``encodedList`` value.

        Accepts the Bitstring Status List form (``u`` + base64url of GZIP) and the legacy
        StatusList2021 form (base64 of GZIP without a multibase prefix). Raises
        StatusListError for another multibase prefix, bad base64, data that is not GZIP or
        is truncated, a list larger than 16 MiB expanded, or one shorter than the minimum.
        """
        if not isinstance(encoded, str) or not encoded:
            raise StatusListError("The encodedList is missing or is not a text value.")
        if encoded.startswith("u"):
            compressed = _decode_base64(encoded[1:], legacy=False)
        elif encoded.startswith("H4sI"):
            # Base64 of the GZIP magic bytes: a StatusList2021 list, which had no prefix.
            compressed = _decode_base64(encoded, legacy=True)
        else:
            raise StatusListError(
                "The encodedList must start with the multibase prefix 'u' (base64url without "
                f"padding); it starts with {encoded[:1]!r}."
            )
        raw = _gunzip(compressed)
        if len(raw) * 8 < MIN_LENGTH:
            raise StatusListError(
                f"The status list has only {len(raw) * 8} entries; the spec requires at least "
                f"{MIN_LENGTH} so that one credential's status cannot be singled out."
            )
        status_list = cls.__new__(cls)
        status_list._bits = bytearray(raw)
        return status_list

    def encode(self) -> str:
        """The ``encodedList`` value: ``u`` + base64url (no padding) of the GZIP-ed bits.

        The GZIP header carries no timestamp, so the same bits always encode the same way.
        """
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    def get(self, index: int) -> bool:
        """The status bit at ``index``; StatusListError when the index is outside the list."""
        self._check_index(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> None:
        """Set (or, with ``value=False``, clear) the status bit at ``index``."""
        self._check_index(index)
        mask = 0x80 >> (index % 8)
        if value:
            self._bits[index // 8] |= mask
        else:
            self._bits[index // 8] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """Every index whose bit is set, in ascending order."""
        found: list[int] = []
        for byte_index, byte in enumerate(self._bits):
            if byte:
                found.extend(byte_index * 8 + bit for bit in range(8) if byte & (0x80 >> bit))
        return found

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise StatusListError(f"A status list index must be a whole number, not {index!r}.")
        if not 0 <= index < self.length:
            raise StatusListError(
                f"Status list index {index} is outside the list (0 to {self.length - 1})."
            )

    def __repr__(self) -> str:
        return f"<StatusList length={self.length}>"


def _decode_base64(text: str, *, legacy: bool) -> bytes:
    pattern = _BASE64_ANY if legacy else _BASE64URL
    if not pattern.fullmatch(text):
        alphabet = "base64" if legacy else "base64url (without padding)"
        raise StatusListError(f"The encodedList is not valid {alphabet}.")
    stripped = text.rstrip("=")
    if len(stripped) % 4 == 1:
        raise StatusListError("The encodedList has an impossible base64 length; it is cut short.")
    standard = stripped.replace("-", "+").replace("_", "/") + "=" * (-len(stripped) % 4)
    # The alphabet, padding and length were checked above, so decoding cannot fail.
    return base64.b64decode(standard, validate=True)


def _gunzip(data: bytes) -> bytes:
    if not data.startswith(_GZIP_MAGIC):
        raise StatusListError("The encodedList does not hold GZIP-compressed data.")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(data, _MAX_DECODED_BYTES + 1)
    except zlib.error as error:
        raise StatusListError(f"The status list's GZIP data is corrupt ({error}).") from error
    if len(raw) > _MAX_DECODED_BYTES or inflater.unconsumed_tail:
        raise StatusListError(
            f"The status list expands to more than {_MAX_DECODED_BYTES} bytes; refused."
        )
    if not inflater.eof:
        raise StatusListError("The status list's GZIP data is cut short.")
    if inflater.unused_data:
        raise StatusListError("The status list's GZIP data has unexpected bytes after its end.")
    return raw


def allocate_index(length: int, is_used: Callable[[int], bool], *, attempts: int = 64) -> int:
    """Pick a random, unused position in a list of ``length`` entries.

    Positions are drawn with :mod:`secrets` so that an index says nothing about when or in
    what order a credential was issued (the spec asks for random assignment). ``is_used``
    tells whether a position is already taken; a taken position is never returned. After
    ``attempts`` draws that all hit taken positions the list counts as full (or so nearly
    full that a new list is due) and StatusListError is raised.
    """
    if isinstance(length, bool) or not isinstance(length, int):
        raise StatusListError(f"A status list length must be a whole number, not {length!r}.")
    if length < MIN_LENGTH or length % 8:
        raise StatusListError(
            f"A status list length must be a multiple of 8 and at least {MIN_LENGTH}; got {length}."
        )
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise StatusListError(f"attempts must be a positive whole number, not {attempts!r}.")
    for _ in range(attempts):
        index = secrets.randbelow(length)
        if not is_used(index):
            return index
    raise StatusListError(
        f"No free position found in the status list after {attempts} random tries: the "
        "list is full or nearly full. Start a new status list."
    )


def _check_purpose(purpose: Any) -> str:
    if purpose not in PURPOSES:
        raise StatusListError(
            f"Unknown status purpose {purpose!r}; use one of: {', '.join(PURPOSES)}."
        )
    return str(purpose)


def _check_url(url: Any, what: str) -> str:
    if not isinstance(url, str) or not url.strip():
        raise StatusListError(f"The {what} must be a non-empty URL.")
    return url


def status_entry(*, list_credential_url: str, index: int, purpose: str) -> dict[str, Any]:
    """The ``credentialStatus`` entry that ties a credential to position ``index``.

    ``statusListIndex`` is written as a base-10 string, as the spec requires.
    """
    url = _check_url(list_credential_url, "status list credential address")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(f"A status list index must be a whole number >= 0, not {index!r}.")
    return {
        "id": f"{url}#{index}",
        "type": _BITSTRING_ENTRY,
        "statusPurpose": _check_purpose(purpose),
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def status_list_credential(
    *,
    url: str,
    issuer: dict[str, Any] | str,
    purpose: str,
    status_list: StatusList,
    valid_from: str,
    valid_until: str | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` publishing ``status_list`` at ``url``.

    The caller signs it and serves it at ``url``. Only the VC 2.0 context is used: it
    defines every Bitstring Status List term.
    """
    url = _check_url(url, "status list credential address")
    if isinstance(issuer, dict):
        if not isinstance(issuer.get("id"), str) or not issuer["id"]:
            raise StatusListError("The issuer profile needs an 'id'.")
    elif not isinstance(issuer, str) or not issuer:
        raise StatusListError("The issuer must be an identifier or a profile with an 'id'.")
    if not isinstance(status_list, StatusList):
        raise StatusListError("status_list must be a StatusList.")
    if not isinstance(valid_from, str) or not valid_from:
        raise StatusListError("valid_from must be a date-time string.")
    if valid_until is not None and (not isinstance(valid_until, str) or not valid_until):
        raise StatusListError("valid_until must be a date-time string or None.")
    credential: dict[str, Any] = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": _check_purpose(purpose),
        "encodedList": status_list.encode(),
    }
    return credential


@dataclass(frozen=True)
class StatusResult:
    """What a status entry says: its ``purpose``, whether its bit is ``set`` (revoked,
    suspended, ...), a ``message`` for people, and the ``reason`` the issuer gave, if any
    (a 1EdTech revocation list's ``revocationReason``)."""

    purpose: str
    set: bool
    message: str
    reason: str = field(default="", compare=False)


def _types(node: Any) -> list[str]:
    value = node.get("type") if isinstance(node, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def read_status(
    entry: dict[str, Any], list_document: dict[str, Any], *, credential_id: str | None = None
) -> StatusResult:
    """Look up one ``credentialStatus`` entry in its already-fetched list document.

    The caller fetched ``list_document`` from the address the entry names and verified its
    proof; this function only reads it. Supported:

    * ``BitstringStatusListEntry`` with a ``BitstringStatusListCredential``: the entry's
      purpose must be one of the list's purposes, the index must fall inside the list and
      ``statusSize`` must be 1 (multi-bit status messages are refused).
    * ``StatusList2021Entry`` with a ``StatusList2021Credential`` (the legacy form).
    * ``1EdTechRevocationList``: the list document names revoked credentials by id, so
      ``credential_id`` (the checked credential's ``id``) is required.

    Raises StatusListError for an unsupported entry type and for malformed entries or lists.
    """
    if not isinstance(entry, dict):
        raise StatusListError("The credentialStatus entry must be a JSON object.")
    if not isinstance(list_document, dict):
        raise StatusListError("The status list document must be a JSON object.")
    entry_types = _types(entry)
    if _BITSTRING_ENTRY in entry_types:
        return _read_bitstring(entry, list_document, legacy=False)
    if _LEGACY_ENTRY in entry_types:
        return _read_bitstring(entry, list_document, legacy=True)
    if _ONE_EDTECH_ENTRY in entry_types:
        return _read_one_edtech(entry, list_document, credential_id)
    raise StatusListError(
        f"Unsupported credentialStatus type {entry.get('type')!r}; Baeji reads "
        f"{_BITSTRING_ENTRY}, {_LEGACY_ENTRY} and {_ONE_EDTECH_ENTRY}."
    )


def _parse_index(value: Any) -> int:
    # The spec writes the index as a base-10 string; 1EdTech's own fixtures use a JSON
    # number, so a non-negative integer is read too.
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise StatusListError(
        f"statusListIndex must be a whole number >= 0 written in base 10, not {value!r}."
    )


def _read_bitstring(
    entry: dict[str, Any], document: dict[str, Any], *, legacy: bool
) -> StatusResult:
    list_type = "StatusList2021Credential" if legacy else "BitstringStatusListCredential"
    subject_type = "StatusList2021" if legacy else "BitstringStatusList"

    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        raise StatusListError("The credentialStatus entry has no statusPurpose.")
    index = _parse_index(entry.get("statusListIndex"))
    _check_url(entry.get("statusListCredential"), "entry's statusListCredential")
    size = entry.get("statusSize", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise StatusListError(f"statusSize must be a whole number >= 1, not {size!r}.")
    if size != 1:
        raise StatusListError(
            f"This credential uses {size}-bit status entries (statusSize {size}); Baeji reads "
            "only 1-bit entries, so its status cannot be checked here."
        )

    if list_type not in _types(document):
        raise StatusListError(
            f"The status list document is not a {list_type} (its type is {document.get('type')!r})."
        )
    subject = document.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise StatusListError("The status list document has no single credentialSubject.")
    if subject_type not in _types(subject):
        raise StatusListError(
            f"The status list's credentialSubject is not a {subject_type} (its type is "
            f"{subject.get('type')!r})."
        )
    list_purposes = subject.get("statusPurpose")
    if isinstance(list_purposes, str):
        list_purposes = [list_purposes]
    if (
        not isinstance(list_purposes, list)
        or not list_purposes
        or not all(isinstance(p, str) for p in list_purposes)
    ):
        raise StatusListError("The status list has no statusPurpose.")
    if legacy:
        # StatusList2021 publishers disagree on case ("Revocation"); the bits mean the same.
        matches = purpose.casefold() in {p.casefold() for p in list_purposes}
    else:
        matches = purpose in list_purposes
    if not matches:
        raise StatusListError(
            f"The credential's status entry is for {purpose!r}, but the status list is for "
            f"{' / '.join(repr(p) for p in list_purposes)}."
        )
    status_list = StatusList.decode(subject.get("encodedList"))  # type: ignore[arg-type]
    if index >= status_list.length:
        raise StatusListError(
            f"Status list index {index} is outside the list, which has {status_list.length} "
            "entries."
        )
    is_set = status_list.get(index)
    return StatusResult(purpose, is_set, _bit_message(entry, purpose, is_set))


def _bit_message(entry: dict[str, Any], purpose: str, is_set: bool) -> str:
    messages = entry.get("statusMessage")
    if messages is not None:
        if not isinstance(messages, list) or len(messages) != 2:
            raise StatusListError("statusMessage must list exactly two messages for 1-bit status.")
        for item in messages:
            if not isinstance(item, dict) or not isinstance(item.get("status"), str):
                raise StatusListError("Every statusMessage item needs a 'status' such as '0x1'.")
            try:
                value = int(item["status"], 16)
            except ValueError as error:
                raise StatusListError(
                    f"statusMessage status {item['status']!r} is not a hexadecimal value."
                ) from error
            if value == int(is_set) and isinstance(item.get("message"), str):
                return item["message"]
    if purpose == "revocation":
        return "The issuer has revoked this credential." if is_set else "Not revoked."
    if purpose == "suspension":
        return "The issuer has suspended this credential." if is_set else "Not suspended."
    return f"Status {purpose!r} is set." if is_set else f"Status {purpose!r} is not set."


def _read_one_edtech(
    entry: dict[str, Any], document: dict[str, Any], credential_id: str | None
) -> StatusResult:
    _check_url(entry.get("id"), "1EdTechRevocationList entry's id (the list address)")
    if not isinstance(credential_id, str) or not credential_id:
        raise StatusListError(
            "A 1EdTechRevocationList names revoked credentials by id: pass the checked "
            "credential's id as credential_id."
        )
    # The 1EdTech Revocation List spec names the property revokedCredentials; the 1EdTech
    # validator reads revokedCredential, so lists written for it are read too.
    items = document.get("revokedCredentials", document.get("revokedCredential"))
    if items is None:
        raise StatusListError("The revocation list has no revokedCredentials.")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise StatusListError("The revocation list's revokedCredentials must be a list.")
    for item in items:
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise StatusListError("Every revokedCredentials item needs an 'id'.")
        if item["id"] != credential_id:
            continue
        # "revoked" may be omitted (it defaults to true); some lists write it as a string.
        revoked = item.get("revoked", True)
        if isinstance(revoked, str) and revoked.strip().lower() in ("true", "false"):
            revoked = revoked.strip().lower() == "true"
        if not isinstance(revoked, bool):
            raise StatusListError(f"A revokedCredentials item has a bad 'revoked': {revoked!r}.")
        if revoked:
            reason = item.get("revocationReason")
            reason = reason.strip() if isinstance(reason, str) else ""
            message = "The issuer has revoked this credential."
            if reason:
                message += f" Reason given: {reason}"
            return StatusResult("revocation", True, message, reason)
    return StatusResult("revocation", False, "Not on the issuer's revocation list.")
