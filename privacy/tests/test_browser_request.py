"""A requester in a real browser: asks for access, confirms from the e-mail, and downloads the data package once a
privacy officer has approved it in the admin."""

import json
import re
import zipfile
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from contracts.tests.factories import PASSWORD
from isimedia.models import OutboxMessage
from isimedia.tests.browser import PHONE_VIEWPORT
from isimedia.tests.staff import admin_login
from privacy.models import DataSubjectRequest, RequesterFile, State
from privacy.tests.factories import AwaitingIdentityRequestFactory, OfficerFactory, RequestMessageFactory, make_link
from privacy.transitions import TRANSITIONS

pytestmark = pytest.mark.browser

ADMIN = "/" + settings.ADMIN_URL
PDF = b"%PDF-1.7\n% gemaskeerde kopie van een identiteitskaart\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def dutch(text) -> str:
    """What the admin says in Dutch, whether or not it has been translated yet."""
    with translation.override("nl"):
        return str(text)


def link_in(template: str, to: str, path_prefix: str) -> str:
    """The path of the secret link in the last e-mail of ``template`` to ``to`` (the live server has its own host)."""
    message = OutboxMessage.objects.filter(template=template, to=to).latest("id")
    match = re.search(rf"https?://[^\s\"<>]+{re.escape(path_prefix)}[^\s\"<>]+/", message.body_text)
    assert match, f"no {path_prefix} link in {template}: {message.body_text}"
    return urlsplit(match.group(0)).path


def log_in(page, user):
    admin_login(page, user.email, PASSWORD, path=ADMIN)
    expect(page.locator("#site-name")).to_be_visible()


