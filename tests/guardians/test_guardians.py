"""Minors and guardians through HTTP: the age step, the consent e-mail (text and HTML, Korean
and English), consent and its withdrawal, the guardian's read-only pages, access, award copies."""

from __future__ import annotations

import pytest
from django.core import mail
from django.http import Http404
from django.test import TestCase

from baeji.guardians.models import ConsentRecord, Guardianship, LearnerAge
from baeji.guardians.selectors import (
    guardian_recipients_for,
    is_under_consent_age,
    may_share,
)
from tests.guardians.conftest import (
    award,
    consent_link,
    give_consent,
    make_user,
    request_consent,
    set_age,
)

pytestmark = pytest.mark.django_db
CHILD_YEAR = 2016  # under 14 for years to come
ADULT_YEAR = 1990


def test_cautious_age_reading():
    from datetime import date

    today = date(2026, 11, 26)
    assert is_under_consent_age(2012, today=today)  # 13 or 14: asked
    assert not is_under_consent_age(2011, today=today)  # surely 14 or 15
    assert is_under_consent_age(2020, today=today)


def test_age_step_is_asked_once_and_sends_children_to_the_guardian_step(client, child):
    client.force_login(child)
    page = client.get("/me/age")
    assert page.status_code == 200 and 'name="birth_year"' in page.content.decode()
    assert not may_share(child)  # unknown age: nothing is shared

    for bad in ["", "abc", "1850", "3000"]:
        response = client.post("/me/age", {"birth_year": bad})
        assert response.status_code == 400
        assert 'class="message error"' in response.content.decode()
    assert not LearnerAge.objects.filter(user=child).exists()

    response = client.post("/me/age", {"birth_year": str(CHILD_YEAR)})
    assert response.status_code == 302 and response["Location"] == "/me/guardian"
    assert LearnerAge.objects.get(user=child).birth_year == CHILD_YEAR
    assert not may_share(child)

    # A second, different answer changes nothing (it would step around the consent).
    response = client.post("/me/age", {"birth_year": str(ADULT_YEAR)})
    assert response.status_code == 200
    assert LearnerAge.objects.get(user=child).birth_year == CHILD_YEAR
    assert str(CHILD_YEAR) in response.content.decode()


def test_an_adult_needs_no_guardian(client, child):
    client.force_login(child)
    response = client.post("/me/age?next=/me/growth", {"birth_year": str(ADULT_YEAR)})
    assert response.status_code == 302 and response["Location"] == "/me/growth"
    assert may_share(child)
    page = client.get("/me/guardian").content.decode()
    assert 'name="guardian_email"' not in page
    # An open redirect is refused.
    other = make_user("adult2@example.com")
    client.force_login(other)
    response = client.post("/me/age?next=https://evil.example/", {"birth_year": "1985"})
    assert response["Location"] == "/me/badges"


@pytest.mark.parametrize(
    ("language", "subject_words", "body_words"),
    [
        ("ko", ["동의"], ["수집", "개인정보 보호법", "철회"]),
        ("en", ["consent"], ["collects", "Personal Information Protection Act", "withdraw"]),
    ],
)
def test_consent_email_in_text_and_html(
    client, child, guardian_email, language, subject_words, body_words
):
    set_age(client, child, CHILD_YEAR)
    message = request_consent(client, child, guardian_email, language=language)
    assert message.to == [guardian_email]
    for word in subject_words:
        assert word in message.subject
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    path = consent_link(message)
    assert path in html
    for word in body_words:
        assert word in message.body, word
        assert word in html, word
    assert "김하늘" in message.body and "김하늘" in html
    assert "2026-11-v1" in message.body and "2026-11-v1" in html
    assert html.lstrip().startswith("<!doctype html>") and f'lang="{language}"' in html


def test_bad_guardian_addresses_are_refused(client, child):
    set_age(client, child, CHILD_YEAR)
    for bad in ["", "not-an-address", child.email, child.email.upper()]:
        response = client.post("/me/guardian", {"guardian_email": bad})
        assert response.status_code == 400, bad
        assert 'class="message error"' in response.content.decode()
    assert not Guardianship.objects.exists()
    assert not mail.outbox


def test_consent_is_recorded_with_who_when_version_and_ip(client, child, guardian_email):
    set_age(client, child, CHILD_YEAR)
    message = request_consent(client, child, guardian_email)
    path = consent_link(message)

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "김하늘" in text and 'value="grant"' in text and 'value="decline"' in text

    # Consenting needs the box ticked; nothing changes without it.
    response = client.post(path, {"answer": "grant"})
    assert response.status_code == 400
    assert Guardianship.objects.get().status == "pending"
    assert not ConsentRecord.objects.exists()

    guardian = give_consent(client, message)
    link = Guardianship.objects.get()
    assert link.status == "consented" and link.guardian == guardian
    record = ConsentRecord.objects.get()
    assert record.action == "granted" and record.actor == guardian
    assert record.guardian_email == guardian_email
    assert record.text_version == "2026-11-v1"
    assert record.ip == "127.0.0.1"
    assert record.created_at is not None
    assert may_share(child)
    # The guardian is signed in and sees their family page.
    assert "김하늘" in client.get("/family/").content.decode()
    # The link worked once.
    assert client.get(path).status_code == 400


def test_the_child_cannot_answer_their_own_request(client, child, guardian_email):
    set_age(client, child, CHILD_YEAR)
    message = request_consent(client, child, guardian_email)
    response = client.post(consent_link(message), {"answer": "grant", "confirm": "on"})
    assert response.status_code == 403
    assert Guardianship.objects.get().status == "pending"
    assert not may_share(child)


