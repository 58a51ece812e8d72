"""Every public form driven with generated input: no server error, no half-written case, errors in the page's language.

Each test posts answers that hypothesis builds from valid values, junk (control characters, NUL bytes, very long
text, numbers, dates out of range, odd e-mail addresses and URLs), missing fields and repeated fields, in Dutch and
in English. Per answer it checks: no 5xx; a page shown again has ``<html lang>`` and every error message in the
language asked for; and the database gained either the whole new object with its children, or nothing at all.
"""

import os
import re
import time

import altcha
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given, note
from hypothesis import settings as examples
from hypothesis import strategies as st

from contracts.tests.factories import WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.tests.fuzz import (
    FUZZ,
    LANGUAGES,
    assert_errors_in_language,
    assert_no_server_error,
    assert_page_language,
    counts,
    field,
    form_data,
    form_errors,
    junk_text,
    new_rows,
    nothing_new,
    translated,
    visitor,
)
from ntd.models import CustomerResponse, Evidence, Notice, NoticeEvent, NoticeUrl, State
from ntd.tests.factories import make_case
from privacy.models import DataSubjectRequest, RequesterFile, RequestEvent, RequestLink, RequestMessage
from privacy.tests.factories import AwaitingIdentityRequestFactory, make_link
from satisfaction import antispam, captcha
from satisfaction.models import Feedback, FeedbackEvent

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
# Large enough that nothing in these tests reaches it: the limits have tests of their own.
NO_LIMIT = 10**9


@pytest.fixture(autouse=True)
def _no_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NTD_FORM_RATE_LIMIT = NO_LIMIT
    settings.NTD_API_RATE_LIMIT_ANONYMOUS = NO_LIMIT
    settings.PRIVACY_FORM_RATE_LIMIT = NO_LIMIT
    settings.SATISFACTION_RATE_LIMIT = NO_LIMIT
    settings.SATISFACTION_MIN_SECONDS = 3
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 2000
    settings.SATISFACTION_CAPTCHA_HMAC_KEY = "test-captcha-key"


def files() -> st.SearchStrategy:
    """Uploads: none, or a few with odd names and contents that may or may not match their names."""
    name = st.one_of(
        st.sampled_from(["foto.png", "brief.pdf", "mail.eml", "../../etc/passwd", "x.exe", ".png", "a" * 300 + ".pdf"]),
        st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
            lambda name: os.path.basename(name) not in ("", ".", "..")
        ),
    )
    content = st.one_of(
        st.sampled_from([PNG, PDF, b"", b"MZ\x90\x00" + bytes(60), b"tekst\x00"]), st.binary(max_size=64)
    )
    upload = st.builds(lambda n, c: SimpleUploadedFile(n, c), name, content)
    return st.one_of(st.none(), st.lists(upload, min_size=1, max_size=3))


def last(value):
    """The value a view reads from a field sent once or several times (Django takes the last)."""
    return value[-1] if isinstance(value, list) else value


def received(response, name: str) -> int:
    """How many files the view received; Django's parser drops a part whose file name it cannot use."""
    return len(response.wsgi_request.FILES.getlist(name))


def must_have_said(page: str, language: str, message) -> None:
    """A known message of a required field, in the page's language (and, for Dutch, really translated)."""
    expected = translated(language, message)
    if language == "nl":
        assert expected != translated("en", message), f"no Dutch translation for {message!r}"
    assert expected in page.replace("&#x27;", "'").replace("&quot;", '"'), f"{expected!r} not on the page"


# --- the notice form (/ntd/) -----------------------------------------------------------------------------------

NOTICE_TABLES = (Notice, NoticeUrl, NoticeEvent, Evidence, OutboxMessage)

notice_answers = form_data(
    {
        "urls": field(
            "https://www.korenschoof.example/recepten/gestolen-foto\nhttps://korenschoof.example/over-ons",
            "https://korenschoof.example/a\nhttps://korenschoof.example/a",
        ),
        "category": field("intellectual_property", "illegal_speech", "other"),
        "explanation": field(
            "De foto bovenaan deze pagina heb ik in 2024 gemaakt; de site gebruikt hem zonder licentie."
        ),
        "owner_contact": field("contacted", "not_contacted", "no_details"),
        "owner_contacted_on": field("2026-01-05", "05-01-2026", "", "2999-01-01"),
        "owner_contact_how": field("E-mail aan info@korenschoof.example", ""),
        "owner_contact_result": field("Geen antwoord na twee weken.", ""),
        "complainant_name": field("Marieke Jansen"),
        "complainant_email": field("marieke@fotografie.example"),
        "complainant_phone": field("+31 70 123 4567", ""),
        "complainant_organisation": field(""),
        "capacity": field("self", "representative", "other"),
        "on_behalf_of": field("", "Stichting Beeldrecht"),
        "is_emergency": field("", "on"),
        "emergency_reason": field(""),
        "good_faith": field("on"),
        "identity_disclosure_accepted": field("on"),
        "previous_reference": field("", "NTD-2026-00001"),
    }
)


