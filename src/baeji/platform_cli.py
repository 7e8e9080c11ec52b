"""The platform subcommands of ``baeji``: demo, achievements, award.

``baeji.cli`` calls :func:`register`; each handler configures Django itself, so the
credential commands never pay for it.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _django(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["BAEJI_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baeji.settings")
    import django

    django.setup()


def _prepare_demo_environment(args: argparse.Namespace) -> Path:
    """Environment for the demo: a data directory with its own secret key and KEK."""
    data_dir = Path(
        args.data_dir or os.environ.get("BAEJI_DATA_DIR") or Path.cwd() / "data"
    ).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = data_dir / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(50), "ascii")
        secret.chmod(0o600)
    os.environ["BAEJI_DATA_DIR"] = str(data_dir)
    os.environ["BAEJI_DEMO"] = "1"
    os.environ.setdefault("BAEJI_SECRET_KEY_FILE", str(secret))
    os.environ.setdefault("BAEJI_BASE_URL", f"http://127.0.0.1:{args.port}")
    # Credentials and DIDs name the address they were issued under: keep it per data dir.
    recorded = data_dir / "base_url"
    if not recorded.exists():
        recorded.write_text(os.environ["BAEJI_BASE_URL"], "utf-8")
    elif recorded.read_text("utf-8").strip() != os.environ["BAEJI_BASE_URL"]:
        _say(
            f"Warning: the data in {data_dir} was issued under {recorded.read_text('utf-8')}; "
            f"credentials will not verify at {os.environ['BAEJI_BASE_URL']}. Use that port "
            "or a fresh --data-dir."
        )
    return data_dir


def cmd_demo(args: argparse.Namespace) -> int:
    """Migrate, seed, then run the web server and the task worker until interrupted."""
    data_dir = _prepare_demo_environment(args)
    _django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from baeji.accounts.claims import claim_url, login_url
    from baeji.awards.models import Award
    from baeji.core import demo_data

    _say(f"Data directory: {data_dir}")
    call_command("migrate", interactive=False, verbosity=0)
    demo_data.seed(_say, learners=args.learners)
    if args.seed_only:
        return 0

    User = get_user_model()
    staff = User.objects.get(email=demo_data.STAFF_EMAIL)
    learner_award = Award.objects.filter(recipient_email=demo_data.LEARNER_EMAIL).first()
    worker = subprocess.Popen(
        [sys.executable, "-m", "baeji.cli", "worker", "--interval", "1"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "baeji.settings"},
    )
    print(f"Baeji demo on {settings.BASE_URL}/", flush=True)
    print(f"  Staff ({staff.email}) sign-in link: {login_url(staff)}", flush=True)
    if learner_award:
        print(
            f"  Learner ({learner_award.recipient_email}) claim link: {claim_url(learner_award)}",
            flush=True,
        )
    print(f"  E-mails sent by the demo: {settings.BASE_URL}/dev/outbox", flush=True)
    print("  Press Ctrl+C to stop.", flush=True)

    def _stop(signum, frame):
        raise KeyboardInterrupt

    # A service manager sends SIGTERM: stop the worker too, as on Ctrl+C.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        call_command(
            "runserver",
            f"{args.host}:{args.port}",
            use_reloader=False,
            use_threading=True,
            skip_checks=True,
        )
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    return 0


def cmd_achievements(args: argparse.Namespace) -> int:
    """List an issuer's badge classes (JSON with --json, else one per line)."""
    _django(args.data_dir)
    from baeji.achievements.selectors import achievements_for_organization
    from baeji.organizations.models import Organization

    organization = Organization.objects.filter(slug=args.issuer).first()
    if organization is None:
        _say(f"No issuer with the slug {args.issuer!r}.")
        return 2
    items = [
        {"slug": a.slug, "id": a.public_id, "name": a.current_version.name}
        for a in achievements_for_organization(organization)
    ]
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=2))
    else:
        for item in items:
            print(f"{item['slug']}\t{item['id']}\t{item['name']}")
    return 0


