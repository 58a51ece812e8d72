"""Production: every secret and host name must come from the environment; nothing insecure is defaulted."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
IS_PRODUCTION = True
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
SITE_URL = env.str("SITE_URL").rstrip("/")
# Required: the development default prints e-mail to the log and would mark it sent.
EMAIL_CONFIG = env.email_url("EMAIL_URL")
globals().update(EMAIL_CONFIG)

# Required: identity copies and data packages cannot be stored unencrypted.
PRIVACY_ENCRYPTION_KEYS = env.list("PRIVACY_ENCRYPTION_KEYS")

# Required: with a known key anyone could forge solved captchas.
SATISFACTION_CAPTCHA_HMAC_KEY = env.str("SATISFACTION_CAPTCHA_HMAC_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /healthz is probed by the load balancer over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
