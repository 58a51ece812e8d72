"""The satisfaction admin as a contract manager uses it: the feedback list with its badges, filters, search and CSV
export, the feedback page with its follow-up steps and notes, the trends page, and who may see any of it."""

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import StaffUserFactory
from isimedia import roles
from isimedia.tests.staff import logged_in, staff_in
from isimedia.workdays import AMSTERDAM
from satisfaction import services
from satisfaction.models import Feedback, FeedbackEvent, FollowUp, Score
from satisfaction.tests.factories import ContractManagerFactory, FeedbackEventFactory, FeedbackFactory

pytestmark = pytest.mark.django_db

LIST = "admin:satisfaction_feedback_changelist"
TRENDS = "admin:satisfaction_feedback_trends"
EXPORT = "admin:satisfaction_feedback_export"


@pytest.fixture
def manager():
    return ContractManagerFactory(email="mila@isimedia.example", first_name="Mila", last_name="Visser")


@pytest.fixture
def manager_client(client, manager):
    return logged_in(client, manager)


def change_url(feedback) -> str:
    return reverse("admin:satisfaction_feedback_change", args=[feedback.pk])


def step_url(feedback, name: str) -> str:
    return reverse("admin:satisfaction_feedback_step", args=[feedback.pk, name])


def shown(response) -> set[int]:
    return {feedback.pk for feedback in response.context["cl"].result_list}


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def row_of(html: str, feedback) -> str:
    """The list's row of ``feedback``: the one with the checkbox of its id."""
    return next(
        row
        for row in re.findall(r"<tr>.*?</tr>", html, re.S)
        if f'name="_selected_action" value="{feedback.pk}"' in row
    )


def at(day, hour: int = 12):
    """Noon (or ``hour``) on ``day`` in Amsterdam."""
    return datetime.combine(day, time(hour), tzinfo=AMSTERDAM)


def months_back(count: int, day: int = 10):
    """``day`` of the month ``count`` months before this one."""
    month = timezone.localdate(timezone=AMSTERDAM).replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
    return month.replace(day=day)


# --- the list --------------------------------------------------------------------------------------------------


def test_the_list_shows_each_score_as_a_badge_in_number_words_and_colour(manager_client):
    answers = {score: FeedbackFactory(score=score) for score in Score.values}

    response = manager_client.get(reverse(LIST))

    assert response.status_code == 200
    html = response.text
    for score, colour in [(1, "red"), (2, "red"), (3, "amber"), (4, "green"), (5, "green")]:
        badge = re.search(
            r'<span class="satisfaction-badge satisfaction-badge-(\w+)">'
            r'<span class="satisfaction-badge-score">(\d)</span> <span class="satisfaction-badge-words">([^<]+)</span>',
            row_of(html, answers[score]),
        )
        assert badge.groups() == (colour, str(score), Score(score).label)
    assert "very dissatisfied" in row_of(html, answers[1])


def test_the_list_shows_date_comment_contact_wish_and_follow_up(manager_client):
    moment = at(timezone.localdate(timezone=AMSTERDAM) - timedelta(days=3), hour=23)
    wish = FeedbackFactory(
        unhappy=True, contact=True, name="Sanne de Vries", email="sanne@voorbeeld.example", submitted_at=moment
    )
    named = FeedbackFactory(name="Piet", email="piet@voorbeeld.example", comment="Lang" * 100)
    contacted = FeedbackFactory(follow_up=FollowUp.CONTACTED)

    html = manager_client.get(reverse(LIST)).text

    row = row_of(html, wish)
    # The date in Amsterdam: 23:00 there is 21:00 or 22:00 UTC.
    assert "23:00" in row
    assert "De website lag twee dagen plat." in row
    assert 'class="satisfaction-contact-wish">yes<' in row
    assert "Sanne de Vries" in row and "sanne@voorbeeld.example" in row
    assert "satisfaction-follow-up-new" in row and "needs attention" in row
    # A name and address without a contact wish are shown, but as no wish.
    named_row = row_of(html, named)
    assert "piet@voorbeeld.example" in named_row and "satisfaction-contact-wish" not in named_row
    # A long comment is cut short in the list, the whole of it in the tooltip.
    assert ">" + "Lang" * 29 + "Lan…</span>" in named_row and 'title="' + "Lang" * 100 + '"' in named_row
    assert "satisfaction-follow-up-contacted" in row_of(html, contacted)
    assert "needs attention" not in row_of(html, contacted)


