"""The state of the parts the portal needs: database, Redis, Celery worker and Celery beat."""

import logging
import time
from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

HEARTBEAT_TASK_NAME = "isimedia: heartbeat"
# Beat sends the heartbeat every minute; allow two missed beats before calling it down.
BEAT_STALE_AFTER = timedelta(minutes=3)


def _check(fn):
    try:
        return {"ok": True, **(fn() or {})}
    except Exception as error:  # noqa: BLE001 - the report must name the failure, whatever it is
        logger.warning("Health check %s failed: %s", fn.__name__, error)
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis():
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def check_worker():
    from .celery import app

    # limit=1: answer as soon as one worker replies instead of always waiting the full timeout.
    replies = app.control.ping(timeout=1.0, limit=1)
    if not replies:
        raise RuntimeError("no Celery worker answered within 1 s")
    return {"workers": sorted(name for reply in replies for name in reply)}


def check_beat():
    from django_celery_beat.models import PeriodicTask

    last_run = PeriodicTask.objects.filter(name=HEARTBEAT_TASK_NAME).values_list("last_run_at", flat=True).first()
    if last_run is None:
        raise RuntimeError("beat has not sent its heartbeat yet")
    if timezone.now() - last_run > BEAT_STALE_AFTER:
        raise RuntimeError(f"last heartbeat at {last_run.isoformat()}")
    return {"last_heartbeat": last_run.isoformat()}


def check_outbox():
    """Not a part that must run, but what staff want to know: e-mail that failed or waits too long."""
    from .models import OutboxMessage

    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    return {
        "failed": OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count(),
        "pending": pending.count(),
        "oldest_pending": oldest.isoformat() if oldest else None,
    }


_cache: dict[str, tuple[float, dict]] = {}


def health_report(*, max_age: float = 5.0) -> dict:
    """The state of every part; reused for a few seconds so a flood of probes cannot tie up the web workers."""
    cached = _cache.get("report")
    if cached and time.monotonic() - cached[0] < max_age:
        return cached[1]
    checks = {
        "database": _check(check_database),
        "redis": _check(check_redis),
        "worker": _check(check_worker),
        "beat": _check(check_beat),
    }
    report = {"status": "ok" if all(c["ok"] for c in checks.values()) else "fail", "checks": checks}
    outbox = _check(check_outbox)
    if outbox["ok"]:
        report["outbox"] = {key: value for key, value in outbox.items() if key != "ok"}
    _cache["report"] = (time.monotonic(), report)
    return report


def public_report(report: dict) -> dict:
    """What anyone may see: which part is up, without error texts, host names or counts."""
    return {
        "status": report["status"],
        "checks": {name: {"ok": check["ok"]} for name, check in report["checks"].items()},
    }
