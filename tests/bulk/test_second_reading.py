"""Regressions found on a second reading of bulk issuance: a cancel during the check, the
command's exit status and progress errors, awards made one at a time, e-mails queued with the
chunk, and what the report says of rows that were not issued."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from baeji.awards.models import Award, PendingAward
from baeji.awards.services import award_issue, award_issue_pending
from baeji.bulk import services
from baeji.bulk.models import Batch, BatchChunk, BatchRow
from baeji.bulk.services import (
    BulkError,
    assignment_set,
    batch_cancel,
    batch_create,
    batch_create_from_records,
    batch_issue_chunk,
    batch_review,
    batch_submit,
    batch_validate,
    intake_policy_set,
    report_rows,
)
from baeji.bulk.validation import KOREA
from baeji.cli import main as baeji_main
from tests.bulk.test_issue_bulk import LEARNERS, csv_bytes


def _checked(world, rows, **extra) -> Batch:
    batch = batch_create(
        organization=world.school,
        filename="learners.csv",
        data=csv_bytes(rows),
        validate=False,
        **extra,
    )
    return batch_validate(batch_id=batch.pk)


def test_a_cancel_while_the_file_is_checked_is_not_undone_by_the_check(world, badges):
    batch = batch_create(
        organization=world.school, filename="a.csv", data=csv_bytes(LEARNERS), validate=False
    )
    assert batch.status == Batch.Status.VALIDATING

    def cancelled_meanwhile(count: int) -> None:
        batch_cancel(batch=batch)

    batch_validate(batch_id=batch.pk, progress=cancelled_meanwhile)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED
    with pytest.raises(BulkError):
        batch_submit(batch=batch, direct=True)
    assert not Award.objects.exists() and not PendingAward.objects.exists()


# --------------------------------------------------------------------------------------------
# Earlier awards without this row key


def test_an_award_made_one_at_a_time_counts_as_already_awarded(world, badges):
    """Same learner, badge and date as an award from the award page (no row key): the upload
    reports it as already issued and issues nothing more."""
    earlier = award_issue(
        achievement=badges["ai"],
        organization=world.school,
        recipient_email="minjun@example.kr",
        recipient_name="김민준",
        issued_at=datetime(2026, 3, 2, 15, 0, tzinfo=KOREA),
    )
    rows = [
        ["김민준", "MinJun@example.kr", "ai-basics", "2026-03-02"],  # the same award
        ["김민준", "minjun@example.kr", "ai-basics", "2026-03-03"],  # another day: new
        ["김민준", "minjun@example.kr", "reading", "2026-03-02"],  # another badge: new
    ]
    batch = _checked(world, rows)
    assert (batch.valid_rows, batch.already_rows, batch.invalid_rows) == (2, 1, 0)
    batch_submit(batch=batch, direct=True)
    for chunk in BatchChunk.objects.filter(batch=batch):
        batch_issue_chunk(chunk_id=chunk.pk)
    assert Award.objects.filter(achievement=badges["ai"]).count() == 2
    assert Award.objects.count() == 3
    report = {row.line: row for row in report_rows(batch, language="en")}
    assert report[2].outcome == "already_issued"
    assert report[2].url.endswith(f"/c/{earlier.public_id}")
    assert [report[3].outcome, report[4].outcome] == ["issued", "issued"]


def test_a_claim_code_given_by_learner_id_counts_when_an_email_is_added(world, badges):
    """The first upload had no e-mail (a claim code for learner S-1); the corrected file adds
    the e-mail, which changes the row key: the learner id still finds the earlier award."""
    pending = award_issue_pending(
        achievement=badges["own"],
        recipient_name="이서연",
        learner_id="S-1",
        issued_at=datetime(2026, 3, 2, 12, 0, tzinfo=KOREA),
    )
    header = ["name", "email", "achievement", "issued_on", "learner_id"]
    data = csv_bytes(
        [["이서연", "seoyeon@example.kr", "reading", "2026-03-02", "S-1"]], header=header
    )
    batch = batch_create(organization=world.school, filename="a.csv", data=data, validate=False)
    batch = batch_validate(batch_id=batch.pk)
    assert (batch.valid_rows, batch.already_rows) == (0, 1)
    row = BatchRow.objects.get(batch=batch)
    assert row.pending_id == pending.pk


def test_an_api_item_already_awarded_one_at_a_time_is_not_issued_again(world, badges):
    award_issue(
        achievement=badges["own"],
        recipient_email="minjun@example.kr",
        recipient_name="김민준",
        issued_at=datetime(2026, 3, 2, 12, 0, tzinfo=KOREA),
    )
    intake_policy_set(institution=world.school, direct_issue=True)
    records = [
        {"name": "김민준", "email": "minjun@example.kr", "achievement": "reading",
         "issued_on": "2026-03-02"},
    ]  # fmt: skip
    batch, created = batch_create_from_records(organization=world.school, records=records)
    assert created and batch.status == Batch.Status.DONE
    assert batch.already_rows == 1 and batch.valid_rows == 0
    assert Award.objects.count() == 1


# --------------------------------------------------------------------------------------------
# E-mails of a chunk


def test_award_emails_are_queued_in_the_chunk_transaction(world, badges, settings):
    """With the database queue the e-mail task is written with the chunk's awards: a worker
    killed just after its commit (its on-commit callbacks never run) loses no e-mail."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = _checked(world, LEARNERS)
    batch_submit(batch=batch, direct=True)
    chunk = BatchChunk.objects.get(batch=batch)
    # In this test's transaction no on-commit callback ever runs, as if the worker died.
    assert batch_issue_chunk(chunk_id=chunk.pk) == "done"
    queued = DBTaskResult.objects.filter(task_path="baeji.bulk.tasks.notify_awards")
    assert queued.count() == 1
    ids = queued.get().args_kwargs["args"][0]
    assert sorted(ids) == sorted(Award.objects.values_list("pk", flat=True))
    assert len(ids) == 2


