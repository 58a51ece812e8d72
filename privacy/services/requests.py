"""Every write of a data-subject request: submitting, confirming, each step staff take, uploads, the package, reminders.

Each step locks the request, refuses a step the procedure does not allow now (``privacy.transitions``), saves only
the fields it changed, writes a ``RequestEvent`` and queues its e-mails through the outbox, in one transaction. The
due date is computed only by ``isimedia.workdays.gdpr_due_date`` and recomputed whenever an extension or a pause
changes it. Every e-mail to the requester about the request carries a fresh secret link to the request's own page.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from isimedia.outbox import email_queue
from isimedia.tokens import new_token
from isimedia.workdays import (
    AMSTERDAM,
    add_working_days,
    calendar_days_between,
    closing_days_loaded,
    end_of_day,
    gdpr_due_date,
    is_working_day,
)
from ntd.uploads import check_uploads

from .. import selectors
from ..crypto import delete_encrypted, read_decrypted, store_encrypted
from ..errors import PrivacyError
from ..models import (
    CLOSED_STATES,
    OPEN_STATES,
    Channel,
    DataPackage,
    DataSubjectRequest,
    Relation,
    RequesterFile,
    RequestEvent,
    RequestLink,
    RequestMessage,
    Right,
    State,
)
from ..transitions import TRANSITIONS
from .references import next_reference

__all__ = [
    "RequestInput",
    "admin_url",
    "package_download",
    "package_url",
    "request_approve_erasure",
    "request_complete",
    "request_confirm",
    "request_extend",
    "request_forward",
    "request_identity_ask",
    "request_identity_checked",
    "request_link_new",
    "request_message",
    "request_propose_erasure",
    "request_refuse",
    "request_reject_erasure",
    "request_send_package",
    "request_submit",
    "request_upload",
    "request_upload_url",
    "request_url",
    "request_validate",
    "requests_remind",
]

# The requester's pages (privacy/urls.py): the request's own page, its upload page and the package download.
FOLLOW_URL_NAME = "privacy:follow"
UPLOAD_URL_NAME = "privacy:upload"
PACKAGE_URL_NAME = "privacy:package"

MAX_DESCRIPTION = 10_000
# The officers' daily reminder goes out with the first run of beat from this hour (Amsterdam) on a working day.
REMINDER_FROM_HOUR = 8
# Transaction-level advisory lock class for "one submission per e-mail address at a time" (any 32-bit number that
# no other part of the portal uses; "AVG" in ASCII).
_SUBMIT_LOCK_CLASS = 0x415647


@dataclass
class RequestInput:
    """What a requester (or staff on their behalf) sends, already parsed."""

    right: str
    relation: str
    name: str
    email: str
    description: str
    hosted_url: str = ""
    language: str = "nl"
    channel: str = Channel.WEB
    # Staff entering a request received earlier by phone or letter give the moment it came in; never in the future.
    received_at: datetime | None = None


# --- links -----------------------------------------------------------------------------------------------------


def request_link_new(request: DataSubjectRequest) -> str:
    """A fresh secret link to the request's own page, for one e-mail; returns the token (only its hash is kept)."""
    token, token_hash = new_token()
    RequestLink.objects.create(request=request, token_hash=token_hash)
    return token


def request_url(token: str) -> str:
    """The absolute URL of the request's own page for a link token."""
    return settings.SITE_URL + reverse(FOLLOW_URL_NAME, kwargs={"token": token})


def request_upload_url(token: str) -> str:
    """The absolute URL of the page where the requester uploads what staff asked for."""
    return settings.SITE_URL + reverse(UPLOAD_URL_NAME, kwargs={"token": token})


def package_url(token: str) -> str:
    """The absolute URL of a data package's single-use download link."""
    return settings.SITE_URL + reverse(PACKAGE_URL_NAME, kwargs={"token": token})


def admin_url(request: DataSubjectRequest) -> str:
    return settings.SITE_URL + reverse("admin:privacy_datasubjectrequest_change", args=[request.pk])


# --- submitting and confirming ---------------------------------------------------------------------------------


