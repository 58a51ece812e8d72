"""The DPA procedure in real browsers: staff publish a new version in the admin, a client contact is told, signs it,
downloads the sealed PDF, and the public verification page accepts that PDF."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Acceptance, DocumentKind, DocumentVersion
from contracts.services import dpa_sign, signed_pdf_make, version_render_pdf
from isimedia import roles
from isimedia.models import OutboxMessage
from isimedia.tests.staff import admin_login

from .documents_helpers import draft_version, published_version
from .factories import PASSWORD, ClientContactFactory, StaffUserFactory
from .test_sealing import make_signing_certificate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_publish_and_a_client_signs_downloads_and_verifies(new_page, screenshot, tmp_path, settings):
    make_signing_certificate(tmp_path, settings)
    current = published_version(DocumentKind.DPA, label="2026-01", effective_on=timezone.localdate())
    contact = ClientContactFactory(
        client__name="Bakkerij De Korenschoof B.V.", client__kvk_number="12345678", name="Jan Jansen"
    )
    dpa_sign(
        client=contact.client,
        user=contact.user,
        version=current,
        signer_name="Jan Jansen",
        signer_title="Directeur",
        authorised=True,
        ip_address="127.0.0.1",
        user_agent="earlier",
    )
    effective = timezone.localdate() + datetime.timedelta(days=120)  # more than the 3 months' notice
    draft = draft_version(
        kind=DocumentKind.DPA,
        label="2027-03",
        effective_on=effective,
        summary="Datalekken melden wij binnen 48 uur.",
        body="# Verwerkersovereenkomst\n\n## Artikel 1\n\n1.1 Datalekken meldt ISI Media binnen 48 uur.",
    )
    manager = StaffUserFactory(email="contracten@isimedia.nl")
    manager.groups.add(Group.objects.get(name=roles.CONTRACT_MANAGERS))

    # 1. A contract manager publishes the new version from the admin, with its confirmation page.
    admin = new_page(locale="en-GB")
    admin_login(admin, manager.email, PASSWORD)
    admin.goto(f"/beheer/contracts/documentversion/{draft.pk}/publiceren/")
    screenshot(admin, "contracts-admin-publish-confirm")
    admin.locator("input[name=publish]").click()
    draft.refresh_from_db()
    assert draft.published_at is not None
    screenshot(admin, "contracts-admin-published")
    # What the worker does after the commit: render the version's PDF once.
    version_render_pdf(version_id=draft.pk)
    assert DocumentVersion.objects.get(pk=draft.pk).pdf_sha256

    # The client, which signed the version in force, is told of the change and how to object.
    announced = OutboxMessage.objects.get(template="contracts_version_announced", to=contact.user.email)
    assert "Datalekken melden wij binnen 48 uur." in announced.body_text

    # 2. The client contact sees the newer version on its account page and signs it.
    client = new_page(locale="en-GB")
    client.goto("/account/inloggen/")
    client.locator("#id_username").fill(contact.user.email)
    client.locator("#id_password").fill(PASSWORD)
    client.locator("main form button[type=submit]").click()
    client.goto("/account/verwerkersovereenkomst/")
    expect(client.locator("body")).to_contain_text("2027-03")
    client.locator("a[href$='/ondertekenen/2027-03/']").first.click()
    client.locator("#id_signer_name").fill("Jan Jansen")
    client.locator("#id_signer_title").fill("Directeur")
    client.get_by_label("I am authorised to sign for Bakkerij De Korenschoof B.V.").check()
    client.get_by_role("button", name="Sign the agreement").click()
    expect(client).to_have_url(re.compile(r"/account/verwerkersovereenkomst/$"))
    acceptance = Acceptance.objects.get(version=draft)
    assert (acceptance.signer_name, acceptance.version_label) == ("Jan Jansen", "2027-03")

    # What the worker does after the commit: seal the signed PDF.
    acceptance = signed_pdf_make(acceptance_id=acceptance.pk)
    client.reload()
    with client.expect_download() as download_info:
        client.locator(f"a[href$='/verwerkersovereenkomst/{acceptance.pk}/pdf/']").first.click()
    saved = tmp_path / "signed.pdf"
    download_info.value.save_as(saved)
    screenshot(client, "contracts-client-signed-new-version")

    # 3. Anyone can verify the downloaded PDF.
    visitor = new_page(locale="en-GB")
    visitor.goto("/verifieer/")
    visitor.get_by_label("Signed PDF").set_input_files(str(saved))
    visitor.get_by_role("button", name="Check", exact=True).click()
    result = visitor.locator("#result")
    expect(result).to_have_attribute("data-verdict", "valid")
    expect(result).to_contain_text("version 2027-03")
    expect(result).to_contain_text("Bakkerij De Korenschoof B.V.")
    screenshot(visitor, "contracts-verify-new-version")
