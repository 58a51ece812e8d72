"""Celery tasks of the privacy app. Each only calls a service."""

from celery import shared_task

from . import services


@shared_task(name="privacy.remind_due_requests")
def remind_due_requests() -> int:
    """Beat runs this often; the service sends the officers' reminder once a working day."""
    return services.requests_remind()


@shared_task(name="privacy.apply_retention")
def apply_retention() -> int:
    """Beat runs this regularly: apply every app's retention rule (idempotent); returns the run's id."""
    from .retention import retention_apply

    return retention_apply().pk
