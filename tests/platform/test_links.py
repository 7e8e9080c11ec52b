"""Public addresses built from cached route patterns equal what ``reverse`` builds."""

from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from baeji.core import links


def _outcome(call):
    try:
        return call()
    except NoReverseMatch:
        return NoReverseMatch


@pytest.mark.parametrize("value", ["AbC123_-x", "a", "with space", "한글", "a/b", "x?y#z"])
def test_every_address_matches_reverse(value):
    organization = SimpleNamespace(slug=value)
    thing = SimpleNamespace(public_id=value, organization=organization)
    cases = [
        (links.credential_url, thing, "credential", 1),
        (links.badge_url, thing, "badge", 1),
        (links.badge_image_url, thing, "badge-image", 1),
        (links.issuer_url, organization, "issuer", 1),
        (links.did_document_url, organization, "did-document", 1),
        (links.status_list_url, thing, "status-list", 2),
    ]
    for function, argument, name, count in cases:
        expected = _outcome(lambda: links.absolute(reverse(name, args=[value] * count)))  # noqa: B023
        assert _outcome(lambda: function(argument)) == expected, name  # noqa: B023


def test_plain_ids_take_the_cached_pattern_and_follow_the_base_url():
    thing = SimpleNamespace(public_id="abc")
    with override_settings(BASE_URL="https://badges.example.kr"):
        assert links.credential_url(thing) == "https://badges.example.kr/c/abc"
    assert links._pattern.cache_info().currsize > 0
