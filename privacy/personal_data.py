"""The privacy app's own personal data: requests and what goes with them, and breach notifications (see registry).

A request is kept as evidence that it was handled (GDPR art. 5(2)): while open, and for
PRIVACY_REQUEST_RETENTION_DAYS after it closed; then the person's data goes (``anonymised_at``) and the record of
what happened when stays. Unconfirmed requests are purged; requesters' files and data packages are deleted as soon
as their time is up, the row keeping the fact.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registry
from .crypto import delete_encrypted
from .models import (
    CLOSED_STATES,
    BreachNotification,
    DataPackage,
    DataSubjectRequest,
    RequesterFile,
    RequestEvent,
    RequestLink,
    RequestMessage,
    State,
)
from .registry import ANONYMISED, ERASED, KEPT, Outcome, PersonalData, RetentionRule

# What stands in for a hosted site's URL that cannot be reduced to its site (the column may not be empty then).
ANONYMISED_URL = "https://anonymised.invalid/"


def _delete_after_commit(paths: list[str]) -> None:
    paths = [path for path in paths if path]
    if paths:
        transaction.on_commit(lambda: [delete_encrypted(path) for path in paths])


def _site_only(url: str) -> str:
    """The site of a URL (scheme and host): which client's site it was stays known, the page about the person goes."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.hostname}/"
    return ANONYMISED_URL


def delete_request_files(files, *, reason: str, now: datetime) -> int:
    """Delete the stored content of requester files; each row stays with ``deleted_at`` and the reason."""
    files = list(files.exclude(encrypted_path="").select_for_update(of=("self",)))
    for item in files:
        _delete_after_commit([item.encrypted_path])
        item.encrypted_path = ""
        item.deleted_at = now
        item.deletion_reason = reason[:200]
        item.save(update_fields=["encrypted_path", "deleted_at", "deletion_reason"])
    return len(files)


def delete_package_files(packages, *, now: datetime) -> int:
    packages = list(packages.exclude(encrypted_path="").select_for_update(of=("self",)))
    for package in packages:
        _delete_after_commit([package.encrypted_path])
        package.encrypted_path = ""
        package.deleted_at = package.deleted_at or now
        package.save(update_fields=["encrypted_path", "deleted_at"])
    return len(packages)


def anonymise_requests(request_ids: list[int], *, now: datetime) -> int:
    """Remove the person from closed requests; the reference, right, dates, states and steps stay."""
    requests = list(
        DataSubjectRequest.objects.filter(pk__in=request_ids, anonymised_at__isnull=True).select_for_update()
    )
    if not requests:
        return 0
    ids = [request.pk for request in requests]
    delete_request_files(
        RequesterFile.objects.filter(request_id__in=ids),
        reason=_("Deleted when the request was anonymised."),
        now=now,
    )
    delete_package_files(DataPackage.objects.filter(request_id__in=ids), now=now)
    RequestLink.objects.filter(request_id__in=ids).delete()
    RequestMessage.objects.filter(request_id__in=ids).update(text="")
    RequestEvent.objects.filter(request_id__in=ids).update(note="")
    RequesterFile.objects.filter(request_id__in=ids).update(original_name="")
    for request in requests:
        request.name = ""
        request.email = ""
        request.description = ""
        request.hosted_url = _site_only(request.hosted_url)
        request.reply = ""
        request.identity_doubt = ""
        request.anonymised_at = now
        request.save(
            update_fields=["name", "email", "description", "hosted_url", "reply", "identity_doubt", "anonymised_at"]
        )
    return len(requests)


# --- Requests --------------------------------------------------------------------------------------------------


def _requests(email: str):
    return DataSubjectRequest.objects.filter(email__iexact=email, anonymised_at__isnull=True).order_by(
        "received_at", "id"
    )


