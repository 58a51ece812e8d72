"""Writes for the general terms and the DPA: drafts, publication with notice, and the one PDF per version.

A published version never changes (the database refuses it, migration 0003); these services refuse it first, with a
message a person can act on. Publishing stores the SHA-256 of the exact text, queues the PDF after commit and
announces the change to the clients it concerns. The PDF is rendered once, by a Celery task or the beat sweep,
never while someone waits for a page.
"""

import datetime
import hashlib
import logging
import re

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from isimedia.models import User
from isimedia.outbox import email_queue

from ..errors import ContractsError
from ..models import Acceptance, ClientContact, DocumentKind, DocumentVersion

logger = logging.getLogger(__name__)

# Defaults; the settings module may override them (CONTRACTS_NOTICE_MONTHS).
DEFAULT_NOTICE_MONTHS = {DocumentKind.DPA: 3, DocumentKind.TERMS: 2}

# A label appears in the permanent address (/voorwaarden/<label>/), beside these fixed pages of the same prefix.
LABEL_REGEX = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$")
RESERVED_LABELS = {"versies", "wijzigingen", "pdf"}

DRAFT_FIELDS = ("label", "title", "body", "summary", "effective_on")


def notice_months(kind: str) -> int:
    configured = getattr(settings, "CONTRACTS_NOTICE_MONTHS", None) or {}
    return int(configured.get(str(kind), DEFAULT_NOTICE_MONTHS[kind]))


def notice_deadline(kind: str, today: datetime.date | None = None) -> datetime.date:
    """The first effective date that gives clients the full notice period when published today."""
    return (today or timezone.localdate()) + relativedelta(months=notice_months(kind))


def text_sha256(body: str) -> str:
    """The fingerprint of a version's text: SHA-256 of the body exactly as stored, encoded as UTF-8."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --- Drafts ---------------------------------------------------------------------------------------------------------


def version_clean_draft_values(*, kind: str, values: dict, instance: DocumentVersion | None = None) -> dict:
    """Check and tidy draft fields (any of ``DRAFT_FIELDS``); raises ContractsError with field errors.

    Shared by the services and the admin's form, so both refuse the same input in the same words.
    """
    errors = {}
    cleaned = dict(values)
    if "label" in cleaned:
        cleaned["label"] = (cleaned["label"] or "").strip()
        if not LABEL_REGEX.match(cleaned["label"]) or cleaned["label"].lower() in RESERVED_LABELS:
            errors["label"] = _(
                "Use up to 20 letters, digits, dots, dashes or underscores, such as 2026-03; "
                "“versies”, “wijzigingen” and “pdf” are taken by other pages."
            )
        else:
            taken = DocumentVersion.objects.filter(kind=kind, label=cleaned["label"])
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors["label"] = _("This document already has a version labelled %(label)s.") % {
                    "label": cleaned["label"]
                }
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            errors["title"] = _("Enter a title.")
    if "body" in cleaned and not (cleaned["body"] or "").strip():
        errors["body"] = _("Enter the text of the document.")
    if "summary" in cleaned:
        cleaned["summary"] = (cleaned["summary"] or "").strip()
    if "effective_on" in cleaned and not isinstance(cleaned["effective_on"], datetime.date):
        errors["effective_on"] = _("Enter the date the version takes effect.")
    if errors:
        raise ContractsError(errors)
    return cleaned


def version_create_draft(
    *, kind: str, label: str, title: str, body: str, summary: str = "", effective_on: datetime.date
) -> DocumentVersion:
    """Start a new version of the terms or the DPA; it can be edited until it is published."""
    if kind not in DocumentKind.values:
        raise ContractsError({"kind": _("Choose the general terms or the data processing agreement.")})
    values = version_clean_draft_values(
        kind=kind,
        values={"label": label, "title": title, "body": body, "summary": summary, "effective_on": effective_on},
    )
    try:
        with transaction.atomic():
            return DocumentVersion.objects.create(kind=kind, **values)
    except IntegrityError as error:
        # Two drafts with the same label at the same moment: the unique constraint decides.
        raise ContractsError({"label": _("This document already has a version with this label.")}) from error


def version_update_draft(*, version_id: int, **changes) -> DocumentVersion:
    """Change a draft's label, title, text, summary or date; a published version is refused."""
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"version_update_draft() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version_id)
        if version.is_published:
            raise ContractsError(
                _("Version %(label)s is published and can no longer be changed; make a new version instead.")
                % {"label": version.label}
            )
        values = version_clean_draft_values(kind=version.kind, values=changes, instance=version)
        for name, value in values.items():
            setattr(version, name, value)
        if values:
            version.save(update_fields=list(values))
    return version


# --- Publication ----------------------------------------------------------------------------------------------------


