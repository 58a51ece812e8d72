"""Celery tasks of the NTD procedure. Each only calls a service."""

from celery import shared_task

from . import services


@shared_task(name="ntd.enforce_deadlines")
def enforce_deadlines() -> dict:
    """Beat runs this every few minutes: start overdue assessments, remind handlers of late ones."""
    return services.enforce_deadlines()
