"""Settings, read from environment variables with strict parsing.

LAODONG_DATA_DIR      where the SQLite database and uploads live (default: ./data)
DATABASE_URL          e.g. postgres://user:pass@host:5432/laodong (default: SQLite in the data dir)
LAODONG_SECRET_KEY    required unless debugging, testing or running the demo
LAODONG_DEBUG         true/false (default false)
LAODONG_ALLOWED_HOSTS comma-separated host names (default: localhost,127.0.0.1)
LAODONG_HTTPS         true/false: secure cookies and HSTS (default true, false in demo/debug)
LAODONG_RUN_JOBS_INLINE true/false: run police-list imports inside the request instead of a
                      background thread (default false; true in tests)
LAODONG_SIGNATURE_TITLE lines above the head's signature on reports ("|" between lines;
                      default "TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH", e.g. "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH")
LAODONG_FILE_MAX_*    what an uploaded file may hold (docs/operations.md)
LAODONG_*_IMPORT_ROWS data rows one register/village/account import file may hold
LAODONG_BULK_UPDATE_ROWS rows one bulk-update file may hold (default 200000)
LAODONG_EVIDENCE_MAX_MB size of one scanned document (default 5)
LAODONG_HEAVY_QUERIES heavy statements (raw counts, summary rebuilds) at once on the server
                      (default: half the cores); LAODONG_HEAVY_WAIT_SECONDS how long a request
                      waits for one before the "busy" page (default 30)
LAODONG_SUMMARY_INLINE_COMMUNES whole communes of the statistics' summary a reader rebuilds
                      itself; more are rebuilt in the background (default 10)
"""

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable; refuse anything that is not clearly true or false."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, allow_zero: bool = False) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or (int(value) == 0 and not allow_zero):
        raise ImproperlyConfigured(f"{name} must be a positive whole number, not {value!r}.")
    return int(value)


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "PYTEST_VERSION" in os.environ or "test" in sys.argv[1:2]
DEMO = env_bool("LAODONG_DEMO", False)
DEBUG = env_bool("LAODONG_DEBUG", False)
DATA_DIR = Path(os.environ.get("LAODONG_DATA_DIR", Path.cwd() / "data")).resolve()

SECRET_KEY = os.environ.get("LAODONG_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or DEMO or TESTING):
        raise ImproperlyConfigured("Set LAODONG_SECRET_KEY (a long random string) in production.")
    SECRET_KEY = get_random_secret_key()

# Background imports run in a thread of the web process; tests run them in the request instead.
LAODONG_RUN_JOBS_INLINE = env_bool("LAODONG_RUN_JOBS_INLINE", TESTING)
# Uploaded police lists and their error files are deleted this many days after upload by
# `laodong cleanup` (run it daily from cron; docs/operations.md).
LAODONG_UPLOAD_RETENTION_DAYS = env_int("LAODONG_UPLOAD_RETENTION_DAYS", 90)
# One-time passwords (TOTP, django-otp): required for the roles that see a whole province or
# the country (accounts.twofactor.REQUIRED_ROLES), optional for everyone else. Off in the demo,
# debugging and tests unless asked for (LAODONG_REQUIRE_TOTP).
LAODONG_REQUIRE_TOTP = env_bool("LAODONG_REQUIRE_TOTP", not (DEBUG or DEMO or TESTING))
OTP_TOTP_ISSUER = "laodong"
# What a file reader reads at most (laodong.core.tabular.ReadLimits; docs/operations.md).
LAODONG_FILE_LIMITS = {
    "uncompressed": env_int("LAODONG_FILE_MAX_UNCOMPRESSED_MB", 400) * 1024 * 1024,
    "shared_strings": env_int("LAODONG_FILE_MAX_TEXT_MB", 8) * 1024 * 1024,
    "rows": env_int("LAODONG_FILE_MAX_ROWS", 2_000_000),
    "columns": env_int("LAODONG_FILE_MAX_COLUMNS", 500),
    "cell": env_int("LAODONG_FILE_MAX_CELL", 32_767),
}
# Data rows one import file may hold. The register import runs in the background and holds
# the rows it checks (about 3 KB each); villages and accounts are written within the request,
# so their files stay within a proxy's 30 seconds (a village about 15 ms on PostgreSQL, an
# account about 0.5 s for hashing its temporary password).
LAODONG_REGISTER_IMPORT_ROWS = env_int("LAODONG_REGISTER_IMPORT_ROWS", 50_000)
LAODONG_VILLAGE_IMPORT_ROWS = env_int("LAODONG_VILLAGE_IMPORT_ROWS", 1_000)
LAODONG_ACCOUNT_IMPORT_ROWS = env_int("LAODONG_ACCOUNT_IMPORT_ROWS", 40)
# A scanned document backing a request or a closure (PDF, JPEG or PNG), in megabytes.
LAODONG_EVIDENCE_MAX_MB = env_int("LAODONG_EVIDENCE_MAX_MB", 5)
# Heavy statements at once on the whole server (0: half the cores), and how long a request
# waits for one before the "busy" page (laodong/core/heavy.py).
LAODONG_HEAVY_QUERIES = env_int("LAODONG_HEAVY_QUERIES", 0)
LAODONG_HEAVY_WAIT_SECONDS = env_int("LAODONG_HEAVY_WAIT_SECONDS", 30)
LAODONG_SUMMARY_INLINE_COMMUNES = env_int("LAODONG_SUMMARY_INLINE_COMMUNES", 10)
# Rows one "cập nhật từ tệp" file may hold.
LAODONG_BULK_UPDATE_ROWS = env_int("LAODONG_BULK_UPDATE_ROWS", 200_000)
# Above the head's signature on reports a commune or province issues; lines separated by "|".
LAODONG_SIGNATURE_TITLE = os.environ.get("LAODONG_SIGNATURE_TITLE", "TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH")

# E-mail for reminders (`laodong notify`); none is sent while LAODONG_EMAIL_HOST is empty.
EMAIL_HOST = os.environ.get("LAODONG_EMAIL_HOST", "")
EMAIL_PORT = env_int("LAODONG_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("LAODONG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LAODONG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LAODONG_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("LAODONG_EMAIL_FROM", "laodong@localhost")
# The address of the site, for links in e-mails ("https://laodong.laocai.gov.vn").
LAODONG_SITE_URL = os.environ.get("LAODONG_SITE_URL", "")
# How reminders leave the app, besides the list inside it: classes with configured() and
# send(user, notices) (laodong/notices/channels.py); an SMS or Zalo gateway is added here.
LAODONG_NOTICE_CHANNELS = env_list(
    "LAODONG_NOTICE_CHANNELS", "laodong.notices.channels.EmailChannel"
)

ALLOWED_HOSTS = env_list("LAODONG_ALLOWED_HOSTS", "localhost,127.0.0.1")
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "laodong.core",
    "laodong.audit",
    "laodong.units",
    "laodong.accounts",
    "laodong.forms",
    "laodong.register",
    "laodong.campaigns",
    "laodong.collection",
    "laodong.handover",
    "laodong.reconcile",
    "laodong.reports",
    "laodong.api",
    "laodong.overview",
    "laodong.notices",
    "laodong.offline",
    "laodong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "laodong.api.middleware.JsonErrorsMiddleware",
    "laodong.audit.context.RequestAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "laodong.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "laodong.core.middleware.SecurityHeadersMiddleware",
    "laodong.core.middleware.BusyMiddleware",
    "laodong.accounts.middleware.PasswordChangeRequiredMiddleware",
    "laodong.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "laodong.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "laodong.urls"
WSGI_APPLICATION = "laodong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "laodong.core.context_processors.capabilities",
                "laodong.offline.context_processors.page_scripts",
            ],
        },
    },
]

