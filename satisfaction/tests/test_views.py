"""The visitor's pages: the feedback form with its checks against bots, the thank-you page, the challenge endpoint."""

import html
import json
import re
import time

import altcha
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from isimedia.models import OutboxMessage
from satisfaction import antispam, captcha
from satisfaction.forms import CAPTCHA_ERRORS, CAPTCHA_LABEL, CAPTCHA_VERIFIED, NOT_ACCEPTED, STALE, too_fast_message
from satisfaction.models import Feedback, Score
from satisfaction.views import TOO_MANY

pytestmark = pytest.mark.django_db

FORM = reverse("satisfaction:index")
THANKS = reverse("satisfaction:thanks")
CHALLENGE = reverse("satisfaction:challenge")
GOOGLE = "https://www.google.com/search?q=ISI+Media+Den+Haag+reviews"
FACEBOOK = "https://www.facebook.com/isimedia.test/reviews"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 2000
    settings.SATISFACTION_MIN_SECONDS = 3
    settings.SATISFACTION_RATE_LIMIT = 5
    settings.SATISFACTION_GOOGLE_REVIEW_URL = GOOGLE
    settings.SATISFACTION_FACEBOOK_REVIEW_URL = FACEBOOK
    settings.STAFF_EMAIL = "support@isimedia.example"


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture(params=["nl", "en"])
def visitor(request):
    """A visitor in either language (Dutch is the default, English by the language switch)."""
    client = Client()
    if request.param == "en":
        client.cookies["django_language"] = "en"
    client.language = request.param
    return client


def in_language(language: str, text, **params) -> str:
    """What the page says in that language, whether or not it has been translated yet."""
    with translation.override(language):
        message = translation.gettext(text) if isinstance(text, str) else str(text)
        return message % {key: str(value) for key, value in params.items()} if params else message


def solved() -> str:
    """What the widget puts in the form once a person ticked its box: a fresh challenge, solved."""
    challenge = altcha.Challenge.from_dict(captcha.challenge_create())
    return altcha.Payload(challenge, altcha.solve_challenge(challenge, timeout=30)).to_base64()