def export_requests(email: str) -> Iterator[dict]:
    requests = _requests(email).prefetch_related(
        Prefetch("messages", queryset=RequestMessage.objects.order_by("created_at", "id")),
        Prefetch("files", queryset=RequesterFile.objects.order_by("uploaded_at", "id")),
        Prefetch("packages", queryset=DataPackage.objects.order_by("created_at", "id")),
        Prefetch("events", queryset=RequestEvent.objects.order_by("at", "id")),
    )
    # In chunks: the data package streams the records (privacy/package.py).
    return (
        {
            "reference": request.reference,
            "right": registry.label(request, "right"),
            "relation": registry.label(request, "relation"),
            "hosted_url": request.hosted_url,
            "name": request.name,
            "email": request.email,
            "description": request.description,
            "language": registry.label(request, "language"),
            "channel": registry.label(request, "channel"),
            "state": registry.label(request, "state"),
            "received_at": registry.iso(request.received_at),
            "confirmed_at": registry.iso(request.confirmed_at),
            "due_on": registry.iso(request.due_on),
            "extension_months": request.extension_months,
            "extension_reason": request.extension_reason,
            "identity_doubt": request.identity_doubt,
            "identity_checked_at": registry.iso(request.identity_checked_at),
            "closed_at": registry.iso(request.closed_at),
            "reply": request.reply,
            # Which steps the request went through; staff's own notes are not included.
            "steps": [
                {"at": registry.iso(event.at), "state": registry.label(event, "to_state") or event.transition}
                for event in request.events.all()
                if event.to_state and event.to_state != event.from_state
            ],
            "messages": [
                {"created_at": registry.iso(message.created_at), "text": message.text}
                for message in request.messages.all()
            ],
            "files": [
                {
                    "original_name": item.original_name,
                    "kind": registry.label(item, "kind"),
                    "uploaded_at": registry.iso(item.uploaded_at),
                    "deleted_at": registry.iso(item.deleted_at),
                    "deletion_reason": item.deletion_reason,
                }
                for item in request.files.all()
            ],
            "packages": [
                {
                    "created_at": registry.iso(package.created_at),
                    "expires_at": registry.iso(package.expires_at),
                    "downloaded_at": registry.iso(package.downloaded_at),
                }
                for package in request.packages.all()
            ],
        }
        for request in registry.streamed(requests)
    )


def erase_requests(email: str, *, dry_run: bool) -> list[Outcome]:
    now = timezone.now()
    days = settings.PRIVACY_REQUEST_RETENTION_DAYS
    outcomes = []
    to_delete = []
    to_anonymise = []
    for request in _requests(email):
        label = _("Privacy request %(reference)s") % {"reference": request.reference}
        if request.state == State.UNCONFIRMED:
            # Never confirmed: no case was opened, nothing to account for.
            outcomes.append(Outcome(label=label, action=ERASED))
            to_delete.append(request.pk)
        elif request.state not in CLOSED_STATES or request.closed_at is None:
            outcomes.append(
                Outcome(
                    label=label,
                    action=KEPT,
                    reason=_(
                        "The request is still being handled. Once closed it is kept for %(days)s days as evidence "
                        "that it was handled (GDPR art. 5(2)); then your details are removed from it."
                    )
                    % {"days": days},
                )
            )
        elif request.closed_at + timedelta(days=days) > now:
            outcomes.append(
                Outcome(
                    label=label,
                    action=KEPT,
                    reason=_(
                        "Kept until %(date)s as evidence that the request was handled (GDPR art. 5(2)); then your "
                        "details are removed from it automatically."
                    )
                    % {"date": registry.format_date(registry.kept_until(request.closed_at, days))},
                )
            )
        else:
            outcomes.append(Outcome(label=label, action=ANONYMISED))
            to_anonymise.append(request.pk)
    if not dry_run:
        _purge(DataSubjectRequest.objects.filter(pk__in=to_delete))
        anonymise_requests(to_anonymise, now=now)
    return outcomes


