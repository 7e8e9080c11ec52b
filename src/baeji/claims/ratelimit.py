"""A small fixed-window rate limit for the public claim forms, counted in the database.

Every web process on every machine counts in the same rows (``RateCounter``, written by
:func:`baeji.claims.services.rate_counter_hit`), so the
limits hold however many gunicorn workers serve the forms, with no cache service to run. A
counter is one row per key and window (windows are aligned on multiples of the window length
since the epoch). A hit is one conditional ``UPDATE ... SET count = count + 1 WHERE count <
limit``: the database applies concurrent updates to a row one at a time, so no hit is lost and
no more than ``limit`` are let through. The first hit of a window inserts the row; when two
processes insert it at once, the unique constraint refuses one and that one updates instead.

Keys hold a keyed hash of the client address or session key, not the values themselves, and
the ``ratelimit-purge`` periodic duty deletes the counters of windows that are over.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from baeji.claims.services import rate_counter_hit

# Attempts per address and window when BAEJI_CLAIM_RATE_PER_IP is unset, by form.
PER_IP = {"join": 300, "code": 60}


def window_start(now: datetime, window: int) -> datetime:
    """The start of the ``window``-second window holding ``now``."""
    seconds = int(now.timestamp()) // window * window
    return datetime.fromtimestamp(seconds, tz=UTC)


def _key(scope: str, kind: str, value: str) -> str:
    digest = salted_hmac("baeji.claims.ratelimit", value, algorithm="sha256").hexdigest()
    return f"{scope}:{kind}:{digest[:40]}"


def client_ip(request) -> str:
    """The client address (REMOTE_ADDR; a proxy in front must set it, e.g. gunicorn's
    forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def allow(request, scope: str, *, now: datetime | None = None) -> bool:
    """Count one attempt at ``scope`` by this client and session; False once over a limit.

    Limits (attempts per window) come from ``BAEJI_CLAIM_RATE_PER_IP`` and
    ``BAEJI_CLAIM_RATE_PER_SESSION`` (default 10) over ``BAEJI_CLAIM_RATE_WINDOW`` seconds
    (default 600). Unset, the per-address limit depends on the form: a whole school joins a
    campaign from one address in the same few minutes (300), while claim codes are typed by
    one learner at a time (60), and a session is always one browser.
    """
    now = now or timezone.now()
    window = max(int(getattr(settings, "BAEJI_CLAIM_RATE_WINDOW", 600)), 1)
    per_ip = int(getattr(settings, "BAEJI_CLAIM_RATE_PER_IP", None) or PER_IP.get(scope, 60))
    per_session = int(getattr(settings, "BAEJI_CLAIM_RATE_PER_SESSION", 10))
    if not request.session.session_key:
        request.session.save()
    ip_key = _key(scope, "ip", client_ip(request))
    session_key = _key(scope, "s", request.session.session_key)
    ok_ip = rate_counter_hit(key=ip_key, limit=per_ip, window=window, now=now)
    ok_session = rate_counter_hit(key=session_key, limit=per_session, window=window, now=now)
    return ok_ip and ok_session
