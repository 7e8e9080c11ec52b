"""Fixtures for the real-browser tests: Debian's Chromium driven by Playwright, the platform
served by pytest-django's ``live_server`` (a real HTTP server on a loopback port, in a
thread of this process, on the transactional test database).

Tasks run with the immediate backend, so the award e-mail is in the outbox as soon as the
award is committed; the outbox page is on, as in the demo.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
KEK = base64.urlsafe_b64encode(bytes(range(32))).decode()
# axe's impact levels; these two fail the test, the others are printed.
BLOCKING = {"serious", "critical"}


def chromium_or_skip() -> Path:
    """The Chromium binary; a missing one fails under CI (env CI set) and skips elsewhere."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing; CI must install chromium (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed")
    raise AssertionError("unreachable")


@pytest.fixture
def browser_settings(settings, live_server, tmp_path):
    """Settings for a platform served at the live server's address."""
    settings.BAEJI_KEK = KEK
    settings.BAEJI_KEK_AUTOCREATE = False
    settings.BASE_URL = live_server.url
    settings.DATA_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.BAEJI_STAFF_MFA_REQUIRED = False
    settings.DEV_OUTBOX = True
    settings.EMAIL_BACKEND = "baeji.emails.backends.DatabaseOutboxBackend"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    settings.SECURE_SSL_REDIRECT = False
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return settings


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium. Playwright's sync API runs an event loop in this thread, so the
    test's own ORM calls need Django's async-safety check relaxed (the server thread has no
    loop and is unaffected)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, browser_settings):
    """Make pages in fresh contexts (separate cookies: one per person), English first."""
    contexts = []

    def make(*, locale: str = "en-US", width: int = 1280, height: int = 900):
        context = browser.new_context(
            locale=locale,
            viewport={"width": width, "height": height},
            extra_http_headers={"Accept-Language": f"{locale},{locale.split('-')[0]};q=0.9"},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """Run axe-core on the page as it is now; returns its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    script = """async (selector) => {
        const results = await axe.run(selector || document, {resultTypes: ['violations']});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))
        }));
    }"""
    return page.evaluate(script, context)


def assert_accessible(page, name: str) -> list[dict]:
    """Fail on serious or critical axe violations; print the minor and moderate ones."""
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    print(f"axe [{name}]: {len(violations)} violation(s), {len(blocking)} serious or critical")
    for violation in violations:
        if violation["impact"] not in BLOCKING:
            print(f"axe [{name}] {violation['impact']}: {violation['id']} — {violation['help']}")
    assert not blocking, f"axe found on {name} ({page.url}):\n" + json.dumps(
        blocking, ensure_ascii=False, indent=2
    )
    return violations


def assert_fits_width(page, name: str) -> None:
    """Nothing may scroll sideways: the page works at the viewport's width (e.g. 390 px)."""
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > width + 1
                              && !el.closest('.table-scroll'))
                .map(el => [el.tagName.toLowerCase(), el.getAttribute('class')].join('.'));
            return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
        }"""
    )
    assert overflow["scroll"] <= overflow["width"], f"{name} scrolls sideways: {overflow}"