def request_validate(*, data: RequestInput, now: datetime | None = None) -> None:
    """The procedure's rules for a new request; forms call it too, so its errors appear next to their fields."""
    now = now or timezone.now()
    errors = {}
    if data.right not in Right.values:
        errors["right"] = _("Choose the right you want to use.")
    if data.relation not in Relation.values:
        errors["relation"] = _("Choose how you relate to ISI Media.")
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Give your name.")
    elif len(name) > DataSubjectRequest._meta.get_field("name").max_length:
        errors["name"] = _("Give a shorter name.")
    email = (data.email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a valid e-mail address: we send the confirmation link there.")
    description = (data.description or "").strip()
    if not description:
        errors["description"] = _("Describe briefly what your request is about.")
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = _("Describe your request in at most %(max)d characters.") % {"max": MAX_DESCRIPTION}
    if data.relation == Relation.HOSTED_SITE:
        hosted_url = (data.hosted_url or "").strip()
        try:
            if not hosted_url:
                raise ValidationError("empty")
            URLValidator(schemes=["http", "https"])(hosted_url)
            if len(hosted_url) > DataSubjectRequest._meta.get_field("hosted_url").max_length:
                raise ValidationError("too long")
        except ValidationError:
            errors["hosted_url"] = _(
                "Give the web address of the website your data is on, starting with https:// or http://."
            )
    if data.channel not in Channel.values:
        errors["channel"] = _("Choose how the request came in.")
    if data.received_at is not None:
        if data.received_at.tzinfo is None:
            errors["received_at"] = _("Give the moment the request came in with its time zone.")
        elif data.received_at > now:
            errors["received_at"] = _("A request cannot have come in in the future.")
    if errors:
        raise PrivacyError(errors)


def _lock_address(email: str) -> None:
    """Serialise submissions for one address until the transaction ends, so two at once make one case."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_SUBMIT_LOCK_CLASS, email.lower()])


def _duplicate_of(*, email: str, right: str, now: datetime) -> DataSubjectRequest | None:
    """The same person's request for the same right that is still unconfirmed (and not expired) or open."""
    return (
        DataSubjectRequest.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=Lower(Value(email)), right=right, anonymised_at__isnull=True)
        .filter(
            Q(state__in=OPEN_STATES)
            | (Q(state=State.UNCONFIRMED) & (Q(confirm_expires_at__isnull=True) | Q(confirm_expires_at__gte=now)))
        )
        .select_for_update(of=("self",))
        .order_by("received_at", "id")
        .first()
    )


def request_submit(*, data: RequestInput, entered_by=None, now: datetime | None = None) -> DataSubjectRequest:
    """Receive a request: from the public form (to be confirmed by e-mail) or entered by staff (confirmed at once).

    A second request of the same address for the same right, while the first is unconfirmed or open, makes no new
    case: the first one gets a fresh link by e-mail and is returned. What the requester sees is the same either way.
    """
    now = now or timezone.now()
    request_validate(data=data, now=now)
    email = data.email.strip()
    language = data.language if data.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    staff = entered_by is not None
    received_at = data.received_at if staff and data.received_at else now
    with transaction.atomic():
        _lock_address(email)
        existing = _duplicate_of(email=email, right=data.right, now=now)
        if existing is not None:
            return _resubmitted(existing, data=data, entered_by=entered_by, now=now)
        request = DataSubjectRequest(
            reference=next_reference("AVG", received_at.astimezone(AMSTERDAM).year),
            right=data.right,
            relation=data.relation,
            hosted_url=data.hosted_url.strip() if data.relation == Relation.HOSTED_SITE else "",
            name=data.name.strip(),
            email=email,
            description=data.description.strip(),
            language=language,
            channel=data.channel if staff else Channel.WEB,
            entered_by=entered_by,
            received_at=received_at,
            due_on=gdpr_due_date(received_at),
        )
        if staff:
            # Staff took it on the phone or by letter: it is a case at once, but nobody confirmed the address.
            request.state = State.RECEIVED
        else:
            request.state = State.UNCONFIRMED
            request.confirm_expires_at = now + timedelta(days=settings.PRIVACY_UNCONFIRMED_DAYS)
        request.save()
        _event(
            request,
            RequestEvent.Actor.STAFF if staff else RequestEvent.Actor.REQUESTER,
            entered_by,
            "",
            request.state,
            _("Entered by staff (received by %(channel)s).") % {"channel": request.get_channel_display()}
            if staff
            else "",
            transition="submit",
            at=now,
        )
        if staff:
            _tell_requester("privacy_received", request)
            _tell_officers("privacy_new_request", request)
        else:
            _tell_requester("privacy_confirm", request)
    return request


