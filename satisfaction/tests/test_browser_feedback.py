"""A visitor gives feedback in a real browser, solving the ALTCHA as a person does; staff see it in the admin."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from contracts.tests.factories import PASSWORD
from isimedia.tests.browser import PHONE_VIEWPORT
from isimedia.tests.staff import admin_login
from satisfaction.forms import CAPTCHA_LABEL, CAPTCHA_VERIFIED
from satisfaction.models import Feedback
from satisfaction.tests.factories import ContractManagerFactory

pytestmark = pytest.mark.browser

FORM = "/tevredenheid/"
GOOGLE = "https://www.google.com/search?q=ISI+Media+Den+Haag+reviews"
FACEBOOK = "https://www.facebook.com/isimedia.test/reviews"


@pytest.fixture(autouse=True)
def _quick(settings):
    # The live server reads these per request: a puzzle the browser solves at once, and a short minimum time.
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 5000
    settings.SATISFACTION_MIN_SECONDS = 1
    settings.SATISFACTION_GOOGLE_REVIEW_URL = GOOGLE
    settings.SATISFACTION_FACEBOOK_REVIEW_URL = FACEBOOK


def in_language(language: str, text) -> str:
    """What the page says in that language, whether or not it has been translated yet."""
    with translation.override(language):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def expect_review_links(page) -> None:
    google = page.locator("#google-review-link")
    facebook = page.locator("#facebook-review-link")
    for link, url in ((google, GOOGLE), (facebook, FACEBOOK)):
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", url)
        expect(link).to_have_attribute("rel", "noopener")


def solve_captcha(page, language: str) -> None:
    """Tick the widget's box, as a person does, and wait until it says it is verified."""
    widget = page.locator("altcha-widget")
    widget.get_by_role("checkbox", name=in_language(language, CAPTCHA_LABEL)).click()
    expect(widget.get_by_text(in_language(language, CAPTCHA_VERIFIED), exact=True)).to_be_visible(timeout=20_000)
    expect(page.locator('form.satisfaction-form input[name="altcha"]')).not_to_have_value("")


def log_in(page, user):
    admin_login(page, user.email, PASSWORD, path="/" + settings.ADMIN_URL)
    expect(page.locator("#site-name")).to_be_visible()


def test_a_visitor_gives_feedback_and_a_contract_manager_sees_it_in_the_admin(page, new_page, screenshot):
    page.goto(FORM)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    # Everyone is invited to a public review, before they answer.
    expect_review_links(page)
    screenshot(page, "satisfaction-form-nl")

    scores = page.get_by_role("group", name=in_language("nl", "How satisfied are you with ISI Media?"))
    expect(scores.get_by_role("radio")).to_have_count(5)
    two = scores.get_by_role("radio", name=re.compile(r"^2\b"))
    # The radio is drawn as a button: a person clicks that, its label.
    scores.locator(f'label[for="{two.get_attribute("id")}"]').click()
    expect(two).to_be_checked()
    page.locator("#id_comment").press_sequentially("De website was twee dagen traag; graag sneller reageren.")
    solve_captcha(page, "nl")
    # The widget speaks the portal's words, not its own English.
    expect(page.locator("altcha-widget")).not_to_contain_text("I'm not a robot")
    page.wait_for_timeout(1100)  # past the minimum time, as anyone who read the page is
    screenshot(page, "satisfaction-form-nl-filled")

    page.locator("form.satisfaction-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/tevredenheid/bedankt/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(in_language("nl", "Thank you for your feedback"))
    expect_review_links(page)
    screenshot(page, "satisfaction-thanks-nl")
    feedback = Feedback.objects.get()
    assert feedback.score == 2
    assert feedback.comment == "De website was twee dagen traag; graag sneller reageren."
    assert feedback.language == "nl"

    # A contract manager, who handles client relations, finds the answer in the list and in the figures.
    admin = new_page()
    log_in(admin, ContractManagerFactory())
    admin.goto(reverse("admin:satisfaction_feedback_changelist"))
    expect(admin.locator("#result_list")).to_contain_text("De website was twee dagen traag")
    screenshot(admin, "satisfaction-admin-list")
    admin.goto(reverse("admin:satisfaction_feedback_trends"))
    expect(admin.locator("#csat-table tfoot td").first).to_have_text("1")
    expect(admin.locator("#csat svg[role=img]")).to_be_visible()
    row = admin.locator("#distribution-table tbody tr").nth(1)  # score 2
    expect(row.locator("td").first).to_have_text("1")
    screenshot(admin, "satisfaction-admin-trends")


def test_errors_in_english_keep_what_was_typed(new_page, screenshot):
    page = new_page(locale="en-GB")
    page.goto(FORM)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("checkbox", name="I am not a robot")).to_be_visible()

    # No score, a contact wish without an address, and the captcha not ticked.
    page.get_by_label("What should we do better?").press_sequentially("Answer the phone sooner, please.")
    page.get_by_label("Your name").press_sequentially("Sam Jones")
    page.get_by_label("Please contact me about my feedback").check()
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send feedback").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(3)  # score, e-mail, captcha
    expect(page.locator("#id_comment")).to_have_value("Answer the phone sooner, please.")
    expect(page.locator("#id_name")).to_have_value("Sam Jones")
    expect(page.locator("#id_wants_contact")).to_be_checked()
    expect(page.locator("#id_email")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_altcha")).to_contain_text("Tick the box “I am not a robot”")
    assert Feedback.objects.count() == 0
    screenshot(page, "satisfaction-form-en-errors")

    # The summary's link leads to the field; then the visitor puts it right and sends again.
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_score_0")).to_be_focused()
    page.keyboard.press("ArrowRight")  # a radio group answers to the arrow keys
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_score_4")).to_be_checked()
    page.get_by_label("Your e-mail address").press_sequentially("sam@example.co.uk")
    solve_captcha(page, "en")
    page.wait_for_timeout(1100)
    page.get_by_role("button", name="Send feedback").click()

    expect(page).to_have_url(re.compile(r"/tevredenheid/bedankt/$"))
    expect(page.locator("#thanks")).to_contain_text("You asked us to contact you")
    screenshot(page, "satisfaction-thanks-en")
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.email, feedback.wants_contact, feedback.language) == (
        5,
        "sam@example.co.uk",
        True,
        "en",
    )


def test_the_form_on_a_phone(new_page, screenshot):
    phone = new_page(viewport=PHONE_VIEWPORT)
    phone.goto(FORM)

    expect(phone.locator("form.satisfaction-form")).to_be_visible()
    expect(phone.locator("altcha-widget input[type=checkbox]")).to_be_visible()
    expect_review_links(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(phone, "satisfaction-form-nl-phone")


def test_without_javascript_the_page_offers_email(new_page, screenshot):
    page = new_page(java_script_enabled=False)
    page.goto(FORM)

    notice = page.locator("#div_id_altcha .notice-box")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link", name=settings.STAFF_EMAIL)).to_have_attribute(
        "href", f"mailto:{settings.STAFF_EMAIL}"
    )
    expect_review_links(page)
    screenshot(page, "satisfaction-form-nl-no-javascript")
