"""Claiming (accept / decline) and one backpack for every confirmed address."""

from __future__ import annotations

import re

from django.core import mail

from baeji.backpack.models import BackpackDecision
from baeji.backpack.selectors import decision_for, declined_award_ids

from .conftest import claim_path, issue


def test_claim_shows_badge_and_accept_signs_in(client, world, swim_badge):
    award = issue(swim_badge, "Minjun@Learners.example")
    path = claim_path(award)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "수영 1단계" in html and 'value="accept"' in html and 'value="decline"' in html
    assert not BackpackDecision.objects.exists()  # a link scanner's GET changes nothing

    response = client.post(path, {"action": "accept"})
    # First sign-in asks the birth year (guardian consent for under-14s), then the backpack.
    assert response.status_code == 302
    assert response["Location"] == "/me/age?next=%2Fme%2Fbadges"
    page = client.get("/me/badges")
    assert f"/me/badges/a/{award.public_id}" in page.content.decode()
    assert decision_for(award) == "accepted"
    assert page.context["user"].email == "minjun@learners.example"


def test_decline_hides_badge_and_issuer_sees_declined(client, world, swim_badge):
    kept = issue(swim_badge, "minjun@learners.example")
    declined = issue(swim_badge, "minjun@learners.example")
    client.post(claim_path(declined), {"action": "decline"})
    page = client.get("/me/badges").content.decode()
    assert declined.public_id not in page
    assert kept.public_id in page  # the other badge to the same address joined, undecided
    assert decision_for(declined) == "declined"
    assert decision_for(kept) == "pending"
    assert declined_award_ids(world.school) == {declined.pk}
    assert declined_award_ids(world.sibling) == set()
    # The learner can still find it, and the credential itself is untouched.
    assert declined.public_id in client.get("/me/badges?declined=1").content.decode()
    assert client.get(f"/c/{declined.public_id}.json").status_code == 200
    # A declined badge cannot be made public; accepting it again brings it back.
    client.post(f"/me/badges/a/{declined.public_id}", {"action": "public"})
    assert not BackpackDecision.objects.get(award=declined).is_public
    client.post(f"/me/badges/a/{declined.public_id}", {"action": "accepted"})
    assert declined.public_id in client.get("/me/badges").content.decode()
    assert declined_award_ids(world.school) == set()


def test_badges_to_two_addresses_merge_after_confirmation(client, world, swim_badge, learner):
    first = issue(swim_badge, "minjun@learners.example")
    before = issue(swim_badge, "mj.kim@school.example")
    client.force_login(learner)
    page = client.get("/me/badges").content.decode()
    assert first.public_id in page and before.public_id not in page

    mail.outbox.clear()
    response = client.post("/accounts/email/", {"action_add": "", "email": "MJ.Kim@school.example"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.to == ["mj.kim@school.example"]
    confirm = re.search(r"/accounts/confirm-email/[^/\s]+/", message.body).group(0)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and confirm in html and "배지함" in html
    # Added but not confirmed: still not in the backpack.
    assert before.public_id not in client.get("/me/badges").content.decode()

    assert client.post(confirm).status_code == 302
    after = issue(swim_badge, "mj.kim@SCHOOL.example")
    page = client.get("/me/badges").content.decode()
    assert first.public_id in page and before.public_id in page and after.public_id in page
    assert client.get(f"/me/badges/a/{after.public_id}").status_code == 200
    # Another learner's address is never matched.
    stranger = issue(swim_badge, "someone@else.example")
    assert stranger.public_id not in client.get("/me/badges").content.decode()
    assert client.get(f"/me/badges/a/{stranger.public_id}").status_code == 404


def test_account_page_lists_addresses(client, world, learner):
    client.force_login(learner)
    page = client.get("/me/account")
    assert page.status_code == 200
    assert "minjun@learners.example" in page.content.decode()
    assert "/accounts/email/" in page.content.decode()
    client.logout()
    assert client.get("/me/account").status_code == 302
