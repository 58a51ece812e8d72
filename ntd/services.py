"""Every write of the NTD procedure: submitting a notice and each state transition.

Each transition locks the case, refuses a state the procedure does not allow, saves, writes an event and queues
its e-mails through the outbox, all in one transaction.
"""

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Website
from contracts.selectors import website_for_url
from isimedia.outbox import email_queue, email_queue_many
from isimedia.tokens import new_token
from isimedia.workdays import AMSTERDAM, add_working_days, closing_days_loaded, is_working_day

from . import selectors
from .errors import NtdError
from .models import (
    ApiKey,
    Capacity,
    CustomerResponse,
    Evidence,
    InternalNote,
    Notice,
    NoticeEvent,
    NoticeUrl,
    OwnerContact,
    ReferenceCounter,
    SourceType,
    State,
    StatementOfReasons,
)
from .transitions import TRANSITIONS

logger = logging.getLogger(__name__)

CUSTOMER_DAYS = 2  # the client answers within 2 working days (procedure step 3)
ASSESSMENT_DAYS = 2  # ISI Media decides within the next 2 working days (step 4)
SWEEP_BATCH = 100  # cases moved per transaction by the deadline sweep


@dataclass
class NoticeInput:
    """What a complainant sends, from the form or the API, already parsed."""

    urls: list[str]
    category: str
    explanation: str
    complainant_name: str
    complainant_email: str
    owner_contact: str
    good_faith: bool
    identity_disclosure_accepted: bool
    language: str = "nl"
    complainant_phone: str = ""
    complainant_organisation: str = ""
    capacity: str = Capacity.SELF
    on_behalf_of: str = ""
    owner_contacted_on: date | None = None
    owner_contact_how: str = ""
    owner_contact_result: str = ""
    is_emergency: bool = False
    emergency_reason: str = ""
    previous_reference: str = ""
    files: list[UploadedFile] = field(default_factory=list)


@dataclass
class Submitted:
    notice: Notice
    tracking_token: str


# --- links -----------------------------------------------------------------------------------------------------


def tracking_url(token: str) -> str:
    return settings.SITE_URL + reverse("ntd:track", kwargs={"token": token})


def customer_url(token: str) -> str:
    return settings.SITE_URL + reverse("ntd:answer", kwargs={"token": token})


def admin_url(notice: Notice) -> str:
    return settings.SITE_URL + reverse("admin:ntd_notice_change", args=[notice.pk])


# --- submitting ------------------------------------------------------------------------------------------------


def notice_validate(*, data: NoticeInput) -> None:
    """The procedure's rules for a notice; forms call it too, so its errors appear with their own."""
    errors = {}
    if not data.urls:
        errors["urls"] = _("Give at least one exact web address of the content.")
    if not data.good_faith:
        errors["good_faith"] = _("A notice can only be handled with this declaration.")
    if not data.identity_disclosure_accepted:
        errors["identity_disclosure_accepted"] = _(
            "The procedure passes your name and e-mail address to the client; a notice without this is not handled."
        )
    if data.owner_contact == OwnerContact.NOT_CONTACTED:
        errors["owner_contact"] = _(
            "Contact the owner of the website first; a notice without that is rejected. If the website gives no "
            "way to contact its owner, say so."
        )
    elif data.owner_contact == OwnerContact.CONTACTED:
        if not data.owner_contacted_on:
            errors["owner_contacted_on"] = _("When did you contact the owner?")
        if not data.owner_contact_how.strip():
            errors["owner_contact_how"] = _("How did you contact the owner?")
        if not data.owner_contact_result.strip():
            errors["owner_contact_result"] = _("What came of it?")
    elif data.owner_contact == OwnerContact.NO_DETAILS and not data.owner_contact_result.strip():
        errors["owner_contact_result"] = _("Say where you looked for the owner's contact details.")
    if data.capacity != Capacity.SELF and not data.on_behalf_of.strip():
        errors["on_behalf_of"] = _("Say on whose behalf you make this notice.")
    if data.is_emergency and not data.emergency_reason.strip():
        errors["emergency_reason"] = _("Explain why this threatens someone's life or safety.")
    if errors:
        raise NtdError(errors)