def _resubmitted(request: DataSubjectRequest, *, data: RequestInput, entered_by, now: datetime) -> DataSubjectRequest:
    """A duplicate came in: no new case; the existing one gets a fresh link (or is confirmed, when staff entered it).

    Nothing typed the second time is lost: an unconfirmed request takes the new wording (the person may have
    corrected it), an open one keeps a different description in its history for the officers.
    """
    description = data.description.strip()
    if request.state == State.UNCONFIRMED:
        request.name = data.name.strip()
        request.description = description
        request.relation = data.relation
        request.hosted_url = data.hosted_url.strip() if data.relation == Relation.HOSTED_SITE else ""
        request.save(update_fields=["name", "description", "relation", "hosted_url"])
    if request.state == State.UNCONFIRMED and entered_by is not None:
        # Staff took the request on the phone or by letter: that is as good as the confirmation link.
        return _confirm(request, actor=RequestEvent.Actor.STAFF, user=entered_by, now=now)
    note = _("The same request was submitted again; no new case was made.")
    if request.state != State.UNCONFIRMED and description != request.description:
        note += "\n\n" + description
    _event(
        request,
        RequestEvent.Actor.STAFF if entered_by else RequestEvent.Actor.REQUESTER,
        entered_by,
        request.state,
        request.state,
        note,
        transition="duplicate",
        at=now,
    )
    _tell_requester("privacy_confirm" if request.state == State.UNCONFIRMED else "privacy_duplicate", request)
    return request


