"""The platform commands (in-process, on the test database) and staff invitations."""

from __future__ import annotations

import argparse
import json

from django.core import mail

from baeji import platform_cli
from baeji.awards.models import Award
from baeji.organizations.models import Membership


def _run(capsys, *argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    platform_cli.register(sub)
    args = parser.parse_args(list(argv))
    code = args.func(args)
    return code, capsys.readouterr()


def test_achievements_json(capsys, world, swim_badge):
    code, out = _run(capsys, "achievements", "--issuer", "school", "--json")
    assert code == 0
    assert json.loads(out.out) == [
        {"slug": "swim-1", "id": swim_badge.public_id, "name": "수영 1단계"}
    ]
    code, out = _run(capsys, "achievements", "--issuer", "nobody")
    assert code == 2


def test_award_prints_the_url_last(capsys, world, swim_badge, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        code, out = _run(
            capsys,
            "award",
            "--issuer",
            "school",
            "--achievement",
            "swim-1",
            "--email",
            "cli@example.com",
            "--name",
            "최지호",
            "--result",
            "44초",
            "--evidence",
            "https://example.org/e",
            "--narrative",
            "잘 했어요",
        )
    assert code == 0
    award = Award.objects.get()
    assert out.out.strip().splitlines()[-1] == f"https://badges.example.org/c/{award.public_id}"
    assert award.result == "44초" and award.evidence_url == "https://example.org/e"
    assert mail.outbox[0].to == ["cli@example.com"]


def test_award_refuses_unknown_badge_and_bad_email(capsys, world, swim_badge):
    assert (
        _run(
            capsys,
            "award",
            "--issuer",
            "school",
            "--achievement",
            "nope",
            "--email",
            "a@example.com",
            "--name",
            "A",
        )[0]
        == 2
    )
    assert (
        _run(
            capsys,
            "award",
            "--issuer",
            "school",
            "--achievement",
            "swim-1",
            "--email",
            "not-an-address",
            "--name",
            "A",
        )[0]
        == 2
    )
    assert not Award.objects.exists()


def test_invitation_email_and_accept(client, world, django_capture_on_commit_callbacks):
    from tests.platform.conftest import make_user

    client.force_login(world.owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/orgs/school/members", {"email": "new@school.example", "role": "issuer"}
        )
    assert response.status_code == 302
    message = mail.outbox[0]
    assert message.to == ["new@school.example"]
    path = message.body.split("https://badges.example.org", 1)[1].split()[0]
    assert path in message.alternatives[0][0]
    newcomer = make_user("new@school.example")
    client.force_login(world.outsider)
    client.post(path)
    assert not Membership.objects.filter(user=world.outsider, organization=world.school).exists()
    client.force_login(newcomer)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=newcomer, organization=world.school).role == "issuer"
    assert client.get("/orgs/school/").status_code == 200


def test_sign_in_link_works_once(client, world):
    from baeji.accounts.claims import login_url

    path = login_url(world.member).removeprefix("https://badges.example.org")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert client.get("/me/badges").status_code == 200
    client.logout()
    assert client.post(path).status_code == 400  # last_login changed: the link is spent