def _next_reference(year: int) -> str:
    """The next reference of ``year``, taken in a transaction of its own.

    Called before the notice's own transaction, the counter row is locked only for this moment, not while the whole
    submission is written, so notices from many visitors are saved side by side (bench/http_load.py measured the
    submissions one at a time otherwise). A reference never repeats; a submission that fails after taking one leaves
    a gap in the numbers. Inside a caller's transaction this is a savepoint and the lock lasts until that commits.
    """
    with transaction.atomic():
        ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"NTD-{year}-{counter.last:05d}"


def notice_submit(*, data: NoticeInput, api_key: ApiKey | None = None) -> Submitted:
    """Receive a notice: store it with its URLs and files, confirm it to the complainant, tell the handlers."""
    notice_validate(data=data)
    now = timezone.now()
    tracking_token, tracking_hash = new_token()
    reference = _next_reference(timezone.localtime(now).year)
    with transaction.atomic():
        previous = None
        if data.previous_reference:
            # Only the same complainant can refile a notice: references are sequential, so easy to guess.
            previous = Notice.objects.filter(
                reference=data.previous_reference.strip().upper(),
                complainant_email__iexact=data.complainant_email.strip(),
            ).first()
        notice = Notice(
            reference=reference,
            received_at=now,
            language=data.language if data.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            source_type=SourceType.TRUSTED_FLAGGER if api_key and api_key.trusted_flagger else SourceType.ARTICLE_16,
            api_key=api_key,
            # Only a rejected notice can be filed again; any other reference is ignored rather than linked.
            previous_notice=previous if previous and previous.state in selectors.REFILABLE_STATES else None,
            category=data.category,
            explanation=data.explanation.strip(),
            complainant_name=data.complainant_name.strip(),
            complainant_email=data.complainant_email.strip(),
            complainant_phone=data.complainant_phone.strip(),
            complainant_organisation=data.complainant_organisation.strip(),
            capacity=data.capacity,
            on_behalf_of=data.on_behalf_of.strip(),
            owner_contact=data.owner_contact,
            owner_contacted_on=data.owner_contacted_on,
            owner_contact_how=data.owner_contact_how.strip(),
            owner_contact_result=data.owner_contact_result.strip(),
            good_faith=data.good_faith,
            identity_disclosure_accepted=data.identity_disclosure_accepted,
            is_emergency=data.is_emergency,
            emergency_reason=data.emergency_reason.strip() if data.is_emergency else "",
            tracking_token_hash=tracking_hash,
        )
        try:
            notice.save()
        except IntegrityError as error:  # a constraint the validation above should have caught
            raise NtdError(_("The notice could not be stored; please check the form.")) from error
        NoticeUrl.objects.bulk_create(
            NoticeUrl(notice=notice, url=url, host=_host(url), website=website_for_url(url)) for url in data.urls
        )
        for upload in data.files:
            _store_evidence(notice, upload, Evidence.Party.COMPLAINANT)
        _event(notice, NoticeEvent.Actor.COMPLAINANT, None, "", State.RECEIVED, "")
        if api_key is not None:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)

        email_queue(
            template="ntd_received",
            to=notice.complainant_email,
            language=notice.language,
            reply_to=settings.STAFF_EMAIL,
            context={"notice": notice, "tracking_url": tracking_url(tracking_token)},
            sensitive=True,
        )
        # The handlers' message lists every URL with its client: load them once, not once per handler.
        notice = Notice.objects.prefetch_related("urls__website__client").get(pk=notice.pk)
        _tell_handlers("ntd_new_notice", notice)
    return Submitted(notice=notice, tracking_token=tracking_token)


def _host(url: str) -> str:
    from contracts.hosts import normalise_host

    try:
        return normalise_host(url)
    except Exception:  # noqa: BLE001 - a URL whose host cannot be normalised belongs to no website
        return ""


def _store_evidence(notice: Notice, upload: UploadedFile, party: str) -> Evidence:
    evidence = Evidence(
        notice=notice,
        party=party,
        original_name=upload.name[:255],
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        size=upload.size,
    )
    # Stored under a random name: the name people gave a file is shown, never used as a path.
    evidence.file.save(secrets.token_hex(16) + PurePosixPath(upload.name).suffix.lower()[:10], upload, save=False)
    evidence.save()
    return evidence