def request_confirm(*, request_id: int, now: datetime | None = None) -> DataSubjectRequest:
    """The requester confirmed the e-mail address: the request is being handled. Confirming again changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request_id)
        if request.state != State.UNCONFIRMED:
            return request  # confirmed before (twice clicked, or a mail scanner): nothing new, no second e-mail
        if request.confirm_expires_at is not None and now > request.confirm_expires_at:
            raise PrivacyError(
                _("This confirmation link has expired. Please submit your request again; we will handle it at once.")
            )
        return _confirm(request, actor=RequestEvent.Actor.REQUESTER, user=None, now=now)


def _confirm(request: DataSubjectRequest, *, actor: str, user, now: datetime) -> DataSubjectRequest:
    def apply(request):
        request.confirmed_at = now
        return ["confirmed_at"]

    request = _transition(request=request, name="confirm", actor=actor, user=user, apply=apply, now=now)
    _tell_requester("privacy_received", request)
    _tell_officers("privacy_new_request", request)
    return request


# --- identity --------------------------------------------------------------------------------------------------


def request_identity_ask(
    *, request_id: int, doubt: str, message: str = "", user, now: datetime | None = None
) -> DataSubjectRequest:
    """Staff record a real doubt about the identity and ask for a masked copy of an ID; the deadline pauses."""
    now = now or timezone.now()
    doubt = _required(doubt, "doubt", _("Record the doubt about the requester's identity that makes this necessary."))
    message = (message or "").strip()
    with transaction.atomic():
        request = _locked(request_id)

        def apply(request):
            request.identity_doubt = doubt
            request.paused_since = now
            return ["identity_doubt", "paused_since"]

        request = _transition(
            request=request,
            name="request_identity",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=doubt,
            apply=apply,
            now=now,
        )
        # The follow page shows the request for the copy as a message; the e-mail explains how to mask it anyway.
        with translation.override(request.language):
            text = message or _(
                "Please upload a copy of an identity document, with your photo, the document number, your citizen "
                "service number (BSN) and the machine-readable zone masked."
            )
        RequestMessage.objects.create(request=request, author=user, text=text, asks_for_upload=True, created_at=now)
        _tell_requester("privacy_identity_needed", request, message=message, with_upload=True)
    return request


def request_upload(
    *, request_id: int, files: list[UploadedFile], note: str = "", now: datetime | None = None
) -> list[RequesterFile]:
    """The requester uploads what staff asked for; each file is stored encrypted. Only while the request is open."""
    now = now or timezone.now()
    try:
        files = check_uploads(files)
    except ValidationError as error:
        raise PrivacyError({"files": error.messages}) from error
    if not files:
        raise PrivacyError({"files": _("Choose at least one file.")})
    stored_paths: list[str] = []
    try:
        with transaction.atomic():
            request = _locked(request_id)
            if request.state not in OPEN_STATES:
                raise PrivacyError(_("This request is closed: files can no longer be added."))
            kind = RequesterFile.Kind.IDENTITY if request.state == State.AWAITING_IDENTITY else RequesterFile.Kind.OTHER
            if request.paused_since is not None:
                # The wait for the requester is over once the proof arrives: checking it is our time, not theirs.
                _end_pause(request, now)
                request.save(update_fields=["paused_days", "paused_since", "due_on"])
            stored = []
            for upload in files:
                content = b"".join(upload.chunks())
                stored_paths.append(store_encrypted(content, folder="uploads"))
                stored.append(
                    RequesterFile.objects.create(
                        request=request,
                        kind=kind,
                        encrypted_path=stored_paths[-1],
                        original_name=upload.name[:255],
                        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
                        size=len(content),
                        uploaded_at=now,
                    )
                )
            names = ", ".join(upload.original_name for upload in stored)
            text = (note or "").strip()
            _event(
                request,
                RequestEvent.Actor.REQUESTER,
                None,
                request.state,
                request.state,
                f"{names}\n\n{text}" if text else names,
                transition="upload",
                at=now,
            )
            _tell_officers("privacy_upload_received", request, files=stored, kind=kind, with_note=bool(text))
    except BaseException:
        # No row names these files: do not leave encrypted copies of someone's ID behind.
        for path in stored_paths:
            delete_encrypted(path)
        raise
    return stored


def request_identity_checked(
    *, request_id: int, user, note: str = "", now: datetime | None = None
) -> DataSubjectRequest:
    """Identity checked: the deadline runs again, later by the days paused, and the identity copy is deleted."""
    now = now or timezone.now()
    with transaction.atomic():

        def apply(request):
            request.identity_checked_at = now
            request.identity_checked_by = user
            return ["identity_checked_at", "identity_checked_by"]

        request = _transition(
            request=_locked(request_id),
            name="identity_checked",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=(note or "").strip(),
            apply=apply,
            now=now,
        )
        _delete_files(
            request.files.filter(kind=RequesterFile.Kind.IDENTITY, deleted_at__isnull=True),
            reason=_("identity checked"),
            now=now,
        )
    return request


def _delete_files(files, *, reason: str, now: datetime) -> int:
    """Delete stored files once the transaction commits; their rows stay, saying when and why."""
    paths = [path for path in files.values_list("encrypted_path", flat=True) if path]
    count = files.update(encrypted_path="", deleted_at=now, deletion_reason=reason[:200])

    def delete():
        for path in paths:
            delete_encrypted(path)

    transaction.on_commit(delete)
    return count


# --- deadline --------------------------------------------------------------------------------------------------


def request_extend(
    *, request_id: int, months: int, reason: str, user, now: datetime | None = None
) -> DataSubjectRequest:
    """Extend the deadline once, by one or two months, before the first due date, with a reason for the requester."""
    now = now or timezone.now()
    reason = _required(reason, "reason", _("Give the reason for the extension; the requester is told it."))
    if months not in (1, 2):
        raise PrivacyError({"months": _("The deadline can be extended by one or two months.")})
    with transaction.atomic():
        request = _locked(request_id)
        if request.state not in OPEN_STATES:
            raise PrivacyError(_("Only a request that is being handled can be extended."))
        if request.extension_months:
            raise PrivacyError(_("The deadline of this request has already been extended; it can be extended once."))
        if now > end_of_day(request.due_on):
            raise PrivacyError(
                _("The first due date (%(date)s) has passed: the deadline can no longer be extended.")
                % {"date": request.due_on.isoformat()}
            )
        old_due = request.due_on
        request.extension_months = months
        request.extension_reason = reason
        request.extended_at = now
        request.due_on = _due_on(request)
        request.save(update_fields=["extension_months", "extension_reason", "extended_at", "due_on"])
        _event(
            request,
            RequestEvent.Actor.STAFF,
            user,
            request.state,
            request.state,
            _("Extended by %(months)d month(s), from %(old)s to %(new)s: %(reason)s")
            % {"months": months, "old": old_due.isoformat(), "new": request.due_on.isoformat(), "reason": reason},
            transition="extend",
            at=now,
        )
        _tell_requester("privacy_extended", request, previous_due_on=old_due)
    return request


def _due_on(request: DataSubjectRequest):
    return gdpr_due_date(
        request.received_at, extension_months=request.extension_months, paused_days=request.paused_days
    )


# --- messages --------------------------------------------------------------------------------------------------


def request_message(
    *, request_id: int, text: str, user, asks_for_upload: bool = False, now: datetime | None = None
) -> RequestMessage:
    """A message from staff to the requester: shown on the request's page and announced by e-mail."""
    now = now or timezone.now()
    text = _required(text, "text", _("Write the message."))
    with transaction.atomic():
        request = _locked(request_id)
        if request.state == State.UNCONFIRMED or request.anonymised_at:
            raise PrivacyError(_("Messages can only be sent once the requester has confirmed the e-mail address."))
        if asks_for_upload and request.state not in OPEN_STATES:
            raise PrivacyError(_("A closed request cannot ask for files."))
        message = RequestMessage.objects.create(
            request=request, author=user, text=text, asks_for_upload=asks_for_upload, created_at=now
        )
        _event(request, RequestEvent.Actor.STAFF, user, request.state, request.state, text, "message", at=now)
        _tell_requester("privacy_message", request, message=text, with_upload=asks_for_upload)
    return message


