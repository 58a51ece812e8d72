"""/healthz reports the database, Redis, the Celery worker and Celery beat, each really asked."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from isimedia import health
from isimedia.health import HEARTBEAT_TASK_NAME
from isimedia.schedule import ensure_periodic_tasks
from isimedia.tests.support import free_port


@pytest.fixture(autouse=True)
def _fresh_report():
    health._cache.clear()


def get_health(client):
    health._cache.clear()
    response = client.get("/healthz")
    return response.status_code, response.json()


@pytest.mark.django_db
def test_without_worker_and_beat_the_report_says_which_part_is_down(admin_client):
    status, report = get_health(admin_client)

    assert status == 503
    assert report["status"] == "fail"
    assert report["checks"]["database"] == {"ok": True}
    assert report["checks"]["redis"] == {"ok": True}
    assert report["checks"]["worker"]["ok"] is False
    assert "no Celery worker answered" in report["checks"]["worker"]["error"]
    assert report["checks"]["beat"]["ok"] is False


@pytest.mark.django_db
def test_the_public_sees_which_part_is_down_but_no_details(client):
    status, report = get_health(client)
    assert status == 503
    assert report == {
        "status": "fail",
        "checks": {"database": {"ok": True}, "redis": {"ok": True}, "worker": {"ok": False}, "beat": {"ok": False}},
    }


@pytest.mark.django_db
def test_staff_see_the_outbox_figures(admin_client):
    from isimedia.outbox import email_queue

    email_queue(template="test_message", to="jan@example.nl", language="nl")
    _, report = get_health(admin_client)
    assert report["outbox"]["pending"] == 1
    assert report["outbox"]["failed"] == 0


@pytest.mark.django_db
def test_unreachable_redis_is_reported(admin_client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    status, report = get_health(admin_client)
    assert status == 503
    assert report["checks"]["redis"]["ok"] is False
    assert "Connection refused" in report["checks"]["redis"]["error"] or "111" in report["checks"]["redis"]["error"]


@pytest.mark.django_db
def test_a_stale_heartbeat_means_beat_is_down(admin_client):
    ensure_periodic_tasks()
    PeriodicTask.objects.filter(name=HEARTBEAT_TASK_NAME).update(last_run_at=timezone.now() - timedelta(minutes=10))
    _, report = get_health(admin_client)
    assert report["checks"]["beat"]["ok"] is False
    assert "last heartbeat" in report["checks"]["beat"]["error"]


@pytest.mark.django_db(transaction=True)
def test_all_healthy_with_a_running_worker_and_beat(admin_client, celery_worker):
    ensure_periodic_tasks()
    # A real beat process on the test database; the heartbeat runs every second so the test is short.
    fast, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name=HEARTBEAT_TASK_NAME).update(interval=fast)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "isimedia.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_REDIS_URL": settings.REDIS_URL,
    }
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "isimedia", "beat", "--loglevel", "WARNING", "--pidfile="],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            status, report = get_health(admin_client)
            if status == 200:
                break
            time.sleep(0.5)
    finally:
        beat.terminate()
        beat.wait(timeout=20)

    assert report["status"] == "ok", report
    assert status == 200
    assert report["checks"]["worker"]["workers"]
    assert report["checks"]["beat"]["ok"] is True


@pytest.mark.django_db
def test_a_wrong_api_address_answers_in_json_and_a_wrong_page_in_html(client):
    api = client.get("/api/ntd/bestaat-niet/", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 404
    assert api.json() == {"errors": {"non_field_errors": ["There is no API endpoint at this address."]}}

    page = client.get("/bestaat-niet/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
