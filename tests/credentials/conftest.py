"""Shared builders for the credential engine's tests: keys, credentials, status lists."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from baeji.credentials import keys, model, status
from baeji.credentials.fetch import Fetcher
from baeji.credentials.suites import eddsa_rdfc_2022

STATUS_URL = "https://youth.example.kr/status/1"
SUSPENSION_URL = "https://youth.example.kr/status/2"


class Issuer:
    """An issuer with a did:key, its two status lists, and a fetcher seeded with them."""

    def __init__(self, seed: bytes = b"\x01" * 32) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self.key = keys.KeyPair(Ed25519PrivateKey.from_private_bytes(seed))
        self.did = self.key.did_key()
        self.method = f"{self.did}#{self.did.split(':')[-1]}"
        self.revocations = status.StatusList()
        self.suspensions = status.StatusList()
        self.fetcher = Fetcher(offline=True)
        self.publish_lists()

    def sign(self, document: dict, **kwargs) -> dict:
        return eddsa_rdfc_2022.sign(
            document, private_key=self.key.private_key, verification_method=self.method, **kwargs
        )

    def status_list(self, url: str, purpose: str, bits: status.StatusList) -> dict:
        unsigned = status.status_list_credential(
            url=url,
            issuer=self.did,
            purpose=purpose,
            status_list=bits,
            valid_from="2026-01-01T00:00:00Z",
        )
        return self.sign(unsigned)

    def publish_lists(self) -> None:
        self.fetcher.seed(STATUS_URL, self.status_list(STATUS_URL, "revocation", self.revocations))
        self.fetcher.seed(
            SUSPENSION_URL, self.status_list(SUSPENSION_URL, "suspension", self.suspensions)
        )

    def credential(
        self,
        *,
        index: int = 94567,
        purpose: str = "revocation",
        sign: bool = True,
        **overrides,
    ) -> dict:
        """An OB 3.0 credential with one status entry (the OB 3.0 schema allows only one)."""
        achievement = model.achievement(
            id="https://youth.example.kr/achievements/swim-3",
            name="수영 3단계",
            description="자유형 25m를 완주한 어린이에게 주는 배지",
            criteria_narrative="자유형 25m를 50초 이내에 완주",
            achievement_type="Badge",
            alignments=[
                model.alignment(
                    target_name="신체 역량",
                    target_url="https://youth.example.kr/frameworks/physical",
                    target_framework="청소년 9대 역량",
                )
            ],
        )
        kwargs = dict(
            id="https://youth.example.kr/c/abc123",
            issuer=model.profile(id=self.did, name="서울시 청소년센터"),
            achievement=achievement,
            valid_from="2026-03-01T00:00:00Z",
            identifiers=[model.identity_object(email="minjun@example.kr", salt="소금")],
            results=[model.result(value="48초", status="Completed")],
            evidence=[model.evidence(id="https://youth.example.kr/evidence/1", name="기록지")],
            credential_status=status.status_entry(
                list_credential_url=STATUS_URL if purpose == "revocation" else SUSPENSION_URL,
                index=index,
                purpose=purpose,
            ),
        )
        kwargs.update(overrides)
        unsigned = model.open_badge_credential(**kwargs)
        return self.sign(unsigned) if sign else unsigned


@pytest.fixture(scope="session")
def _issuer_template() -> Issuer:
    return Issuer()


@pytest.fixture
def issuer(_issuer_template: Issuer) -> Issuer:
    # Status lists are mutated by tests; every test gets its own copy.
    return copy.deepcopy(_issuer_template)


@pytest.fixture(scope="session")
def other_issuer() -> Issuer:
    return Issuer(seed=b"\x02" * 32)


AT = datetime(2026, 6, 1, tzinfo=UTC)
