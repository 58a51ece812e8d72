"""In a real browser: a client contact signs the DPA, downloads the sealed PDF, and the verification page accepts it."""

import hashlib
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Acceptance, DocumentKind
from contracts.services.signing import signed_pdf_make
from isimedia.tests.browser import PHONE_VIEWPORT

from .documents_helpers import published_version
from .factories import PASSWORD, ClientContactFactory
from .test_sealing import make_signing_certificate

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("contracts.tests.test_sealing"),
]


def log_in(page, email):
    page.goto("/account/inloggen/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


def test_a_contact_signs_downloads_and_verifies_the_dpa(new_page, screenshot, tmp_path, settings):
    make_signing_certificate(tmp_path, settings)
    published_version(DocumentKind.DPA, label="2026-01", effective_on=timezone.localdate())
    contact = ClientContactFactory(
        client__name="Bakkerij De Korenschoof B.V.", client__kvk_number="12345678", name="Jan Jansen"
    )
    page = new_page(locale="en-GB")
    log_in(page, contact.user.email)

    page.goto("/account/verwerkersovereenkomst/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Data processing agreement")
    expect(page.locator("#dpa-not-signed")).to_contain_text("not signed")
    screenshot(page, "contracts-dpa-not-signed-en")
    page.get_by_role("link", name="Review and sign version 2026-01").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the data processing agreement")
    page.get_by_text("Read the agreement").click()
    expect(page.locator("#agreement-text")).to_contain_text("Deze tekst is een testversie.")
    page.get_by_label("Full name").fill("Jan Jansen")
    page.get_by_label("Job title").fill("Directeur")
    screenshot(page, "contracts-dpa-sign-en")
    page.get_by_role("button", name="Sign the agreement").click()
    # Refused until the box is ticked; what was typed stays.
    expect(page.locator("#id_signer_name")).to_have_value("Jan Jansen")
    page.get_by_label("I am authorised to sign for Bakkerij De Korenschoof B.V.").check()
    page.get_by_role("button", name="Sign the agreement").click()

    expect(page).to_have_url(re.compile(r"/account/verwerkersovereenkomst/$"))
    expect(page.get_by_role("status").first).to_contain_text("has signed the data processing agreement 2026-01")
    expect(page.locator("#dpa-signed")).to_contain_text("being prepared")
    screenshot(page, "contracts-dpa-signed-preparing-en")

    acceptance = Acceptance.objects.get()
    assert acceptance.statement == "I am authorised to sign for Bakkerij De Korenschoof B.V."
    assert acceptance.ip_address == "127.0.0.1"
    assert "Chrome" in acceptance.user_agent
    # What the Celery worker does after the commit.
    acceptance = signed_pdf_make(acceptance_id=acceptance.pk)

    page.reload()
    expect(page.locator("#dpa-signed")).to_contain_text("Version 2026-01, signed on")
    expect(page.locator("#dpa-signed")).to_contain_text("Jan Jansen (Directeur)")
    screenshot(page, "contracts-dpa-signed-en")
    with page.expect_download() as download_info:
        page.locator("#dpa-signed").get_by_role("link", name=re.compile("Download the signed PDF")).click()
    download = download_info.value
    assert download.suggested_filename == f"verwerkersovereenkomst-2026-01-12345678-{acceptance.pk}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == acceptance.signed_pdf_sha256

    # Anyone, logged in or not, can check the file.
    visitor = new_page(locale="en-GB")
    visitor.goto("/verifieer/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Verify a signed agreement")
    visitor.get_by_label("Signed PDF").set_input_files(str(saved))
    visitor.get_by_role("button", name="Check", exact=True).click()
    result = visitor.locator("#result")
    expect(result).to_have_attribute("data-verdict", "valid")
    expect(result).to_contain_text("Authentic and unchanged")
    expect(result).to_contain_text("Bakkerij De Korenschoof B.V., KvK number 12345678")
    expect(result).to_contain_text("Verwerkersovereenkomst, version 2026-01")
    expect(result).to_contain_text("by Jan Jansen (Directeur)")
    screenshot(visitor, "contracts-verify-valid-en")

    # One changed byte and the same page says the file cannot be trusted.
    data = bytearray(saved.read_bytes())
    data[data.index(b"stream\n") + 20] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    visitor.get_by_label("Signed PDF").set_input_files(str(tampered))
    visitor.get_by_role("button", name="Check", exact=True).click()
    expect(visitor.locator("#result")).to_have_attribute("data-verdict", "invalid")
    expect(visitor.locator("#result")).to_contain_text("Not valid")
    screenshot(visitor, "contracts-verify-invalid-en")


def test_the_signing_pages_on_a_phone_in_dutch(new_page, screenshot, tmp_path, settings):
    make_signing_certificate(tmp_path, settings)
    published_version(DocumentKind.DPA, label="2026-01", effective_on=timezone.localdate())
    contact = ClientContactFactory(client__name="Bakkerij De Korenschoof B.V.", client__kvk_number="12345678")
    page = new_page(viewport=PHONE_VIEWPORT)
    log_in(page, contact.user.email)

    page.goto("/account/verwerkersovereenkomst/ondertekenen/2026-01/")
    expect(page.locator("#sign-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "contracts-dpa-sign-phone-nl")

    page.goto("/verifieer/")
    expect(page.locator("#verify-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "contracts-verify-phone-nl")