# --------------------------------------------------------------------------------------------
# The report of rows that were not issued


def _valid_row_errors(batch, language="en"):
    return {
        row.line: (row.outcome, row.url, row.error)
        for row in report_rows(batch, language=language)
        if row.outcome != "invalid"
    }


def test_the_report_says_why_valid_rows_were_not_issued(world, badges):
    bad = ["잘못", "bad-email", "ai-basics", "2026-03-02"]
    # Blocked by an invalid row (the command's default, all or nothing).
    blocked = _checked(world, [*LEARNERS, bad])
    rows = _valid_row_errors(blocked)
    assert [rows[line][0] for line in (2, 3, 4)] == ["issued", "issued", "pending_claim"]
    assert all(not url and "invalid" in error for _o, url, error in rows.values())
    korean = _valid_row_errors(blocked, "ko")
    assert all("발급되지 않았습니다" in error for _o, _u, error in korean.values())
    # Checked only (a dry run): not issued yet.
    checked = _checked(world, LEARNERS)
    assert all(
        "not issued" in error.lower() for _o, _u, error in _valid_row_errors(checked).values()
    )
    # Waiting for the authority, then rejected: never "issued" without a word.
    batch_submit(batch=checked, by=world.member)
    checked.refresh_from_db()
    assert checked.status == Batch.Status.SUBMITTED
    assert all("approval" in e for _o, _u, e in _valid_row_errors(checked).values())
    batch_review(batch=checked, by=world.authority_admin, approve=False, comment="날짜 확인")
    checked.refresh_from_db()
    assert all("rejected" in e for _o, _u, e in _valid_row_errors(checked).values())
    assert not Award.objects.exists()


def test_the_report_of_an_issued_batch_has_no_error_on_issued_rows(world, badges):
    batch = _checked(world, LEARNERS)
    batch_submit(batch=batch, direct=True)
    for chunk in BatchChunk.objects.filter(batch=batch):
        batch_issue_chunk(chunk_id=chunk.pk)
    rows = _valid_row_errors(batch)
    assert [rows[line][0] for line in (2, 3, 4)] == ["issued", "issued", "pending_claim"]
    assert all(url and not error for _o, url, error in rows.values())


# --------------------------------------------------------------------------------------------
# The command


def _run_cli(tmp_path, rows, *extra):
    path = tmp_path / "learners.csv"
    path.write_bytes(csv_bytes(rows))
    report = tmp_path / "report.csv"
    status = baeji_main(
        ["issue-bulk", "--issuer", "school", str(path), "--report", str(report), *extra]
    )
    lines = list(csv.reader(io.StringIO(report.read_text("utf-8-sig")))) if report.exists() else []
    return status, lines


@pytest.mark.django_db(transaction=True)
def test_cli_exits_2_when_the_job_fails(tmp_path, world, badges, monkeypatch, capsys):
    def broken(**kwargs):
        raise RuntimeError("the signing key is unreachable")

    monkeypatch.setattr(services, "award_issue_many", broken)
    status, lines = _run_cli(tmp_path, LEARNERS, "--language", "en")
    batch = Batch.objects.get()
    assert batch.status == Batch.Status.FAILED
    assert status == 2
    assert "failed" in capsys.readouterr().err
    assert not Award.objects.exists()
    assert [line[1] for line in lines[1:]] == ["issued", "issued", "pending_claim"]
    assert all("failed" in line[3] for line in lines[1:])


@pytest.mark.django_db(transaction=True)
def test_cli_progress_shows_the_errors_of_the_job(tmp_path, world, badges, monkeypatch, capsys):
    """Rows that can no longer be issued when their turn comes (here: the badge was withdrawn
    between the check and the job) are counted on the progress line."""
    submit = services.batch_submit

    def withdrawn_meanwhile(**kwargs):
        assignment_set(achievement=badges["ai"], institution=world.school, assigned=False)
        return submit(**kwargs)

    monkeypatch.setattr(services, "batch_submit", withdrawn_meanwhile)
    status, lines = _run_cli(tmp_path, LEARNERS)
    assert status == 1
    err = capsys.readouterr().err
    progress = [line for line in err.splitlines() if line.startswith("Issuing [")]
    assert progress and "2 errors" in progress[-1], err
    assert Award.objects.count() == 1
    assert [line[1] for line in lines[1:]] == ["invalid", "issued", "invalid"]


