"""Baeji's one settings module, driven by the environment.

SQLite under the data directory is the embedded default; set DATABASE_URL for PostgreSQL.
Secrets may come from ``<NAME>_FILE`` paths instead of the variables themselves.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from baeji.core import i18n as _i18n


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
    SECRET_KEY = "insecure-development-key-set-BAEJI_SECRET_KEY"  # noqa: S105

# The public address of this installation: it names the did:web identities and every credential URL.
BASE_URL = (env("BAEJI_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
_BASE = urlsplit(BASE_URL)
if _BASE.scheme not in ("http", "https") or not _BASE.hostname or _BASE.path not in ("", "/"):
    # did:web identities are derived from the host alone, so the platform must own the root.
    raise ImproperlyConfigured(
        f"BAEJI_BASE_URL must be http(s)://host[:port] with no path, not {BASE_URL!r}"
    )
HTTPS = _BASE.scheme == "https"
# The demo and development show the captured e-mails at /dev/outbox; production never does.
DEV_OUTBOX = env_bool("BAEJI_DEV_OUTBOX", DEBUG or env_bool("BAEJI_DEMO"))

ALLOWED_HOSTS = [
    h.strip() for h in (env("BAEJI_ALLOWED_HOSTS", "") or "").split(",") if h.strip()
] or sorted({"127.0.0.1", "localhost", "testserver", _BASE.hostname or "127.0.0.1"})
CSRF_TRUSTED_ORIGINS = [f"{_BASE.scheme}://{_BASE.netloc}"]

INSTALLED_APPS = [
    # First, so its ready() compiles the catalogues before any app can load translations.
    "baeji.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "baeji.audit",
    "baeji.accounts",
    "baeji.organizations",
    "baeji.keystore",
    "baeji.achievements",
    "baeji.awards",
    "baeji.emails",
    "baeji.verification",
    "baeji.backpack",
    "baeji.bulk",
    "baeji.guardians",
    "baeji.growth",
    "baeji.claims",
    "baeji.api",
    "baeji.schedule",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "baeji.audit.middleware.RequestContextMiddleware",
    "baeji.accounts.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "baeji.urls"
WSGI_APPLICATION = "baeji.wsgi.application"
ASGI_APPLICATION = "baeji.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "baeji.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'baeji.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The task worker and the web server share the embedded database: wait for locks, don't fail.
    # IMMEDIATE takes the write lock when a transaction starts, so two writers queue up instead
    # of one failing mid-transaction with "database is locked"; WAL lets readers run meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_REQUIRED = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Baeji] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _BASE.scheme or "http"
ACCOUNT_ALLOW_REGISTRATION = env_bool("BAEJI_ALLOW_SIGNUP", True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Baeji"
# Staff must enrol a TOTP authenticator before using the platform (off only for the local demo).
BAEJI_STAFF_MFA_REQUIRED = env_bool(
    "BAEJI_STAFF_MFA_REQUIRED", not (DEBUG or env_bool("BAEJI_DEMO"))
)

TASKS = {"default": {"BACKEND": env("BAEJI_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

# Periodic duties, run by `baeji worker` (baeji.schedule; see docs/operations.md): seconds between
# two runs as "name=seconds,...", 0 turns a duty off (unset: the defaults); how often workers look.
BAEJI_PERIODIC_SECONDS = env("BAEJI_PERIODIC_SECONDS", "") or ""
BAEJI_PERIODIC_TICK_SECONDS = float(env("BAEJI_PERIODIC_TICK_SECONDS", "30") or 30)
# Claim-form rate limits, counted in the database (unset: the defaults in baeji.claims.ratelimit).
for _name in ("WINDOW", "PER_IP", "PER_SESSION"):
    if env(f"BAEJI_CLAIM_RATE_{_name}"):
        globals()[f"BAEJI_CLAIM_RATE_{_name}"] = int(env(f"BAEJI_CLAIM_RATE_{_name}") or 0)

# Bulk issuance limits (unset: the defaults in baeji.bulk.services.limits).
for _name in ("MAX_BYTES", "MAX_ROWS", "CHUNK_SIZE", "LEASE_SECONDS"):
    if env(f"BAEJI_BULK_{_name}"):
        globals()[f"BAEJI_BULK_{_name}"] = int(env(f"BAEJI_BULK_{_name}") or 0)

# E-mail: SMTP when a host is configured, otherwise the database outbox shown at /dev/outbox.
if env("BAEJI_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("BAEJI_SMTP_HOST")
    EMAIL_PORT = int(env("BAEJI_SMTP_PORT", "587") or 587)
    EMAIL_HOST_USER = env("BAEJI_SMTP_USER", "") or ""
    EMAIL_HOST_PASSWORD = env("BAEJI_SMTP_PASSWORD", "") or ""
    EMAIL_USE_TLS = env_bool("BAEJI_SMTP_STARTTLS", True)
    EMAIL_USE_SSL = env_bool("BAEJI_SMTP_SSL", False)
    # Seconds per exchange with the mail server; a hung server must not hold a worker forever
    # (and a try must end well within BAEJI_EMAIL_LEASE_SECONDS, see baeji.emails.services).
    EMAIL_TIMEOUT = int(env("BAEJI_SMTP_TIMEOUT", "30") or 30)
else:
    EMAIL_BACKEND = "baeji.emails.backends.DatabaseOutboxBackend"
DEFAULT_FROM_EMAIL = env("BAEJI_FROM_EMAIL", "Baeji <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Key-encryption key of the signing keys (32 bytes, base64): BAEJI_KEK or BAEJI_KEK_FILE.
BAEJI_KEK = env("BAEJI_KEK")
# Without a KEK the demo and development keep a generated one in the data directory.
BAEJI_KEK_AUTOCREATE = env_bool("BAEJI_KEK_AUTOCREATE", DEBUG or env_bool("BAEJI_DEMO"))

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
# Catalogues are kept as .po text in the tree and compiled to .mo under the data directory
# when the core app starts (see baeji.core.i18n), so no binary files live in git.
# Each app may keep its own catalogue (<app>/locale); all are compiled into the data directory.
LOCALE_SOURCES = _i18n.source_locale_dirs(BASE_DIR)
LOCALE_PATHS = [_i18n.target_dir(BASE_DIR, src, DATA_DIR / "locale") for src in LOCALE_SOURCES]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the source tree, so the demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# Transport security follows the public address: an https BASE_URL turns it all on.
SECURE_SSL_REDIRECT = env_bool("BAEJI_SSL_REDIRECT", HTTPS and not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(env("BAEJI_HSTS_SECONDS", "31536000" if HTTPS else "0") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BAEJI_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("BAEJI_HSTS_PRELOAD", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BAEJI_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("BAEJI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
