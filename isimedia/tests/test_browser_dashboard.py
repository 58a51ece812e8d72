"""The staff dashboard in a real browser, with the demo data of `make run`: each role signs in and sees its own start
page, in Dutch and in English; the superuser's also in the dark theme. Screenshots are kept as test artefacts."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from isimedia.demo import STAFF
from isimedia.tests.browser import PHONE_VIEWPORT
from isimedia.tests.staff import admin_login

pytestmark = pytest.mark.browser

ADMIN = "/" + settings.ADMIN_URL
# Demo login -> the name of its screenshots, and the cards and charts its start page shows.
ROLES = {
    "beheer@demo.isimedia.nl": ("superuser", ["ntd", "privacy", "breaches", "emails"], 4),
    "ntd@demo.isimedia.nl": ("ntd", ["ntd", "emails"], 2),
    "privacy@demo.isimedia.nl": ("privacy", ["privacy", "breaches", "emails"], 1),
    "contracten@demo.isimedia.nl": ("contracts", ["emails"], 1),
}
PASSWORDS = {login.email: login.password for login in STAFF}


@pytest.mark.parametrize("email", list(ROLES), ids=[name for name, _cards, _charts in ROLES.values()])
def test_each_role_opens_its_dashboard_in_dutch_and_english(new_page, screenshot, live_server, email):
    call_command("seed_demo", stdout=io.StringIO())
    name, cards, chart_count = ROLES[email]
    page = new_page(locale="nl-NL")
    admin_login(page, email, PASSWORDS[email], path=ADMIN)

    for language in ("nl", "en"):
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.goto(ADMIN)
        expect(page.locator("html")).to_have_attribute("lang", language)
        for card in cards:
            expect(page.locator(f"#dashboard-{card}")).to_be_visible()
        expect(page.locator(".dashboard-trend")).to_have_count(chart_count)
        expect(page.locator('.dashboard-trend svg[role="img"]')).to_have_count(chart_count)
        # The app list stays on the start page, below the dashboard.
        expect(page.locator("#content-main .app-isimedia")).to_be_visible()
        screenshot(page, f"dashboard-{name}-{language}")

    if name == "superuser":
        page.emulate_media(color_scheme="dark")
        page.goto(ADMIN)
        screenshot(page, "dashboard-superuser-en-dark")
        # On a phone the cards and tables take the whole width; a chart scrolls sideways inside its card.
        page.emulate_media(color_scheme="light")
        page.set_viewport_size(PHONE_VIEWPORT)
        page.goto(ADMIN)
        expect(page.locator("#dashboard-ntd")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
        screenshot(page, "dashboard-superuser-en-phone")
