"""The state of the parts the portal needs: database, Redis, Celery worker and Celery beat."""

from datetime import timedelta

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

HEARTBEAT_TASK_NAME = "isimedia: heartbeat"
# Beat sends the heartbeat every minute; allow two missed beats before calling it down.
BEAT_STALE_AFTER = timedelta(minutes=3)


def _check(fn):
    try:
        return {"ok": True, **(fn() or {})}
    except Exception as error:  # noqa: BLE001 - the report must name the failure, whatever it is
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

    replies = app.control.ping(timeout=1.0)
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


def health_report() -> dict:
    checks = {
        "database": _check(check_database),
        "redis": _check(check_redis),
        "worker": _check(check_worker),
        "beat": _check(check_beat),
    }
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "fail", "checks": checks}
