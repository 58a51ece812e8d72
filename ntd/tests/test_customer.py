"""The hosting client's answer page, through the link in its e-mail and from its account."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse
from django.utils import timezone
from playwright.sync_api import expect

from contracts.tests.factories import ClientContactFactory, StaffUserFactory, WebsiteFactory
from isimedia import urls as project_urls
from isimedia.models import OutboxMessage
from ntd import services
from ntd.models import CustomerResponse, Evidence, Notice, NoticeEvent, State
from ntd.selectors import notices_for_client
from ntd.tests.factories import make_case

# Until the project's URLconf includes ntd.account_urls at account/klachten/, the tests add it themselves.
urlpatterns = [*project_urls.urlpatterns]
if not any(getattr(pattern, "namespace", None) == "ntd_account" for pattern in urlpatterns):
    urlpatterns.insert(0, path("account/klachten/", include("ntd.account_urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def website():
    return WebsiteFactory(host="korenschoof.example", client__name="Bakkerij De Korenschoof")


def answer_path(notice) -> str:
    """The answer link from the e-mail the client was sent when the case was forwarded."""
    message = OutboxMessage.objects.filter(template="ntd_customer_forwarded", to=notice.client.contact_email).get()
    return re.search(r"http://testserver(/ntd/antwoord/[^/\s]+/)", message.body_text).group(1)


def awaiting(website, **overrides):
    notice, _tracking = make_case("awaiting_customer", website=website, **overrides)
    return notice, answer_path(notice)


def evidence_png(name="origineel.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def page_of(response) -> str:
    return response.content.decode()


# --- the page --------------------------------------------------------------------------------------------------


def test_the_link_shows_the_complaint_the_complainant_and_the_deadline(english, website, django_assert_max_num_queries):
    notice, link = awaiting(
        website,
        complainant_organisation="Fotografie Jansen",
        capacity="representative",
        on_behalf_of="Studio Lens B.V.",
        files=[evidence_png()],
    )

    with django_assert_max_num_queries(4):
        response = english.get(link)

    assert response.status_code == 200
    page = page_of(response)
    assert f"Complaint {notice.reference}" in page
    assert "https://www.korenschoof.example/recepten/gestolen-foto" in page
    assert "Intellectual property infringements" in page
    assert "zonder toestemming overgenomen" in page  # the explanation
    assert "Marieke Jansen" in page and "marieke@fotografie.example" in page and "Fotografie Jansen" in page
    assert "As a representative (such as a lawyer or agent) of Studio Lens B.V." in page
    assert "The complainant contacted the website's owner first" in page
    assert "origineel.png" in page
    [evidence] = notice.evidence.all()
    assert reverse("ntd:answer_evidence", kwargs={"token": link.split("/")[-2], "evidence_id": evidence.pk}) in page
    deadline = timezone.localtime(notice.customer_deadline)
    assert f"{deadline:%H:%M}" in page and "(Amsterdam time)" in page
    assert 'id="deadline-passed"' not in page
    assert 'id="form-removed"' in page and 'id="form-disagrees"' in page
    assert 'name="robots" content="noindex, nofollow"' in page


def test_the_page_is_private(client, website):
    _notice, link = awaiting(website)
    response = client.get(link)
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # Not no-referrer: browsers then post forms with "Origin: null", which the CSRF check refuses.
    assert response["Referrer-Policy"] == "same-origin"
    # The complained-about addresses are linked without sending the page's address along.
    assert 'rel="noopener noreferrer nofollow"' in page_of(response)


def test_the_page_is_in_the_clients_language_unless_the_visitor_chose_another(client):
    english_client = WebsiteFactory(host="korenschoof.example", client__language="en")
    _notice, link = awaiting(english_client)

    by_default = client.get(link, HTTP_ACCEPT_LANGUAGE="nl")
    client.cookies["django_language"] = "nl"
    chosen = client.get(link)

    assert '<html lang="en">' in page_of(by_default) and by_default["Content-Language"] == "en"
    assert "Complaint about your website" in page_of(by_default)
    assert '<html lang="nl">' in page_of(chosen) and chosen["Content-Language"] == "nl"


def test_a_deadline_that_passed_is_said_while_the_form_is_still_there(english, website):
    notice, link = awaiting(website)
    Notice.objects.filter(pk=notice.pk).update(customer_deadline=timezone.now() - timedelta(minutes=5))

    page = page_of(english.get(link))

    assert 'id="deadline-passed"' in page and "This deadline has passed" in page
    assert 'id="form-removed"' in page


@pytest.mark.parametrize("token", ["geen-echt-token", "x" * 43])
def test_an_unknown_link_says_it_no_longer_works(english, website, token):
    awaiting(website)

    response = english.get(reverse("ntd:answer", kwargs={"token": token}))

    assert response.status_code == 404
    assert "This link no longer works" in page_of(response)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("state", ["resolved_by_customer", "taken_down", "rejected_not_unlawful"])
def test_the_link_stops_working_once_the_case_is_closed(english, website, state):
    notice, _tracking = make_case(state, website=website)

    response = english.get(answer_path(notice))

    assert response.status_code == 404
    assert "This link no longer works" in page_of(response)
    assert notice.reference not in page_of(response)


# --- evidence --------------------------------------------------------------------------------------------------


def test_evidence_is_a_private_download(client, website):
    notice, link = awaiting(website, files=[evidence_png()])
    [evidence] = notice.evidence.all()

    response = client.get(f"{link}bestand/{evidence.pk}/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert "origineel.png" in response["Content-Disposition"]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_evidence_of_another_case_is_not_found(client, website):
    _mine, my_link = awaiting(website, files=[evidence_png("mijn.png")])
    other_site = WebsiteFactory(host="ander.example")
    other, _other_link = awaiting(other_site, urls=["https://ander.example/pagina"], files=[evidence_png("ander.png")])
    [theirs] = other.evidence.all()

    assert client.get(f"{my_link}bestand/{theirs.pk}/").status_code == 404
    assert client.get(f"{my_link}bestand/999999/").status_code == 404
    assert client.get(f"/ntd/antwoord/geen-token/bestand/{theirs.pk}/").status_code == 404


# --- answering -------------------------------------------------------------------------------------------------


def test_the_client_removed_the_material(english, website):
    notice, link = awaiting(website)
    OutboxMessage.objects.all().delete()

    response = english.post(link, {"answer": "removed", "removed-note": "De foto is van de pagina gehaald."})

    assert response.status_code == 200
    page = page_of(response)
    assert "Thank you, we have received your answer" in page
    assert "De foto is van de pagina gehaald." in page
    assert "The case is closed" in page  # what happens next
    notice.refresh_from_db()
    assert notice.state == State.RESOLVED_BY_CUSTOMER
    assert notice.customer_response.kind == CustomerResponse.Kind.REMOVED
    event = notice.events.order_by("-id").first()
    assert (event.actor, event.from_state, event.to_state) == (
        NoticeEvent.Actor.CUSTOMER,
        State.AWAITING_CUSTOMER,
        State.RESOLVED_BY_CUSTOMER,
    )
    sent = set(OutboxMessage.objects.values_list("template", "to"))
    assert ("ntd_resolved", "marieke@fotografie.example") in sent
    assert ("ntd_customer_resolved", website.client.contact_email) in sent
    # The case is closed, so the link has done its work.
    assert english.get(link).status_code == 404


def test_removed_needs_a_note(english, website):
    notice, link = awaiting(website)

    response = english.post(link, {"answer": "removed", "removed-note": "  "})

    assert response.status_code == 200
    assert "Say what you removed" in page_of(response)
    notice.refresh_from_db()
    assert notice.state == State.AWAITING_CUSTOMER


def test_the_client_disagrees_with_reasons_and_attachments(english, website):
    notice, link = awaiting(website)
    OutboxMessage.objects.all().delete()
    licence = SimpleUploadedFile("../licentie.pdf", PDF, content_type="application/pdf")

    response = english.post(
        link, {"answer": "disagrees", "disagrees-reasons": "Wij hebben een licentie.", "disagrees-files": [licence]}
    )

    assert response.status_code == 200
    page = page_of(response)
    assert "Thank you, we have received your answer" in page
    assert "ISI Media now assesses whether the material is manifestly unlawful" in page
    assert "licentie.pdf" in page
    notice.refresh_from_db()
    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.customer_response.kind == CustomerResponse.Kind.DISAGREES
    assert notice.assessment_deadline is not None
    [attachment] = notice.evidence.filter(party=Evidence.Party.CUSTOMER)
    assert attachment.original_name == "licentie.pdf" and attachment.content_type == "application/pdf"
    event = notice.events.order_by("-id").first()
    assert (event.actor, event.to_state, event.note) == (
        NoticeEvent.Actor.CUSTOMER,
        State.UNDER_ASSESSMENT,
        "Wij hebben een licentie.",
    )
    templates = set(OutboxMessage.objects.values_list("template", flat=True))
    assert {"ntd_assessment_started", "ntd_under_assessment"} <= templates

    # The link still works while ISI Media assesses; it shows the answer and no form.
    later = page_of(english.get(link))
    assert 'id="answer-given"' in later and "Wij hebben een licentie." in later
    assert 'id="form-removed"' not in later and 'id="form-disagrees"' not in later
    assert "licentie.pdf" in later


def test_disagreeing_needs_reasons_and_acceptable_files(english, website):
    notice, link = awaiting(website)
    program = SimpleUploadedFile("licentie.pdf", b"MZ\x90\x00\x03\x00\x00\x00", content_type="application/pdf")

    response = english.post(link, {"answer": "disagrees", "disagrees-reasons": "", "disagrees-files": [program]})

    page = page_of(response)
    assert response.status_code == 200
    assert "Give your reasons" in page
    assert "is not a PDF" in page
    notice.refresh_from_db()
    assert notice.state == State.AWAITING_CUSTOMER
    assert not notice.evidence.filter(party=Evidence.Party.CUSTOMER).exists()


def test_answering_twice_is_refused_with_a_clear_message(english, website):
    notice, link = awaiting(website)
    english.post(link, {"answer": "disagrees", "disagrees-reasons": "Wij hebben een licentie."})
    OutboxMessage.objects.all().delete()

    response = english.post(link, {"answer": "removed", "removed-note": "Toch maar verwijderd."})

    assert response.status_code == 409
    page = page_of(response)
    assert "You have already answered this complaint" in page
    assert "Wij hebben een licentie." in page
    assert 'id="form-removed"' not in page
    notice.refresh_from_db()
    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.customer_response.text == "Wij hebben een licentie."
    assert not OutboxMessage.objects.exists()


def test_after_the_deadline_moved_the_case_on_the_page_has_no_form(english, website):
    notice, link = awaiting(website)
    services.notice_customer_deadline_passed(notice_id=notice.pk, now=notice.customer_deadline + timedelta(minutes=1))

    page = page_of(english.get(link))
    assert 'id="form-removed"' not in page and 'id="form-disagrees"' not in page
    assert "We did not receive your answer before the deadline." in page
    assert "ISI Media is assessing the complaint" in page

    response = english.post(link, {"answer": "removed", "removed-note": "Nu wel verwijderd."})
    assert response.status_code == 409
    assert "The deadline for your answer has passed" in page_of(response)
    notice.refresh_from_db()
    assert notice.state == State.UNDER_ASSESSMENT
    assert not CustomerResponse.objects.filter(notice=notice).exists()


def test_a_post_without_a_choice_changes_nothing(english, website):
    notice, link = awaiting(website)
    assert english.post(link, {"removed-note": "?"}).status_code == 400
    notice.refresh_from_db()
    assert notice.state == State.AWAITING_CUSTOMER


# --- from the account, logged in -------------------------------------------------------------------------------


def contact_path(notice) -> str:
    return reverse("ntd_account:answer", kwargs={"reference": notice.reference})


def test_a_contact_answers_from_the_account_without_the_link(english, website):
    notice, _link = awaiting(website, files=[evidence_png()])
    contact = ClientContactFactory(client=website.client)
    english.force_login(contact.user)

    page = page_of(english.get(contact_path(notice)))
    assert f"Complaint {notice.reference}" in page and 'id="form-removed"' in page
    [evidence] = notice.evidence.all()
    evidence_path = reverse("ntd_account:evidence", kwargs={"reference": notice.reference, "evidence_id": evidence.pk})
    assert evidence_path in page
    assert english.get(evidence_path).status_code == 200

    response = english.post(contact_path(notice), {"answer": "removed", "removed-note": "Pagina verwijderd."})

    assert response.status_code == 200 and "Thank you, we have received your answer" in page_of(response)
    notice.refresh_from_db()
    assert notice.state == State.RESOLVED_BY_CUSTOMER
    # A closed case stays readable in the account, with the answer and without a form.
    closed = page_of(english.get(contact_path(notice)))
    assert "Closed: you removed the material" in closed and "Pagina verwijderd." in closed
    assert 'id="form-removed"' not in closed


def test_a_contact_of_another_client_gets_not_found(client, website):
    notice, _link = awaiting(website, files=[evidence_png()])
    [evidence] = notice.evidence.all()
    stranger = ClientContactFactory()
    client.force_login(stranger.user)

    assert client.get(contact_path(notice)).status_code == 404
    response = client.post(contact_path(notice), {"answer": "removed", "removed-note": "Weg."})
    assert response.status_code == 404
    evidence_path = reverse("ntd_account:evidence", kwargs={"reference": notice.reference, "evidence_id": evidence.pk})
    assert client.get(evidence_path).status_code == 404
    notice.refresh_from_db()
    assert notice.state == State.AWAITING_CUSTOMER


def test_staff_and_anonymous_visitors_do_not_get_the_account_route(client, website):
    notice, _link = awaiting(website)

    anonymous = client.get(contact_path(notice))
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))

    client.force_login(StaffUserFactory())
    assert client.get(contact_path(notice)).status_code == 404


# --- in a browser ----------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_client_answers_through_the_link_in_a_browser(new_page, screenshot, tmp_path):
    site = WebsiteFactory(host="korenschoof.example", client__language="en")
    notice, link = awaiting(site, files=[evidence_png()])
    licence = tmp_path / "licentie.pdf"
    licence.write_bytes(PDF)

    page = new_page(locale="nl-NL")
    page.goto(link)
    # The client's language, whatever the browser prefers.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Complaint {notice.reference}")
    screenshot(page, "ntd-answer-en")
    # The language switch works on this private page (its referrer policy keeps the CSRF check passing).
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Send: I disagree").click()
    expect(page.locator("#form-disagrees")).to_contain_text("Give your reasons")

    page.get_by_label("Why do you believe the material is not unlawful?").fill("Wij hebben een licentie.")
    page.get_by_label("Attachments (optional)").set_input_files(licence)
    page.get_by_role("button", name="Send: I disagree").click()

    expect(page.locator("#confirmation")).to_contain_text("Thank you, we have received your answer")
    expect(page.locator("#next-steps")).to_contain_text("ISI Media now assesses")
    screenshot(page, "ntd-answer-done-en")
    notice.refresh_from_db()
    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.evidence.filter(party=Evidence.Party.CUSTOMER, original_name="licentie.pdf").exists()


@pytest.mark.django_db
def test_the_account_lists_open_complaints_before_closed_ones():
    website = WebsiteFactory(host="korenschoof.example")
    closed, _ = make_case("resolved_by_customer", website=website)
    waiting, _ = make_case("awaiting_customer", website=website)
    assessed, _ = make_case("under_assessment", website=website)

    listed = list(notices_for_client(client=website.client))

    assert listed[-1] == closed
    assert set(listed[:2]) == {waiting, assessed}
