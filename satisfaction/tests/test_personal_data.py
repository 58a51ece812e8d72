"""Satisfaction feedback in the privacy registry: export and erasure by e-mail address, and retention."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from privacy import registry
from privacy.models import RetentionRecord
from privacy.retention import retention_apply
from satisfaction.models import Feedback, FeedbackEvent, FollowUp
from satisfaction.tests.factories import FeedbackEventFactory, FeedbackFactory

ADDRESS = "sanne.de.vries@voorbeeld.example"
KEY = "satisfaction.feedback"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SATISFACTION_RETENTION_DAYS = 365


def ago(days: int, **extra):
    return timezone.now() - timedelta(days=days, **extra)


@pytest.fixture
def hers():
    """Two answers of the same person, stored with different capitals, one with a follow-up and a staff note."""
    first = FeedbackFactory(
        score=2,
        comment="De site was traag.",
        name="Sanne de Vries",
        email="Sanne.de.Vries@Voorbeeld.example",
        wants_contact=True,
        follow_up=FollowUp.CLOSED,
        submitted_at=ago(40),
    )
    FeedbackEventFactory(
        feedback=first, from_state=FollowUp.NEW, to_state=FollowUp.CONTACTED, note="Sanne gebeld", at=ago(39)
    )
    FeedbackEventFactory(
        feedback=first, from_state=FollowUp.CONTACTED, to_state=FollowUp.CLOSED, note="Opgelost", at=ago(38)
    )
    second = FeedbackFactory(score=5, comment="Nu prima!", name="", email=ADDRESS, submitted_at=ago(3))
    return [first, second]


@pytest.fixture
def others():
    return [
        FeedbackFactory(score=1, comment="Van iemand anders", name="Piet", email="piet@elders.example"),
        FeedbackFactory(anonymous=True, score=3),
    ]


def test_every_personal_field_of_feedback_is_covered():
    covered = registry.registry.covered()
    assert ("satisfaction.Feedback", "name") in covered
    assert ("satisfaction.Feedback", "email") in covered
    assert ("satisfaction.Feedback", "comment") in covered
    assert ("satisfaction.FeedbackEvent", "note") in covered
    assert [name for name in registry.uncovered_fields() if name.startswith("satisfaction.")] == []
    assert registry.registry.declaration_errors() == []
    assert KEY in [rule.key for rule in registry.retention_rules()]


def test_the_export_holds_the_persons_feedback_whatever_the_capitals_and_not_the_staff_notes(hers, others):
    with translation.override("en"):
        exported = registry.export_all(ADDRESS.upper())[KEY]

    assert exported["label"] == "Feedback you gave about ISI Media (customer satisfaction)"
    first, second = exported["records"]
    assert first == {
        "submitted_at": registry.iso(hers[0].submitted_at),
        "score": 2,
        "score_words": "dissatisfied",
        "comment": "De site was traag.",
        "name": "Sanne de Vries",
        "email": "Sanne.de.Vries@Voorbeeld.example",
        "wants_contact": True,
        "language": "Nederlands",
        "follow_up": "closed",
        "steps": [
            {"at": registry.iso(event.at), "state": state}
            for event, state in zip(hers[0].events.order_by("at"), ["contacted", "closed"], strict=True)
        ],
    }
    assert "Sanne gebeld" not in str(exported)
    assert (second["score"], second["comment"], second["steps"]) == (5, "Nu prima!", [])


def test_the_erasure_plan_says_what_goes_and_what_stays_and_changes_nothing(hers, others):
    with translation.override("en"):
        plan = [row for row in registry.erase_all(ADDRESS, dry_run=True) if row["entry"] == KEY]

    assert [(row["action"], row["count"]) for row in plan] == [("anonymised", 2), ("kept", 2)]
    assert "score and date" in plan[1]["label"]
    assert "satisfaction figures" in plan[1]["reason"]
    assert Feedback.objects.filter(email__iexact=ADDRESS, anonymised_at__isnull=True).count() == 2
    assert FeedbackEvent.objects.exclude(note="").count() == 2


def test_erasure_clears_the_person_and_keeps_score_date_and_follow_up(hers, others):
    before = {f.pk: (f.score, f.submitted_at, f.follow_up) for f in hers}
    registry.erase_all(ADDRESS, dry_run=False)

    for feedback in Feedback.objects.filter(pk__in=before):
        assert (feedback.name, feedback.email, feedback.comment, feedback.wants_contact) == ("", "", "", False)
        assert feedback.anonymised_at is not None
        assert (feedback.score, feedback.submitted_at, feedback.follow_up) == before[feedback.pk]
    assert list(FeedbackEvent.objects.values_list("to_state", "note")) == [
        (FollowUp.CONTACTED, ""),
        (FollowUp.CLOSED, ""),
    ]
    # Someone else's feedback is untouched, and nothing is left to export or erase.
    assert Feedback.objects.get(pk=others[0].pk).email == "piet@elders.example"
    assert registry.export_all(ADDRESS)[KEY]["records"] == []
    assert [row for row in registry.erase_all(ADDRESS, dry_run=False) if row["entry"] == KEY] == []


def test_retention_anonymises_feedback_older_than_the_period_also_without_an_address_and_only_once():
    old_with_address = FeedbackFactory(
        score=1, name="Jan", email="jan@voorbeeld.example", wants_contact=True, submitted_at=ago(366)
    )
    FeedbackEventFactory(feedback=old_with_address, note="Jan teruggebeld")
    old_without_address = FeedbackFactory(score=2, comment="Meneer Jansen van de helpdesk was onbeleefd.")
    Feedback.objects.filter(pk=old_without_address.pk).update(submitted_at=ago(400))
    recent = FeedbackFactory(score=4, name="Recent", email="recent@voorbeeld.example", submitted_at=ago(364))

    run = retention_apply()

    assert dict(run.records.values_list("rule", "count"))[KEY] == 2
    for feedback in Feedback.objects.filter(pk__in=[old_with_address.pk, old_without_address.pk]):
        assert (feedback.name, feedback.email, feedback.comment, feedback.wants_contact) == ("", "", "", False)
        assert feedback.anonymised_at is not None
    assert Feedback.objects.get(pk=old_with_address.pk).score == 1
    assert not FeedbackEvent.objects.exclude(note="").exists()
    recent.refresh_from_db()
    assert (recent.name, recent.email, recent.anonymised_at) == ("Recent", "recent@voorbeeld.example", None)

    anonymised_at = Feedback.objects.get(pk=old_with_address.pk).anonymised_at
    second = retention_apply()
    assert not second.records.filter(rule=KEY).exists()
    assert Feedback.objects.get(pk=old_with_address.pk).anonymised_at == anonymised_at
    assert RetentionRecord.objects.filter(rule=KEY).count() == 1


def test_the_retention_rule_describes_itself_with_the_period(settings):
    settings.SATISFACTION_RETENTION_DAYS = 200
    [rule] = [rule for rule in registry.retention_rules() if rule.key == KEY]
    with translation.override("en"):
        assert "more than 200 days ago" in rule.describe()
