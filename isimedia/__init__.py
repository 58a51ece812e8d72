"""ISI Media's portal: project package (settings, urls, Celery app) and the pieces every app shares."""

from .celery import app as celery_app

__all__ = ("celery_app",)
