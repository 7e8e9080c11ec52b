"""The platform world (owner, member, outsider, sibling) for the API tests."""

import pytest
from django.core.cache import cache

from tests.platform.conftest import _platform_settings, make_user, swim_badge, world  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


def api_secret(platform, *, award=True, read=True, organization=None) -> str:
    """A new API token's secret for ``organization`` (default: the school) of the ``platform``
    world, made by its owner."""
    from baeji.api.services import api_token_create

    _token, secret = api_token_create(
        organization=organization or platform.school,
        name="학사 시스템",
        can_award=award,
        can_read=read,
        by=platform.owner,
    )
    return secret
