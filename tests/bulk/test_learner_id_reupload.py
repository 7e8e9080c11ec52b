"""A learner issued a badge by a row with e-mail and learner id is found again by a later
file that names them only by the learner id (no second award, no claim code)."""

from __future__ import annotations

import pytest

from baeji.awards.models import Award, PendingAward
from baeji.bulk.models import Batch, BatchRow
from baeji.bulk.services import (
    batch_create,
    batch_submit,
    batch_validate,
    intake_policy_set,
)
from tests.bulk.test_issue_bulk import csv_bytes

HEADER = ["name", "email", "achievement", "issued_on", "learner_id"]


def _check(world, rows):
    data = csv_bytes(rows, header=HEADER)
    batch = batch_create(organization=world.school, filename="a.csv", data=data, validate=False)
    return batch_validate(batch_id=batch.pk)


@pytest.mark.django_db
def test_a_file_naming_the_learner_only_by_id_finds_the_award(
    world, badges, django_capture_on_commit_callbacks
):
    intake_policy_set(institution=world.school, direct_issue=True)
    first = _check(world, [["이서연", "seoyeon@example.kr", "reading", "2026-03-02", "S-1"]])
    with django_capture_on_commit_callbacks(execute=True):
        batch_submit(batch=first, direct=True)
    award = Award.objects.get()
    assert award.learner_id == "S-1"

    again = _check(world, [["이서연", "", "reading", "2026-03-02", "S-1"]])
    assert (again.valid_rows, again.already_rows) == (0, 1)
    assert BatchRow.objects.get(batch=again).award_id == award.pk
    assert again.status == Batch.Status.VALIDATED
    assert Award.objects.count() == 1 and not PendingAward.objects.exists()


@pytest.mark.django_db
def test_a_claimed_code_passes_its_learner_id_to_the_award(world, badges):
    from baeji.awards.services import award_claim_pending, award_issue_pending

    pending = award_issue_pending(
        achievement=badges["own"], recipient_name="박지호", learner_id="S-9"
    )
    award = award_claim_pending(code=pending.claim_code, email="jiho@example.kr")
    assert award.learner_id == "S-9"