def test_the_list_filters_by_score_follow_up_and_attention(manager_client):
    unhappy = FeedbackFactory(score=Score.VERY_DISSATISFIED)
    low_closed = FeedbackFactory(score=Score.DISSATISFIED, follow_up=FollowUp.CLOSED)
    wish = FeedbackFactory(contact=True, follow_up=FollowUp.CONTACTED)
    happy = FeedbackFactory(score=Score.VERY_SATISFIED)
    neutral = FeedbackFactory(score=Score.NEUTRAL)

    def found(**params):
        return shown(manager_client.get(reverse(LIST), params))

    assert found() == {unhappy.pk, low_closed.pk, wish.pk, happy.pk, neutral.pk}
    assert found(score__exact=1) == {unhappy.pk}
    assert found(score__exact=5) == {happy.pk}
    assert found(follow_up__exact=FollowUp.CLOSED) == {low_closed.pk}
    assert found(follow_up__exact=FollowUp.CONTACTED) == {wish.pk}
    assert found(attention="yes") == {unhappy.pk, low_closed.pk, wish.pk}
    assert found(attention="open") == {unhappy.pk, wish.pk}
    assert found(attention="open", score__exact=1) == {unhappy.pk}
    assert manager_client.get(reverse(LIST), {"_facets": "True"}).status_code == 200


def test_the_list_filters_by_period_in_amsterdam_days(manager_client):
    today = timezone.localdate(timezone=AMSTERDAM)
    quarter_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    year_start = today.replace(month=1, day=1)
    twelve_months_start = months_back(11, day=1)
    moments = {
        "now": timezone.now() - timedelta(minutes=5),
        "29 days ago": at(today - timedelta(days=29), hour=0),
        "31 days ago": at(today - timedelta(days=30), hour=0) - timedelta(minutes=1),
        "quarter start": at(quarter_start, hour=0),
        "before the quarter": at(quarter_start, hour=0) - timedelta(seconds=1),
        "year start": at(year_start, hour=0),
        "before the year": at(year_start, hour=0) - timedelta(seconds=1),
        "twelve months start": at(twelve_months_start, hour=0),
        "before twelve months": at(twelve_months_start, hour=0) - timedelta(seconds=1),
        "two years ago": at(today - timedelta(days=730)),
    }
    answers = {name: FeedbackFactory(submitted_at=moment).pk for name, moment in moments.items()}

    def expected(start):
        return {answers[name] for name, moment in moments.items() if moment >= at(start, hour=0)}

    def found(period):
        return shown(manager_client.get(reverse(LIST), {"period": period}))

    assert found("30d") == expected(today - timedelta(days=29))
    assert answers["29 days ago"] in found("30d") and answers["31 days ago"] not in found("30d")
    assert found("quarter") == expected(quarter_start)
    assert answers["before the quarter"] not in found("quarter")
    assert found("year") == expected(year_start)
    assert answers["before the year"] not in found("year")
    assert found("12m") == expected(twelve_months_start)
    assert answers["before twelve months"] not in found("12m")
    assert len(shown(manager_client.get(reverse(LIST)))) == len(moments)
    # The admin's date drill-down on the date of submission.
    this_year = manager_client.get(reverse(LIST), {"submitted_at__year": today.year})
    assert answers["two years ago"] not in shown(this_year) and answers["now"] in shown(this_year)


def test_the_list_finds_feedback_by_comment_name_or_email(manager_client):
    sanne = FeedbackFactory(contact=True, name="Sanne de Vries", email="sanne@voorbeeld.example", comment="")
    slow = FeedbackFactory(comment="De helpdesk reageerde traag.")
    FeedbackFactory(comment="Prima.")

    def found(query):
        return shown(manager_client.get(reverse(LIST), {"q": query}))

    assert found("helpdesk") == {slow.pk}
    assert found("de vries") == {sanne.pk}
    assert found("SANNE@voorbeeld") == {sanne.pk}


def test_the_list_costs_a_bounded_number_of_queries(manager_client, django_assert_max_num_queries):
    def make(count):
        for index in range(count):
            FeedbackFactory(score=index % 5 + 1, contact=index % 2 == 0, follow_up=FollowUp.values[index % 3])

    make(3)
    manager_client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as three:
        assert manager_client.get(reverse(LIST)).status_code == 200
    make(27)
    with django_assert_max_num_queries(len(three)):
        response = manager_client.get(reverse(LIST))
    assert len(shown(response)) == 30


