"""A credential issued by the running platform verifies outside it.

The platform runs as a real HTTP server (pytest-django's ``live_server``) whose public address
(``BASE_URL``) is that server, so the issuer's ``did:web`` DID, the status list URL and the
credential id all name it. The test issues an award through the services, then downloads
over HTTP, as any verifier would, the signed credential (``/c/<id>.json``), the issuer's DID
document (``/issuers/<slug>/did.json``) and the status list credential. Two verifiers that
share nothing with the server process check them: the ``baeji verify`` command in a
subprocess, and Digital Bazaar's JavaScript stack (interop/di.mjs). Both get the downloaded
files seeded for the URLs they name, since ``did:web`` always resolves over https and the
test server speaks plain http on loopback.

After ``award_revoke`` the status list is downloaded again: ``baeji verify`` must now fail
the status check and the JavaScript stack must report the credential's bit as set.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

pytestmark = [pytest.mark.interop, pytest.mark.django_db(transaction=True)]

KEK = base64.urlsafe_b64encode(bytes(range(32))).decode()
SLUG = "hanbit"


def baeji_command() -> list[str]:
    """The ``baeji`` console script of this virtualenv (else the one on PATH)."""
    local = Path(sys.executable).with_name("baeji")
    if local.exists():
        return [str(local)]
    found = shutil.which("baeji")
    if found is None:
        pytest.fail("the `baeji` command is not installed in this environment")
    return [found]


def download(url: str) -> tuple[bytes, str]:
    """GET ``url`` from the loopback test server; the body and its content type."""
    assert urlsplit(url).hostname == "127.0.0.1", url  # never anything but our own server
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, url
        return response.read(), response.headers.get("Content-Type", "")


def did_web_https_url(did: str) -> str:
    """Where did:web resolution looks for ``did`` (Decentralized Identifiers, did:web §3.2),
    worked out here from the method's rules rather than with Baeji's own helper."""
    host, *path = did.removeprefix("did:web:").split(":")
    host = host.replace("%3A", ":").replace("%3a", ":")
    return f"https://{host}/{'/'.join(path)}/did.json"


@dataclass
class Published:
    """What the running platform published for one award, downloaded over HTTP."""

    award: Any
    credential: dict[str, Any]
    credential_file: Path
    did: str
    did_url: str
    did_file: Path
    status_url: str
    status_file: Path
    png_file: Path


@pytest.fixture
def platform(live_server, settings, tmp_path):
    """Settings that make the live server the platform's public address."""
    # Loopback by address, not by name: the DID is derived from BASE_URL, and downloads must
    # go to exactly the host the credential names.
    port = urlsplit(live_server.url).port
    base_url = f"http://127.0.0.1:{port}"
    settings.BASE_URL = base_url
    settings.BAEJI_KEK = KEK
    settings.BAEJI_KEK_AUTOCREATE = False
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.DEV_OUTBOX = False
    return base_url


@pytest.fixture
def published(platform, tmp_path) -> Published:
    """Issue an award through the services and download everything a verifier needs."""
    from django.contrib.auth import get_user_model

    from baeji.achievements.services import achievement_create
    from baeji.awards.services import award_issue
    from baeji.organizations.services import organization_create

    owner = get_user_model().objects.create_user(
        username="owner@hanbit.example", email="owner@hanbit.example"
    )
    organization = organization_create(slug=SLUG, name="한빛 청소년센터", by=owner)
    achievement = achievement_create(
        organization=organization,
        slug="swim-1",
        by=owner,
        name="수영 1단계",
        description="물에 뜨고 자유형 25m를 헤엄칩니다.",
        criteria_md="- 자유형 25m 50초 이내\n- 안전 수칙 설명",
        achievement_type="Badge",
        design={"shape": "circle", "color": "#1F5FAD", "icon": "wave"},
    )
    award = award_issue(
        achievement=achievement,
        recipient_email="learner@example.net",
        recipient_name="이서연",
        issued_by=owner,
        notify=False,
    )

    body, content_type = download(f"{platform}/c/{award.public_id}.json")
    assert content_type.startswith("application/ld+json")
    credential = json.loads(body)
    credential_file = tmp_path / "credential.json"
    credential_file.write_bytes(body)

    did = credential["issuer"]["id"]
    netloc = urlsplit(platform).netloc
    # The DID names the host the platform is served from, its port %-encoded (did:web §3.1).
    assert did == f"did:web:{quote(netloc, safe='')}:issuers:{SLUG}"
    # The document is served at the path did:web resolution asks for; only the scheme
    # differs, because this test server speaks http.
    did_url = did_web_https_url(did)
    assert did_url == f"https://{netloc}/issuers/{SLUG}/did.json"
    body, content_type = download(platform + urlsplit(did_url).path)
    assert content_type.startswith("application/did+json")
    did_file = tmp_path / "did.json"
    did_file.write_bytes(body)
    assert json.loads(body)["id"] == did
    assert credential["proof"]["verificationMethod"].startswith(did + "#")

    (entry,) = (
        credential["credentialStatus"]
        if isinstance(credential["credentialStatus"], list)
        else [credential["credentialStatus"]]
    )
    status_url = entry["statusListCredential"]
    assert status_url.startswith(f"{platform}/issuers/{SLUG}/status/")
    status_file = tmp_path / "status.json"
    status_file.write_bytes(download(status_url)[0])

    body, content_type = download(f"{platform}/c/{award.public_id}.png")
    assert content_type == "image/png"
    png_file = tmp_path / "credential.png"
    png_file.write_bytes(body)

    return Published(
        award=award,
        credential=credential,
        credential_file=credential_file,
        did=did,
        did_url=did_url,
        did_file=did_file,
        status_url=status_url,
        status_file=status_file,
        png_file=png_file,
    )


