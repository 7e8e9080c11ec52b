"""Issue 4, end to end in a real browser: an institution's staff uploads a spreadsheet with
bad rows, sees what to fix, uploads the fixed file and submits it; the education office's
reviewer approves; the job finishes with its progress shown; a learner with an e-mail
claims from the award e-mail, and a learner without one claims with the printed code.
The upload, error, review and claim-code pages are checked with axe-core.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.bulk_helpers import (
    csv_file,
    finish_age_step,
    login_code_from,
    open_mail,
    outbox_text,
)
from tests.browser.conftest import assert_accessible
from tests.browser.test_issuer_flow import sign_in_by_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEWER = "reviewer@edu-office.example"
STAFF = "staff@hanbit-school.example"
MINJUN = "minjun@example.kr"
SEOYEON = "seoyeon@example.kr"
JIHO = "jiho@example.kr"  # no e-mail in the spreadsheet; gives this one at claim time
DAY = "2026-03-02"


@pytest.fixture
def office(browser_settings):
    """An education office (authority) with one member school; the office's badge "AI 기초"
    is assigned to the school, "코딩 입문" is not. Staff of both, with verified addresses."""
    from allauth.account.models import EmailAddress

    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.achievements.services import achievement_create
    from baeji.bulk.services import assignment_set
    from baeji.organizations.services import organization_create

    reviewer = user_get_or_create_for_email(email=REVIEWER, name="Reviewer")
    staff = user_get_or_create_for_email(email=STAFF, name="Staff")
    for user in (reviewer, staff):
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    authority = organization_create(
        slug="edu-office", name="서울교육청", kind="authority", by=reviewer
    )
    school = organization_create(slug="hanbit", name="한빛 중학교", parent=authority, by=staff)

    def badge(slug, name):
        return achievement_create(
            organization=authority,
            slug=slug,
            by=reviewer,
            name=name,
            description=f"{name} 과정을 이수했습니다.",
            criteria_md="- 30시간 이수",
        )

    ai = badge("ai-basics", "AI 기초")
    badge("coding", "코딩 입문")
    assignment_set(achievement=ai, institution=school, assigned=True, by=reviewer)
    return {"authority": authority, "school": school, "ai": ai}


def test_bulk_upload_review_issue_and_claim(new_page, live_server, office):
    base = live_server.url
    school, ai = office["school"], office["ai"]

    # The school's staff signs in and opens bulk issuing.
    staff = new_page()
    sign_in_by_code(staff, base, STAFF)
    staff.goto(f"{base}/orgs/{school.slug}/bulk/")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Bulk issuing")
    expect(staff.get_by_text("Your authority approves each request")).to_be_visible()
    # The assigned badge is offered; the unassigned one is not.
    badge_choice = staff.get_by_label("Badge for rows without one")
    expect(badge_choice.locator("option", has_text="ai-basics")).to_have_count(1)
    expect(badge_choice.locator("option", has_text="coding")).to_have_count(0)
    assert_accessible(staff, "bulk upload")

    # A file with bad rows: a broken address, an unknown badge, a badge not assigned here.
    staff.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        csv_file(
            "learners.csv",
            [
                ["김민준", MINJUN, "ai-basics", DAY],
                ["이서연", "seoyeon@@example", "ai-basics", DAY],
                ["박지호", "", "no-such-badge", DAY],
                ["최유나", "yuna@example.kr", "coding", DAY],
            ],
        )
    )
    staff.get_by_role("button", name="Upload and check").click()
    expect(staff).to_have_url(re.compile(r"/bulk/[\w-]+/$"))
    expect(staff.get_by_role("heading", name="Rows to fix")).to_be_visible()
    errors = staff.get_by_role("table", name="Rows to fix")
    expect(errors.get_by_role("row")).to_have_count(4)  # header + three bad rows
    expect(errors.get_by_role("row").filter(has_text="seoyeon@@example")).to_contain_text(
        "not a valid e-mail address"
    )
    expect(errors.get_by_role("row").filter(has_text="no-such-badge")).to_contain_text(
        "No achievement 'no-such-badge' exists"
    )
    expect(errors.get_by_role("row").filter(has_text="coding")).to_contain_text(
        "not assigned to this institution"
    )
    summary = staff.locator("dl.summary")
    expect(summary.locator("dt:has-text('Invalid') + dd")).to_have_text("3")
    expect(summary.locator("dt:has-text('Ready to issue') + dd")).to_have_text("1")
    assert_accessible(staff, "bulk batch with errors")
    # Nothing was issued from the bad file.
    from baeji.awards.models import Award, PendingAward

    assert not Award.objects.exists() and not PendingAward.objects.exists()

    # The fixed file: two learners with an address, one without (a claim code).
    staff.goto(f"{base}/orgs/{school.slug}/bulk/")
    staff.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(
        csv_file(
            "learners-fixed.csv",
            [
                ["김민준", MINJUN, "ai-basics", DAY],
                ["이서연", SEOYEON, "ai-basics", DAY],
                ["박지호", "", "ai-basics", DAY],
            ],
        )
    )
    staff.get_by_role("button", name="Upload and check").click()
    expect(staff).to_have_url(re.compile(r"/bulk/[\w-]+/$"))
    batch_url = staff.url
    summary = staff.locator("dl.summary")
    expect(summary.locator("dt:has-text('Ready to issue') + dd")).to_have_text("3")
    expect(summary.locator("dt:has-text('Without e-mail') + dd")).to_have_text("1")
    expect(summary.locator("dt:has-text('Invalid') + dd")).to_have_text("0")
    expect(staff.get_by_role("heading", name="Rows to fix")).to_have_count(0)

    # Submit: it waits for the education office.
    staff.get_by_role("button", name="Submit", exact=True).click()
    expect(staff.locator(".messages")).to_contain_text("Sent to the authority for approval")
    expect(staff.locator(".badge-status")).to_have_text("Awaiting approval")
    expect(staff.get_by_text("Waiting for the authority's approval.")).to_be_visible()
    expect(staff.get_by_role("button", name="Approve and issue")).to_have_count(0)
    assert not Award.objects.exists()

    # The office's reviewer finds the request and approves it.
    reviewer = new_page()
    sign_in_by_code(reviewer, base, REVIEWER)
    reviewer.goto(f"{base}/orgs/{office['authority'].slug}/bulk/review")
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Issuance requests")
    request_row = reviewer.get_by_role("row").filter(has_text="learners-fixed.csv")
    expect(request_row).to_contain_text("한빛 중학교")
    expect(reviewer.get_by_role("row").filter(has_text="learners.csv")).to_have_count(0)
    assert_accessible(reviewer, "bulk review list")
    request_row.get_by_role("link", name="learners-fixed.csv").click()
    expect(reviewer).to_have_url(batch_url)
    sample = reviewer.get_by_role("table", name="Sample rows")
    expect(sample).to_contain_text("김민준")
    expect(sample).to_contain_text("박지호")
    assert_accessible(reviewer, "bulk review (approve or reject)")
    reviewer.get_by_label("Comment to the institution").fill("확인했습니다.")
    reviewer.get_by_role("button", name="Approve and issue").click()
    expect(reviewer.locator(".messages")).to_contain_text("Approved: issuing has started.")

    # The job runs (at once, with the immediate backend); the page shows its progress.
    staff.goto(batch_url)
    expect(staff.locator(".badge-status")).to_have_text("Done")
    progress = staff.locator("#job-progress")
    expect(progress).to_have_attribute("max", "3")
    expect(progress).to_have_attribute("value", "3")
    expect(staff.locator("#progress [role=status]")).to_contain_text("3 of 3 rows (100%)")
    expect(staff.get_by_text("Reviewer's comment:")).to_be_visible()
    assert Award.objects.count() == 2 and PendingAward.objects.count() == 1
    # The institution was told of the decision.
    assert "확인했습니다." in outbox_text(
        staff, base, STAFF, subject=re.compile("approv|승인", re.I)
    )

    # The report (as the staff downloads it) lists every row: two issued, one claim code.
    href = staff.get_by_role("link", name=re.compile("Download the report")).get_attribute("href")
    report = staff.request.get(href if href.startswith("http") else base + href)
    assert report.ok
    lines = list(csv.reader(io.StringIO(report.text().lstrip("\ufeff"))))
    outcomes = {line[0]: line[1:] for line in lines[1:]}
    assert [outcomes[row][0] for row in ("2", "3", "4")] == ["issued", "issued", "pending_claim"]
    assert outcomes["2"][1].startswith(f"{base}/c/")
    code_url = outcomes["4"][1]
    assert code_url.startswith(f"{base}/k/"), code_url

    # The office prints the claim-code sheet: one card, for 박지호, with the same code.
    reviewer.goto(f"{base}/manage/badges/{ai.public_id}/claim-sheet")
    cards = reviewer.locator(".code-card")
    expect(cards).to_have_count(1)
    expect(cards.first.locator(".code-card-name")).to_have_text("박지호")
    printed = cards.first.locator(".code-card-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", printed), printed
    assert code_url.endswith("/k/" + printed.replace("-", "")), (code_url, printed)

    # A learner with an address claims from the award e-mail.
    minjun = new_page()
    mail = outbox_text(minjun, base, MINJUN)
    assert "AI 기초" in mail
    open_mail(minjun, base, MINJUN)
    minjun.locator("pre a[href*='/claim/']").click()
    minjun.get_by_role("button", name="Accept").click()
    minjun.wait_for_url(re.compile(r"/me/(age|badges)"))
    finish_age_step(minjun)
    expect(minjun).to_have_url(f"{base}/me/badges")
    expect(minjun.locator(".card").filter(has_text="AI 기초")).to_have_count(1)

    # The learner without an address types the printed code (lower case, as people do),
    # gives an address, signs in with the code e-mailed to it, and the badge is signed.
    jiho = new_page()
    jiho.goto(f"{base}/claim-code")
    expect(jiho.get_by_role("heading", level=1)).to_have_text("Claim your badge with a code")
    assert_accessible(jiho, "claim code")
    jiho.get_by_label("Claim code").fill(printed.lower())
    jiho.get_by_label("Your name (as it should appear on the badge)").fill("박지호")
    jiho.get_by_label("Your e-mail address").fill(JIHO)
    jiho.get_by_role("button", name="Claim the badge").click()
    expect(jiho).to_have_url(re.compile(r"/accounts/login/code/confirm/"))
    assert PendingAward.objects.get().award_id is None  # not before the sign-in
    jiho.get_by_label(re.compile("code", re.I)).first.fill(
        login_code_from(outbox_text(jiho, base, JIHO))
    )
    jiho.get_by_role("button", name=re.compile("sign in|confirm", re.I)).first.click()
    jiho.wait_for_url(re.compile(r"/me/(age|badges)"))
    finish_age_step(jiho)
    expect(jiho).to_have_url(f"{base}/me/badges")
    card = jiho.locator(".card").filter(has_text="AI 기초")
    expect(card).to_have_count(1)

    pending = PendingAward.objects.select_related("award").get()
    assert pending.award is not None and pending.award.recipient.email == JIHO
    assert pending.award.recipient_name == "박지호"

    # The badge is signed for them: its public page verifies.
    jiho.get_by_role("link", name="Verification page").click()
    expect(jiho).to_have_url(re.compile(r"/c/[\w-]+$"))
    expect(jiho.locator(".report .status")).to_have_text("Verified")
    expect(jiho.get_by_role("heading", name="AI 기초").first).to_be_visible()

    # A used code cannot be claimed again.
    other = new_page()
    other.goto(f"{base}/claim-code")
    other.get_by_label("Claim code").fill(printed)
    other.get_by_label("Your e-mail address").fill("someone@example.kr")
    other.get_by_role("button", name="Claim the badge").click()
    expect(other.get_by_role("alert")).to_contain_text("already been used")
    assert_accessible(other, "claim code (used code)")
