"""Shared pytest configuration. The credential tests need no database; the platform tests
get their fixtures from tests/platform/conftest.py."""