# --- access and portability ------------------------------------------------------------------------------------


def request_send_package(*, request_id: int, user, now: datetime | None = None) -> DataPackage:
    """Build the data package of everything the portal holds about the address, and send its single-use link."""
    from ..package import build_package

    now = now or timezone.now()
    path = ""
    try:
        with transaction.atomic():
            request = _locked(request_id)
            _check_transition(request, "send_package")
            content = build_package(request)
            path = store_encrypted(content, folder="packages")
            token, token_hash = new_token()
            package = DataPackage.objects.create(
                request=request,
                created_at=now,
                created_by=user,
                encrypted_path=path,
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                token_hash=token_hash,
                expires_at=now + timedelta(days=settings.PRIVACY_PACKAGE_LINK_DAYS),
            )
            request = _transition(
                request=request, name="send_package", actor=RequestEvent.Actor.STAFF, user=user, now=now
            )
            _tell_requester("privacy_package_ready", request, package=package, package_url=package_url(token))
    except BaseException:
        delete_encrypted(path)  # no row names it
        raise
    return package


def package_download(*, package_id: int, now: datetime | None = None) -> bytes:
    """The zip, once: the link then stops working and the stored file is deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        package = DataPackage.objects.select_for_update().get(pk=package_id)
        if package.downloaded_at is not None:
            raise PrivacyError(_("This data package has already been downloaded; the link works only once."))
        if package.deleted_at is not None or not package.encrypted_path:
            raise PrivacyError(_("This data package is no longer available."))
        if now > package.expires_at:
            raise PrivacyError(_("This link has expired."))
        content = read_decrypted(package.encrypted_path)
        path = package.encrypted_path
        package.downloaded_at = now
        package.deleted_at = now
        package.encrypted_path = ""
        package.save(update_fields=["downloaded_at", "deleted_at", "encrypted_path"])
        request = DataSubjectRequest.objects.get(pk=package.request_id)
        _event(
            request,
            RequestEvent.Actor.REQUESTER,
            None,
            request.state,
            request.state,
            _("Data package downloaded."),
            "package_downloaded",
            at=now,
        )
        transaction.on_commit(lambda: delete_encrypted(path))
    return content


# --- erasure, objection, withdrawal ----------------------------------------------------------------------------


def request_propose_erasure(
    *, request_id: int, user, note: str = "", now: datetime | None = None
) -> DataSubjectRequest:
    """One officer proposes the erasure, with the plan of what would be erased and kept; a second must approve."""
    from ..registry import erase_all

    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request_id)
        _check_transition(request, "propose_erasure")

        def apply(request):
            request.erasure_plan = erase_all(request.email, dry_run=True)
            request.proposed_by = user
            request.proposed_at = now
            request.approved_by = None
            return ["erasure_plan", "proposed_by", "proposed_at", "approved_by"]

        request = _transition(
            request=request,
            name="propose_erasure",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=(note or "").strip(),
            apply=apply,
            now=now,
        )
        others = [
            (address, language)
            for address, language in selectors.officer_recipients()
            if address.lower() != user.email.lower()
        ]
        plans = {}
        for address, language in others or [(settings.PRIVACY_EMAIL, settings.LANGUAGE_CODE)]:
            if language not in plans:
                # The stored plan is worded in the proposer's language; each officer reads it in their own.
                with translation.override(language):
                    plans[language] = _outcomes(erase_all(request.email, dry_run=True))
            email_queue(
                template="privacy_erasure_proposed",
                to=address,
                language=language,
                context={
                    "request": request,
                    "proposer": user,
                    "note": (note or "").strip(),
                    "admin_url": admin_url(request),
                    **plans[language],
                },
                sensitive=True,
            )
    return request


def request_approve_erasure(*, request_id: int, user, now: datetime | None = None) -> DataSubjectRequest:
    """A second privacy officer approves: the data is erased or anonymised across the apps; the requester is told."""
    from ..registry import erase_all

    now = now or timezone.now()
    if not user.has_perm("privacy.approve_erasure"):
        raise PrivacyError(_("Only a privacy officer who may approve erasures can do this."))
    with transaction.atomic():
        request = _locked(request_id)
        _check_transition(request, "approve_erasure")
        if request.proposed_by_id == user.pk:
            raise PrivacyError(_("A second privacy officer must approve: you proposed this erasure yourself."))
        # Kept before the erasure: the request's own address may be anonymised by it, the reply still goes there.
        recipient, language = request.email, request.language

        def apply(request):
            # The result is the reply's list of what was erased and kept: in the requester's language.
            with translation.override(language):
                request.erasure_result = erase_all(recipient, dry_run=False)
            request.approved_by = user
            return ["erasure_result", "approved_by"]

        request = _transition(
            request=request, name="approve_erasure", actor=RequestEvent.Actor.STAFF, user=user, apply=apply, now=now
        )
        _tell_requester(
            "privacy_erasure_done", request, to=recipient, language=language, **_outcomes(request.erasure_result)
        )
    return request


def request_reject_erasure(*, request_id: int, user, reason: str, now: datetime | None = None) -> DataSubjectRequest:
    """The second officer sends the proposal back; the request is handled again."""
    now = now or timezone.now()
    reason = _required(reason, "reason", _("Say why the proposal goes back."))
    with transaction.atomic():

        def apply(request):
            request.proposed_by = None
            request.proposed_at = None
            request.erasure_plan = []
            return ["proposed_by", "proposed_at", "erasure_plan"]

        request = _transition(
            request=_locked(request_id),
            name="reject_erasure",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=reason,
            apply=apply,
            now=now,
        )
    return request


def _outcomes(entries: Iterable[dict]) -> dict:
    """The registry's outcomes split for the e-mails: what was (or would be) erased or anonymised, what was kept."""
    entries = list(entries or [])
    return {
        "erased": [entry for entry in entries if entry.get("action") in ("erased", "anonymised")],
        "kept": [entry for entry in entries if entry.get("action") == "kept"],
    }


