"""Issue 5, end to end in a real browser: a learner claims a badge from the award e-mail
without a password, adds and confirms a second address (and so finds the badge sent there),
imports a badge signed by an issuer elsewhere, gathers the badges in a shared collection that
a signed-out visitor can open, and looks at the growth view. The backpack, import, collection,
public collection and growth pages are checked with axe-core.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.bulk_helpers import finish_age_step, open_mail
from tests.browser.conftest import assert_accessible
from tests.credentials.conftest import Issuer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "staff@youth-centre.example"
ADDRESS_A = "haneul.kim@example.com"
ADDRESS_B = "h.kim@school.example"
SCREENSHOT = Path(__file__).parents[2] / "docs" / "screenshots" / "learner-growth-browser.png"
SCREENSHOT_LIMIT = 300 * 1024


@pytest.fixture
def awards(browser_settings):
    """An organization with two levelled badges; one awarded to each of the learner's two
    addresses, through the services (the award e-mails land in the outbox at once)."""
    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.achievements.services import achievement_create
    from baeji.awards.services import award_issue
    from baeji.organizations.services import organization_create

    owner = user_get_or_create_for_email(email=STAFF, name="Staff")
    organization = organization_create(slug="youthcentre-seoul", name="한빛 청소년센터", by=owner)
    swim = achievement_create(
        organization=organization,
        slug="swim-1",
        by=owner,
        name="수영 1단계",
        description="물에 뜨고 자유형 25m를 헤엄칩니다.",
        criteria_md="- 자유형 25m 50초 이내",
        achievement_type="Badge",
        category="체육",
        family="수영",
        level=1,
        tags=["수영", "체육"],
        design={"shape": "circle", "color": "#1F5FAD", "icon": "wave"},
    )
    coding = achievement_create(
        organization=organization,
        slug="coding-2",
        by=owner,
        name="코딩 2단계",
        description="반복문으로 그림을 그립니다.",
        criteria_md="- 반복문 사용",
        achievement_type="Badge",
        category="정보",
        family="코딩",
        level=2,
        tags=["코딩"],
        design={"shape": "circle", "color": "#2E7D32", "icon": "star"},
    )
    first = award_issue(achievement=swim, recipient_email=ADDRESS_A, recipient_name="김하늘")
    second = award_issue(achievement=coding, recipient_email=ADDRESS_B, recipient_name="김하늘")
    return first, second


@pytest.fixture
def external_badge(browser_settings, monkeypatch) -> dict:
    """A badge signed by an issuer elsewhere (did:key), as a file to upload. Its status list
    is seeded into the fetcher imports are verified with; the live server runs in a thread of
    this process, so patching the module here reaches its requests."""
    outside = Issuer()
    monkeypatch.setattr("baeji.backpack.verifying.new_fetcher", lambda: outside.fetcher)
    credential = outside.credential()
    data = json.dumps(credential, ensure_ascii=False).encode("utf-8")
    return {"name": "swim-3.json", "mimeType": "application/json", "buffer": data}


def test_learner_claims_merges_imports_shares_and_grows(
    new_page, live_server, awards, external_badge
):
    base = live_server.url
    first, second = awards
    learner = new_page()

    # The award e-mail to the first address; accept, and the first sign-in asks the birth year.
    open_mail(learner, base, ADDRESS_A)
    learner.locator("pre a[href*='/claim/']").first.click()
    expect(learner.get_by_role("heading", level=1)).to_be_visible()
    expect(learner.locator("main")).to_contain_text("수영 1단계")
    learner.get_by_role("button", name="Accept").click()
    learner.wait_for_url(re.compile(r"/me/(age|badges)"))
    finish_age_step(learner)
    expect(learner).to_have_url(f"{base}/me/badges")
    cards = learner.locator("main")
    expect(cards.get_by_role("link", name="수영 1단계")).to_be_visible()
    # The badge sent to the other address is not the learner's yet.
    expect(cards.get_by_role("link", name="코딩 2단계")).to_have_count(0)

    # Add the second address and confirm it from the e-mail.
    learner.goto(f"{base}/accounts/email/")
    learner.get_by_label(re.compile("e-?mail", re.I)).last.fill(ADDRESS_B)
    learner.get_by_role("button", name=re.compile("add", re.I)).first.click()
    unverified_b = re.compile(re.escape(ADDRESS_B) + r"\s+Unverified")
    expect(learner.get_by_role("radio", name=unverified_b)).to_have_count(1)
    mail = learner.context.new_page()
    open_mail(mail, base, ADDRESS_B, re.compile("confirm", re.I))
    confirm = mail.locator("pre a[href*='/accounts/confirm-email/']").first.get_attribute("href")
    mail.close()
    assert confirm, "no confirmation link in the e-mail"
    learner.goto(confirm)
    learner.get_by_role("button", name=re.compile("confirm", re.I)).first.click()
    learner.goto(f"{base}/accounts/email/")
    verified_b = re.compile(re.escape(ADDRESS_B) + r"\s+Verified")
    expect(learner.get_by_role("radio", name=verified_b)).to_have_count(1)

    # Both badges are in the backpack now.
    learner.goto(f"{base}/me/badges")
    expect(cards.get_by_role("link", name="수영 1단계")).to_be_visible()
    expect(cards.get_by_role("link", name="코딩 2단계")).to_be_visible()
    assert_accessible(learner, "backpack")

    # Import the outside issuer's badge file: it verifies and joins the backpack.
    learner.get_by_role("navigation", name="My backpack").get_by_role(
        "link", name="Import a badge"
    ).click()
    expect(learner).to_have_url(f"{base}/me/import")
    assert_accessible(learner, "import")
    learner.get_by_label("Badge file (PNG, SVG, JSON or JWT)").set_input_files(external_badge)
    learner.get_by_role("button", name="Verify and add").click()
    expect(learner).to_have_url(re.compile(r"/me/badges/i/[\w-]+$"))
    expect(learner.get_by_role("heading", level=1)).to_have_text("수영 3단계")
    expect(learner.locator("main")).to_contain_text("서울시 청소년센터")
    expect(learner.locator("main")).not_to_contain_text("Not verified")
    learner.goto(f"{base}/me/badges")
    expect(cards.get_by_role("link", name="수영 3단계")).to_be_visible()

    # A collection with all three, made public, shared by link.
    learner.goto(f"{base}/me/collections")
    learner.get_by_label("Name").fill("대학 지원")
    learner.get_by_role("button", name="Create").click()
    expect(learner).to_have_url(re.compile(r"/me/collections/\d+$"))
    for name in ("수영 1단계", "코딩 2단계", "수영 3단계"):
        learner.get_by_label(f"Include {name}").check()
        learner.get_by_label(f"Make {name} public").check()
    learner.get_by_role("button", name="Save badges").click()
    learner.get_by_label("Anyone with the link can see it").check()
    learner.get_by_role("button", name="Save", exact=True).click()
    share_link = learner.get_by_role("textbox", name="Share link")
    expect(share_link).to_have_value(re.compile(r"/share/[\w-]+$"))
    for name in ("수영 1단계", "코딩 2단계", "수영 3단계"):
        expect(learner.get_by_label(f"Include {name}")).to_be_checked()
        expect(learner.get_by_label(f"Make {name} public")).to_be_checked()
    assert_accessible(learner, "collection")
    share_url = share_link.input_value()
    assert share_url.startswith(f"{base}/share/")

    # A visitor, signed out, opens the link and sees the three badges, not the learner's
    # addresses.
    visitor = new_page()
    visitor.goto(share_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("대학 지원")
    public_cards = visitor.locator("ul.cards > li.card")
    expect(public_cards).to_have_count(3)
    for name in ("수영 1단계", "코딩 2단계", "수영 3단계"):
        expect(public_cards.filter(has_text=name)).to_have_count(1)
    expect(public_cards.filter(has_text="수영 3단계")).to_contain_text("Imported")
    expect(visitor.locator(f"a[href$='/c/{first.public_id}']")).to_have_count(1)
    expect(visitor.locator(f"a[href$='/c/{second.public_id}']")).to_have_count(1)
    page_text = visitor.locator("body").inner_text()
    assert ADDRESS_A not in page_text and ADDRESS_B not in page_text
    assert_accessible(visitor, "public collection")
    visitor.goto(f"{base}/me/badges")
    expect(visitor).to_have_url(re.compile(r"/accounts/login"))

    # The growth view counts the learner's two platform badges and the imported one, with a
    # step for each family of the platform's badges.
    # Reduced motion: the charts are drawn without animation, so the screenshot is complete.
    learner.emulate_media(reduced_motion="reduce")
    learner.goto(f"{base}/me/growth")
    expect(learner.get_by_role("heading", level=1)).to_have_text("My growth")
    expect(learner.locator("main")).to_contain_text("3 badges count towards this view.")
    expect(learner.locator("main")).to_contain_text("(1 of them imported from another issuer.)")
    steps = learner.locator("ul.families > li")
    expect(steps.filter(has_text="수영")).to_have_count(1)
    expect(steps.filter(has_text="코딩")).to_have_count(1)
    learner.wait_for_load_state("networkidle")
    assert_accessible(learner, "growth")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    learner.screenshot(path=str(SCREENSHOT))
    assert 0 < SCREENSHOT.stat().st_size < SCREENSHOT_LIMIT