def test_staff_cannot_add_edit_or_delete_feedback(manager_client, client):
    feedback = FeedbackFactory(comment="Origineel.")

    assert manager_client.get(reverse("admin:satisfaction_feedback_add")).status_code == 403
    page = manager_client.get(change_url(feedback))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert manager_client.post(change_url(feedback), {"comment": "Anders."}).status_code == 403
    assert manager_client.get(reverse("admin:satisfaction_feedback_delete", args=[feedback.pk])).status_code == 403
    assert "delete_selected" not in manager_client.get(reverse(LIST)).text
    feedback.refresh_from_db()
    assert feedback.comment == "Origineel."

    # A superuser may remove an answer (spam, for one).
    superuser = StaffUserFactory(is_superuser=True)
    admin_client = logged_in(client, superuser)
    assert admin_client.get(reverse("admin:satisfaction_feedback_add")).status_code == 403
    admin_client.post(reverse("admin:satisfaction_feedback_delete", args=[feedback.pk]), {"post": "yes"})
    assert not Feedback.objects.filter(pk=feedback.pk).exists()


# --- the CSV export --------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_selected_feedback_is_exported_as_csv(manager_client):
    sneaky = FeedbackFactory(
        score=Score.DISSATISFIED,
        comment='=HYPERLINK("http://kwaad.example","klik")',
        name="@Sanne",
        email="sanne@voorbeeld.example",
        wants_contact=True,
        submitted_at=at(timezone.localdate(timezone=AMSTERDAM) - timedelta(days=2), hour=9),
    )
    FeedbackFactory(comment="Niet gekozen.")

    response = manager_client.post(reverse(LIST), {"action": "export_csv", "_selected_action": [sneaky.pk], "index": 0})

    rows = read_csv(response)
    assert rows[0][:3] == ["submitted", "score", "score in words"]
    assert "what we should do better" in rows[0] and "e-mail address" in rows[0]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["score"] == "2" and row["score in words"] == "dissatisfied"
    assert row["submitted"].startswith(sneaky.submitted_at.astimezone(AMSTERDAM).strftime("%Y-%m-%dT09:00"))
    # What a visitor typed never becomes a formula in a spreadsheet.
    assert row["what we should do better"] == '\'=HYPERLINK("http://kwaad.example","klik")'
    assert row["name"] == "'@Sanne"
    assert row["e-mail address"] == "sanne@voorbeeld.example"


def test_the_export_link_exports_everything_the_list_shows(manager_client):
    low = [FeedbackFactory(score=Score.VERY_DISSATISFIED, comment=f"Slecht {n}.") for n in range(3)]
    FeedbackFactory(score=Score.VERY_SATISFIED, comment="Top.")

    page = manager_client.get(reverse(LIST), {"score__exact": 1})
    link = re.search(r'href="([^"]*/export/[^"]*)"', page.text).group(1).replace("&amp;", "&")
    assert "score__exact=1" in link
    rows = read_csv(manager_client.get(link))

    assert sorted(row[3] for row in rows[1:]) == sorted(feedback.comment for feedback in low)
    assert len(read_csv(manager_client.get(reverse(EXPORT)))) == 1 + 4


# --- the feedback page -----------------------------------------------------------------------------------------


def test_the_feedback_page_shows_the_answer_its_history_and_the_steps_that_apply(manager_client, manager):
    feedback = FeedbackFactory(unhappy=True, contact=True, name="Sanne de Vries", email="sanne@voorbeeld.example")
    FeedbackEventFactory(feedback=feedback, user=manager, note="Voicemail ingesproken.")

    page = manager_client.get(change_url(feedback)).text

    assert "De website lag twee dagen plat." in page
    assert "Sanne de Vries" in page
    assert 'href="mailto:sanne@voorbeeld.example?subject=' in page
    assert "satisfaction-badge-red" in page
    # The history: when, who, from → to, note.
    assert "Voicemail ingesproken." in page and "Mila Visser" in page and "new → contacted" in page
    # From "new": contacted or closed, and a note; each a form posting to its own step.
    for name in ["contact", "close", "note"]:
        assert f'action="{step_url(feedback, name)}"' in page
    assert step_url(feedback, "reopen") not in page


def test_no_mail_link_without_a_contact_wish(manager_client):
    feedback = FeedbackFactory(name="Piet", email="piet@voorbeeld.example", wants_contact=False)
    page = manager_client.get(change_url(feedback)).text
    assert "piet@voorbeeld.example" in page and "mailto:" not in page


