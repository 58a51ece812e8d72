"""Personal data in satisfaction feedback (see privacy.registry).

Feedback may carry a name, an e-mail address, a contact wish and a comment (which may name someone), and staff
notes on its follow-up. Erasure, and retention after SATISFACTION_RETENTION_DAYS, clear all of those and set
``anonymised_at``; the score and the date stay, without anyone's identity, for the monthly satisfaction figures.
Retention covers feedback without an e-mail address too: its comment may still name someone.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy import registry
from privacy.registry import ANONYMISED, KEPT, Outcome, PersonalData, RetentionRule

from .models import Feedback, FeedbackEvent

__all__ = ["anonymise_feedback", "erase_feedback", "export_feedback", "retention_feedback"]


def _retention_days() -> int:
    return settings.SATISFACTION_RETENTION_DAYS


def anonymise_feedback(feedback_ids: list[int], *, now: datetime) -> int:
    """Clear name, e-mail address, contact wish, comment and staff notes; returns how many feedback rows changed.

    Feedback anonymised before is left alone, so running this twice changes nothing the second time.
    """
    ids = list(
        Feedback.objects.filter(pk__in=feedback_ids, anonymised_at__isnull=True)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    FeedbackEvent.objects.filter(feedback_id__in=ids).exclude(note="").update(note="")
    return Feedback.objects.filter(pk__in=ids).update(
        name="", email="", comment="", wants_contact=False, anonymised_at=now
    )


def _feedback(email: str):
    return Feedback.objects.filter(email__iexact=email, anonymised_at__isnull=True).order_by("submitted_at", "id")


def export_feedback(email: str) -> Iterator[dict]:
    """Each answer given with this address, as sent, with the steps of its follow-up (staff notes are not included)."""
    feedback = _feedback(email).prefetch_related(
        Prefetch("events", queryset=FeedbackEvent.objects.exclude(to_state="").order_by("at", "id"))
    )
    # In chunks: the data package streams the records (privacy/package.py).
    return (
        {
            "submitted_at": registry.iso(item.submitted_at),
            "score": item.score,
            "score_words": registry.label(item, "score"),
            "comment": item.comment,
            "name": item.name,
            "email": item.email,
            "wants_contact": item.wants_contact,
            "language": registry.label(item, "language"),
            "follow_up": registry.label(item, "follow_up"),
            "steps": [
                {"at": registry.iso(event.at), "state": registry.label(event, "to_state")}
                for event in item.events.all()
            ],
        }
        for item in registry.streamed(feedback)
    )


def erase_feedback(email: str, *, dry_run: bool) -> list[Outcome]:
    ids = list(_feedback(email).values_list("pk", flat=True))
    if not ids:
        return []
    if not dry_run:
        anonymise_feedback(ids, now=timezone.now())
    return [
        Outcome(
            label=_("Your name, e-mail address, contact wish and comment in the feedback you gave"),
            action=ANONYMISED,
            count=len(ids),
        ),
        Outcome(
            label=_("The score and date of the feedback you gave"),
            action=KEPT,
            reason=_(
                "Without your name, address and comment they no longer say who gave them; ISI Media keeps them "
                "for its satisfaction figures (the share of satisfied clients per month)."
            ),
            count=len(ids),
        ),
    ]


def retention_feedback(now: datetime) -> int:
    cutoff = now - timedelta(days=_retention_days())
    ids = list(
        Feedback.objects.filter(submitted_at__lt=cutoff, anonymised_at__isnull=True).values_list("pk", flat=True)
    )
    return anonymise_feedback(ids, now=now)


registry.register(
    PersonalData(
        key="satisfaction.feedback",
        label=gettext_lazy("Feedback you gave about ISI Media (customer satisfaction)"),
        fields={
            Feedback: ["name", "email", "wants_contact", "comment"],
            FeedbackEvent: ["note"],
        },
        export=export_feedback,
        erase=erase_feedback,
        retention=[
            RetentionRule(
                key="satisfaction.feedback",
                description=lambda: (
                    _(
                        "Names, e-mail addresses, contact wishes, comments and staff notes are removed from feedback "
                        "given more than %(days)s days ago; the score and date stay for the satisfaction figures."
                    )
                    % {"days": _retention_days()}
                ),
                apply=retention_feedback,
            )
        ],
        titles={
            **registry.field_titles(
                Feedback, "submitted_at", "score", "comment", "name", "email", "wants_contact", "language", "follow_up"
            ),
            "score_words": gettext_lazy("score in words"),
            "steps": gettext_lazy("steps"),
            "at": gettext_lazy("when"),
            "state": gettext_lazy("state"),
        },
    )
)
