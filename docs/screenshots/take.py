"""Take the README screenshots of Baeji's main pages, at desktop and phone widths.

Run from the repository root as ``.venv/bin/python docs/screenshots/take.py``. It starts the
demo (``baeji demo`` with a fresh data directory on a free loopback port), signs in as the
demo's staff member and as its learner through the links the demo prints, and saves
``docs/screenshots/<page>-desktop.png`` (1280×900) and ``<page>-mobile.png`` (390×844).
Pages are shot whole (full page) but cut at ``--max-height`` pixels, in Korean unless
``--locale en-US`` is given; PNGs over 300 KB are reduced to a 256-colour palette.
A page the tree does not have (404) is skipped with a note. Needs Debian's Chromium at
/usr/bin/chromium and Playwright for Python (no browser download).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

OUT = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": (1280, 900), "mobile": (390, 844)}
MAX_BYTES = 300_000


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_demo(
    data_dir: Path, port: int, learners: int, verbose: bool = False
) -> tuple[subprocess.Popen, dict]:
    """``baeji demo``; returns the process and the links it printed once it serves."""
    baeji = Path(sys.executable).parent / "baeji"
    command = [str(baeji)] if baeji.exists() else [sys.executable, "-m", "baeji.cli"]
    arguments = ["demo", "--data-dir", str(data_dir), "--port", str(port)]
    demo = subprocess.Popen(  # noqa: S603 - our own command with our own arguments
        [*command, *arguments, "--learners", str(learners)],
        stdout=subprocess.PIPE,
        stderr=None if verbose else subprocess.DEVNULL,
        text=True,
        env={**os.environ, "BAEJI_LOG_LEVEL": "WARNING"},
    )
    links: dict[str, str] = {}
    deadline = time.monotonic() + 600
    assert demo.stdout is not None
    for line in demo.stdout:
        if match := re.search(r"sign-in link: (\S+)", line):
            links["staff"] = match.group(1)
        if match := re.search(r"claim link: (\S+)", line):
            links["learner"] = match.group(1)
        if "Press Ctrl+C" in line or time.monotonic() > deadline:
            break
    if "staff" not in links:
        demo.terminate()
        raise SystemExit("the demo did not print its sign-in link")
    for _ in range(100):  # the server starts after the banner
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    return demo, links


def demo_ids(data_dir: Path) -> dict[str, str]:
    """Public ids worth showing, read from the demo's database."""
    database = sqlite3.connect(f"file:{data_dir / 'baeji.sqlite3'}?mode=ro", uri=True)
    one = lambda sql: (database.execute(sql).fetchone() or [""])[0]  # noqa: E731
    ids = {
        "learner_award": one(
            "SELECT w.public_id FROM awards_award w JOIN organizations_organization o "
            "ON o.id = w.organization_id WHERE w.recipient_email = 'learner@example.com' "
            "AND w.status = 'active' AND o.slug = 'youth-centre' ORDER BY w.issued_at DESC"
        ),
        "revoked_award": one("SELECT public_id FROM awards_award WHERE status = 'revoked'"),
        "achievement": one(
            "SELECT a.public_id FROM achievements_achievement a JOIN organizations_organization o "
            "ON o.id = a.organization_id WHERE o.slug = 'youth-centre' AND a.slug = 'swim-3'"
        ),
        "version": one(
            "SELECT v.public_id FROM achievements_achievementversion v "
            "JOIN achievements_achievement a ON a.current_version_id = v.id "
            "JOIN organizations_organization o ON o.id = a.organization_id "
            "WHERE o.slug = 'youth-centre' AND a.slug = 'swim-3'"
        ),
        "outbox_message": str(
            one(
                "SELECT coalesce(max(CASE WHEN \"to\" LIKE '%learner@example.com%' THEN id END), "
                "max(id)) FROM emails_outboxmessage"
            )
            or ""
        ),
    }
    database.close()
    return ids


def shrink(png: bytes) -> bytes:
    """The PNG as is when small enough, else quantised to a 256-colour palette."""
    if len(png) <= MAX_BYTES:
        return png
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True
    )
    return out.getvalue()


def shoot(page: Page, name: str, size: str, max_height: int) -> Path | None:
    """Save the page (whole, cut at ``max_height``) as <name>-<size>.png."""
    width = SIZES[size][0]
    # Lazy images below the fold would stay blank in a full-page shot: load them all now.
    page.evaluate(
        """() => Promise.all([...document.images].map(img => {
            img.loading = 'eager';
            return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
        }))"""
    )
    height = min(max_height, page.evaluate("() => document.documentElement.scrollHeight"))
    png = page.screenshot(
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
    )
    path = OUT / f"{name}-{size}.png"
    path.write_bytes(shrink(png))
    return path


