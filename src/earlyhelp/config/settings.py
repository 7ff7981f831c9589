"""Settings for EarlyHelp, read from the environment (12-factor).

Every value has a safe default for a single-machine install: an SQLite file under
``var/``, a secret key generated once into ``var/``, email written to files.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from earlyhelp.config import scaling

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("EARLYHELP_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no setting: 1, true, yes and on are true."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated setting."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The SECRET_KEY from the environment, or one generated once into var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",
    "django_rq",
    "earlyhelp.core",
    "earlyhelp.audit",
    "earlyhelp.accounts",
    "earlyhelp.configuration",
    "earlyhelp.workforce",
    "earlyhelp.people",
    "earlyhelp.outbox",
    "earlyhelp.tasks",
    "earlyhelp.approvals",
    "earlyhelp.referrals",
    "earlyhelp.cases",
    "earlyhelp.allocation",
    "earlyhelp.planning",
    "earlyhelp.outreach",
    "earlyhelp.centres",
    "earlyhelp.outcomes",
    "earlyhelp.claims",
    "earlyhelp.reporting",
    "earlyhelp.county",
    "earlyhelp.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "earlyhelp.core.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "earlyhelp.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "earlyhelp.core.middleware.SecurityHeadersMiddleware",
    "earlyhelp.core.middleware.ApiProblemMiddleware",
    "earlyhelp.core.middleware.DomainErrorPageMiddleware",
    "axes.middleware.AxesMiddleware",
    "earlyhelp.core.routers.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "earlyhelp.config.urls"
WSGI_APPLICATION = "earlyhelp.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "earlyhelp" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "earlyhelp.core.context_processors.service",
            ],
        },
    },
]
# Our templates override Django's widget templates with GOV.UK Frontend markup.
FORM_RENDERER = "earlyhelp.core.forms.GovukFormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'earlyhelp.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# A read replica for the performance pages (DATABASE_REPLICA_URL); writes, migrations
# and everything else use the default database.
DATABASES |= scaling.replica_databases(
    os.environ, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
)
DATABASE_ROUTERS = ["earlyhelp.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NCSC guidance: length and a deny-list of common passwords, no composition rules,
# no forced expiry.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sessions end after 30 idle minutes: requests push the expiry on (at most once a minute).
SESSION_COOKIE_AGE = 30 * 60
# Sessions in the database, cached in Redis when REDIS_URL is set (config/scaling.py).
SESSION_ENGINE = scaling.session_engine(os.environ)
CACHES = scaling.caches(os.environ)
# Background work: the outbox loop and cron, or Redis workers with JOBS_BACKEND=rq.
JOBS_BACKEND = scaling.jobs_backend(os.environ)
RQ_QUEUES = scaling.rq_queues(os.environ)
SESSION_SAVE_EVERY_REQUEST = False  # IdleSessionMiddleware saves it once a minute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Production hardening: on whenever the site is served over HTTPS.
SECURE = env_bool("SECURE", default=not DEBUG and env_bool("HTTPS", default=False))
if SECURE:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)

# Sign-in throttling: five failures for one account from one address locks it for
# fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lockouts are lifted by a system administrator with `manage.py axes_reset_username EMAIL`;
# the admin pages would let anyone with admin access lift them with no record.
AXES_ENABLE_ADMIN = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0")) or None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, g:i a"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": scaling.default_storage(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "earlyhelp@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SERVICE_NAME = os.environ.get("SERVICE_NAME", "Early Help")
# How long a process trusts its cached working-day calendar before reading the closure
# days again (another process may have changed them).
CALENDAR_CACHE_SECONDS = float(os.environ.get("CALENDAR_CACHE_SECONDS", "60"))
# Shows a banner on every page saying the people in the system are synthetic.
DEMO_MODE = env_bool("DEMO_MODE")

# Two-factor sign-in: staff confirm each sign-in with a code from an authenticator app
# (TOTP) or a one-time recovery code. Only `make run` (the demo) turns it off; a
# deployment check warns if it is off outside DEBUG or DEMO_MODE.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = SERVICE_NAME
# Each wrong code doubles the wait before the next try (1, 2, 4, 8 ... seconds).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
