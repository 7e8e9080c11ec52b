"""Safe-mode JSON-LD expansion and RDFC-1.0 canonicalization, full path and fast path."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baeji.credentials import jsonld
from baeji.credentials.contexts import OB_V3P0, VC_V2
from baeji.credentials.errors import ContextError

from .eddsa_samples import (
    OB3_VECTOR,
    STANDARDS,
    VALIDATOR,
    W3C,
    credentials,
    load_json,
    realistic_credential,
)

RDFC_DOC = W3C / "eddsa-rdfc-2022"

# The W3C proof options of the eddsa-rdfc-2022 vector, with the document's @context.
W3C_PROOF_CONFIG = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "proofPurpose": "assertionMethod",
}

W3C_CANONICAL_PROOF = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"'
    "^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/security#DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"'
    "^^<https://w3id.org/security#cryptosuiteString> .\n"
    "_:c14n0 <https://w3id.org/security#proofPurpose> "
    "<https://w3id.org/security#assertionMethod> .\n"
    "_:c14n0 <https://w3id.org/security#verificationMethod> "
    "<did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2> .\n"
)

BOTH = pytest.mark.parametrize("fast", [False, True], ids=["full", "fast"])


def _without_proof(document: dict) -> dict:
    return {key: value for key, value in document.items() if key != "proof"}


# ------------------------------------------------------------------ published vectors


@BOTH
def test_w3c_vector_document_canonical_form(fast):
    document = _without_proof(load_json(RDFC_DOC / "signedDataInt.json"))
    expected = (RDFC_DOC / "canonDocDataInt.txt").read_text("utf-8")
    assert jsonld.canonicalize(document, fast=fast) == expected


@BOTH
def test_w3c_vector_proof_config_canonical_form(fast):
    assert jsonld.canonicalize(W3C_PROOF_CONFIG, fast=fast) == W3C_CANONICAL_PROOF
    assert (RDFC_DOC / "proofCanonDataInt.txt").read_text("utf-8") == W3C_CANONICAL_PROOF


@BOTH
def test_1edtech_ob3_vector_canonical_forms(fast):
    vector = load_json(OB3_VECTOR / "vector.json")
    document = vector["unsignedCredential"]
    config = dict(vector["proofOptions"], **{"@context": document["@context"]})
    assert jsonld.canonicalize(document, fast=fast) == (
        OB3_VECTOR / "document-canon.txt"
    ).read_text("utf-8")
    assert jsonld.canonicalize(config, fast=fast) == (OB3_VECTOR / "proof-canon.txt").read_text(
        "utf-8"
    )


def test_fast_path_handles_the_vectors_and_the_realistic_credential():
    # Without this the fast/full comparisons below could pass by always falling back.
    vector = load_json(OB3_VECTOR / "vector.json")
    for document in (
        vector["unsignedCredential"],
        W3C_PROOF_CONFIG,
        realistic_credential(),
        _without_proof(load_json(VALIDATOR / "simple.json")),
    ):
        assert jsonld.canonicalize_fast_only(document) == jsonld.canonicalize(document, fast=False)


def test_realistic_credential_canonical_form_has_the_expected_statements():
    nquads = jsonld.canonicalize(realistic_credential(7))
    assert (
        "<urn:uuid:3f1c6a52-8d2e-4b7a-9c1d-000000000007> "
        "<https://www.w3.org/2018/credentials#credentialStatus> "
        "<https://badges.example.kr/status/1#7> .\n"
    ) in nquads
    assert '<https://schema.org/name> "정보보안 기초" .\n' in nquads
    assert '"다음을 충족해야 합니다:\\n1. 과제 5개\\n2. 시험 80점" .\n' in nquads
    assert (
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019>"
    ) in nquads
    assert '"3"^^<https://www.w3.org/2001/XMLSchema#float>' in nquads
    # allowedValue is an @list: five list cells
    assert nquads.count("<http://www.w3.org/1999/02/22-rdf-syntax-ns#first>") == 5
    lines = nquads.splitlines()
    assert lines == sorted(lines)


# ------------------------------------------------------------------ safe mode


def _undefined_property(document: dict) -> dict:
    document["credentialSubject"]["favouriteColour"] = "파랑"
    return document


def _undefined_type(document: dict) -> dict:
    document["credentialSubject"]["achievement"]["type"] = ["Achievement", "SecretBadge"]
    return document


def _relative_id(document: dict) -> dict:
    document["evidence"][0]["id"] = "evidence/77"
    return document


def _relative_coerced_iri(document: dict) -> dict:
    document["credentialSubject"]["achievement"]["image"]["id"] = "images/badge.png"
    return document


def _relative_issuer(document: dict) -> dict:
    document["issuer"] = "issuers/1"
    return document


def _undefined_top_level_term(document: dict) -> dict:
    document["internalNote"] = "do not publish"
    return document


UNSAFE = {
    "undefined property": (_undefined_property, "favouriteColour"),
    "undefined type": (_undefined_type, "SecretBadge"),
    "relative @id": (_relative_id, "evidence/77"),
    "relative IRI in an @id-typed term": (_relative_coerced_iri, "images/badge.png"),
    "relative issuer": (_relative_issuer, "issuers/1"),
    "undefined top-level term": (_undefined_top_level_term, "internalNote"),
}


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_expand_safe_names_the_offending_term(name):
    change, term = UNSAFE[name]
    with pytest.raises(ContextError, match=term):
        jsonld.expand_safe(change(realistic_credential()))


@pytest.mark.parametrize("name", sorted(UNSAFE))
@BOTH
def test_canonicalize_refuses_unsafe_documents(name, fast):
    change, term = UNSAFE[name]
    document = change(realistic_credential())
    assert jsonld.canonicalize_fast_only(document) is None
    with pytest.raises(ContextError, match=term):
        jsonld.canonicalize(document, fast=fast)


def test_expand_safe_returns_expanded_json_ld():
    expanded = jsonld.expand_safe(realistic_credential())
    assert isinstance(expanded, list) and len(expanded) == 1
    node = expanded[0]
    assert node["@id"] == "urn:uuid:3f1c6a52-8d2e-4b7a-9c1d-000000000000"
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential" in node["@type"]


@BOTH
def test_context_that_is_not_bundled_is_refused(fast):
    document = realistic_credential()
    document["@context"] = [*document["@context"], "https://example.org/my-context.json"]
    with pytest.raises(ContextError, match="not bundled"):
        jsonld.canonicalize(document, fast=fast)


@BOTH
def test_embedded_context_cannot_sneak_in_terms_without_the_full_path(fast):
    # An inline context is legitimate JSON-LD; the fast path leaves it to pyld.
    document = realistic_credential()
    document["@context"] = [*document["@context"], {"note": "https://example.org/vocab#note"}]
    document["note"] = "hello"
    assert jsonld.canonicalize_fast_only(document) is None
    assert '<https://example.org/vocab#note> "hello"' in jsonld.canonicalize(document, fast=fast)


@BOTH
def test_protected_term_cannot_be_redefined(fast):
    document = realistic_credential()
    document["@context"] = [*document["@context"], {"name": "https://example.org/name"}]
    with pytest.raises(ContextError):
        jsonld.canonicalize(document, fast=fast)


@pytest.mark.parametrize("document", [[], "text", None])
def test_non_objects_are_refused(document):
    with pytest.raises(ContextError):
        jsonld.expand_safe(document)
    with pytest.raises(ContextError):
        jsonld.canonicalize(document)


def test_canonicalize_does_not_modify_its_input():
    document = realistic_credential()
    before = copy.deepcopy(document)
    jsonld.canonicalize(document, fast=True)
    jsonld.canonicalize(document, fast=False)
    jsonld.expand_safe(document)
    assert document == before


def test_module_switch_selects_the_path(monkeypatch):
    document = realistic_credential()
    document["@context"] = [*document["@context"], {"note": "https://example.org/vocab#note"}]
    document["note"] = "x"
    monkeypatch.setattr(jsonld, "FAST_PATH", False)
    assert jsonld.canonicalize(document) == jsonld.canonicalize(document, fast=True)


# ------------------------------------------------------------------ fast == full


def _same_result(document: dict) -> None:
    try:
        expected = jsonld.canonicalize(document, fast=False)
    except ContextError as error:
        with pytest.raises(ContextError) as raised:
            jsonld.canonicalize(document, fast=True)
        assert str(raised.value) == str(error)
        return
    assert jsonld.canonicalize(document, fast=True) == expected
    fast_only = jsonld.canonicalize_fast_only(document)
    assert fast_only is None or fast_only == expected


def _example_documents() -> list:
    paths = sorted((STANDARDS / "examples").rglob("*.json"))
    documents = []
    for path in paths:
        data = json.loads(path.read_text("utf-8"))
        if isinstance(data, dict) and "@context" in data:
            documents.append(
                pytest.param(_without_proof(data), id=str(path.relative_to(STANDARDS)))
            )
            if "proof" in data:
                documents.append(pytest.param(data, id=f"{path.relative_to(STANDARDS)}+proof"))
    return documents


@pytest.mark.parametrize("document", _example_documents())
def test_fast_path_matches_full_path_on_every_example(document):
    _same_result(document)


def test_identical_blank_nodes_fall_back_and_still_match():
    # Two identical alignments share a first-degree hash: the fast path hands over to pyld.
    document = realistic_credential()
    alignment = document["credentialSubject"]["achievement"]["alignment"][1]
    document["credentialSubject"]["achievement"]["alignment"].append(copy.deepcopy(alignment))
    assert jsonld.canonicalize_fast_only(document) is None
    _same_result(document)


def test_values_pyld_keeps_apart_are_not_merged_by_the_fast_path():
    # "1.5" and "1.50" are different JSON values but the same xsd:float... only for
    # xsd:double; with a float-typed term they stay two literals, as pyld keeps them.
    document = realistic_credential()
    document["credentialSubject"]["creditsEarned"] = ["1.5", "1.50", 1.5, 1.5]
    _same_result(document)
    document["credentialSubject"]["achievement"]["tag"] = ["a", "a", "b"]
    _same_result(document)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials())
def test_fast_path_is_byte_identical_to_pyld(document):
    _same_result(document)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials(), st.sampled_from(sorted(UNSAFE)))
def test_fast_path_keeps_safe_mode(document, name):
    change, _term = UNSAFE[name]
    document.setdefault("evidence", [{"type": ["Evidence"], "name": "x"}])
    achievement = document["credentialSubject"]["achievement"]
    achievement.setdefault("image", {"id": "https://example.kr/i.png", "type": "Image"})
    for fast in (False, True):
        with pytest.raises(ContextError):
            jsonld.canonicalize(change(copy.deepcopy(document)), fast=fast)


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(10**22), max_value=10**22),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(max_size=8),
        ),
        lambda children: st.lists(children, max_size=3),
        max_leaves=6,
    ),
    st.sampled_from(
        ["name", "tag", "creditsAvailable", "image", "alignment", "humanCode", "otherIdentifier"]
    ),
)
def test_odd_json_values_give_the_same_result_on_both_paths(value, key):
    # Lists of lists, nulls, huge numbers, scalars where nodes are expected...
    document = {
        "@context": [VC_V2, OB_V3P0],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "https://example.kr/issuer",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": "AchievementSubject",
            "achievement": {"type": "Achievement", "name": "n", key: value},
        },
    }
    _same_result(document)
