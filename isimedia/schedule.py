"""The periodic tasks beat runs, written once as data and created in django-celery-beat's tables.

Staff may change an interval or disable a task in the admin; ``ensure_periodic_tasks`` only creates what is
missing, so running it on every start (``make run`` does) never undoes their change. Later apps add their
sweeps to ``PERIODIC_TASKS``.
"""

from dataclasses import dataclass

from django.db import transaction

from .health import HEARTBEAT_TASK_NAME


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    every_seconds: int
    description: str


PERIODIC_TASKS = [
    Periodic(HEARTBEAT_TASK_NAME, "isimedia.heartbeat", 60, "Lets /healthz see that beat is running."),
    Periodic("isimedia: e-mail outbox sweep", "isimedia.outbox_sweep", 60, "Sends e-mail that is still pending."),
    Periodic(
        "ntd: enforce deadlines",
        "ntd.enforce_deadlines",
        300,
        "Starts the assessment of NTD cases whose client did not answer in time; reminds handlers of late ones.",
    ),
    Periodic(
        "contracts: render missing PDFs",
        "contracts.render_missing_pdfs",
        300,
        "Renders the PDF of published terms and DPA versions that a lost task or a broker outage left without one.",
    ),
    Periodic(
        "contracts: make missing signed PDFs",
        "contracts.make_missing_signed_pdfs",
        300,
        "Seals the signed DPAs a task could not (broker down, version PDF not rendered yet).",
    ),
    Periodic(
        "privacy: remind officers of due requests",
        "privacy.remind_due_requests",
        900,
        "Once a working day, tells the privacy officers which requests are due soon or overdue.",
    ),
    Periodic(
        "privacy: apply retention",
        "privacy.apply_retention",
        # Daily: retention periods are counted in days, and each run leaves a record staff can read.
        86400,
        "Removes or anonymises personal data past its retention period and records what it removed.",
    ),
]


def ensure_periodic_tasks() -> list[str]:
    """Create the periodic tasks that do not exist yet; returns the names created."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created = []
    with transaction.atomic():
        for entry in PERIODIC_TASKS:
            if PeriodicTask.objects.filter(name=entry.name).exists():
                continue
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=entry.every_seconds, period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.create(
                name=entry.name, task=entry.task, interval=interval, description=entry.description
            )
            created.append(entry.name)
    return created
