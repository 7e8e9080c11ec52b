"""Settings of the worker processes of the e-mail locking test: a file-based SQLite database
(from BAEJI_DATA_DIR), tasks recorded and not run, the mail server of the test."""

from baeji.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.claims.gate_backend.SocketGateBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
