"""MedIR settings: zero configuration by default, environment variables to
change anything. A bad value stops start-up with a message naming it.

MEDIR_DATA_DIR      data folder (database, secret key, uploads); ./data
DATABASE_URL        e.g. postgres://user:pass@host/db; SQLite in the data
                    folder when unset
MEDIR_LISTEN        address `medir serve` listens on; 127.0.0.1:8000
MEDIR_PUBLIC_URL    the URL people reach MedIR at (printed in QR codes)
MEDIR_PLAYBOOK      a hospital's own playbook file instead of the built-in one
MEDIR_DEBUG         1 to turn on Django's debug pages (never in production)
MEDIR_SECRET_KEY    overrides the key generated into the data folder
MEDIR_REPORT_RATE   limits on the public report page per address; 60/m,600/h
MEDIR_EVIDENCE_MAX_MB      largest evidence upload in MB; 4096
MEDIR_CONTACT_MAX_AGE_DAYS contacts verified longer ago are flagged; 180
MEDIR_TRUSTED_PROXY 1 to take the client address from X-Forwarded-For
MEDIR_LOG_LEVEL     INFO for the server; commands other than serve log
                    WARNING unless this is set
MEDIR_SMTP_HOST     mail server for deadline reminders; unset: reminders
                    are shown on screen only
MEDIR_SMTP_PORT     its port; 587
MEDIR_SMTP_USER     user name for the mail server, if it asks for one
MEDIR_SMTP_PASSWORD its password
MEDIR_SMTP_TLS      1 to encrypt (STARTTLS; TLS from the start on port 465),
                    0 for a plain relay; 1
MEDIR_MAIL_FROM     sender address of reminders; required with a mail server
MEDIR_REMINDER_DAYS days before a due date that count as "due soon"; 1
MEDIR_REMINDER_INTERVAL seconds between runs of the reminder job in
                    `medir serve`; 900
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from medir.lib.env import (
    read_bool,
    read_int,
    read_listen_address,
    read_path,
    read_url,
)
from medir.reporting.rates import read_rates

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = read_path("MEDIR_DATA_DIR", Path.cwd() / "data")
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as error:
    raise ImproperlyConfigured(
        f"MEDIR_DATA_DIR={DATA_DIR}: cannot create the data folder ({error})."
    ) from None

DEBUG = read_bool("MEDIR_DEBUG", False)


def _load_secret_key() -> str:
    """Return the installation's secret key, creating it on first start.

    The key lives in the data folder so that it survives upgrades, is never
    committed, and differs between installations.
    """
    from_env = os.environ.get("MEDIR_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    key = key_file.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{key_file} holds a key that is too short.")
    return key


SECRET_KEY = _load_secret_key()

LISTEN_HOST, LISTEN_PORT = read_listen_address("MEDIR_LISTEN", "127.0.0.1:8000")
PUBLIC_URL = read_url("MEDIR_PUBLIC_URL", f"http://127.0.0.1:{LISTEN_PORT}")

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", urlsplit(PUBLIC_URL).hostname]
if LISTEN_HOST not in {"0.0.0.0", "::"}:
    ALLOWED_HOSTS.append(LISTEN_HOST)
CSRF_TRUSTED_ORIGINS = [PUBLIC_URL]

PLAYBOOK_FILE = read_path("MEDIR_PLAYBOOK", PACKAGE_DIR / "playbook" / "mhlw.yaml")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "medir.audit",
    "medir.organisation",
    "medir.playbook",
    "medir.incidents",
    "medir.replay",
    "medir.reporting",
    "medir.api",
    "medir.deadlines",
    "medir.authority",
    "medir.evidence",
    "medir.contacts",
    "medir.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "medir.lib.middleware.JapaneseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "medir.urls"
WSGI_APPLICATION = "medir.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=60)
        except Exception as error:
            raise ImproperlyConfigured(
                f"DATABASE_URL is not a database URL I can use ({error})."
            ) from None
        if config.get("ENGINE") != "django.db.backends.postgresql":
            raise ImproperlyConfigured(
                "DATABASE_URL must be a postgres:// URL; leave it unset for the "
                "embedded SQLite database."
            )
        return config

    # WAL lets readers work while one writer commits; IMMEDIATE takes the
    # write lock at BEGIN so concurrent writers queue on the busy timeout
    # instead of failing with "database is locked" when they upgrade a read
    # lock. It also serialises audit-chain appends.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "medir.sqlite3",
        # A file, not memory, so that tests with several threads share it.
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON;"
            ),
        },
    }


DATABASES = {"default": _database()}

# The database is the one store every server process shares, so rate
# limits kept in this cache hold across processes without another server.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "medir_cache",
    }
}
# Report-page POSTs allowed per client address (see reporting/limits.py
# for why so many), and whether X-Forwarded-For from a proxy is trusted.
MEDIR_REPORT_RATE = read_rates("MEDIR_REPORT_RATE", "60/m,600/h")
MEDIR_EVIDENCE_MAX_MB = read_int(
    "MEDIR_EVIDENCE_MAX_MB", 4096, minimum=1, maximum=1024 * 1024
)
MEDIR_CONTACT_MAX_AGE_DAYS = read_int(
    "MEDIR_CONTACT_MAX_AGE_DAYS", 180, minimum=1, maximum=3650
)
MEDIR_TRUSTED_PROXY = read_bool("MEDIR_TRUSTED_PROXY", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Deadline reminders by e-mail (deadlines/reminders.py), sent through
# Django's mail API. Without a mail server the reminders stay on screen.
EMAIL_HOST = os.environ.get("MEDIR_SMTP_HOST", "").strip()
if any(char in EMAIL_HOST for char in " /:"):
    raise ImproperlyConfigured(
        f"MEDIR_SMTP_HOST={EMAIL_HOST!r} is not a host name; give the port "
        "in MEDIR_SMTP_PORT."
    )
MEDIR_MAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_PORT = read_int("MEDIR_SMTP_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = os.environ.get("MEDIR_SMTP_USER", "").strip()
EMAIL_HOST_PASSWORD = os.environ.get("MEDIR_SMTP_PASSWORD", "")
# Port 465 speaks TLS from the first byte; other ports upgrade with STARTTLS.
_SMTP_TLS = read_bool("MEDIR_SMTP_TLS", True)
EMAIL_USE_SSL = _SMTP_TLS and EMAIL_PORT == 465
EMAIL_USE_TLS = _SMTP_TLS and EMAIL_PORT != 465
# The job holds the database's write lock while it sends (so that a
# reminder is recorded only when it went out): keep a dead server short.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("MEDIR_MAIL_FROM", "").strip()
if MEDIR_MAIL_ENABLED and not DEFAULT_FROM_EMAIL:
    raise ImproperlyConfigured(
        "MEDIR_SMTP_HOST is set but MEDIR_MAIL_FROM is not: give the sender "
        "address of reminders, e.g. medir@hospital.example.jp."
    )
if DEFAULT_FROM_EMAIL:
    try:
        validate_email(DEFAULT_FROM_EMAIL)
    except ValidationError:
        raise ImproperlyConfigured(
            f"MEDIR_MAIL_FROM={DEFAULT_FROM_EMAIL!r} is not an e-mail address."
        ) from None
else:
    DEFAULT_FROM_EMAIL = "medir@localhost"
MEDIR_REMINDER_DAYS = read_int("MEDIR_REMINDER_DAYS", 1, minimum=0, maximum=30)
MEDIR_REMINDER_INTERVAL = read_int(
    "MEDIR_REMINDER_INTERVAL", 900, minimum=5, maximum=86400
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PUBLIC_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOG_LEVEL = os.environ.get("MEDIR_LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
    raise ImproperlyConfigured(
        f"MEDIR_LOG_LEVEL={LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"medir": {"level": LOG_LEVEL, "propagate": True}},
}
