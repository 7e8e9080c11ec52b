"""Fixtures for the backpack tests: the platform's world, an outside issuer with a did:key and
a status list we control, and a seeded fetcher standing in for the network."""

from __future__ import annotations

import copy
import io
import re

import pytest
from django.core import mail
from PIL import Image

from tests.credentials.conftest import Issuer
from tests.platform.conftest import _platform_settings, make_user, swim_badge, world  # noqa: F401


@pytest.fixture(scope="session")
def _outside_template() -> Issuer:
    return Issuer()


@pytest.fixture
def outside(_outside_template, monkeypatch) -> Issuer:
    """An issuer elsewhere; its fetcher is what imports are verified with (no network)."""
    issuer = copy.deepcopy(_outside_template)
    monkeypatch.setattr("baeji.backpack.verifying.new_fetcher", lambda: issuer.fetcher)
    return issuer


@pytest.fixture
def png_image() -> bytes:
    """A small plain PNG to bake credentials into."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "#1f5fad").save(buffer, "PNG")
    return buffer.getvalue()


SVG_IMAGE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
    b'<circle cx="16" cy="16" r="15" fill="#1f5fad"/></svg>'
)


@pytest.fixture
def learner(db):
    """An adult learner account with one confirmed address (birth year answered)."""
    from baeji.guardians.services import learner_age_set

    user = make_user("minjun@learners.example")
    learner_age_set(user=user, birth_year=1990)
    return user


def issue(badge, email: str, name: str = "김민준", **extra):
    """Issue ``badge`` through the awards service (the e-mail is queued and sent at once)."""
    from baeji.awards.services import award_issue

    return award_issue(
        achievement=badge, recipient_email=email, recipient_name=name, notify=False, **extra
    )


def claim_path(award) -> str:
    """The path of the claim link the award e-mail carries."""
    from baeji.accounts.claims import claim_url

    return re.sub(r"^https://badges\.example\.org", "", claim_url(award))


def last_mail_link(pattern: str) -> str:
    """The first path matching ``pattern`` in the last e-mail's text."""
    return re.search(pattern, mail.outbox[-1].body).group(0)