def test_a_person_asks_for_access_confirms_and_downloads_the_package(new_page, screenshot):
    officer = OfficerFactory(email="functionaris@isimedia.example", first_name="Eva", last_name="Bos")
    page = new_page(locale="en-GB")

    # The landing page leads to the form.
    page.goto("/")
    page.get_by_role("link", name="Make a privacy request").first.click()
    expect(page).to_have_url(re.compile(r"/privacy/$"))
    screenshot(page, "privacy-index-en")
    page.locator("#start-request").click()
    expect(page).to_have_url(re.compile(r"/privacy/verzoek/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a privacy request")

    rights = page.get_by_role("group", name="Which right do you want to use?")
    expect(rights.get_by_role("radio")).to_have_count(7)
    rights.get_by_role("radio", name="Access", exact=True).check()
    page.get_by_label("What is your request about?").press_sequentially(
        "I filed a complaint last year and want to know which of my data you still keep."
    )
    # The website's address is asked only for the last choice.
    website = page.get_by_label("Web address of that website")
    expect(website).to_be_hidden()
    page.get_by_label("My data is on a website that ISI Media hosts for one of its clients").check()
    expect(website).to_be_visible()
    page.get_by_label("I visited ISI Media's own website or used this portal").check()
    expect(website).to_be_hidden()
    page.get_by_label("Your name").press_sequentially("Sanne de Vries")
    page.get_by_label("Your e-mail address").press_sequentially("sanne@voorbeeld.example")
    screenshot(page, "privacy-form-en-filled")

    page.get_by_role("button", name="Send request").click()

    expect(page).to_have_url(re.compile(r"/privacy/verzoek/verstuurd/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.locator("#request-sent")).to_contain_text("sanne@voorbeeld.example")
    screenshot(page, "privacy-sent-en")
    request = DataSubjectRequest.objects.get()
    assert request.state == State.UNCONFIRMED

    # The link in the e-mail: opening it confirms nothing, the button does.
    page.goto(link_in("privacy_confirm", "sanne@voorbeeld.example", "/privacy/verzoek/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your privacy request")
    screenshot(page, "privacy-confirm-en")
    request.refresh_from_db()
    assert request.state == State.UNCONFIRMED
    page.get_by_role("button", name="Confirm my request").click()

    expect(page.locator("#state")).to_have_text("Being handled")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Privacy request {request.reference}")
    expect(page.locator(".portal-messages")).to_contain_text("Your request is confirmed")
    expect(page.locator("#due-on")).to_be_visible()
    screenshot(page, "privacy-follow-en")
    follow_path = urlsplit(page.url).path
    phone = new_page(locale="en-GB", viewport=PHONE_VIEWPORT)
    phone.goto(follow_path)
    expect(phone.locator("#state")).to_have_text("Being handled")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(phone, "privacy-follow-en-phone")

    # A privacy officer approves and sends the package from the request's page in the admin.
    admin = new_page()
    log_in(admin, officer)
    admin.goto(f"{ADMIN}privacy/datasubjectrequest/{request.pk}/change/")
    label = dutch(TRANSITIONS["send_package"].label)
    step = admin.locator("#step-send_package")
    step.get_by_text(label).first.click()
    step.get_by_role("button", name=label).click()
    expect(admin.locator(".messagelist")).to_be_visible()
    request.refresh_from_db()
    assert request.state == State.COMPLETED

    # The requester opens the download link from the e-mail: the page first, the zip only on the button.
    package_path = link_in("privacy_package_ready", "sanne@voorbeeld.example", "/privacy/pakket/")
    page.goto(package_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data package")
    expect(page.get_by_text("This link works once.")).to_be_visible()
    screenshot(page, "privacy-package-en")
    phone.goto(package_path)
    expect(phone.locator("#download")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(phone, "privacy-package-en-phone")

    with page.expect_download() as download_info:
        page.locator("#download").click()
    download = download_info.value
    assert download.suggested_filename == f"{request.reference}-data.zip"
    with zipfile.ZipFile(download.path()) as package:
        names = package.namelist()
        data = json.loads(package.read("data.json"))
        summary = next(name for name in names if name.endswith(("overzicht.html", "summary.html")))
        summary_text = package.read(summary).decode()
    assert request.reference in json.dumps(data)
    assert "sanne@voorbeeld.example" in json.dumps(data)
    assert "sanne@voorbeeld.example" in summary_text

    # The link works once.
    page.goto(package_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This data package has already been downloaded")
    screenshot(page, "privacy-package-gone-en")


def test_the_form_in_dutch_with_errors_and_on_a_phone(new_page, screenshot):
    page = new_page()
    page.goto("/privacy/verzoek/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    screenshot(page, "privacy-form-nl")

    page.locator("#id_relation_2").check()  # a hosted site, without its address
    page.locator("#id_description").press_sequentially("Mijn telefoonnummer staat op de teampagina.")
    page.locator("#id_email").press_sequentially("sanne-at-voorbeeld")
    page.locator("form.privacy-form button[type=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(4)  # right, website, name, e-mail
    expect(page.locator("#id_description")).to_have_value("Mijn telefoonnummer staat op de teampagina.")
    expect(page.locator("#id_email")).to_have_value("sanne-at-voorbeeld")
    expect(page.locator("#id_email")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_relation_2")).to_be_checked()
    expect(page.locator("#id_hosted_url")).to_be_visible()
    expect(page.locator("#id_hosted_url")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert DataSubjectRequest.objects.count() == 0
    screenshot(page, "privacy-form-nl-errors")
    summary.locator("a").first.click()
    expect(page.locator("#id_right_0")).to_be_focused()

    phone = new_page(viewport=PHONE_VIEWPORT)
    phone.goto("/privacy/verzoek/")
    expect(phone.locator("form.privacy-form")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(phone, "privacy-form-nl-phone")


def test_the_form_works_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/privacy/verzoek/")

    # Without the script the website's address is always shown, with a hint when it applies.
    expect(page.locator("#id_hosted_url")).to_be_visible()
    page.locator("#id_right_2").check()
    page.locator("#id_description").fill("Verwijder mijn gegevens van de teampagina.")
    page.locator("#id_relation_2").check()
    page.locator("#id_hosted_url").fill("https://www.bakkerij-klant.example/team")
    page.locator("#id_name").fill("Sanne de Vries")
    page.locator("#id_email").fill("sanne@voorbeeld.example")
    page.locator("form.privacy-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/privacy/verzoek/verstuurd/$"))
    assert DataSubjectRequest.objects.get().hosted_url == "https://www.bakkerij-klant.example/team"


def test_a_requester_sends_a_masked_copy_of_an_identity_document(new_page, screenshot, tmp_path):
    request = AwaitingIdentityRequestFactory(language="nl")
    RequestMessageFactory(
        request=request,
        text="Uw naam wijkt af van de naam in onze administratie. Wilt u een gemaskeerde kopie sturen?",
        asks_for_upload=True,
    )
    token = make_link(request)
    copy = tmp_path / "kopie-id.pdf"
    copy.write_bytes(PDF)

    page = new_page()
    page.goto(f"/privacy/verzoek/{token}/")
    expect(page.locator("#identity-help")).to_contain_text("KopieID")
    screenshot(page, "privacy-follow-identity-nl")
    phone = new_page(viewport=PHONE_VIEWPORT)
    phone.goto(f"/privacy/verzoek/{token}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(phone, "privacy-follow-identity-nl-phone")

    page.locator("#id_files").set_input_files(copy)
    page.locator("#id_note").fill("Foto, documentnummer en BSN zijn afgedekt.")
    page.locator("form.privacy-upload button[type=submit]").click()

    expect(page.locator("#files")).to_contain_text("kopie-id.pdf")
    stored = RequesterFile.objects.get(request=request)
    assert stored.kind == RequesterFile.Kind.IDENTITY