def baeji_verify(published: Published, target: Path) -> tuple[int, dict[str, Any]]:
    """``baeji verify --json`` in a subprocess with the downloaded documents resolved."""
    proc = subprocess.run(
        [
            *baeji_command(),
            "verify",
            "--json",
            "--resolve",
            f"{published.did}={published.did_file}",
            "--resolve",
            f"{published.status_url}={published.status_file}",
            str(target),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert proc.returncode in (0, 1), f"baeji verify crashed ({proc.returncode}): {proc.stderr}"
    report: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, report


def checks_by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's checks keyed by name."""
    return {check["name"]: check for check in report["checks"]}


def js_verify(
    node_stack, published: Published, credential: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Digital Bazaar's stack on the downloaded credential, with the DID document seeded only
    under the https URL did:web resolves the DID to (interop/loader.mjs maps the DID there)
    and the status list under its URL."""
    seeds = {
        published.did_url: json.loads(published.did_file.read_text("utf-8")),
        published.status_url: json.loads(published.status_file.read_text("utf-8")),
    }
    result: dict[str, Any] = node_stack.verify(credential or published.credential, seeds=seeds)
    return result


def png_itxt(data: bytes, keyword: str) -> str:
    """The text of the uncompressed iTXt chunk ``keyword`` (PNG 1.2 §11.3.4.5), read here
    chunk by chunk rather than with Baeji's own unbaking."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset = 8
    found: list[str] = []
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"iTXt":
            name, _, rest = body.partition(b"\0")
            if name.decode("latin-1") == keyword:
                assert rest[0] == 0, "compressed iTXt"
                _language, _, rest = rest[2:].partition(b"\0")
                _translated, _, text = rest.partition(b"\0")
                found.append(text.decode("utf-8"))
    assert len(found) == 1, f"{len(found)} iTXt chunks named {keyword!r}"
    return found[0]


def test_platform_credential_verifies_with_baeji_and_digital_bazaar(node_stack, published):
    code, report = baeji_verify(published, published.credential_file)
    checks = checks_by_name(report)
    assert code == 0, report
    assert report["valid"] is True
    failing = [c for c in report["checks"] if c["status"] not in ("pass", "skip")]
    assert failing == [], failing
    assert checks["issuer"]["status"] == "pass", checks
    assert checks["status"]["status"] == "pass", checks

    result = js_verify(node_stack, published)
    assert result["verified"] is True, result
    assert result["status"] == [
        {
            "statusPurpose": "revocation",
            "statusListIndex": str(published.award.status_index),
            "statusListCredential": published.status_url,
            "set": False,
        }
    ]

    # Without the document published for the DID, the same credential cannot verify: the
    # result above rests on what the platform serves at the did:web address.
    unresolved = node_stack.verify(
        published.credential,
        seeds={published.status_url: json.loads(published.status_file.read_text("utf-8"))},
    )
    assert unresolved["verified"] is False
    assert published.did in unresolved["error"], unresolved


def test_revocation_on_the_platform_shows_in_both_verifiers(node_stack, published):
    from baeji.awards.services import award_revoke

    award_revoke(award=published.award, reason="발급 오류")
    published.status_file.write_bytes(download(published.status_url)[0])

    code, report = baeji_verify(published, published.credential_file)
    status = checks_by_name(report)["status"]
    assert code == 1
    assert report["valid"] is False
    assert status["status"] == "fail"
    assert "revoked" in status["message"]

    result = js_verify(node_stack, published)
    # The status list library reports the bit and leaves the decision to its caller: the
    # re-signed list itself still verifies, and the credential's bit is now set.
    assert result["verified"] is True, result
    assert [entry["set"] for entry in result["status"]] == [True], result


def test_baked_png_from_the_platform_verifies(node_stack, published):
    code, report = baeji_verify(published, published.png_file)
    checks = checks_by_name(report)
    assert code == 0, report
    assert report["valid"] is True
    assert checks["proof"]["status"] == "pass"
    assert checks["issuer"]["status"] == "pass"
    assert checks["status"]["status"] == "pass"

    # The image carries exactly the signed credential (Open Badges 3.0 §5.3.1 baking) ...
    baked = png_itxt(published.png_file.read_bytes(), "openbadgecredential")
    assert json.loads(baked) == published.credential
    # ... so the independent stack verifies what it carries too.
    assert js_verify(node_stack, published, json.loads(baked))["verified"] is True
