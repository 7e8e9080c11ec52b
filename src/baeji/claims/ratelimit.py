"""A small fixed-window rate limit on Django's cache, for the public claim forms.

Counting uses ``cache.add`` then ``cache.incr`` so concurrent requests in one cache never
lose a hit. With the default per-process memory cache each worker counts on its own; an
installation with several workers should configure a shared cache (database or Redis).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _hit(key: str, limit: int, window: int) -> bool:
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    """The client address (REMOTE_ADDR; a proxy in front must set it, e.g. gunicorn's
    forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def allow(request, scope: str) -> bool:
    """Count one attempt at ``scope`` by this client and session; False once over a limit.

    Limits (attempts per window) come from ``BAEJI_CLAIM_RATE_PER_IP`` (default 30) and
    ``BAEJI_CLAIM_RATE_PER_SESSION`` (default 10) over ``BAEJI_CLAIM_RATE_WINDOW`` seconds
    (default 600): a classroom behind one address needs more room than one browser.
    """
    window = int(getattr(settings, "BAEJI_CLAIM_RATE_WINDOW", 600))
    per_ip = int(getattr(settings, "BAEJI_CLAIM_RATE_PER_IP", 30))
    per_session = int(getattr(settings, "BAEJI_CLAIM_RATE_PER_SESSION", 10))
    if not request.session.session_key:
        request.session.save()
    ok_ip = _hit(f"baeji-rl:{scope}:ip:{client_ip(request)}", per_ip, window)
    ok_session = _hit(f"baeji-rl:{scope}:s:{request.session.session_key}", per_session, window)
    return ok_ip and ok_session