def _purge(requests) -> int:
    """Delete requests with everything that hangs on them; their stored files go after commit."""
    ids = list(requests.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    _delete_after_commit(
        list(RequesterFile.objects.filter(request_id__in=ids).values_list("encrypted_path", flat=True))
    )
    _delete_after_commit(list(DataPackage.objects.filter(request_id__in=ids).values_list("encrypted_path", flat=True)))
    DataSubjectRequest.objects.filter(pk__in=ids).delete()
    return len(ids)


# --- Retention rules ---------------------------------------------------------------------------------------------


def retention_unconfirmed(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.PRIVACY_UNCONFIRMED_DAYS)
    return _purge(DataSubjectRequest.objects.filter(state=State.UNCONFIRMED, received_at__lt=cutoff))


def retention_requester_files(now: datetime) -> int:
    days = settings.PRIVACY_IDENTITY_COPY_DAYS
    files = RequesterFile.objects.filter(
        request__state__in=CLOSED_STATES, request__closed_at__lt=now - timedelta(days=days)
    )
    return delete_request_files(
        files, reason=_("Deleted %(days)s days after the request was closed.") % {"days": days}, now=now
    )


def retention_packages(now: datetime) -> int:
    packages = DataPackage.objects.filter(Q(downloaded_at__isnull=False) | Q(expires_at__lt=now))
    return delete_package_files(packages, now=now)


def retention_closed_requests(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.PRIVACY_REQUEST_RETENTION_DAYS)
    ids = list(
        DataSubjectRequest.objects.filter(
            state__in=CLOSED_STATES, closed_at__lt=cutoff, anonymised_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return anonymise_requests(ids, now=now)


# --- Breach notifications ----------------------------------------------------------------------------------------


def _notifications(email: str) -> list[BreachNotification]:
    # JSON containment is case-sensitive; icontains finds candidates, the exact comparison decides.
    candidates = (
        BreachNotification.objects.filter(recipients__icontains=email)
        .select_related("breach", "client")
        .order_by("notified_at", "id")
    )
    address = email.lower()
    return [
        notification
        for notification in candidates
        if any(str(recipient).strip().lower() == address for recipient in notification.recipients or [])
    ]


def export_notifications(email: str) -> list[dict]:
    return [
        {
            "breach": notification.breach.reference,
            "title": notification.breach.title,
            "client": notification.client.name,
            "notified_at": registry.iso(notification.notified_at),
            "recipients": [email],
        }
        for notification in _notifications(email)
    ]


def erase_notifications(email: str, *, dry_run: bool) -> list[Outcome]:
    return [
        Outcome(
            label=_("Notification of data breach %(reference)s to %(client)s")
            % {"reference": notification.breach.reference, "client": notification.client.name},
            action=KEPT,
            reason=_(
                "The register of data breaches records to which addresses a client was notified; it must be kept "
                "(GDPR art. 33(5))."
            ),
        )
        for notification in _notifications(email)
    ]


registry.register(
    PersonalData(
        key="privacy.requests",
        label=gettext_lazy("Your privacy requests"),
        fields={
            DataSubjectRequest: ["name", "email", "description", "hosted_url", "reply", "identity_doubt"],
            RequestMessage: ["text"],
            RequestEvent: ["note"],
            RequesterFile: ["original_name", "encrypted_path"],
            DataPackage: ["encrypted_path"],
        },
        export=export_requests,
        erase=erase_requests,
        retention=[
            RetentionRule(
                key="privacy.unconfirmed_requests",
                description=lambda: (
                    _("Requests not confirmed within %(days)s days are deleted.")
                    % {"days": settings.PRIVACY_UNCONFIRMED_DAYS}
                ),
                apply=retention_unconfirmed,
            ),
            RetentionRule(
                key="privacy.requester_files",
                description=lambda: (
                    _(
                        "Files from requesters (identity copies included) are deleted %(days)s days after the request "
                        "closed."
                    )
                    % {"days": settings.PRIVACY_IDENTITY_COPY_DAYS}
                ),
                apply=retention_requester_files,
            ),
            RetentionRule(
                key="privacy.data_packages",
                description=lambda: _("Data packages that were downloaded or whose link expired are deleted."),
                apply=retention_packages,
            ),
            RetentionRule(
                key="privacy.closed_requests",
                description=lambda: (
                    _("The requester's details are removed from requests closed more than %(days)s days ago.")
                    % {"days": settings.PRIVACY_REQUEST_RETENTION_DAYS}
                ),
                apply=retention_closed_requests,
            ),
        ],
        titles={
            **registry.field_titles(
                DataSubjectRequest,
                "reference",
                "right",
                "relation",
                "hosted_url",
                "name",
                "email",
                "description",
                "language",
                "channel",
                "state",
                "received_at",
                "confirmed_at",
                "due_on",
                "extension_months",
                "extension_reason",
                "identity_doubt",
                "identity_checked_at",
                "closed_at",
                "reply",
            ),
            **registry.field_titles(RequesterFile, "original_name", "kind", "uploaded_at", "deletion_reason"),
            **registry.field_titles(DataPackage, "expires_at", "downloaded_at"),
            "deleted_at": gettext_lazy("deleted"),
            "created_at": gettext_lazy("made"),
            "text": gettext_lazy("message"),
            "steps": gettext_lazy("steps"),
            "at": gettext_lazy("when"),
            "messages": gettext_lazy("messages from ISI Media"),
            "files": gettext_lazy("files"),
            "packages": gettext_lazy("data packages"),
        },
    )
)

registry.register(
    PersonalData(
        key="privacy.breach_notifications",
        label=gettext_lazy("Notifications of data breaches sent to you for a client"),
        fields={BreachNotification: ["recipients"]},
        export=export_notifications,
        erase=erase_notifications,
        titles={
            "breach": gettext_lazy("data breach"),
            "title": gettext_lazy("short description"),
            "client": gettext_lazy("client"),
            "notified_at": gettext_lazy("notified"),
            "recipients": gettext_lazy("sent to"),
        },
    )
)
