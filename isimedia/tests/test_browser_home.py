"""The home page in a real browser: Dutch first, the language switch, the keyboard, the phone layout."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from isimedia.tests.browser import PHONE_VIEWPORT

pytestmark = pytest.mark.browser


def test_home_is_dutch_and_switches_to_english(page, screenshot):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij het portaal van ISI Media")
    expect(page.get_by_role("button", name="Nederlands")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "false")
    screenshot(page, "home-nl")

    page.get_by_role("button", name="English").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to the ISI Media portal")
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "home-en")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Report content").click()

    expect(page).to_have_url(re.compile(r"/ntd/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report unlawful content")
    expect(page.get_by_role("link", name="Report content")).to_have_attribute("aria-current", "page")
    screenshot(page, "ntd-en")


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page):
    page.goto("/")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Naar de hoofdinhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.parametrize(
    ("card", "path", "heading"),
    [
        ("Onrechtmatige inhoud melden", "/ntd/", "Onrechtmatige inhoud melden"),
        ("Privacyverzoek indienen", "/privacy/", "Uw privacyrechten"),
        ("Uw mening geven", "/tevredenheid/", "Uw mening geven"),
    ],
)
def test_home_cards_lead_to_the_public_services(page, screenshot, card, path, heading):
    page.goto("/")

    page.get_by_role("link", name=card, exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if path == "/privacy/":
        # The rights page leads on to the request form.
        expect(page.get_by_role("main").locator('a[href="/privacy/verzoek/"]').first).to_be_visible()
    else:
        # The page also tells people where to e-mail instead.
        email_link = page.get_by_role("main").get_by_role("link", name=settings.STAFF_EMAIL, exact=True)
        expect(email_link).to_have_attribute("href", f"mailto:{settings.STAFF_EMAIL}")
    screenshot(page, f"service-{path.strip('/')}-nl")


def test_home_fits_a_phone_screen(new_page, screenshot):
    page = new_page(viewport=PHONE_VIEWPORT)
    page.goto("/")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 360px"
    screenshot(page, "home-nl-360")
