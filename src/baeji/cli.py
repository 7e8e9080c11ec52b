"""The ``baeji`` command.

The credential subcommands (keygen, sign, verify, bake, unbake, status-list) need no database
and no network unless a document must be fetched; the platform subcommands (demo, award,
achievements, ...) are registered from :mod:`baeji.platform_cli`. Results go to stdout,
messages for people to stderr. Exit status: 0 success (for verify: valid), 1 not valid,
2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage or unreadable input: exit status 2 with the message on stderr."""


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _read_bytes(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {source}: {error.strerror or error}") from None


def _read_json(source: str, what: str = "JSON") -> Any:
    data = _read_bytes(source)
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{source} is not valid {what}: {error}") from None


def _write_json(document: Any, out: Any = None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    (out or sys.stdout).write(text + "\n")


def _load_key(path: str) -> tuple[Any, str, str]:
    from baeji.credentials import keys
    from baeji.credentials.errors import CredentialError

    document = _read_json(path, "a key document")
    try:
        return keys.load_key_document(document)
    except CredentialError as error:
        raise UsageError(f"{path}: {error}") from None


def _is_jsonl(source: str, flag: bool) -> bool:
    return flag or source.endswith(".jsonl")


def _lines(source: str) -> Iterator[str]:
    data = _read_bytes(source).decode("utf-8-sig")
    for line in data.splitlines():
        if line.strip():
            yield line


def _parallel(function: Callable[[str], str], items: Iterable[str], workers: int) -> Iterator[str]:
    """Map ``function`` over ``items`` in order, on ``workers`` processes when more than one."""
    if workers <= 1:
        yield from map(function, items)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(function, items, chunksize=64)


# -- keygen ------------------------------------------------------------------------------------


def cmd_keygen(args: argparse.Namespace) -> int:
    from baeji.credentials import keys

    key = keys.generate(args.type)
    _write_json(keys.key_document(key))
    return EXIT_OK


# -- sign --------------------------------------------------------------------------------------

_SIGNING: dict[str, Any] = {}


def _init_signing(key_path: str, proof_format: str) -> None:
    key, controller, method = _load_key(key_path)
    _SIGNING.update(key=key, controller=controller, method=method, format=proof_format)


def _sign_document(document: Any) -> str:
    from baeji.credentials.errors import CredentialError
    from baeji.credentials.suites import eddsa_rdfc_2022, vc_jwt

    if not isinstance(document, dict):
        raise UsageError("the credential is not a JSON object")
    document = dict(document)
    issuer = document.get("issuer")
    if issuer is None:
        document["issuer"] = {"id": _SIGNING["controller"], "type": ["Profile"]}
    elif isinstance(issuer, dict) and not issuer.get("id"):
        document["issuer"] = {"id": _SIGNING["controller"], **issuer}
    try:
        if _SIGNING["format"] == "jwt":
            return vc_jwt.issue(document, _SIGNING["key"], kid=_SIGNING["method"])
        if _SIGNING["key"].kind != "ed25519":
            raise UsageError("Data Integrity eddsa-rdfc-2022 needs an ed25519 key")
        signed = eddsa_rdfc_2022.sign(
            document,
            private_key=_SIGNING["key"].private_key,
            verification_method=_SIGNING["method"],
        )
    except CredentialError as error:
        raise UsageError(f"cannot sign: {error}") from None
    return json.dumps(signed, ensure_ascii=False)


def _sign_line(line: str) -> str:
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise UsageError(f"a line is not valid JSON: {error}") from None
    return _sign_document(document)


def _sign_line_in_worker(job: tuple[str, str, str]) -> str:
    key_path, proof_format, line = job
    if not _SIGNING:
        _init_signing(key_path, proof_format)
    return _sign_line(line)


def cmd_sign(args: argparse.Namespace) -> int:
    _init_signing(args.key, args.format)
    if _is_jsonl(args.file, args.jsonl):
        workers = args.workers or os.cpu_count() or 1
        jobs = ((args.key, args.format, line) for line in _lines(args.file))
        for output in _parallel(_sign_line_in_worker, jobs, workers):  # type: ignore[arg-type]
            sys.stdout.write(output + "\n")
        return EXIT_OK
    output = _sign_document(_read_json(args.file, "JSON"))
    if args.format == "jwt":
        sys.stdout.write(output + "\n")
    else:
        _write_json(json.loads(output))
    return EXIT_OK


# -- verify ------------------------------------------------------------------------------------


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    from baeji.credentials.model import parse_datetime

    try:
        return parse_datetime(value if "T" in value else value + "T00:00:00Z")
    except ValueError as error:
        raise UsageError(f"--at: {error}") from None


def _fetcher_for(resolve: list[str]) -> Any:
    from baeji.credentials.errors import KeyFormatError
    from baeji.credentials.fetch import Fetcher
    from baeji.credentials.keys import did_web_url

    fetcher = Fetcher()
    for item in resolve:
        key, sep, path = item.partition("=")
        if not sep or not key or not path:
            raise UsageError(f"--resolve takes KEY=FILE, not {item!r}")
        content = _read_bytes(path)
        if key.startswith("did:web:"):
            try:
                key = did_web_url(key.split("#", 1)[0])
            except KeyFormatError as error:
                raise UsageError(f"--resolve {key}: {error}") from None
        fetcher.seed(key, content)
    return fetcher


def _render_report(report: Any) -> str:
    marks = {"pass": "✓", "fail": "✗", "warn": "!", "skip": "-"}
    lines = [f"{marks[c.status]} {c.name}: {c.message}" for c in report.checks]
    lines.append("VALID" if report.valid else "NOT VALID")
    return "\n".join(lines)


_VERIFYING: dict[str, Any] = {}


def _verify_one(data: bytes | str) -> tuple[Any, bool]:
    from baeji.credentials.verify import verify

    report = verify(
        data, fetcher=_VERIFYING["fetcher"], at=_VERIFYING["at"], email=_VERIFYING["email"]
    )
    unreadable = report.credential is None and any(
        c.name == "format" and c.status == "fail" for c in report.checks
    )
    return report, unreadable


def _verify_line_in_worker(job: tuple[list[str], str | None, str | None, str]) -> str:
    resolve, at, email, line = job
    if not _VERIFYING:
        _VERIFYING.update(fetcher=_fetcher_for(resolve), at=_parse_at(at), email=email)
    report, _ = _verify_one(line)
    return json.dumps(report.to_dict(), ensure_ascii=False)


def cmd_verify(args: argparse.Namespace) -> int:
    _VERIFYING.update(fetcher=_fetcher_for(args.resolve), at=_parse_at(args.at), email=args.email)
    if _is_jsonl(args.file, args.jsonl):
        workers = args.workers or os.cpu_count() or 1
        jobs = ((args.resolve, args.at, args.email, line) for line in _lines(args.file))
        all_valid = True
        for output in _parallel(_verify_line_in_worker, jobs, workers):  # type: ignore[arg-type]
            all_valid = all_valid and json.loads(output)["valid"]
            sys.stdout.write(output + "\n")
        return EXIT_OK if all_valid else EXIT_INVALID
    report, unreadable = _verify_one(_read_bytes(args.file))
    if args.json:
        _write_json(report.to_dict())
    else:
        print(_render_report(report))
    if unreadable:
        _say(f"cannot read a credential from {args.file}: {report.checks[0].message}")
        return EXIT_USAGE
    return EXIT_OK if report.valid else EXIT_INVALID


# -- bake / unbake -----------------------------------------------------------------------------


def cmd_bake(args: argparse.Namespace) -> int:
    from baeji.credentials.bake import bake
    from baeji.credentials.errors import CredentialError

    raw = _read_bytes(args.credential).decode("utf-8-sig").strip()
    credential: dict[str, Any] | str = _read_json(args.credential) if raw.startswith("{") else raw
    try:
        baked = bake(_read_bytes(args.image), credential)
    except CredentialError as error:
        raise UsageError(f"cannot bake: {error}") from None
    Path(args.output).write_bytes(baked)
    _say(f"baked the credential into {args.output}")
    return EXIT_OK


def cmd_unbake(args: argparse.Namespace) -> int:
    from baeji.credentials.bake import unbake
    from baeji.credentials.errors import CredentialError

    try:
        baked = unbake(_read_bytes(args.image))
    except CredentialError as error:
        raise UsageError(f"cannot unbake {args.image}: {error}") from None
    if baked.format == "json":
        _write_json(json.loads(baked.value))
    else:
        print(baked.value)
    return EXIT_OK


# -- status lists ------------------------------------------------------------------------------


def _sign_status_list(unsigned: dict[str, Any], key: Any, method: str) -> dict[str, Any]:
    from baeji.credentials.suites import eddsa_rdfc_2022

    if key.kind != "ed25519":
        raise UsageError("status lists are signed with eddsa-rdfc-2022 and need an ed25519 key")
    return eddsa_rdfc_2022.sign(unsigned, private_key=key.private_key, verification_method=method)


def cmd_status_list_new(args: argparse.Namespace) -> int:
    from baeji.credentials import status
    from baeji.credentials.model import now, xsd_datetime

    key, controller, method = _load_key(args.key)
    unsigned = status.status_list_credential(
        url=args.url,
        issuer=controller,
        purpose=args.purpose,
        status_list=status.StatusList(args.length),
        valid_from=xsd_datetime(now()),
    )
    signed = _sign_status_list(unsigned, key, method)
    with open(args.output, "w", encoding="utf-8") as out:
        _write_json(signed, out)
    _say(f"wrote a {args.purpose} status list of {args.length} entries to {args.output}")
    return EXIT_OK


def _load_status_list(path: str) -> tuple[dict[str, Any], Any]:
    from baeji.credentials import status
    from baeji.credentials.errors import CredentialError

    document = _read_json(path, "a status list credential")
    try:
        encoded = document["credentialSubject"]["encodedList"]
        return document, status.StatusList.decode(encoded)
    except (KeyError, TypeError):
        raise UsageError(f"{path} is not a BitstringStatusListCredential") from None
    except CredentialError as error:
        raise UsageError(f"{path}: {error}") from None


def _check_index(index: int, status_list: Any) -> None:
    if not 0 <= index < status_list.length:
        raise UsageError(f"index {index} is outside the list (0..{status_list.length - 1})")


def cmd_status_list_set(args: argparse.Namespace) -> int:
    from baeji.credentials.model import now, xsd_datetime

    document, status_list = _load_status_list(args.file)
    _check_index(args.index, status_list)
    key, _controller, method = _load_key(args.key)
    status_list.set(args.index, not args.clear)
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["credentialSubject"] = dict(
        unsigned["credentialSubject"], encodedList=status_list.encode()
    )
    unsigned["validFrom"] = xsd_datetime(now())
    signed = _sign_status_list(unsigned, key, method)
    with open(args.file, "w", encoding="utf-8") as out:
        _write_json(signed, out)
    _say(f"{'cleared' if args.clear else 'set'} index {args.index} and re-signed {args.file}")
    return EXIT_OK


def cmd_status_list_get(args: argparse.Namespace) -> int:
    _, status_list = _load_status_list(args.file)
    _check_index(args.index, status_list)
    print(1 if status_list.get(args.index) else 0)
    return EXIT_OK


# -- Django management ------------------------------------------------------------------------


def cmd_manage(args: argparse.Namespace) -> int:
    """Run a Django management command with Baeji's settings (migrate, db_worker, ...)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baeji.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["baeji manage", *args.arguments])
    return EXIT_OK


# -- the parser --------------------------------------------------------------------------------


def _subparser(
    sub: Any, name: str, help_text: str, example: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``baeji`` command, with every subcommand."""
    from baeji import __version__

    parser = argparse.ArgumentParser(
        prog="baeji", description="Baeji: Open Badges 3.0 issuing and verification."
    )
    parser.add_argument("--version", action="version", version=f"baeji {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _subparser(
        sub,
        "keygen",
        "Print a new signing key document (JSON).",
        "baeji keygen --type ed25519 > issuer-key.json",
        cmd_keygen,
    )
    p.add_argument("--type", choices=["ed25519", "rsa"], default="ed25519")

    p = _subparser(
        sub,
        "sign",
        "Sign an unsigned credential (Data Integrity or VC-JWT).",
        "baeji sign --key issuer-key.json badge.json > signed.json\n"
        "  baeji sign --key issuer-key.json --workers 2 batch.jsonl > signed.jsonl",
        cmd_sign,
    )
    p.add_argument("--key", required=True, metavar="KEYFILE", help="a key document from keygen")
    p.add_argument("--format", choices=["di", "jwt"], default="di")
    p.add_argument("--jsonl", action="store_true", help="read JSON Lines (implied by .jsonl)")
    p.add_argument("--workers", type=int, default=0, help="processes for a batch (default: all)")
    p.add_argument("file", metavar="FILE|-")

    p = _subparser(
        sub,
        "verify",
        "Verify a credential: JSON, JWS, baked PNG or SVG, OB 2.0 too.",
        "baeji verify --json --resolve https://example.kr/status/1=list.json signed.json",
        cmd_verify,
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--at", metavar="ISO-TIME", help="check validity at this time")
    p.add_argument("--email", metavar="ADDRESS", help="check the recipient's e-mail address")
    p.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="KEY=FILE",
        help="use FILE for the URL or DID KEY instead of the network (repeatable)",
    )
    p.add_argument("--jsonl", action="store_true", help="read JSON Lines (implied by .jsonl)")
    p.add_argument("--workers", type=int, default=0, help="processes for a batch (default: all)")
    p.add_argument("file", metavar="FILE|-")

    p = _subparser(
        sub,
        "bake",
        "Embed a credential in a PNG or SVG badge image.",
        "baeji bake --credential signed.json badge.png -o baked.png",
        cmd_bake,
    )
    p.add_argument("--credential", required=True, metavar="FILE")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("-o", "--output", required=True, metavar="OUT")

    p = _subparser(
        sub,
        "unbake",
        "Print the credential embedded in a PNG or SVG badge image.",
        "baeji unbake baked.png > credential.json",
        cmd_unbake,
    )
    p.add_argument("image", metavar="IMAGE")

    status_parser = sub.add_parser(
        "status-list",
        help="Create, update and read Bitstring Status List credentials.",
        description="Create, update and read Bitstring Status List credentials.",
    )
    status_sub = status_parser.add_subparsers(dest="status_command", required=True)
    p = _subparser(
        status_sub,
        "new",
        "Create a signed, empty BitstringStatusListCredential.",
        "baeji status-list new --key issuer-key.json --url https://example.kr/status/1 \\\n"
        "      -o list.json",
        cmd_status_list_new,
    )
    p.add_argument("--key", required=True, metavar="KEYFILE")
    p.add_argument("--url", required=True, help="the URL the list will be published at")
    p.add_argument("--purpose", choices=["revocation", "suspension"], default="revocation")
    p.add_argument("--length", type=int, default=131072, help=argparse.SUPPRESS)
    p.add_argument("-o", "--output", required=True, metavar="FILE")
    p = _subparser(
        status_sub,
        "set",
        "Set (or clear) one entry and re-sign the list in place.",
        "baeji status-list set list.json 94567 --key issuer-key.json",
        cmd_status_list_set,
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("index", type=int, metavar="INDEX")
    p.add_argument("--key", required=True, metavar="KEYFILE")
    p.add_argument("--clear", action="store_true", help="clear the entry instead of setting it")
    p = _subparser(
        status_sub,
        "get",
        "Print 1 when the entry is set, 0 when it is not.",
        "baeji status-list get list.json 94567",
        cmd_status_list_get,
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("index", type=int, metavar="INDEX")

    p = _subparser(
        sub,
        "manage",
        "Run a Django management command with Baeji's settings.",
        "baeji manage migrate && baeji manage db_worker",
        cmd_manage,
    )
    p.add_argument("arguments", nargs=argparse.REMAINDER, metavar="COMMAND ...")

    from baeji import platform_cli

    platform_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``baeji`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UsageError as error:
        _say(f"baeji: {error}")
        return EXIT_USAGE
    except Exception as error:
        # A misconfigured installation (no key-encryption key, no database ...) gets its
        # message, not a traceback; anything else is a bug and keeps its traceback.
        if type(error).__name__ != "ImproperlyConfigured":
            raise
        _say(f"baeji: {error}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
