"""Sample Open Badges 3.0 credentials for the JSON-LD and eddsa-rdfc-2022 tests.

``realistic_credential`` is the hand-built credential the benchmark also uses;
``credentials()`` is a hypothesis strategy that varies every part of it.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import strategies as st

from baeji.credentials.contexts import OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2

# Copies of ../shared/standards (the W3C and 1EdTech vectors, spec and validator examples).
STANDARDS = Path(__file__).parent / "fixtures" / "standards"
VECTORS = STANDARDS / "vectors"
W3C = VECTORS / "w3c-vc-di-eddsa"
OB3_VECTOR = VECTORS / "1edtech-ob3"
VALIDATOR = STANDARDS / "examples" / "ob30" / "validator"
SCHEMA_ID = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


def load_json(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def public_key_from_multikey(multikey: str) -> Ed25519PublicKey:
    """Multikey 'z' + base58btc(0xed01 || 32-byte key)."""
    raw = base58.b58decode(multikey[1:])
    assert multikey[0] == "z" and raw[:2] == b"\xed\x01" and len(raw) == 34
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def private_key_from_multikey(multikey: str) -> Ed25519PrivateKey:
    """Multikey 'z' + base58btc(0x8026 || seed [|| public key])."""
    raw = base58.b58decode(multikey[1:])
    assert multikey[0] == "z" and raw[:2] == b"\x80\x26" and len(raw) in (34, 66)
    return Ed25519PrivateKey.from_private_bytes(raw[2:34])


def realistic_credential(serial: int = 0) -> dict:
    """An OB 3.0 credential as Baeji issues it: Korean text, results, status, schema."""
    return {
        "@context": [VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS],
        "id": f"urn:uuid:3f1c6a52-8d2e-4b7a-9c1d-{serial:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "정보보안 전문가 배지",
        "description": "한국대학교 정보보안 과정을 우수한 성적으로 이수했습니다.",
        "issuer": {
            "id": "https://badges.example.kr/issuers/1",
            "type": ["Profile"],
            "name": "한국대학교 소프트웨어융합대학",
            "url": "https://www.example.kr",
            "email": "badges@example.kr",
        },
        "validFrom": "2026-03-01T09:00:00Z",
        "validUntil": "2031-03-01T09:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "hashed": True,
                    "identityHash": f"sha256${serial:064x}",
                    "identityType": "emailAddress",
                    "salt": "b6c1e0d2",
                }
            ],
            "activityStartDate": "2025-09-01T00:00:00Z",
            "activityEndDate": "2026-02-15T00:00:00Z",
            "creditsEarned": 3.0,
            "achievement": {
                "id": "https://badges.example.kr/achievements/infosec-101",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": "정보보안 기초",
                "description": "암호학, 네트워크 보안, 보안 정책의 기초를 다룹니다.",
                "criteria": {"narrative": "다음을 충족해야 합니다:\n1. 과제 5개\n2. 시험 80점"},
                "image": {
                    "id": "https://badges.example.kr/img/infosec.png",
                    "type": "Image",
                    "caption": "정보보안 기초 배지",
                },
                "creator": {
                    "id": "https://badges.example.kr/issuers/1",
                    "type": ["Profile"],
                    "name": "한국대학교 소프트웨어융합대학",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "정보보호 관리체계 운영",
                        "targetUrl": "https://www.ncs.go.kr/unit/2001020101",
                        "targetFramework": "국가직무능력표준(NCS)",
                        "targetCode": "2001020101",
                        "targetType": "CFItem",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Applied Cryptography",
                        "targetUrl": "https://frameworks.example.org/security/crypto",
                    },
                ],
                "resultDescription": [
                    {
                        "id": "urn:uuid:a1b2c3d4-0000-4000-8000-000000000001",
                        "type": ["ResultDescription"],
                        "name": "최종 성적",
                        "resultType": "LetterGrade",
                        "allowedValue": ["A+", "A", "B+", "B", "C"],
                        "requiredValue": "B",
                    }
                ],
                "tag": ["보안", "암호학"],
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": "urn:uuid:a1b2c3d4-0000-4000-8000-000000000001",
                    "value": "A+",
                    "status": "Completed",
                }
            ],
        },
        "evidence": [
            {
                "id": f"https://badges.example.kr/evidence/{serial}",
                "type": ["Evidence"],
                "name": "기말 프로젝트",
                "narrative": "TLS 1.3 핸드셰이크 분석 보고서",
                "genre": "Report",
            }
        ],
        "credentialStatus": {
            "id": f"https://badges.example.kr/status/1#{serial}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(serial),
            "statusListCredential": "https://badges.example.kr/status/1",
        },
        "credentialSchema": [{"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}],
    }


# ----------------------------------------------------------------------------- hypothesis

_SPECIAL_TEXT = [
    "정보보안 전문가",
    "🎓 배지 🏅",
    "여러 줄\n두 번째 줄\r\n세 번째",
    'quote " and back\\slash',
    "tab\tseparated",
    "bell\x07 and \x1f controls",
    "",
    " ",
    "ゼロ幅\u200bspace",
]

text = st.one_of(st.sampled_from(_SPECIAL_TEXT), st.text(max_size=16))
numbers = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
)
datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2099, 12, 31),
).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
dates = st.one_of(datetimes, datetimes.map(lambda value: value[:10]))
slugs = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
urls = slugs.map(lambda slug: f"https://example.kr/{slug}")
ids = st.one_of(urls, st.uuids().map(lambda value: f"urn:uuid:{value}"))


def _optional(draw, target: dict, key: str, strategy) -> None:
    if draw(st.booleans()):
        target[key] = draw(strategy)


@st.composite
def alignments(draw) -> dict:
    alignment = {"type": ["Alignment"], "targetName": draw(text), "targetUrl": draw(urls)}
    for key in ("targetCode", "targetDescription", "targetFramework"):
        _optional(draw, alignment, key, text)
    _optional(draw, alignment, "targetType", st.sampled_from(["CFItem", "CTDL", "ext:Other"]))
    return alignment


@st.composite
def results(draw) -> dict:
    result = {"type": ["Result"]}
    _optional(draw, result, "value", text)
    _optional(draw, result, "status", st.sampled_from(["Completed", "Enrolled", "Failed"]))
    _optional(draw, result, "resultDescription", ids)
    _optional(draw, result, "alignment", st.lists(alignments(), max_size=2))
    _optional(draw, result, "achievedLevel", ids)
    return result


@st.composite
def credentials(draw) -> dict:
    """Varied OB 3.0 credentials that are valid in safe mode."""
    achievement = {"type": ["Achievement"], "name": draw(text), "criteria": {}}
    _optional(draw, achievement, "id", ids)
    _optional(draw, achievement["criteria"], "narrative", text)
    _optional(draw, achievement["criteria"], "id", urls)
    _optional(draw, achievement, "description", text)
    _optional(draw, achievement, "achievementType", st.sampled_from(["Badge", "Certificate"]))
    _optional(draw, achievement, "alignment", st.lists(alignments(), max_size=3))
    _optional(draw, achievement, "tag", st.lists(text, max_size=4))
    _optional(draw, achievement, "creditsAvailable", numbers)
    _optional(draw, achievement, "humanCode", text)
    if draw(st.booleans()):
        achievement["resultDescription"] = [
            {
                "id": draw(ids),
                "type": ["ResultDescription"],
                "name": draw(text),
                "resultType": draw(st.sampled_from(["LetterGrade", "Percent", "ext:Stars"])),
                "allowedValue": draw(st.lists(text, max_size=4)),
            }
        ]
    subject = {"type": ["AchievementSubject"], "achievement": achievement}
    _optional(draw, subject, "id", st.one_of(ids, st.just("did:example:ebfeb1f712ebc6f1c276e12")))
    _optional(draw, subject, "result", st.lists(results(), max_size=3))
    _optional(draw, subject, "creditsEarned", numbers)
    _optional(draw, subject, "activityStartDate", dates)
    _optional(draw, subject, "activityEndDate", dates)
    _optional(draw, subject, "term", text)
    if draw(st.booleans()):
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "hashed": draw(st.booleans()),
                "identityHash": draw(text),
                "identityType": "emailAddress",
            }
        ]
    issuer_id = draw(urls)
    issuer: str | dict = issuer_id
    if draw(st.booleans()):
        issuer = {"id": issuer_id, "type": ["Profile"], "name": draw(text)}
        _optional(draw, issuer, "url", urls)
        _optional(draw, issuer, "email", text)
        _optional(draw, issuer, "phone", text)
    context = [VC_V2, OB_V3P0]
    credential: dict = {
        "@context": context,
        "type": [
            "VerifiableCredential",
            draw(st.sampled_from(["OpenBadgeCredential", "AchievementCredential"])),
        ],
        "issuer": issuer,
        "validFrom": draw(datetimes),
        "name": draw(text),
        "credentialSubject": subject,
    }
    _optional(draw, credential, "id", ids)
    _optional(draw, credential, "description", text)
    _optional(draw, credential, "validUntil", datetimes)
    if draw(st.booleans()):
        credential["evidence"] = [
            {"type": ["Evidence"], "name": draw(text), "narrative": draw(text)}
            | ({"id": draw(urls)} if draw(st.booleans()) else {})
        ]
    if draw(st.booleans()):
        credential["credentialStatus"] = {
            "id": draw(urls) + "#1",
            "type": "BitstringStatusListEntry",
            "statusPurpose": draw(st.sampled_from(["revocation", "suspension"])),
            "statusListIndex": str(draw(st.integers(min_value=0, max_value=131071))),
            "statusListCredential": draw(urls),
        }
    if draw(st.booleans()):
        context.append(OB_V3P0_EXTENSIONS)
        credential["credentialSchema"] = [
            {"id": SCHEMA_ID, "type": "1EdTechJsonSchemaValidator2019"}
        ]
    return credential
