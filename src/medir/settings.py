"""MedIR settings: zero configuration by default, environment variables to
change anything. A bad value stops start-up with a message naming it.

MEDIR_DATA_DIR      data folder (database, secret key, uploads); ./data
DATABASE_URL        e.g. postgres://user:pass@host/db; SQLite in the data
                    folder when unset
MEDIR_LISTEN        address `medir serve` listens on; 127.0.0.1:8000
MEDIR_PUBLIC_URL    the URL people reach MedIR at (printed in QR codes)
MEDIR_PLAYBOOK      a hospital's own playbook file instead of the built-in one
MEDIR_DEADLINE_RULES  a hospital's own deadline rules instead of the built-in
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
MEDIR_PATCH_MAX_AGE_DAYS remote-maintenance devices patched longer ago
                    are listed on the dashboard; 90
MEDIR_SESSION_HOURS hours a log-in lasts, from the last request; 12 (a night
                    shift), 1 to 168. Closing the browser does not log out.

With an https MEDIR_PUBLIC_URL, MedIR redirects http to https, sends HSTS
and marks its cookies secure. Ten wrong passwords (or two-factor codes)
for one user name from one address lock that pair out for 15 minutes
(django-axes); management, security managers and administrators log in
with a TOTP code as well (accounts/two_factor.py); every page carries a
Content Security Policy without inline scripts.
"""

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
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
        # Written whole to a private file first and then linked into place:
        # a second process starting at the same moment either wins the link
        # or reads the winner's complete key, never a half-written one.
        draft = DATA_DIR / f".secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
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
DEADLINE_RULES_FILE = read_path(
    "MEDIR_DEADLINE_RULES", PACKAGE_DIR / "deadlines" / "rules.yaml"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    # Before medir.accounts, whose admin takes their device pages out of
    # the admin (devices change only through the audited services).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "medir.accounts",
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
    "medir.network",
    "medir.kit",
    "medir.backup",
    "medir.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "medir.lib.middleware.JapaneseFirstLocaleMiddleware",
    "medir.lib.middleware.Utf8BodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Management, the security manager and administrators (and anyone who
    # set up an authenticator app) go no further without their code.
    "medir.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks: it turns a refused log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
# Remote-maintenance devices (VPN appliances) not patched for longer than
# this are listed on the dashboard of management and the security manager.
MEDIR_PATCH_MAX_AGE_DAYS = read_int(
    "MEDIR_PATCH_MAX_AGE_DAYS", 90, minimum=1, maximum=3650
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

# Argon2 first: new passwords use it and older PBKDF2 hashes are rehashed
# at the next successful log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# axes first, so that a locked-out pair is refused before any password is
# checked (on the log-in page, the admin's and anything else that calls
# authenticate); force_login in tests does not authenticate and is unaffected.
# The model backend refuses break-glass accounts everywhere except on the
# break-glass page, so that their use is always recorded.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "medir.accounts.backends.AccountBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
# A user name and address together: a whole ward behind one NAT address is
# not locked out by one person's typos, nor is a user locked out everywhere
# by someone guessing from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "medir.accounts.signals.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Keep refused attempts from restarting the 15 minutes, so that the person
# locked out knows when to try again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The audit chain records lock-outs; axes's own per-attempt logging would
# print user names to the console, which the log never carries.
AXES_VERBOSE = False

# Two-factor authentication (accounts/two_factor.py): the issuer names
# MedIR in the authenticator app. django-otp also slows a device down after
# each wrong code (1 s, 2 s, 4 s …), whatever address the codes come from.
OTP_TOTP_ISSUER = "MedIR"

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

# A log-in lasts a night shift from the last request (sessions are saved
# on every request so that it is measured from activity, not from log-in),
# and a shared ward PC must be logged out rather than trusted to be closed.
SESSION_COOKIE_AGE = read_int("MEDIR_SESSION_HOURS", 12, minimum=1, maximum=168) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = PUBLIC_URL.startswith("https://")
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # Only over https: HSTS on a plain-http laptop install would lock
    # browsers out of it for a year.
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # waitress speaks plain http, so an https URL always means a reverse
    # proxy that ends TLS; it must send X-Forwarded-Proto, or every request
    # would look like http and redirect forever. A client that forges the
    # header while bypassing the proxy only skips its own redirect.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload (security.W021) is for a registrable domain such as
    # hospital.example.jp, decided by whoever owns it and hard to undo;
    # MedIR on its own host name cannot make that decision.
    "security.W021",
]

# No inline scripts anywhere; inline <style> only with the page's nonce
# (the API docs page). The 500 page is rendered without a request, so its
# one style attribute is allowed by its hash (see urls.handler500).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
    "loggers": {
        "medir": {"level": LOG_LEVEL, "propagate": True},
        # A refused page (403, 404) is an answer, not a fault; Django would
        # log each with a traceback that looks like a crash to IT staff.
        # Server errors (500) are still logged.
        "django.request": {"level": "ERROR", "propagate": True},
    },
}
