"""Shared pytest configuration. The credential tests need no database; the platform tests
get their fixtures from tests/platform/conftest.py."""

import logging

# The task backend logs every task at INFO from the live server's threads, after pytest has
# closed the stream it captured for the test; that only adds noise to the output.
logging.getLogger("django_tasks").setLevel(logging.WARNING)
