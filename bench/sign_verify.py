"""Benchmark: sign and verify per credential, single process.

Run as ``.venv/bin/python bench/sign_verify.py [--iterations N]``. Prints the median and p95
milliseconds per credential for each measured format. Each format is one function returning
its rows, so more formats (VC-JWT, the CLI batch path) can be added next to it.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from baeji.credentials import jsonld, keys, status
from baeji.credentials.fetch import Fetcher
from baeji.credentials.suites import eddsa_rdfc_2022, vc_jwt
from baeji.credentials.verify import verify

# The realistic credential the tests also use (Korean text, alignments, result, evidence,
# status entry, schema); the repository root is put on the path so this script runs directly.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.credentials.eddsa_samples import realistic_credential

WARMUP = 50


def _timed(operation: Callable[[int], object], iterations: int) -> list[float]:
    for serial in range(WARMUP):
        operation(serial)
    samples = []
    for serial in range(iterations):
        start = time.perf_counter()
        operation(serial)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def bench_eddsa_rdfc_2022(iterations: int) -> list[tuple[str, list[float]]]:
    """Sign and verify the realistic credential with eddsa-rdfc-2022, full and fast paths."""
    key = Ed25519PrivateKey.generate()
    public_key = key.public_key()
    method = "https://badges.example.kr/issuers/1#key-1"
    credentials = [realistic_credential(serial) for serial in range(WARMUP + iterations)]
    rows = []
    for label, fast in (("full pyld path", False), ("fast path", True)):
        jsonld.FAST_PATH = fast
        try:
            signed = []

            def do_sign(serial: int, signed: list = signed) -> None:
                signed.append(
                    eddsa_rdfc_2022.sign(
                        credentials[serial],
                        private_key=key,
                        verification_method=method,
                        created="2026-03-01T09:00:00Z",
                    )
                )

            rows.append((f"eddsa-rdfc-2022 sign   ({label})", _timed(do_sign, iterations)))
            unsecured = [{k: v for k, v in doc.items() if k != "proof"} for doc in signed]

            def do_verify(serial: int, signed: list = signed, unsecured: list = unsecured) -> None:
                eddsa_rdfc_2022.verify_proof(
                    unsecured[serial], signed[serial]["proof"], public_key=public_key
                )

            rows.append((f"eddsa-rdfc-2022 verify ({label})", _timed(do_verify, iterations)))
        finally:
            jsonld.FAST_PATH = True
    return rows


def _did_key_credential(key: keys.KeyPair, serial: int) -> dict:
    credential = realistic_credential(serial)
    credential["issuer"] = dict(credential["issuer"], id=key.did_key())
    return credential


def bench_vc_jwt(iterations: int) -> list[tuple[str, list[float]]]:
    """Issue and verify the realistic credential as an OB 3.0 VC-JWT (RS256, embedded jwk)."""
    key = keys.generate("rsa")
    credentials = [realistic_credential(serial) for serial in range(WARMUP + iterations)]
    tokens: list[str] = []

    def do_issue(serial: int) -> None:
        tokens.append(vc_jwt.issue(credentials[serial], key, embed_jwk=True))

    rows = [("VC-JWT RS256 issue", _timed(do_issue, iterations))]
    public_key = key.public_key

    def do_verify(serial: int) -> None:
        vc_jwt.verify(tokens[serial], resolve_key=lambda header, credential: public_key)

    rows.append(("VC-JWT RS256 verify", _timed(do_verify, iterations)))
    return rows


def bench_full_report(iterations: int) -> list[tuple[str, list[float]]]:
    """The whole verifier: format, schema, proof, did:key binding, validity, status list."""
    key = keys.generate("ed25519")
    method = f"{key.did_key()}#{key.did_key().split(':')[-1]}"
    status_list = status.status_list_credential(
        url="https://badges.example.kr/status/1",
        issuer=key.did_key(),
        purpose="revocation",
        status_list=status.StatusList(),
        valid_from="2026-01-01T00:00:00Z",
    )
    fetcher = Fetcher(offline=True)
    fetcher.seed(
        "https://badges.example.kr/status/1",
        eddsa_rdfc_2022.sign(status_list, private_key=key.private_key, verification_method=method),
    )
    signed = [
        eddsa_rdfc_2022.sign(
            _did_key_credential(key, serial),
            private_key=key.private_key,
            verification_method=method,
        )
        for serial in range(WARMUP + iterations)
    ]

    def do_verify(serial: int) -> None:
        report = verify(copy.deepcopy(signed[serial]), fetcher=fetcher)
        if not report.valid:
            raise SystemExit(f"benchmark credential did not verify: {report.to_dict()}")

    return [("verify() full report, did:key + status", _timed(do_verify, iterations))]


def bench_cli_batch(count: int, workers: int) -> tuple[float, int]:
    """Sign ``count`` credentials as JSON Lines through `baeji sign`; (wall seconds, count)."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        key_path = work / "key.json"
        key = keys.generate("ed25519")
        key_path.write_text(json.dumps(keys.key_document(key)), "utf-8")
        batch = work / "batch.jsonl"
        with batch.open("w", encoding="utf-8") as out:
            for serial in range(count):
                credential = _did_key_credential(key, serial)
                out.write(json.dumps(credential, ensure_ascii=False) + "\n")
        command = [
            str(Path(sys.executable).with_name("baeji")),
            "sign",
            "--key",
            str(key_path),
            "--workers",
            str(workers),
            str(batch),
        ]
        start = time.perf_counter()
        with (work / "signed.jsonl").open("wb") as signed:
            subprocess.run(command, stdout=signed, check=True)
        elapsed = time.perf_counter() - start
        lines = sum(1 for _ in (work / "signed.jsonl").open("rb"))
    return elapsed, lines


def main() -> None:
    """Run every benchmark section and print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--batch", type=int, default=10_000, help="credentials in the CLI batch")
    args = parser.parse_args()
    print(f"per credential, single process, {args.iterations} iterations after {WARMUP} warm-up")
    print(f"{'measurement':<40} {'median ms':>10} {'p95 ms':>10}")
    sections = (bench_eddsa_rdfc_2022, bench_vc_jwt, bench_full_report)
    for section in sections:
        for name, samples in section(args.iterations):
            median, p95 = _summary(samples)
            print(f"{name:<40} {median:>10.3f} {p95:>10.3f}", flush=True)
    cores = os.cpu_count() or 1
    print(f"\n`baeji sign` on a {args.batch:,}-credential JSONL batch (process start included)")
    for workers in sorted({1, cores}):
        elapsed, lines = bench_cli_batch(args.batch, workers)
        print(
            f"workers={workers}: {elapsed:.1f} s, {lines / elapsed:,.0f} credentials/s, "
            f"{elapsed * 1000 / lines:.3f} ms per credential",
            flush=True,
        )


if __name__ == "__main__":
    main()
