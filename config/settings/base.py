"""Base settings. Everything environment-specific is read from environment variables here, and only here."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DOCKET_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "huey.contrib.djhuey",
    "docket.core",
    "docket.accounts",
    "docket.org",
    "docket.sla",
    "docket.notifications",
    "docket.complaints",
    "docket.demo",
    "docket.reports",
    "docket.api",
    "docket.mailin",
    "docket.triage",
    "docket.portal",
    "docket.incidents",  # incidents (issue 12)
    # report documents, case library and archive (issue 13)
    "docket.cases",
    "docket.archive",
    "docket.portal.filing",  # portal filing (issue 11): phone proofs
    "docket.escalation",  # escalation (issue 12)
    "docket.replies",  # agent features: reply templates (issue 14)
    "config.apps.JobsConfig",
]

MIDDLEWARE = [
    "docket.core.generations.RequestStampsMiddleware",  # each generation stamp read once per request
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "docket" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "docket.sla.context.calendar_warning",
                "docket.complaints.context.nav",
            ],
            # `{% load i18n %}` is Django's library with literal `{% translate %}`s kept per language
            # (docket/core/template_i18n.py, pagecpu2).
            "libraries": {"i18n": "docket.core.template_i18n"},
        },
    },
]

# One rendering of every form field (labels, fieldsets for radio groups, aria-describedby targets).
FORM_RENDERER = "docket.core.forms.DocketFormRenderer"

# --- database ---------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL through DATABASE_URL in production and CI.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'docket.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# PostgreSQL prepares the statements Docket compiles once per process (docket/core/compiled.py: lookups by
# key or ids); 0 behind a connection pooler in transaction mode (PgBouncer), which cannot keep them.
DOCKET_PREPARED_STATEMENTS = os.environ.get("DOCKET_PREPARED_STATEMENTS", "1") == "1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the write lock at BEGIN, so two writers queue instead of
        # deadlocking on lock upgrade; the timeout is how long the second one waits.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    # No JIT compilation: PostgreSQL compiles a plan once its estimated cost passes jit_above_cost, and
    # for the pages' short statements that took 40-50 ms, more than running them (the search at 1 M,
    # bench/README.md). Nothing here runs the long analytic statements JIT pays for.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if DOCKET_PREPARED_STATEMENTS:
        # Django turns psycopg's prepared statements off (prepare_threshold None); the compiled statements
        # ask for them explicitly, and no other statement reaches the threshold: Django's cursors bind on
        # the client, and those never prepare.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1
# SQLite cannot enforce UNIQUE … NULLS NOT DISTINCT; the services check those two constraints themselves
# (role_grant, the policy admin) and PostgreSQL enforces them. SQLite also ignores an index's INCLUDE
# columns (the work-queue covering indexes, complaints 0008): the index still works, only not covering.
# templates.W003: the `i18n` library name is taken on purpose by docket/core/template_i18n.py (Django's
# library with literal translations kept, TEMPLATES above); a test checks no other name is taken twice.
SILENCED_SYSTEM_CHECKS = ["models.W047", "models.W040", "templates.W003"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The user and their roles from a per-process cache kept correct by generation stamps (docket/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["docket.accounts.backends.CachedModelBackend"]
# Password rules and hashing: see the "security" block below.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "complaints:work"
LOGOUT_REDIRECT_URL = "login"

# --- i18n / time ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "docket" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DOCKET_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DOCKET_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Attachments (R-INT-4): photos and scanned letters.
DOCKET_ATTACHMENT_MAX_BYTES = int(os.environ.get("DOCKET_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# seed part 2 (issue 15): short video clips accepted as evidence (MP4/MOV/3GP), up to this size.
DOCKET_VIDEO_MAX_BYTES = int(os.environ.get("DOCKET_VIDEO_MAX_BYTES", str(50 * 1024 * 1024)))
# A request may carry a few attachments (base64 through the API is a third larger than the file).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(
    os.environ.get(
        "DOCKET_MAX_REQUEST_BYTES",
        # seed part 2: room for one video clip sent as base64 through the API (4/3 of its size, plus the rest)
        str(max(4 * DOCKET_ATTACHMENT_MAX_BYTES, DOCKET_VIDEO_MAX_BYTES * 4 // 3 + 2 * 1024 * 1024)),
    )
)

# API throttling ("N/period", period s, m, h or d with an optional count, e.g. "30/10m"; "" = off), counted in
# the default cache (Redis with REDIS_URL, so the limit holds across app-server workers). The public receipt
# check is limited per client address (it is unauthenticated and guesses check codes); every API key overall.
DOCKET_API_RECEIPT_RATE = os.environ.get("DOCKET_API_RECEIPT_RATE", "30/10m")
# The front desk's caller lookup (personal data, issue 10): per signed-in user.
DOCKET_LOOKUP_RATE = os.environ.get("DOCKET_LOOKUP_RATE", "60/10m")
# The owners' portal (/p/, issue 11): receipt checks and verifications per client address, and how long a
# passed check keeps a browser session on its tracking page.
DOCKET_PORTAL_RATE = os.environ.get("DOCKET_PORTAL_RATE", "30/10m")
DOCKET_PORTAL_PROOF_MINUTES = int(os.environ.get("DOCKET_PORTAL_PROOF_MINUTES", "120"))
# --- portal filing (issue 11): one-time SMS codes, filing limits, the receipt window ---
# A code lives this long; this many wrong codes lock the phone for DOCKET_PORTAL_LOCK_MINUTES.
DOCKET_PORTAL_CODE_MINUTES = int(os.environ.get("DOCKET_PORTAL_CODE_MINUTES", "10"))
DOCKET_PORTAL_CODE_TRIES = int(os.environ.get("DOCKET_PORTAL_CODE_TRIES", "5"))
DOCKET_PORTAL_LOCK_MINUTES = int(os.environ.get("DOCKET_PORTAL_LOCK_MINUTES", "15"))
# Codes sent per phone and per client address; portal filings per client address (named or anonymous).
DOCKET_PORTAL_CODE_PHONE_RATE = os.environ.get("DOCKET_PORTAL_CODE_PHONE_RATE", "3/10m")
DOCKET_PORTAL_CODE_IP_RATE = os.environ.get("DOCKET_PORTAL_CODE_IP_RATE", "10/10m")
DOCKET_PORTAL_FILING_RATE = os.environ.get("DOCKET_PORTAL_FILING_RATE", "10/h")
# How long a proven phone stays proven in the browser session, and how long the new receipt (with its
# check code) can be shown again and downloaded.
DOCKET_PORTAL_PHONE_MINUTES = int(os.environ.get("DOCKET_PORTAL_PHONE_MINUTES", "30"))
DOCKET_PORTAL_RECEIPT_MINUTES = int(os.environ.get("DOCKET_PORTAL_RECEIPT_MINUTES", "30"))
DOCKET_PORTAL_MAX_PHOTOS = 9
# --- end portal filing ---
# portal answers (issue 11): owners' SMS and email carry a signed link to their tracking page, valid this
# many days; links are absolute on this origin (e.g. https://wuye.example.com; empty: a relative path).
DOCKET_PORTAL_LINK_DAYS = int(os.environ.get("DOCKET_PORTAL_LINK_DAYS", "30"))
DOCKET_PUBLIC_ORIGIN = os.environ.get("DOCKET_PUBLIC_ORIGIN", "").rstrip("/")
DOCKET_API_KEY_RATE = os.environ.get("DOCKET_API_KEY_RATE", "6000/m")
# Reverse proxies in front of the app that append to X-Forwarded-For (0: the client is REMOTE_ADDR).
DOCKET_NUM_PROXIES = int(os.environ.get("DOCKET_NUM_PROXIES", "0"))
# R-EXP-4 abuse limits on self-service filings (online, email) per phone or email address and day.
DOCKET_FILINGS_PER_DAY = int(os.environ.get("DOCKET_FILINGS_PER_DAY", "10"))
DOCKET_SAME_TEXT_PER_DAY = int(os.environ.get("DOCKET_SAME_TEXT_PER_DAY", "2"))
# R-EXP-4: one chase (催办) per complaint per this many minutes, whoever records it.
DOCKET_CHASE_MIN_MINUTES = int(os.environ.get("DOCKET_CHASE_MIN_MINUTES", "60"))
# A complaint's received time may lie this far ahead of the server's clock (another device's clock); later
# is refused (`received_in_future`).
DOCKET_RECEIVED_SKEW_MINUTES = int(os.environ.get("DOCKET_RECEIVED_SKEW_MINUTES", "5"))

# --- cache and background jobs ----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis cache with one client object per connection pool (docket/core/cache.py).
    CACHES = {"default": {"BACKEND": "docket.core.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis (written through to the database): no session query per request. Only with a
    # shared cache: a per-process one would keep a signed-out session alive in the other workers.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "docket",
        "url": REDIS_URL,
        "utc": False,
        # Nobody reads a task's return value: not stored (one Redis or SQLite write less per task).
        "results": False,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "docket",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "utc": False,
        # Nobody reads a task's return value: not stored (one Redis or SQLite write less per task).
        "results": False,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

EMAIL_BACKEND = os.environ.get("DOCKET_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DOCKET_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DOCKET_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DOCKET_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DOCKET_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("DOCKET_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("DOCKET_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DOCKET_EMAIL_FROM", "docket@localhost")

# --- notifications (docket/notifications; docs/webhooks.md) -------------------------------------
# Outbound HTTP (webhooks, WeCom robots, Aliyun SMS): seconds for connect + read.
DOCKET_HTTP_TIMEOUT = float(os.environ.get("DOCKET_HTTP_TIMEOUT", "10"))
# SMS provider: "console" (log + one JSON line per message in DOCKET_SMS_FILE), "aliyun", or a dotted path.
DOCKET_SMS_PROVIDER = os.environ.get("DOCKET_SMS_PROVIDER", "console")
DOCKET_SMS_FILE = os.environ.get("DOCKET_SMS_FILE", str(VAR_DIR / "sms.log"))
DOCKET_SMS_ALIYUN = {
    "ACCESS_KEY_ID": os.environ.get("DOCKET_ALIYUN_ACCESS_KEY_ID", ""),
    "ACCESS_KEY_SECRET": os.environ.get("DOCKET_ALIYUN_ACCESS_KEY_SECRET", ""),
    "SIGN_NAME": os.environ.get("DOCKET_ALIYUN_SMS_SIGN_NAME", ""),
    "ENDPOINT": os.environ.get("DOCKET_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "REGION": os.environ.get("DOCKET_ALIYUN_REGION", "cn-hangzhou"),
}
# SMS template codes (as approved in the provider's console) per message kind sent to complainants.
DOCKET_SMS_TEMPLATES = {
    "registered": os.environ.get("DOCKET_SMS_TEMPLATE_REGISTERED", "SMS_DOCKET_REGISTERED"),
    "progress": os.environ.get("DOCKET_SMS_TEMPLATE_PROGRESS", "SMS_DOCKET_PROGRESS"),
    "closed": os.environ.get("DOCKET_SMS_TEMPLATE_CLOSED", "SMS_DOCKET_CLOSED"),
    "notice": os.environ.get("DOCKET_SMS_TEMPLATE_NOTICE", "SMS_DOCKET_NOTICE"),
    "code": os.environ.get("DOCKET_SMS_TEMPLATE_CODE", "SMS_DOCKET_CODE"),  # portal filing: one-time code
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DOCKET_LOG_LEVEL", "INFO")},
}

# --- Personal data retention (R-EXP-12, PIPL; docs/decisions.md) ---------------------------------------------
# Days after closure after which a complaint's personal data is erased by the nightly job (the record stays
# verifiable); major complaints' dossiers are kept longer.
DOCKET_RETENTION_DAYS = int(os.environ.get("DOCKET_RETENTION_DAYS", str(3 * 365)))
DOCKET_RETENTION_MAJOR_DAYS = int(os.environ.get("DOCKET_RETENTION_MAJOR_DAYS", str(10 * 365)))

# --- privacy and security (docs/decisions.md 2026-12-04) --------------------------------------
# Images above this many pixels (all frames) are refused before decoding (decompression bombs).
DOCKET_ATTACHMENT_MAX_PIXELS = int(os.environ.get("DOCKET_ATTACHMENT_MAX_PIXELS", str(40_000_000)))
# Outbound webhook and WeCom robot addresses (docs/webhooks.md, "Allowed targets"): https only unless
# DOCKET_WEBHOOK_ALLOW_HTTP=1; internal addresses (loopback, private, link-local …) only when the host name,
# the address or its network (CIDR) is listed here, comma-separated.
DOCKET_WEBHOOK_ALLOW_HTTP = os.environ.get("DOCKET_WEBHOOK_ALLOW_HTTP", "0") == "1"
DOCKET_WEBHOOK_ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DOCKET_WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]
# Outbox rows keep their address, body and data this many days after they were written, once delivered or
# given up; then the nightly purge blanks them (notifications.service.outbox_purge).
DOCKET_OUTBOX_KEEP_DAYS = int(os.environ.get("DOCKET_OUTBOX_KEEP_DAYS", "30"))

# --- security: sign-in, passwords, sessions, CSP, error pages (docs/operations.md) -------------
# Argon2 first: new and changed passwords are hashed with it; PBKDF2 hashes from before still verify and
# are rehashed with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "docket.accounts.validators.MinimumLengthValidator",  # Django's, with a Chinese message
        "OPTIONS": {"min_length": int(os.environ.get("DOCKET_PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (R-ORG-4), counted in the default cache (Redis with REDIS_URL): after this many failed
# sign-ins within the window, per user name or per client address, sign-in is refused until the window
# ends. The admin login is the same form.
DOCKET_LOGIN_FAILURES_PER_USER = int(os.environ.get("DOCKET_LOGIN_FAILURES_PER_USER", "5"))
DOCKET_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("DOCKET_LOGIN_FAILURES_PER_ADDRESS", "20"))
DOCKET_LOGIN_WINDOW_MINUTES = int(os.environ.get("DOCKET_LOGIN_WINDOW_MINUTES", "15"))
# Sessions: at most SESSION_HOURS after sign-in, and signed out after IDLE_MINUTES without a request.
DOCKET_SESSION_HOURS = float(os.environ.get("DOCKET_SESSION_HOURS", "8"))
DOCKET_SESSION_IDLE_MINUTES = float(os.environ.get("DOCKET_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(DOCKET_SESSION_HOURS * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy on every response (docket/core/middleware.py): scripts and styles only from our
# own static files, no inline script, no framing.
DOCKET_CSP = os.environ.get(
    "DOCKET_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
# When the database cannot be reached (or the disk is full) pages and the API answer 503 with this
# Retry-After instead of a 500.
DOCKET_RETRY_AFTER_SECONDS = int(os.environ.get("DOCKET_RETRY_AFTER_SECONDS", "60"))
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE += [
    "docket.accounts.middleware.SessionTimeoutMiddleware",
    "docket.core.middleware.ContentSecurityPolicyMiddleware",
    "docket.core.middleware.DatabaseUnavailableMiddleware",
]
# Optional two-step sign-in for staff: the issuer named in authenticator apps.
OTP_TOTP_ISSUER = os.environ.get("DOCKET_OTP_ISSUER", "Docket")
