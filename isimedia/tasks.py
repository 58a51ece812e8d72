"""Celery tasks shared by every app: e-mail outbox and the beat heartbeat. Each only calls a service."""

from celery import shared_task

from . import outbox


@shared_task(name="isimedia.outbox_send")
def outbox_send_task(message_id: int) -> bool:
    return outbox.outbox_send(message_id=message_id)


@shared_task(name="isimedia.outbox_sweep")
def outbox_sweep_task() -> int:
    return outbox.outbox_sweep()


@shared_task(name="isimedia.heartbeat")
def heartbeat_task() -> None:
    """Beat sends this every minute; /healthz reads when beat last sent it."""
