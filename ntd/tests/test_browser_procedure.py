"""The whole procedure in real browsers: a complainant files, staff forward, the client disagrees, staff decide.

Each party has its own browser context (its own cookies), as three different people would.
"""

import re

import pytest
from playwright.sync_api import expect

from contracts.tests.factories import PASSWORD, ClientContactFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.tests.staff import admin_login
from ntd.models import Notice, State, StatementOfReasons
from ntd.tests.factories import handler

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def body_of(template: str, to: str) -> str:
    message = OutboxMessage.objects.get(template=template, to=to)
    return message.body_text


def test_complainant_staff_and_client_each_see_and_receive_their_part(new_page, screenshot, tmp_path):
    website = WebsiteFactory(host="korenschoof.example", client__contact_email="info@korenschoof.example")
    ClientContactFactory(client=website.client, user__email="els@korenschoof.example")
    staff = handler(email="sanne@isimedia.nl", first_name="Sanne")
    evidence = tmp_path / "origineel.png"
    evidence.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    # 1. The complainant files the notice on /ntd/.
    complainant = new_page(locale="nl-NL")
    complainant.goto("/ntd/")
    complainant.locator("#id_urls").fill("https://www.korenschoof.example/recepten/appeltaart")
    complainant.locator("#id_category").select_option("intellectual_property")
    complainant.locator("#id_explanation").fill(
        "De foto van de appeltaart heb ik in 2024 zelf gemaakt; de site gebruikt hem zonder licentie."
    )
    complainant.locator("#id_owner_contact_0").check()
    complainant.locator("#id_owner_contacted_on").fill("2026-11-02")
    complainant.locator("#id_owner_contact_how").fill("E-mail aan info@korenschoof.example")
    complainant.locator("#id_owner_contact_result").fill("Geen antwoord na twee weken.")
    complainant.locator("#id_evidence").set_input_files(str(evidence))
    complainant.locator("#id_complainant_name").fill("Marieke Jansen")
    complainant.locator("#id_complainant_email").fill("marieke@fotografie.example")
    complainant.locator("#id_good_faith").check()
    complainant.locator("#id_identity_disclosure_accepted").check()
    complainant.locator("form.ntd-form button[type=submit]").click()

    expect(complainant).to_have_url(re.compile(r"/ntd/volgen/[^/]+/$"))
    notice = Notice.objects.get()
    expect(complainant.locator("#confirmation-reference")).to_have_text(notice.reference)
    tracking_url = complainant.url
    screenshot(complainant, "procedure-1-complainant-confirmation")
    assert notice.reference in OutboxMessage.objects.get(template="ntd_received").subject
    assert OutboxMessage.objects.filter(template="ntd_new_notice", to="sanne@isimedia.nl").exists()

    # 2. Staff forward it from the case page in the admin.
    admin = new_page(locale="nl-NL")
    admin_login(admin, staff.email, PASSWORD)
    admin.goto(f"/beheer/ntd/notice/{notice.pk}/change/")
    expect(admin.locator("body")).to_contain_text("korenschoof.example")  # the hosting check found the client
    admin.locator("a.ntd-step[href$='/stap/forward/']").click()
    admin.locator(".ntd-step-form input[type=submit]").click()
    expect(admin.locator(".messagelist")).to_contain_text(notice.reference)
    notice.refresh_from_db()
    assert notice.state == State.AWAITING_CUSTOMER
    screenshot(admin, "procedure-2-staff-forwarded")

    # The client receives the complaint with the complainant's identity and a link that needs no log-in.
    forwarded = body_of("ntd_customer_forwarded", "info@korenschoof.example")
    assert "Marieke Jansen" in forwarded and "marieke@fotografie.example" in forwarded
    assert OutboxMessage.objects.filter(template="ntd_customer_forwarded", to="els@korenschoof.example").exists()
    answer_url = re.search(r"https?://\S+/ntd/antwoord/[^/\s]+/", forwarded).group(0)
    assert OutboxMessage.objects.filter(template="ntd_forwarded", to="marieke@fotografie.example").exists()

    # 3. The client disagrees through its link.
    client = new_page(locale="nl-NL")
    answer_path = re.sub(r"^https?://[^/]+", "", answer_url)  # e-mails use SITE_URL; the test server has its own
    client.goto(answer_path)
    expect(client.locator("body")).to_contain_text("Marieke Jansen")
    client.locator("#form-disagrees textarea").fill(
        "Wij hebben deze foto in 2023 gekocht bij een beeldbank; licentie bijgevoegd."
    )
    client.locator("#form-disagrees button[type=submit]").click()
    notice.refresh_from_db()
    assert notice.state == State.UNDER_ASSESSMENT
    screenshot(client, "procedure-3-client-answered")
    assert OutboxMessage.objects.filter(template="ntd_assessment_started", to="sanne@isimedia.nl").exists()

    # 4. Staff decide: manifestly unlawful, take it down, with a statement of reasons.
    admin.goto(f"/beheer/ntd/notice/{notice.pk}/change/")
    expect(admin.locator("body")).to_contain_text("beeldbank")  # the client's reasons are on the case page
    admin.locator("a.ntd-step[href$='/stap/take_down/']").click()
    admin.locator("#id_decision_visibility").select_option(StatementOfReasons.Visibility.DISABLED)
    admin.locator("#id_scope").fill("De pagina /recepten/appeltaart is onbereikbaar gemaakt.")
    admin.locator("#id_decision_ground").select_option(StatementOfReasons.Ground.ILLEGAL)
    admin.locator("#id_legal_ground").fill("Auteurswet art. 1 en 12")
    admin.locator("#id_ground_explanation").fill("De licentie van de beeldbank dekt deze foto niet.")
    admin.locator("#id_decision_facts").fill("Melding met origineel bestand; licentie van de klant gecontroleerd.")
    admin.locator(".ntd-step-form input[type=submit]").click()
    expect(admin.locator(".messagelist")).to_contain_text(notice.reference)
    notice.refresh_from_db()
    assert notice.state == State.TAKEN_DOWN
    screenshot(admin, "procedure-4-staff-decided")

    # 5. What each of them now sees and receives.
    statement = body_of("ntd_customer_taken_down", "info@korenschoof.example")
    assert "Auteurswet art. 1 en 12" in statement
    decision = body_of("ntd_taken_down", "marieke@fotografie.example")
    assert notice.reference in decision
    complainant.goto(tracking_url)
    expect(complainant.locator("body")).not_to_contain_text("gekocht")  # never the client's own answer
    screenshot(complainant, "procedure-5-complainant-tracking")
    # The case is closed: the client's link no longer opens it, and there is nothing left to answer.
    response = client.goto(answer_path)
    assert response.status == 404
    expect(client.locator("#form-disagrees")).to_have_count(0)
    expect(client.locator("#form-removed")).to_have_count(0)