def valid_data(**overrides):
    data = {
        "score": "4",
        "comment": "Snel geholpen, maar de factuur was onduidelijk & te laat.",
        "name": "Sanne de Vries",
        "email": "sanne@voorbeeld.example",
        "wants_contact": "",
        # The page was opened a minute ago.
        "started": antispam.started_token(now=time.time() - 60),
        "website": "",
        "altcha": solved(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_block(page: str, field: str) -> str:
    """The HTML of one field: its label or legend, input(s), help and errors."""
    match = re.search(
        rf'<(?:div|fieldset) [^>]*id="div_id_{field}".*?(?=<(?:div|fieldset) [^>]*id="div_id_|</form>)', page, re.S
    )
    assert match, f"no field {field}"
    return match.group(0)


def errors_of(page: str, field: str) -> list[str]:
    block = field_block(page, field)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        for text in re.findall(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:span|p)>', block, re.S)
    ]


def summary_of(page: str) -> str:
    start = page.index('id="error-summary"')
    return html.unescape(page[start : page.index("</div>", start)])


def assert_kept(page: str, data: dict) -> None:
    """What the visitor typed is back in the form, escaped."""
    assert f">\n{html.escape(data['comment'])}</textarea>" in field_block(page, "comment")
    assert f'value="{html.escape(data["name"])}"' in field_block(page, "name")
    assert f'value="{html.escape(data["email"])}"' in field_block(page, "email")
    assert re.search(rf'value="{data["score"]}"\s+checked', field_block(page, "score"))


def assert_review_links(page: str) -> None:
    reviews = page[page.index('id="reviews"') :]
    assert re.search(rf'<a href="{re.escape(html.escape(GOOGLE))}" rel="noopener" target="_blank"', reviews)
    assert re.search(rf'<a href="{re.escape(html.escape(FACEBOOK))}" rel="noopener" target="_blank"', reviews)
    # Numbered steps for each.
    assert reviews.count("<ol") >= 2


# --- the page ----------------------------------------------------------------------------------------------------


def test_the_form_asks_how_satisfied_with_five_answers_in_words(english):
    response = english.get(FORM)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in page
    scores = field_block(page, "score")
    assert scores.startswith("<fieldset")
    assert "<legend" in scores and "How satisfied are you with ISI Media?" in scores
    for number, (value, words) in enumerate(Score.choices):
        assert re.search(rf'type="radio" name="score" id="id_score_{number}" value="{value}"', scores)
        label = re.search(rf'<label [^>]*for="id_score_{number}">(.*?)</label>', scores, re.S).group(1)
        assert str(value) in label and str(words).capitalize() in label
    assert "What should we do better?" in page
    assert "Please contact me about my feedback" in page
    assert "error-summary" not in page


def test_the_form_invites_everyone_to_a_public_review_before_they_answer(english):
    page = english.get(FORM).content.decode()

    assert_review_links(page)
    assert "Write a review" in page
    assert "(opens in a new tab)" in page


def test_the_privacy_note_says_what_is_kept_and_for_how_long(english, settings):
    page = english.get(FORM).content.decode()

    note = page[page.index('id="privacy-note"') :]
    assert "After one year we delete your name, e-mail address and comment" in note
    assert "We give nothing to other parties" in note
    assert f'href="{reverse("privacy:index")}"' in note

    settings.SATISFACTION_RETENTION_DAYS = 730
    assert "After 2 years" in english.get(FORM).content.decode()


def test_the_captcha_is_served_by_the_portal_without_inline_scripts(english):
    page = english.get(FORM).content.decode()

    widget = re.search(r"<altcha-widget [^>]*>", page).group(0)
    assert f'challenge="{CHALLENGE}"' in widget
    assert 'name="altcha"' in widget
    assert 'language="en"' in widget
    configuration = json.loads(html.unescape(re.search(r'configuration="([^"]*)"', widget).group(1)))
    assert configuration["auto"] == "off"
    assert configuration["humanInteractionSignature"] is False
    assert "verifyUrl" not in configuration
    assert '<script type="module" src="/static/vendor/altcha/altcha.min.js"></script>' in page
    # Every script is a file of our own, or data.
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "https://" not in "".join(re.findall(r"<(?:script|link)\b[^>]*>", page))
    # The widget's words, in the page's language.
    strings = json.loads(re.search(r'<script id="captcha-strings"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert strings["label"] == "I am not a robot"
    assert strings["verified"] == "Verified"


def test_without_javascript_the_page_offers_email_instead(english):
    page = english.get(FORM).content.decode()

    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.S).group(1)
    assert "needs JavaScript" in noscript
    assert '<a href="mailto:support@isimedia.example">support@isimedia.example</a>' in noscript


def test_the_page_is_dutch_by_default():
    page = Client().get(FORM).content.decode()

    assert '<html lang="nl">' in page
    assert 'language="nl"' in page
    strings = json.loads(re.search(r'<script id="captcha-strings"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert strings["label"] == in_language("nl", CAPTCHA_LABEL)
    assert in_language("nl", "How satisfied are you with ISI Media?") in page


def test_the_honeypot_is_hidden_from_people(english):
    page = english.get(FORM).content.decode()

    trap = re.search(r'<div class="satisfaction-hp" aria-hidden="true">(.*?)</div>', page, re.S).group(1)
    field = re.search(r'<input [^>]*name="website"[^>]*>', trap).group(0)
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


# --- a good answer -----------------------------------------------------------------------------------------------


def test_a_valid_answer_is_stored_once_and_leads_to_the_thank_you_page(english):
    data = valid_data()

    response = english.post(FORM, data)

    assert response.status_code == 302
    assert response.url == THANKS
    feedback = Feedback.objects.get()
    assert feedback.score == 4
    assert feedback.comment == data["comment"]
    assert feedback.name == "Sanne de Vries"
    assert feedback.email == "sanne@voorbeeld.example"
    assert feedback.wants_contact is False
    assert feedback.language == "en"
    # A satisfied answer without a contact wish alerts nobody.
    assert OutboxMessage.objects.count() == 0

    page = english.get(THANKS).content.decode()
    assert "Thank you for your feedback" in page
    assert "You asked us to contact you" not in page
    assert_review_links(page)

    # The same payload again (a double click, a replay) stores nothing.
    again = english.post(FORM, data)
    assert again.status_code == 200
    assert Feedback.objects.count() == 1


def test_an_anonymous_answer_in_dutch_needs_only_the_score():
    client = Client()

    response = client.post(
        FORM, valid_data(score="5", comment="", name="", email="", started=antispam.started_token(now=time.time() - 5))
    )

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment, feedback.name, feedback.email) == (5, "", "", "")
    assert feedback.language == "nl"


def test_a_low_score_with_a_contact_wish_alerts_the_staff_and_the_thank_you_page_says_so(english, settings):
    settings.SATISFACTION_ALERT_EMAIL = "klantcontact@isimedia.example"

    response = english.post(FORM, valid_data(score="1", wants_contact="on"))

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.wants_contact is True
    assert OutboxMessage.objects.get().to == "klantcontact@isimedia.example"
    page = english.get(THANKS).content.decode()
    assert "You asked us to contact you" in page
    # Said once: a reload does not repeat it.
    assert "You asked us to contact you" not in english.get(THANKS).content.decode()


@pytest.mark.parametrize("score", ["1", "5"])
def test_every_score_sees_the_review_links_before_and_after(english, score):
    assert_review_links(english.get(FORM).content.decode())

    response = english.post(FORM, valid_data(score=score), follow=True)

    assert response.redirect_chain == [(THANKS, 302)]
    assert_review_links(response.content.decode())


# --- what the visitor gets wrong ---------------------------------------------------------------------------------


def test_a_contact_wish_without_an_email_address_is_marked_at_the_email_field(visitor):
    data = valid_data(email="", wants_contact="on")

    response = visitor.post(FORM, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert Feedback.objects.count() == 0
    expected = in_language(visitor.language, "Give your e-mail address, so we can contact you.")
    assert errors_of(page, "email") == [expected]
    assert f'href="#id_email">{html.escape(expected)}</a>' in page
    assert f">\n{html.escape(data['comment'])}</textarea>" in page
    assert re.search(r'name="wants_contact"[^>]*checked', page)


def test_no_score_is_marked_at_the_score(english):
    page = english.post(FORM, valid_data(score="")).content.decode()

    assert errors_of(page, "score") == [
        "Choose how satisfied you are, from 1 (very dissatisfied) to 5 (very satisfied)."
    ]
    assert 'href="#id_score_0"' in summary_of(page)
    assert Feedback.objects.count() == 0


# --- the checks against bots -------------------------------------------------------------------------------------


def expired_payload(settings) -> str:
    old = captcha.challenge_create(now=time.time() - settings.SATISFACTION_CAPTCHA_EXPIRES_SECONDS - 5)
    challenge = altcha.Challenge.from_dict(old)
    return altcha.Payload(challenge, altcha.solve_challenge(challenge, timeout=30)).to_base64()


def wrong_payload(settings) -> str:
    challenge = altcha.Challenge.from_dict(captcha.challenge_create())
    solution = altcha.solve_challenge(challenge, timeout=30)
    solution.counter += 1
    return altcha.Payload(challenge, solution).to_base64()


def used_payload(settings) -> str:
    payload = solved()
    assert captcha.payload_verify(payload) is None
    return payload


@pytest.mark.parametrize(
    ("make_payload", "failure"),
    [
        (lambda settings: "", captcha.Failure.MISSING),
        (wrong_payload, captcha.Failure.INVALID),
        (expired_payload, captcha.Failure.EXPIRED),
        (used_payload, captcha.Failure.USED),
    ],
    ids=["missing", "wrong", "expired", "reused"],
)
def test_a_failed_captcha_stores_nothing_and_keeps_what_was_typed(visitor, settings, make_payload, failure):
    data = valid_data(altcha=make_payload(settings))

    response = visitor.post(FORM, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert Feedback.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    language = visitor.language
    expected = in_language(
        language, CAPTCHA_ERRORS[failure], label=in_language(language, CAPTCHA_LABEL), verified=CAPTCHA_VERIFIED
    )
    assert errors_of(page, "altcha") == [expected]
    assert f'<a class="alert-link fw-normal" href="#captcha">{html.escape(expected)}</a>' in page
    assert f'<html lang="{language}">' in page
    assert_kept(page, data)
    # A new check: the widget fetches a fresh challenge when the box is ticked again.
    assert f'challenge="{CHALLENGE}"' in page


def test_the_captcha_messages_in_english(english, settings):
    cases = {
        "": "Tick the box “I am not a robot” and wait until it says “Verified”.",
        wrong_payload(settings): "The check against spam did not succeed. Tick the box again.",
        expired_payload(settings): "The check against spam has expired. Tick the box again.",
        used_payload(settings): "This check against spam was used before. Tick the box again.",
    }
    for payload, message in cases.items():
        page = english.post(FORM, valid_data(altcha=payload)).content.decode()
        assert errors_of(page, "altcha") == [message]
    assert Feedback.objects.count() == 0


def test_a_filled_honeypot_stores_nothing_and_says_so_plainly(visitor):
    data = valid_data(website="https://spam.example")

    response = visitor.post(FORM, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert Feedback.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    expected = in_language(visitor.language, NOT_ACCEPTED, email="support@isimedia.example")
    assert expected in summary_of(page)
    assert_kept(page, data)
    # The trap is empty again.
    assert not re.search(r'name="website"[^>]*value="[^"]', page)


def test_the_honeypot_message_in_english(english):
    page = english.post(FORM, valid_data(website="x")).content.decode()

    assert (
        "We could not accept your feedback. Please send the form again, or e-mail your feedback to "
        "support@isimedia.example." in summary_of(page)
    )


def test_an_answer_sent_too_fast_stores_nothing_and_gets_a_fresh_check(visitor, settings):
    started = antispam.started_token(now=time.time() - 1)
    payload = solved()
    data = valid_data(started=started, altcha=payload)

    response = visitor.post(FORM, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert Feedback.objects.count() == 0
    expected = in_language(visitor.language, too_fast_message(3))
    assert expected in summary_of(page)
    assert_kept(page, data)
    # The page counts again from now, and the widget starts over.
    fresh = re.search(r'<input type="hidden" name="started" value="([^"]+)">', page).group(1)
    assert fresh != started
    assert 0 <= antispam.seconds_since_start(fresh) < 5
    assert payload not in page


def test_the_too_fast_message_in_english(english, settings):
    settings.SATISFACTION_MIN_SECONDS = 10
    page = english.post(FORM, valid_data(started=antispam.started_token(now=time.time() - 4))).content.decode()

    assert "You sent the form within 10 seconds of opening the page" in summary_of(page)
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("started", ["", "1700000000", "forged:token"])
def test_a_missing_or_forged_start_stores_nothing(english, started):
    page = english.post(FORM, valid_data(started=started)).content.decode()

    assert in_language("en", STALE) in summary_of(page)
    assert Feedback.objects.count() == 0


def test_too_many_answers_from_one_address_are_refused(visitor, settings):
    settings.SATISFACTION_RATE_LIMIT = 2
    for score in ("4", "5"):
        assert visitor.post(FORM, valid_data(score=score)).status_code == 302
    data = valid_data(score="2", name="Derde Poging")

    response = visitor.post(FORM, data)

    page = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert in_language(visitor.language, TOO_MANY, email="support@isimedia.example") in summary_of(page)
    assert_kept(page, data)
    assert Feedback.objects.count() == 2
    assert OutboxMessage.objects.count() == 0
    # Another address is not affected.
    assert visitor.post(FORM, valid_data(), REMOTE_ADDR="192.0.2.7").status_code == 302


def test_the_rate_limit_message_in_english(english, settings):
    settings.SATISFACTION_RATE_LIMIT = 0

    response = english.post(FORM, valid_data())

    assert response.status_code == 429
    assert "We received too many answers from your internet address recently." in summary_of(response.content.decode())
    assert Feedback.objects.count() == 0


def test_mistakes_do_not_count_towards_the_rate_limit(english, settings):
    settings.SATISFACTION_RATE_LIMIT = 1
    for _attempt in range(3):
        assert english.post(FORM, valid_data(altcha="")).status_code == 200

    assert english.post(FORM, valid_data()).status_code == 302


# --- the challenge -----------------------------------------------------------------------------------------------


def test_the_challenge_endpoint_gives_a_fresh_uncached_challenge_the_form_accepts_once(english):
    first = english.get(CHALLENGE)
    second = english.get(CHALLENGE)

    assert first.status_code == 200
    assert first["Content-Type"] == "application/json"
    assert "no-store" in first["Cache-Control"]
    challenge = first.json()
    assert challenge["parameters"]["nonce"] != second.json()["parameters"]["nonce"]
    assert english.post(CHALLENGE).status_code == 405

    parsed = altcha.Challenge.from_dict(challenge)
    payload = altcha.Payload(parsed, altcha.solve_challenge(parsed, timeout=30)).to_base64()
    assert english.post(FORM, valid_data(altcha=payload)).status_code == 302
    assert english.post(FORM, valid_data(altcha=payload)).status_code == 200
    assert Feedback.objects.count() == 1
