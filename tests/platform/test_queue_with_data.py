"""With the database task queue, a task is written in the same transaction as the data it
acts on: a crash just after the commit cannot lose it, and a rollback leaves neither."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from baeji.awards.models import Award
from baeji.awards.services import award_issue


class _Died(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("commit", [False, True])
def test_the_award_email_is_queued_with_the_award(world, swim_badge, settings, commit):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    emails = DBTaskResult.objects.filter(task_path="baeji.awards.tasks.send_award_email")
    try:
        with transaction.atomic():
            award_issue(
                achievement=swim_badge,
                recipient_email="minjun@example.kr",
                recipient_name="김민준",
                result="48초",
            )
            # Before any commit, the task's row is there beside the award.
            assert emails.count() == Award.objects.count() == 1
            if not commit:
                raise _Died
    except _Died:
        pass
    assert emails.count() == Award.objects.count() == (1 if commit else 0)


@pytest.mark.django_db
def test_other_queues_get_the_task_after_commit(
    world, swim_badge, django_capture_on_commit_callbacks
):
    """The immediate queue of the tests runs a task at once: only after the commit, so that
    the task reads committed data."""
    with django_capture_on_commit_callbacks() as callbacks:
        award_issue(
            achievement=swim_badge,
            recipient_email="minjun@example.kr",
            recipient_name="김민준",
            result="48초",
        )
    assert len(callbacks) == 1