def test_the_notice_form_survives_any_answer(client):
    url = reverse("ntd:index")

    @FUZZ
    @given(language=st.sampled_from(LANGUAGES), data=notice_answers, evidence=files())
    def answer(language, data, evidence):
        if evidence:
            for upload in evidence:
                upload.seek(0)
            data = {**data, "evidence": evidence}
        before = counts(*NOTICE_TABLES)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(url, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        gained = new_rows(before, *NOTICE_TABLES)
        if response.status_code == 302:
            notice = Notice.objects.latest("id")
            assert gained["ntd.Notice"] == 1
            assert gained["ntd.NoticeUrl"] == notice.urls.count() >= 1
            assert gained["ntd.NoticeEvent"] == notice.events.count() >= 1
            assert gained["ntd.Evidence"] == notice.evidence.count() == received(response, "evidence")
            assert gained["isimedia.OutboxMessage"] >= 1
            assert notice.language == language
            return
        nothing_new(before, *NOTICE_TABLES)
        assert response.status_code == 200
        assert_page_language(response, language)
        # The hidden reference comes from the link "file again", never typed; its messages are not shown.
        assert assert_errors_in_language(response, language, ignore=("previous_reference",))
        if "complainant_name" not in data:
            must_have_said(response.content.decode(), language, "Give your name.")

    answer()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_nul_byte_in_a_web_address_is_refused_at_the_field(client, language):
    data = {
        "urls": "https://www.korenschoof.example/recepten/gestolen\x00foto",
        "category": "intellectual_property",
        "explanation": "De foto bovenaan deze pagina heb ik in 2024 gemaakt; de site gebruikt hem zonder licentie.",
        "owner_contact": "contacted",
        "owner_contacted_on": "2026-01-05",
        "owner_contact_how": "E-mail aan info@korenschoof.example",
        "owner_contact_result": "Geen antwoord na twee weken.",
        "complainant_name": "Marieke Jansen",
        "complainant_email": "marieke@fotografie.example",
        "capacity": "self",
        "good_faith": "on",
        "identity_disclosure_accepted": "on",
    }
    client.raise_request_exception = False
    before = counts(*NOTICE_TABLES)

    response = visitor(client, language).post(reverse("ntd:index"), data)

    assert_no_server_error(response)
    nothing_new(before, *NOTICE_TABLES)
    assert response.status_code == 200
    assert_page_language(response, language)
    assert assert_errors_in_language(response, language)


# --- the privacy request form (/privacy/verzoek/) ----------------------------------------------------------------

REQUEST_TABLES = (DataSubjectRequest, RequestLink, RequestEvent, RequestMessage, OutboxMessage)

request_answers = form_data(
    {
        "right": field("access", "erasure", "rectification"),
        "description": field("Welke gegevens bewaart u over mij sinds 2024?"),
        "relation": field("visitor", "client", "hosted_site"),
        "hosted_url": field("", "https://www.example.nl/team", "www.example.nl"),
        "name": field("Jan de Vries"),
        "email": field("jan@voorbeeld.example"),
    }
)


def test_the_privacy_request_form_survives_any_answer(client):
    url = reverse("privacy:request")

    @FUZZ
    @given(language=st.sampled_from(LANGUAGES), data=request_answers)
    def answer(language, data):
        before = counts(*REQUEST_TABLES)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(url, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        gained = new_rows(before, *REQUEST_TABLES)
        if response.status_code == 302:
            # A duplicate of an open request stores nothing new but mails a fresh link; a new one is stored whole.
            assert gained["privacy.DataSubjectRequest"] in (0, 1)
            assert gained["privacy.RequestLink"] == 1
            assert gained["isimedia.OutboxMessage"] >= 1
            if gained["privacy.DataSubjectRequest"]:
                request = DataSubjectRequest.objects.latest("id")
                assert request.language == language
                assert gained["privacy.RequestEvent"] == request.events.count() >= 1
            return
        nothing_new(before, *REQUEST_TABLES)
        assert response.status_code == 200
        assert_page_language(response, language)
        assert assert_errors_in_language(response, language)
        if "name" not in data:
            must_have_said(response.content.decode(), language, "Give your name.")

    answer()


# --- the privacy request's upload form (/privacy/verzoek/<token>/bestanden/) -----------------------------------


def test_the_privacy_upload_form_survives_any_answer(client):
    request = AwaitingIdentityRequestFactory()
    url = reverse("privacy:upload", kwargs={"token": make_link(request)})
    tables = (RequesterFile, RequestEvent, RequestMessage, OutboxMessage)

    @examples(FUZZ, max_examples=30)
    @given(language=st.sampled_from(LANGUAGES), text=field("Foto en BSN afgedekt.", ""), uploads=files())
    def answer(language, text, uploads):
        data = {} if text is None else {"note": text}
        if uploads:
            for upload in uploads:
                upload.seek(0)
            data["files"] = uploads
        before = counts(*tables)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(url, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        gained = new_rows(before, *tables)
        if response.status_code == 302:
            assert gained["privacy.RequesterFile"] == received(response, "files") >= 1
            return
        nothing_new(before, *tables)
        assert response.status_code == 200
        assert_page_language(response, language)
        shown = assert_errors_in_language(response, language)
        assert shown
        # The files are checked by the service only once the note is right: then their message is shown.
        if not received(response, "files") and not any(name == "note" for _form, name, _error in form_errors(response)):
            must_have_said(response.content.decode(), language, "Choose at least one file.")

    answer()


# --- the satisfaction form (/tevredenheid/) ----------------------------------------------------------------------


def solved_captcha() -> str:
    """What the widget puts in the form once a person ticked its box (as in satisfaction/tests/test_captcha.py)."""
    challenge = altcha.Challenge.from_dict(captcha.challenge_create())
    return altcha.Payload(challenge, altcha.solve_challenge(challenge, timeout=30)).to_base64()


SOLVED, OPENED_A_MINUTE_AGO = object(), object()

feedback_answers = form_data(
    {
        "score": field("4", "1", "5", "6", "0"),
        "comment": field("Snel geholpen, maar de factuur was onduidelijk & te laat.", ""),
        "name": field("Sanne de Vries", ""),
        "email": field("sanne@voorbeeld.example", ""),
        "wants_contact": field("", "on"),
        "started": st.one_of(st.just(OPENED_A_MINUTE_AGO), st.just(OPENED_A_MINUTE_AGO), junk_text(), st.none()),
        "website": st.one_of(st.just(""), st.just(""), junk_text(), st.none()),
        "altcha": st.one_of(st.just(SOLVED), st.just(SOLVED), junk_text(), st.none()),
    }
)


def test_the_satisfaction_form_survives_any_answer(client):
    url = reverse("satisfaction:index")
    tables = (Feedback, FeedbackEvent, OutboxMessage)

    @examples(FUZZ, max_examples=30)
    @given(language=st.sampled_from(LANGUAGES), data=feedback_answers)
    def answer(language, data):
        if data.get("started") is OPENED_A_MINUTE_AGO:
            data["started"] = antispam.started_token(now=time.time() - 60)
        if data.get("altcha") is SOLVED:
            data["altcha"] = solved_captcha()
        before = counts(*tables)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(url, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        gained = new_rows(before, *tables)
        if response.status_code == 302:
            assert gained["satisfaction.Feedback"] == 1
            feedback = Feedback.objects.latest("id")
            assert feedback.language == language
            assert gained["satisfaction.FeedbackEvent"] == FeedbackEvent.objects.filter(feedback=feedback).count()
            return
        nothing_new(before, *tables)
        # 400 is the answer to a bot (the honeypot was filled in): the page is shown again all the same.
        assert response.status_code in (200, 400)
        assert_page_language(response, language)
        # Messages of the fields scripts fill in are not shown: the honeypot's (a bot is told no more than
        # NOT_ACCEPTED) and the start time's (the page says STALE instead).
        assert assert_errors_in_language(response, language, ignore=(antispam.HONEYPOT_FIELD, antispam.STARTED_FIELD))

    answer()


# --- log-in and password reset (/account/) -----------------------------------------------------------------------


@pytest.fixture
def contact(django_user_model):
    return django_user_model.objects.create_user(email="contact@bakkerij.example", password="Juist-wachtwoord-42")


def test_the_login_form_survives_any_answer(client, contact):
    url = reverse("login")
    User = get_user_model()

    @FUZZ
    @given(
        language=st.sampled_from(LANGUAGES),
        data=form_data(
            {
                "username": field("contact@bakkerij.example", "CONTACT@bakkerij.example"),
                "password": field("Juist-wachtwoord-42", "verkeerd"),
            }
        ),
    )
    def answer(language, data):
        client.logout()
        before = counts(User)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(url, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        nothing_new(before, User)
        if response.status_code == 302:
            assert last(data["username"]).lower() == contact.email
            assert last(data["password"]) == "Juist-wachtwoord-42"
            return
        # A lock-out after repeated failures may answer 403 or 429; anything else shows the form again.
        if response.status_code in (403, 429):
            return
        assert response.status_code == 200
        assert_page_language(response, language)
        assert assert_errors_in_language(response, language)

    answer()


def test_the_password_reset_form_survives_any_answer(client, contact):
    url = reverse("password_reset")
    User = get_user_model()

    @FUZZ
    @given(
        language=st.sampled_from(LANGUAGES),
        data=form_data({"email": field("contact@bakkerij.example", "onbekend@bakkerij.example")}),
    )
    def answer(language, data):
        before = counts(User, OutboxMessage)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(url, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        gained = new_rows(before, User, OutboxMessage)
        assert gained[User._meta.label] == 0
        if response.status_code == 302:
            # The same answer whether or not the account exists; only an existing one gets an e-mail.
            assert gained["isimedia.OutboxMessage"] == (1 if last(data["email"]).lower() == contact.email else 0)
            return
        assert gained["isimedia.OutboxMessage"] == 0
        if response.status_code == 429:
            return
        assert response.status_code == 200
        assert_page_language(response, language)
        assert assert_errors_in_language(response, language)

    answer()


# --- the hosting client's answer (/ntd/antwoord/<token>/) -------------------------------------------------------

ANSWER_TABLES = (CustomerResponse, NoticeEvent, Evidence, OutboxMessage)


def answer_path(notice) -> str:
    """The answer link from the e-mail the client was sent when the case was forwarded."""
    message = OutboxMessage.objects.filter(template="ntd_customer_forwarded", to=notice.client.contact_email).get()
    return re.search(r"http://testserver(/ntd/antwoord/[^/\s]+/)", message.body_text).group(1)


def test_the_client_answer_form_survives_any_answer(client):
    website = WebsiteFactory(host="korenschoof.example")

    # A case per answer is made through the real procedure: fewer answers keep the test fast.
    @examples(FUZZ, max_examples=15)
    @given(
        language=st.sampled_from(LANGUAGES),
        data=form_data(
            {
                "answer": field("removed", "disagrees"),
                "removed-note": field("De foto is van de pagina gehaald.", ""),
                "disagrees-reasons": field("Wij hebben een licentie van de fotograaf.", ""),
            }
        ),
        uploads=files(),
    )
    def answer(language, data, uploads):
        # A fresh case per answer: a good answer closes the link of its case.
        OutboxMessage.objects.filter(template="ntd_customer_forwarded").delete()
        notice, _tracking = make_case("awaiting_customer", website=website)
        path = answer_path(notice)
        if uploads:
            for upload in uploads:
                upload.seek(0)
            data = {**data, "disagrees-files": uploads}
        before = counts(*ANSWER_TABLES)

        note(f"{language}: {data!r}")
        response = visitor(client, language).post(path, data)

        assert_no_server_error(response)
        event(f"status {response.status_code}")
        gained = new_rows(before, *ANSWER_TABLES)
        notice.refresh_from_db()
        if gained["ntd.CustomerResponse"]:
            assert response.status_code == 200
            assert gained["ntd.CustomerResponse"] == 1
            assert gained["ntd.NoticeEvent"] >= 1
            assert notice.state in (State.RESOLVED_BY_CUSTOMER, State.UNDER_ASSESSMENT)
            assert gained["ntd.Evidence"] == (
                received(response, "disagrees-files") if last(data["answer"]) == "disagrees" else 0
            )
            assert_page_language(response, language)
            return
        nothing_new(before, *ANSWER_TABLES)
        assert notice.state == State.AWAITING_CUSTOMER
        assert response.status_code in (200, 400)
        assert_page_language(response, language)
        if response.status_code == 200:
            assert assert_errors_in_language(response, language)

    answer()
