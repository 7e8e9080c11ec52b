"""Answering an award e-mail's link is all or nothing: if recording the answer fails, no
account is made and the award stays unclaimed, so the link still works."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from baeji.awards.models import Award

from .conftest import claim_path, issue


def test_a_failure_while_answering_leaves_the_award_unclaimed(
    client, world, swim_badge, monkeypatch
):
    award = issue(swim_badge, "minjun@learners.example", name="김민준")

    def broken(**_kwargs):
        raise RuntimeError("the backpack is unavailable")

    monkeypatch.setattr("baeji.backpack.services.decision_set", broken)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(claim_path(award), {"action": "accept"})
    award.refresh_from_db()
    assert award.recipient_id is None and award.claimed_at is None
    assert not get_user_model().objects.filter(email="minjun@learners.example").exists()

    monkeypatch.undo()
    response = client.post(claim_path(award), {"action": "accept"})
    assert response.status_code == 302
    assert Award.objects.get(pk=award.pk).claimed_at is not None
