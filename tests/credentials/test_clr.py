"""Comprehensive Learner Record 2.0: building, signing and verifying ``ClrCredential`` records."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baeji.credentials import clr, contexts, jsonld, keys, model, schemas
from baeji.credentials.errors import SchemaError
from baeji.credentials.fetch import Fetcher
from baeji.credentials.suites import eddsa_rdfc_2022

from .conftest import AT

FIXTURES = Path(__file__).parent / "fixtures" / "clr"
PLATFORM = keys.KeyPair(Ed25519PrivateKey.from_private_bytes(b"\x07" * 32))
PLATFORM_DID = PLATFORM.did_key()
PLATFORM_METHOD = f"{PLATFORM_DID}#{PLATFORM_DID.split(':')[-1]}"
SWIM = "https://youth.example.kr/achievements/swim-{}"


def statuses(report):
    return {c.name: c.status for c in report.checks}


def load_json(name):
    return json.loads((FIXTURES / name).read_text("utf-8"))


def controller_document(method_id):
    """A controller document for an https verification method whose fragment is its Multikey.

    The 1EdTech examples name keys this way but publish no document; the key is in the id.
    """
    base, _, multikey = method_id.partition("#")
    return {
        "@context": [contexts.DID_V1, contexts.MULTIKEY_V1],
        "id": base,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": base,
                "publicKeyMultibase": multikey,
            }
        ],
        "assertionMethod": [method_id],
    }


@pytest.fixture(scope="module")
def vector():
    return load_json("vector.json")


@pytest.fixture(scope="module")
def example_fetcher(vector):
    fetcher = Fetcher(offline=True)
    for method in (
        vector["keyPair"]["verificationMethod"],
        # the inner credential of the validator's simple.json is signed by another issuer
        "https://example.com/issuers/876543#z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx",
    ):
        fetcher.seed(method.split("#")[0], controller_document(method))
    return fetcher


def vector_key(vector):
    secret = bytes.fromhex(vector["keyPair"]["secretKeyHex"])
    return Ed25519PrivateKey.from_private_bytes(secret[:32])


# -- the 1EdTech CLR 2.0 signing vector -------------------------------------------------------


def test_vector_canonical_forms_match_the_published_nquads(vector):
    unsigned = vector["unsignedCredential"]
    document = jsonld.canonicalize(unsigned)
    assert document == (FIXTURES / "vector-document-canon.txt").read_text("utf-8")
    assert hashlib.sha256(document.encode()).hexdigest() == vector["documentHashHex"]
    proof_config = dict(vector["proofOptions"], **{"@context": unsigned["@context"]})
    assert jsonld.canonicalize(proof_config) == (FIXTURES / "vector-proof-canon.txt").read_text(
        "utf-8"
    )


def test_resigning_the_vector_gives_the_published_proof_value(vector):
    options = vector["proofOptions"]
    signed = eddsa_rdfc_2022.sign(
        vector["unsignedCredential"],
        private_key=vector_key(vector),
        verification_method=options["verificationMethod"],
        created=options["created"],
    )
    assert signed["proof"]["proofValue"] == vector["proofValue"]
    assert signed["proof"] == vector["signedCredential"]["proof"][0]


def test_builder_reproduces_the_vector_record(vector):
    unsigned = vector["unsignedCredential"]
    subject = unsigned["credentialSubject"]
    first, second = subject["achievement"]
    built = clr.clr_credential(
        id=unsigned["id"],
        issuer=unsigned["issuer"],
        learner_name=None,
        subject_id=subject["id"],
        credentials=subject["verifiableCredential"],
        associations=[
            clr.association(
                association_type="isParentOf", source_id=first["id"], target_id=second["id"]
            )
        ],
        extra_achievements=[second],
        name=unsigned["name"],
        valid_from=unsigned["validFrom"],
    )
    assert built["@context"] == unsigned["@context"]
    assert built["credentialSchema"] == unsigned["credentialSchema"]
    assert built["credentialSubject"]["verifiableCredential"] == subject["verifiableCredential"]
    # The builder writes types as arrays where the example has single strings; the RDF is
    # the same, so the canonical form and the signature are too.
    assert jsonld.canonicalize(built) == (FIXTURES / "vector-document-canon.txt").read_text("utf-8")
    signed = eddsa_rdfc_2022.sign(
        built,
        private_key=vector_key(vector),
        verification_method=vector["proofOptions"]["verificationMethod"],
        created=vector["proofOptions"]["created"],
    )
    assert signed["proof"]["proofValue"] == vector["proofValue"]


def test_published_signed_vector_verifies(vector, example_fetcher):
    signed = vector["signedCredential"]
    public_key = keys.decode_multikey(vector["keyPair"]["publicKeyMultibase"])
    for proof in eddsa_rdfc_2022.proof_of(signed):
        eddsa_rdfc_2022.verify_proof(signed, proof, public_key=public_key)
    report = clr.verify_clr(signed, fetcher=example_fetcher, at=AT)
    assert statuses(report) == {
        "format": "pass",
        "schema": "pass",
        "proof": "pass",
        "issuer": "pass",
        "validity": "pass",
        "status": "skip",
        "recipient": "skip",
        "endorsements": "skip",
        "inner credentials": "pass",
        "associations": "pass",
    }
    assert report.get("inner credentials").message == "1 inner credential(s) verified"
    assert report.valid


def test_tampered_vector_inner_credential_fails_twice(vector, example_fetcher):
    signed = copy.deepcopy(vector["signedCredential"])
    inner = signed["credentialSubject"]["verifiableCredential"][0]
    inner["credentialSubject"]["achievement"]["name"] = "Achievement 9"
    report = clr.verify_clr(signed, fetcher=example_fetcher, at=AT)
    assert report.get("proof").status == "fail"
    assert report.get("inner credentials").status == "fail"
    assert (
        "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002" in report.get("inner credentials").message
    )
    assert not report.valid


# -- the 1EdTech validator's CLR fixtures ------------------------------------------------------


def test_validator_simple_json_is_valid(example_fetcher):
    report = clr.verify_clr(
        (FIXTURES / "validator-simple.json").read_bytes(), fetcher=example_fetcher
    )
    assert report.valid, report.to_dict()
    assert report.get("inner credentials").status == "pass"
    assert report.get("schema").status == "pass"
    assert report.format == "json"


def test_validator_simple_jwt_verifies_with_warnings():
    # VC 1.1 + pre-release CLR context, RS256 with the key only in the header, and the inner
    # credential carried as a JWT string: intact, but nothing ties the keys to the issuer.
    token = (FIXTURES / "validator-simple.jwt").read_text("ascii").strip()
    report = clr.verify_clr(token, fetcher=Fetcher(offline=True), at=AT)
    assert report.format == "jwt"
    assert statuses(report) == {
        "format": "warn",
        "schema": "warn",
        "proof": "pass",
        "issuer": "warn",
        "validity": "pass",
        "status": "skip",
        "recipient": "skip",
        "endorsements": "skip",
        "inner credentials": "warn",
        "associations": "pass",
    }
    assert "Example University Degree" in report.get("inner credentials").message
    assert report.valid


def test_validator_simple_jwt_with_a_broken_signature_fails():
    token = (FIXTURES / "validator-simple.jwt").read_text("ascii").strip()
    head, payload, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    report = clr.verify_clr(f"{head}.{payload}.{flipped}", fetcher=Fetcher(offline=True), at=AT)
    assert report.get("proof").status == "fail"
    assert not report.valid


def test_validator_complex_json_is_read_but_not_verified():
    # A VC 1.1 record signed with Ed25519Signature2020, which Baeji's verifier does not accept;
    # the record is still read as a CLR and each of its six credentials is named.
    report = clr.verify_clr(
        (FIXTURES / "validator-complex.json").read_bytes(), fetcher=Fetcher(offline=True), at=AT
    )
    assert report.get("format").status == "warn"
    assert "Ed25519Signature2020" in report.get("proof").message
    inner = report.get("inner credentials")
    assert inner.status == "fail"
    assert inner.message.startswith("6 of 6 inner credential(s) failed")
    assert "Nurse Assistant 1 Program with Licensure" in inner.message
    assert not report.valid


# -- a Korean learner's swimming levels --------------------------------------------------------


def swim_credentials(issuer):
    credentials = []
    for level in (1, 2, 3):
        achievement = model.achievement(
            id=SWIM.format(level),
            name=f"수영 {level}단계",
            description=f"청소년센터 수영 교실 {level}단계를 마친 어린이에게 주는 배지",
            criteria_narrative=f"자유형 {25 * level}m 완주",
            achievement_type="Badge",
        )
        credentials.append(
            issuer.credential(
                index=100 + level,
                id=f"https://youth.example.kr/c/swim-{level}",
                achievement=achievement,
                valid_from=f"2026-0{level}-15T00:00:00Z",
            )
        )
    return credentials


def platform_profile():
    return model.profile(id=PLATFORM_DID, name="배지 플랫폼", url="https://baeji.example.kr")


def build_record(credentials, /, **overrides):
    kwargs = dict(
        id="urn:uuid:6f1c1c4e-3a52-4f1e-9d0b-0c8f2f1e7a11",
        issuer=platform_profile(),
        learner_name="김민준",
        identifiers=[model.identity_object(email="minjun@example.kr", salt="소금")],
        credentials=credentials,
        associations=clr.level_associations(credentials),
        name="김민준의 학습 기록",
        description="서울시 청소년센터에서 받은 수영 배지 모음",
        valid_from="2026-05-01T00:00:00Z",
    )
    kwargs.update(overrides)
    return clr.clr_credential(**kwargs)


def platform_sign(document):
    return eddsa_rdfc_2022.sign(
        document, private_key=PLATFORM.private_key, verification_method=PLATFORM_METHOD
    )


@pytest.fixture
def swim(issuer):
    return swim_credentials(issuer)


def test_levels_make_a_precedes_chain(swim):
    links = clr.level_associations(list(reversed(swim)))
    assert links == [
        {
            "type": "Association",
            "associationType": "precedes",
            "sourceId": SWIM.format(1),
            "targetId": SWIM.format(2),
        },
        {
            "type": "Association",
            "associationType": "precedes",
            "sourceId": SWIM.format(2),
            "targetId": SWIM.format(3),
        },
    ]


def test_record_structure(swim):
    record = build_record(swim)
    assert record["@context"] == [
        contexts.VC_V2,
        contexts.CLR_V2P0,
        contexts.OB_V3P0,
        contexts.OB_V3P0_EXTENSIONS,
    ]
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["credentialSchema"] == [
        {"id": schemas.CLR_V2P0_CLR_CREDENTIAL, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"][0] == {
        "type": "IdentityObject",
        "identityHash": "김민준",
        "identityType": "name",
        "hashed": False,
    }
    assert subject["identifier"][1]["identityType"] == "emailAddress"
    # verbatim: equal to what the issuer signed, but a copy the caller cannot change later
    assert subject["verifiableCredential"] == swim
    assert subject["verifiableCredential"][0] is not swim[0]
    assert [a["name"] for a in subject["achievement"]] == ["수영 1단계", "수영 2단계", "수영 3단계"]
    assert [a["associationType"] for a in subject["association"]] == ["precedes", "precedes"]
    assert model.schema_errors(record, schemas.CLR_V2P0_CLR_CREDENTIAL) == []


def test_record_without_schema_has_no_extensions_context(swim):
    record = build_record(swim, with_schema=False, associations=())
    assert record["@context"] == [contexts.VC_V2, contexts.CLR_V2P0, contexts.OB_V3P0]
    assert "credentialSchema" not in record
    assert "association" not in record["credentialSubject"]
    report = clr.verify_clr(platform_sign(record), fetcher=Fetcher(offline=True), at=AT)
    assert report.get("schema").status == "skip"
    assert report.get("associations").status == "skip"


def test_signed_record_verifies_outside_and_inside(issuer, swim):
    signed = platform_sign(build_record(swim))
    report = clr.verify_clr(signed, fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {
        "format": "pass",
        "schema": "pass",
        "proof": "pass",
        "issuer": "pass",
        "validity": "pass",
        "status": "skip",
        "recipient": "skip",
        "endorsements": "skip",
        "inner credentials": "pass",
        "associations": "pass",
    }
    assert report.get("inner credentials").message == "3 inner credential(s) verified"
    assert PLATFORM_DID in report.get("issuer").message
    inner = clr.verify_inner_credentials(signed, fetcher=issuer.fetcher, at=AT)
    assert [label for label, _ in inner] == [
        f"#{n} '수영 {n}단계' (https://youth.example.kr/c/swim-{n})" for n in (1, 2, 3)
    ]
    for _, inner_report in inner:
        assert inner_report.valid
        assert inner_report.get("status").status == "pass"
        assert issuer.did in inner_report.get("issuer").message


def test_tampered_inner_credential_fails_the_outer_proof_and_the_inner_check(issuer, swim):
    signed = platform_sign(build_record(swim))
    signed["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["result"][0][
        "value"
    ] = "30초"
    report = clr.verify_clr(signed, fetcher=issuer.fetcher, at=AT)
    assert report.get("proof").status == "fail"
    inner = report.get("inner credentials")
    assert inner.status == "fail"
    assert inner.message.startswith("1 of 3 inner credential(s) failed")
    assert "#2 '수영 2단계'" in inner.message
    assert "proof:" in inner.message
    assert "#1" not in inner.message and "#3" not in inner.message
    assert not report.valid


def test_revoked_inner_credential_fails_only_the_inner_check(issuer, swim):
    signed = platform_sign(build_record(swim))
    issuer.revocations.set(103)
    issuer.publish_lists()
    report = clr.verify_clr(signed, fetcher=issuer.fetcher, at=AT)
    assert report.get("proof").status == "pass"
    assert report.get("issuer").status == "pass"
    inner = report.get("inner credentials")
    assert inner.status == "fail"
    assert "#3 '수영 3단계'" in inner.message
    assert "status: The issuer has revoked this credential." in inner.message
    assert not report.valid
    # un-revoking restores the record without re-signing it
    issuer.revocations.set(103, False)
    issuer.publish_lists()
    assert clr.verify_clr(signed, fetcher=issuer.fetcher, at=AT).valid


def test_record_signed_by_a_key_not_of_its_issuer_fails_issuer_check(issuer, swim):
    record = build_record(swim, issuer=model.profile(id=issuer.did, name="서울시 청소년센터"))
    report = clr.verify_clr(platform_sign(record), fetcher=issuer.fetcher, at=AT)
    assert report.get("proof").status == "pass"
    assert report.get("issuer").status == "fail"


def test_expired_record(issuer, swim):
    record = build_record(swim, valid_until="2026-05-31T00:00:00Z")
    report = clr.verify_clr(platform_sign(record), fetcher=issuer.fetcher, at=AT)
    assert report.get("validity").status == "fail"
    assert report.get("inner credentials").status == "pass"


def test_partial_record_round_trips(issuer, swim):
    record = build_record(swim[:2], partial=True)
    assert record["partial"] is True
    canonical = jsonld.canonicalize(record)
    assert "<https://purl.imsglobal.org/spec/vc/clr/vocab.html#partial>" in canonical
    assert clr.verify_clr(platform_sign(record), fetcher=issuer.fetcher, at=AT).valid


def test_korean_round_trip(issuer, swim):
    signed = platform_sign(build_record(swim))
    text = json.dumps(signed, ensure_ascii=False, indent=2)
    assert "김민준의 학습 기록" in text and "수영 2단계" in text
    data = text.encode("utf-8")
    parsed = json.loads(data)
    assert parsed == signed
    for given in (data, text, parsed):
        report = clr.verify_clr(given, fetcher=issuer.fetcher, at=AT)
        assert report.valid, report.to_dict()
        assert report.credential["name"] == "김민준의 학습 기록"
        assert report.credential["credentialSubject"]["identifier"][0]["identityHash"] == "김민준"
    # escaped (ASCII-only) JSON is the same document
    assert clr.verify_clr(json.dumps(signed), fetcher=issuer.fetcher, at=AT).valid


def test_an_open_badge_is_not_a_record(issuer):
    report = clr.verify_clr(issuer.credential(), fetcher=issuer.fetcher, at=AT)
    assert report.get("format").status == "fail"
    assert "ClrCredential" in report.get("format").message
    assert not report.valid


def test_unreadable_input_fails_format():
    report = clr.verify_clr(b"\x00\xff not json", fetcher=Fetcher(offline=True), at=AT)
    assert statuses(report) == {"format": "fail"}


# -- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        # an association type outside the CLR vocabulary, slipped past association()
        lambda kw: kw.update(
            associations=[
                {
                    "type": "Association",
                    "associationType": "follows",
                    "sourceId": SWIM.format(1),
                    "targetId": SWIM.format(2),
                }
            ]
        ),
        # Association allows no other properties
        lambda kw: kw["associations"][0].update(weight=1),
        # an identifier type the schema does not know
        lambda kw: kw.update(
            identifiers=[
                {
                    "type": "IdentityObject",
                    "identityHash": "minjun",
                    "identityType": "nickname",
                    "hashed": False,
                }
            ]
        ),
        # an issuer whose type is not a string or a list of strings
        lambda kw: kw.update(issuer={"id": PLATFORM_DID, "type": 7, "name": "배지 플랫폼"}),
    ],
    ids=["association type", "association extra property", "identity type", "issuer type"],
)
def test_schema_refuses_malformed_records(swim, change):
    kwargs = {"associations": [dict(a) for a in clr.level_associations(swim)]}
    change(kwargs)
    with pytest.raises(SchemaError, match=r"CLR 2\.0 JSON Schema"):
        build_record(swim, **kwargs)


def test_validate_clr_schema_lists_the_problems(swim):
    record = build_record(swim)
    del record["name"]
    record["credentialSubject"]["verifiableCredential"] = []
    with pytest.raises(SchemaError) as caught:
        clr.validate_clr_schema(record)
    assert "'name' is a required property" in str(caught.value)
    assert "verifiableCredential" in str(caught.value)


def test_verifier_reports_a_record_that_breaks_its_schema(issuer, swim):
    record = build_record(swim)
    record["credentialSubject"]["association"][0]["associationType"] = "follows"
    report = clr.verify_clr(platform_sign(record), fetcher=issuer.fetcher, at=AT)
    assert report.get("schema").status == "fail"
    assert report.get("associations").status == "warn"
    assert report.get("proof").status == "pass"


def test_refuses_bad_arguments(issuer, swim):
    unsigned = issuer.credential(sign=False)
    cases = {
        "a compact JWS": dict(credentials=["eyJhbGciOiJFZERTQSJ9.e30.c2ln"]),
        "not signed": dict(credentials=[unsigned]),
        "non-empty list": dict(credentials=[]),
        "twice": dict(credentials=[swim[0], swim[0]], associations=()),
        "a learner": dict(learner_name=None, identifiers=()),
        "later than validFrom": dict(valid_until="2026-04-01T00:00:00Z"),
        "not an achievement in this record": dict(
            associations=[
                clr.association(
                    association_type="isPartOf",
                    source_id=SWIM.format(1),
                    target_id="https://youth.example.kr/programs/swim",
                )
            ]
        ),
    }
    for message, overrides in cases.items():
        with pytest.raises(ValueError, match=message):
            build_record(swim, **overrides)


def test_extra_achievements_can_be_associated(issuer, swim):
    program = model.achievement(
        id="https://youth.example.kr/programs/swim",
        name="청소년 수영 교실",
        description="수영 1–3단계로 이루어진 과정",
        criteria_narrative="세 단계를 모두 마침",
        achievement_type="LearningProgram",
    )
    parts = [
        clr.association(
            association_type="isPartOf", source_id=SWIM.format(n), target_id=program["id"]
        )
        for n in (1, 2, 3)
    ]
    record = build_record(
        swim,
        associations=clr.level_associations(swim) + parts,
        extra_achievements=[program],
    )
    assert record["credentialSubject"]["achievement"][-1] == program
    report = clr.verify_clr(platform_sign(record), fetcher=issuer.fetcher, at=AT)
    assert report.valid
    assert report.get("associations").message == "5 association(s) between its achievements"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(association_type="follows"), "not a CLR 2.0 association type"),
        (dict(source_id="swim-1"), "not an absolute URI"),
        (dict(target_id=SWIM.format(1)), "two different achievements"),
    ],
)
def test_association_refuses(kwargs, message):
    given = dict(association_type="precedes", source_id=SWIM.format(1), target_id=SWIM.format(2))
    given.update(kwargs)
    with pytest.raises(ValueError, match=message):
        clr.association(**given)


def test_association_vocabulary_matches_the_schema():
    schema = schemas.get_schema(schemas.CLR_V2P0_CLR_CREDENTIAL)
    allowed = schema["$defs"]["Association"]["properties"]["associationType"]["enum"]
    assert set(allowed) == clr.ASSOCIATION_TYPES


# -- levels ------------------------------------------------------------------------------------


def achievement_named(name, ident):
    return {"id": ident, "type": ["Achievement"], "name": name}


def test_level_of_reads_korean_and_english_names():
    assert clr.level_of({"name": "수영 3단계"}) == ("수영", 3)
    assert clr.level_of({"name": "줄넘기3단계"}) == ("줄넘기", 3)
    assert clr.level_of({"name": "Swimming Level 2"}) == ("Swimming", 2)
    assert clr.level_of({"name": "Coding Lv. 10"}) == ("Coding", 10)
    assert clr.level_of({"name": "봉사활동 우수상"}) is None
    assert clr.level_of({"name": {"ko": "수영 1단계"}}) is None


def test_levels_per_family_with_gaps_and_repeats():
    items = [
        achievement_named("수영 3단계", "urn:x:swim-3"),
        achievement_named("줄넘기 2단계", "urn:x:rope-2"),
        achievement_named("수영 1단계", "urn:x:swim-1"),
        achievement_named("봉사활동 우수상", "urn:x:volunteer"),
        achievement_named("줄넘기 1단계", "urn:x:rope-1"),
        achievement_named("수영 1단계", "urn:x:swim-1"),
    ]
    pairs = [(a["sourceId"], a["targetId"]) for a in clr.level_associations(items)]
    assert pairs == [("urn:x:swim-1", "urn:x:swim-3"), ("urn:x:rope-1", "urn:x:rope-2")]


def test_levels_from_a_table_of_rows(swim):
    rows = [(SWIM.format(3), "swimming", 30), (SWIM.format(1), "swimming", 10)]
    table = {achievement_id: (family, order) for achievement_id, family, order in rows}
    pairs = [(a["sourceId"], a["targetId"]) for a in clr.level_associations(swim, family_key=table)]
    assert pairs == [(SWIM.format(1), SWIM.format(3))]


def test_levels_refuse_two_badges_on_one_level():
    items = [
        achievement_named("수영 1단계", "urn:x:swim-1"),
        achievement_named("수영 1단계", "urn:x:swim-1-new"),
    ]
    with pytest.raises(ValueError, match="both claim level 1"):
        clr.level_associations(items)


def test_a_record_inside_a_record_is_not_verified_as_a_credential(issuer, swim):
    nested = platform_sign(build_record(swim[:1], associations=()))
    record = build_record(swim, associations=())
    record["credentialSubject"]["verifiableCredential"].append(nested)
    report = clr.verify_clr(platform_sign(record), fetcher=issuer.fetcher, at=AT)
    inner = report.get("inner credentials")
    assert inner.status == "fail"
    assert inner.message.startswith("1 of 4 inner credential(s) failed: #4 '김민준의 학습 기록'")
    assert "not VerifiableCredential, ClrCredential" in inner.message
    with pytest.raises(ValueError, match="is not an OpenBadgeCredential"):
        build_record([*swim, nested], associations=())
