"""Every write of the satisfaction app: storing an answer (and alerting staff), and the staff follow-up on it.

An answer is stored as given and nothing else happens, unless it needs attention (a score of 1 or 2, or a request
for contact): then one e-mail goes to the staff through the outbox, in the same transaction. A follow-up step locks
the feedback, refuses a step ``satisfaction.transitions`` does not allow from the current state, saves only the
fields it changed and writes a ``FeedbackEvent`` with who did it and their note.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from isimedia.outbox import email_queue

from .errors import SatisfactionError
from .models import Feedback, FeedbackEvent, FollowUp, Score
from .transitions import transition_to

__all__ = [
    "ALERT_TEMPLATE",
    "MAX_COMMENT",
    "MAX_NOTE",
    "FeedbackInput",
    "admin_url",
    "feedback_follow_up",
    "feedback_note",
    "feedback_submit",
    "feedback_validate",
]

ALERT_TEMPLATE = "satisfaction_alert"
MAX_COMMENT = 5000
MAX_NOTE = 5000


@dataclass
class FeedbackInput:
    """What a visitor sends, already parsed by the form."""

    score: int
    comment: str = ""
    name: str = ""
    email: str = ""
    wants_contact: bool = False
    language: str = "nl"


def admin_url(feedback: Feedback) -> str:
    return settings.SITE_URL + reverse("admin:satisfaction_feedback_change", args=[feedback.pk])


# --- submitting ------------------------------------------------------------------------------------------------


def _score(value) -> int | None:
    """The score as a whole number on the scale (a form may give it as text), or None."""
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value)
    # A bool is an int to Python, but True is no answer to "how satisfied are you".
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value if value in Score.values else None


def feedback_validate(*, data: FeedbackInput) -> None:
    """The rules for an answer; forms call it too, so its errors appear next to their fields."""
    errors = {}
    if _score(data.score) is None:
        errors["score"] = _("Choose how satisfied you are, from 1 (very dissatisfied) to 5 (very satisfied).")
    comment = (data.comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Write at most %(max)d characters.") % {"max": MAX_COMMENT}
    name = (data.name or "").strip()
    if len(name) > Feedback._meta.get_field("name").max_length:
        errors["name"] = _("Give a shorter name.")
    email = (data.email or "").strip()
    if email:
        try:
            validate_email(email)
            if len(email) > Feedback._meta.get_field("email").max_length:
                raise ValidationError("too long")
        except ValidationError:
            errors["email"] = _("Give a valid e-mail address.")
    elif data.wants_contact:
        errors["email"] = _("Give your e-mail address, so we can contact you.")
    if errors:
        raise SatisfactionError(errors)


def feedback_submit(*, data: FeedbackInput, now: datetime | None = None) -> Feedback:
    """Store an answer; one that needs attention (a score of 1 or 2, or a contact wish) e-mails the staff at once."""
    now = now or timezone.now()
    feedback_validate(data=data)
    language = data.language if data.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic():
        feedback = Feedback.objects.create(
            score=_score(data.score),
            comment=(data.comment or "").strip(),
            name=(data.name or "").strip(),
            email=(data.email or "").strip(),
            wants_contact=bool(data.wants_contact),
            language=language,
            submitted_at=now,
            follow_up=FollowUp.NEW,
        )
        if feedback.needs_attention:
            _alert_staff(feedback)
    return feedback


def _alert_staff(feedback: Feedback) -> None:
    email_queue(
        template=ALERT_TEMPLATE,
        to=settings.SATISFACTION_ALERT_EMAIL,
        language="nl",
        context={"feedback": feedback, "admin_url": admin_url(feedback)},
        # Staff answer a contact wish by replying to the alert.
        reply_to=feedback.email if feedback.wants_contact else "",
        # Only a contact wish puts a name and address in it (erasure then finds it by its reply-to address); that
        # body is hidden in the outbox from staff who may not read personal data.
        sensitive=feedback.wants_contact,
    )


# --- follow-up ---------------------------------------------------------------------------------------------------


def _locked(feedback_id: int) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback_id)


def _note_allowed(feedback: Feedback, note: str, *, field: str) -> None:
    if note and feedback.anonymised_at is not None:
        # Retention removed the person's details once, and does not come back: a new note would stay for good.
        raise SatisfactionError({field: _("This feedback was anonymised: no notes can be added to it any more.")})
    if len(note) > MAX_NOTE:
        raise SatisfactionError({field: _("Write at most %(max)d characters.") % {"max": MAX_NOTE}})


def feedback_follow_up(
    *, feedback_id: int, to_state: str, user, note: str = "", now: datetime | None = None
) -> Feedback:
    """Move the follow-up to ``to_state`` (see ``satisfaction.transitions``), recording who did it and why."""
    now = now or timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        feedback = _locked(feedback_id)
        transition = transition_to(feedback.follow_up, to_state)
        if transition is None:
            target = FollowUp(to_state).label if to_state in FollowUp.values else to_state
            raise SatisfactionError(
                _("This feedback is %(state)s: it cannot be set to “%(target)s” now.")
                % {"state": feedback.get_follow_up_display(), "target": target}
            )
        _note_allowed(feedback, note, field="note")
        from_state = feedback.follow_up
        feedback.follow_up = transition.target
        feedback.follow_up_changed_at = now
        feedback.save(update_fields=["follow_up", "follow_up_changed_at"])
        FeedbackEvent.objects.create(
            feedback=feedback, at=now, user=user, from_state=from_state, to_state=feedback.follow_up, note=note
        )
    return feedback


def feedback_note(*, feedback_id: int, user, text: str, now: datetime | None = None) -> FeedbackEvent:
    """Add a staff note to the follow-up, without changing its state (an event with no from or to state)."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise SatisfactionError({"text": _("Write the note.")})
    with transaction.atomic():
        feedback = _locked(feedback_id)
        _note_allowed(feedback, text, field="text")
        return FeedbackEvent.objects.create(feedback=feedback, at=now, user=user, note=text)
