"""The e-mail outbox: every e-mail is a row written with the change that causes it, sent after commit.

Queueing happens inside the caller's transaction, so a rolled-back change sends nothing. Sending locks the row
and checks it is still pending, so two workers, a retried task or a sweep running beside the first task never
send one message twice. When the broker or the SMTP server is down the row simply stays pending and the
periodic sweep (``outbox_sweep``) tries again later with an exponential backoff.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import TemplateDoesNotExist, engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxMessage

logger = logging.getLogger(__name__)


def _render(template: str, part: str, language: str, context: dict) -> str:
    if part == "body_html":
        return render_to_string(f"emails/{template}/{part}.{language}.html", context)
    rendered = engines["text"].get_template(f"emails/{template}/{part}.{language}.txt").render(context)
    # A plain str, not a SafeString: the text may carry what a complainant typed, and the HTML made from it
    # (emails/text_as_html.html) must escape that.
    return str.__str__(rendered)


def email_queue(
    *,
    template: str,
    to: str,
    language: str,
    context: dict | None = None,
    reply_to: str = "",
    sensitive: bool = False,
) -> OutboxMessage:
    """Render ``emails/<template>/`` in ``language`` and store it; it is sent once the transaction commits.

    Each message has, per language, ``subject.<lang>.txt`` and ``body_text.<lang>.txt``, and may have
    ``body_html.<lang>.html``; without it the HTML part is the text set in the e-mail base layout.
    ``sensitive`` marks a message that carries a secret link: staff then see its subject and status, not its body.
    """
    language, subject, body_text, body_html = _compose(template, language, context)
    message = OutboxMessage.objects.create(
        template=template,
        language=language,
        to=to,
        reply_to=reply_to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        sensitive=sensitive,
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def email_queue_many(
    *,
    template: str,
    recipients: Iterable[tuple[str, str]],
    context: dict | None = None,
    reply_to: str = "",
    sensitive: bool = False,
) -> list[OutboxMessage]:
    """The same message to several people, (address, language) each: as ``email_queue`` for each, but rendered
    once per language and written in one query (a sweep telling every handler of many cases spent most of its time
    rendering the same text again)."""
    composed = {}
    messages = []
    for to, language in recipients:
        if language not in composed:
            composed[language] = _compose(template, language, context)
        language, subject, body_text, body_html = composed[language]
        messages.append(
            OutboxMessage(
                template=template,
                language=language,
                to=to,
                reply_to=reply_to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                sensitive=sensitive,
            )
        )
    messages = OutboxMessage.objects.bulk_create(messages)
    ids = [message.pk for message in messages]
    transaction.on_commit(lambda: [_enqueue(message_id) for message_id in ids])
    return messages


def _compose(template: str, language: str, context: dict | None) -> tuple[str, str, str, str]:
    """(language, subject, text, HTML) of ``emails/<template>/`` in ``language`` (Dutch if not offered)."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, "language": language, **(context or {})}
    with translation.override(language):
        subject = " ".join(_render(template, "subject", language, context).split())
        body_text = _render(template, "body_text", language, context)
        try:
            body_html = _render(template, "body_html", language, context)
        except TemplateDoesNotExist:
            # Most messages are plain prose: their HTML part is the text, with paragraphs and links, in the base.
            body_html = render_to_string(
                "emails/text_as_html.html", {**context, "subject": subject, "body_text": body_text}
            )
    return language, subject, body_text, body_html


def _enqueue(message_id: int) -> None:
    """Hand a message to a worker; if the broker is unreachable the sweep sends it later."""
    from .tasks import outbox_send_task

    try:
        outbox_send_task.delay(message_id)
    except Exception:
        logger.warning("Broker unreachable; outbox message %s waits for the sweep.", message_id, exc_info=True)


def _backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


def _build(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _deliver(message: OutboxMessage) -> None:
    """Hand the message to the mail server; raises if the server did not accept it."""
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    # Opened here, so send_messages leaves closing to us: once the server has accepted the message, an error
    # while saying goodbye (QUIT) must not count as a failure, or the message would be sent again.
    connection.open()
    try:
        if connection.send_messages([_build(message)]) != 1:
            raise RuntimeError("The mail server accepted no message.")
    finally:
        try:
            connection.close()
        except Exception:
            logger.info("Closing the mail connection failed after outbox message %s.", message.pk, exc_info=True)


def outbox_send(*, message_id: int) -> bool:
    """Try to send one pending, due message; return whether it went out.

    The row stays locked while the SMTP server is talked to, so a concurrent attempt skips it instead of
    sending it again.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return False
        message.attempts += 1
        message.last_attempt_at = now
        try:
            _deliver(message)
        except Exception as error:  # noqa: BLE001 - SMTP, DNS and socket errors all mean "try again later"
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if now - message.pending_since >= timedelta(hours=settings.OUTBOX_GIVE_UP_AFTER_HOURS):
                message.status = OutboxMessage.Status.FAILED
            else:
                message.next_attempt_at = now + _backoff(message.attempts)
            message.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "next_attempt_at"])
            logger.warning("Outbox message %s failed (attempt %s): %s", message.pk, message.attempts, error)
            return False
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
        return True


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    """Ids of pending messages whose next attempt is due and that were not handed to the broker just now."""
    now = timezone.now()
    return list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING,
            next_attempt_at__lte=now,
            queued_at__lte=now - timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS),
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def outbox_sweep() -> int:
    """Queue the due messages again (the periodic task); returns how many were queued."""
    with transaction.atomic():
        ids = outbox_due_ids()
        OutboxMessage.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)


def outbox_retry(*, message_id: int) -> bool:
    """Staff action: put a failed message back in the queue for one more round of attempts."""
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.FAILED).update(
            status=OutboxMessage.Status.PENDING,
            attempts=0,
            pending_since=timezone.now(),
            next_attempt_at=timezone.now(),
            queued_at=timezone.now(),
        )
        if updated:
            transaction.on_commit(lambda: _enqueue(message_id))
    return bool(updated)


def outbox_cancel(*, message_id: int) -> bool:
    """Staff action: never send a message that has not gone out yet."""
    return bool(
        OutboxMessage.objects.filter(
            pk=message_id, status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED]
        ).update(status=OutboxMessage.Status.CANCELLED)
    )
