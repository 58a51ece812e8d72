"""Reads for the general terms and the DPA: which version applies when, the archive, and what changed.

The state of a version is derived, never stored: a draft has no publication date; of the published versions of a
document, the one in force on a day is the one with the latest effective date on or before that day (a version
published later for the same date, a correction, wins); the ones before it are superseded, the ones after it
scheduled. A scheduled version replaced by a correction for the same date never comes into force: superseded.
"""

import datetime
import difflib
import re
from collections.abc import Iterable

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from ..models import Acceptance, Client, DocumentVersion

Status = DocumentVersion.Status

# Newest first in the order of taking effect; among versions for the same day the last published one applies.
APPLICABLE_ORDER = ("-effective_on", "-published_at", "-id")


def published_versions(kind: str) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(kind=kind, published_at__isnull=False).order_by(*APPLICABLE_ORDER)


def version_in_force(kind: str, on: datetime.date | None = None) -> DocumentVersion | None:
    """The version that applies on ``on`` (today by default), or None before the first one took effect."""
    on = on or timezone.localdate()
    return published_versions(kind).filter(effective_on__lte=on).first()


def version_scheduled(kind: str, today: datetime.date | None = None) -> DocumentVersion | None:
    """The next version to take effect after today, if one is published; the correction wins on the same day."""
    today = today or timezone.localdate()
    return (
        DocumentVersion.objects.filter(kind=kind, published_at__isnull=False, effective_on__gt=today)
        .order_by("effective_on", "-published_at", "-id")
        .first()
    )


def version_by_label(kind: str, label: str) -> DocumentVersion | None:
    """A published version by its permanent label; drafts are not public."""
    return published_versions(kind).filter(label=label).first()


def _statuses(versions: Iterable[DocumentVersion], today: datetime.date) -> dict[int, str]:
    """The status of each published version of one document, given all of them."""
    ordered = sorted(versions, key=lambda v: (v.effective_on, v.published_at, v.pk))
    statuses = {}
    in_force_seen = False
    # Walk from the newest: the first one on or before today is in force, everything older superseded.
    for index in range(len(ordered) - 1, -1, -1):
        version = ordered[index]
        replaced_same_day = index + 1 < len(ordered) and ordered[index + 1].effective_on == version.effective_on
        if version.effective_on > today:
            statuses[version.pk] = Status.SUPERSEDED if replaced_same_day else Status.SCHEDULED
        elif not in_force_seen:
            statuses[version.pk] = Status.IN_FORCE
            in_force_seen = True
        else:
            statuses[version.pk] = Status.SUPERSEDED
    return statuses


def version_status(version: DocumentVersion, today: datetime.date | None = None) -> str:
    """draft, scheduled, in_force or superseded (a ``DocumentVersion.Status`` value)."""
    if not version.is_published:
        return Status.DRAFT
    today = today or timezone.localdate()
    siblings = published_versions(version.kind).only("id", "effective_on", "published_at")
    return _statuses(siblings, today)[version.pk]


def versions_archive(kind: str, today: datetime.date | None = None) -> list[DocumentVersion]:
    """Every published version of a document, newest first, each with ``status`` and ``previous`` (the version
    before it in the archive, for a "what changed" link) set; one query."""
    today = today or timezone.localdate()
    versions = list(published_versions(kind))
    statuses = _statuses(versions, today)
    for index, version in enumerate(versions):
        version.status = statuses[version.pk]
        version.previous = versions[index + 1] if index + 1 < len(versions) else None
    return versions


# --- What changed ---------------------------------------------------------------------------------------------------

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
# Words, runs of whitespace, and each punctuation mark on its own: "vraagt." → "vraagt," changes only the mark.
_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def _append(segments: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if segments and segments[-1][0] == op:
        segments[-1] = (op, segments[-1][1] + text)
    else:
        segments.append((op, text))


def _word_diff(old: str, new: str, segments: list[tuple[str, str]]) -> None:
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, EQUAL, "".join(a[i1:i2]))
            continue
        _append(segments, DELETE, "".join(a[i1:i2]))
        _append(segments, INSERT, "".join(b[j1:j2]))


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A word-level comparison of two texts as ``(op, text)`` segments, op being equal, insert or delete.

    Whitespace is kept, so joining the equal and delete segments gives the old text and joining the equal and insert
    segments the new one. The texts are first compared line by line and only changed lines word by word: quick for
    long documents, and a changed sentence never gets matched with a word in a distant article.
    """
    old_lines = (old or "").splitlines(keepends=True)
    new_lines = (new or "").splitlines(keepends=True)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, EQUAL, "".join(old_lines[i1:i2]))
        elif tag == "replace":
            _word_diff("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]), segments)
        else:
            _append(segments, DELETE, "".join(old_lines[i1:i2]))
            _append(segments, INSERT, "".join(new_lines[j1:j2]))
    return segments


def version_diff(old: DocumentVersion, new: DocumentVersion) -> list[tuple[str, str]]:
    """What changed from ``old`` to ``new``, word by word, over their title and text."""
    return text_diff(f"{old.title}\n\n{old.body}", f"{new.title}\n\n{new.body}")


def version_annotate_status(queryset, today: datetime.date | None = None):
    """Add ``status`` (DocumentVersion.Status) to each version, computed in the same query.

    A published version is superseded once a later version of the same document is in force, or as soon as a
    correction with the same effective date is published (the newest publication of a date wins, as in
    ``version_in_force``); otherwise it is scheduled until its effective date and in force from then on.
    """
    today = today or timezone.localdate()
    others = DocumentVersion.objects.filter(kind=OuterRef("kind"), published_at__isnull=False).exclude(
        pk=OuterRef("pk")
    )
    later_in_force = others.filter(effective_on__gt=OuterRef("effective_on"), effective_on__lte=today)
    same_day_newer = others.filter(effective_on=OuterRef("effective_on")).filter(
        Q(published_at__gt=OuterRef("published_at")) | Q(published_at=OuterRef("published_at"), pk__gt=OuterRef("pk"))
    )
    return queryset.annotate(
        status=Case(
            When(published_at__isnull=True, then=Value(DocumentVersion.Status.DRAFT)),
            When(Exists(later_in_force) | Exists(same_day_newer), then=Value(DocumentVersion.Status.SUPERSEDED)),
            When(effective_on__gt=today, then=Value(DocumentVersion.Status.SCHEDULED)),
            default=Value(DocumentVersion.Status.IN_FORCE),
            output_field=CharField(),
        )
    )


def version_signatures_overview(version: DocumentVersion, *, limit: int = 200) -> dict:
    """Which clients signed this version and which have not: four queries, whatever the number of clients."""
    signed = Acceptance.objects.filter(version=version)
    signed_client_ids = signed.values("client_id")
    not_signed = Client.objects.exclude(pk__in=signed_client_ids).order_by("name", "id")
    return {
        "acceptances": list(signed.select_related("client").order_by("company_name", "accepted_at", "id")[:limit]),
        "acceptance_count": signed.count(),
        "not_signed": list(not_signed[:limit]),
        "not_signed_count": not_signed.count(),
        "limit": limit,
    }
