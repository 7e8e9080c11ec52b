"""Operator commands: creating an organization, and Django management through `baeji manage`."""

from __future__ import annotations

import pytest

from baeji import cli
from baeji.keystore.models import SigningKey
from baeji.organizations.models import Membership, Organization


@pytest.fixture
def run(capsys):
    def run(*argv):
        code = cli.main(list(argv))
        return code, capsys.readouterr()

    return run


def test_organization_create_makes_owner_and_key(run, world):
    code, out = run(
        "organization-create",
        "--slug",
        "new-centre",
        "--name",
        "새 청소년센터",
        "--parent",
        world.authority.slug,
        "--owner-email",
        " Boss@Centre.Example.KR ",
    )
    assert code == 0, out.err
    organization = Organization.objects.get(slug="new-centre")
    assert organization.name == "새 청소년센터" and organization.parent == world.authority
    membership = Membership.objects.get(organization=organization)
    assert membership.role == "owner" and membership.user.email == "boss@centre.example.kr"
    assert SigningKey.objects.filter(organization=organization).count() == 1
    assert "/signin/" in out.out.strip().splitlines()[-1]


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--slug", "school", "--name", "x", "--owner-email", "a@b.kr"], "already exists"),
        (["--slug", "bad slug", "--name", "x", "--owner-email", "a@b.kr"], "slug"),
        (["--slug", "ok", "--name", "x", "--owner-email", "not-mail"], "e-mail"),
        (["--slug", "ok", "--name", "x", "--owner-email", "a@b.kr", "--parent", "nope"], "nope"),
    ],
)
def test_organization_create_refuses_bad_input(run, world, argv, message):
    count = Organization.objects.count()
    code, out = run("organization-create", *argv)
    assert code == 2
    assert message in out.err.lower() or message in out.err
    assert Organization.objects.count() == count


def test_manage_runs_django_commands(run, db):
    code, out = run("manage", "check")
    assert code == 0
    assert "no issues" in out.out.lower()
