"""An NTD handler works the queue in a real browser: logs in to the admin, forwards a case, decides one."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from playwright.sync_api import expect

from contracts.tests.factories import PASSWORD, ClientFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.tests.staff import admin_login
from ntd import services
from ntd.models import Category, Notice, State
from ntd.tests.factories import handler, make_case, notice_input
from ntd.transitions import TRANSITIONS

pytestmark = pytest.mark.browser

ADMIN = "/" + settings.ADMIN_URL


def dutch(text) -> str:
    """What the page says in Dutch, whether or not it has been translated yet."""
    with translation.override("nl"):
        return str(text)


def log_in(page, user):
    admin_login(page, user.email, PASSWORD, path=ADMIN)
    expect(page.locator("#site-name")).to_be_visible()


def a_living_queue(staff):
    """Cases in several states, one of them an emergency and one from a trusted flagger, some near their deadline."""
    korenschoof = WebsiteFactory(client=ClientFactory(name="Bakkerij De Korenschoof"), host="korenschoof.example")
    fietsen = WebsiteFactory(client=ClientFactory(name="Fietsenmaker Spaak"), host="spaak.example")
    new, _ = make_case(
        "received",
        user=staff,
        files=[SimpleUploadedFile("origineel.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")],
    )
    waiting, _ = make_case("awaiting_customer", website=fietsen, user=staff, urls=["https://spaak.example/fotos/1"])
    Notice.objects.filter(pk=waiting.pk).update(next_deadline=timezone.now() + timedelta(hours=5))
    assessing, _ = make_case("under_assessment", website=korenschoof, user=staff)
    Notice.objects.filter(pk=assessing.pk).update(next_deadline=timezone.now() - timedelta(hours=3))
    make_case("taken_down", website=korenschoof, user=staff)
    emergency = services.notice_submit(
        data=notice_input(
            urls=["https://spaak.example/dreiging"],
            category=Category.VIOLENCE,
            explanation="Op deze pagina staat een concrete bedreiging met geweld tegen een met naam genoemde persoon.",
            is_emergency=True,
            emergency_reason="Er wordt een datum en plaats genoemd; de dreiging lijkt acuut.",
            complainant_email="w.devries@example.nl",
            complainant_name="Willem de Vries",
        )
    ).notice
    api_key, _key = services.api_key_issue(
        name="Stichting Meldpunt", contact_email="api@meldpunt.example", trusted_flagger=True, user=staff
    )
    trusted = services.notice_submit(
        data=notice_input(urls=["https://korenschoof.example/nep-actie"], category=Category.SCAMS_FRAUD),
        api_key=api_key,
    ).notice
    services.notice_add_note(notice_id=new.pk, text="Melder gebeld: foto is van haar eigen website.", user=staff)
    OutboxMessage.objects.all().delete()
    return {"new": new, "waiting": waiting, "assessing": assessing, "emergency": emergency, "trusted": trusted}


def test_a_handler_works_the_queue(page, screenshot):
    staff = handler(email="behandelaar@isimedia.example", first_name="Sanne", last_name="Visser")
    cases = a_living_queue(staff)
    log_in(page, staff)

    page.goto(f"{ADMIN}ntd/notice/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(6)
    # Emergencies and trusted flaggers first, then the nearest deadline; the overdue one says so in words.
    expect(rows.nth(0)).to_contain_text(cases["emergency"].reference)
    expect(rows.nth(1)).to_contain_text(cases["trusted"].reference)
    expect(rows.nth(2)).to_contain_text(cases["assessing"].reference)
    expect(rows.nth(2).locator(".ntd-urgency-overdue")).to_be_visible()
    screenshot(page, "ntd-admin-queue-nl")

    # A new case: forward it to the client the hosting check found.
    page.get_by_role("link", name=cases["new"].reference).click()
    expect(page.get_by_text("korenschoof.example", exact=False).first).to_be_visible()
    screenshot(page, "ntd-admin-case-received-nl")
    page.get_by_role("link", name=dutch(TRANSITIONS["forward"].label)).click()
    screenshot(page, "ntd-admin-forward-nl")
    page.get_by_role("button", name=dutch(TRANSITIONS["forward"].label)).click()
    expect(page.locator(".messagelist")).to_contain_text(cases["new"].reference)
    expect(page.locator(".ntd-summary .ntd-state")).to_have_text(dutch(State.AWAITING_CUSTOMER.label).capitalize())
    screenshot(page, "ntd-admin-case-forwarded-nl")

    # The overdue assessment: take it down with a statement of reasons.
    page.goto(f"{ADMIN}ntd/notice/{cases['assessing'].pk}/change/")
    screenshot(page, "ntd-admin-case-assessment-nl")
    page.get_by_role("link", name=dutch(TRANSITIONS["take_down"].label)).click()
    screenshot(page, "ntd-admin-take-down-empty-nl")
    page.get_by_role("button", name=dutch(TRANSITIONS["take_down"].label)).click()
    expect(page.locator(".errornote")).to_be_visible()
    screenshot(page, "ntd-admin-take-down-errors-nl")
    # The scope and the facts start from the case; the rest is the handler's judgement.
    expect(page.locator("#id_scope")).to_contain_text("gestolen-foto")
    page.locator("#id_decision_visibility").select_option("DECISION_VISIBILITY_CONTENT_DISABLED")
    page.locator("#id_decision_ground").select_option("DECISION_GROUND_ILLEGAL_CONTENT")
    page.locator("#id_legal_ground").fill("Auteurswet art. 1 en 12")
    page.locator("#id_ground_explanation").fill("De foto is zonder toestemming van de maker openbaar gemaakt.")
    page.get_by_role("button", name=dutch(TRANSITIONS["take_down"].label)).click()
    expect(page.locator(".messagelist .success")).to_contain_text(cases["assessing"].reference)
    expect(page.locator(".ntd-steps")).to_have_count(0)
    expect(page.locator("#decision")).to_contain_text("Auteurswet art. 1 en 12")
    screenshot(page, "ntd-admin-case-taken-down-nl")

    page.goto(f"{ADMIN}ntd/notice/")
    page.get_by_role("link", name=re.compile("Transparan|Transparency")).click()
    expect(page.locator(".ntd-report table").first).to_be_visible()
    screenshot(page, "ntd-admin-report-nl")

    # An API key is shown once, right after it is issued.
    page.goto(f"{ADMIN}ntd/apikey/add/")
    page.locator("#id_name").fill("Stichting Meldpunt Kinderporno")
    page.locator("#id_contact_email").fill("api@meldpunt.example")
    page.locator("#id_trusted_flagger").check()
    screenshot(page, "ntd-admin-apikey-add-nl")
    page.locator("#content-main form [type=submit]").click()
    key = page.locator(".ntd-api-key").inner_text()
    assert len(key) >= 43
    screenshot(page, "ntd-admin-apikey-issued-nl")
    page.reload()
    expect(page.locator(".ntd-api-key")).to_have_count(0)
    assert key not in page.content()