def _published(kind: str):
    return DocumentVersion.objects.filter(kind=kind, published_at__isnull=False)


def _lock_document(kind: str) -> None:
    """Publish the versions of one document one at a time, until the transaction ends.

    The date checks compare with the versions already published; two publications at the same moment must not
    both pass against a state the other is about to change. A row lock cannot cover the first version (there is no
    row yet), so this is a PostgreSQL advisory lock on the document's name.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"contracts.documentversion.{kind}"])


def version_publish(*, version_id: int, user: User | None, short_notice_reason: str = "") -> DocumentVersion:
    """Publish a draft: from now on it is fixed, it gets its PDF, and the clients it concerns are told.

    The effective date may not lie in the past, nor before another published version of the same document (a
    correction of a scheduled version may take effect on the same day; it then replaces it). A date closer than the
    notice period (``CONTRACTS_NOTICE_MONTHS``) needs a reason, which is stored with the version.
    """
    reason = (short_notice_reason or "").strip()
    today = timezone.localdate()
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version_id)
        if version.is_published:
            raise ContractsError(
                _("Version %(label)s was already published on %(date)s.")
                % {"label": version.label, "date": timezone.localtime(version.published_at).date().isoformat()}
            )
        _lock_document(version.kind)
        latest = _published(version.kind).order_by("-effective_on", "-published_at", "-id").first()
        if version.effective_on < today:
            raise ContractsError(
                {"effective_on": _("A version cannot take effect in the past; choose today or a later date.")}
            )
        if latest is not None and version.effective_on < latest.effective_on:
            raise ContractsError(
                {
                    "effective_on": _(
                        "Version %(label)s takes effect on %(date)s; a new version cannot take effect before it."
                    )
                    % {"label": latest.label, "date": latest.effective_on.isoformat()}
                }
            )
        deadline = notice_deadline(version.kind, today)
        short_notice = version.effective_on < deadline
        if short_notice and not reason:
            raise ContractsError(
                {
                    "short_notice_reason": _(
                        "Clients get %(months)s months' notice of a new version, so it should take effect on "
                        "%(deadline)s or later. To publish with a shorter notice, give the reason; it is recorded."
                    )
                    % {"months": notice_months(version.kind), "deadline": deadline.isoformat()}
                }
            )
        recipients = _announcement_recipients(version)
        previous = _current_or_scheduled(version.kind, today).first()

        version.published_at = timezone.now()
        version.published_by = user
        version.short_notice_reason = reason if short_notice else ""
        version.text_sha256 = text_sha256(version.body)
        version.save(update_fields=["published_at", "published_by", "short_notice_reason", "text_sha256"])

        for contact in recipients:
            _announce(version=version, previous=previous, contact=contact, short_notice=short_notice)
        transaction.on_commit(lambda: _enqueue_render(version.pk))
    logger.info(
        "Version %s of %s published by %s for %s%s; %s contacts told.",
        version.label,
        version.kind,
        getattr(user, "pk", None),
        version.effective_on,
        " (short notice)" if short_notice else "",
        len(recipients),
    )
    return version


def version_publish_backdated(*, version_id: int, user: User | None, reason: str) -> DocumentVersion:
    """Record a version that was already in force before this site published it (taking over the existing history).

    ``version_publish`` refuses dates in the past, rightly: nobody can be told in time about a change that has already
    happened. But the texts that applied before the portal existed must be in its archive too, with the date they
    really took effect. This service records those, and nothing else: it works only while the document's history
    holds nothing but such back-dated versions, one after the other in time. As soon as a version has been
    published the normal way, the past is closed. It sends no e-mail (there is nothing to announce) and stores the
    reason, like a short notice, so the archive shows the version was recorded afterwards.
    """
    reason = (reason or "").strip()
    today = timezone.localdate()
    if not reason:
        raise ContractsError({"short_notice_reason": _("Say where this earlier version comes from.")})
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version_id)
        if version.is_published:
            raise ContractsError(_("Version %(label)s is already published.") % {"label": version.label})
        if version.effective_on >= today:
            raise ContractsError({"effective_on": _("Only a version that took effect before today can be recorded.")})
        _lock_document(version.kind)
        published = list(_published(version.kind))
        announced = [
            other for other in published if timezone.localtime(other.published_at).date() <= other.effective_on
        ]
        if announced:
            raise ContractsError(
                _("Version %(label)s was published on this site; earlier history can no longer be added.")
                % {"label": announced[0].label}
            )
        later = [other for other in published if other.effective_on >= version.effective_on]
        if later:
            raise ContractsError(
                {
                    "effective_on": _("Record earlier versions in order: %(label)s already took effect on %(date)s.")
                    % {"label": later[0].label, "date": later[0].effective_on.isoformat()}
                }
            )
        version.published_at = timezone.now()
        version.published_by = user
        version.short_notice_reason = reason
        version.text_sha256 = text_sha256(version.body)
        version.save(update_fields=["published_at", "published_by", "short_notice_reason", "text_sha256"])
        transaction.on_commit(lambda: _enqueue_render(version.pk))
    return version


def _current_or_scheduled(kind: str, today: datetime.date):
    """The version in force today and the ones scheduled after it, newest first (the current one is last)."""
    in_force = (
        _published(kind).filter(effective_on__lte=today).order_by("-effective_on", "-published_at", "-id").first()
    )
    versions = _published(kind).filter(effective_on__gt=today)
    if in_force is not None:
        versions = _published(kind).filter(Q(effective_on__gt=today) | Q(pk=in_force.pk))
    return versions.order_by("-effective_on", "-published_at", "-id")


def _announcement_recipients(version: DocumentVersion) -> list[ClientContact]:
    """Who hears about a new version.

    The terms apply to every client, so every contact hears about them. The DPA binds the clients who signed it:
    the contacts of every client that accepted the version in force, or one already scheduled, are told.
    """
    contacts = ClientContact.objects.filter(user__is_active=True).select_related("client", "user")
    if version.kind == DocumentKind.DPA:
        current = _current_or_scheduled(version.kind, timezone.localdate()).exclude(pk=version.pk)
        accepted = Acceptance.objects.filter(version__in=current).values("client_id")
        contacts = contacts.filter(client_id__in=accepted)
    return list(contacts.order_by("client__name", "client_id", "name", "id"))


def _announce(
    *, version: DocumentVersion, previous: DocumentVersion | None, contact: ClientContact, short_notice: bool
):
    from ..document_views import document_url

    if previous is not None and previous.pk != version.pk:
        changes_url = document_url(version.kind, "changes") + f"?van={previous.label}&naar={version.label}"
    else:
        changes_url = document_url(version.kind, "version", label=version.label)
    email_queue(
        template="contracts_version_announced",
        to=contact.user.email,
        language=contact.client.language,
        reply_to=settings.STAFF_EMAIL,
        context={
            "contact_name": contact.name,
            "client_name": contact.client.name,
            "kind": version.kind,
            "is_dpa": version.kind == DocumentKind.DPA,
            "title": version.title,
            "label": version.label,
            "previous_label": previous.label if previous is not None else "",
            "summary": version.summary,
            "effective_on": version.effective_on,
            "short_notice": short_notice,
            "changes_url": f"{settings.SITE_URL}{changes_url}",
            "version_url": f"{settings.SITE_URL}{document_url(version.kind, 'version', label=version.label)}",
            "account_url": f"{settings.SITE_URL}{reverse('contracts:account')}",
        },
    )


# --- The PDF --------------------------------------------------------------------------------------------------------


def _enqueue_render(version_id: int) -> None:
    """Hand the rendering to a worker; if the broker is unreachable the beat sweep renders it later."""
    from ..tasks import render_version_pdf

    try:
        render_version_pdf.delay(version_id)
    except Exception:
        logger.warning("Broker unreachable; the PDF of version %s waits for the sweep.", version_id, exc_info=True)


def version_render_pdf(*, version_id: int) -> bool:
    """Render a published version to PDF/A-3b once and store the bytes and their SHA-256; return whether it did.

    Idempotent: a version that has its PDF, or a draft, is left alone. The row stays locked while WeasyPrint works
    (a second or two), so the task and a sweep running at the same time render it only once.
    """
    from ..pdf import render_version_pdf as render

    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or not version.is_published or version.pdf:
            return False
        data = render(version)
        digest = hashlib.sha256(data).hexdigest()
        version.pdf.save(f"{version.kind}-{version.label}.pdf", ContentFile(data), save=False)
        name = version.pdf.name
        try:
            version.pdf_sha256 = digest
            version.save(update_fields=["pdf", "pdf_sha256"])
        except Exception:
            version.pdf.storage.delete(name)
            raise
    logger.info("PDF of %s %s rendered (%s bytes, sha256 %s).", version.kind, version.label, len(data), digest)
    return True


def versions_render_missing_pdfs() -> int:
    """The beat sweep: render every published version that has no PDF yet; returns how many were rendered."""
    ids = list(
        DocumentVersion.objects.filter(published_at__isnull=False, pdf="").order_by("id").values_list("id", flat=True)
    )
    rendered = 0
    for version_id in ids:
        try:
            rendered += version_render_pdf(version_id=version_id)
        except Exception:
            # One version that cannot be rendered must not keep the others waiting; the next sweep tries again.
            logger.exception("Rendering the PDF of version %s failed.", version_id)
    return rendered