_default_database = f"sqlite:///{DATA_DIR / 'laodong.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_database))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if "DATABASE_URL" not in os.environ:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while a background job writes; IMMEDIATE transactions
    # and a busy timeout make concurrent writers wait instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while the account or the address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "laodong.accounts.backends.AccountBackend",
]

# Sign-in throttling (django-axes): after LAODONG_SIGNIN_FAILURES wrong passwords for one
# account, or from one address, signing in there is refused for LAODONG_SIGNIN_LOCK_MINUTES;
# a successful sign-in clears the count, and an account manager's new temporary password
# unlocks the account at once (docs/access.md "Sign-in").
AXES_FAILURE_LIMIT = env_int("LAODONG_SIGNIN_FAILURES", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LAODONG_SIGNIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "laodong.core.net.client_ip"
AXES_VERBOSE = False
# Every sign-in is kept with its time, address and browser: successful ones (AccessLog) and,
# one row each, failed ones (AccessFailureLog).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "overview-home"
LOGOUT_REDIRECT_URL = "accounts-login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Passwords Vietnamese users choose first ("matkhau1", "laodong1", "123456a@").
    {"NAME": "laodong.accounts.passwords.VietnameseCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Real hashing costs ~0.4 s per account; tests create hundreds.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["laodong.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
_manifest = not (DEBUG or DEMO or TESTING)
# Outside production, static files come straight from the apps (WHITENOISE_USE_FINDERS).
STATIC_ROOT = DATA_DIR / "static" if _manifest else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _manifest
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not _manifest
MEDIA_ROOT = DATA_DIR / "media"

HTTPS = env_bool("LAODONG_HTTPS", not (DEBUG or DEMO or TESTING))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("LAODONG_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SESSION_COOKIE_HTTPONLY = True
# Signed out after LAODONG_IDLE_MINUTES without a request (accounts.middleware), after a
# working day at the latest, and when the browser closes.
LAODONG_IDLE_MINUTES = env_int("LAODONG_IDLE_MINUTES", 30)
# Days without a sync after which an enumerator's phone clears its offline data (docs/privacy.md).
LAODONG_OFFLINE_DAYS = env_int("LAODONG_OFFLINE_DAYS", 14)
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Behind a reverse proxy: how many proxies append to X-Forwarded-For (0: use the connection's
# own address). Sign-in throttling and the audit log take the client's address from here.
LAODONG_PROXY_COUNT = env_int("LAODONG_PROXY_COUNT", 0, allow_zero=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("LAODONG_CSRF_TRUSTED_ORIGINS", "")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LAODONG_LOG_LEVEL", "INFO")},
    # Request logs carry URLs only; personal data never goes into a URL.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # fontTools reports every glyph subset at INFO when a PDF is made.
        "fontTools": {"level": "WARNING"},
    },
}
