"""A complaint survives the parts behind the form failing for real: Redis stopped while it is submitted, the SMTP
server refusing its e-mails. It is saved and confirmed at once; its e-mails go out when the part is back, once each."""

import re
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from isimedia.celery import app as celery_app
from isimedia.models import OutboxMessage, User
from isimedia.tasks import outbox_sweep_task
from isimedia.tests.support import celery_broker
from ntd.models import Notice, State
from ntd.tests.test_form import valid_data

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("ntd:index")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def all_sent() -> bool:
    return not OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT).exists()


def as_if_minutes_passed(minutes=10):
    """As if the backoff wait, and the sweep's wait after a message was last queued, were over."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).update(next_attempt_at=earlier, queued_at=earlier)


def status_column(changelist: str) -> list[str]:
    return re.findall(r'<td class="field-status">([^<]*)</td>', changelist)


def submit(client) -> tuple[Notice, str]:
    """Submit the public form as a complainant does and read the page it leads to."""
    started = time.monotonic()
    response = client.post(URL, valid_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    assert time.monotonic() - started < 10, "the complainant was kept waiting"
    page = client.get(response.url)
    assert page.status_code == 200
    return Notice.objects.get(), page.content.decode()


def test_redis_down_while_submitting_saves_and_confirms_and_mails_once_when_back(english, redis_server, settings):
    # Redis is the broker and the cache (where the form's rate limit counts): both on a server the test can stop.
    redis_server.start()
    # (The Celery app read its broker URL from the settings once; celery_broker points it elsewhere and back.)
    settings.CACHES = {name: {**config, "LOCATION": redis_server.url} for name, config in settings.CACHES.items()}
    with celery_broker(redis_server.url):
        redis_server.stop()

        notice, page = submit(english)

        assert notice.state == State.RECEIVED
        assert "Thank you, your notice has been received" in page
        assert notice.reference in page
        queued = list(OutboxMessage.objects.order_by("id").values_list("to", "subject"))
        assert "marieke@fotografie.example" in [to for to, _ in queued]
        assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.PENDING}
        assert mail.outbox == []

        redis_server.start()
        # The beat's sweep, run by a real worker, finds the waiting e-mails once its wait after queueing is over.
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            as_if_minutes_passed(3)
            outbox_sweep_task.delay()
            assert wait_until(all_sent), list(OutboxMessage.objects.values_list("to", "status", "last_error"))
            # Later sweeps find nothing to send again.
            outbox_sweep_task.delay()
            time.sleep(1)

    assert sorted((message.to[0], message.subject) for message in mail.outbox) == sorted(queued)
    assert any(notice.reference in message.body for message in mail.outbox if message.to == [notice.complainant_email])


def test_smtp_refusing_the_complaints_emails_retries_with_backoff_shows_it_to_staff_and_sends_once(
    english, smtp_server, celery_worker
):
    smtp_server.handler.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"

    notice, page = submit(english)

    assert "Thank you, your notice has been received" in page
    assert notice.reference in page
    assert wait_until(lambda: not OutboxMessage.objects.filter(attempts=0).exists()), "the worker tried nothing"
    messages = list(OutboxMessage.objects.order_by("id"))
    for message in messages:
        assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
        assert "451" in message.last_error
        assert timedelta(seconds=55) < message.next_attempt_at - message.last_attempt_at < timedelta(seconds=65)

    # Still refused at the next try: the wait doubles.
    as_if_minutes_passed()
    outbox_sweep_task.delay()
    assert wait_until(lambda: not OutboxMessage.objects.filter(attempts=1).exists())
    for message in OutboxMessage.objects.all():
        assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 2)
        assert timedelta(seconds=115) < message.next_attempt_at - message.last_attempt_at < timedelta(seconds=125)
    assert smtp_server.messages == []

    # Staff see in the admin what waits, how often it was tried and why it failed.
    admin = User.objects.create_superuser(email="beheer@isimedia.example", password="x")
    english.force_login(admin)
    changelist = english.get(reverse("admin:isimedia_outboxmessage_changelist")).content.decode()
    for message in messages:
        assert message.to in changelist
    assert status_column(changelist) == ["waiting to be sent"] * len(messages)
    assert re.findall(r'<td class="field-attempts">(\d+)</td>', changelist) == ["2"] * len(messages)
    detail = english.get(reverse("admin:isimedia_outboxmessage_change", args=[messages[0].pk])).content.decode()
    assert "SMTPDataError: (451, b&#x27;4.3.0 Mailbox temporarily unavailable&#x27;)" in detail

    # The server accepts mail again: the next sweep sends each e-mail, once.
    smtp_server.handler.refuse_with = None
    as_if_minutes_passed()
    outbox_sweep_task.delay()
    assert wait_until(all_sent)
    outbox_sweep_task.delay()
    time.sleep(1)
    assert len(smtp_server.messages) == len(messages)
    for message in messages:
        assert sum(f"Message-ID: {message.message_id}" in sent for sent in smtp_server.messages) == 1
    assert set(OutboxMessage.objects.values_list("attempts", "last_error")) == {(3, "")}

    changelist = english.get(reverse("admin:isimedia_outboxmessage_changelist")).content.decode()
    assert status_column(changelist) == ["sent"] * len(messages)
