"""Settings shared by every environment; whatever differs per machine is read from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is optional; real environment variables always win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# True only in the production settings; guards commands that must never run there (seed_demo).
IS_PRODUCTION = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# The public base URL, used for links in e-mails (which are sent outside any request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The admin lives under a path that differs per installation, so it is not found by guessing.
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="beheer/").strip("/") + "/"

INSTALLED_APPS = [
    "isimedia.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "isimedia",
    "contracts",
    "ntd",
    "privacy",
    "satisfaction",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "isimedia.urls"
WSGI_APPLICATION = "isimedia.wsgi.application"

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
                "django.template.context_processors.i18n",
                "isimedia.context_processors.portal",
            ],
        },
    },
    {
        # Plain-text e-mail (subjects and text bodies): nothing is HTML-escaped there, or a name like
        # "Bakker & Zn" would arrive as "Bakker &amp; Zn".
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/isimedia"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "isimedia.User"
# django-axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (a wrong password or a wrong code) lock out that account from that address for a while; counting
# per account and address means nobody can lock a colleague out from elsewhere. Wrong codes are also slowed down on
# the account's device itself, from any address (django-otp's throttling).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login forms post the e-mail address as "username" (axes would otherwise look for USERNAME_FIELD, "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "isimedia.http.client_ip"
AXES_LOCKOUT_CALLABLE = "isimedia.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Records of successful sign-ins (who, when, from where) are kept this long for security reviews (days).
LOGIN_RECORD_DAYS = env.int("LOGIN_RECORD_DAYS", default=180)
# The staff member has this long after the password to enter the code (seconds).
STAFF_LOGIN_CODE_SECONDS = env.int("STAFF_LOGIN_CODE_SECONDS", default=300)
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ISI Media")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contracts:account"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset and invitation links stay valid this long (seconds).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)
# Password-reset requests per IP address per window (seconds): each one may send an e-mail.
PASSWORD_RESET_RATE_LIMIT = env.int("PASSWORD_RESET_RATE_LIMIT", default=5)
PASSWORD_RESET_RATE_WINDOW = env.int("PASSWORD_RESET_RATE_WINDOW", default=3600)

# Dutch first, English second.
LANGUAGE_CODE = "nl"
# Each language is named in itself in the language switch, so these names are not translated.
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploaded files (evidence, ID copies, signed PDFs) are private: they are never given a public URL and are
# served only through views that check who asks. MEDIA_URL is therefore not routed anywhere.
MEDIA_URL = "/private-media/"
STORAGES = {
    "default": {"BACKEND": env.str("DJANGO_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env.str("AWS_S3_REGION_NAME", default=None),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }

# E-mail: EMAIL_URL such as smtp+tls://user:password@smtp.example.nl:587 or consolemail://.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")  # production.py requires it
globals().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ISI Media <noreply@isimedia.nl>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where staff notifications go (new NTD notice, low satisfaction score, ...).
STAFF_EMAIL = env.str("STAFF_EMAIL", default="support@isimedia.nl")

# Outbox: the wait after a failed attempt doubles from OUTBOX_BACKOFF_SECONDS up to OUTBOX_BACKOFF_MAX_SECONDS; a
# message still failing after OUTBOX_GIVE_UP_AFTER_HOURS is marked failed for staff. The sweep re-queues a pending
# message only when it was last handed to the broker at least OUTBOX_REQUEUE_AFTER_SECONDS ago.
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=60)
OUTBOX_BACKOFF_MAX_SECONDS = env.int("OUTBOX_BACKOFF_MAX_SECONDS", default=3600)
OUTBOX_GIVE_UP_AFTER_HOURS = env.int("OUTBOX_GIVE_UP_AFTER_HOURS", default=72)
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=120)

# NTD notice API: requests per window per IP address (anonymous) and per API key.
NTD_API_RATE_LIMIT_ANONYMOUS = env.int("NTD_API_RATE_LIMIT_ANONYMOUS", default=30)
NTD_API_RATE_LIMIT_KEY = env.int("NTD_API_RATE_LIMIT_KEY", default=1000)
NTD_API_RATE_WINDOW = env.int("NTD_API_RATE_WINDOW", default=3600)
# Notices per IP address per NTD_API_RATE_WINDOW through the public form.
NTD_FORM_RATE_LIMIT = env.int("NTD_FORM_RATE_LIMIT", default=10)

# Contracts: notice periods before a new version takes effect (months), ISI Media as processor on signed DPAs, and the
# organisation certificate (PKCS#12) that seals them. Without a certificate `make run` creates a demo one.
CONTRACTS_NOTICE_MONTHS = {
    "dpa": env.int("CONTRACTS_NOTICE_MONTHS_DPA", default=3),
    "terms": env.int("CONTRACTS_NOTICE_MONTHS_TERMS", default=2),
}
CONTRACTS_DIRECTOR_NAME = env.str("CONTRACTS_DIRECTOR_NAME", default="Eric van den Berg")
CONTRACTS_PROCESSOR_NAME = env.str("CONTRACTS_PROCESSOR_NAME", default="ISI Media")
CONTRACTS_PROCESSOR_KVK = env.str("CONTRACTS_PROCESSOR_KVK", default="27283259")
CONTRACTS_SIGNING_PKCS12 = env.str("CONTRACTS_SIGNING_PKCS12", default="")
CONTRACTS_SIGNING_PASSPHRASE = env.str("CONTRACTS_SIGNING_PASSPHRASE", default="")
CONTRACTS_VERIFY_EXTRA_CERTIFICATES = env.list("CONTRACTS_VERIFY_EXTRA_CERTIFICATES", default=[])
# Uploads to the public /verifieer/ page per IP address per window (seconds): each check costs real CPU.
CONTRACTS_VERIFY_RATE_LIMIT = env.int("CONTRACTS_VERIFY_RATE_LIMIT", default=30)
CONTRACTS_VERIFY_RATE_WINDOW = env.int("CONTRACTS_VERIFY_RATE_WINDOW", default=3600)
# How many proxies in front of the portal set X-Forwarded-For (0: use the connection's address); used for the DPA
# signer's address and every rate limit.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Privacy: Fernet keys (newest first) that encrypt identity copies, uploads and data packages at rest; the retention
# periods in days (defaults from the privacy statement: personal data one year); how long links stay valid.
PRIVACY_ENCRYPTION_KEYS = env.list("PRIVACY_ENCRYPTION_KEYS", default=[])
PRIVACY_UNCONFIRMED_DAYS = env.int("PRIVACY_UNCONFIRMED_DAYS", default=30)
PRIVACY_IDENTITY_COPY_DAYS = env.int("PRIVACY_IDENTITY_COPY_DAYS", default=14)
PRIVACY_PACKAGE_LINK_DAYS = env.int("PRIVACY_PACKAGE_LINK_DAYS", default=14)
PRIVACY_RETENTION_DAYS = env.int("PRIVACY_RETENTION_DAYS", default=365)
PRIVACY_REQUEST_RETENTION_DAYS = env.int("PRIVACY_REQUEST_RETENTION_DAYS", default=365)
PRIVACY_NTD_CASE_RETENTION_DAYS = env.int("PRIVACY_NTD_CASE_RETENTION_DAYS", default=365)
PRIVACY_OUTBOX_RETENTION_DAYS = env.int("PRIVACY_OUTBOX_RETENTION_DAYS", default=365)
# Requests due within this many working days are in the officers' daily reminder (with the overdue ones).
PRIVACY_REMINDER_WORKING_DAYS = env.int("PRIVACY_REMINDER_WORKING_DAYS", default=5)
# Requests per IP address per window (seconds) through the public request form.
PRIVACY_FORM_RATE_LIMIT = env.int("PRIVACY_FORM_RATE_LIMIT", default=10)
PRIVACY_FORM_RATE_WINDOW = env.int("PRIVACY_FORM_RATE_WINDOW", default=3600)
# Where the daily reminder goes when the privacy officers' group has no one with an e-mail address.
PRIVACY_EMAIL = env.str("PRIVACY_EMAIL", default="privacy@isimedia.nl")

# Satisfaction: the review pages every visitor is invited to (whatever their score), the anti-spam measures of the
# feedback form (ALTCHA proof-of-work signed with SATISFACTION_CAPTCHA_HMAC_KEY, a minimum time to fill in the form,
# a limit per IP address per window), where alerts go, and how long feedback keeps the person's details.
SATISFACTION_GOOGLE_REVIEW_URL = env.str(
    "SATISFACTION_GOOGLE_REVIEW_URL", default="https://www.google.com/search?q=ISI+Media+Den+Haag"
)
SATISFACTION_FACEBOOK_REVIEW_URL = env.str(
    "SATISFACTION_FACEBOOK_REVIEW_URL", default="https://www.facebook.com/isimedia/reviews"
)
SATISFACTION_CAPTCHA_HMAC_KEY = env.str("SATISFACTION_CAPTCHA_HMAC_KEY", default="development-only-captcha-key")
SATISFACTION_CAPTCHA_MAX_NUMBER = env.int("SATISFACTION_CAPTCHA_MAX_NUMBER", default=100_000)
SATISFACTION_CAPTCHA_EXPIRES_SECONDS = env.int("SATISFACTION_CAPTCHA_EXPIRES_SECONDS", default=1200)
SATISFACTION_MIN_SECONDS = env.int("SATISFACTION_MIN_SECONDS", default=3)
SATISFACTION_RATE_LIMIT = env.int("SATISFACTION_RATE_LIMIT", default=5)
SATISFACTION_RATE_WINDOW = env.int("SATISFACTION_RATE_WINDOW", default=3600)
SATISFACTION_ALERT_EMAIL = env.str("SATISFACTION_ALERT_EMAIL", default=STAFF_EMAIL)
SATISFACTION_RETENTION_DAYS = env.int("SATISFACTION_RETENTION_DAYS", default=365)
# The audit trail (django-auditlog, isimedia/audit.py): entries older than this are deleted by the daily retention
# job. Five years (with leap days): as long as a claim about a case, request or contract can still be brought
# (art. 3:310 BW); the entries hold no personal values of the people in those cases, only who did what when.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=1827)
# The address auditlog would record is the first of X-Forwarded-For, which a client writes itself; staff are
# identified by their (two-factor) login instead, and no visitor's address is kept for years.
AUDITLOG_DISABLE_REMOTE_ADDR = True
# Fixtures and restores are not changes anyone made.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# Redis is both the Celery broker and the cache.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "KEY_PREFIX": "isimedia",
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Write last_run_at after every sent task, so /healthz sees a stopped beat within minutes.
CELERY_BEAT_SYNC_EVERY = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request must never hang on an unreachable broker: publish fails fast and the outbox sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Longer than any task runs, so a slow task is not handed to a second worker.
    "visibility_timeout": 3600,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Response headers (production.py adds HSTS and secure cookies). No script reads a cookie, so both are HTTP-only.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Downloads behind a secret link send "no-referrer" themselves; pages keep "same-origin", since browsers post forms
# from a "no-referrer" page with "Origin: null", which the CSRF check refuses.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): scripts only from the portal's own static files, never inline
# (isimedia/tests/test_security_headers.py fails on an inline script or event handler in a template).
# - style-src allows inline styles: the privacy and satisfaction admin templates carry <style> blocks and the ALTCHA
#   widget inserts its own stylesheet; styles run no code.
# - worker-src allows blob: because the vendored ALTCHA widget starts its proof-of-work workers from blob: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Secret link tokens never reach a log line: Django logs "Gone: /privacy/verzoek/<token>/", runserver the
    # request line (gunicorn's access log is covered by gunicorn.conf.py).
    "filters": {"redact_secrets": {"()": "isimedia.logging.RedactSecretsFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # runserver's own line format (Django's default for the django.server logger), kept with the filter added.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
