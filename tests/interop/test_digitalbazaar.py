"""Interoperability of Baeji's eddsa-rdfc-2022 proofs with independent implementations.

Digital Bazaar's JavaScript stack (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite,
jsonld.js) runs through interop/di.mjs, offline: its document loader serves only Baeji's bundled
contexts, did:key documents and files the test seeds. openbadgeslib (Python, pyld, its own
bundled contexts) is a second independent verifier of Baeji-signed credentials.

Directions covered:
- the JS stack verifies the published W3C and 1EdTech vectors and rejects tampered copies;
- Baeji-signed OB 3.0 credentials (and their status lists) verify in the JS stack and in
  openbadgeslib; JS-signed credentials verify in Baeji;
- both signers produce the same proof for the same input and creation time (Ed25519 is
  deterministic, so any canonicalisation difference would show here).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.interop

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OB3_FIXTURES = sorted((FIXTURES / "ob3").glob("*.json"))
OB3_IDS = [path.stem for path in OB3_FIXTURES]

W3C_VECTOR = "w3c-eddsa-rdfc-2022-signed.json"
OB3_VECTOR = "ob3-vector-signed.json"
# The 1EdTech vector's key is named by an https URL; this controller document (built from the
# vector's keyPair) is what its issuer would publish there.
OB3_VECTOR_CONTROLLER = "https://example.edu/issuers/565049"
OB3_VECTOR_CONTROLLER_DOC = "ob3-vector-issuer.json"

CREATED = "2025-09-01T09:30:00Z"


def load(name: str | Path) -> dict[str, Any]:
    """Parse a fixture by name (relative to fixtures/) or path."""
    path = name if isinstance(name, Path) else FIXTURES / name
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def issuer_id(credential: dict[str, Any]) -> str:
    """The credential's issuer identifier."""
    issuer = credential["issuer"]
    return issuer if isinstance(issuer, str) else issuer["id"]


def status_urls(credential: dict[str, Any]) -> list[str]:
    """The statusListCredential URLs the credential points at."""
    status = credential.get("credentialStatus", [])
    entries = status if isinstance(status, list) else [status]
    return [entry["statusListCredential"] for entry in entries]


def tamper_claim(credential: dict[str, Any]) -> dict[str, Any]:
    """A copy with one subject claim changed by one character."""
    changed = copy.deepcopy(credential)
    subject = changed["credentialSubject"]
    if "achievement" in subject:
        subject["achievement"]["name"] += "!"
    else:
        subject["alumniOf"] += "!"
    return changed


def tamper_name(credential: dict[str, Any]) -> dict[str, Any]:
    """A copy whose top-level name differs by one character."""
    changed = copy.deepcopy(credential)
    changed["name"] += "!"
    return changed


