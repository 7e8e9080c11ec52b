"""Signing keys: encrypted at rest, rotation keeps old keys in the DID document, revocation."""

from __future__ import annotations

import json

from django.db import connection

from baeji.awards.services import award_issue
from baeji.keystore.models import SigningKey
from baeji.keystore.selectors import private_key_of
from baeji.keystore.services import signing_key_revoke, signing_key_rotate
from baeji.verification.selectors import verify_award


def test_private_key_is_never_stored_in_clear(world):
    key = SigningKey.objects.get(organization=world.school)
    raw = private_key_of(key).private_bytes_raw()
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_encrypted FROM keystore_signingkey WHERE id = %s", [key.pk])
        stored = bytes(cursor.fetchone()[0])
    assert raw not in stored
    assert len(stored) == 12 + 32 + 16  # nonce, ciphertext, tag


def test_ciphertext_is_bound_to_its_row(world):
    import pytest
    from cryptography.exceptions import InvalidTag

    school_key = SigningKey.objects.get(organization=world.school)
    sibling_key = SigningKey.objects.get(organization=world.sibling)
    sibling_key.private_encrypted = school_key.private_encrypted
    with pytest.raises(InvalidTag):
        private_key_of(sibling_key)


def test_did_document_served(client, world):
    response = client.get("/issuers/school/did.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/did+json")
    document = json.loads(response.content)
    assert document["id"] == "did:web:badges.example.org:issuers:school"
    key = SigningKey.objects.get(organization=world.school)
    method = document["verificationMethod"][0]
    assert method["id"] == f"did:web:badges.example.org:issuers:school#{key.fragment}"
    assert method["publicKeyMultibase"] == key.public_multibase
    assert document["assertionMethod"] == [method["id"]]
    assert client.get("/issuers/nobody/did.json").status_code == 404


def test_rotation_keeps_old_credentials_valid(client, world, swim_badge):
    before = award_issue(
        achievement=swim_badge, recipient_email="a@example.com", recipient_name="A", notify=False
    )
    old = SigningKey.objects.get(organization=world.school)
    new = signing_key_rotate(organization=world.school, by=world.owner)
    document = json.loads(client.get("/issuers/school/did.json").content)
    ids = [m["id"].rsplit("#", 1)[1] for m in document["verificationMethod"]]
    assert ids == [new.fragment, old.fragment]
    assert verify_award(before).valid
    after = award_issue(
        achievement=swim_badge, recipient_email="b@example.com", recipient_name="B", notify=False
    )
    assert json.loads(after.credential_json)["proof"]["verificationMethod"].endswith(new.fragment)
    assert verify_award(after).valid


def test_revoked_key_is_marked_and_its_credentials_fail(client, world, swim_badge):
    award = award_issue(
        achievement=swim_badge, recipient_email="a@example.com", recipient_name="A", notify=False
    )
    key = SigningKey.objects.get(organization=world.school)
    signing_key_rotate(organization=world.school)
    signing_key_revoke(key=SigningKey.objects.get(pk=key.pk), by=world.owner, reason="leaked")
    document = json.loads(client.get("/issuers/school/did.json").content)
    revoked = next(m for m in document["verificationMethod"] if m["id"].endswith(key.fragment))
    assert "revoked" in revoked
    assert revoked["id"] not in document["assertionMethod"]
    assert not verify_award(award).valid
