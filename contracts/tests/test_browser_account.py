"""A client contact's first visit in a real browser: from the invitation e-mail to their account page."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services
from isimedia.models import OutboxMessage

from .factories import ClientFactory, StaffUserFactory, WebsiteFactory

pytestmark = pytest.mark.browser


def test_invited_contact_activates_the_account_and_sees_the_websites(page, screenshot):
    customer = ClientFactory(name="Bakkerij De Korenschoof")
    WebsiteFactory(client=customer, host="korenschoof.nl")
    services.client_contact_invite(
        client=customer, email="jan@korenschoof.nl", name="Jan Jansen", language="nl", invited_by=StaffUserFactory()
    )
    path = re.search(r"http://testserver(/account/activeren/\S+/)", OutboxMessage.objects.get().body_text).group(1)

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activeer uw klantaccount")
    screenshot(page, "contracts-invite-accept-nl")
    page.locator("#id_new_password1").fill("Zonnebloem-Tulp-2026")
    page.locator("#id_new_password2").fill("Zonnebloem-Tulp-2026")
    page.get_by_role("button", name="Account activeren").click()

    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bakkerij De Korenschoof")
    expect(page.get_by_role("status")).to_contain_text("Welkom")
    expect(page.get_by_text("korenschoof.nl", exact=True)).to_be_visible()
    screenshot(page, "contracts-account-nl")

    # The header's log-out button (its wording is the header's business).
    page.get_by_role("button", name=re.compile("Uitloggen|Afmelden")).click()
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/account/inloggen/\?next=/account/$"))
    page.locator("#id_username").fill("jan@korenschoof.nl")
    page.locator("#id_password").fill("Zonnebloem-Tulp-2026")
    screenshot(page, "contracts-login-nl")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bakkerij De Korenschoof")
