"""The one settings module. Deployment values come from the environment (see README).

With DJANGO_DEBUG off it refuses to start when a required value is missing or unsafe, and
names the variable. Development values are not code defaults: `make run` writes them to a
`.env` file and sets DJANGO_READ_DOT_ENV_FILE.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.str("DJANGO_READ_DOT_ENV_FILE", default="").lower() in {"true", "1", "yes", "on"}:
    env.read_env(BASE_DIR / ".env")


def _secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE names {path!r}, which cannot be read: {error}") from None
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} is not set; it is required")
    return value


def _flag(name: str, *, default: bool) -> bool:
    """A true/false variable; anything else is a mistake worth stopping for, not a silent False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"true", "1", "yes", "on"}:
        return True
    if raw in {"false", "0", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


DEBUG = _flag("DJANGO_DEBUG", default=False)
SECRET_KEY = _secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATA_DIR = Path(env.str("IOM_DATA_DIR", default=str(BASE_DIR / "var")))

if not DEBUG:
    # Fail fast and by name: a production process must never fall back to a default.
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-") or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is unsafe: it must be at least 50 random characters and not a development key"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set; it is required when DJANGO_DEBUG is off")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS contains '*', which is unsafe when DJANGO_DEBUG is off"
        )
    for required in ("DATABASE_URL", "CELERY_BROKER_URL"):
        if not env.str(required, default=""):
            raise ImproperlyConfigured(f"{required} is not set; it is required when DJANGO_DEBUG is off")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "guardian",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "iom.core",
    "cohorts",
    "supervision",
    "partners",
    "reports",
    "dataprotection",
]

MIDDLEWARE = [
    "iom.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Who is signed in, then: have they passed the second factor, is the session still in its limits.
    "iom.core.second_factor.SessionOTPMiddleware",
    "iom.core.sessions.SessionLimitsMiddleware",
    "iom.core.second_factor.SecondFactorRequiredMiddleware",
    "iom.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iom.urls"
WSGI_APPLICATION = "iom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iom.core.navigation.navigation",
            ],
        },
    },
]

# Form templates come from the same loaders as pages, so templates/govuk/ renders every field.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'iom.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share the file: WAL lets one write while the other reads.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian's anonymous user would be a row in our email-keyed user table; nobody anonymous sees anything.
ANONYMOUS_USER_NAME = None
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A reset link works once and for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

# Second factor (django-otp): a TOTP app, with one-time recovery codes for a lost phone.
OTP_TOTP_ISSUER = "IOM case manager"
# How many recovery codes a user is given at a time.
IOM_RECOVERY_CODES = 10

