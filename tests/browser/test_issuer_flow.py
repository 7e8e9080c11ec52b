"""Issue 3, end to end in a real browser: staff signs in, designs a badge, awards it; the
learner opens the e-mail, claims it without a password; the public page says valid; staff
revokes; the public page says revoked. Every main page on the way is checked with axe-core.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.bulk_helpers import login_code_from, open_mail, outbox_text
from tests.browser.conftest import assert_accessible, assert_fits_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "staff@youth-centre.example"
LEARNER = "learner.kim@example.com"


@pytest.fixture
def organization(browser_settings):
    """An issuer with its owner (an account with a verified address and no password)."""
    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.organizations.services import organization_create

    owner = user_get_or_create_for_email(email=STAFF, name="Staff")
    return organization_create(slug="youthcentre-seoul", name="한빛 청소년센터", by=owner)


def sign_in_by_code(page, base: str, email: str) -> None:
    """allauth's passwordless sign-in: ask for a code, read it in the outbox, type it."""
    page.goto(f"{base}/accounts/login/code/")
    page.get_by_label(re.compile("e-?mail", re.I)).first.fill(email)
    page.get_by_role("button", name=re.compile("code", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/confirm/"))
    page.get_by_label(re.compile("code", re.I)).first.fill(
        login_code_from(outbox_text(page, base, email))
    )
    page.get_by_role("button", name=re.compile("sign in|confirm", re.I)).first.click()
    expect(page).to_have_url(f"{base}/")


def design_badge(page, base: str, organization) -> str:
    """Design a badge class in the staff designer, with a drawn image; returns its staff
    page's URL."""
    page.goto(f"{base}/orgs/{organization.slug}/")
    assert_accessible(page, "organization dashboard")
    page.get_by_role("link", name="New badge").first.click()
    expect(page).to_have_url(f"{base}/orgs/{organization.slug}/badges/new")
    page.get_by_label("Name:", exact=True).fill("수영 1단계")
    page.get_by_label("Identifier:").fill("swim-1")
    page.get_by_label("Description:").fill("물에 뜨고 자유형 25m를 헤엄칩니다.")
    page.get_by_label("Criteria:", exact=True).fill("- 자유형 25m 50초 이내\n- 안전 수칙 설명")
    page.get_by_label("Area:").fill("체육")
    page.get_by_label("Shape:").select_option("circle")
    page.get_by_label("Icon:").select_option("wave")
    # The preview is redrawn by htmx as the design changes.
    preview = page.locator("#badge-preview img")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    assert_accessible(page, "badge designer")
    page.get_by_role("button", name="Create badge").click()
    expect(page).to_have_url(re.compile(r"/manage/badges/[\w-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("수영 1단계")
    image = page.get_by_role("img", name=re.compile("수영 1단계")).first
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") >= 256, "the drawn badge image did not load"
    return page.url


def test_issue_claim_verify_revoke(new_page, live_server, organization):
    base = live_server.url
    staff = new_page()

    # Anyone: the home page and /verify.
    staff.goto(f"{base}/")
    assert_accessible(staff, "home (anonymous)")
    staff.goto(f"{base}/verify")
    assert_accessible(staff, "verify (empty)")

    # Staff signs in without a password and designs a badge.
    sign_in_by_code(staff, base, STAFF)
    assert_accessible(staff, "home (staff)")
    badge_page = design_badge(staff, base, organization)
    assert_accessible(staff, "badge (staff page)")

    # ... and awards it to a learner from the UI.
    staff.goto(badge_page)
    staff.get_by_label("Recipient name").fill("김하늘")
    staff.get_by_label("Recipient e-mail").fill(LEARNER)
    staff.get_by_label("Result").fill("42초")
    staff.get_by_role("button", name="Award", exact=True).click()
    expect(staff).to_have_url(re.compile(r"/manage/awards/[\w-]+$"))
    expect(staff.locator(".messages")).to_contain_text("Badge awarded")
    assert_accessible(staff, "award (staff page)")
    award_page = staff.url
    credential_url = staff.locator("dl.facts a[href*='/c/']").get_attribute("href")
    assert credential_url and credential_url.startswith(f"{base}/c/")

    # The learner opens the e-mail in the outbox and claims the badge, no password asked.
    learner = new_page()
    open_mail(learner, base, LEARNER)
    expect(learner.locator("iframe.mail")).to_be_visible()
    assert_accessible(learner, "outbox message")
    html_mail = learner.locator("iframe.mail").get_attribute("srcdoc")
    learner.locator("pre a[href*='/claim/']").click()
    expect(learner.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(learner, "claim (accept or decline)")
    learner.get_by_role("button", name="Accept").click()
    learner.wait_for_url(re.compile(r"/me/(age|badges)"))
    if "/me/age" in learner.url:
        # First sign-in: the age step (consent rules for under-14s); this learner is an adult.
        assert_accessible(learner, "age step")
        learner.get_by_label("Year of birth").fill("1995")
        learner.get_by_role("button", name="Continue").click()
    expect(learner).to_have_url(f"{base}/me/badges")
    assert_accessible(learner, "my badges")
    learner.get_by_role("link", name="수영 1단계").click()
    expect(learner).to_have_url(re.compile(r"/me/badges/a/[\w-]+$"))
    assert_accessible(learner, "my badge (backpack page)")
    learner.goto(f"{base}/me/badges")
    learner.get_by_role("link", name="Verification page").click()
    expect(learner).to_have_url(credential_url)

    # The public page says valid.
    expect(learner.locator(".report .status")).to_have_text("Verified")
    expect(learner.locator(".report")).not_to_contain_text("Not valid")
    # Private by default: the page verifies but does not name the learner.
    expect(learner.locator("main")).not_to_contain_text("김하늘")
    expect(learner.get_by_text("the learner keeps this badge private")).to_be_visible()
    assert_accessible(learner, "public credential (valid)")

    # The same page in Korean on a phone: accessible, and nothing scrolls sideways.
    phone = new_page(locale="ko-KR", width=390, height=844)
    phone.goto(credential_url)
    expect(phone.locator(".report .status")).to_have_text("검증됨")
    assert_accessible(phone, "public credential (valid, ko, 390 px)")
    assert_fits_width(phone, "public credential (valid, ko, 390 px)")

    # The badge class's public page and the issuer's profile.
    learner.get_by_role("link", name="한빛 청소년센터").first.click()
    expect(learner).to_have_url(f"{base}/issuers/{organization.slug}/")
    assert_accessible(learner, "issuer profile")
    learner.get_by_role("link", name="수영 1단계").click()
    expect(learner).to_have_url(re.compile(r"/badges/[\w-]+$"))
    assert_accessible(learner, "badge (public page)")

    # The e-mail's HTML part on its own (axe does not enter the sandboxed frame).
    assert html_mail, "the award e-mail has no HTML part"
    mail = new_page()
    mail.set_content(html_mail)
    assert_accessible(mail, "award e-mail (HTML)")

    # /verify with the credential's address.
    learner.goto(f"{base}/verify")
    learner.get_by_label("Credential address (URL)").fill(credential_url)
    learner.get_by_role("button", name="Verify", exact=True).click()
    expect(learner.locator(".report .status")).to_have_text("Verified")
    assert_accessible(learner, "verify (report)")

    # Staff revokes.
    staff.goto(award_page)
    staff.get_by_label("Reason").fill("잘못 발급됨")
    staff.get_by_text("Revoke this award").click()
    staff.get_by_role("button", name="Revoke for good").click()
    expect(staff.locator("dl.facts .status")).to_have_text("Revoked")
    expect(staff.get_by_role("button", name="Revoke for good")).to_have_count(0)
    assert_accessible(staff, "award (staff page, revoked)")

    # The public page says revoked, at once.
    learner.goto(credential_url)
    expect(learner.locator(".report .status")).to_have_text("Not valid")
    expect(learner.locator("article")).to_contain_text("Revoked")
    expect(learner.locator("article")).to_contain_text("잘못 발급됨")
    assert_accessible(learner, "public credential (revoked)")

    # And the learner's own list shows it.
    learner.goto(f"{base}/me/badges")
    expect(learner.locator(".card")).to_contain_text("Revoked")

    # The public pages fit a phone too.
    for path in ("/", "/verify", f"/issuers/{organization.slug}/", credential_url):
        phone.goto(path if path.startswith("http") else base + path)
        assert_fits_width(phone, f"{path} (390 px)")

    # The other main pages.
    for who, path in (
        (staff, f"/orgs/{organization.slug}/bulk/"),
        (staff, f"/orgs/{organization.slug}/campaigns"),
        (staff, f"/orgs/{organization.slug}/keys"),
        (staff, f"/orgs/{organization.slug}/members"),
        (staff, f"/orgs/{organization.slug}/audit"),
        (staff, f"/orgs/{organization.slug}/settings"),
        (staff, f"/orgs/{organization.slug}/frameworks"),
        (staff, f"/orgs/{organization.slug}/badges/series"),
        (staff, f"/orgs/{organization.slug}/emails"),
        (staff, f"/orgs/{organization.slug}/funnel"),
        (staff, "/dev/outbox"),
        (learner, "/me/growth"),
        (learner, "/me/collections"),
        (learner, "/me/import"),
        (learner, "/me/profile"),
        (learner, "/me/account"),
        (learner, "/claim-code"),
    ):
        response = who.goto(base + path)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        assert_accessible(who, path)


def test_the_accessibility_check_catches_violations(new_page):
    page = new_page()
    page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
        '<img src="data:image/png;base64,iVBORw0KGgo="><p style="color:#ddd">low contrast</p>'
        "</main></body></html>"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page, "a page with faults")


def test_the_width_check_catches_sideways_scrolling(new_page):
    page = new_page(width=390, height=844)
    page.set_content('<html lang="en"><body><div style="width:800px">wide</div></body></html>')
    with pytest.raises(AssertionError, match="scrolls sideways"):
        assert_fits_width(page, "a page wider than the phone")
