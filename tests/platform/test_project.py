"""Project-level checks: migrations are complete, deploy checks pass with production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


def _deploy_check(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("BAEJI_")}
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env={**base, "DJANGO_SETTINGS_MODULE": "baeji.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_is_clean_in_production(tmp_path):
    result = _deploy_check(
        {
            "BAEJI_BASE_URL": "https://badges.example.org",
            "BAEJI_SECRET_KEY": "x" * 20 + "a-long-and-random-production-secret-key-value-123",
            "BAEJI_KEK": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            "BAEJI_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_complains_without_a_secret(tmp_path):
    result = _deploy_check(
        {"BAEJI_BASE_URL": "https://badges.example.org", "BAEJI_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
