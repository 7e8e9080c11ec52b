"""Claim rate limits count in the database: every process shares the count, no cache needed."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, connections
from django.test import RequestFactory

from baeji.claims import ratelimit
from baeji.claims.models import RateCounter
from baeji.claims.services import rate_counters_purge
from baeji.schedule.services import duties_tick

# The start of a 600-second window (windows are aligned on multiples of their length).
T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def _request(ip: str = "203.0.113.7"):
    request = RequestFactory().post("/claim/", REMOTE_ADDR=ip)
    request.session = SessionStore()
    return request


@pytest.fixture
def limits(settings):
    settings.BAEJI_CLAIM_RATE_WINDOW = 600
    settings.BAEJI_CLAIM_RATE_PER_IP = 5
    settings.BAEJI_CLAIM_RATE_PER_SESSION = 3
    return settings


@pytest.mark.django_db
def test_clearing_the_process_cache_does_not_reset_the_count(limits):
    request = _request()
    assert [ratelimit.allow(request, "code", now=T0) for _ in range(3)] == [True] * 3
    cache.clear()  # what another process (or a restarted one) would start from
    assert ratelimit.allow(request, "code", now=T0) is False
    session_counter = RateCounter.objects.get(key__startswith="code:s:")
    assert session_counter.count == 3  # hits over the limit are not counted
    assert session_counter.window_start == T0
    assert session_counter.expires_at == T0 + timedelta(seconds=600)


@pytest.mark.django_db
def test_the_address_limit_holds_across_sessions_and_scopes_are_separate(limits):
    hits = [ratelimit.allow(_request(), "join", now=T0) for _ in range(6)]
    assert hits == [True] * 5 + [False]
    assert ratelimit.allow(_request("198.51.100.1"), "join", now=T0) is True
    assert ratelimit.allow(_request(), "code", now=T0) is True


@pytest.mark.django_db
def test_counters_name_neither_the_address_nor_the_session(limits):
    request = _request("203.0.113.7")
    ratelimit.allow(request, "code", now=T0)
    keys = list(RateCounter.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not [key for key in keys if "203.0.113" in key or request.session.session_key in key]


@pytest.mark.django_db
def test_the_window_expires_and_the_duty_purges_old_counters(
    limits, settings, django_capture_on_commit_callbacks
):
    request = _request()
    assert [ratelimit.allow(request, "code", now=T0 + timedelta(seconds=s)) for s in (0, 1, 2)]
    assert ratelimit.allow(request, "code", now=T0 + timedelta(seconds=599)) is False
    # The next window starts afresh.
    assert ratelimit.allow(request, "code", now=T0 + timedelta(seconds=600)) is True
    assert RateCounter.objects.count() == 4  # address and session, two windows each
    assert rate_counters_purge(now=T0 + timedelta(seconds=599)) == 0
    assert rate_counters_purge(now=T0 + timedelta(seconds=600)) == 2
    assert set(RateCounter.objects.values_list("window_start", flat=True)) == {
        T0 + timedelta(seconds=600)
    }
    # The periodic duty does the same with the real clock: T0 + 1200 s is long past.
    with django_capture_on_commit_callbacks(execute=True):
        assert "ratelimit-purge" in duties_tick()
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
def test_the_claim_form_answers_429_after_the_limit_whatever_the_cache(client, limits):
    for _ in range(3):
        assert client.post("/claim-code", {"code": "AAAAAAAAA2"}).status_code == 200
        cache.clear()
    assert client.post("/claim-code", {"code": "AAAAAAAAA2"}).status_code == 429


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_many_processes_hitting_at_once_let_exactly_the_limit_through(limits):
    """Twelve connections, each its own session, hit the same address's counter at once,
    starting in a window with no row yet (so the first hits race to insert it)."""
    limits.BAEJI_CLAIM_RATE_PER_IP = 20
    limits.BAEJI_CLAIM_RATE_PER_SESSION = 100
    barrier = threading.Barrier(12)
    results: list = [None] * 12

    def hammer(index: int) -> None:
        try:
            request = _request()
            request.session.save()
            barrier.wait()
            results[index] = [ratelimit.allow(request, "join", now=T0) for _ in range(5)]
        except BaseException as error:  # reported below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, BaseException)], results
    allowed = sum(hit for hits in results for hit in hits)
    assert allowed == 20
    counter = RateCounter.objects.get(key__startswith="join:ip:")
    assert counter.count == 20