# --- rectification, restriction, forwarding, refusal ----------------------------------------------------------


def request_complete(*, request_id: int, reply: str, user, now: datetime | None = None) -> DataSubjectRequest:
    """Rectification or restriction done: the reply says what changed."""
    now = now or timezone.now()
    reply = _required(reply, "reply", _("Say what was changed or restricted; the requester receives this reply."))
    with transaction.atomic():
        request = _transition(
            request=_locked(request_id),
            name="complete",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=reply,
            apply=_replied(reply),
            now=now,
        )
        _tell_requester("privacy_completed", request)
    return request


def request_forward(
    *, request_id: int, client, user, note: str = "", now: datetime | None = None
) -> DataSubjectRequest:
    """The client controls the data (ISI Media processes it): forward the request to the client, tell the requester."""
    now = now or timezone.now()
    if client is None:
        raise PrivacyError({"client": _("Choose the client that controls the data.")})
    note = (note or "").strip()
    with transaction.atomic():

        def apply(request):
            request.forwarded_to = client
            request.forwarded_at = now
            return ["forwarded_to", "forwarded_at"]

        request = _transition(
            request=_locked(request_id),
            name="forward",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=_("Forwarded to %(client)s.") % {"client": client.name} + (f"\n\n{note}" if note else ""),
            apply=apply,
            now=now,
        )
        for address in selectors.client_addresses(client):
            email_queue(
                template="privacy_forwarded_client",
                to=address,
                language=client.language,
                reply_to=settings.PRIVACY_EMAIL,
                context={"request": request, "client": client, "note": note},
                # Another person's request: never in a client contact's own data package, never read by other staff.
                sensitive=True,
            )
        _tell_requester("privacy_forwarded_requester", request, client=client)
    return request