# --- transitions -----------------------------------------------------------------------------------------------


def _event(notice, actor, user, from_state, to_state, note, transition: str = "") -> NoticeEvent:
    return NoticeEvent.objects.create(
        notice=notice,
        actor=actor,
        user=user,
        from_state=from_state,
        to_state=to_state,
        note=note,
        transition=transition,
    )


def _transition(
    *,
    notice_id: int,
    name: str,
    actor: str,
    user=None,
    note: str = "",
    apply: Callable[[Notice], Iterable[str]] = lambda notice: (),
) -> Notice:
    """Lock the case, check the transition is allowed now, apply it, save, and write the event."""
    transition = TRANSITIONS[name]
    # of=self: the website may be empty, and PostgreSQL cannot lock the nullable side of an outer join.
    # The client's answer too: the e-mails about most steps quote it (or say there was none).
    notice = (
        Notice.objects.select_for_update(of=("self",))
        .select_related("website__client", "customer_response")
        .get(pk=notice_id)
    )
    if notice.state not in transition.sources:
        raise NtdError(
            _("%(reference)s is %(state)s: “%(action)s” is not possible now.")
            % {"reference": notice.reference, "state": notice.get_state_display(), "action": transition.label}
        )
    from_state = notice.state
    changed = set(apply(notice))
    notice.state = transition.target
    if notice.state not in (State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT):
        notice.next_deadline = None
        changed.add("next_deadline")
    notice.save(update_fields=["state", *sorted(changed)])
    _event(notice, actor, user, from_state, notice.state, note, transition=name)
    return notice


def notice_forward(*, notice_id: int, website: Website, user, allow_unmatched: bool = False) -> Notice:
    """The site is ours: send the complaint to the client and give it 2 working days to answer.

    The complainant's identity goes to the client, so the website must be the one the URLs are on: another one
    only when staff confirm it (``allow_unmatched``), and never when the URLs are on websites of several clients.
    """
    with transaction.atomic():
        token, token_hash = new_token()

        def apply(notice):
            _check_forward_target(notice, website, allow_unmatched)
            now = timezone.now()
            notice.website = website
            notice.forwarded_at = now
            notice.customer_deadline = add_working_days(now, CUSTOMER_DAYS)
            notice.next_deadline = notice.customer_deadline
            notice.customer_token_hash = token_hash
            return ["website", "forwarded_at", "customer_deadline", "next_deadline", "customer_token_hash"]

        notice = _transition(notice_id=notice_id, name="forward", actor=NoticeEvent.Actor.STAFF, user=user, apply=apply)
        client = website.client
        for address in selectors.client_addresses(client):
            email_queue(
                template="ntd_customer_forwarded",
                to=address,
                language=client.language,
                reply_to=settings.STAFF_EMAIL,
                context={"notice": notice, "client": client, "answer_url": customer_url(token)},
                sensitive=True,
            )
        _tell_complainant("ntd_forwarded", notice)
    return notice


def _check_forward_target(notice: Notice, website: Website, allow_unmatched: bool) -> None:
    hosted = {found.pk: found for url in notice.urls.all() if (found := website_for_url(url.url))}
    if len({found.client_id for found in hosted.values()}) > 1:
        raise NtdError(
            {
                "website": _(
                    "The URLs are on websites of different clients. Reject the notice as incomplete and ask for one "
                    "notice per website, so no client sees a complaint about another's site."
                )
            }
        )
    if website.pk not in hosted and not allow_unmatched:
        raise NtdError(
            {
                "website": _(
                    "None of the notice's URLs is on %(host)s. Choose the website the hosting check found, or confirm "
                    "that the content is on this website."
                )
                % {"host": website.display_host}
            }
        )


def notice_reject_incomplete(*, notice_id: int, missing: str, user) -> Notice:
    """The notice lacks what the procedure needs; the complainant may file it again."""
    missing = _required(missing, _("Say what is missing, for the complainant."))
    with transaction.atomic():
        notice = _transition(
            notice_id=notice_id,
            name="reject_incomplete",
            actor=NoticeEvent.Actor.STAFF,
            user=user,
            note=missing,
            apply=_decided(missing),
        )
        _tell_complainant("ntd_rejected_incomplete", notice)
    return notice


