"""access_batch_for_user for owner / member / outsider / sibling, and the assignment page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from baeji.bulk.models import AchievementAssignment, IntakePolicy
from baeji.bulk.services import batch_create
from baeji.core.access import access_batch_for_user

CSV = "name,email,achievement,issued_on\n김민준,minjun@example.kr,reading,2026-03-02\n".encode()


@pytest.fixture
def batch(world, badges):
    return batch_create(organization=world.school, filename="a.csv", data=CSV, validate=False)


def test_access_batch_for_user(world, batch):
    assert access_batch_for_user(world.owner, batch.public_id, need="own") == batch
    assert access_batch_for_user(world.member, batch.public_id, need="issue") == batch
    assert access_batch_for_user(world.authority_admin, batch.public_id, need="manage") == batch
    with pytest.raises(PermissionDenied):
        access_batch_for_user(world.member, batch.public_id, need="manage")
    for user in (world.outsider, world.sibling_member):
        with pytest.raises(Http404):
            access_batch_for_user(user, batch.public_id)
    with pytest.raises(Http404):
        access_batch_for_user(world.owner, "no-such-batch")


def test_authority_assigns_badges_and_trusts_institutions(client, world, badges):
    client.force_login(world.owner)
    assert client.get("/orgs/authority/bulk/assignments").status_code == 404
    client.force_login(world.authority_admin)
    page = client.get("/orgs/authority/bulk/assignments").content.decode()
    assert world.school.name in page and "코딩 입문" in page
    response = client.post(
        "/orgs/authority/bulk/assignments",
        {
            "institution": world.school.public_id,
            "achievement": badges["coding"].public_id,
            "assigned": "1",
        },
    )
    assert response.status_code == 302
    assert AchievementAssignment.objects.filter(
        institution=world.school, achievement=badges["coding"]
    ).exists()
    client.post(
        "/orgs/authority/bulk/assignments",
        {"institution": world.school.public_id, "direct_issue": "1"},
    )
    assert IntakePolicy.objects.get(institution=world.school).direct_issue
    # A badge of another organization cannot be assigned through this page.
    response = client.post(
        "/orgs/authority/bulk/assignments",
        {
            "institution": world.school.public_id,
            "achievement": badges["own"].public_id,
            "assigned": "1",
        },
    )
    assert not AchievementAssignment.objects.filter(achievement=badges["own"]).exists()