def request_refuse(*, request_id: int, reasons: str, user, now: datetime | None = None) -> DataSubjectRequest:
    """Refuse a manifestly unfounded or excessive request, with reasons and the requester's remedies."""
    now = now or timezone.now()
    reasons = _required(reasons, "reasons", _("Give the reasons for the refusal; the requester receives them."))
    with transaction.atomic():
        request = _transition(
            request=_locked(request_id),
            name="refuse",
            actor=RequestEvent.Actor.STAFF,
            user=user,
            note=reasons,
            apply=_replied(reasons),
            now=now,
        )
        _tell_requester("privacy_refused", request)
    return request


def _replied(text: str):
    def apply(request):
        request.reply = text
        return ["reply"]

    return apply


# --- the daily reminder ----------------------------------------------------------------------------------------


def requests_remind(*, now: datetime | None = None) -> int:
    """Tell the officers once a working day (from 08:00) of requests due within a few working days and overdue ones.

    Each request is in one reminder a day (the day is claimed with a conditional update under a lock), so repeated
    or concurrent runs send nothing twice; nothing is sent on a day that is not a working day. Returns how many
    requests the reminder listed.
    """
    now = now or timezone.now()
    local = now.astimezone(AMSTERDAM)
    today = local.date()
    # Not in the night: the reminder arrives when the working day starts, and on working days only.
    if local.hour < REMINDER_FROM_HOUR or not is_working_day(today):
        return 0
    horizon = add_working_days(now, settings.PRIVACY_REMINDER_WORKING_DAYS).astimezone(AMSTERDAM).date()
    with transaction.atomic():
        claimed = list(
            selectors.requests_to_remind(today=today, horizon=horizon)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if not claimed:
            return 0
        DataSubjectRequest.objects.filter(pk__in=claimed).update(reminded_on=today)
        requests = list(DataSubjectRequest.objects.filter(pk__in=claimed).order_by("due_on", "received_at", "id"))
        with closing_days_loaded():  # one read of the closing days for all the days-left counts
            items = [
                {
                    "request": request,
                    "status": selectors.deadline_status(request, now=now),
                    "days_overdue": calendar_days_between(end_of_day(request.due_on), now),
                    "admin_url": admin_url(request),
                }
                for request in requests
            ]
        context = {
            "overdue": [item for item in items if item["status"].colour == "overdue"],
            "due_soon": [item for item in items if item["status"].colour != "overdue"],
            "working_days": settings.PRIVACY_REMINDER_WORKING_DAYS,
            "today": today,
        }
        for address, language in selectors.officer_recipients():
            email_queue(template="privacy_reminder", to=address, language=language, context=context, sensitive=True)
    return len(claimed)


# --- helpers ---------------------------------------------------------------------------------------------------


def _locked(request_id: int) -> DataSubjectRequest:
    # of=self: forwarded_to and the users are nullable, and PostgreSQL cannot lock the nullable side of an outer join.
    return DataSubjectRequest.objects.select_for_update(of=("self",)).get(pk=request_id)


def _check_transition(request: DataSubjectRequest, name: str) -> None:
    transition = TRANSITIONS[name]
    if request.state not in transition.sources or (transition.rights and request.right not in transition.rights):
        raise PrivacyError(
            _("%(reference)s (%(right)s) is %(state)s: “%(action)s” is not possible now.")
            % {
                "reference": request.reference,
                "right": request.get_right_display(),
                "state": request.get_state_display(),
                "action": transition.label,
            }
        )


def _transition(
    *,
    request: DataSubjectRequest,
    name: str,
    actor: str,
    user=None,
    note: str = "",
    apply: Callable[[DataSubjectRequest], Iterable[str]] = lambda request: (),
    now: datetime,
) -> DataSubjectRequest:
    """Check the step is allowed now on the locked request, apply it, save, and write the event."""
    _check_transition(request, name)
    transition = TRANSITIONS[name]
    from_state = request.state
    changed = set(apply(request))
    if from_state == State.AWAITING_IDENTITY and request.paused_since is not None:
        # The pause ends whichever way the request leaves it (if the proof did not end it already).
        _end_pause(request, now)
        changed |= {"paused_days", "paused_since", "due_on"}
    request.state = transition.target
    if request.state in CLOSED_STATES:
        request.closed_at = now
        request.closed_by = user
        changed |= {"closed_at", "closed_by"}
    request.save(update_fields=["state", *sorted(changed)])
    _event(request, actor, user, from_state, request.state, note, transition=name, at=now)
    return request


def _end_pause(request: DataSubjectRequest, now: datetime) -> None:
    """The due date moves by the calendar days the pause lasted."""
    request.paused_days += calendar_days_between(request.paused_since, now)
    request.paused_since = None
    request.due_on = _due_on(request)


def _event(request, actor, user, from_state, to_state, note, transition: str = "", *, at=None) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request,
        at=at or timezone.now(),
        actor=actor,
        user=user,
        from_state=from_state,
        to_state=to_state,
        transition=transition,
        note=note,
    )


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PrivacyError({field: message})
    return text


def _tell_requester(
    template: str,
    request: DataSubjectRequest,
    *,
    to: str = "",
    language: str = "",
    with_upload: bool = False,
    **context,
) -> None:
    """E-mail the requester about the request, with a fresh link to its page (so every e-mail is sensitive)."""
    token = request_link_new(request)
    email_queue(
        template=template,
        to=to or request.email,
        language=language or request.language,
        reply_to=settings.PRIVACY_EMAIL,
        context={
            "request": request,
            "request_url": request_url(token),
            "upload_url": request_upload_url(token) if with_upload else "",
            **context,
        },
        sensitive=True,
    )


def _tell_officers(template: str, request: DataSubjectRequest, **context) -> None:
    """E-mail every privacy officer, in their language, with the link to the request in the admin; no secret links."""
    for address, language in selectors.officer_recipients():
        email_queue(
            template=template,
            to=address,
            language=language,
            context={"request": request, "admin_url": admin_url(request), **context},
            # It names the requester and what they ask: staff outside the privacy officers must not read it.
            sensitive=True,
        )
