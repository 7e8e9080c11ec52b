"""A worker process of the e-mail locking test, on the file-based database named by the
environment (settings ``tests.claims.sender_settings``).

``python -m tests.claims.locking_sender seed`` migrates the database, queues one e-mail and
prints the delivery's id; ``python -m tests.claims.locking_sender attempt ID`` tries that
delivery once, as the ``deliver_email`` task does, and prints its status afterwards.
"""

from __future__ import annotations

import sys

import django


def main(argv: list[str]) -> None:
    """Seed or attempt."""
    django.setup()
    from baeji.emails.models import Delivery
    from baeji.emails.services import delivery_attempt

    if argv[0] == "seed":
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        delivery = Delivery.objects.create(
            to="minjun@learners.example", subject="배지가 도착했습니다", body_text="축하합니다."
        )
        print(delivery.pk)
    else:
        print(delivery_attempt(delivery_id=int(argv[1])).status)


if __name__ == "__main__":
    main(sys.argv[1:])
