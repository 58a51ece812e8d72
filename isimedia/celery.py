"""The Celery app: Redis broker, tasks discovered in each app's tasks.py, beat schedule kept in the database."""

import os

from celery import Celery, signals

# Workers and beat run in production unless told otherwise (make run exports the dev settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isimedia.settings.production")

app = Celery("isimedia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _redact_secrets_in_worker_logs(logger, **kwargs):
    """Celery replaces the root logger's handlers with its own, which lack the filter Django's LOGGING puts on the
    console; tasks carry only ids today, but a secret link must never reach a worker's log either."""
    from isimedia.logging import RedactSecretsFilter

    for handler in logger.handlers:
        if not any(isinstance(existing, RedactSecretsFilter) for existing in handler.filters):
            handler.addFilter(RedactSecretsFilter())
