"""The `baeji` command's credential subcommands, through main() and the installed script."""

import json
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from baeji.cli import build_parser, main

from .conftest import STATUS_URL


@pytest.fixture
def run(capsys):
    def run(*argv, stdin=None, monkeypatch=None):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def keyfile(tmp_path, run):
    code, out, _ = run("keygen")
    assert code == 0
    path = tmp_path / "key.json"
    path.write_text(out)
    return path


@pytest.fixture
def unsigned(tmp_path, issuer):
    credential = issuer.credential(sign=False, credential_status=None)
    del credential["issuer"]["id"]
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(credential, ensure_ascii=False), "utf-8")
    return path


def test_keygen_documents(run):
    code, out, _ = run("keygen")
    doc = json.loads(out)
    assert code == 0 and doc["did"].startswith("did:key:z6Mk")
    assert doc["publicKeyMultibase"].startswith("z6Mk") and doc["secretKeyMultibase"]
    code, out, _ = run("keygen", "--type", "rsa")
    doc = json.loads(out)
    assert doc["publicKeyJwk"]["kty"] == "RSA" and "d" in doc["privateKeyJwk"]


def test_sign_then_verify(run, keyfile, unsigned, tmp_path):
    code, out, _ = run("sign", "--key", str(keyfile), str(unsigned))
    assert code == 0
    signed = json.loads(out)
    key = json.loads(keyfile.read_text())
    assert signed["issuer"]["id"] == key["did"]  # filled in from the key
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["credentialSubject"]["achievement"]["name"] == "수영 3단계"
    path = tmp_path / "signed.json"
    path.write_text(out, "utf-8")

    code, out, _ = run("verify", "--json", str(path))
    report = json.loads(out)
    assert code == 0 and report["valid"] is True
    assert {c["name"] for c in report["checks"]} >= {"format", "proof", "issuer", "validity"}
    # The contract: the original three keys, plus each check's machine code and its params.
    assert all(set(c) == {"name", "status", "message", "code", "params"} for c in report["checks"])
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["proof"]["code"] == "proof.verified"
    assert checks["validity"]["code"] in {"validity.valid", "validity.no_expiry"}
    assert checks["validity"]["params"]["valid_from"] == signed["validFrom"]

    code, out, _ = run("verify", str(path))
    assert code == 0 and "VALID" in out

    signed["name"] = "바뀐 이름"
    path.write_text(json.dumps(signed), "utf-8")
    code, out, _ = run("verify", "--json", str(path))
    assert code == 1 and json.loads(out)["valid"] is False


def test_verify_at_and_email(run, keyfile, tmp_path, issuer):
    credential = issuer.credential(
        sign=False, credential_status=None, valid_until="2027-01-01T00:00:00Z"
    )
    del credential["issuer"]["id"]  # sign fills it in from the key
    src = tmp_path / "c.json"
    src.write_text(json.dumps(credential), "utf-8")
    out = run("sign", "--key", str(keyfile), str(src))[1]
    src.write_text(out, "utf-8")
    assert run("verify", "--at", "2026-06-01T00:00:00Z", str(src))[0] == 0
    assert run("verify", "--at", "2027-06-01T00:00:00Z", str(src))[0] == 1
    assert run("verify", "--at", "2026-06-01", "--email", "minjun@example.kr", str(src))[0] == 0
    assert run("verify", "--email", "someone@example.kr", str(src))[0] == 1


def test_bad_input_exits_2(run, tmp_path, keyfile):
    assert run("verify", str(tmp_path / "missing.json"))[0] == 2
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    code, _, err = run("verify", str(junk))
    assert (code == 2 and "baeji" in err) or code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["verify"])
    assert exit_info.value.code == 2
    assert run("sign", "--key", str(junk), str(junk))[0] == 2
    assert run("verify", "--resolve", "nofile", str(junk))[0] == 2


def test_jwt_format(run, tmp_path, unsigned):
    code, out, _ = run("keygen", "--type", "rsa")
    rsa = tmp_path / "rsa.json"
    rsa.write_text(out)
    code, token, _ = run("sign", "--key", str(rsa), "--format", "jwt", str(unsigned))
    assert code == 0 and token.count(".") == 2
    path = tmp_path / "badge.jwt"
    path.write_text(token)
    code, out, _ = run("verify", "--json", str(path))
    assert code == 0, out
    assert json.loads(out)["valid"] is True


