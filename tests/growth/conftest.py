"""The growth tests share the guardians tests' fixtures."""

from tests.guardians.conftest import (  # noqa: F401
    _platform_settings,
    badges,
    child,
    guardian_email,
    world,
)
