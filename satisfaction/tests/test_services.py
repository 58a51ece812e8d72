"""Storing an answer, the staff alert for low scores and contact wishes, and the follow-up with its history."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from isimedia.models import OutboxMessage
from satisfaction import services
from satisfaction.errors import SatisfactionError
from satisfaction.models import Feedback, FeedbackEvent, FollowUp
from satisfaction.tests.factories import ContractManagerFactory, FeedbackFactory, feedback_input
from satisfaction.transitions import TRANSITIONS, allowed_transitions

AMS = ZoneInfo("Europe/Amsterdam")
ALERT_TO = "tevredenheid@isimedia.example"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SATISFACTION_ALERT_EMAIL = ALERT_TO


@pytest.fixture
def manager():
    return ContractManagerFactory(email="contracten@isimedia.example", first_name="Carla")


def submit(now=None, **overrides):
    return services.feedback_submit(data=feedback_input(**overrides), now=now)


def alerts():
    return list(OutboxMessage.objects.filter(template=services.ALERT_TEMPLATE).order_by("id"))


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- submitting ------------------------------------------------------------------------------------------------


def test_a_valid_answer_is_stored_as_given_trimmed_and_new():
    now = datetime(2026, 3, 5, 10, 30, tzinfo=AMS)
    feedback = submit(
        now=now,
        score=4,
        comment="  Snel geholpen, dank!  ",
        name="  Sanne de Vries ",
        email=" Sanne@Voorbeeld.example ",
        language="en",
    )

    feedback.refresh_from_db()
    assert feedback.score == 4
    assert feedback.comment == "Snel geholpen, dank!"
    assert feedback.name == "Sanne de Vries"
    assert feedback.email == "Sanne@Voorbeeld.example"
    assert feedback.wants_contact is False
    assert feedback.language == "en"
    assert feedback.submitted_at == now
    assert feedback.follow_up == FollowUp.NEW
    assert feedback.follow_up_changed_at is None
    assert not feedback.events.exists()
    assert alerts() == []


def test_an_unknown_language_falls_back_to_the_sites():
    assert submit(language="de").language == "nl"


def test_a_score_given_as_text_by_a_form_is_accepted():
    assert submit(score="5").score == 5


@pytest.mark.parametrize("score", [None, "", 0, 6, -1, "vijf", True, 2.5])
def test_the_score_is_required_and_on_the_scale(score, english_messages):
    with pytest.raises(SatisfactionError) as excinfo:
        submit(score=score)
    assert "Choose how satisfied you are" in errors_of(excinfo)["score"][0]
    assert not Feedback.objects.exists()


def test_a_contact_wish_needs_an_e_mail_address(english_messages):
    with pytest.raises(SatisfactionError) as excinfo:
        submit(score=2, name="Sanne", wants_contact=True, email="  ")
    assert errors_of(excinfo) == {"email": ["Give your e-mail address, so we can contact you."]}
    assert not Feedback.objects.exists()
    assert alerts() == []


@pytest.mark.parametrize("email", ["sanne", "sanne@", "sanne@voorbeeld", "a b@voorbeeld.example"])
def test_an_e_mail_address_given_must_be_valid(email, english_messages):
    with pytest.raises(SatisfactionError) as excinfo:
        submit(email=email)
    assert errors_of(excinfo) == {"email": ["Give a valid e-mail address."]}


def test_the_comment_may_be_5000_characters_not_more(english_messages):
    assert len(submit(comment="x" * 5000 + "   ").comment) == 5000
    with pytest.raises(SatisfactionError) as excinfo:
        submit(comment="x" * 5001)
    assert errors_of(excinfo) == {"comment": ["Write at most 5000 characters."]}


def test_a_name_longer_than_the_field_is_refused(english_messages):
    with pytest.raises(SatisfactionError) as excinfo:
        submit(name="n" * 201)
    assert errors_of(excinfo) == {"name": ["Give a shorter name."]}


def test_every_field_error_is_reported_at_once():
    with pytest.raises(SatisfactionError) as excinfo:
        submit(score=9, comment="x" * 5001, name="n" * 201, email="", wants_contact=True)
    assert set(errors_of(excinfo)) == {"score", "comment", "name", "email"}


# --- the staff alert -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [1, 2])
def test_a_score_of_1_or_2_alerts_the_staff_once_in_dutch(score):
    feedback = submit(
        now=datetime(2026, 2, 1, 0, 30, tzinfo=AMS), score=score, comment="De website lag plat.", language="en"
    )

    [alert] = alerts()
    words = {1: "zeer ontevreden", 2: "ontevreden"}[score]
    assert alert.to == ALERT_TO
    assert alert.language == "nl"
    assert alert.subject == f"Ontevreden klant: score {score} ({words})"
    assert f"Score: {score} van 5 ({words})" in alert.body_text
    assert "De website lag plat." in alert.body_text
    assert "zondag 1 februari 2026, 00:30" in alert.body_text
    assert "De klant heeft niet om contact gevraagd" in alert.body_text
    change = reverse("admin:satisfaction_feedback_change", args=[feedback.pk])
    assert f"\nhttp://testserver{change}\n" in alert.body_text
    # Without a name or an address it says nothing about a person, and anyone on staff may read it.
    assert alert.sensitive is False
    assert alert.reply_to == ""


def test_a_contact_wish_alerts_the_staff_with_name_and_address_whatever_the_score():
    submit(
        score=5,
        comment="Graag een offerte voor een webshop.",
        name="Bakker & Zn",
        email="info@bakker.example",
        wants_contact=True,
    )

    [alert] = alerts()
    assert alert.subject == "Feedback: score 5 (zeer tevreden), wil graag contact"
    assert "De klant wil graag contact." in alert.body_text
    assert "Naam: Bakker & Zn" in alert.body_text  # plain text: not HTML-escaped
    assert "E-mailadres: info@bakker.example" in alert.body_text
    assert "Graag een offerte voor een webshop." in alert.body_text
    assert alert.sensitive is True
    assert alert.reply_to == "info@bakker.example"


def test_a_low_score_with_a_contact_wish_is_one_alert():
    submit(score=1, name="", email="boos@klant.example", wants_contact=True, comment="")

    [alert] = alerts()
    assert alert.subject == "Ontevreden klant: score 1 (zeer ontevreden), wil graag contact"
    assert "Naam: (geen naam opgegeven)" in alert.body_text
    assert "(geen toelichting gegeven)" in alert.body_text
    assert alert.sensitive is True


def test_a_low_score_with_a_name_but_no_contact_wish_leaves_the_name_out_of_the_alert():
    # The alert would otherwise keep the person's name where an erasure cannot find it (no address on the message).
    submit(score=2, name="Sanne de Vries", email="sanne@voorbeeld.example")

    [alert] = alerts()
    assert "De klant heeft niet om contact gevraagd" in alert.body_text
    assert "Sanne de Vries" not in alert.body_text and "sanne@voorbeeld.example" not in alert.body_text
    assert alert.sensitive is False
    assert alert.reply_to == ""


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_score_of_3_to_5_without_a_contact_wish_alerts_nobody(score):
    submit(score=score, name="Sanne", email="sanne@voorbeeld.example", comment="Kan beter.")
    assert alerts() == []
    assert OutboxMessage.objects.count() == 0


def test_the_alert_goes_out_only_with_the_answer():
    with pytest.raises(SatisfactionError):
        submit(score=1, wants_contact=True)
    assert alerts() == []


# --- follow-up ---------------------------------------------------------------------------------------------------


def test_the_steps_are_data_the_admin_can_show_as_buttons():
    assert [t.name for t in allowed_transitions(FollowUp.NEW)] == ["contact", "close"]
    assert [t.name for t in allowed_transitions(FollowUp.CONTACTED)] == ["close"]
    assert [t.name for t in allowed_transitions(FollowUp.CLOSED)] == ["reopen"]
    assert all(str(t.label) for t in TRANSITIONS.values())


def test_contacted_then_closed_records_who_did_what_and_when(manager):
    feedback = FeedbackFactory(unhappy=True, contact=True)
    first = datetime(2026, 3, 5, 9, 0, tzinfo=AMS)
    second = datetime(2026, 3, 6, 16, 0, tzinfo=AMS)

    services.feedback_follow_up(
        feedback_id=feedback.pk, to_state=FollowUp.CONTACTED, user=manager, note="  Gebeld, excuses.  ", now=first
    )
    feedback = services.feedback_follow_up(feedback_id=feedback.pk, to_state=FollowUp.CLOSED, user=manager, now=second)

    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.CLOSED
    assert feedback.follow_up_changed_at == second
    assert list(feedback.events.values_list("from_state", "to_state", "user", "note", "at")) == [
        (FollowUp.NEW, FollowUp.CONTACTED, manager.pk, "Gebeld, excuses.", first),
        (FollowUp.CONTACTED, FollowUp.CLOSED, manager.pk, "", second),
    ]


def test_new_feedback_can_be_closed_at_once_and_closed_feedback_reopened(manager):
    feedback = FeedbackFactory()
    services.feedback_follow_up(feedback_id=feedback.pk, to_state=FollowUp.CLOSED, user=manager)
    feedback = services.feedback_follow_up(
        feedback_id=feedback.pk, to_state=FollowUp.NEW, user=manager, note="Klant belde opnieuw."
    )
    assert feedback.follow_up == FollowUp.NEW
    assert feedback.events.last().note == "Klant belde opnieuw."


@pytest.mark.parametrize(
    ("state", "to_state"),
    [
        (FollowUp.NEW, FollowUp.NEW),
        (FollowUp.CONTACTED, FollowUp.NEW),
        (FollowUp.CONTACTED, FollowUp.CONTACTED),
        (FollowUp.CLOSED, FollowUp.CONTACTED),
        (FollowUp.CLOSED, FollowUp.CLOSED),
        (FollowUp.NEW, "archived"),
    ],
)
def test_a_step_not_allowed_from_the_current_state_is_refused_and_changes_nothing(
    state, to_state, manager, english_messages
):
    feedback = FeedbackFactory(follow_up=state)
    with pytest.raises(SatisfactionError) as excinfo:
        services.feedback_follow_up(feedback_id=feedback.pk, to_state=to_state, user=manager, note="Poging")
    assert excinfo.value.messages[0].startswith(f"This feedback is {FollowUp(state).label}: it cannot be set to")
    feedback.refresh_from_db()
    assert feedback.follow_up == state
    assert feedback.follow_up_changed_at is None
    assert not FeedbackEvent.objects.exists()


def test_a_note_is_an_event_without_a_change_of_state(manager, english_messages):
    feedback = FeedbackFactory(follow_up=FollowUp.CONTACTED)
    event = services.feedback_note(feedback_id=feedback.pk, user=manager, text="  Voicemail ingesproken. ")

    assert (event.user, event.from_state, event.to_state, event.note) == (manager, "", "", "Voicemail ingesproken.")
    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.CONTACTED
    assert feedback.follow_up_changed_at is None

    with pytest.raises(SatisfactionError) as excinfo:
        services.feedback_note(feedback_id=feedback.pk, user=manager, text="   ")
    assert errors_of(excinfo) == {"text": ["Write the note."]}
    assert feedback.events.count() == 1


def test_no_note_is_added_to_anonymised_feedback(manager):
    feedback = FeedbackFactory(anonymous=True, anonymised_at=datetime(2026, 1, 1, tzinfo=AMS))
    with pytest.raises(SatisfactionError) as excinfo:
        services.feedback_note(feedback_id=feedback.pk, user=manager, text="Naam van de klant: ...")
    assert "text" in errors_of(excinfo)
    with pytest.raises(SatisfactionError):
        services.feedback_follow_up(feedback_id=feedback.pk, to_state=FollowUp.CLOSED, user=manager, note="Jan")
    # Closing it without a note is still possible.
    services.feedback_follow_up(feedback_id=feedback.pk, to_state=FollowUp.CLOSED, user=manager)
    assert list(feedback.events.values_list("note", flat=True)) == [""]


@pytest.mark.django_db(transaction=True)
def test_two_staff_closing_at_once_make_one_step():
    feedback = FeedbackFactory(unhappy=True)
    users = [ContractManagerFactory(), ContractManagerFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def run(user):
        try:
            barrier.wait()
            services.feedback_follow_up(feedback_id=feedback.pk, to_state=FollowUp.CLOSED, user=user)
            outcomes.append("closed")
        except SatisfactionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["closed", "refused"]
    assert list(FeedbackEvent.objects.values_list("from_state", "to_state")) == [(FollowUp.NEW, FollowUp.CLOSED)]
