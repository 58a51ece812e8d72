"""The Celery app: Redis broker, tasks discovered in each app's tasks.py, beat schedule kept in the database."""

import os

from celery import Celery

# Workers and beat run in production unless told otherwise (make run exports the dev settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isimedia.settings.production")

app = Celery("isimedia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
