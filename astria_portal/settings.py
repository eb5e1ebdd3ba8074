"""
Settings for Astria Portal, read from the environment (and an optional .env file).

The defaults run a fresh clone: DEBUG on, SQLite under var/, the django-q2 ORM
broker on the same database, media on the local disk, the cache in the database,
console e-mail, and the offline Astria emulator.
A value that cannot be parsed does not crash the import: it falls back to its
default and is reported by the system check portal.E001 (see checks.py).
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# (variable, message) pairs collected while reading; checks.py reports them.
CONFIG_ERRORS = []

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    if raw.strip().lower() in _TRUE:
        return True
    if raw.strip().lower() in _FALSE:
        return False
    CONFIG_ERRORS.append((name, f"{raw!r} is not a boolean (use true or false)"))
    return default


def _int(name, default, minimum=0):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        CONFIG_ERRORS.append((name, f"{raw!r} is not a whole number"))
        return default
    if value < minimum:
        CONFIG_ERRORS.append((name, f"{value} is below the minimum of {minimum}"))
        return default
    return value


def _fraction(name, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = None
    if value is None or not 0 <= value <= 1:
        CONFIG_ERRORS.append((name, f"{raw!r} is not a number from 0 to 1"))
        return default
    return value


def _is_http_url(value):
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _parsed(name, parse, default, backend_key):
    """Read a URL-style variable with django-environ's parser."""
    if env.str(name, default=None) is None:
        return parse(default)
    try:
        value = parse(env.str(name))
    except Exception as exc:  # django-environ raises several types
        CONFIG_ERRORS.append((name, f"cannot be parsed: {exc}"))
        return parse(default)
    # django-environ passes an unknown scheme through as the backend name.
    if "." not in value.get(backend_key, ""):
        CONFIG_ERRORS.append((name, "has an unknown scheme"))
        return parse(default)
    return value


# --- Core -------------------------------------------------------------------

DEBUG = _bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="") or _DEV_SECRET_KEY
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

# Production (DEBUG off) has no defaults for these: checks.py asks for them.
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)

# The public root Astria calls back at; callback URLs are built from it.
# `make run` serves on WEB_PORT; in development the callbacks go back to it.
WEB_PORT = _int("WEB_PORT", 8000, minimum=1)
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL", default=f"http://127.0.0.1:{WEB_PORT}" if DEBUG else ""
).rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
if urlsplit(PUBLIC_BASE_URL).scheme == "https":
    CSRF_TRUSTED_ORIGINS.append(PUBLIC_BASE_URL)

SITE_NAME = env.str("SITE_NAME", default="Astria Portal")
SIGNUP_ENABLED = _bool("SIGNUP_ENABLED", True)

INSTALLED_APPS = [
    "astria_portal.apps.PortalConfig",
    "accounts",
    "tunes",
    "prompts",
    "gallery",
    "monitoring",
    "billing",
    "packs",
    "inspection",
    "pages",
    "astria_portal.apps.PortalAdminConfig",  # django.contrib.admin on the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "axes",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
]

