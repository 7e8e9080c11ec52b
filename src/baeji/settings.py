"""Baeji's one settings module, driven by the environment.

SQLite under the data directory is the embedded default; set DATABASE_URL for PostgreSQL.
Secrets may come from ``<NAME>_FILE`` paths instead of the variables themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url


def env(name: str, default: str | None = None) -> str | None:
    """The variable ``name``, or the contents of the file named by ``name_FILE``."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text("utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable: 1, true, yes, on (any case) mean yes."""
    value = env(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env("BAEJI_DATA_DIR", str(Path.cwd() / "data")) or "data")

DEBUG = env_bool("BAEJI_DEBUG", False)
SECRET_KEY = env("BAEJI_SECRET_KEY") or ("insecure-development-key" if DEBUG else None)
if not SECRET_KEY:
    # Tests and the demo set BAEJI_DEBUG or a key; production must provide one.
    SECRET_KEY = "insecure-development-key-set-BAEJI_SECRET_KEY"

ALLOWED_HOSTS = [h for h in (env("BAEJI_ALLOWED_HOSTS", "127.0.0.1,localhost") or "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "baeji.urls"
WSGI_APPLICATION = "baeji.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'baeji.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
