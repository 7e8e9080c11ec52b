"""The verifier's edge cases: every input form it accepts, and each check's less common failures."""

from __future__ import annotations

import base64
import copy
import json
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from baeji.credentials import contexts, keys, status
from baeji.credentials.bake import bake
from baeji.credentials.fetch import Fetcher
from baeji.credentials.suites import eddsa_rdfc_2022, vc_jwt
from baeji.credentials.verify import verify

from .conftest import AT, STATUS_URL

OB2_FIXTURES = Path(__file__).parent / "fixtures" / "ob2"
OB2_ASSERTION_URL = "https://example.org/beths-robotics-badge.json"
CREDENTIAL_URL = "https://youth.example.kr/c/abc123.json"


def statuses(report):
    return {c.name: c.status for c in report.checks}


def b64(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def ob2_fetcher() -> Fetcher:
    """The 1EdTech validator fixtures, served at example.org, with the basic assertion hosted."""
    seeded = Fetcher(offline=True)
    for path in (OB2_FIXTURES / "assets").glob("*.json"):
        for scheme in ("http", "https"):
            seeded.seed(f"{scheme}://example.org/{path.name}", path.read_bytes())
    seeded.seed(OB2_ASSERTION_URL, (OB2_FIXTURES / "basic-assertion.json").read_bytes())
    return seeded


def ob2_assertion() -> dict:
    return json.loads((OB2_FIXTURES / "basic-assertion.json").read_text())


# -- input forms ------------------------------------------------------------------------------


def test_ob2_assertion_object_goes_to_the_ob2_verifier(ob2_fetcher):
    report = verify(ob2_assertion(), fetcher=ob2_fetcher, at=AT)
    assert report.format == "ob2"
    assert report.valid, report.to_dict()
    assert report.credential["badge"] == "https://example.org/robotics-badge.json"


def test_ob2_hosted_url(ob2_fetcher):
    report = verify(OB2_ASSERTION_URL, fetcher=ob2_fetcher, at=AT)
    assert report.format == "url"
    assert report.valid, report.to_dict()


def test_ob2_url_answering_410_is_revoked_not_unreadable(ob2_fetcher):
    ob2_fetcher.seed(OB2_ASSERTION_URL, b"", "text/plain", status=410)
    report = verify(OB2_ASSERTION_URL, fetcher=ob2_fetcher, at=AT)
    assert report.format == "url"
    assert statuses(report)["status"] == "fail"
    assert "410" in report.get("status").message


@pytest.mark.parametrize("embedded", ["json", "url"])
def test_ob2_baked_in_png(ob2_fetcher, embedded):
    value = ob2_assertion() if embedded == "json" else OB2_ASSERTION_URL
    report = verify(bake(png(), value, kind="ob2"), fetcher=ob2_fetcher, at=AT)
    assert report.format == "png"
    assert report.valid, report.to_dict()


def test_ob3_credential_at_a_url(issuer):
    credential = issuer.credential()
    issuer.fetcher.seed(CREDENTIAL_URL, credential)
    report = verify(CREDENTIAL_URL, fetcher=issuer.fetcher, at=AT)
    assert report.format == "url"
    assert report.valid
    assert report.credential == credential


def test_url_answering_an_error(issuer):
    issuer.fetcher.seed(CREDENTIAL_URL, {"error": "not found"}, status=404)
    report = verify(CREDENTIAL_URL, fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert "HTTP 404" in report.get("format").message


def test_url_answering_json_that_is_not_an_object(issuer):
    issuer.fetcher.seed(CREDENTIAL_URL, "[1, 2, 3]")
    report = verify(CREDENTIAL_URL, fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert "did not return a JSON object" in report.get("format").message


def test_jwt_baked_in_png(issuer):
    token = vc_jwt.issue(issuer.credential(sign=False), issuer.key, kid=issuer.method)
    report = verify(bake(png(), token), fetcher=issuer.fetcher, at=AT)
    assert report.format == "png"
    assert statuses(report)["proof"] == "pass"
    assert report.valid


def test_broken_json_names_the_parse_error(issuer):
    report = verify('{"@context": [', fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert "not valid JSON" in report.get("format").message


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("abc.def.ghi", "parts are not JSON"),
        (f"{b64([1])}.{b64({'vc': {}})}.c2ln", "not a JSON object"),
    ],
)
def test_jws_shaped_text_that_is_not_a_jws(issuer, token, expected):
    report = verify(token, fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert expected in report.get("format").message


def test_jwt_without_signature_is_refused(issuer):
    header = b64({"alg": "EdDSA", "typ": "JWT", "kid": issuer.method})
    payload = b64(issuer.credential(sign=False))
    report = verify(f"{header}.{payload}.", fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert "no signature" in report.get("format").message


def test_jws_with_ob2_payload_goes_to_the_ob2_verifier(ob2_fetcher):
    token = (OB2_FIXTURES / "simple.jwt").read_text().strip()
    report = verify(token, fetcher=ob2_fetcher, at=AT)
    assert report.format == "jws"
    assert report.get("proof").status == "pass"
    assert report.valid, report.to_dict()
    assert report.credential["@context"] == "https://w3id.org/openbadges/v2"


def test_jws_without_credential_markers_is_read_as_ob2(ob2_fetcher):
    # No vc claim, no @context, no JWT typ: only an OB 2.0 signed assertion can be meant.
    token = f"{b64({'alg': 'RS256'})}.{b64({'hello': 'world'})}.c2ln"
    report = verify(token, fetcher=ob2_fetcher, at=AT)
    assert report.format == "jws"
    assert statuses(report)["format"] == "fail"


def test_jwt_credential_that_is_not_an_open_badge(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["type"] = ["VerifiableCredential"]
    token = vc_jwt.issue(unsigned, issuer.key, kid=issuer.method)
    report = verify(token, fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert "OpenBadgeCredential" in report.get("format").message


# -- format -----------------------------------------------------------------------------------


def test_missing_context_and_fields_are_all_named(issuer):
    report = verify({"type": ["VerifiableCredential"], "name": "x"}, fetcher=issuer.fetcher)
    message = report.get("format").message
    for problem in ("@context is missing", "issuer", "credentialSubject", "validFrom"):
        assert problem in message


def test_vc_1_1_credential_is_a_format_warning(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["@context"][0] = contexts.VC_V1
    report = verify(unsigned, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["format"] == "warn"
    assert "1.1" in report.get("format").message


# -- proof and issuer -------------------------------------------------------------------------


def test_unsupported_cryptosuite(issuer):
    credential = issuer.credential()
    credential["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"
    assert "unsupported cryptosuite 'ecdsa-rdfc-2019'" in report.get("proof").message
    assert statuses(report)["issuer"] == "skip"


def test_did_web_document_that_is_not_an_object(issuer):
    did = "did:web:youth.example.kr"
    issuer.fetcher.seed(keys.did_web_url(did), "[]")
    unsigned = issuer.credential(sign=False)
    unsigned["issuer"]["id"] = did
    signed = eddsa_rdfc_2022.sign(
        unsigned, private_key=issuer.key.private_key, verification_method=f"{did}#key-1"
    )
    report = verify(signed, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"
    assert "did not return a JSON object" in report.get("proof").message


def _did_web_with_revoked_key_still_listed(issuer, did: str) -> str:
    document = keys.did_web_document(did, [("key-1", issuer.key.public_key, AT.isoformat())])
    # A careless (or hostile) controller keeps a revoked key among its assertion methods.
    document["assertionMethod"] = [f"{did}#key-1"]
    issuer.fetcher.seed(keys.did_web_url(did), document)
    return f"{did}#key-1"


def test_revoked_key_fails_the_issuer_check(issuer):
    did = "did:web:youth.example.kr"
    method = _did_web_with_revoked_key_still_listed(issuer, did)
    unsigned = issuer.credential(sign=False)
    unsigned["issuer"]["id"] = did
    signed = eddsa_rdfc_2022.sign(
        unsigned, private_key=issuer.key.private_key, verification_method=method
    )
    report = verify(signed, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["issuer"] == "fail"
    assert "revoked the key" in report.get("issuer").message
    assert not report.valid


def test_jwt_with_revoked_key_fails_the_issuer_check(issuer):
    did = "did:web:youth.example.kr"
    method = _did_web_with_revoked_key_still_listed(issuer, did)
    unsigned = issuer.credential(sign=False)
    unsigned["issuer"]["id"] = did
    token = vc_jwt.issue(unsigned, issuer.key, kid=method)
    report = verify(token, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["issuer"] == "fail"
    assert "revoked the key" in report.get("issuer").message


def test_jwt_signed_with_another_controllers_key(issuer, other_issuer):
    token = vc_jwt.issue(issuer.credential(sign=False), other_issuer.key, kid=other_issuer.method)
    report = verify(token, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["issuer"] == "fail"
    message = report.get("issuer").message
    assert other_issuer.did in message and f"not by the issuer {issuer.did}" in message


# -- validity ---------------------------------------------------------------------------------


def test_unparseable_valid_from_fails_validity(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["validFrom"] = "next Tuesday"
    report = verify(issuer.sign(unsigned), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["validity"] == "fail"
    assert "next Tuesday" in report.get("validity").message


def test_validity_with_end_date_names_both_ends(issuer):
    credential = issuer.credential(valid_until="2027-01-01T00:00:00Z")
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["validity"] == "pass"
    assert "until 2027-01-01T00:00:00Z" in report.get("validity").message


# -- status -----------------------------------------------------------------------------------


def test_status_entry_that_is_not_an_object(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["credentialStatus"] = ["revoked?"]
    report = verify(unsigned, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "fail"
    assert "not an object" in report.get("status").message


def test_status_list_that_is_not_a_json_object(issuer):
    issuer.fetcher.seed(STATUS_URL, "[0, 0, 0]")
    report = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "warn"
    assert "did not return a JSON object" in report.get("status").message
    assert report.valid


def test_expired_status_list_is_not_trusted(issuer):
    expired = issuer.sign(
        status.status_list_credential(
            url=STATUS_URL,
            issuer=issuer.did,
            purpose="revocation",
            status_list=issuer.revocations,
            valid_from="2026-01-01T00:00:00Z",
            valid_until="2026-02-01T00:00:00Z",
        )
    )
    issuer.fetcher.seed(STATUS_URL, expired)
    report = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "fail"
    assert "cannot be trusted: expired" in report.get("status").message


def test_status_list_issued_by_another_issuer_with_valid_proof(issuer, other_issuer):
    # The list is signed correctly, but by a different issuer than the credential's.
    foreign = other_issuer.status_list(STATUS_URL, "revocation", status.StatusList())
    issuer.fetcher.seed(STATUS_URL, foreign)
    report = verify(issuer.credential(), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "fail"
    assert f"issued by {other_issuer.did}" in report.get("status").message


def test_1edtech_revocation_list_without_proof_is_read(issuer):
    list_url = "https://youth.example.kr/revocations"
    entry = {"id": list_url, "type": "1EdTechRevocationList"}
    unsigned = issuer.credential(sign=False)
    unsigned["credentialStatus"] = entry
    credential = issuer.sign(unsigned)
    issuer.fetcher.seed(list_url, {"id": list_url, "revokedCredentials": []})
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "pass"

    issuer.fetcher.seed(
        list_url,
        {"id": list_url, "revokedCredentials": [{"id": credential["id"], "revoked": True}]},
    )
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["status"] == "fail"
    assert "revoked" in report.get("status").message


# -- recipient --------------------------------------------------------------------------------


def _with_identifiers(issuer, identifiers):
    unsigned = issuer.credential(sign=False)
    unsigned["credentialSubject"]["identifier"] = identifiers
    return unsigned


def test_plain_text_email_identity_matches_case_insensitively(issuer):
    credential = _with_identifiers(
        issuer,
        [
            "not an object",
            {"type": "IdentityObject", "identityType": "sourcedId", "identityHash": "x"},
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": False,
                "identityHash": "Minjun@Example.kr",
            },
        ],
    )
    report = verify(credential, fetcher=issuer.fetcher, at=AT, email="minjun@example.kr")
    assert statuses(report)["recipient"] == "pass"
    other = verify(credential, fetcher=issuer.fetcher, at=AT, email="seoyeon@example.kr")
    assert statuses(other)["recipient"] == "fail"
    assert "not issued to seoyeon@example.kr" in other.get("recipient").message


def test_credential_without_email_identity(issuer):
    unsigned = issuer.credential(sign=False)
    del unsigned["credentialSubject"]["identifier"]
    unsigned["credentialSubject"]["id"] = "did:example:learner"
    report = verify(unsigned, fetcher=issuer.fetcher, at=AT, email="minjun@example.kr")
    assert statuses(report)["recipient"] == "fail"
    assert "names no recipient e-mail identity" in report.get("recipient").message


def test_recipient_across_several_subjects(issuer):
    unsigned = issuer.credential(sign=False)
    subject = unsigned["credentialSubject"]
    unsigned["credentialSubject"] = ["odd entry", subject]
    report = verify(unsigned, fetcher=issuer.fetcher, at=AT, email="minjun@example.kr")
    assert statuses(report)["recipient"] == "pass"


# -- endorsements -----------------------------------------------------------------------------


def _endorsement(signer, subject_id: str, **extra) -> dict:
    return signer.sign(
        {
            "@context": [contexts.VC_V2, contexts.OB_V3P0],
            "id": "urn:uuid:6f1d5b4e-0c9d-4a3e-8f5e-1b2c3d4e5f60",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "교육청 인증",
            "issuer": {"id": signer.did, "type": ["Profile"], "name": "교육청", **extra},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {
                "id": subject_id,
                "type": ["EndorsementSubject"],
                "endorsementComment": "공인된 과정",
            },
        }
    )


def test_endorsements_are_checked_two_levels_deep_only(issuer, other_issuer):
    def forged(endorsement):
        endorsement = copy.deepcopy(endorsement)
        endorsement["credentialSubject"]["endorsementComment"] = "위조"
        return endorsement

    def report_for(endorsement):
        unsigned = issuer.credential(sign=False)
        unsigned["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
        return verify(issuer.sign(unsigned), fetcher=issuer.fetcher, at=AT)

    deepest = _endorsement(issuer, other_issuer.did)
    # An endorsement of an endorsement is still checked: a forgery there fails the credential.
    second = _endorsement(issuer, other_issuer.did)
    report = report_for(_endorsement(other_issuer, issuer.did, endorsement=[forged(second)]))
    assert statuses(report)["endorsements"] == "fail"
    # One level further, nothing is verified any more (the recursion is bounded).
    middle = _endorsement(issuer, other_issuer.did, endorsement=[forged(deepest)])
    report = report_for(_endorsement(other_issuer, issuer.did, endorsement=[middle]))
    assert statuses(report)["endorsements"] == "pass"


def test_jwt_credential_endorsement_failures_are_reported(issuer, other_issuer):
    forged = _endorsement(other_issuer, "https://youth.example.kr/achievements/swim-3")
    forged["credentialSubject"]["endorsementComment"] = "위조"
    unsigned = issuer.credential(sign=False)
    unsigned["credentialSubject"]["achievement"]["endorsement"] = forged
    token = vc_jwt.issue(unsigned, issuer.key, kid=issuer.method)
    report = verify(token, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "pass"
    assert statuses(report)["endorsements"] == "fail"
    assert report.get("endorsements").message.startswith("교육청 인증:")


def test_bytes_that_are_neither_text_nor_an_image(issuer):
    report = verify(b"\xff\xfe\xfa binary", fetcher=issuer.fetcher, at=AT)
    assert statuses(report) == {"format": "fail"}
    assert "neither UTF-8 text" in report.get("format").message


# -- schema -----------------------------------------------------------------------------------

UNBUNDLED_SCHEMA = {
    "id": "https://schemas.example.org/badge.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


def test_schema_not_bundled_is_a_warning_naming_it(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["credentialSchema"] = [UNBUNDLED_SCHEMA]
    report = verify(issuer.sign(unsigned), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["schema"] == "warn"
    assert UNBUNDLED_SCHEMA["id"] in report.get("schema").message
    assert report.valid


def test_bundled_and_unbundled_schemas_together(issuer):
    unsigned = issuer.credential(sign=False)
    unsigned["credentialSchema"] = [*unsigned["credentialSchema"], UNBUNDLED_SCHEMA]
    report = verify(issuer.sign(unsigned), fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["schema"] == "pass"
    assert "1 other schema(s) not bundled" in report.get("schema").message


def test_unsupported_proof_type(issuer):
    credential = issuer.credential()
    credential["proof"]["type"] = "Ed25519Signature2020"
    report = verify(credential, fetcher=issuer.fetcher, at=AT)
    assert statuses(report)["proof"] == "fail"
    assert "unsupported proof type 'Ed25519Signature2020'" in report.get("proof").message
