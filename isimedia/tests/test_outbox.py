"""The e-mail outbox: written with the change, sent after commit, retried with backoff, never sent twice."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from isimedia import outbox
from isimedia.models import OutboxMessage
from isimedia.tests.support import celery_broker, free_port


def wait_until(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def status_of(message):
    return OutboxMessage.objects.values_list("status", flat=True).get(pk=message.pk)


def make_due(message):
    """As if the backoff period had passed since the message was last tried and queued."""
    earlier = timezone.now() - timedelta(minutes=10)
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=earlier, queued_at=earlier)


@pytest.mark.django_db
def test_message_is_rendered_in_the_recipients_language():
    dutch = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")
    english = outbox.email_queue(template="test_message", to="ann@example.com", language="en")

    assert dutch.subject == "Testbericht van het ISI Media-portaal"
    assert "werkt het versturen van e-mail" in dutch.body_text
    assert '<html lang="nl">' in dutch.body_html
    assert english.subject == "Test message from the ISI Media portal"
    assert "sending e-mail works" in english.body_text
    assert '<html lang="en">' in english.body_html
    assert dutch.status == english.status == OutboxMessage.Status.PENDING


@pytest.mark.django_db
def test_one_message_to_many_is_written_once_per_recipient_in_their_language(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    recipients = [
        ("jan@example.nl", "nl"),
        ("ann@example.com", "en"),
        ("piet@example.nl", "nl"),
        ("x@example.de", "de"),
    ]
    with django_capture_on_commit_callbacks() as callbacks, django_assert_max_num_queries(1):
        messages = outbox.email_queue_many(template="test_message", recipients=recipients)
    stored = {m.to: m for m in OutboxMessage.objects.all()}
    assert sorted(stored) == sorted(address for address, _language in recipients)
    assert [m.pk for m in messages] == [stored[address].pk for address, _language in recipients]
    assert (
        stored["jan@example.nl"].subject == stored["piet@example.nl"].subject == "Testbericht van het ISI Media-portaal"
    )
    assert stored["ann@example.com"].subject == "Test message from the ISI Media portal"
    assert stored["x@example.de"].language == "nl"
    assert {m.status for m in stored.values()} == {OutboxMessage.Status.PENDING}
    # Handed to the workers once the transaction commits, like any other message.
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_unknown_language_falls_back_to_dutch():
    message = outbox.email_queue(template="test_message", to="x@example.nl", language="de")
    assert message.language == "nl"


@pytest.mark.django_db
def test_nothing_is_written_or_queued_when_the_change_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")
        raise RuntimeError("the change that caused the e-mail failed")
    assert not OutboxMessage.objects.exists()
    assert callbacks == []


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_message_once_after_commit(celery_worker):
    with transaction.atomic():
        message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")

    assert wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT), "the worker did not send the e-mail"
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["jan@example.nl"]
    assert sent.subject == "Testbericht van het ISI Media-portaal"
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.alternatives[0].mimetype == "text/html"

    # A second delivery of the task and a sweep change nothing.
    assert outbox.outbox_send(message_id=message.pk) is False
    assert outbox.outbox_sweep() == 0
    time.sleep(0.5)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_unreachable_redis_delays_the_email_and_loses_none(redis_server):
    redis_server.start()
    with celery_broker(redis_server.url):
        redis_server.stop()

        # The change is saved and the caller sees no error, although the task cannot be queued.
        with transaction.atomic():
            message = outbox.email_queue(template="test_message", to="jan@example.nl", language="en")
        assert status_of(message) == OutboxMessage.Status.PENDING
        assert mail.outbox == []

        redis_server.start()
        from celery.contrib.testing.worker import start_worker

        from isimedia.celery import app

        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            # The sweep leaves a just-queued message alone for a while; some minutes later it queues it again.
            assert outbox.outbox_sweep() == 0
            make_due(message)
            assert outbox.outbox_sweep() == 1
            assert wait_until(lambda: status_of(message) == OutboxMessage.Status.SENT)
            assert outbox.outbox_sweep() == 0
            time.sleep(0.5)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Test message from the ISI Media portal"


@pytest.mark.django_db
def test_smtp_refusal_is_retried_with_backoff_and_sent_once(smtp_server):
    smtp_server.handler.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"
    message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")

    assert outbox.outbox_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "451" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # Not due yet: neither the sweep nor a repeated task tries it again now.
    assert outbox.outbox_due_ids() == []
    assert outbox.outbox_send(message_id=message.pk) is False
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1

    smtp_server.handler.refuse_with = None
    make_due(message)
    assert outbox.outbox_due_ids() == [message.pk]
    assert outbox.outbox_send(message_id=message.pk) is True
    assert outbox.outbox_send(message_id=message.pk) is False

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.attempts == 2
    assert message.last_error == ""
    assert len(smtp_server.messages) == 1
    assert "Subject: Testbericht van het ISI Media-portaal" in smtp_server.messages[0]


@pytest.mark.django_db
def test_backoff_doubles_and_staff_are_asked_after_days_of_failure(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens here: the SMTP server is down
    settings.EMAIL_TIMEOUT = 2
    message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")

    waits = []
    for _ in range(3):
        make_due(message)
        before = timezone.now()
        assert outbox.outbox_send(message_id=message.pk) is False
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - before).total_seconds() / 60))
    assert waits == [1, 2, 4]
    assert message.status == OutboxMessage.Status.PENDING
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error

    # Three days of failures: the message is marked failed for staff instead of being tried for ever.
    OutboxMessage.objects.filter(pk=message.pk).update(pending_since=timezone.now() - timedelta(hours=72))
    make_due(message)
    assert outbox.outbox_send(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert outbox.outbox_due_ids() == []

    # Staff put it back in the queue once the server works again; it gets a new round of attempts.
    assert outbox.outbox_retry(message_id=message.pk) is True
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 0)
    assert timezone.now() - message.pending_since < timedelta(minutes=1)


@pytest.mark.django_db
def test_sweep_does_not_fill_the_queue_with_copies_of_a_waiting_message(django_capture_on_commit_callbacks):
    message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")
    assert outbox.outbox_sweep() == 0  # just handed to the broker by email_queue

    make_due(message)
    assert outbox.outbox_sweep() == 1
    assert outbox.outbox_sweep() == 0  # the worker has not got to it yet: no second copy
    assert timezone.now() - OutboxMessage.objects.get(pk=message.pk).queued_at < timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_deliver_one_email(smtp_server):
    smtp_server.handler.delay = 1.0  # a slow SMTP server keeps the first sender busy
    with transaction.atomic():
        message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")
    results = []

    def send():
        try:
            results.append(outbox.outbox_send(message_id=message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, True]
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db
def test_staff_see_status_attempts_and_error_in_the_admin(admin_client, django_assert_max_num_queries):
    for index in range(30):
        outbox.email_queue(template="test_message", to=f"person{index}@example.nl", language="nl")
    failed = OutboxMessage.objects.first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=OutboxMessage.Status.FAILED, attempts=8, last_error="SMTPServerDisconnected: gone"
    )

    # One more than before two-step sign-in: every admin request reads the session's verified device.
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse("admin:isimedia_outboxmessage_changelist"))
    assert response.status_code == 200
    assert "person29@example.nl" in response.text

    detail = admin_client.get(reverse("admin:isimedia_outboxmessage_change", args=[failed.pk]))
    assert "SMTPServerDisconnected: gone" in detail.text
    # The HTML is shown as the recipient sees it, in a sandboxed frame, escaped into its attribute.
    assert '<iframe sandbox srcdoc="&lt;!DOCTYPE html&gt;' in detail.text

    response = admin_client.post(
        reverse("admin:isimedia_outboxmessage_changelist"),
        {"action": "retry_messages", "_selected_action": [failed.pk]},
        follow=True,
    )
    assert OutboxMessage.objects.get(pk=failed.pk).status == OutboxMessage.Status.PENDING


@pytest.mark.django_db
def test_staff_cannot_read_links_in_sensitive_messages(admin_client):
    message = outbox.email_queue(
        template="test_message", to="jan@example.nl", language="nl", context={"note": "secret-link-123"}, sensitive=True
    )
    detail = admin_client.get(reverse("admin:isimedia_outboxmessage_change", args=[message.pk])).text
    assert "secret-link-123" not in detail
    assert "Verborgen" in detail or "Hidden" in detail
    assert message.subject in detail


@pytest.mark.django_db
def test_staff_who_may_only_view_cannot_cancel_or_retry(client):
    from django.contrib.auth.models import Group

    from isimedia import roles
    from isimedia.models import User

    handler = User.objects.create_user(email="ntd@isimedia.nl", password="x", is_staff=True)
    handler.groups.set([Group.objects.get(name=roles.NTD_HANDLERS)])
    client.force_login(handler)
    message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl")

    changelist = client.get(reverse("admin:isimedia_outboxmessage_changelist"))
    assert changelist.status_code == 200
    assert "cancel_messages" not in changelist.text
    client.post(
        reverse("admin:isimedia_outboxmessage_changelist"),
        {"action": "cancel_messages", "_selected_action": [message.pk]},
    )
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.PENDING


@pytest.mark.django_db
def test_text_is_not_html_escaped_and_html_is(tmp_path, settings):
    note = 'Bakker & Zn <"test">'
    message = outbox.email_queue(template="test_message", to="jan@example.nl", language="nl", context={"note": note})
    assert note in message.body_text
    assert "Bakker &amp; Zn &lt;&quot;test&quot;&gt;" in message.body_html


@pytest.mark.django_db
def test_html_made_from_text_escapes_what_people_typed(settings, tmp_path):
    # A message with only a text template, as most NTD messages are.
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]} for engine in settings.TEMPLATES]
    folder = tmp_path / "emails" / "plain_only"
    folder.mkdir(parents=True)
    (folder / "subject.nl.txt").write_text("Melding")
    (folder / "body_text.nl.txt").write_text("Toelichting: {{ typed }}")
    typed = '<a href="https://phish.example">klik</a> & Zn'
    message = outbox.email_queue(template="plain_only", to="jan@example.nl", language="nl", context={"typed": typed})
    assert typed in message.body_text
    assert '<a href="https://phish.example">' not in message.body_html
    assert "&lt;a href=" in message.body_html and "&amp; Zn" in message.body_html
