"""Settings for the portal processes the fault tests start (Celery workers, gunicorn): the test settings, with e-mail
sent to the test's own SMTP server and a broker that hands back a lost task within seconds instead of an hour.

Read from the environment: FAULT_SMTP_PORT (the aiosmtpd server of the test) and FAULT_VISIBILITY_TIMEOUT.
"""

from isimedia.settings.test import *  # noqa: F403
from isimedia.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, env

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = env.int("FAULT_SMTP_PORT", default=25)
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""

# A task taken by a worker that then died is handed out again once this many seconds have passed since it was taken
# (production: an hour, with the outbox sweep catching up after minutes). Restores are looked for every second.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("FAULT_VISIBILITY_TIMEOUT", default=3),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
