"""Beat's periodic tasks are created once, and a staff member's change to them is kept."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from isimedia.schedule import PERIODIC_TASKS


@pytest.mark.django_db
def test_setup_periodic_tasks_creates_each_task_once_and_keeps_staff_changes(capsys):
    call_command("setup_periodic_tasks")
    assert "created" in capsys.readouterr().out
    names = {entry.name for entry in PERIODIC_TASKS}
    assert set(PeriodicTask.objects.filter(name__in=names).values_list("name", flat=True)) == names

    sweep = PeriodicTask.objects.get(task="isimedia.outbox_sweep")
    assert (sweep.interval.every, sweep.interval.period) == (60, IntervalSchedule.SECONDS)
    five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period=IntervalSchedule.MINUTES)
    sweep.interval = five_minutes
    sweep.enabled = False
    sweep.save()

    call_command("setup_periodic_tasks")
    assert "up to date" in capsys.readouterr().out
    assert PeriodicTask.objects.filter(name__in=names).count() == len(names)
    sweep.refresh_from_db()
    assert (sweep.interval, sweep.enabled) == (five_minutes, False)