MIDDLEWARE = [
    # First, so that its latencies cover the whole stack (monitoring, /metrics).
    "monitoring.middleware.request_metrics",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Signed image links: answered here, before the session is read (serving.py).
    "astria_portal.serving.signed_files",
    # Pages compressed (not images, archives or static files); see the middleware.
    "astria_portal.middleware.CompressedPages",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A staff member without two-factor is sent to set it up before any admin page.
    "accounts.middleware.staff_two_factor",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "astria_portal.middleware.security_headers",
    # After django-csp, so that its policy sees what this adds: a bucket's images.
    "astria_portal.middleware.bucket_images",
    # A view that finds SQLite locked past its busy timeout: a "try again" page (503).
    "astria_portal.middleware.DatabaseBusy",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "astria_portal.urls"
WSGI_APPLICATION = "astria_portal.wsgi.application"

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
                "astria_portal.context_processors.portal",
                "billing.context_processors.credits",
                # Last: the CSRF placeholder while a page is rendered to be kept.
                "astria_portal.fragments.held_token",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": _parsed(
        "DATABASE_URL", env.db_url_config, f"sqlite:///{VAR_DIR / 'db.sqlite3'}", "ENGINE"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and IMMEDIATE transactions let the web process and the worker share
    # the file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _int("CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that reads the socket instead of
        # asking the server (astria_portal/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "astria_portal.postgresql"
        # Parameters sent apart from the query, so that psycopg prepares the queries
        # a connection repeats (the session, the user, a signed image's row) and
        # PostgreSQL skips parsing and planning them again. Off behind a pooler that
        # cannot keep prepared statements (PgBouncer in transaction mode).
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].setdefault(
            "server_side_binding", _bool("DATABASE_SERVER_SIDE_BINDING", True)
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before the password is checked.
# Then Django's and allauth's (which logs in by username or e-mail address), each
# reading a request's user with one plain SELECT (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "tunes:list"
LOGOUT_REDIRECT_URL = "home"

# django-allauth (accounts/adapter.py): sign-up asks for a verified address before
# the first fine-tune; an existing account may log in unverified and look around.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up and password reset answer the same whether or not an address is known;
# the owner of a known address is told by e-mail, an unknown one gets nothing.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Failed logins are counted by django-axes below; the portal's own limits cover
# sign-ups and reset e-mails (astria_portal.throttle).
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# One period either side, for a phone whose clock is a little off.
MFA_TOTP_TOLERANCE = 1
# Staff need a second factor before any admin page; off in development by default.
STAFF_REQUIRE_2FA = _bool("STAFF_REQUIRE_2FA", not DEBUG)
# An account's data export can be downloaded for this many hours.
EXPORT_LINK_HOURS = _int("EXPORT_LINK_HOURS", 48, minimum=1)

# Social login: a provider is offered once its client id and secret are set, and
# only then (no database setup: the app is configured here).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {}
# Where a social login's form leads (the portal redirects the POST to the provider).
SOCIAL_FORM_ACTION = []
_GOOGLE = (env.str("GOOGLE_CLIENT_ID", default=""), env.str("GOOGLE_CLIENT_SECRET", default=""))
# A stand-in for Google's OAuth endpoints (tests, staging): its base URL.
GOOGLE_OAUTH_URL = env.str("GOOGLE_OAUTH_URL", default="").rstrip("/")
if all(_GOOGLE):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": _GOOGLE[0], "secret": _GOOGLE[1], "key": ""}],
        "SCOPE": ["profile", "email"],
        "AUTH_PARAMS": {"access_type": "online"},
    }
    SOCIAL_FORM_ACTION.append(GOOGLE_OAUTH_URL or "https://accounts.google.com")
    if GOOGLE_OAUTH_URL:
        SOCIALACCOUNT_PROVIDERS["google"].update(
            AUTHORIZE_URL=f"{GOOGLE_OAUTH_URL}/authorize",
            ACCESS_TOKEN_URL=f"{GOOGLE_OAUTH_URL}/token",
            IDENTITY_URL=f"{GOOGLE_OAUTH_URL}/userinfo",
            CERTS_URL=f"{GOOGLE_OAUTH_URL}/certs",
            ID_TOKEN_ISSUER=GOOGLE_OAUTH_URL,
        )
# Any other provider allauth has: its id in SOCIAL_PROVIDERS, and <ID>_CLIENT_ID and
# <ID>_CLIENT_SECRET (e.g. SOCIAL_PROVIDERS=github with GITHUB_CLIENT_ID, ...).
for _provider in env.list("SOCIAL_PROVIDERS", default=[]):
    _id = env.str(f"{_provider.upper()}_CLIENT_ID", default="")
    _secret = env.str(f"{_provider.upper()}_CLIENT_SECRET", default="")
    if _provider != "google" and _id and _secret:
        INSTALLED_APPS.append(f"allauth.socialaccount.providers.{_provider}")
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _id, "secret": _secret, "key": ""}]
        }
        SOCIAL_FORM_ACTION.append("https:")  # its authorisation host is not known here
INSTALLED_APPS.append("allauth.socialaccount.providers.google")

# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Private media: outside anything served statically, read only through views
# that check ownership. MEDIA_ROOT is the folder on the local disk (the default).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# The pages' image links (/files/...) are signed and work for anyone holding them, for
# at most this many seconds after the page was rendered (more than half of it, at least).
IMAGE_URL_MAX_AGE = _int("IMAGE_URL_MAX_AGE", 3600, minimum=60)


def storage_config(url, *, access_key="", secret_key="", link_seconds=300):
    """STORAGES["default"] for STORAGE_URL: the local disk when empty, else a private bucket.

    s3://BUCKET[/PREFIX][?endpoint_url=URL&region=NAME&addressing_style=path|virtual]
    Raises ValueError with a message for anything else.
    """
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ValueError("only s3:// URLs are supported (leave it empty for the local disk)")
    if not parts.hostname or parts.username or parts.password:
        raise ValueError("name the bucket after s3:// (credentials go in AWS_* variables)")
    known = {"endpoint_url", "region", "addressing_style"}
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - known)
    if unknown:
        raise ValueError(f"unknown parameter {unknown[0]!r} (use {', '.join(sorted(known))})")
    endpoint = query.get("endpoint_url")
    if endpoint and not _is_http_url(endpoint):
        raise ValueError(f"endpoint_url {endpoint!r} is not an http(s) URL")
    if query.get("addressing_style", "path") not in ("path", "virtual"):
        raise ValueError("addressing_style is path or virtual")
    return {
        "BACKEND": "astria_portal.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": parts.hostname,
            "location": parts.path.strip("/"),
            "endpoint_url": endpoint,
            "region_name": query.get("region"),
            "addressing_style": query.get("addressing_style"),
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "querystring_expire": link_seconds,
        },
    }


def _storage(name):
    raw = env.str(name, default="")
    options = {
        "access_key": env.str("AWS_ACCESS_KEY_ID", default=""),
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=""),
        "link_seconds": _int("MEDIA_LINK_SECONDS", 300, minimum=10),
    }
    try:
        return storage_config(raw, **options)
    except ValueError as exc:
        CONFIG_ERRORS.append((name, f"{exc}; e.g. s3://bucket?region=eu-central-1"))
        # Like any bad value: portal.E001 then stops migrate (the release step) and qcluster.
        return storage_config("")


