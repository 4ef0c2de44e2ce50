"""Settings for Mentorship, read from environment variables (see README.md, "Configuration").

Production-safe by default: DEBUG is off unless DJANGO_DEBUG is set, there is no secret key
outside debug, and cookies are secure and HSTS is on whenever DEBUG is off.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from xstatic.pkg import bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Local development: `make run` and `make test` write .env (ignored by git) so that manage.py
# works without exports. Variables already set win; production has no .env.
_env_file = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if _env_file and os.path.exists(_env_file):
    environ.Env.read_env(_env_file)

# --------------------------------------------------------------------------------------------
# Core
# --------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-local-development-key-only")
else:
    # No default: a production process without a key must not start.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    # Ours from the bottom of the house up (docs/architecture.md): the personal-data registry
    # erases in the reverse of this order.
    "accounts",
    "audit",
    "notifications",
    "programs",
    "matching",
    "meetings",
    "evaluations",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mentorship.middleware.SecurityHeadersMiddleware",
    "mentorship.middleware.RejectNulInQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.AbsoluteSessionTimeoutMiddleware",
]

ROOT_URLCONF = "mentorship.urls"
WSGI_APPLICATION = "mentorship.wsgi.application"

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
                "mentorship.context_processors.site",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------------
# Database and cache
# --------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default="postgres://mentorship@127.0.0.1:55432/mentorship"
    ),
}
# Persistent connections: opening a PostgreSQL connection per request halves throughput. Not
# under runserver: it serves each request in a thread of its own, whose connection would
# stay open after the thread is gone until the server runs out of connection slots.
DATABASES["default"]["CONN_MAX_AGE"] = (
    0 if "runserver" in sys.argv[1:2] else env.int("DJANGO_CONN_MAX_AGE", default=60)
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = env.str(
    "DJANGO_DB_APPLICATION_NAME", default="mentorship"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache backs allauth's rate limits, which must hold across processes and must not depend
# on the broker (a Redis outage only delays e-mail): outside debug it is PostgreSQL, which the
# app needs anyway (Django's database cache; migrate creates its table, accounts 0003).
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default="locmemcache://" if DEBUG else "dbcache://django_cache"
    )
}

# --------------------------------------------------------------------------------------------
# Accounts and authentication (django-allauth)
# --------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "programs:list"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address in the same browser logs in and returns to where sign-up began
# (for example the application form).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Our own e-mails carry no prefix, and an English word in a Danish subject reads oddly.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# allauth's e-mails go through the outbox (notifications.allauth), in the recipient's language.
ACCOUNT_ADAPTER = "notifications.allauth.OutboxAccountAdapter"
# Log in with a code sent by e-mail instead of a password: three tries, three minutes.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 180
# allauth's defaults, written out so that they are visibly on, except log-ins per address:
# on deadline day a whole campus may come from one address (NAT, or a proxy with no count set),
# and 30 a minute locked applicants out. Guessing stays limited per account (5 failures in 5
# minutes) and per address (20 failures a minute).
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "300/m/ip",
    "login_failed": "20/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}

# Sessions: an idle timeout (each request renews the session) and an absolute one (counted
# from login, see accounts.middleware). Users see and end their sessions at /accounts/sessions/.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_SECONDS", default=2 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env.int("DJANGO_SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
USERSESSIONS_TRACK_ACTIVITY = True

# Coordinators and superusers must use a second factor (accounts.middleware); participants
# may turn one on.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The name people know the service by: in allauth's e-mails and the authenticator app.
SITE_NAME = env.str("DJANGO_SITE_NAME", default="Mentorship")
MFA_TOTP_ISSUER = SITE_NAME
# Development only (allauth refuses it when DEBUG is off): `make run` sets it so that the demo
# coordinators can log in without an authenticator app.
MFA_TOTP_INSECURE_BYPASS_CODE = env.str("DJANGO_MFA_BYPASS_CODE", default="") or None
if MFA_TOTP_INSECURE_BYPASS_CODE and not DEBUG:
    # allauth would only refuse it at the second step of every staff login (a 500): refuse to
    # start instead, and so fail `check --deploy` too.
    raise ImproperlyConfigured(
        "DJANGO_MFA_BYPASS_CODE lets anyone past the second factor and is for development "
        "with DJANGO_DEBUG=true only: unset it in production."
    )

# --------------------------------------------------------------------------------------------
# Languages: Swedish first, English and Danish complete
# --------------------------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [
    ("sv", _("Swedish")),
    ("en", _("English")),
    ("da", _("Danish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date and time formats where Django's are not what a native reader expects.
FORMAT_MODULE_PATH = ["mentorship.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/Stockholm")
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --------------------------------------------------------------------------------------------
# Static files: our own under static/, Bootstrap from the xstatic-bootstrap package
# --------------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic_bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Widgets render through the project's templates too, so that templates/admin/widgets/ can
# give the admin's related-object links their text.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
# DJANGO_EMAIL_BACKEND names a backend class directly (the tests' workers use a slow one).
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Mentorship <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where people report accessibility problems (the accessibility statement links to it).
ACCESSIBILITY_CONTACT = env.str("ACCESSIBILITY_CONTACT", default="accessibility@example.org")
# The body responsible for the service, named in the statement (the organisation running it).
ACCESSIBILITY_BODY = env.str("ACCESSIBILITY_BODY", default="")
# A Danish body publishes its statement in the state's WAS tool: its address there. The footer
# then links to it as "Tilgængelighedserklæring", and /was redirects to it.
ACCESSIBILITY_WAS_URL = env.str("ACCESSIBILITY_WAS_URL", default="")
# Links in e-mails are absolute: where the app is served.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The outbox: delivery attempts before a notification is marked failed.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# How long a worker holds a batch it is sending before another worker may take it over.
NOTIFICATION_LEASE_SECONDS = env.int("NOTIFICATION_LEASE_SECONDS", default=300)
# How many e-mails a worker claims at a time (each batch has a lease of its own).
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=200)

# --------------------------------------------------------------------------------------------
# Security: on whenever DEBUG is off
# --------------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own scripts, no inline script anywhere. Inline style attributes stay allowed for
# Django's admin; Bootstrap draws some icons as data: images.
CONTENT_SECURITY_POLICY = [
    ("default-src", "'self'"),
    ("script-src", "'self'"),
    ("style-src", "'self' 'unsafe-inline'"),
    ("img-src", "'self' data:"),
    ("font-src", "'self'"),
    ("connect-src", "'self'"),
    ("form-action", "'self'"),
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("frame-ancestors", "'none'"),
]
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), accelerometer=(), "
    "gyroscope=(), magnetometer=()"
)
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For: the client's address for the rate limits
# and the sessions page is the one the nearest of them saw (the last entries; what a client
# wrote itself stands further left and is ignored). Behind the one TLS proxy the README
# describes it is 1; without a proxy 0, and the header is not trusted at all.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int(
    "DJANGO_TRUSTED_PROXY_COUNT", default=1 if BEHIND_TLS_PROXY else 0
)

# --------------------------------------------------------------------------------------------
# Celery (Redis broker)
# --------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:56379/0")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, and given back if its worker dies: our tasks are
# idempotent sweeps, so running one twice is harmless while losing one is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must not hang a web request when Redis is down: fail fast, and the outbox sweep
# below delivers what the request wrote once the broker is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BEAT_SCHEDULE = {
    "apply-retention": {
        "task": "programs.tasks.apply_retention",
        "schedule": crontab(hour=3, minute=30),
    },
    "plan-notifications": {
        "task": "notifications.tasks.plan_notifications",
        "schedule": crontab(minute=5),
    },
    "deliver-notifications": {
        "task": "notifications.tasks.deliver_pending",
        "schedule": 60.0,
    },
    "close-application-windows": {
        "task": "programs.tasks.close_application_windows",
        "schedule": crontab(minute="*/15"),
    },
}

# --------------------------------------------------------------------------------------------
# Logging: to the console; never letters or meeting notes
# --------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --------------------------------------------------------------------------------------------
# Tests: an N+1 query detector that raises, on by default under pytest
# --------------------------------------------------------------------------------------------
if env.bool("DJANGO_ZEAL", default="pytest" in sys.modules):
    INSTALLED_APPS.append("zeal")
    MIDDLEWARE.insert(0, "zeal.middleware.zeal_middleware")
    ZEAL_RAISE = True
    # allauth's login flow looks up the same address twice; that is allauth's, not ours.
    # Django's admin validates each inline row's id with a query of its own when a form with
    # inlines is saved (milestones, questions and e-mail paragraphs on a program, answers on a
    # question, units on an organisation, questions on a survey): Django's, not ours.
    ZEAL_ALLOWLIST = [
        {"model": "account.*", "field": "*"},
        {"model": "programs.Milestone", "field": "get()"},
        {"model": "programs.Question", "field": "get()"},
        {"model": "programs.EmailText", "field": "get()"},
        {"model": "programs.Option", "field": "get()"},
        {"model": "programs.Unit", "field": "get()"},
        {"model": "evaluations.Question", "field": "get()"},
    ]
