"""A complainant in a real browser: reads the procedure, fills in the form like a person, and sees the confirmation."""

import re

import pytest
from playwright.sync_api import expect

from isimedia.models import OutboxMessage
from isimedia.tests.browser import PHONE_VIEWPORT
from ntd.models import Notice
from ntd.tests.factories import make_case

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def evidence_file(tmp_path):
    path = tmp_path / "schermafdruk gestolen foto.png"
    path.write_bytes(PNG)
    return path


def test_the_form_in_dutch_on_desktop_and_phone(new_page, screenshot):
    page = new_page()
    page.goto("/ntd/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Onrechtmatige inhoud melden")
    screenshot(page, "ntd-form-nl-desktop")

    phone = new_page(viewport=PHONE_VIEWPORT)
    phone.goto("/ntd/")
    expect(phone.locator("form.ntd-form")).to_be_visible()
    # Nothing sticks out sideways on a small phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    screenshot(phone, "ntd-form-nl-phone")


def test_a_complainant_files_a_notice_and_sees_the_confirmation(new_page, screenshot, evidence_file):
    page = new_page(locale="en-GB")
    page.goto("/ntd/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Report unlawful content")

    page.get_by_label("Web addresses of the content").press_sequentially(
        "https://www.korenschoof.example/recepten/appeltaart\nhttps://www.korenschoof.example/over-ons"
    )
    page.get_by_label("What kind of unlawful content is it?").select_option(
        label="Intellectual property infringements (copyright, trademark)"
    )
    page.get_by_label("Why is this content unlawful?").press_sequentially(
        "I took the photo of the apple pie myself in 2024. The site uses it without my permission or a licence."
    )

    # The questions about the contact appear once the complainant says there was contact.
    contacted_on = page.get_by_label("When did you contact the owner?")
    expect(contacted_on).to_be_hidden()
    page.get_by_label("I contacted the owner of the website first").check()
    expect(contacted_on).to_be_visible()
    contacted_on.fill("2026-01-05")
    page.get_by_label("How did you contact the owner?").press_sequentially("E-mail to info@korenschoof.example")
    page.get_by_label("What came of it?").press_sequentially("No answer after two weeks.")

    page.get_by_label("Evidence (optional)").set_input_files(evidence_file)
    expect(page.locator("#evidence-chosen")).to_contain_text("schermafdruk gestolen foto.png (1 KB)")

    page.get_by_label("Your name").press_sequentially("Marieke Jansen")
    page.get_by_label("Your e-mail address").press_sequentially("marieke@fotografie.example")
    expect(page.get_by_label("Name of the person or organisation you act for")).to_be_hidden()
    page.get_by_label("I declare that this notice is accurate and complete").check()
    page.get_by_label("I understand that ISI Media passes my name and contact details").check()
    screenshot(page, "ntd-form-en-filled")

    page.get_by_role("button", name="Send notice").click()

    expect(page).to_have_url(re.compile(r"/ntd/volgen/[^/]+/$"))
    notice = Notice.objects.get()
    confirmation = page.locator("#confirmation")
    expect(confirmation.get_by_role("heading")).to_have_text("Thank you, your notice has been received")
    expect(page.locator("#confirmation-reference")).to_have_text(notice.reference)
    expect(confirmation).to_contain_text("marieke@fotografie.example")
    expect(page.locator("#tracking-url")).to_have_text(re.compile(r"/ntd/volgen/[^/]+/$"))
    expect(page.locator("#state")).to_have_text("Received")
    expect(page.get_by_role("link", name="schermafdruk gestolen foto.png")).to_be_visible()
    assert OutboxMessage.objects.filter(template="ntd_received", to="marieke@fotografie.example").exists()
    screenshot(page, "ntd-confirmation-en")

    phone = new_page(locale="en-GB", viewport=PHONE_VIEWPORT)
    phone.goto(page.url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Notice {notice.reference}")
    expect(phone.locator("#confirmation")).to_have_count(0)  # the thank-you is for the browser that submitted
    screenshot(phone, "ntd-tracking-en-phone")

    page.reload()
    expect(page.locator("#confirmation")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Notice {notice.reference}")


def test_a_failing_submit_keeps_what_was_typed(page, screenshot, evidence_file):
    page.goto("/ntd/")
    page.locator("#id_urls").press_sequentially("https://www.korenschoof.example/a\nwww.korenschoof.example/b")
    page.locator("#id_category").select_option("intellectual_property")
    page.locator("#id_explanation").press_sequentially("Mijn foto, zonder toestemming gebruikt op deze site.")
    page.locator("#id_owner_contact_1").check()  # the site gives no way to contact its owner
    page.locator("#id_owner_contact_result").press_sequentially("Geen contactpagina en geen colofon.")
    page.locator("#id_evidence").set_input_files(evidence_file)
    page.locator("#id_complainant_name").press_sequentially("Marieke Jansen")
    page.locator("#id_complainant_email").press_sequentially("marieke@fotografie.example")
    page.locator("#id_capacity_1").check()  # for my organisation, but without saying which
    page.locator("#id_good_faith").check()

    page.locator("form.ntd-form button[type=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("www.korenschoof.example/b")
    expect(page.locator("#files-again")).to_be_visible()
    expect(page.locator("#id_urls")).to_have_value("https://www.korenschoof.example/a\nwww.korenschoof.example/b")
    expect(page.locator("#id_urls")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_category")).to_have_value("intellectual_property")
    expect(page.locator("#id_explanation")).to_have_value("Mijn foto, zonder toestemming gebruikt op deze site.")
    expect(page.locator("#id_owner_contact_1")).to_be_checked()
    expect(page.locator("#id_owner_contact_result")).to_have_value("Geen contactpagina en geen colofon.")
    expect(page.locator("#id_complainant_name")).to_have_value("Marieke Jansen")
    expect(page.locator("#id_complainant_email")).to_have_value("marieke@fotografie.example")
    expect(page.locator("#id_capacity_1")).to_be_checked()
    expect(page.locator("#id_on_behalf_of")).to_be_visible()
    expect(page.locator("#id_on_behalf_of")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#id_good_faith")).to_be_checked()
    expect(page.locator("#id_identity_disclosure_accepted")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert Notice.objects.count() == 0
    screenshot(page, "ntd-form-nl-errors")

    phone_errors = page.locator("#error-summary a").first
    phone_errors.click()
    expect(page.locator("#id_urls")).to_be_focused()


def test_a_rejected_notice_is_filed_again_from_its_tracking_page(new_page, screenshot):
    rejected, token = make_case("rejected_incomplete")  # the reason given: "De URL ontbreekt."
    page = new_page(locale="en-GB")

    page.goto(f"/ntd/volgen/{token}/")

    expect(page.locator("#state")).to_have_text("Rejected: incomplete")
    expect(page.locator("#steps")).to_contain_text("De URL ontbreekt.")
    screenshot(page, "ntd-tracking-rejected-en")
    page.get_by_role("link", name="File this notice again").click()

    expect(page).to_have_url(re.compile(rf"/ntd/\?opnieuw={rejected.reference}$"))
    expect(page.locator("#refile-note")).to_contain_text(f"This notice refiles {rejected.reference}")
    expect(page.locator("#id_previous_reference")).to_have_value(rejected.reference)


def test_chosen_files_are_listed_with_a_warning_over_the_limits(new_page, tmp_path):
    paths = []
    for number in range(6):
        path = tmp_path / f"bewijs-{number}.png"
        path.write_bytes(PNG)
        paths.append(path)
    large = tmp_path / "video.pdf"
    large.write_bytes(b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024))
    page = new_page(locale="en-GB")
    page.goto("/ntd/")

    page.get_by_label("Evidence (optional)").set_input_files([*paths, large])

    chosen = page.locator("#evidence-chosen")
    expect(chosen.locator("li")).to_have_count(7)
    expect(chosen).to_contain_text("You chose 7 files; at most 5 are allowed.")
    expect(chosen).to_contain_text("“video.pdf” is larger than 10 MB.")

    page.get_by_label("Evidence (optional)").set_input_files(paths[:2])
    expect(chosen.locator("li")).to_have_count(2)
    expect(chosen).not_to_contain_text("at most")


def test_the_form_works_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/ntd/")

    # Every question is shown, with a hint saying when it applies.
    expect(page.locator("#id_owner_contacted_on")).to_be_visible()
    expect(page.locator("#id_on_behalf_of")).to_be_visible()
    expect(page.locator("#id_emergency_reason")).to_be_visible()
    page.locator("#id_urls").fill("https://www.korenschoof.example/recepten/appeltaart")
    page.locator("#id_category").select_option("intellectual_property")
    page.locator("#id_explanation").fill("Mijn eigen foto van een appeltaart, zonder toestemming op deze site gezet.")
    page.locator("#id_owner_contact_0").check()
    page.locator("#id_owner_contacted_on").fill("2026-01-05")
    page.locator("#id_owner_contact_how").fill("E-mail aan info@korenschoof.example")
    page.locator("#id_owner_contact_result").fill("Geen antwoord.")
    page.locator("#id_complainant_name").fill("Marieke Jansen")
    page.locator("#id_complainant_email").fill("marieke@fotografie.example")
    page.locator("#id_good_faith").check()
    page.locator("#id_identity_disclosure_accepted").check()

    page.locator("form.ntd-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/ntd/volgen/[^/]+/$"))
    expect(page.locator("#confirmation-reference")).to_have_text(Notice.objects.get().reference)