def notice_reject_not_hosted(*, notice_id: int, note: str, user) -> Notice:
    """ISI Media does not host the site."""
    with transaction.atomic():
        notice = _transition(
            notice_id=notice_id,
            name="reject_not_hosted",
            actor=NoticeEvent.Actor.STAFF,
            user=user,
            note=note.strip(),
            apply=_decided(note.strip()),
        )
        _tell_complainant("ntd_rejected_not_hosted", notice)
    return notice


def notice_customer_removed(*, notice_id: int, text: str, user=None) -> Notice:
    """The client removed the material (through its link, or as staff record it): resolved, both told."""
    text = _required(text, _("Say what was removed."))
    with transaction.atomic():

        def apply(notice):
            CustomerResponse.objects.create(notice=notice, kind=CustomerResponse.Kind.REMOVED, text=text)
            return _decided(text)(notice)

        notice = _transition(
            notice_id=notice_id,
            name="resolve_by_customer",
            actor=NoticeEvent.Actor.STAFF if user else NoticeEvent.Actor.CUSTOMER,
            user=user,
            note=text,
            apply=apply,
        )
        _tell_complainant("ntd_resolved", notice)
        _tell_client("ntd_customer_resolved", notice)
    return notice


def notice_customer_disagrees(*, notice_id: int, text: str, files: Iterable[UploadedFile] = (), user=None) -> Notice:
    """The client disagrees: ISI Media assesses the content within 2 working days from now."""
    text = _required(text, _("Give your reasons."))
    with transaction.atomic():

        def apply(notice):
            CustomerResponse.objects.create(notice=notice, kind=CustomerResponse.Kind.DISAGREES, text=text)
            for upload in files:
                _store_evidence(notice, upload, Evidence.Party.CUSTOMER)
            # A late answer (before the beat task noticed the deadline) does not buy time: the assessment then
            # started at the client's deadline.
            return _assessment_from(min(timezone.now(), notice.customer_deadline))(notice)

        notice = _transition(
            notice_id=notice_id,
            name="start_assessment",
            actor=NoticeEvent.Actor.STAFF if user else NoticeEvent.Actor.CUSTOMER,
            user=user,
            note=text,
            apply=apply,
        )
        _tell_handlers("ntd_assessment_started", notice)
        _tell_complainant("ntd_under_assessment", notice)
    return notice


def notice_customer_deadline_passed(
    *, notice_id: int, now: datetime | None = None, handlers: list[tuple[str, str]] | None = None
) -> Notice:
    """No answer in time: the assessment starts at the client's deadline (run by the beat task).

    ``handlers``: the handlers' (address, language), when the caller (the sweep) has read them once for many cases.
    """
    now = now or timezone.now()

    def apply(notice):
        # Checked on the row _transition locked: one lock, not a second read of the same row.
        if notice.customer_deadline > now:
            raise NtdError(_("%(reference)s is not waiting past its deadline.") % {"reference": notice.reference})
        return _assessment_from(notice.customer_deadline)(notice)

    with transaction.atomic():
        notice = _transition(
            notice_id=notice_id,
            name="start_assessment",
            actor=NoticeEvent.Actor.SYSTEM,
            note=_("The client did not answer before its deadline."),
            apply=apply,
        )
        _tell_handlers("ntd_assessment_started", notice, handlers=handlers)
        _tell_complainant("ntd_under_assessment", notice)
    return notice


@dataclass
class Decision:
    """What staff give when a site is restricted: the contents of the DSA art. 17 statement of reasons."""

    decision_visibility: str
    scope: str
    decision_ground: str
    legal_ground: str
    ground_explanation: str
    decision_facts: str
    end_date: date | None = None
    content_date: date | None = None
    territorial_scope: str = "EEA"


