"""Personal data in NTD cases: complaints filed, answers given as a client, API keys (see privacy.registry).

A case is evidence of how a notice was handled (DSA art. 16 and 17, and any later dispute): it is kept while open
and for PRIVACY_NTD_CASE_RETENTION_DAYS after the decision. After that the complainant's identity goes: name,
address, phone, organisation, on whose behalf, how the owner was contacted, and the complainant's files. The case
itself (reference, URLs, category, decision, statement of reasons) stays, without anyone's identity; its address
becomes ``ANONYMISED_EMAIL``, which marks it as done.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Client
from privacy import registry
from privacy.registry import ANONYMISED, ANONYMISED_EMAIL, KEPT, Outcome, PersonalData, RetentionRule

from . import selectors
from .models import OPEN_STATES, ApiKey, CustomerResponse, Evidence, Notice, NoticeEvent, NoticeUrl

# What anonymising a case clears (the e-mail address becomes ANONYMISED_EMAIL).
COMPLAINANT_FIELDS = (
    "complainant_name",
    "complainant_phone",
    "complainant_organisation",
    "on_behalf_of",
    "owner_contact_how",
    "owner_contact_result",
)


def _retention_days() -> int:
    return settings.PRIVACY_NTD_CASE_RETENTION_DAYS


def anonymise_notices(notice_ids: list[int]) -> int:
    """Clear the complainant's identity from these cases and delete the complainant's files; returns how many
    cases changed. Cases already anonymised are left alone. Files are removed from storage after commit."""
    notices = Notice.objects.filter(pk__in=notice_ids).exclude(complainant_email=ANONYMISED_EMAIL)
    ids = list(notices.select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    evidence = Evidence.objects.filter(notice_id__in=ids, party=Evidence.Party.COMPLAINANT)
    paths = [path for path in evidence.values_list("file", flat=True) if path]
    evidence.delete()
    changed = Notice.objects.filter(pk__in=ids).update(
        complainant_email=ANONYMISED_EMAIL, **dict.fromkeys(COMPLAINANT_FIELDS, "")
    )
    storage = Evidence._meta.get_field("file").storage

    def delete_files():
        for path in paths:
            storage.delete(path)

    transaction.on_commit(delete_files)
    return changed


# --- Complaints filed --------------------------------------------------------------------------------------------


def _complaints(email: str):
    # Lower() on both sides rather than __iexact (UPPER on PostgreSQL): ntd_notice_email_lower_idx serves it, where
    # iexact read every notice (a second and more at a million notices).
    return (
        Notice.objects.alias(complainant_email_lower=Lower("complainant_email"))
        .filter(complainant_email_lower=Lower(Value(email)))
        .order_by("received_at", "id")
    )


def export_complaints(email: str) -> Iterator[dict]:
    """Each complaint as the complainant sees it: what they sent, the public steps and their own files."""
    notices = _complaints(email).prefetch_related(
        Prefetch("urls", queryset=NoticeUrl.objects.order_by("id")),
        Prefetch("events", queryset=NoticeEvent.objects.order_by("at", "id")),
        Prefetch(
            "evidence",
            queryset=Evidence.objects.filter(party=Evidence.Party.COMPLAINANT).order_by("uploaded_at", "id"),
            to_attr="complainant_evidence",
        ),
    )
    # In chunks: the data package streams the records (privacy/package.py).
    for notice in registry.streamed(notices):
        yield {
            "reference": notice.reference,
            "received_at": registry.iso(notice.received_at),
            "state": registry.label(notice, "state"),
            "category": registry.label(notice, "category"),
            "urls": [url.url for url in notice.urls.all()],
            "explanation": notice.explanation,
            "complainant_name": notice.complainant_name,
            "complainant_email": notice.complainant_email,
            "complainant_phone": notice.complainant_phone,
            "complainant_organisation": notice.complainant_organisation,
            "capacity": registry.label(notice, "capacity"),
            "on_behalf_of": notice.on_behalf_of,
            "owner_contact": registry.label(notice, "owner_contact"),
            "owner_contacted_on": registry.iso(notice.owner_contacted_on),
            "owner_contact_how": notice.owner_contact_how,
            "owner_contact_result": notice.owner_contact_result,
            "is_emergency": notice.is_emergency,
            "emergency_reason": notice.emergency_reason,
            "decided_at": registry.iso(notice.decided_at),
            # The steps and notes the complainant was told about; staff notes and the client's words are
            # not the complainant's data.
            "steps": [
                {
                    "at": registry.iso(step.event.at),
                    "state": registry.label(step.event, "to_state"),
                    "note": step.note,
                }
                for step in selectors.public_steps(notice=notice)
            ],
            "files": [
                {
                    "original_name": item.original_name,
                    "content_type": item.content_type,
                    "size": item.size,
                    "uploaded_at": registry.iso(item.uploaded_at),
                }
                for item in notice.complainant_evidence
            ],
        }


def erase_complaints(email: str, *, dry_run: bool) -> list[Outcome]:
    now = timezone.now()
    days = _retention_days()
    outcomes = []
    to_anonymise = []
    for notice in _complaints(email):
        label = _("Complaint %(reference)s") % {"reference": notice.reference}
        if notice.state in OPEN_STATES or notice.decided_at is None:
            outcomes.append(
                Outcome(
                    label=label,
                    action=KEPT,
                    reason=_(
                        "The notice is still being handled; ISI Media must process it and tell you the "
                        "outcome (Digital Services Act, art. 16)."
                    ),
                )
            )
        elif notice.decided_at + timedelta(days=days) > now:
            outcomes.append(
                Outcome(
                    label=label,
                    action=KEPT,
                    reason=_(
                        "Kept until %(date)s: a decided NTD case is kept for %(days)s days after the decision as "
                        "evidence of how the notice was handled (Digital Services Act, art. 16 and 17); after "
                        "that your details are removed from it automatically."
                    )
                    % {"date": registry.format_date(registry.kept_until(notice.decided_at, days)), "days": days},
                )
            )
        else:
            outcomes.append(Outcome(label=label, action=ANONYMISED))
            to_anonymise.append(notice.pk)
    if to_anonymise and not dry_run:
        anonymise_notices(to_anonymise)
    return outcomes


def retention_complaints(now: datetime) -> int:
    cutoff = now - timedelta(days=_retention_days())
    ids = list(
        Notice.objects.filter(decided_at__lt=cutoff)
        .exclude(state__in=OPEN_STATES)
        .exclude(complainant_email=ANONYMISED_EMAIL)
        .values_list("pk", flat=True)
    )
    return anonymise_notices(ids)


# --- Answers given as a client ------------------------------------------------------------------------------------


def _client_answers(email: str):
    clients = Client.objects.filter(Q(contact_email__iexact=email) | Q(contacts__user__email__iexact=email))
    return (
        CustomerResponse.objects.filter(notice__website__client__in=clients)
        .select_related("notice__website__client")
        .prefetch_related(
            Prefetch(
                "notice__evidence",
                queryset=Evidence.objects.filter(party=Evidence.Party.CUSTOMER).order_by("uploaded_at", "id"),
                to_attr="customer_evidence",
            )
        )
        .order_by("responded_at", "id")
    )


def export_client_answers(email: str) -> list[dict]:
    return [
        {
            "reference": answer.notice.reference,
            "client": answer.notice.website.client.name,
            "website": answer.notice.website.host,
            "kind": answer.get_kind_display(),
            "text": answer.text,
            "responded_at": registry.iso(answer.responded_at),
            "files": [
                {
                    "original_name": item.original_name,
                    "content_type": item.content_type,
                    "size": item.size,
                    "uploaded_at": registry.iso(item.uploaded_at),
                }
                for item in answer.notice.customer_evidence
            ],
        }
        for answer in _client_answers(email)
    ]


def erase_client_answers(email: str, *, dry_run: bool) -> list[Outcome]:
    return [
        Outcome(
            label=_("Answer of %(client)s to complaint %(reference)s")
            % {"client": answer.notice.website.client.name, "reference": answer.notice.reference},
            action=KEPT,
            reason=_(
                "The answer was given on behalf of the client, not in your own name, and does not record who wrote "
                "it; it belongs to the client's NTD case file (Digital Services Act, art. 16 and 17)."
            ),
        )
        for answer in _client_answers(email)
    ]


# --- API keys ----------------------------------------------------------------------------------------------------


def _api_keys(email: str):
    return ApiKey.objects.filter(contact_email__iexact=email).order_by("created_at", "id")


def export_api_keys(email: str) -> list[dict]:
    return [
        {
            "name": key.name,
            "contact_email": key.contact_email,
            "prefix": key.prefix,
            "trusted_flagger": key.trusted_flagger,
            "is_active": key.is_active,
            "created_at": registry.iso(key.created_at),
            "last_used_at": registry.iso(key.last_used_at),
        }
        for key in _api_keys(email)
    ]


def erase_api_keys(email: str, *, dry_run: bool) -> list[Outcome]:
    outcomes = []
    for key in _api_keys(email):
        label = _("Contact address of API key %(prefix)s… (%(name)s)") % {"prefix": key.prefix, "name": key.name}
        if key.is_active:
            outcomes.append(
                Outcome(
                    label=label,
                    action=KEPT,
                    reason=_(
                        "The key is active: ISI Media must be able to reach its holder about the notices sent "
                        "with it. Ask ISI Media to revoke the key or to record another contact address."
                    ),
                )
            )
            continue
        outcomes.append(Outcome(label=label, action=ANONYMISED))
        if not dry_run:
            ApiKey.objects.filter(pk=key.pk).update(contact_email=ANONYMISED_EMAIL)
    return outcomes


registry.register(
    PersonalData(
        key="ntd.complaints",
        label=gettext_lazy("Complaints you filed (notice-and-take-down)"),
        fields={
            Notice: [
                "complainant_email",
                "explanation",
                "emergency_reason",
                *COMPLAINANT_FIELDS,
            ],
            Evidence: ["file", "original_name"],
        },
        export=export_complaints,
        erase=erase_complaints,
        retention=[
            RetentionRule(
                key="ntd.complaints",
                description=lambda: (
                    _(
                        "The complainant's details and files are removed from NTD cases decided more than %(days)s "
                        "days ago."
                    )
                    % {"days": _retention_days()}
                ),
                apply=retention_complaints,
            )
        ],
        titles={
            **registry.field_titles(
                Notice,
                "reference",
                "received_at",
                "state",
                "category",
                "explanation",
                "complainant_name",
                "complainant_email",
                "complainant_phone",
                "complainant_organisation",
                "capacity",
                "on_behalf_of",
                "owner_contact",
                "owner_contacted_on",
                "owner_contact_how",
                "owner_contact_result",
                "is_emergency",
                "emergency_reason",
                "decided_at",
            ),
            **registry.field_titles(Evidence, "original_name", "content_type", "size", "uploaded_at"),
            "urls": gettext_lazy("URLs"),
            "steps": gettext_lazy("steps"),
            "at": gettext_lazy("when"),
            "note": gettext_lazy("note"),
            "files": gettext_lazy("files"),
        },
    )
)

registry.register(
    PersonalData(
        key="ntd.client_answers",
        label=gettext_lazy("Answers given as a client to complaints about a website"),
        fields={CustomerResponse: ["text"]},
        export=export_client_answers,
        erase=erase_client_answers,
        titles={
            **registry.field_titles(CustomerResponse, "kind", "text", "responded_at"),
            **registry.field_titles(Evidence, "original_name", "content_type", "size", "uploaded_at"),
            "reference": Notice._meta.get_field("reference").verbose_name,
            "client": gettext_lazy("client"),
            "website": gettext_lazy("website"),
            "files": gettext_lazy("files"),
        },
    )
)

registry.register(
    PersonalData(
        key="ntd.api_keys",
        label=gettext_lazy("API keys for sending notices"),
        fields={ApiKey: ["name", "contact_email"]},
        export=export_api_keys,
        erase=erase_api_keys,
        titles=registry.field_titles(
            ApiKey, "name", "contact_email", "prefix", "trusted_flagger", "is_active", "created_at", "last_used_at"
        ),
    )
)