def test_each_follow_up_step_changes_the_state_and_records_who_and_why(manager_client, manager):
    feedback = FeedbackFactory(unhappy=True)

    def take(name, note=""):
        response = manager_client.post(step_url(feedback, name), {"note": note}, follow=True)
        assert response.status_code == 200
        feedback.refresh_from_db()
        return response

    response = take("contact", "Gebeld; de storing is verholpen.")
    assert feedback.follow_up == FollowUp.CONTACTED
    assert messages_of(response) == [("success", "“Mark as contacted” done: the follow-up is now contacted.")]
    assert "Gebeld; de storing is verholpen." in response.text

    take("close")
    assert feedback.follow_up == FollowUp.CLOSED
    take("reopen", "Klant belde opnieuw.")
    assert feedback.follow_up == FollowUp.NEW
    take("close", "Geen actie nodig.")
    assert feedback.follow_up == FollowUp.CLOSED

    events = list(feedback.events.order_by("at", "pk").values_list("from_state", "to_state", "user", "note"))
    assert events == [
        ("new", "contacted", manager.pk, "Gebeld; de storing is verholpen."),
        ("contacted", "closed", manager.pk, ""),
        ("closed", "new", manager.pk, "Klant belde opnieuw."),
        ("new", "closed", manager.pk, "Geen actie nodig."),
    ]


def test_a_note_is_added_without_changing_the_state(manager_client, manager):
    feedback = FeedbackFactory(contact=True)

    response = manager_client.post(step_url(feedback, "note"), {"note": "Niet opgenomen, morgen opnieuw."}, follow=True)

    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.NEW
    event = feedback.events.get()
    assert (event.user, event.note, event.from_state, event.to_state) == (
        manager,
        "Niet opgenomen, morgen opnieuw.",
        "",
        "",
    )
    assert messages_of(response) == [("success", "Your note was added to the follow-up history.")]
    assert "Niet opgenomen, morgen opnieuw." in response.text


