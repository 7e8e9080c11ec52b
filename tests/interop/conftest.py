"""Fixtures for the interoperability tests against Digital Bazaar's JavaScript stack.

The JavaScript side lives in interop/ (``di.mjs``); ``make test`` installs its node_modules
with ``npm ci`` first. Without Node.js the tests skip locally, but under CI (env var ``CI``
set) a missing ``node`` or ``node_modules`` fails them: interop must not silently vanish.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

INTEROP_DIR = Path(__file__).resolve().parents[2] / "interop"

# Fixed issuer seeds: the secret keys of RFC 8032 section 7.1 tests 1 and 2. Public test
# keys, so the fixtures in fixtures/ob3/ can name the resulting did:key as their issuer.
ISSUER_SEEDS = (
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
)

# Bitstring Status List 1.0: at least 16 KiB (131,072 entries).
STATUS_LIST_BYTES = 16 * 1024


@dataclass(frozen=True)
class IssuerKey:
    """An Ed25519 issuer key with its did:key identifiers, derived here independently."""

    seed: bytes

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The key as a ``cryptography`` private key."""
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The matching public key."""
        return self.private_key.public_key()

    @property
    def public_key_multibase(self) -> str:
        """'z' + base58btc(0xed01 || public key), the Multikey encoding."""
        raw = self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "z" + base58.b58encode(b"\xed\x01" + raw).decode("ascii")

    @property
    def secret_key_multibase(self) -> str:
        """'z' + base58btc(0x8026 || 32-byte seed)."""
        return "z" + base58.b58encode(b"\x80\x26" + self.seed).decode("ascii")

    @property
    def did(self) -> str:
        """The did:key DID."""
        return "did:key:" + self.public_key_multibase

    @property
    def verification_method(self) -> str:
        """The did:key verification method URL (DID + '#' + fingerprint)."""
        return f"{self.did}#{self.public_key_multibase}"

    def key_file(self, directory: Path) -> Path:
        """Write the key in the JSON format ``baeji keygen`` prints and return its path."""
        path = directory / f"key-{self.public_key_multibase[-8:]}.json"
        path.write_text(
            json.dumps(
                {
                    "type": "ed25519",
                    "did": self.did,
                    "controller": self.did,
                    "verificationMethod": self.verification_method,
                    "publicKeyMultibase": self.public_key_multibase,
                    "secretKeyMultibase": self.secret_key_multibase,
                }
            ),
            encoding="utf-8",
        )
        return path


ISSUERS = {key.did: key for key in (IssuerKey(bytes.fromhex(s)) for s in ISSUER_SEEDS)}


def status_list_credential(
    issuer: IssuerKey, url: str, purpose: str = "revocation", set_indices: tuple[int, ...] = ()
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential with the given bits set.

    Built here from the Bitstring Status List 1.0 text (index 0 is the most significant bit
    of the first byte; ``u`` + base64url-no-pad(GZIP)) rather than with Baeji's own status
    module, so the encoding is checked too.
    """
    bits = bytearray(STATUS_LIST_BYTES)
    for index in set_indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=")
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": "u" + encoded.decode("ascii"),
        },
    }


class NodeStack:
    """Runs interop/di.mjs (Digital Bazaar's vc / data-integrity / eddsa-rdfc-2022)."""

    def __init__(self, node: str, workdir: Path) -> None:
        self.node = node
        self.workdir = workdir
        self._seed_count = 0

    def _seed_args(self, seeds: dict[str, dict[str, Any]] | None) -> list[str]:
        args: list[str] = []
        for url, document in (seeds or {}).items():
            self._seed_count += 1
            path = self.workdir / f"seed-{self._seed_count}.json"
            path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            args += ["--seed", f"{url}={path}"]
        return args

    def run(self, args: list[str], document: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        """Run ``node di.mjs ARGS`` with the document as UTF-8 JSON on stdin."""
        return subprocess.run(
            [self.node, "di.mjs", *args],
            cwd=INTEROP_DIR,
            input=json.dumps(document, ensure_ascii=False),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )

    def verify(
        self,
        document: dict[str, Any],
        *,
        mode: str = "credential",
        seeds: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Verify with the JS stack; returns its JSON result (exit status checked against it)."""
        proc = self.run(["verify", "--mode", mode, *self._seed_args(seeds)], document)
        assert proc.returncode in (0, 1), f"di.mjs verify crashed: {proc.stderr}"
        result: dict[str, Any] = json.loads(proc.stdout)
        assert (proc.returncode == 0) is result["verified"], proc.stdout
        return result

    def sign(
        self, document: dict[str, Any], key: IssuerKey, *, created: str | None = None
    ) -> dict[str, Any]:
        """Sign with the JS stack (DataIntegrityProof, eddsa-rdfc-2022, assertionMethod)."""
        args = ["sign", "--key", str(key.key_file(self.workdir))]
        if created is not None:
            args += ["--created", created]
        proc = self.run(args, document)
        assert proc.returncode == 0, f"di.mjs sign failed: {proc.stderr}"
        signed: dict[str, Any] = json.loads(proc.stdout)
        return signed


@pytest.fixture(scope="session")
def node_stack(tmp_path_factory: pytest.TempPathFactory) -> NodeStack:
    """The Digital Bazaar stack, ready to run; skips only when Node.js is absent outside CI."""
    in_ci = bool(os.environ.get("CI"))
    node = shutil.which("node")
    if node is None:
        if in_ci:
            pytest.fail("Node.js (`node`) is not on PATH; CI must run the interop tests")
        pytest.skip("Node.js is not installed")
    if not (INTEROP_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail(
            "interop/node_modules is missing: run `make interop-deps` "
            "(cd interop && npm ci --no-audit --no-fund --loglevel=error)"
        )
    return NodeStack(node, tmp_path_factory.mktemp("node-stack"))


@pytest.fixture(scope="session")
def issuers() -> dict[str, IssuerKey]:
    """The fixed issuer keys by did:key (the issuers named in fixtures/ob3/)."""
    return ISSUERS


@pytest.fixture(scope="session")
def make_status_list() -> Any:
    """Factory for unsigned status list credentials: see :func:`status_list_credential`."""
    return status_list_credential