def cmd_award(args: argparse.Namespace) -> int:
    """Award a badge from the command line; the credential's public URL is the last line."""
    _django(args.data_dir)
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from baeji.achievements.models import Achievement
    from baeji.awards.services import AwardError, award_issue
    from baeji.core import links

    try:
        validate_email(args.email)
    except ValidationError:
        _say(f"{args.email!r} is not an e-mail address.")
        return 2
    achievement = (
        Achievement.objects.select_related("organization", "current_version")
        .filter(organization__slug=args.issuer, slug=args.achievement)
        .first()
    )
    if achievement is None:
        _say(
            f"No badge {args.achievement!r} at issuer {args.issuer!r} "
            f"(see: baeji achievements --issuer {args.issuer})."
        )
        return 2
    try:
        award = award_issue(
            achievement=achievement,
            recipient_email=args.email,
            recipient_name=args.name,
            evidence_url=args.evidence,
            narrative=args.narrative,
            result=args.result,
        )
    except (AwardError, ValueError) as error:
        _say(str(error))
        return 2
    _say(f"Awarded “{achievement.current_version.name}” to {args.name} <{award.recipient_email}>.")
    print(links.credential_url(award))
    return 0


def cmd_organization_create(args: argparse.Namespace) -> int:
    """Create an issuing organization with its owner; prints the owner's one-day sign-in link."""
    _django(args.data_dir)
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email, validate_slug
    from django.db import transaction

    from baeji.accounts.claims import login_url
    from baeji.accounts.services import user_get_or_create_for_email
    from baeji.organizations.models import Organization
    from baeji.organizations.services import organization_create

    email = args.owner_email.strip()
    try:
        validate_email(email)
    except ValidationError:
        _say(f"--owner-email {args.owner_email!r} is not an e-mail address.")
        return 2
    try:
        validate_slug(args.slug)
    except ValidationError:
        _say(f"--slug {args.slug!r}: use only letters, digits, '-' and '_'.")
        return 2
    if Organization.objects.filter(slug=args.slug).exists():
        _say(f"An organization with the slug {args.slug!r} already exists.")
        return 2
    parent = None
    if args.parent:
        parent = Organization.objects.filter(slug=args.parent).first()
        if parent is None:
            _say(f"No organization {args.parent!r} to be the parent.")
            return 2
    with transaction.atomic():
        owner = user_get_or_create_for_email(email=email)
        organization = organization_create(
            slug=args.slug, name=args.name, kind=args.kind, parent=parent, by=owner
        )
    _say(f"Created {organization.name} ({organization.slug}); owner {owner.email}.")
    print(login_url(owner))
    return 0


def cmd_send_reminders(args: argparse.Namespace) -> int:
    """Queue reminders for unclaimed badges, then retry due e-mails, now (``baeji worker``
    also does both periodically)."""
    _django(args.data_dir)
    from baeji.emails.services import deliveries_retry_due, reminders_send
    from baeji.organizations.models import Organization

    organization = None
    if args.issuer:
        organization = Organization.objects.filter(slug=args.issuer).first()
        if organization is None:
            _say(f"No issuer with the slug {args.issuer!r}.")
            return 2
    queued = reminders_send(organization=organization)
    tried = deliveries_retry_due()
    _say(f"Queued {queued} reminder(s); tried {tried} due e-mail(s).")
    print(queued)
    return 0