def notice_take_down(*, notice_id: int, decision: Decision, user) -> Notice:
    """Manifestly unlawful: ISI Media takes the content offline; the client gets a statement of reasons."""
    with transaction.atomic():
        notice = _transition(
            notice_id=notice_id,
            name="take_down",
            actor=NoticeEvent.Actor.STAFF,
            user=user,
            note=decision.ground_explanation,
            apply=_restricted(decision),
        )
        _tell_client("ntd_customer_taken_down", notice)
        _tell_complainant("ntd_taken_down", notice)
    return notice


def notice_emergency_take_down(
    *, notice_id: int, decision: Decision, reason: str, user, website: Website | None = None
) -> Notice:
    """An emergency that allows no delay: take the content offline now, from any open state, with its reason."""
    reason = _required(reason, _("Give the reason for the emergency measure."))
    with transaction.atomic():

        def apply(notice):
            changed = set(_restricted(decision)(notice))
            if notice.website_id is None:
                if website is None:
                    raise NtdError({"website": _("Choose the hosted website the measure applies to.")})
                notice.website = website
                changed.add("website")
            return changed

        notice = _transition(
            notice_id=notice_id,
            name="emergency_take_down",
            actor=NoticeEvent.Actor.STAFF,
            user=user,
            note=reason,
            apply=apply,
        )
        _tell_client("ntd_customer_taken_down", notice, emergency_reason=reason)
        _tell_complainant("ntd_taken_down", notice)
    return notice


def notice_reject_not_unlawful(*, notice_id: int, reason: str, user) -> Notice:
    """ISI Media cannot establish that the content is manifestly unlawful: rejected, both told."""
    reason = _required(reason, _("Give the reason, for the complainant and the client."))
    with transaction.atomic():
        notice = _transition(
            notice_id=notice_id,
            name="reject_not_unlawful",
            actor=NoticeEvent.Actor.STAFF,
            user=user,
            note=reason,
            apply=_decided(reason),
        )
        _tell_complainant("ntd_rejected_not_unlawful", notice)
        _tell_client("ntd_customer_rejected", notice)
    return notice


def notice_refer(*, notice_id: int, referred_to: str, reference: str, user) -> Notice:
    """Record a referral to the police, the public prosecutor or Europol (DSA art. 18)."""
    referred_to = _required(referred_to, _("Say whom the case was referred to."))
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        notice.referred_to = referred_to
        notice.referral_reference = reference.strip()
        notice.referred_at = timezone.now()
        notice.save(update_fields=["referred_to", "referral_reference", "referred_at"])
        note = _("Referred to %(to)s (reference %(reference)s).") % {"to": referred_to, "reference": reference or "-"}
        _event(notice, NoticeEvent.Actor.STAFF, user, notice.state, notice.state, note)
    return notice


def notice_add_note(*, notice_id: int, text: str, user) -> InternalNote:
    text = _required(text, _("Write the note."))
    return InternalNote.objects.create(notice_id=notice_id, author=user, text=text)


# --- deadlines -------------------------------------------------------------------------------------------------