def main() -> int:
    """Start the demo, sign in, visit and shoot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--locale", default="ko-KR")
    parser.add_argument("--learners", type=int, default=60, help="demo size (faster seeding)")
    parser.add_argument("--max-height", type=int, default=2400)
    parser.add_argument("--only", help="comma-separated page names")
    parser.add_argument("--verbose", action="store_true", help="show the demo's log")
    args = parser.parse_args()

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="baeji-shots-") as tmp:
        data_dir = Path(tmp)
        print(f"starting the demo on 127.0.0.1:{port} (seeding takes a while) …", flush=True)
        demo, links = start_demo(data_dir, port, args.learners, args.verbose)
        base = f"http://127.0.0.1:{port}"
        try:
            ids = demo_ids(data_dir)
            written = run(base, links, ids, args)
        finally:
            demo.terminate()
            demo.wait(timeout=20)
    for path in written:
        print(f"  {path.relative_to(OUT.parent.parent)}  {path.stat().st_size // 1024} KB")
    return 0


def _sign_in(page: Page, link: str, button: str) -> None:
    page.goto(link)
    page.locator("main form button[type=submit]").filter(has_text=re.compile(button)).first.click()
    page.wait_for_load_state("networkidle")


def run(base: str, links: dict, ids: dict, args) -> list[Path]:
    """Visit every page as the right person at both widths."""
    pages: list[tuple[str, str, str | Callable[[Page], None]]] = [
        ("home", "anonymous", "/"),
        ("verify", "anonymous", "/verify"),
        ("public-credential", "anonymous", f"/c/{ids['learner_award']}"),
        ("public-credential-revoked", "anonymous", f"/c/{ids['revoked_award']}"),
        ("badge", "anonymous", f"/badges/{ids['version']}"),
        ("issuer", "anonymous", "/issuers/youth-centre/"),
        ("verify-result", "anonymous", _verify_result(base, ids)),
        ("staff-home", "staff", "/"),
        ("dashboard", "staff", "/orgs/youth-centre/"),
        ("badge-designer", "staff", "/orgs/youth-centre/badges/new"),
        ("staff-badge", "staff", f"/manage/badges/{ids['achievement']}"),
        ("staff-award", "staff", f"/manage/awards/{ids['learner_award']}"),
        ("bulk-upload", "staff", "/orgs/youth-centre/bulk/"),
        ("claim-campaigns", "staff", "/orgs/youth-centre/campaigns"),
        ("signing-keys", "staff", "/orgs/youth-centre/keys"),
        ("outbox", "staff", "/dev/outbox"),
        ("outbox-message", "staff", f"/dev/outbox/{ids['outbox_message']}"),
        ("my-badges", "learner", "/me/badges"),
        ("my-growth", "learner", "/me/growth"),
        ("claim-code", "anonymous", "/claim-code"),
    ]
    only = set(args.only.split(",")) if args.only else None
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        contexts = {}
        for who in ("anonymous", "staff", "learner"):
            context = browser.new_context(
                locale=args.locale,
                extra_http_headers={"Accept-Language": args.locale},
                viewport={"width": 1280, "height": 900},
            )
            page = context.new_page()
            if who == "staff":
                _sign_in(page, links["staff"], ".")
            elif who == "learner" and "learner" in links:
                _sign_in(page, links["learner"], ".")
            contexts[who] = page
        for name, who, target in pages:
            if only and name not in only:
                continue
            page = contexts[who]
            for size, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                if callable(target):
                    target(page)
                else:
                    response = page.goto(base + target)
                    if response is None or response.status >= 400:
                        print(f"  skipped {name}: HTTP {response.status if response else '?'}")
                        break
                page.wait_for_load_state("networkidle")
                written.append(shoot(page, name, size, args.max_height))
        browser.close()
    return written


def _verify_result(base: str, ids: dict) -> Callable[[Page], None]:
    def visit(page: Page) -> None:
        page.goto(f"{base}/verify")
        page.locator("#v-url").fill(f"{base}/c/{ids['learner_award']}")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_selector(".report")

    return visit


if __name__ == "__main__":
    sys.exit(main())
