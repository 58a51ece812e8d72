"""Personal data of the shared models: login accounts, the e-mails the portal sent and the audit trail (see
privacy.registry)."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from privacy import registry
from privacy.registry import ANONYMISED, ANONYMISED_EMAIL, ERASED, KEPT, Outcome, PersonalData, RetentionRule

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


def export_emails(email: str) -> Iterator[dict]:
    """Subject, dates and status of every e-mail; the text only when it carries no secret link."""
    # In chunks: the data package streams the records (privacy/package.py).
    return (
        {
            "created_at": registry.iso(message.created_at),
            "sent_at": registry.iso(message.sent_at),
            "status": registry.label(message, "status"),
            "to": message.to,
            "reply_to": message.reply_to,
            "subject": message.subject,
            # A secret link (to a case, a request, a password form) could still be used by whoever reads it.
            "body": None if message.sensitive else message.body_text,
            "contained_personal_link": message.sensitive,
        }
        for message in registry.streamed(_messages(email).order_by("created_at", "id"))
    )


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


# --- The audit trail (django-auditlog, isimedia/audit.py) ------------------------------------------------------------


def _entries_by(email: str):
    """Entries of what this person did (as a logged-in user); ``actor_email`` is kept even if the login is gone."""
    return LogEntry.objects.filter(Q(actor_email__iexact=email) | Q(actor__email__iexact=email))


def export_audit_entries(email: str) -> list[dict]:
    """What the person did, as the log records it: the values of personal fields were never stored (audit.py)."""
    records = []
    for entry in _entries_by(email).select_related("content_type").order_by("timestamp", "pk"):
        model = entry.content_type.model_class()
        records.append(
            {
                "timestamp": registry.iso(entry.timestamp),
                "action": entry.get_action_display(),
                "object_type": str(model._meta.verbose_name) if model else entry.content_type.model,
                "object": entry.object_repr,
                "fields": sorted((entry.changes or {}).keys()),
            }
        )
    return records


def erase_audit_entries(email: str, *, dry_run: bool) -> list[Outcome]:
    """A staff member's entries are kept; anyone else's (a client's contact) lose the address, not the entry."""
    entries = _entries_by(email)
    outcomes = []
    staff_count = entries.filter(actor__is_staff=True).count()
    if staff_count:
        outcomes.append(
            Outcome(
                label=ngettext(
                    "%(count)s entry in the audit trail of what you did as an ISI Media staff member",
                    "%(count)s entries in the audit trail of what you did as an ISI Media staff member",
                    staff_count,
                )
                % {"count": staff_count},
                action=KEPT,
                reason=_(
                    "ISI Media must be able to show who handled each complaint, request and contract (accountability, "
                    "GDPR art. 5(2) and 24); entries are deleted after %(days)s days."
                )
                % {"days": settings.AUDIT_RETENTION_DAYS},
                count=staff_count,
            )
        )
    others = entries.exclude(actor__is_staff=True).exclude(actor_email=ANONYMISED_EMAIL)
    other_count = others.count()
    if other_count:
        outcomes.append(
            Outcome(
                label=ngettext(
                    "Your e-mail address in %(count)s entry of the audit trail",
                    "Your e-mail address in %(count)s entries of the audit trail",
                    other_count,
                )
                % {"count": other_count},
                action=ANONYMISED,
                count=other_count,
            )
        )
        if not dry_run:
            others.update(actor_email=ANONYMISED_EMAIL)
    return outcomes


def retention_audit_entries(now: datetime) -> int:
    """Delete audit trail entries older than the retention period."""
    deleted, _per_model = LogEntry.objects.filter(
        timestamp__lt=now - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    ).delete()
    return deleted


registry.register(
    PersonalData(
        key="isimedia.audit_log",
        label=gettext_lazy("The audit trail of changes to cases, requests, documents and clients"),
        # remote_addr stays empty (AUDITLOG_DISABLE_REMOTE_ADDR); changes and object_repr never hold the values of
        # the fields this register lists (isimedia/audit.py masks them), but may hold a staff member's own words.
        fields={LogEntry: ["actor_email", "remote_addr", "object_repr", "changes"]},
        export=export_audit_entries,
        erase=erase_audit_entries,
        retention=[
            RetentionRule(
                key="isimedia.audit_log",
                description=lambda: (
                    _("Audit trail entries older than %(days)s days are deleted.")
                    % {"days": settings.AUDIT_RETENTION_DAYS}
                ),
                apply=retention_audit_entries,
            )
        ],
        titles={
            "timestamp": gettext_lazy("when"),
            "action": gettext_lazy("action"),
            "object_type": gettext_lazy("object type"),
            "object": gettext_lazy("object"),
            "fields": gettext_lazy("fields changed"),
        },
    )
)

# --- Sign-in records (django-axes): failed attempts while they count towards a lockout, and successful sign-ins ----


def _sign_in_records(email: str):
    return (
        AccessAttempt.objects.filter(username__iexact=email),
        AccessLog.objects.filter(username__iexact=email),
    )


def export_sign_ins(email: str) -> list[dict]:
    attempts, sign_ins = _sign_in_records(email)
    records = [
        {"time": registry.iso(row.attempt_time), "result": _("signed in"), "ip_address": row.ip_address}
        for row in sign_ins.order_by("attempt_time")
    ]
    records += [
        {
            "time": registry.iso(row.attempt_time),
            "result": ngettext("%(count)s failed attempt", "%(count)s failed attempts", row.failures_since_start)
            % {"count": row.failures_since_start},
            "ip_address": row.ip_address,
        }
        for row in attempts.order_by("attempt_time")
    ]
    return records


def erase_sign_ins(email: str, *, dry_run: bool) -> list[Outcome]:
    attempts, sign_ins = _sign_in_records(email)
    count = attempts.count() + sign_ins.count()
    if not count:
        return []
    if not dry_run:
        attempts.delete()
        sign_ins.delete()
    return [
        Outcome(
            label=ngettext(
                "%(count)s record of signing in or a failed attempt",
                "%(count)s records of signing in or failed attempts",
                count,
            )
            % {"count": count},
            action=ERASED,
            count=count,
        )
    ]


def retention_sign_ins(now: datetime) -> int:
    """Sign-ins older than LOGIN_RECORD_DAYS go, and failed attempts once they no longer count towards a lockout."""
    old_sign_ins, _per_model = AccessLog.objects.filter(
        attempt_time__lt=now - timedelta(days=settings.LOGIN_RECORD_DAYS)
    ).delete()
    old_attempts, _per_model = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME).delete()
    return old_sign_ins + old_attempts


registry.register(
    PersonalData(
        key="isimedia.sign_ins",
        label=gettext_lazy("Records of signing in to the portal"),
        fields={
            AccessAttempt: ["username", "ip_address", "user_agent", "get_data", "post_data"],
            AccessLog: ["username", "ip_address", "user_agent"],
        },
        export=export_sign_ins,
        erase=erase_sign_ins,
        retention=[
            RetentionRule(
                key="isimedia.sign_ins",
                description=lambda: (
                    _(
                        "Records of signing in are deleted after %(days)s days, failed attempts once they no longer "
                        "count towards a lockout."
                    )
                    % {"days": settings.LOGIN_RECORD_DAYS}
                ),
                apply=retention_sign_ins,
            )
        ],
        titles={
            "time": gettext_lazy("when"),
            "result": gettext_lazy("result"),
            "ip_address": gettext_lazy("IP address"),
        },
    )
)

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