# --------------------------------------------------------------------------------------------
# The claim-code sheet of a job


def test_the_institution_prints_the_claim_sheet_of_its_own_batch(client, world, badges):
    """The institution hands out the codes: it prints its batch's sheet (the badge's own sheet
    belongs to the authority), with only this batch's learners, never another institution's."""
    assignment_set(achievement=badges["ai"], institution=world.sibling, assigned=True)
    other = award_issue_pending(
        achievement=badges["ai"], organization=world.sibling, recipient_name="다른학교학생"
    )
    rows = [
        ["김민준", "minjun@example.kr", "ai-basics", "2026-03-02"],
        ["박지호", "", "ai-basics", "2026-03-02"],
        ["최유나", "", "reading", "2026-03-02"],
    ]
    batch = _checked(world, rows)
    batch_submit(batch=batch, direct=True)
    for chunk in BatchChunk.objects.filter(batch=batch):
        batch_issue_chunk(chunk_id=chunk.pk)
    codes = dict(PendingAward.objects.filter(organization=world.school).values_list(
        "recipient_name", "claim_code"
    ))  # fmt: skip
    assert set(codes) == {"박지호", "최유나"}
    url = f"/bulk/{batch.public_id}/claim-sheet"

    client.force_login(world.member)
    page = client.get(f"/bulk/{batch.public_id}/").content.decode()
    assert url in page
    # The badge's own sheet is the authority's: the institution cannot open it.
    assert client.get(f"/manage/badges/{badges['ai'].public_id}/claim-sheet").status_code == 404
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="code-card"') == 2
    for name, code in codes.items():
        assert name in html and f"{code[:5]}-{code[5:]}" in html
    assert "다른학교학생" not in html and other.claim_code[:5] + "-" not in html
    assert "김민준" not in html  # issued by e-mail, no card
    # Redeemed codes leave the sheet.
    from baeji.awards.services import award_claim_pending

    award_claim_pending(code=codes["박지호"], email="jiho@example.kr")
    assert client.get(url).content.decode().count('class="code-card"') == 1

    for who, status in (("sibling_member", 404), ("outsider", 404), ("authority_admin", 200)):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == status, who


# --------------------------------------------------------------------------------------------
# Tasks that must not be lost, and e-mails that must not break a decision


class BrokenMailBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server unavailable")


@pytest.mark.django_db(transaction=True)
def test_approval_stands_when_the_mail_server_is_down(client, world, badges, settings):
    """The decision is taken (and the job starts) even if the institution's e-mail cannot be
    sent right now: the reviewer gets no error page."""
    batch = _checked(world, LEARNERS)
    batch_submit(batch=batch, by=world.member)
    settings.EMAIL_BACKEND = "tests.bulk.test_second_reading.BrokenMailBackend"
    client.force_login(world.authority_admin)
    response = client.post(
        f"/bulk/{batch.public_id}/review", {"decision": "approve", "comment": "확인"}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE and batch.reviewed_by == world.authority_admin
    assert Award.objects.count() == 2


def test_checking_is_queued_with_the_upload(world, badges, settings):
    """With the database queue the checking task is written with the batch: a web process
    that dies just after its commit leaves no batch waiting forever in ``validating``."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = batch_create(organization=world.school, filename="a.csv", data=csv_bytes(LEARNERS))
    assert batch.status == Batch.Status.VALIDATING
    queued = DBTaskResult.objects.filter(task_path="baeji.bulk.tasks.validate_batch")
    assert [task.args_kwargs["args"] for task in queued] == [[batch.pk]]


@pytest.mark.parametrize("commit", [False, True])
def test_the_review_emails_are_written_with_the_decision(world, badges, commit):
    """The institution's e-mails are deliveries written in the decision's transaction: a
    process that dies just after the commit cannot lose them, a rollback leaves neither."""
    from django.db import transaction

    from baeji.bulk.services import batch_review
    from baeji.emails.models import Delivery

    class Died(Exception):
        pass

    batch = _checked(world, LEARNERS)
    batch_submit(batch=batch, by=world.member)
    reviews = Delivery.objects.filter(kind=Delivery.Kind.BULK_REVIEW)
    try:
        with transaction.atomic():
            batch_review(batch=batch, by=world.authority_admin, approve=False, comment="다시")
            assert reviews.count() >= 1  # before any commit
            if not commit:
                raise Died
    except Died:
        pass
    batch.refresh_from_db()
    assert (batch.status == Batch.Status.REJECTED) == commit
    assert reviews.exists() == commit
