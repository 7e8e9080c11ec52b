"""The platform world (owner, member, outsider, sibling) for the claims tests."""

import pytest
from django.core.cache import cache

from tests.platform.conftest import _platform_settings, make_user, swim_badge, world  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test from an empty cache (rate-limit counters are in the database)."""
    cache.clear()
    yield
    cache.clear()