def enforce_deadlines(*, now: datetime | None = None) -> dict:
    """Start the assessment of cases whose client did not answer in time; remind handlers of overdue assessments.

    Safe to run twice, or twice at once: each case is moved by one run only (the transition locks it and checks its
    state), and each overdue case is in one reminder a working day (the day is claimed with a conditional update).
    """
    now = now or timezone.now()
    moved = 0
    due = selectors.customer_deadline_passed_ids(now=now)
    # Read once for the whole run: the handlers (told of each case) and the closing days (each new deadline).
    handlers = selectors.handler_addresses() if due else []
    with closing_days_loaded():
        # A batch of cases per transaction, each case in its own savepoint, rather than a commit (a disk flush) per
        # case (bench/data_scale.py: 100 due cases took 5 s, 15 queries and a commit each). Batches keep locks short.
        for start in range(0, len(due), SWEEP_BATCH):
            with transaction.atomic():
                for notice_id in due[start : start + SWEEP_BATCH]:
                    try:
                        notice_customer_deadline_passed(notice_id=notice_id, now=now, handlers=handlers)
                        moved += 1
                    except NtdError:
                        continue  # another run got there first, or the client answered just now
                    except Exception:  # one broken case must not hold back the rest of its batch
                        logger.exception("Deadline sweep: case %s could not be moved to assessment.", notice_id)
    reminded = 0
    today = timezone.localdate(now)
    if is_working_day(today):
        with transaction.atomic():
            claimed = list(
                Notice.objects.filter(pk__in=selectors.overdue_assessment_ids(now=now, today=today))
                # Repeated under the lock: another run may have claimed today's reminder since the ids were read.
                .filter(Q(assessment_reminded_on__isnull=True) | Q(assessment_reminded_on__lt=today))
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            Notice.objects.filter(pk__in=claimed).update(assessment_reminded_on=today)
            if claimed:
                overdue = list(Notice.objects.filter(pk__in=claimed).order_by("assessment_deadline"))
                for address, language in selectors.handler_addresses():
                    email_queue(
                        template="ntd_assessment_overdue",
                        to=address,
                        language=language,
                        context={"notices": overdue, "admin_base": settings.SITE_URL},
                    )
                reminded = len(claimed)
    return {"moved_to_assessment": moved, "reminded": reminded}


# --- helpers ---------------------------------------------------------------------------------------------------


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise NtdError(message)
    return text


def _decided(reason: str):
    def apply(notice):
        notice.decided_at = timezone.now()
        notice.decision_reason = reason
        return ["decided_at", "decision_reason"]

    return apply


def _assessment_from(start: datetime):
    def apply(notice):
        notice.assessment_started_at = start
        notice.assessment_deadline = add_working_days(start, ASSESSMENT_DAYS)
        notice.next_deadline = notice.assessment_deadline
        return ["assessment_started_at", "assessment_deadline", "next_deadline"]

    return apply


def _restricted(decision: Decision):
    def apply(notice):
        today = timezone.localdate(timezone=AMSTERDAM)
        StatementOfReasons.objects.create(
            notice=notice,
            decision_visibility=decision.decision_visibility,
            scope=decision.scope,
            end_date=decision.end_date,
            decision_ground=decision.decision_ground,
            legal_ground=decision.legal_ground,
            ground_explanation=decision.ground_explanation,
            decision_facts=decision.decision_facts,
            category=notice.category,
            source_type=notice.source_type,
            automated_detection=False,
            automated_decision=False,
            content_date=decision.content_date,
            application_date=today,
            territorial_scope=decision.territorial_scope,
        )
        return _decided(decision.ground_explanation)(notice)

    return apply


def _tell_complainant(template: str, notice: Notice) -> None:
    email_queue(
        template=template,
        to=notice.complainant_email,
        language=notice.language,
        reply_to=settings.STAFF_EMAIL,
        context={"notice": notice, "refile_url": settings.SITE_URL + reverse("ntd:index")},
    )


def _tell_client(template: str, notice: Notice, **extra) -> None:
    client = notice.client
    if client is None:  # rejected before the site was identified: there is no client to tell
        return
    statement = getattr(notice, "statement_of_reasons", None)
    for address in selectors.client_addresses(client):
        email_queue(
            template=template,
            to=address,
            language=client.language,
            reply_to=settings.STAFF_EMAIL,
            context={"notice": notice, "client": client, "statement": statement, **extra},
        )


def _tell_handlers(template: str, notice: Notice, handlers: list[tuple[str, str]] | None = None) -> None:
    email_queue_many(
        template=template,
        recipients=selectors.handler_addresses() if handlers is None else handlers,
        context={"notice": notice, "admin_url": admin_url(notice)},
    )


# --- API keys --------------------------------------------------------------------------------------------------


def api_key_issue(*, name: str, contact_email: str, trusted_flagger: bool, user) -> tuple[ApiKey, str]:
    """Issue an API key: store only its SHA-256 hash and first 8 characters; return the key, to be shown once."""
    with transaction.atomic():
        while True:
            key, key_hash = new_token()
            # A repeated 8-character prefix is very unlikely, but the column is unique: draw again rather than fail.
            if not ApiKey.objects.filter(prefix=key[:8]).exists():
                break
        api_key = ApiKey.objects.create(
            name=name.strip(),
            contact_email=contact_email.strip(),
            trusted_flagger=trusted_flagger,
            prefix=key[:8],
            key_hash=key_hash,
            created_by=user,
        )
    return api_key, key
