"""The privacy app's beat tasks: registered under their names, scheduled, and only calling their service."""

from datetime import timedelta

import pytest
from django.utils import timezone

from isimedia.celery import app
from isimedia.schedule import PERIODIC_TASKS
from privacy import tasks
from privacy.models import DataSubjectRequest, RetentionRun
from privacy.tests.factories import RequestFactory


@pytest.mark.parametrize(("name", "every"), [("privacy.remind_due_requests", 900), ("privacy.apply_retention", 86400)])
def test_beat_runs_the_tasks(name, every):
    (entry,) = [entry for entry in PERIODIC_TASKS if entry.task == name]
    assert entry.every_seconds == every
    assert name in app.tasks


def test_task_names():
    assert tasks.remind_due_requests.name == "privacy.remind_due_requests"
    assert tasks.apply_retention.name == "privacy.apply_retention"


@pytest.mark.django_db
def test_the_reminder_task_calls_the_service():
    # Nothing is due: whatever day the test runs, the task reminds of nothing.
    assert tasks.remind_due_requests.apply().get() == 0


@pytest.mark.django_db
def test_the_retention_task_applies_retention_once():
    long_ago = timezone.now() - timedelta(days=40)
    stale = RequestFactory(received_at=long_ago, confirm_expires_at=long_ago + timedelta(days=30))
    fresh = RequestFactory()

    run_id = tasks.apply_retention.apply().get()

    run = RetentionRun.objects.get(pk=run_id)
    assert run.finished_at is not None and run.records.exists()
    assert not DataSubjectRequest.objects.filter(pk=stale.pk).exists()
    assert DataSubjectRequest.objects.filter(pk=fresh.pk).exists()

    again = RetentionRun.objects.get(pk=tasks.apply_retention.apply().get())
    assert not again.records.exists()