def tamper_proof_value(credential: dict[str, Any]) -> dict[str, Any]:
    """A copy with a different signature of the right length and encoding."""
    changed = copy.deepcopy(credential)
    value = changed["proof"]["proofValue"]
    # Swap two different base58 characters near the middle: same length, no longer valid.
    mid = next(i for i in range(len(value) // 2, len(value) - 1) if value[i] != value[i + 1])
    swapped = value[:mid] + value[mid + 1] + value[mid] + value[mid + 2 :]
    changed["proof"]["proofValue"] = swapped
    return changed


# -- Baeji's side (imported inside the helpers so collection never depends on them) ----------


def baeji_sign(document: dict[str, Any], key: Any, *, created: str | None = CREATED) -> Any:
    """Sign with Baeji's eddsa-rdfc-2022 suite."""
    from baeji.credentials.suites import eddsa_rdfc_2022

    return eddsa_rdfc_2022.sign(
        document,
        private_key=key.private_key,
        verification_method=key.verification_method,
        created=created,
    )


def baeji_verify(signed: dict[str, Any], key: Any) -> None:
    """Verify with Baeji's eddsa-rdfc-2022 suite; raises on failure."""
    from baeji.credentials.suites import eddsa_rdfc_2022

    document = {k: v for k, v in signed.items() if k != "proof"}
    eddsa_rdfc_2022.verify_proof(document, signed["proof"], public_key=key.public_key)


@pytest.fixture
def baeji_status_lists(issuers: dict[str, Any], make_status_list: Any) -> Any:
    """Factory: Baeji-signed status list credentials for a credential, by URL."""

    def build(credential: dict[str, Any], set_indices: tuple[int, ...] = ()) -> dict[str, Any]:
        key = issuers[issuer_id(credential)]
        return {
            url: baeji_sign(make_status_list(key, url, set_indices=set_indices), key)
            for url in status_urls(credential)
        }

    return build


# -- 1. the JS stack and the published vectors ----------------------------------------------


def test_js_stack_verifies_w3c_vector_proof(node_stack):
    result = node_stack.verify(load(W3C_VECTOR), mode="proof")
    assert result == {"verified": True}


def test_js_stack_binds_issuer_to_key_controller(node_stack):
    # The W3C vector's issuer is a placeholder URL, not the did:key that signed it: a full VC
    # check must refuse it. This shows the issuer/controller check is on, not disabled.
    result = node_stack.verify(load(W3C_VECTOR), mode="credential")
    assert result["verified"] is False
    assert "issuer must match the verification method controller" in result["error"]


def test_js_stack_verifies_1edtech_ob3_vector(node_stack):
    result = node_stack.verify(
        load(OB3_VECTOR), seeds={OB3_VECTOR_CONTROLLER: load(OB3_VECTOR_CONTROLLER_DOC)}
    )
    assert result == {"verified": True}


def test_js_stack_requires_assertion_method_authorisation(node_stack):
    controller = load(OB3_VECTOR_CONTROLLER_DOC)
    del controller["assertionMethod"]
    result = node_stack.verify(load(OB3_VECTOR), seeds={OB3_VECTOR_CONTROLLER: controller})
    assert result["verified"] is False
    assert 'not authorized by controller for proof purpose "assertionMethod"' in result["error"]


@pytest.mark.parametrize(
    "tamper", [tamper_name, tamper_claim, tamper_proof_value], ids=["name", "claim", "proofValue"]
)
@pytest.mark.parametrize(
    ("vector", "mode", "seeds"),
    [
        (W3C_VECTOR, "proof", {}),
        (OB3_VECTOR, "credential", {OB3_VECTOR_CONTROLLER: OB3_VECTOR_CONTROLLER_DOC}),
    ],
    ids=["w3c", "1edtech-ob3"],
)
def test_js_stack_rejects_tampered_vectors(node_stack, vector, mode, seeds, tamper):
    result = node_stack.verify(
        tamper(load(vector)), mode=mode, seeds={url: load(name) for url, name in seeds.items()}
    )
    assert result["verified"] is False
    assert result["error"] == "Invalid signature."


def test_js_stack_loader_never_fetches(node_stack):
    # An unknown context would need the network; the loader must refuse instead.
    signed = load(OB3_VECTOR)
    signed["@context"] = [*signed["@context"], "https://contexts.example/not-bundled.json"]
    result = node_stack.verify(
        signed, seeds={OB3_VECTOR_CONTROLLER: load(OB3_VECTOR_CONTROLLER_DOC)}
    )
    assert result["verified"] is False
    assert any(
        "Refusing to load" in message and "https://contexts.example/not-bundled.json" in message
        for message in result["errors"]
    )


# -- 2. Baeji <-> Digital Bazaar ------------------------------------------------------------


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_baeji_signed_credential_verifies_in_js_stack(
    node_stack, issuers, baeji_status_lists, path
):
    credential = load(path)
    signed = baeji_sign(credential, issuers[issuer_id(credential)])
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    seeds = baeji_status_lists(credential)
    result = node_stack.verify(signed, seeds=seeds)

    assert result["verified"] is True, result
    # With a status entry the JS stack also verified the Baeji-signed status list credential
    # (its proof and its issuer) before reading the bit.
    assert [entry["set"] for entry in result.get("status", [])] == [False] * len(seeds)


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_js_stack_rejects_tampered_baeji_credential(node_stack, issuers, baeji_status_lists, path):
    credential = load(path)
    signed = baeji_sign(credential, issuers[issuer_id(credential)])
    result = node_stack.verify(tamper_claim(signed), seeds=baeji_status_lists(credential))
    assert result["verified"] is False
    assert result["error"] == "Invalid signature."


def test_js_stack_reads_revocation_from_baeji_status_list(node_stack, issuers, baeji_status_lists):
    credential = load(FIXTURES / "ob3" / "swim-level-3.json")
    index = int(credential["credentialStatus"]["statusListIndex"])
    signed = baeji_sign(credential, issuers[issuer_id(credential)])

    result = node_stack.verify(signed, seeds=baeji_status_lists(credential, set_indices=(index,)))

    # The proofs verify; the status list says the credential is revoked.
    assert result["verified"] is True, result
    assert result["status"] == [
        {
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": credential["credentialStatus"]["statusListCredential"],
            "set": True,
        }
    ]


def test_js_stack_rejects_status_list_from_another_issuer(node_stack, issuers, make_status_list):
    credential = load(FIXTURES / "ob3" / "swim-level-3.json")
    owner = issuers[issuer_id(credential)]
    (stranger,) = (key for did, key in issuers.items() if did != owner.did)
    url = credential["credentialStatus"]["statusListCredential"]

    result = node_stack.verify(
        baeji_sign(credential, owner),
        seeds={url: baeji_sign(make_status_list(stranger, url), stranger)},
    )

    assert result["verified"] is False
    assert (
        "Issuers of the status list credential and verifiable credential do not match"
        in (result["error"])
    )


def test_baeji_did_web_issuer_verifies_in_js_stack(node_stack, issuers):
    # A did:web issuer: the JS stack dereferences the key through the DID document Baeji
    # would publish at /.well-known/did.json (seeded here instead of fetched).
    from baeji.credentials.keys import did_web_document
    from baeji.credentials.suites import eddsa_rdfc_2022

    did = "did:web:youth.seoul.example.kr"
    credential = load(FIXTURES / "ob3" / "volunteer-hours.json")
    key = issuers[issuer_id(credential)]
    credential["issuer"]["id"] = did
    document = did_web_document(did, [("key-1", key.public_key, None)])
    signed = eddsa_rdfc_2022.sign(
        credential, private_key=key.private_key, verification_method=f"{did}#key-1"
    )
    assert node_stack.verify(signed, seeds={did: document}) == {"verified": True}

    # Once Baeji marks the key revoked, its DID document drops it from assertionMethod and the
    # JS stack must refuse the proof.
    revoked = did_web_document(did, [("key-1", key.public_key, "2025-10-01T00:00:00Z")])
    result = node_stack.verify(signed, seeds={did: revoked})
    assert result["verified"] is False
    assert "not authorized by controller" in result["error"]


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_js_signed_credential_verifies_in_baeji(node_stack, issuers, path):
    credential = load(path)
    key = issuers[issuer_id(credential)]
    signed = node_stack.sign(credential, key, created=CREATED)

    assert signed["proof"]["type"] == "DataIntegrityProof"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofPurpose"] == "assertionMethod"
    assert signed["proof"]["verificationMethod"] == key.verification_method
    baeji_verify(signed, key)


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_baeji_rejects_tampered_js_signed_credential(node_stack, issuers, path):
    from baeji.credentials.errors import CredentialError

    credential = load(path)
    key = issuers[issuer_id(credential)]
    signed = node_stack.sign(credential, key, created=CREATED)

    for changed in (tamper_claim(signed), tamper_proof_value(signed)):
        with pytest.raises(CredentialError):
            baeji_verify(changed, key)


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_baeji_and_js_stack_sign_identically(node_stack, issuers, path):
    # Same document, key and creation time: Ed25519 is deterministic, so equal proofs mean
    # both canonicalised the document and the proof options to the same bytes.
    credential = load(path)
    key = issuers[issuer_id(credential)]

    ours = baeji_sign(credential, key)
    theirs = node_stack.sign(credential, key, created=CREATED)

    assert ours["proof"] == theirs["proof"]
    assert {k: v for k, v in ours.items() if k != "proof"} == credential


def test_baeji_verifies_js_signed_status_list(node_stack, issuers, make_status_list):
    key = next(iter(issuers.values()))
    unsigned = make_status_list(key, "https://youth.seoul.example.kr/status/1", set_indices=(3,))
    baeji_verify(node_stack.sign(unsigned, key, created=CREATED), key)


# -- 3. openbadgeslib as a second independent verifier ---------------------------------------


def _openbadgeslib_download(documents: dict[str, dict[str, Any]]) -> Any:
    def download(url: str) -> bytes:
        # Anything not provided here would be a network fetch: fail instead.
        if url not in documents:
            raise AssertionError(f"openbadgeslib tried to download {url}")
        return json.dumps(documents[url], ensure_ascii=False).encode("utf-8")

    return download


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_openbadgeslib_verifies_baeji_signed_credential(issuers, baeji_status_lists, path):
    from openbadgeslib.ob3.did import resolve_verification_method
    from openbadgeslib.ob3.ldp import OB3LdpVerifier, verify_data_integrity_proof

    credential = load(path)
    key = issuers[issuer_id(credential)]
    signed = baeji_sign(credential, key)
    lists = baeji_status_lists(credential)

    # Resolves the did:key offline, checks issuer == key controller, the JSON-LD form, the
    # proof, the validity window and (offline, through `download`) the status bit.
    verified = OB3LdpVerifier().verify(
        signed, check_status=True, download=_openbadgeslib_download(lists), verify_status_list=False
    )
    assert verified.issuer.id == key.did
    # openbadgeslib verifies only JWT status lists itself; check the Data Integrity proof of
    # each Baeji-signed list with its low-level verifier.
    pem = resolve_verification_method(key.verification_method)
    for status_list in lists.values():
        verify_data_integrity_proof(status_list, pem)


def test_openbadgeslib_sees_baeji_revocation(issuers, baeji_status_lists):
    from openbadgeslib.ob3.ldp import OB3LdpVerifier
    from openbadgeslib.ob3.verifier import OB3VerificationError

    credential = load(FIXTURES / "ob3" / "swim-level-3.json")
    index = int(credential["credentialStatus"]["statusListIndex"])
    signed = baeji_sign(credential, issuers[issuer_id(credential)])
    lists = baeji_status_lists(credential, set_indices=(index,))

    with pytest.raises(OB3VerificationError, match="'revocation' is set at index 42"):
        OB3LdpVerifier().verify(
            signed,
            check_status=True,
            download=_openbadgeslib_download(lists),
            verify_status_list=False,
        )


@pytest.mark.parametrize("path", OB3_FIXTURES, ids=OB3_IDS)
def test_openbadgeslib_rejects_tampered_baeji_credential(issuers, path):
    from openbadgeslib.ob3.ldp import OB3LdpVerifier
    from openbadgeslib.ob3.verifier import OB3VerificationError

    credential = load(path)
    signed = baeji_sign(credential, issuers[issuer_id(credential)])
    for changed in (tamper_claim(signed), tamper_proof_value(signed)):
        with pytest.raises(OB3VerificationError):
            OB3LdpVerifier().verify(changed, check_status=False)


# -- 4. the `baeji` command line against the JS stack ---------------------------------------


def baeji_cli(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the installed ``baeji`` command (the console script next to this interpreter)."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("baeji")), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_baeji_cli_signed_credential_and_status_list_verify_in_js_stack(
    node_stack, issuers, tmp_path
):
    credential = load(FIXTURES / "ob3" / "swim-level-3.json")
    key_file = issuers[issuer_id(credential)].key_file(tmp_path)
    url = credential["credentialStatus"]["statusListCredential"]
    index = credential["credentialStatus"]["statusListIndex"]
    list_file = tmp_path / "list.json"

    made = baeji_cli(
        ["status-list", "new", "--key", str(key_file), "--url", url, "-o", str(list_file)]
    )
    assert made.returncode == 0, made.stderr
    signed = baeji_cli(
        ["sign", "--key", str(key_file), "-"], json.dumps(credential, ensure_ascii=False)
    )
    assert signed.returncode == 0, signed.stderr
    credential_signed = json.loads(signed.stdout)

    result = node_stack.verify(credential_signed, seeds={url: load(list_file)})
    assert result["verified"] is True, result
    assert [entry["set"] for entry in result["status"]] == [False]

    revoked = baeji_cli(["status-list", "set", str(list_file), index, "--key", str(key_file)])
    assert revoked.returncode == 0, revoked.stderr
    result = node_stack.verify(credential_signed, seeds={url: load(list_file)})
    assert result["verified"] is True, result
    assert [entry["set"] for entry in result["status"]] == [True]


def test_js_signed_credential_and_status_list_verify_with_baeji_cli(
    node_stack, issuers, make_status_list, tmp_path
):
    credential = load(FIXTURES / "ob3" / "swim-level-3.json")
    key = issuers[issuer_id(credential)]
    url = credential["credentialStatus"]["statusListCredential"]
    list_file = tmp_path / "list.json"
    list_file.write_text(
        json.dumps(node_stack.sign(make_status_list(key, url), key, created=CREATED)),
        encoding="utf-8",
    )
    signed = json.dumps(node_stack.sign(credential, key, created=CREATED), ensure_ascii=False)

    ok = baeji_cli(["verify", "--json", "--resolve", f"{url}={list_file}", "-"], signed)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["valid"] is True

    bad = baeji_cli(
        ["verify", "--json", "--resolve", f"{url}={list_file}", "-"],
        json.dumps(tamper_claim(json.loads(signed)), ensure_ascii=False),
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert json.loads(bad.stdout)["valid"] is False