# Sign-in lockout (django-axes): after this many failures for an account from one address, or for an
# address across accounts, sign-in is refused for the cool-off time. The address is the client's as
# the trusted proxies report it (IOM_TRUSTED_PROXY_HOPS), read by the same function as the audit's.
# docs/decisions/0012-sessions-and-sign-in.md says why these parameters.
AXES_FAILURE_LIMIT = env.int("IOM_SIGN_IN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("IOM_SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "iom.core.middleware.axes_client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The audit trail records every sign-in, failure and lockout with its address; axes' own log of
# successful sign-ins would be a second copy of staff's addresses, outside the audit's protection.
AXES_DISABLE_ACCESS_LOG = True

# Session limits: signed out after this long without a request, and this long after signing in
# whatever happens. The page warns IOM_SESSION_WARNING_SECONDS before the idle limit (GOV.UK
# timeout warning). iom/core/sessions.py enforces them; SESSION_COOKIE_AGE is the absolute limit too.
IOM_SESSION_IDLE_MINUTES = env.float("IOM_SESSION_IDLE_MINUTES", default=30)
IOM_SESSION_ABSOLUTE_HOURS = env.float("IOM_SESSION_ABSOLUTE_HOURS", default=12)
IOM_SESSION_WARNING_SECONDS = env.int("IOM_SESSION_WARNING_SECONDS", default=120)

# Break-glass: how long a team member who gave a reason may open a restricted case.
IOM_BREAK_GLASS_HOURS = env.int("IOM_BREAK_GLASS_HOURS", default=4)

# Retention (Data Protection Act 2018 Part 3): people who left IOM this many years ago are listed
# for review.
IOM_RETENTION_REVIEW_YEARS = env.int("IOM_RETENTION_REVIEW_YEARS", default=6)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Beside the code, not in the data folder, so a data volume never hides the files collected at build.
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "iom.core.staticfiles.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("IOM_MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: downloads go through audited views

# Security headers. Development relaxes only what plain HTTP on localhost needs.
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Container health checks speak plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = _flag("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = _flag("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# __Host- cookies are only accepted over HTTPS, for this host and path / alone: a sibling subdomain
# cannot set or overwrite them. Plain-HTTP development keeps unprefixed names.
SESSION_COOKIE_NAME = "__Host-iom-session" if SESSION_COOKIE_SECURE else "iom-session"
CSRF_COOKIE_NAME = "__Host-iom-csrf" if CSRF_COOKIE_SECURE else "iom-csrf"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(IOM_SESSION_ABSOLUTE_HOURS * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# How many proxies in front of us append to X-Forwarded-For; 0 means trust only REMOTE_ADDR.
IOM_TRUSTED_PROXY_HOPS = env.int("IOM_TRUSTED_PROXY_HOPS", default=0)
if IOM_TRUSTED_PROXY_HOPS:
    # Only a proxy we know of may tell us the request arrived over HTTPS; otherwise anyone could.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Celery: Redis in production and CI; with no server, kombu's filesystem transport (one machine only:
# it has no redelivery, so a worker killed mid-task loses that message).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue = DATA_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "processed_folder": str(_queue / "processed"),
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
    for folder in ("queue", "processed", "control"):
        (_queue / folder).mkdir(parents=True, exist_ok=True)
else:
    # Redis delivers an unacknowledged task again after this long: how a task whose worker was killed
    # (acks_late) comes back. It must exceed the longest task and any retry countdown, or a task
    # still running would be handed to a second worker; a regional pack takes about a minute.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes live in our own tables
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = _flag("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Report builds have their own queue (one at a time, children recycled: docs/deployment.md). The
# scheduler and the sweep only insert rows and send builds, so they stay on the default queue rather
# than wait behind PDFs; an exact name wins over the pattern.
CELERY_TASK_ROUTES = {
    "reports.tasks.schedule_monthly_packs_task": {"queue": "default"},
    "reports.tasks.resend_stalled_reports_task": {"queue": "default"},
    "reports.tasks.*": {"queue": "reports"},
    # Subject access PDFs are as heavy as packs: the same queue, one at a time.
    "dataprotection.tasks.resend_stalled_subject_access_exports_task": {"queue": "default"},
    "dataprotection.tasks.build_subject_access_export_task": {"queue": "reports"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Beat's crontab entries are in local time (Celery's own default is UTC).
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Referral notices whose task was lost between the commit and the worker.
    "resend-lost-referral-notices": {
        "task": "partners.tasks.resend_lost_notices_task",
        "schedule": 15 * 60,
    },
    # Regional packs on the first working day of the month. A static schedule cannot say "first
    # working day" (weekends, bank holidays: 1 January can push it to the 4th), so beat asks every
    # morning of the first week and the service decides; it is idempotent, so a second ask that day
    # (a beat restart, a redelivery) makes no second pack.
    "schedule-monthly-packs": {
        "task": "reports.tasks.schedule_monthly_packs_task",
        "schedule": crontab(minute="0", hour="6", day_of_month="1-7"),
    },
    # Report runs nothing is building any more (their worker gone, their message lost).
    "resend-stalled-report-runs": {
        "task": "reports.tasks.resend_stalled_reports_task",
        "schedule": 15 * 60,
    },
    # Tracker uploads (names, dates of birth, identifiers) nobody imported within a day.
    "remove-old-tracker-uploads": {
        "task": "cohorts.tasks.remove_old_tracker_uploads_task",
        "schedule": 60 * 60,
    },
    # Subject access exports nothing is building any more (their worker gone, their message lost).
    "resend-stalled-subject-access-exports": {
        "task": "dataprotection.tasks.resend_stalled_subject_access_exports_task",
        "schedule": 15 * 60,
    },
}

# Email: referral notices to partners and case workers, sent by the worker. Development prints them
# on the console; production names its SMTP server (smtp+tls://user:password@host:587).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "host": _email.get("EMAIL_HOST") or "localhost",
    "port": _email.get("EMAIL_PORT") or 25,
    "username": _email.get("EMAIL_HOST_USER", ""),
    "password": _email.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": bool(_email.get("EMAIL_USE_TLS", False)),
    "use_ssl": bool(_email.get("EMAIL_USE_SSL", False)),
    "timeout": 10,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="IOM case manager <no-reply@localhost>")
# Where links in those emails point: the address staff use to reach the service.
IOM_BASE_URL = env.str("IOM_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The cache holds the API's throttle counts, so in production every web process must share it:
# CACHE_URL=redis://… (docker-compose sets it). Unset, each process keeps its own (development, tests).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# The API (/api/v1/): JSON only (the browsable API needs inline script), tokens for integrations and
# the session (with CSRF) for the browser, problem-details errors. docs/decisions/0010-rest-api.md.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "iom.core.api.authentication.ApiTokenAuthentication",
        "iom.core.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "iom.core.api.problems.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "iom.core.api.pagination.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "iom.core.api.filtering.QueryFilterBackend",
        "iom.core.api.filtering.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "iom.core.api.schema.ApiAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "iom.core.api.throttling.PerTokenThrottle",
        "iom.core.api.throttling.PerUserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("IOM_API_RATE_PER_TOKEN", default="600/minute"),
        "user": env.str("IOM_API_RATE_PER_USER", default="1200/minute"),
    },
    "NUM_PROXIES": IOM_TRUSTED_PROXY_HOPS,
    # OPTIONS would describe serializers for nothing a client needs; the schema does that.
    "DEFAULT_METADATA_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IOM case manager API",
    "DESCRIPTION": (
        "The same records, rules and audit trail as the web pages, for a force's or a probation "
        "region's own systems. Authenticate with `Authorization: Bearer <token>` (Account → API "
        "tokens). Errors are RFC 9457 problem details. Changes to an existing record need the "
        "ETag from your last read in `If-Match`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "iom.core.api.schema.refuse_unknown_request_fields",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReportRunKindEnum": "reports.models.ReportRun.Kind",
        "ReportRunStatusEnum": "reports.models.ReportRun.Status",
        "ContactKindEnum": "supervision.models.Kind",
        "ContactPurposeEnum": "supervision.models.Purpose",
        "ContactOutcomeEnum": "supervision.models.Outcome",
        "NoteSensitivityEnum": "supervision.models.Sensitivity",
        "AssessmentKindEnum": "cohorts.models.Assessment.Kind",
        "CohortMembershipStatusEnum": "cohorts.models.CohortMembership.Status",
        "NeedStatusEnum": "cohorts.models.NeedStatus",
        "CohortReviewOutcomeEnum": "cohorts.models.CohortReview.Outcome",
        "CohortEnum": "cohorts.models.Cohort",
        "ReferralStatusEnum": "partners.models.Referral.Status",
        "ReferralOutcomeEnum": "partners.models.Referral.Outcome",
        "ReferralEventKindEnum": "partners.models.ReferralEvent.Kind",
        "AttendanceEnum": "partners.models.ReferralEvent.Attendance",
        "LawfulBasisEnum": "partners.models.Referral.LawfulBasis",
        "CapacityEnum": "partners.models.Capacity",
        "PathwayEnum": "cohorts.models.Pathway",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # django-axes logs every sign-in at INFO; the audit trail already records them with the address.
    "loggers": {"axes": {"level": "WARNING"}},
}
