"""Personal data of the shared models: login accounts and the e-mails the portal sent (see privacy.registry)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy import registry
from privacy.registry import ANONYMISED, ERASED, KEPT, Outcome, PersonalData, RetentionRule

from .models import OutboxMessage

User = get_user_model()


# --- Login accounts --------------------------------------------------------------------------------------------


def export_accounts(email: str) -> list[dict]:
    return [
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.get_language_display(),
            "date_joined": registry.iso(user.date_joined),
            "last_login": registry.iso(user.last_login),
            "is_active": user.is_active,
            "is_staff": user.is_staff,
        }
        for user in User.objects.filter(email__iexact=email).order_by("pk")
    ]


def erase_accounts(email: str, *, dry_run: bool) -> list[Outcome]:
    """Close and anonymise a login that belongs to no client contact; a client contact's login is handled with
    the contact (contracts), a staff member's is kept."""
    outcomes = []
    # Rows that point at the user (signatures, objections, events) must keep pointing somewhere: anonymise, not delete.
    for user in User.objects.filter(email__iexact=email, client_contact__isnull=True).order_by("pk"):
        if user.is_staff:
            outcomes.append(
                Outcome(
                    label=_("Your login as an ISI Media staff member"),
                    action=KEPT,
                    reason=_(
                        "Staff accounts are managed by ISI Media as employer; an administrator closes the account "
                        "when the employment ends."
                    ),
                )
            )
            continue
        outcomes.append(Outcome(label=_("Your login account"), action=ANONYMISED))
        if not dry_run:
            user.email = registry.anonymised_address(user.pk)
            user.first_name = ""
            user.last_name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    return outcomes


# --- E-mails sent ----------------------------------------------------------------------------------------------


def _messages(email: str):
    # reply_to: a message to staff written on someone's behalf (an objection) carries that person's address there.
    return OutboxMessage.objects.filter(Q(to__iexact=email) | Q(reply_to__iexact=email))


def export_emails(email: str) -> list[dict]:
    """Subject, dates and status of every e-mail; the text only when it carries no secret link."""
    return [
        {
            "created_at": registry.iso(message.created_at),
            "sent_at": registry.iso(message.sent_at),
            "status": message.get_status_display(),
            "to": message.to,
            "reply_to": message.reply_to,
            "subject": message.subject,
            # A secret link (to a case, a request, a password form) could still be used by whoever reads it.
            "body": None if message.sensitive else message.body_text,
            "contained_personal_link": message.sensitive,
        }
        for message in _messages(email).order_by("created_at", "id")
    ]


def erase_emails(email: str, *, dry_run: bool) -> list[Outcome]:
    messages = _messages(email)
    done = messages.exclude(status=OutboxMessage.Status.PENDING)
    pending = messages.filter(status=OutboxMessage.Status.PENDING)
    outcomes = []
    done_count = done.count()
    if done_count:
        label = ngettext(
            "%(count)s e-mail sent to you or about you", "%(count)s e-mails sent to you or about you", done_count
        ) % {"count": done_count}
        outcomes.append(Outcome(label=label, action=ERASED, count=done_count))
        if not dry_run:
            done.delete()
    pending_count = pending.count()
    if pending_count:
        outcomes.append(
            Outcome(
                label=ngettext(
                    "%(count)s e-mail to you still waiting to be sent",
                    "%(count)s e-mails to you still waiting to be sent",
                    pending_count,
                )
                % {"count": pending_count},
                action=KEPT,
                reason=_(
                    "They have not been sent yet; once sent they are deleted after %(days)s days like every e-mail."
                )
                % {"days": settings.PRIVACY_OUTBOX_RETENTION_DAYS},
                count=pending_count,
            )
        )
    return outcomes


def retention_emails(now: datetime) -> int:
    """Delete e-mails that were sent (or failed, or were cancelled) longer ago than the retention period."""
    cutoff = now - timedelta(days=settings.PRIVACY_OUTBOX_RETENTION_DAYS)
    old = OutboxMessage.objects.filter(
        Q(status=OutboxMessage.Status.SENT, sent_at__lt=cutoff)
        | Q(status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.CANCELLED], created_at__lt=cutoff)
    )
    deleted, _per_model = old.delete()
    return deleted


registry.register(
    PersonalData(
        key="isimedia.emails",
        label=gettext_lazy("E-mails the portal sent"),
        fields={OutboxMessage: ["to", "reply_to", "subject", "body_text", "body_html"]},
        export=export_emails,
        erase=erase_emails,
        retention=[
            RetentionRule(
                key="isimedia.emails",
                description=lambda: (
                    _("E-mails sent, failed or cancelled more than %(days)s days ago are deleted.")
                    % {"days": settings.PRIVACY_OUTBOX_RETENTION_DAYS}
                ),
                apply=retention_emails,
            )
        ],
        titles={
            "created_at": gettext_lazy("written"),
            "sent_at": OutboxMessage._meta.get_field("sent_at").verbose_name,
            "status": OutboxMessage._meta.get_field("status").verbose_name,
            "to": OutboxMessage._meta.get_field("to").verbose_name,
            "reply_to": OutboxMessage._meta.get_field("reply_to").verbose_name,
            "subject": OutboxMessage._meta.get_field("subject").verbose_name,
            "body": gettext_lazy("text"),
            "contained_personal_link": gettext_lazy("contained a personal link (text therefore not included)"),
        },
    )
)

registry.register(
    PersonalData(
        key="isimedia.accounts",
        label=gettext_lazy("Login accounts"),
        fields={User: ["email", "first_name", "last_name"]},
        export=export_accounts,
        erase=erase_accounts,
        titles={
            **registry.field_titles(User, "email", "first_name", "last_name", "language"),
            "date_joined": gettext_lazy("created"),
            "last_login": gettext_lazy("last logged in"),
            "is_active": gettext_lazy("can log in"),
            "is_staff": gettext_lazy("ISI Media staff member"),
        },
        # Changes the login address others match on: runs after every other entry.
        order=910,
    )
)
