"""Award → e-mail (text and HTML) → claim link signs in → my badges; revoke → status list."""

from __future__ import annotations

import json
import re

from django.core import mail

from baeji.awards.models import Award, StatusList
from baeji.awards.services import award_issue
from baeji.credentials.status import StatusList as Bits
from tests.platform.conftest import make_public


def _issue(client, world, badge, django_capture_on_commit_callbacks):
    client.force_login(world.member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/manage/badges/{badge.public_id}",
            {
                "action": "award",
                "recipient_name": "김민준",
                "recipient_email": "Minjun@Learners.example",
                "evidence_url": "https://example.org/evidence/1",
                "narrative": "25m를 **42초**에 헤엄쳤습니다.",
                "result": "42초",
            },
        )
    assert response.status_code == 302
    return Award.objects.get()


def test_award_email_claim_and_my_badges(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    award = _issue(client, world, swim_badge, django_capture_on_commit_callbacks)
    assert award.recipient_email == "minjun@learners.example"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["minjun@learners.example"]
    assert "수영 1단계" in message.subject
    credential_url = f"https://badges.example.org/c/{award.public_id}"
    assert credential_url in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert credential_url in html and "<a href=" in html
    claim = re.search(r"https://badges\.example\.org(/claim/\S+)", message.body).group(1)
    assert claim in html

    client.logout()
    assert client.get(claim).status_code == 200  # a confirm page: link scanners don't claim
    response = client.post(claim)
    # First sign-in asks the birth year (guardian consent for under-14s), then the backpack.
    assert response.status_code == 302
    assert response["Location"] == "/me/age?next=%2Fme%2Fbadges"
    page = client.get("/me/badges")
    assert page.status_code == 200
    assert f"/c/{award.public_id}" in page.content.decode()
    assert page.context["user"].email == "minjun@learners.example"
    assert client.post(claim)["Location"] == "/me/badges"  # the owner: no harm
    client.logout()
    assert client.post(claim).status_code == 400  # claimed links do not sign in again


def test_tampered_claim_link_is_refused(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    _issue(client, world, swim_badge, django_capture_on_commit_callbacks)
    claim = re.search(r"(/claim/\S+)", mail.outbox[0].body).group(1)
    client.logout()
    assert client.post(claim + "x").status_code == 400
    assert client.get("/me/badges").status_code == 302


def test_public_page_verifies_then_shows_revocation(
    client, world, swim_badge, django_capture_on_commit_callbacks
):
    award = _issue(client, world, swim_badge, django_capture_on_commit_callbacks)
    client.logout()
    make_public(award)  # the learner shares it; the page then names them
    page = client.get(f"/c/{award.public_id}")
    assert page.status_code == 200
    assert page.context["report"].valid, page.context["report"].to_dict()
    body = page.content.decode()
    assert "김민준" in body and "수영 1단계" in body and "linkedin.com/profile/add" in body
    assert "<svg" in body  # the QR code

    status_url = json.loads(award.credential_json)["credentialStatus"]["statusListCredential"]
    path = status_url.removeprefix("https://badges.example.org")
    before = json.loads(client.get(path).content)

    client.force_login(world.owner)
    response = client.post(
        f"/manage/awards/{award.public_id}", {"action": "revoke", "reason": "부정 행위"}
    )
    assert response.status_code == 302
    client.logout()

    after_response = client.get(path)
    assert after_response["Cache-Control"].startswith("public")
    after = json.loads(after_response.content)
    assert after["proof"] != before["proof"]
    bits = Bits.decode(after["credentialSubject"]["encodedList"])
    assert bits.get(award.status_index) is True
    assert Bits.decode(before["credentialSubject"]["encodedList"]).get(award.status_index) is False

    page = client.get(f"/c/{award.public_id}")
    assert not page.context["report"].valid
    assert "부정 행위" in page.content.decode()


def test_suspend_and_reinstate_flip_the_bit(world, swim_badge):
    from baeji.awards.services import award_reinstate, award_suspend

    award = award_issue(
        achievement=swim_badge,
        recipient_email="a@b.example",
        recipient_name="이서연",
        issued_by=world.member,
        notify=False,
    )
    award_suspend(award=award, reason="확인 중", by=world.member)
    status_list = StatusList.objects.get(pk=award.status_list_id)
    assert Bits.decode(status_list.encoded_list).get(award.status_index)
    award_reinstate(award=award, by=world.member)
    status_list.refresh_from_db()
    assert not Bits.decode(status_list.encoded_list).get(award.status_index)


def test_credential_content_negotiation_and_files(client, world, swim_badge):
    award = award_issue(
        achievement=swim_badge,
        recipient_email="a@b.example",
        recipient_name="이서연",
        issued_by=world.member,
        notify=False,
    )
    for accept in ("application/ld+json", "application/vc+ld+json"):
        response = client.get(f"/c/{award.public_id}", HTTP_ACCEPT=accept)
        assert response["Content-Type"].startswith(accept)
        assert response.content.decode() == award.credential_json
    html = client.get(f"/c/{award.public_id}", HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert html["Content-Type"].startswith("text/html")
    assert client.get(f"/c/{award.public_id}.json").content.decode() == award.credential_json

    from baeji.credentials.bake import unbake

    png = client.get(f"/c/{award.public_id}.png")
    assert png["Content-Type"] == "image/png"
    assert json.loads(unbake(png.content).value)["id"] == json.loads(award.credential_json)["id"]
    svg = client.get(f"/c/{award.public_id}.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert unbake(svg.content).value


def test_credential_is_stored_exactly_as_signed(world, swim_badge):
    award = award_issue(
        achievement=swim_badge,
        recipient_email="a@b.example",
        recipient_name="이서연",
        issued_by=world.member,
        result="48초",
        notify=False,
    )
    document = json.loads(award.credential_json)
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert document["issuer"]["id"] == "did:web:badges.example.org:issuers:school"
    assert document["issuer"]["parentOrg"]["id"] == "did:web:badges.example.org:issuers:authority"
    assert document["credentialSubject"]["result"][0]["value"] == "48초"
    assert "a@b.example" not in award.credential_json  # the address is hashed