def test_errors_are_shown_at_the_field_and_what_was_typed_stays(manager_client):
    feedback = FeedbackFactory()

    empty = manager_client.post(step_url(feedback, "note"), {"note": "  "})
    assert empty.status_code == 200
    assert re.search(r'class="form-row errors field-note"', empty.text)
    assert "This field is required." in empty.text or "Write the note." in empty.text

    long_note = "Heel lang verhaal. " * (services.MAX_NOTE // 10)
    too_long = manager_client.post(step_url(feedback, "contact"), {"note": long_note})
    assert too_long.status_code == 200
    assert 'class="form-row errors field-note"' in too_long.text
    assert long_note.strip() in too_long.text
    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.NEW and not feedback.events.exists()


def test_a_step_that_no_longer_applies_is_refused_with_a_message(manager_client):
    feedback = FeedbackFactory(follow_up=FollowUp.CLOSED)

    response = manager_client.post(step_url(feedback, "contact"), {"note": "Te laat."}, follow=True)

    assert messages_of(response) == [("error", "This feedback is closed: “Mark as contacted” is not possible now.")]
    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.CLOSED and not feedback.events.exists()
    assert manager_client.post(step_url(feedback, "nonsense")).status_code == 404


def test_anonymised_feedback_takes_no_more_notes(manager_client):
    feedback = FeedbackFactory(anonymous=True, anonymised_at=timezone.now())

    page = manager_client.get(change_url(feedback)).text
    assert step_url(feedback, "note") not in page
    assert 'id="id_close_note"' not in page and f'action="{step_url(feedback, "close")}"' in page

    manager_client.post(step_url(feedback, "close"), {"note": "Toch een notitie."})
    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.CLOSED and feedback.events.get().note == ""


# --- trends ----------------------------------------------------------------------------------------------------


def table_rows(html: str, table_id: str) -> list[tuple[str, ...]]:
    """The rows of one table on the trends page: the header cell's text and each number."""
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(tuple(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells))
    return rows


def test_the_trends_page_shows_the_known_figures_in_charts_and_tables(manager_client):
    # A month ago: 5, 4, 4, 2 (CSAT 75%); three months ago: 5, 3, 1 (CSAT 33.3%); nothing in the other months.
    recent, earlier = months_back(1), months_back(3)
    for score in (5, 4, 4, 2):
        FeedbackFactory(score=score, submitted_at=at(recent))
    for score in (5, 3, 1):
        FeedbackFactory(score=score, submitted_at=at(earlier))
    # Too old for the last twelve months.
    FeedbackFactory(score=1, submitted_at=at(months_back(13)))

    response = manager_client.get(reverse(TRENDS))

    assert response.status_code == 200
    html = response.text
    charts = re.findall(r'<svg [^>]*class="satisfaction-chart [^"]*" role="img"', html)
    assert len(charts) == 2
    for chart in re.findall(r'<svg [^>]*class="satisfaction-chart .*?</svg>', html, re.S):
        assert "<script" not in chart and " on" not in re.sub(
            r"<title.*?</title>|<desc.*?</desc>|<text.*?</text>", "", chart
        )
    months = table_rows(html, "csat-table")
    assert months[0] == ("month", "answers", "satisfied (4 or 5)", "CSAT")
    body = {row[0]: row[1:] for row in months[1:-1]}
    assert len(body) == 12
    assert body[recent.strftime("%B %Y")] == ("4", "3", "75.0%")
    assert body[earlier.strftime("%B %Y")] == ("3", "1", "33.3%")
    assert body[months_back(2).strftime("%B %Y")] == ("0", "0", "-")
    assert months[-1] == ("last 12 months", "7", "4", "57.1%")

    scores = table_rows(html, "distribution-table")
    assert scores[1:6] == [
        ("1 very dissatisfied", "1", "14.3%"),
        ("2 dissatisfied", "1", "14.3%"),
        ("3 neutral", "1", "14.3%"),
        ("4 satisfied", "2", "28.6%"),
        ("5 very satisfied", "2", "28.6%"),
    ]
    assert scores[-1] == ("total", "7", "100%")


def test_the_trends_page_shows_the_scores_of_a_chosen_period(manager_client):
    recent, earlier = months_back(1), months_back(3)
    for score in (5, 4, 4, 2):
        FeedbackFactory(score=score, submitted_at=at(recent))
    FeedbackFactory(score=1, submitted_at=at(earlier))

    response = manager_client.get(reverse(TRENDS), {"start": recent.isoformat(), "end": recent.isoformat()})

    scores = table_rows(response.text, "distribution-table")
    assert [row[1] for row in scores[1:6]] == ["0", "1", "0", "2", "1"]
    assert scores[-1] == ("total", "4", "100%")
    # The monthly chart keeps its twelve months.
    assert table_rows(response.text, "csat-table")[-1][1] == "5"
    assert 'value="' + recent.isoformat() + '"' in response.text

    wrong = manager_client.get(reverse(TRENDS), {"start": recent.isoformat(), "end": earlier.isoformat()})
    assert wrong.status_code == 200
    assert "The end of the period is before its start." in wrong.text
    assert 'id="distribution-table"' not in wrong.text


def test_the_trends_page_is_linked_from_the_list(manager_client):
    assert reverse(TRENDS) in manager_client.get(reverse(LIST)).text


# --- who may see what ------------------------------------------------------------------------------------------


def test_contract_managers_find_the_app_in_the_admin(manager_client):
    index = manager_client.get(reverse("admin:index")).text
    assert "Customer satisfaction" in index and reverse(LIST) in index
    assert manager_client.get(reverse(TRENDS)).status_code == 200


@pytest.mark.parametrize("group", [roles.NTD_HANDLERS, roles.PRIVACY_OFFICERS])
def test_other_staff_get_no_feedback(client, group):
    feedback = FeedbackFactory(contact=True)
    logged_in(client, staff_in(group))

    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse(TRENDS)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403
    assert client.get(change_url(feedback)).status_code == 403
    assert client.post(step_url(feedback, "close"), {"note": "Nee."}).status_code == 403
    assert client.post(step_url(feedback, "note"), {"note": "Nee."}).status_code == 403
    feedback.refresh_from_db()
    assert feedback.follow_up == FollowUp.NEW
    assert not FeedbackEvent.objects.exists()


def test_who_may_only_look_gets_no_follow_up_forms(client):
    viewer = StaffUserFactory()
    viewer.user_permissions.add(
        *Group.objects.get(name=roles.CONTRACT_MANAGERS).permissions.filter(codename="view_feedback")
    )
    feedback = FeedbackFactory()
    logged_in(client, viewer)

    page = client.get(change_url(feedback))
    assert page.status_code == 200 and step_url(feedback, "close") not in page.text
    assert client.post(step_url(feedback, "close")).status_code == 403


def test_a_far_off_period_on_the_trends_page_is_refused_next_to_the_field(manager_client):
    response = manager_client.get(reverse(TRENDS), {"start": "2026-01-01", "end": "9999-12-31"})

    assert response.status_code == 200
    assert "Choose a date between 2000 and today." in response.content.decode()
