"""Refusals that come from the award services reach learners in their language."""

from __future__ import annotations

import pytest
from django.utils import translation

from baeji.achievements.models import Achievement
from baeji.awards.models import Award
from baeji.awards.services import award_issue_pending


def test_a_code_of_an_archived_badge_is_refused_in_korean(client, world, swim_badge):
    pending = award_issue_pending(achievement=swim_badge, recipient_name="최유나")
    Achievement.objects.filter(pk=swim_badge.pk).update(archived=True)
    client.force_login(world.outsider)
    html = client.post("/claim-code", {"code": pending.claim_code}).content.decode()
    assert "보관된 배지라 더 이상 발급할 수 없습니다." in html
    assert "This badge is archived" not in html
    assert not Award.objects.exists()


def test_a_code_used_meanwhile_is_refused_in_korean(world, swim_badge, monkeypatch):
    """The code was redeemed between the page's check and the signing (two phones at once)."""
    from baeji.claims import selectors
    from baeji.claims.services import ClaimError, code_redeem

    pending = award_issue_pending(achievement=swim_badge, recipient_name="최유나")
    from baeji.awards.services import award_claim_pending

    award_claim_pending(code=pending.claim_code, email="first@example.kr")
    pending.award_id = None  # what the first look saw, before the other phone's claim
    pending.claimed_at = None
    monkeypatch.setattr(selectors, "pending_for_code", lambda code: pending)
    with translation.override("ko"), pytest.raises(ClaimError) as raised:
        code_redeem(code=pending.claim_code, user=world.outsider)
    assert str(raised.value) == "이미 사용된 코드입니다."
    assert Award.objects.count() == 1