STORAGES = {
    # Media: the local disk unless STORAGE_URL names a private S3-compatible bucket,
    # which every web server and worker then shares (README: several machines).
    "default": _storage("STORAGE_URL"),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Cache and sessions ----------------------------------------------------------

# Shared by every process, so that several web servers agree on what is cached: a
# table in the database by default (migrate creates it), or Redis with
# CACHE_URL=redis://host:6379/1. Sessions, login lockouts and the other limits live
# in database tables of their own.
CACHES = {
    "default": _parsed("CACHE_URL", env.cache_url_config, "dbcache://portal_cache", "BACKEND"),
    # django-q2 rewrites its cluster statistics every half second and only its qinfo and
    # qmonitor commands read them: they stay in each worker's memory, off the database.
    "django_q": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "q"},
    # Rendered parts of pages under a digest of what they show (astria_portal/fragments.py):
    # the same key is always the same HTML, so each process keeps its own, off the
    # database. About 5,000 prompt cards of some 6 KB at most.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # Whole pages kept while nothing they show has changed (pages/keep.py), the same way:
    # at most some 200 pages of up to 150 KB in each process.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
# Django's database sessions, read with one plain SELECT (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
# Whole pages (the fine-tune list, a fine-tune's page, the gallery, the admin's
# fine-tune list) kept in the "pages" cache while nothing they show has changed
# (pages/keep.py).
KEEP_PAGES = _bool("KEEP_PAGES", True)

# --- E-mail ---------------------------------------------------------------------

# django-environ's documented way: the parsed URL yields EMAIL_BACKEND, EMAIL_HOST, ...
vars().update(_parsed("EMAIL_URL", env.email_url_config, "consolemail://", "EMAIL_BACKEND"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Astria Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production) ----------------------------------------------------------

SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", not DEBUG)
if _bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Nothing but the portal's own files: no inline scripts or styles anywhere,
# the admin included. Upload previews are blob: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The browser checks a form's redirect against form-action as well: a social login's
# leads to the provider.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += SOCIAL_FORM_ACTION
# Features no page uses, switched off (astria_portal.middleware adds the header).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Number of reverse proxies in front of the portal that append to X-Forwarded-For.
# 0 takes the client's address from the connection (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)

# Hide credentials in DATABASE_URL-style values as well as Django's usual names
# (KEY, SECRET, TOKEN, PASS, ...) on error reports.
DEFAULT_EXCEPTION_REPORTER_FILTER = "astria_portal.errors.ExceptionReporterFilter"

# --- Throttling (RELIABILITY.md R30, R32) -------------------------------------------

# Logins (django-axes): a username is refused from one address after this many
# failures in a row, for the cool-off; other addresses still get in, and a
# successful login starts the count again.
AXES_FAILURE_LIMIT = _int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The pause runs from the failure that reached the limit: trying again
# while paused does not make it longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "astria_portal.throttle.client_ip"
# allauth logs in by username or e-mail: both count against the same account.
AXES_USERNAME_CALLABLE = "accounts.lockout.username"
# No row per successful login: failures are all the lockout needs.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Fixed windows counted in the database (astria_portal.throttle); 0 turns one off.
SIGNUPS_PER_IP_PER_HOUR = _int("SIGNUPS_PER_IP_PER_HOUR", 10)
SIGNUPS_PER_HOUR = _int("SIGNUPS_PER_HOUR", 100)
PASSWORD_RESETS_PER_IP_PER_HOUR = _int("PASSWORD_RESETS_PER_IP_PER_HOUR", 5)
TUNES_PER_DAY = _int("TUNES_PER_DAY", 3)
PROMPTS_PER_HOUR = _int("PROMPTS_PER_HOUR", 20)
# Posts of the new fine-tune form, valid or not, per user and per address.
TUNE_UPLOADS_PER_HOUR = _int("TUNE_UPLOADS_PER_HOUR", 20)
TUNE_UPLOADS_PER_IP_PER_HOUR = _int("TUNE_UPLOADS_PER_IP_PER_HOUR", 60)
# Photos sent to Astria's inspection per user and hour (inspection/views.py).
PHOTO_INSPECTIONS_PER_HOUR = _int("PHOTO_INSPECTIONS_PER_HOUR", 200)

# --- Astria ---------------------------------------------------------------------

# No key configured means demo mode: the portal talks to the offline emulator.
ASTRIA_API_KEY = env.str("ASTRIA_API_KEY", default="")
ASTRIA_DEMO = not ASTRIA_API_KEY
EMULATOR_PORT = _int("EMULATOR_PORT", 8765, minimum=1)
# The emulator serves files from a host of its own, as Astria does (mp.astria.ai).
EMULATOR_MEDIA_PORT = _int("EMULATOR_MEDIA_PORT", EMULATOR_PORT + 1, minimum=1)
if EMULATOR_MEDIA_PORT == EMULATOR_PORT:
    CONFIG_ERRORS.append(("EMULATOR_MEDIA_PORT", "must differ from EMULATOR_PORT"))
if ASTRIA_DEMO:
    ASTRIA_API_KEY = "demo-key"
ASTRIA_API_URL = env.str(
    "ASTRIA_API_URL",
    default=f"http://127.0.0.1:{EMULATOR_PORT}" if ASTRIA_DEMO else "https://api.astria.ai",
).rstrip("/")
# Free mock training (branch=fast) is the default for new tunes.
ASTRIA_TEST_MODE = _bool("ASTRIA_TEST_MODE", ASTRIA_DEMO)
# Who sees the test-mode checkbox on the new fine-tune form: "staff" (default),
# "everyone" or "nobody". Whoever does not see it gets ASTRIA_TEST_MODE.
TEST_MODE_CHOICE = env.str("TEST_MODE_CHOICE", default="staff").strip().lower()
if TEST_MODE_CHOICE not in ("staff", "everyone", "nobody"):
    CONFIG_ERRORS.append(
        ("TEST_MODE_CHOICE", f"{TEST_MODE_CHOICE!r} is not staff, everyone or nobody")
    )
# Generated images are downloaded only from these hosts: a bare host means
# https only; "http://host:port" allows plain HTTP to that one address. Astria
# serves current images from mp.astria.ai, some from cdn.astria.ai, older ones from S3.
ASTRIA_MEDIA_HOSTS = env.list(
    "ASTRIA_MEDIA_HOSTS",
    default=[f"http://127.0.0.1:{EMULATOR_MEDIA_PORT}"]
    if ASTRIA_DEMO
    else ["mp.astria.ai", "cdn.astria.ai", "sdbooth2-production.s3.amazonaws.com"],
)
IMAGE_MAX_BYTES = _int("IMAGE_MAX_BYTES", 40 * 1024 * 1024, minimum=1024)
IMAGE_DOWNLOAD_TIMEOUT = _int("IMAGE_DOWNLOAD_TIMEOUT", 60, minimum=1)
IMAGE_DOWNLOAD_ATTEMPTS = 8

# --- Background tasks (django-q2) ---------------------------------------------------

# The ORM broker on the default database makes async_task() part of the
# caller's transaction. django-q2's retry is a redelivery timer, not a backoff,
# so failed tasks are acknowledged and the app keeps its own retry state.
Q_CLUSTER = {
    "name": "astria_portal",
    "orm": "default",
    "workers": _int("Q_WORKERS", 2, minimum=1),
    "timeout": 150,
    "retry": 300,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    # Finished tasks are kept until the hourly purge removes those older than
    # TASK_HISTORY_DAYS. A positive limit would make the monitor lock and read that
    # many rows after every task to prune one (bench.e2e: a quarter of the worker's CPU).
    "save_limit": 0,
    "recycle": 200,
    "max_rss": 300_000,
    "poll": 1.0,
    "queue_limit": 50,
    "label": "Background tasks",
    "cache": "django_q",
}

# Seconds after which /healthz calls the worker dead.
HEARTBEAT_MAX_AGE = _int("HEARTBEAT_MAX_AGE", 300, minimum=60)

# --- Logging --------------------------------------------------------------------

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Callback tokens and the API key are blanked in anything written out (R10),
    # runserver's request lines included.
    "formatters": {
        "plain": {
            "()": "astria_portal.logs.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "django.server": {
            "()": "astria_portal.logs.RedactingServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

# --- Monitoring (README: Monitoring) -------------------------------------------------

# Errors of the web and the worker go to Sentry when a DSN is set; nothing is
# initialised without one (astria_portal.sentry, called from PortalConfig.ready).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_TRACES_SAMPLE_RATE = _fraction("SENTRY_TRACES_SAMPLE_RATE", 0.0)
# /metrics answers only "Authorization: Bearer <this>"; empty: 404. Several processes
# share their counters through PROMETHEUS_MULTIPROC_DIR, an environment variable that
# prometheus_client reads itself.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Tunes, prompts and their follow-up ------------------------------------------------

TUNE_PHOTOS_MIN = _int("TUNE_PHOTOS_MIN", 4, minimum=1)
TUNE_PHOTOS_MAX = _int("TUNE_PHOTOS_MAX", 20, minimum=1)
FACEID_PHOTOS_MIN = _int("FACEID_PHOTOS_MIN", 1, minimum=1)
PHOTO_MAX_BYTES = _int("PHOTO_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Pixels decoded: JPEGs count at the reduced scale they decode at, other photos at
# their full size (memory: about 6 bytes a pixel, 15 for WebP). 0 turns a limit off.
PHOTO_MAX_DECODED_PIXELS = _int("PHOTO_MAX_DECODED_PIXELS", 25_000_000)
TUNE_MAX_DECODED_PIXELS = _int("TUNE_MAX_DECODED_PIXELS", 250_000_000)
# Forms whose photos one machine decodes at the same time (astria_portal.slots); keep
# it below the web workers (WEB_CONCURRENCY) so that they can answer other pages.
UPLOADS_AT_ONCE = _int("UPLOADS_AT_ONCE", 1)
# Room for the photos of one tune plus a few form fields, never more (R22).
DATA_UPLOAD_MAX_NUMBER_FILES = TUNE_PHOTOS_MAX + 5

# Submission retries: 30 s doubling with jitter, capped, then the tune fails.
SUBMIT_MAX_ATTEMPTS = _int("SUBMIT_MAX_ATTEMPTS", 6, minimum=1)
SUBMIT_BACKOFF_CAP = 30 * 60
# Seconds one submission attempt holds its row: a worker killed mid-attempt is
# replaced after this long. Keep it above the task timeout.
SUBMIT_LEASE = _int("SUBMIT_LEASE", 300, minimum=30)
# Lost callbacks: poll this long after the ETA, then back off up to the maximum wait.
CALLBACK_GRACE = _int("CALLBACK_GRACE", 300, minimum=10)
RECONCILE_MAX_WAIT = 2 * 60 * 60
RECONCILE_BATCH = 20
# A tune still not trained this long after its ETA is shown as overdue (stalled).
STALL_AFTER = _int("STALL_AFTER", 6 * 60 * 60, minimum=60)
# Astria may never say a job failed (a failed tune can simply never get trained_at):
# this long after its expected end, a tune or prompt still unfinished is failed and
# its allowance given back (docs/astria.md, "Failures").
TUNE_GIVE_UP_AFTER = _int("TUNE_GIVE_UP_AFTER", 24 * 60 * 60, minimum=600)
PROMPT_GIVE_UP_AFTER = _int("PROMPT_GIVE_UP_AFTER", 3 * 60 * 60, minimum=600)

# --- Quotas (per user and calendar month; staff can override per user) -------------

QUOTA_TUNES_PER_MONTH = _int("QUOTA_TUNES_PER_MONTH", 10)
QUOTA_IMAGES_PER_MONTH = _int("QUOTA_IMAGES_PER_MONTH", 400)
# "allowance" (the monthly allowance above) or "credits": users buy credits
# (billing/, README: Credits and payments) and each tune and image is paid in them.
BILLING_MODE = env.str("BILLING_MODE", default="allowance")
if BILLING_MODE not in ("allowance", "credits"):
    CONFIG_ERRORS.append(("BILLING_MODE", f"{BILLING_MODE!r} is not allowance or credits"))
# Credits a fine-tune and an image cost while staff have set no price in the admin.
CREDITS_PER_TUNE = _int("CREDITS_PER_TUNE", 100, minimum=0)
CREDITS_PER_IMAGE = _int("CREDITS_PER_IMAGE", 1, minimum=0)
# What Astria charges, for the cost figures when its answers name none (ASTRIA_API.md
# §0: cost_mc, millicents). The defaults are real records: a trained Flux LoRA
# tune at 150,000 mc ($1.50), a 4-image prompt at 11,500 mc.
ASTRIA_TUNE_COST_MC = _int("ASTRIA_TUNE_COST_MC", 150_000)
ASTRIA_IMAGE_COST_MC = _int("ASTRIA_IMAGE_COST_MC", 2_875)
# Stripe Checkout: off unless both are set (README: Credits and payments).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Only for tests and drills: where the stripe library sends its requests.
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# The buy buttons' POST is redirected to Stripe's hosted page: form-action allows it.
STRIPE_CHECKOUT_ORIGIN = env.str("STRIPE_CHECKOUT_ORIGIN", default="https://checkout.stripe.com")
if STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(STRIPE_CHECKOUT_ORIGIN)

# --- Retention (RELIABILITY.md R34, R35) ----------------------------------------------

# Days a tune's photos, model and images are kept after training ends (or after a
# tune that never trained failed). Astria's own limit is 30 days; a tune whose
# storage staff extended on Astria is kept for as long as Astria keeps it.
RETENTION_DAYS = _int("RETENTION_DAYS", 30, minimum=1)
# Days before that moment the owner is e-mailed, once; 0 sends no warning.
RETENTION_WARNING_DAYS = _int("RETENTION_WARNING_DAYS", 3)
# Days finished background tasks (whose rows hold their arguments) are kept.
TASK_HISTORY_DAYS = _int("TASK_HISTORY_DAYS", 7, minimum=1)
# One purge run stops after this many seconds and leaves the rest to the next run.
PURGE_TIME_BUDGET = 100
# The staff dashboard warns when the Astria account balance falls below this (USD).
ASTRIA_BALANCE_WARNING_USD = _int("ASTRIA_BALANCE_WARNING_USD", 20)
