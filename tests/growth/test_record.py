"""The portable record: a signed CLR 2.0 download that `baeji verify` accepts (with --resolve
for the DID documents and status lists), whose inner credentials verify on their own, and
which a child under 14 gets only while a guardian's consent stands."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from baeji.cli import main
from baeji.credentials.fetch import Fetcher
from baeji.credentials.keys import did_web_url
from baeji.credentials.verify import verify
from tests.guardians.conftest import award, give_consent, request_consent, set_age

pytestmark = pytest.mark.django_db
ADULT_YEAR = 1990
CHILD_YEAR = 2016


@pytest.fixture
def holder(client, child, badges):
    """An adult learner with swimming 1, 2 and 3, a talk badge and two named levels."""
    set_age(client, child, ADULT_YEAR)
    slugs = ["swim-2", "swim-1", "swim-3", "talk", "area1-1", "area1-2"]
    return [award(badges[s], child, days_ago=300 - 30 * n) for n, s in enumerate(slugs)]


def _download(client, ids) -> tuple[int, dict | str]:
    response = client.post("/me/growth/record", {"awards": ids})
    if response.status_code != 200:
        return response.status_code, response.content.decode()
    assert response["Content-Disposition"].startswith('attachment; filename="baeji-record-')
    return 200, json.loads(response.content)


def _resolve_files(client, record: dict, tmp_path) -> list[str]:
    """--resolve arguments: every DID document and status list the record points at, fetched
    from the platform's own public URLs."""
    dids = {record["proof"]["verificationMethod"].split("#")[0]}
    status_urls = set()
    for inner in record["credentialSubject"]["verifiableCredential"]:
        dids.add(inner["proof"]["verificationMethod"].split("#")[0])
        status_urls.add(inner["credentialStatus"]["statusListCredential"])
    args = []
    for n, url in enumerate(sorted(status_urls) + sorted(dids)):
        fetch = did_web_url(url) if url.startswith("did:web:") else url
        response = client.get(urlsplit(fetch).path, HTTP_ACCEPT="application/ld+json")
        assert response.status_code == 200, fetch
        path = tmp_path / f"doc-{n}.json"
        path.write_bytes(response.content)
        args += ["--resolve", f"{url}={path}"]
    return args


def test_the_record_verifies_with_baeji_verify(client, child, holder, tmp_path, capsys):
    client.force_login(child)
    page = client.get("/me/growth/record")
    assert page.status_code == 200
    assert page.content.decode().count('name="awards"') == len(holder)

    status, record = _download(client, [a.public_id for a in holder])
    assert status == 200
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["issuer"]["id"].endswith(":issuers:baeji-platform")
    assert record["partial"] is False
    inner = record["credentialSubject"]["verifiableCredential"]
    # Verbatim: exactly the stored credential JSON of each award, oldest first.
    by_id = {a.public_id: json.loads(a.credential_json) for a in holder}
    assert inner == [by_id[a.public_id] for a in sorted(holder, key=lambda a: a.issued_at)]

    # precedes links between consecutive levels of each family.
    names = {
        c["credentialSubject"]["achievement"]["id"]: c["credentialSubject"]["achievement"]["name"]
        for c in inner
    }
    links = {
        (names[a["sourceId"]], names[a["targetId"]])
        for a in record["credentialSubject"]["association"]
    }
    assert all(
        a["associationType"] == "precedes" for a in record["credentialSubject"]["association"]
    )
    assert links == {
        ("수영 1단계", "수영 2단계"),
        ("수영 2단계", "수영 3단계"),
        ("AI 이해 기초", "AI 이해 활용"),
    }

    path = tmp_path / "record.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    resolve = _resolve_files(client, record, tmp_path)
    capsys.readouterr()
    assert main(["verify", str(path), *resolve]) == 0
    out = capsys.readouterr().out
    assert "inner credentials" in out and "VALID" in out and "NOT VALID" not in out

    # Each inner credential still verifies on its own.
    fetcher = Fetcher(offline=True)
    for arg in resolve[1::2]:
        url, _, file = arg.partition("=")
        key = did_web_url(url) if url.startswith("did:web:") else url
        fetcher.seed(key, Path(file).read_bytes())
    for credential in inner:
        report = verify(credential, fetcher=fetcher)
        assert report.valid, report.to_dict()

    # A changed inner credential breaks the record.
    record["credentialSubject"]["verifiableCredential"][0]["name"] = "위조"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    assert main(["verify", str(path), *resolve]) != 0


def test_a_partial_record_and_bad_choices(client, child, holder, world, badges):
    from tests.platform.conftest import make_user

    client.force_login(child)
    status, record = _download(client, [holder[0].public_id])
    assert status == 200 and record["partial"] is True
    assert len(record["credentialSubject"]["verifiableCredential"]) == 1
    assert "association" not in record["credentialSubject"]

    someone = make_user("someone@example.com")
    theirs = award(badges["swim-1"], someone)
    for bad in ([], ["nope"], [theirs.public_id], [holder[0].public_id, theirs.public_id]):
        status, body = _download(client, bad)
        assert status == 400, bad
        assert 'class="message error"' in body


def test_a_child_exports_only_while_consent_stands(client, child, badges):
    from baeji.guardians.models import LearnerAge

    set_age(client, child, CHILD_YEAR)
    mine = award(badges["swim-1"], child)
    assert client.get("/me/growth/record").status_code == 403
    assert _download(client, [mine.public_id])[0] == 403

    guardian = give_consent(client, request_consent(client, child, "parent@example.net"))
    client.force_login(child)
    assert _download(client, [mine.public_id])[0] == 200

    client.force_login(guardian)
    child_id = LearnerAge.objects.get(user=child).public_id
    client.post(f"/family/{child_id}/consent", {"answer": "withdraw"})
    client.force_login(child)
    assert _download(client, [mine.public_id])[0] == 403


def test_unknown_age_blocks_the_export(client, child, badges):
    mine = award(badges["swim-1"], child)
    client.force_login(child)
    response = client.get("/me/growth/record")
    assert response.status_code == 403 and "/me/age" in response.content.decode()
    assert _download(client, [mine.public_id])[0] == 403
