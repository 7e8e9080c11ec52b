"""Prepare a file-based database for the crash test (run as a separate process).

``python -m tests.bulk.seed_world`` migrates the database named by the environment and
creates the ``school`` institution with a ``reading`` badge.
"""

from __future__ import annotations

import django


def main() -> None:
    """Migrate and seed."""
    django.setup()
    from django.core.management import call_command

    from baeji.achievements.services import achievement_create
    from baeji.organizations.services import organization_create

    call_command("migrate", interactive=False, verbosity=0)
    authority = organization_create(slug="authority", name="교육청", kind="authority")
    school = organization_create(slug="school", name="한빛 청소년센터", parent=authority)
    achievement_create(
        organization=school,
        slug="reading",
        name="독서 마라톤",
        description="독서 마라톤을 완주했습니다.",
        criteria_md="- 10권 읽기",
    )


if __name__ == "__main__":
    main()
