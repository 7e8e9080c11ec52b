"""Bulk issuance through the web pages and the ``baeji issue-bulk`` command."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils.html import escape

from baeji.awards.models import CLAIM_CODE_ALPHABET, Award, PendingAward
from baeji.awards.services import AwardError, award_claim_pending, award_issue
from baeji.bulk import messages
from baeji.bulk.models import Batch, BatchChunk, BatchRow
from baeji.bulk.services import batch_issue_chunk, intake_policy_set
from baeji.cli import main as baeji_main
from baeji.credentials.verify import verify
from baeji.verification.selectors import local_fetcher

HEADER = ["name", "email", "achievement", "issued_on"]
KO_HEADER = ["이름", "이메일", "배지", "발급일"]


def csv_bytes(rows, *, header=HEADER, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=KO_HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


LEARNERS = [
    ["김민준", "minjun@example.kr", "ai-basics", "2026-03-02"],
    ["이서연", "seoyeon@example.kr", "reading", "2026.03.02"],
    ["박지호", "", "ai-basics", "2026-03-02"],
]


def upload(client, slug, data, filename, *, achievement="", run=None):
    payload = io.BytesIO(data)
    payload.name = filename
    with run(execute=True):
        return client.post(f"/orgs/{slug}/bulk/", {"file": payload, "achievement": achievement})


def batch_from(response) -> Batch:
    assert response.status_code == 302, response.content.decode()[:2000]
    public_id = response["Location"].strip("/").split("/")[-1]
    return Batch.objects.get(public_id=public_id)


def submit(client, batch, run, **extra):
    with run(execute=True):
        return client.post(f"/bulk/{batch.public_id}/submit", extra)


# --------------------------------------------------------------------------------------------
# Upload, encodings, validation


@pytest.mark.parametrize(
    ("filename", "make"),
    [
        ("utf8.csv", lambda: csv_bytes(LEARNERS)),
        ("bom.csv", lambda: b"\xef\xbb\xbf" + csv_bytes(LEARNERS, header=KO_HEADER)),
        ("excel-korean.csv", lambda: csv_bytes(LEARNERS, header=KO_HEADER, encoding="cp949")),
        ("workbook.xlsx", lambda: xlsx_bytes(LEARNERS)),
    ],
)
def test_each_encoding_end_to_end_through_the_upload_page(
    client, world, badges, django_capture_on_commit_callbacks, filename, make
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", make(), filename, run=run))
    assert batch.status == Batch.Status.VALIDATED
    assert (batch.total_rows, batch.valid_rows, batch.pending_rows) == (3, 3, 1)
    page = client.get(f"/bulk/{batch.public_id}/").content.decode()
    assert "Ready to issue" in page or "발급 준비" in page
    response = submit(client, batch, run)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert batch.job_done == 3
    names = set(Award.objects.values_list("recipient_name", flat=True))
    assert names == {"김민준", "이서연"}
    assert PendingAward.objects.get().recipient_name == "박지호"
    # Issued by the institution, with the authority's badge: creator is the authority.
    award = Award.objects.get(recipient_email="minjun@example.kr")
    assert award.organization == world.school
    assert award.achievement.organization == world.authority
    report = verify(award.credential_json, fetcher=local_fetcher([world.school, world.authority]))
    assert report.valid, report.to_dict()
    # The award e-mails were queued per chunk and sent.
    assert sorted(m.to[0] for m in mail.outbox) == ["minjun@example.kr", "seoyeon@example.kr"]


def test_each_validation_error_is_shown_in_korean_and_english(
    client, world, badges, django_capture_on_commit_callbacks, settings
):
    rows = [
        ["", "a@example.kr", "ai-basics", "2026-03-02"],  # required name
        ["나쁜메일", "not-an-email", "ai-basics", "2026-03-02"],  # bad_email
        ["없는배지", "b@example.kr", "no-such", "2026-03-02"],  # unknown_achievement
        ["배정안됨", "c@example.kr", "coding", "2026-03-02"],  # achievement_not_assigned
        ["미래", "d@example.kr", "ai-basics", "2999-01-01"],  # future_date
        ["날짜", "e@example.kr", "ai-basics", "어제"],  # bad_date
        ["=HYPERLINK(1)", "f@example.kr", "ai-basics", "2026-03-02"],  # formula_cell
        ["중복", "g@example.kr", "ai-basics", "2026-03-02"],
        ["중복", "g@example.kr", "ai-basics", "2026-03-02"],  # duplicate_in_file
        ["정상", "h@example.kr", "ai-basics", "2026-03-02"],
    ]
    client.force_login(world.member)
    batch = batch_from(
        upload(
            client, "school", csv_bytes(rows), "errors.csv", run=django_capture_on_commit_callbacks
        )
    )
    assert batch.invalid_rows == 8
    assert batch.valid_rows == 2
    codes = {
        item["code"]
        for errors in BatchRow.objects.filter(batch=batch).values_list("errors", flat=True)
        for item in errors
    }
    assert codes == {
        "required",
        "bad_email",
        "unknown_achievement",
        "achievement_not_assigned",
        "future_date",
        "bad_date",
        "formula_cell",
        "duplicate_in_file",
    }
    invalid = list(BatchRow.objects.filter(batch=batch, outcome="invalid").order_by("line"))
    assert [row.line for row in invalid] == [2, 3, 4, 5, 6, 7, 8, 10]
    korean = client.get(f"/bulk/{batch.public_id}/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/bulk/{batch.public_id}/").content.decode()
    for row in invalid:
        for item in row.errors:
            assert escape(item["ko"]) in korean
            assert escape(item["en"]) in english
    # A summary by kind of problem, in both languages.
    assert "문제 종류별" in korean and "Problems by kind" in english
    for code in codes:
        assert messages.kind(code, "ko") in korean and messages.kind(code, "en") in english
    # Nothing is issued while a row is invalid.
    response = submit(client, batch, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.VALIDATED
    assert not Award.objects.exists()
    # The downloadable file lists every row.
    report = b"".join(client.get(f"/bulk/{batch.public_id}/report.csv").streaming_content)
    lines = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert lines[0] == ["row", "outcome", "url", "error"]
    assert [int(line[0]) for line in lines[1:]] == list(range(2, 12))
    formula = next(line for line in lines[1:] if line[0] == "8")
    assert formula[1] == "invalid"
    assert not formula[3].startswith(("=", "+", "-", "@"))


def test_file_over_the_limit_is_refused_with_a_message(
    client, world, badges, django_capture_on_commit_callbacks, settings
):
    settings.BAEJI_BULK_MAX_BYTES = 100
    client.force_login(world.member)
    data = csv_bytes(LEARNERS * 5)
    response = upload(client, "school", data, "big.csv", run=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "100" in response.content.decode()
    assert not Batch.objects.exists()


def test_unknown_headers_go_through_mapping_remembered_per_institution(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    client.force_login(world.member)
    header = ["수료자 성함", "연락 메일", "배지", "수료일"]
    data = csv_bytes(LEARNERS, header=header)
    batch = batch_from(upload(client, "school", data, "own-headers.csv", run=run))
    assert batch.status == Batch.Status.MAPPING
    page = client.get(f"/bulk/{batch.public_id}/").content.decode()
    assert "수료자 성함" in page
    with run(execute=True):
        response = client.post(
            f"/bulk/{batch.public_id}/mapping",
            {"col_0": "name", "col_1": "email", "col_2": "achievement", "col_3": "issued_on"},
        )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.VALIDATED
    assert batch.valid_rows == 3
    # Next time the same headers need no mapping.
    again = batch_from(upload(client, "school", data, "again.csv", run=run))
    assert again.status == Batch.Status.VALIDATED


def test_bad_mapping_is_refused_and_changes_nothing(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    client.force_login(world.member)
    data = csv_bytes(LEARNERS, header=["A", "B", "C", "D"])
    batch = batch_from(upload(client, "school", data, "abcd.csv", run=run))
    response = client.post(f"/bulk/{batch.public_id}/mapping", {"col_0": "name", "col_1": "email"})
    assert response.status_code == 400
    batch.refresh_from_db()
    assert batch.status == Batch.Status.MAPPING


def test_templates_download_in_both_languages(client):
    ko = client.get("/bulk/template.csv?lang=ko")
    en = client.get("/bulk/template.csv?lang=en")
    assert ko.content.decode("utf-8-sig").startswith("이름,")
    assert en.content.decode("utf-8-sig").startswith("name,")
    xlsx = client.get("/bulk/template.xlsx?lang=ko")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/bulk/template.pdf").status_code == 404


# --------------------------------------------------------------------------------------------
# Idempotency


def test_reupload_never_issues_a_row_twice(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    first = batch_from(upload(client, "school", csv_bytes(LEARNERS), "a.csv", run=run))
    submit(client, first, run)
    assert Award.objects.count() == 2 and PendingAward.objects.count() == 1
    fixed = [*LEARNERS, ["최유나", "yuna@example.kr", "reading", "2026-03-03"]]
    second = batch_from(upload(client, "school", csv_bytes(fixed), "b.csv", run=run))
    assert (second.already_rows, second.valid_rows) == (3, 1)
    submit(client, second, run)
    assert Award.objects.count() == 3 and PendingAward.objects.count() == 1
    outcomes = dict(BatchRow.objects.filter(batch=second).values_list("line", "outcome"))
    assert outcomes == {2: "already_issued", 3: "already_issued", 4: "already_issued", 5: "issued"}


def test_row_key_is_unique_in_the_database(world, badges):
    award_issue(
        achievement=badges["own"],
        recipient_email="a@example.kr",
        recipient_name="가",
        row_key="k" * 64,
        notify=False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        award_issue(
            achievement=badges["own"],
            recipient_email="b@example.kr",
            recipient_name="나",
            row_key="k" * 64,
            notify=False,
        )


def test_a_chunk_run_twice_changes_nothing(
    client, world, badges, django_capture_on_commit_callbacks, settings
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", csv_bytes(LEARNERS), "a.csv", run=run))
    submit(client, batch, run)
    chunk = BatchChunk.objects.get(batch=batch)
    assert batch_issue_chunk(chunk_id=chunk.pk) == "skipped"
    # Even a chunk forced back to running (a worker presumed dead) re-checks the keys.
    BatchChunk.objects.filter(pk=chunk.pk).update(state="running")
    Batch.objects.filter(pk=batch.pk).update(status="issuing")
    BatchRow.objects.filter(batch=batch).update(outcome="valid")
    with run(execute=True):
        assert batch_issue_chunk(chunk_id=chunk.pk) == "done"
    assert Award.objects.count() == 2 and PendingAward.objects.count() == 1
    assert set(BatchRow.objects.filter(batch=batch).values_list("outcome", flat=True)) == {
        "already_issued"
    }


# --------------------------------------------------------------------------------------------
# Intake, approval and tenant isolation


def test_request_is_reviewed_by_the_authority_and_the_institution_is_emailed(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", csv_bytes(LEARNERS), "req.csv", run=run))
    submit(client, batch, run)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SUBMITTED
    assert not Award.objects.exists()
    # The institution cannot approve its own request.
    client.force_login(world.owner)
    response = client.post(f"/bulk/{batch.public_id}/review", {"decision": "approve"})
    assert response.status_code in (403, 404)
    # The sibling sees nothing of it.
    client.force_login(world.sibling_member)
    for url in (
        f"/bulk/{batch.public_id}/",
        f"/bulk/{batch.public_id}/report.csv",
        f"/bulk/{batch.public_id}/progress",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/bulk/{batch.public_id}/review", {"decision": "approve"}).status_code == 404
    )
    assert client.get("/orgs/authority/bulk/review").status_code == 404
    assert client.get("/orgs/school/bulk/").status_code == 404
    # The authority sees the request with counts and badges, and approves with a comment.
    client.force_login(world.authority_admin)
    listing = client.get("/orgs/authority/bulk/review").content.decode()
    assert "req.csv" in listing and "ai-basics: 2" in listing
    page = client.get(f"/bulk/{batch.public_id}/").content.decode()
    assert "김민준" in page  # sample rows
    with run(execute=True):
        response = client.post(
            f"/bulk/{batch.public_id}/review", {"decision": "approve", "comment": "확인했습니다"}
        )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.DONE
    assert Award.objects.count() == 2
    review = next(m for m in mail.outbox if "member@school.example" in m.to)
    assert "확인했습니다" in review.body
    html = review.alternatives[0][0]
    assert "확인했습니다" in html and f"/bulk/{batch.public_id}/" in html


def test_rejected_request_issues_nothing(client, world, badges, django_capture_on_commit_callbacks):
    run = django_capture_on_commit_callbacks
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", csv_bytes(LEARNERS), "req.csv", run=run))
    submit(client, batch, run)
    client.force_login(world.authority_admin)
    response = client.post(f"/bulk/{batch.public_id}/review", {"decision": "reject"})
    batch.refresh_from_db()
    assert batch.status == Batch.Status.SUBMITTED  # a rejection needs a reason
    with run(execute=True):
        client.post(
            f"/bulk/{batch.public_id}/review", {"decision": "reject", "comment": "날짜 오류"}
        )
    batch.refresh_from_db()
    assert batch.status == Batch.Status.REJECTED
    assert not Award.objects.exists() and not PendingAward.objects.exists()
    message = next(m for m in mail.outbox if "member@school.example" in m.to)
    assert "날짜 오류" in message.body and "날짜 오류" in message.alternatives[0][0]
    assert response.status_code == 302


def test_institution_never_issues_for_another(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    from baeji.organizations.models import Role
    from baeji.organizations.services import membership_set

    membership_set(organization=world.sibling, user=world.sibling_member, role=Role.ISSUER)
    intake_policy_set(institution=world.sibling, direct_issue=True)
    client.force_login(world.sibling_member)
    # school's own badge and a badge assigned only to school are not the sibling's to issue.
    rows = [
        ["가", "a@example.kr", "reading", "2026-03-02"],
        ["나", "b@example.kr", "ai-basics", "2026-03-02"],
    ]
    batch = batch_from(upload(client, "sibling", csv_bytes(rows), "s.csv", run=run))
    codes = [
        item["code"]
        for errors in BatchRow.objects.filter(batch=batch)
        .order_by("line")
        .values_list("errors", flat=True)
        for item in errors
    ]
    assert codes == ["unknown_achievement", "achievement_not_assigned"]
    assert batch.valid_rows == 0
    # And the sibling cannot upload to school at all.
    response = upload(client, "school", csv_bytes(LEARNERS), "x.csv", run=run)
    assert response.status_code == 404
    assert not Award.objects.exists()


def test_upload_page_lists_only_own_batches_with_pinned_queries(
    client, world, badges, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    run = django_capture_on_commit_callbacks
    client.force_login(world.member)
    for n in range(3):
        upload(client, "school", csv_bytes(LEARNERS), f"f{n}.csv", run=run)
    with django_assert_max_num_queries(15):
        page = client.get("/orgs/school/bulk/").content.decode()
    assert page.count("/bulk/") >= 3 and "f2.csv" in page


# --------------------------------------------------------------------------------------------
# Job control


def test_cancel_stops_queued_chunks(
    client, world, badges, django_capture_on_commit_callbacks, settings
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", csv_bytes(LEARNERS), "a.csv", run=run))
    # Submit without running the queued chunk tasks (as if no worker had picked them up).
    client.post(f"/bulk/{batch.public_id}/submit")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.ISSUING
    response = client.post(f"/bulk/{batch.public_id}/cancel")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == Batch.Status.CANCELLED
    chunk = BatchChunk.objects.get(batch=batch)
    assert chunk.state == "cancelled"
    assert batch_issue_chunk(chunk_id=chunk.pk) == "skipped"
    assert not Award.objects.exists()
    progress = client.get(f"/bulk/{batch.public_id}/progress")
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"


def test_progress_fragment_polls_while_issuing(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", csv_bytes(LEARNERS), "a.csv", run=run))
    client.post(f"/bulk/{batch.public_id}/submit")
    fragment = client.get(f"/bulk/{batch.public_id}/progress").content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert 'max="3"' in fragment and 'value="0"' in fragment


# --------------------------------------------------------------------------------------------
# Pending awards


def test_rows_without_email_become_pending_awards_signed_at_claim(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    batch = batch_from(upload(client, "school", csv_bytes(LEARNERS), "a.csv", run=run))
    submit(client, batch, run)
    pending = PendingAward.objects.get()
    assert len(pending.claim_code) == 10 and set(pending.claim_code) <= set(CLAIM_CODE_ALPHABET)
    assert pending.award is None
    report = b"".join(client.get(f"/bulk/{batch.public_id}/report.csv").streaming_content)
    line = next(r for r in csv.reader(io.StringIO(report.decode("utf-8-sig"))) if r[0] == "4")
    assert line[1] == "pending_claim" and pending.claim_code in line[2]
    typed = pending.claim_code[:5].lower() + "-" + pending.claim_code[5:].lower()
    award = award_claim_pending(code=typed, email="JIHO@example.kr", name="박지호", user=None)
    assert award.recipient_email == "jiho@example.kr"
    assert award.issued_at.date() == date(2026, 3, 2)
    assert award.organization == world.school
    assert verify(
        award.credential_json, fetcher=local_fetcher([world.school, world.authority])
    ).valid
    with pytest.raises(AwardError):
        award_claim_pending(code=pending.claim_code, email="other@example.kr", name="x")
    with pytest.raises(AwardError):
        award_claim_pending(code="ZZZZZZZZZZ", email="other@example.kr", name="x")


# --------------------------------------------------------------------------------------------
# The command


def _cli(tmp_path, rows, *extra, run=None, header=HEADER):
    # The command runs outside any transaction, as it does for real (these tests use the
    # transactional database), so queued tasks run when their transaction commits.
    path = tmp_path / "learners.csv"
    path.write_bytes(csv_bytes(rows, header=header))
    report = tmp_path / "report.csv"
    report.unlink(missing_ok=True)
    status = baeji_main(
        ["issue-bulk", "--issuer", "school", str(path), "--report", str(report), *extra]
    )
    lines = list(csv.reader(io.StringIO(report.read_text("utf-8-sig")))) if report.exists() else []
    return status, lines


BAD = ["잘못", "bad-email", "ai-basics", "2026-03-02"]


@pytest.mark.django_db(transaction=True)
def test_cli_dry_run_issues_nothing(tmp_path, world, badges, django_capture_on_commit_callbacks):
    run = django_capture_on_commit_callbacks
    status, lines = _cli(tmp_path, LEARNERS, "--dry-run", run=run)
    assert status == 0
    assert not Award.objects.exists() and not PendingAward.objects.exists()
    assert [line[:2] for line in lines[1:]] == [
        ["2", "issued"],
        ["3", "issued"],
        ["4", "pending_claim"],
    ]
    status, lines = _cli(tmp_path, [*LEARNERS, BAD], "--dry-run", run=run)
    assert status == 1
    assert lines[-1][:2] == ["5", "invalid"]


@pytest.mark.django_db(transaction=True)
def test_cli_invalid_rows_block_everything_by_default(
    tmp_path, world, badges, django_capture_on_commit_callbacks, capsys
):
    status, lines = _cli(tmp_path, [*LEARNERS, BAD], run=django_capture_on_commit_callbacks)
    assert status == 1
    assert not Award.objects.exists()
    assert "Nothing was issued" in capsys.readouterr().err
    assert len(lines) == 5 and lines[-1][:2] == ["5", "invalid"]
    assert "bad-email" in lines[-1][3]


@pytest.mark.django_db(transaction=True)
def test_cli_skip_invalid_issues_the_rest_and_exits_1(
    tmp_path, world, badges, django_capture_on_commit_callbacks, capsys
):
    status, lines = _cli(
        tmp_path, [BAD, *LEARNERS], "--skip-invalid", run=django_capture_on_commit_callbacks
    )
    assert status == 1
    assert Award.objects.count() == 2 and PendingAward.objects.count() == 1
    assert lines[0] == ["row", "outcome", "url", "error"]
    by_row = {line[0]: line for line in lines[1:]}
    assert by_row["2"][1] == "invalid" and by_row["2"][3]
    assert by_row["3"][1] == "issued"
    assert by_row["3"][2].startswith("https://badges.example.org/c/")
    assert by_row["5"][1] == "pending_claim"
    err = capsys.readouterr().err
    assert "Issuing [" in err and "/s" in err and "ETA" in err


@pytest.mark.django_db(transaction=True)
def test_cli_all_valid_exits_0_and_reruns_report_already_issued(
    tmp_path, world, badges, django_capture_on_commit_callbacks, capsys
):
    run = django_capture_on_commit_callbacks
    status, lines = _cli(tmp_path, LEARNERS, "--achievement", "ai-basics", run=run)
    assert status == 0
    assert [line[1] for line in lines[1:]] == ["issued", "issued", "pending_claim"]
    assert "Issued 2 credentials and 1 claim codes (done)." in capsys.readouterr().err
    status, lines = _cli(tmp_path, LEARNERS, run=run)
    assert status == 0
    assert [line[1] for line in lines[1:]] == ["already_issued"] * 3
    assert Award.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_cli_refuses_unknown_issuer_big_files_and_unmapped_columns(
    tmp_path, world, badges, django_capture_on_commit_callbacks, settings, capsys
):
    run = django_capture_on_commit_callbacks
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes(LEARNERS))
    assert baeji_main(["issue-bulk", "--issuer", "nobody", str(path)]) == 2
    status, _ = _cli(tmp_path, LEARNERS, run=run, header=["A", "B", "C", "D"])
    assert status == 2
    assert "not template columns" in capsys.readouterr().err
    settings.BAEJI_BULK_MAX_BYTES = 50
    status, _ = _cli(tmp_path, LEARNERS, run=run)
    assert status == 2
    assert "limit" in capsys.readouterr().err
    assert not Award.objects.exists()


def test_claim_code_format():
    from baeji.awards.models import new_claim_code, normalize_claim_code

    codes = {new_claim_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(f"[{CLAIM_CODE_ALPHABET}]{{10}}", code) for code in codes)
    assert normalize_claim_code("abcde-fghjk ") == "ABCDEFGHJK"


def test_a_row_dated_today_issued_in_the_morning_is_valid_at_once(
    client, world, badges, django_capture_on_commit_callbacks, monkeypatch
):
    """Rows are issued at midday KST of their date, except that nothing is dated ahead of
    the moment it is issued: a credential must be valid as soon as the learner gets it."""
    from datetime import UTC, datetime

    from django.utils import timezone

    morning = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # 09:30 in Korea
    monkeypatch.setattr(timezone, "now", lambda: morning)
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    rows = [
        ["김민준", "minjun@example.kr", "ai-basics", "2026-03-02"],
        ["이서연", "seoyeon@example.kr", "ai-basics", "2026-03-01"],
    ]
    batch = batch_from(upload(client, "school", csv_bytes(rows), "a.csv", run=run))
    submit(client, batch, run)
    today = Award.objects.get(recipient_email="minjun@example.kr")
    yesterday = Award.objects.get(recipient_email="seoyeon@example.kr")
    assert today.issued_at == morning
    assert yesterday.issued_at == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)  # midday in Korea
    assert '"validFrom":"2026-03-02T00:30:00Z"' in today.credential_json


def test_a_badge_may_be_named_by_its_id_or_its_slug_in_any_case(
    client, world, badges, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    intake_policy_set(institution=world.school, direct_issue=True)
    client.force_login(world.member)
    rows = [
        ["김민준", "minjun@example.kr", badges["ai"].public_id, "2026-03-02"],
        ["이서연", "seoyeon@example.kr", "AI-Basics", "2026-03-02"],
        ["박지호", "jiho@example.kr", "Reading", "2026-03-02"],
    ]
    batch = batch_from(upload(client, "school", csv_bytes(rows), "a.csv", run=run))
    assert (batch.valid_rows, batch.invalid_rows) == (3, 0)
    submit(client, batch, run)
    issued = dict(Award.objects.values_list("recipient_email", "achievement__slug"))
    assert issued == {
        "minjun@example.kr": "ai-basics",
        "seoyeon@example.kr": "ai-basics",
        "jiho@example.kr": "reading",
    }


def test_every_row_error_has_a_short_name_in_both_languages():
    from pathlib import Path

    import baeji.bulk.validation as validation

    source = Path(validation.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'RowError\.make\(\s*[^,]+,\s*[^,]+,\s*"([a-z_]+)"', source))
    assert codes and codes <= set(messages.KINDS), codes - set(messages.KINDS)
    assert "already_awarded" in messages.KINDS