def test_jsonl_batches_keep_order(run, keyfile, tmp_path, issuer):
    lines = []
    for n in range(12):
        credential = issuer.credential(
            sign=False, credential_status=None, id=f"https://youth.example.kr/c/{n}"
        )
        del credential["issuer"]["id"]
        lines.append(json.dumps(credential, ensure_ascii=False))
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, _ = run("sign", "--key", str(keyfile), "--workers", "2", str(batch))
    assert code == 0
    signed = [json.loads(line) for line in out.splitlines()]
    assert [c["id"] for c in signed] == [f"https://youth.example.kr/c/{n}" for n in range(12)]
    signed_path = tmp_path / "signed.jsonl"
    signed_path.write_text(out, "utf-8")
    code, out, _ = run("verify", "--workers", "2", str(signed_path))
    reports = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(reports) == 12 and all(r["valid"] for r in reports)


def test_bake_and_unbake(run, keyfile, unsigned, tmp_path):
    code, out, _ = run("sign", "--key", str(keyfile), str(unsigned))
    signed = tmp_path / "signed.json"
    signed.write_text(out, "utf-8")
    image = tmp_path / "badge.png"
    buffer = BytesIO()
    Image.new("RGB", (16, 16), "gold").save(buffer, "PNG")
    image.write_bytes(buffer.getvalue())
    baked = tmp_path / "baked.png"
    assert run("bake", "--credential", str(signed), str(image), "-o", str(baked))[0] == 0
    code, out, _ = run("unbake", str(baked))
    assert code == 0 and json.loads(out) == json.loads(signed.read_text("utf-8"))
    assert run("verify", str(baked))[0] == 0
    # A second bake is refused; so is unbaking a plain image.
    assert run("bake", "--credential", str(signed), str(baked), "-o", str(baked))[0] == 2
    assert run("unbake", str(image))[0] == 2


def test_status_list_commands(run, keyfile, tmp_path, issuer):
    status_file = tmp_path / "list.json"
    code, _, _ = run(
        "status-list", "new", "--key", str(keyfile), "--url", STATUS_URL, "-o", str(status_file)
    )
    assert code == 0
    assert run("status-list", "get", str(status_file), "77")[1].strip() == "0"

    credential = issuer.credential(sign=False, index=77)
    del credential["issuer"]["id"]
    src = tmp_path / "c.json"
    src.write_text(json.dumps(credential), "utf-8")
    code, out, _ = run("sign", "--key", str(keyfile), str(src))
    src.write_text(out, "utf-8")
    resolve = f"{STATUS_URL}={status_file}"
    assert run("verify", "--resolve", resolve, str(src))[0] == 0

    assert run("status-list", "set", str(status_file), "77", "--key", str(keyfile))[0] == 0
    assert run("status-list", "get", str(status_file), "77")[1].strip() == "1"
    code, out, _ = run("verify", "--json", "--resolve", resolve, str(src))
    assert code == 1
    status_check = next(c for c in json.loads(out)["checks"] if c["name"] == "status")
    assert status_check["status"] == "fail"

    assert (
        run("status-list", "set", str(status_file), "77", "--key", str(keyfile), "--clear")[0] == 0
    )
    assert run("verify", "--resolve", resolve, str(src))[0] == 0
    assert run("status-list", "get", str(status_file), "999999")[0] == 2


def test_every_subcommand_help_has_an_example():
    parser = build_parser()
    for name in ["keygen", "sign", "verify", "bake", "unbake"]:
        help_text = parser._subparsers._group_actions[0].choices[name].format_help()
        assert "example:" in help_text and f"baeji {name}" in help_text


def test_installed_script_runs(tmp_path):
    script = shutil.which("baeji") or str(Path(__file__).parents[2] / ".venv" / "bin" / "baeji")
    result = subprocess.run([script, "keygen"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["did"].startswith("did:key:")