def test_refusal_keeps_everything_private(client, child, guardian_email):
    set_age(client, child, CHILD_YEAR)
    message = request_consent(client, child, guardian_email)
    client.logout()
    response = client.post(consent_link(message), {"answer": "decline"})
    assert response.status_code == 302
    assert Guardianship.objects.get().status == "declined"
    assert ConsentRecord.objects.get().action == "declined"
    assert not may_share(child)


def test_withdrawal_stops_sharing_and_consent_can_be_given_again(client, child, guardian_email):
    set_age(client, child, CHILD_YEAR)
    guardian = give_consent(client, request_consent(client, child, guardian_email))
    child_id = LearnerAge.objects.get(user=child).public_id
    assert may_share(child)

    client.force_login(guardian)
    response = client.post(f"/family/{child_id}/consent", {"answer": "withdraw"})
    assert response.status_code == 302
    assert not may_share(child)
    assert Guardianship.objects.get().status == "withdrawn"

    # Giving it again needs the confirmation too.
    client.post(f"/family/{child_id}/consent", {"answer": "grant"})
    assert not may_share(child)
    client.post(f"/family/{child_id}/consent", {"answer": "grant", "confirm": "on"})
    assert may_share(child)
    actions = list(ConsentRecord.objects.values_list("action", flat=True))
    assert actions == ["granted", "withdrawn", "granted"]

    # The child's own page says where things stand.
    client.force_login(child)
    assert "status ok" in client.get("/me/guardian").content.decode()


@pytest.fixture
def family(client, child, guardian_email, badges):
    """A child with a badge and a guardian who consented; another family beside them."""
    set_age(client, child, CHILD_YEAR)
    award(badges["swim-1"], child)
    guardian = give_consent(client, request_consent(client, child, guardian_email))
    other_child = make_user("other-kid@example.com", first_name="이바다")
    set_age(client, other_child, CHILD_YEAR)
    other_guardian = give_consent(
        client, request_consent(client, other_child, "other-parent@example.net")
    )
    client.logout()
    return {
        "child": child,
        "child_id": LearnerAge.objects.get(user=child).public_id,
        "guardian": guardian,
        "other_guardian": other_guardian,
    }


def test_access_child_for_guardian(family, world):
    from baeji.core.access import access_child_for_guardian

    assert access_child_for_guardian(family["guardian"], family["child_id"]) == family["child"]
    for who in [family["other_guardian"], family["child"], world.outsider, world.owner]:
        with pytest.raises(Http404):
            access_child_for_guardian(who, family["child_id"])
    with pytest.raises(Http404):
        access_child_for_guardian(family["guardian"], "no-such-child")


@pytest.mark.parametrize("path", ["/family/{id}/", "/family/{id}/growth"])
def test_a_guardian_sees_only_their_own_child(client, family, world, path):
    url = path.format(id=family["child_id"])
    client.force_login(family["guardian"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "수영 1단계" in text and "김하늘" in text
    for who in [family["other_guardian"], family["child"], world.outsider]:
        client.force_login(who)
        assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_guardian_pages_are_read_only(client, family):
    client.force_login(family["guardian"])
    text = client.get(f"/family/{family['child_id']}/growth").content.decode()
    assert "/me/growth/record" not in text and "/me/growth/profile" not in text
    # Other guardians cannot change this family's settings.
    client.force_login(family["other_guardian"])
    assert (
        client.post(f"/family/{family['child_id']}/consent", {"answer": "withdraw"}).status_code
        == 404
    )
    assert client.post(f"/family/{family['child_id']}/emails", {"enabled": "on"}).status_code == 404
    assert may_share(family["child"])


def test_award_emails_reach_the_guardian_only_when_the_family_wants(client, family, badges):
    from baeji.guardians.messages import notify_guardians_of_award

    child = family["child"]
    assert guardian_recipients_for(child.email) == []
    client.force_login(family["guardian"])
    response = client.post(f"/family/{family['child_id']}/emails", {"enabled": "on"})
    assert response.status_code == 302
    assert guardian_recipients_for(child.email) == ["parent@example.net"]
    assert guardian_recipients_for(child.email.upper()) == ["parent@example.net"]
    assert guardian_recipients_for("nobody@example.com") == []

    new = award(badges["swim-2"], child)
    mail.outbox.clear()
    # The copy is a delivery of the emails app: queued here, sent once committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert notify_guardians_of_award(new) == 1
        assert mail.outbox == []
    message = mail.outbox[0]
    # The award e-mail task itself sends the copy too, right after the learner's own e-mail.
    from baeji.awards.models import Award
    from baeji.awards.services import award_notify

    Award.objects.filter(pk=new.pk).update(email_sent_at=None)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert award_notify(award_id=new.pk)
    assert ["parent@example.net"] in [m.to for m in mail.outbox]
    assert message.to == ["parent@example.net"]
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "수영 2단계" in body and f"/c/{new.public_id}" in body
        assert "/claim/" not in body  # the claim link would sign the guardian in as the child
        assert "/family/" in body

    client.post(f"/family/{family['child_id']}/emails", {})
    assert guardian_recipients_for(child.email) == []


def test_the_guardian_sees_badges_sent_to_the_childs_address(client, family, badges):
    from baeji.awards.services import award_issue

    unclaimed = award_issue(
        achievement=badges["talk"],
        recipient_email=family["child"].email,
        recipient_name="김하늘",
        notify=False,
    )
    assert unclaimed.recipient_id is None
    client.force_login(family["guardian"])
    for path in (f"/family/{family['child_id']}/", f"/family/{family['child_id']}/growth"):
        text = client.get(path).content.decode()
        assert "발표 경험" in text and f"/c/{unclaimed.public_id}" in text, path