def register_send_reminders(subparsers) -> None:
    """The ``send-reminders`` subcommand."""
    reminders = subparsers.add_parser(
        "send-reminders",
        help="retry failed e-mails and remind learners of unclaimed badges",
        description="Queue reminders due under each issuer's settings and send e-mails whose "
        "retry time has come, now. `baeji worker` does both periodically; no cron needed.",
    )
    reminders.add_argument("--issuer", help="only this issuer's reminders (slug)")
    reminders.add_argument("--data-dir")
    reminders.set_defaults(func=cmd_send_reminders)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a task worker that also queues the periodic duties when they are due."""
    if args.tick_seconds is not None and not args.tick_seconds > 0:
        _say("--tick-seconds must be more than 0.")
        return 2
    _django(args.data_dir)
    from baeji.schedule.services import tick_seconds
    from baeji.schedule.worker import run_worker

    run_worker(
        tick_seconds=None if args.no_periodic else (args.tick_seconds or tick_seconds()),
        interval=args.interval,
        queue_name=args.queue_name,
        worker_id=args.worker_id,
        verbosity=args.verbosity,
    )
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    """Queue the periodic duties that are due (once), or list the schedule."""
    _django(args.data_dir)
    from django.utils import timezone

    from baeji.schedule.selectors import duties_schedule
    from baeji.schedule.services import duties_tick
    from baeji.schedule.worker import process_name

    def when(moment) -> str:
        return timezone.localtime(moment).isoformat(timespec="seconds") if moment else "-"

    if args.list:
        for duty in duties_schedule():
            every = f"every {duty['seconds']} s" if duty["seconds"] else "off"
            nxt = when(duty["next_run_at"])
            last = (
                f"{when(duty['last_claimed_at'])} by {duty['claimed_by']}"
                if duty["last_claimed_at"]
                else "never"
            )
            print(f"{duty['name']}\t{every}\tnext {nxt}\tlast {last}")
        return 0
    claimed = duties_tick(by=f"tick@{process_name()}")
    for name in claimed:
        print(name)
    _say(f"Queued {len(claimed)} periodic duty(ies); a task worker runs them.")
    return 0


def register_worker(subparsers) -> None:
    """The ``worker`` and ``tick`` subcommands (periodic duties without cron)."""
    worker = subparsers.add_parser(
        "worker",
        help="run a task worker that also runs the periodic duties",
        description="Run background tasks (django-tasks' db_worker) and, from a thread, queue "
        "the periodic duties when they are due: stale bulk chunks, e-mail retries, reminders, "
        "purges. Run one or more on any machines; each run of a duty is queued by one of them.",
    )
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between queue polls when idle"
    )
    worker.add_argument("--queue-name", default="default", help="queues to run ('*': all)")
    worker.add_argument("--worker-id", help="unique across the workers (default: random)")
    worker.add_argument(
        "--tick-seconds",
        type=float,
        help="how often to look for due duties (default: BAEJI_PERIODIC_TICK_SECONDS, 30)",
    )
    worker.add_argument(
        "--no-periodic", action="store_true", help="only run tasks; queue no periodic duties"
    )
    worker.add_argument("--verbosity", type=int, choices=[0, 1, 2, 3], default=1)
    worker.add_argument("--data-dir")
    worker.set_defaults(func=cmd_worker)

    tick = subparsers.add_parser(
        "tick",
        help="queue the periodic duties that are due, once (for cron instead of baeji worker)",
        description="Queue each periodic duty that is due, once; a task worker runs them. "
        "Not needed with `baeji worker`. --list shows the schedule.",
    )
    tick.add_argument("--list", action="store_true", help="show the schedule; queue nothing")
    tick.add_argument("--data-dir")
    tick.set_defaults(func=cmd_tick)


def register_issue_bulk(subparsers) -> None:
    """Add ``issue-bulk`` (bulk issuance from a CSV/XLSX file; see baeji.bulk.cli)."""
    from baeji.bulk import cli as bulk_cli

    parser = subparsers.add_parser(
        "issue-bulk",
        help="issue badges from a CSV or XLSX file, with a progress bar",
        description="Check every row of a spreadsheet and issue the badges as a background job.",
    )
    bulk_cli.add_arguments(parser)
    parser.set_defaults(func=lambda args: bulk_cli.run(args, _django))


def register(subparsers) -> None:
    """Add the platform subcommands to the ``baeji`` argument parser."""
    demo = subparsers.add_parser("demo", help="run the demo platform with sample data")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--data-dir", help="where the database and keys live (BAEJI_DATA_DIR)")
    demo.add_argument("--learners", type=int, default=300, help=argparse.SUPPRESS)
    demo.add_argument(
        "--seed-only", action="store_true", help="prepare the database and data, then exit"
    )
    demo.set_defaults(func=cmd_demo)

    listing = subparsers.add_parser("achievements", help="list an issuer's badges")
    listing.add_argument("--issuer", required=True, help="the issuer's slug")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--data-dir")
    listing.set_defaults(func=cmd_achievements)

    award = subparsers.add_parser("award", help="award a badge to one learner")
    award.add_argument("--issuer", required=True)
    award.add_argument("--achievement", required=True, help="the badge's slug")
    award.add_argument("--email", required=True)
    award.add_argument("--name", required=True)
    award.add_argument("--evidence")
    award.add_argument("--narrative")
    award.add_argument("--result")
    award.add_argument("--data-dir")
    award.set_defaults(func=cmd_award)

    create = subparsers.add_parser(
        "organization-create",
        help="create an issuing organization and its owner (prints a sign-in link)",
        description="Create an issuing organization with its first signing key and owner.",
        epilog="example:\n  baeji organization-create --slug youth-centre --name '청소년센터' "
        "--owner-email admin@youth.example.kr",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    create.add_argument("--slug", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--kind", choices=["authority", "institution"], default="institution")
    create.add_argument("--parent", help="the slug of the authority it belongs to")
    create.add_argument("--owner-email", required=True)
    create.add_argument("--data-dir")
    create.set_defaults(func=cmd_organization_create)
    register_send_reminders(subparsers)
    register_issue_bulk(subparsers)
    register_worker(subparsers)
