"""Satisfaction feedback: a 1-5 score with an optional comment and contact wish, and staff follow-up on it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Score(models.IntegerChoices):
    """The CSAT scale; 4 and 5 count as satisfied."""

    VERY_DISSATISFIED = 1, _("very dissatisfied")
    DISSATISFIED = 2, _("dissatisfied")
    NEUTRAL = 3, _("neutral")
    SATISFIED = 4, _("satisfied")
    VERY_SATISFIED = 5, _("very satisfied")


SATISFIED_SCORES = (Score.SATISFIED, Score.VERY_SATISFIED)
# A score this low, or a request for contact, alerts the staff at once.
ALERT_SCORES = (Score.VERY_DISSATISFIED, Score.DISSATISFIED)


class FollowUp(models.TextChoices):
    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    CLOSED = "closed", _("closed")


class Feedback(models.Model):
    """One answer to "How satisfied are you with ISI Media?"."""

    score = models.PositiveSmallIntegerField(_("score"), choices=Score.choices, db_index=True)
    comment = models.TextField(_("what we should do better"), blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    wants_contact = models.BooleanField(_("wants to be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="nl")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)

    follow_up = models.CharField(
        _("follow-up"), max_length=12, choices=FollowUp.choices, default=FollowUp.NEW, db_index=True
    )
    follow_up_changed_at = models.DateTimeField(_("follow-up changed"), null=True, blank=True)
    # Set when erasure or retention removed the person's details and words: the score and date stay for the figures.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"),
            # Whoever asks to be contacted leaves an address to contact them at.
            models.CheckConstraint(
                condition=~models.Q(wants_contact=True) | ~models.Q(email=""),
                name="satisfaction_contact_has_email",
            ),
        ]

    def __str__(self):
        return f"{self.submitted_at:%Y-%m-%d} · {self.score}"

    @property
    def is_satisfied(self) -> bool:
        return self.score in SATISFIED_SCORES

    @property
    def needs_attention(self) -> bool:
        return self.score in ALERT_SCORES or self.wants_contact


class FeedbackEvent(models.Model):
    """A step of the follow-up (who moved it from which state to which) or a staff note."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(_("from"), max_length=12, choices=FollowUp.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=FollowUp.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.feedback_id}: {self.from_state} → {self.to_state}"
