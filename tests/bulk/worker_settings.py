"""Settings for the worker processes of the crash test: small chunks, short leases."""

from baeji.settings import *  # noqa: F403

BAEJI_BULK_CHUNK_SIZE = 40
BAEJI_BULK_LEASE_SECONDS = 2
