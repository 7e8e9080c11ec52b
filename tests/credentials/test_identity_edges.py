"""Recipient identity hashes: algorithms, salts and the forms issuers write them in."""

from __future__ import annotations

import pytest

from baeji.credentials import model
from baeji.credentials.identity import identity_hash, identity_matches, new_salt


def test_unknown_hash_algorithm_is_refused_when_hashing():
    with pytest.raises(ValueError, match="unsupported identity hash algorithm 'sha1'"):
        identity_hash("minjun@example.kr", "소금", "sha1")


def test_unknown_hash_algorithm_never_matches():
    # A sha1 hash of the right address still does not count: only sha256 and md5 exist.
    import hashlib

    digest = hashlib.sha1(b"minjun@example.kr").hexdigest()
    assert not identity_matches("minjun@example.kr", f"sha1${digest}")


def test_algorithm_name_and_hex_are_compared_without_case():
    hashed = identity_hash("minjun@example.kr", "소금")
    assert identity_matches("minjun@example.kr", "SHA256$" + hashed.split("$")[1].upper(), "소금")


def test_fresh_salts_are_random_and_used_when_none_is_given():
    salts = {new_salt() for _ in range(20)}
    assert len(salts) == 20 and all(len(salt) >= 22 for salt in salts)
    first = model.identity_object(email="minjun@example.kr")
    second = model.identity_object(email="minjun@example.kr")
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]
    assert identity_matches("minjun@example.kr", first["identityHash"], first["salt"])


def test_unhashed_value_is_compared_exactly():
    assert identity_matches("S-2026-0042", "S-2026-0042")
    assert not identity_matches("S-2026-0042", "s-2026-0042")
