"""Default claim limits leave room for a whole school behind one address joining a campaign,
while one browser still gets only a few tries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baeji.claims import ratelimit
from tests.claims.test_ratelimit_shared import _request

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def defaults(settings):
    for name in ("BAEJI_CLAIM_RATE_PER_IP", "BAEJI_CLAIM_RATE_PER_SESSION"):
        if hasattr(settings, name):
            delattr(settings, name)
    return settings


@pytest.mark.django_db
def test_two_hundred_pupils_behind_one_address_join_a_campaign(defaults):
    pupils = [_request("203.0.113.7") for _ in range(200)]
    assert all(ratelimit.allow(pupil, "join", now=T0) for pupil in pupils)


@pytest.mark.django_db
def test_one_browser_is_still_limited_and_codes_have_a_tighter_address_limit(defaults):
    browser = _request("203.0.113.7")
    tries = [ratelimit.allow(browser, "code", now=T0) for _ in range(11)]
    assert tries == [True] * 10 + [False]
    others = [ratelimit.allow(_request("203.0.113.7"), "code", now=T0) for _ in range(50)]
    # 60 per address: the browser's 11 tries count against it, the refused one too.
    assert others == [True] * 49 + [False]
