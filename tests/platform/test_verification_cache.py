"""The public credential page is cached, and still shows every change at once."""

from __future__ import annotations

import pytest

from baeji.awards.services import award_issue, award_reinstate, award_revoke, award_suspend
from baeji.keystore.models import SigningKey
from baeji.keystore.services import signing_key_revoke, signing_key_rotate
from baeji.verification.selectors import verify_award
from tests.platform.conftest import make_public


@pytest.fixture
def award(world, swim_badge):
    return award_issue(
        achievement=swim_badge,
        recipient_email="a@example.com",
        recipient_name="이서연",
        narrative="기록 42초",
        notify=False,
    )


def _page(client, award, **headers):
    response = client.get(f"/c/{award.public_id}", **headers)
    assert response.status_code == 200
    return response


def test_a_cached_page_costs_one_light_query(client, award, django_assert_max_num_queries):
    first = _page(client, award)
    with django_assert_max_num_queries(1):
        second = _page(client, award)
    # The same page (the header's CSRF token aside, which is masked anew on each response).
    assert second.content.split(b"<main")[1] == first.content.split(b"<main")[1]
    assert second.context["report"].valid


def test_revocation_shows_on_the_next_request(client, world, award):
    assert _page(client, award).context["report"].valid
    assert _page(client, award).context["report"].valid  # now from the cache
    award_revoke(award=award, reason="부정 행위", by=world.owner)
    page = _page(client, award)
    assert not page.context["report"].valid
    body = page.content.decode()
    assert "부정 행위" in body and 'class="status bad"' in body
    assert 'class="status ok"' not in body


def test_suspension_and_reinstatement_show_at_once(client, world, award):
    assert _page(client, award).context["report"].valid
    award_suspend(award=award, reason="확인 중", by=world.owner)
    assert not _page(client, award).context["report"].valid
    award_reinstate(award=award, by=world.owner)
    page = _page(client, award)
    assert page.context["report"].valid
    assert 'class="status ok"' in page.content.decode()


def test_a_revoked_signing_key_shows_at_once(client, world, award):
    assert verify_award(award).valid
    assert _page(client, award).context["report"].valid
    key = SigningKey.objects.get(organization=world.school)
    signing_key_rotate(organization=world.school)
    signing_key_revoke(key=SigningKey.objects.get(pk=key.pk), by=world.owner, reason="leaked")
    assert not verify_award(award).valid
    assert not _page(client, award).context["report"].valid


def test_each_language_has_its_own_cached_page(client, award):
    korean = _page(client, award, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    english = _page(client, award, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "검증됨" in korean and "Verified" not in korean
    assert "Verified" in english and "검증됨" not in english


def test_json_is_the_stored_text_and_unknown_ids_are_404(client, award):
    response = client.get(f"/c/{award.public_id}", HTTP_ACCEPT="application/ld+json")
    assert response.content.decode() == award.credential_json
    assert client.get("/c/nope").status_code == 404
    assert client.get("/c/nope", HTTP_ACCEPT="application/ld+json").status_code == 404


def test_an_erased_recipient_disappears_at_once(client, award):
    from baeji.awards.models import Award

    make_public(award)
    assert "이서연" in _page(client, award).content.decode()
    # A bulk update, as account deletion does it: the row's change time stays as it was.
    Award.objects.filter(pk=award.pk).update(recipient_name="(삭제됨)", recipient_email="")
    body = _page(client, award).content.decode()
    assert "이서연" not in body and "(삭제됨)" in body


def test_the_recipient_is_named_only_when_the_learner_made_the_badge_public(client, award):
    body = _page(client, award).content.decode()
    assert "이서연" not in body  # unclaimed badges are private by default
    make_public(award)
    assert "이서연" in _page(client, award).content.decode()


def test_a_child_is_not_named_before_a_guardians_consent(client, award):
    from django.utils import timezone

    make_public(award, birth_year=timezone.localdate().year - 9)
    body = _page(client, award).content.decode()
    assert "이서연" not in body
    assert _page(client, award).context["report"].valid  # verification itself is unaffected
