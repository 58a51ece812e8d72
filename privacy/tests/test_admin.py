"""The privacy admin as a privacy officer uses it: the queue, the request page, each step's form, the requester's
files, the data package preview, staff entry of a request, and what retention removed."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contracts.tests.factories import ClientFactory, StaffUserFactory, WebsiteFactory
from isimedia import roles
from isimedia.models import OutboxMessage
from isimedia.tests.staff import PortalClient, logged_in, staff_in
from isimedia.workdays import add_working_days, gdpr_due_date
from privacy import selectors, services
from privacy.models import (
    DataPackage,
    DataSubjectRequest,
    Relation,
    RequestEvent,
    RequestMessage,
    RetentionRecord,
    RetentionRun,
    Right,
    State,
)
from privacy.tests.factories import (
    AwaitingApprovalRequestFactory,
    AwaitingIdentityRequestFactory,
    CompletedRequestFactory,
    ConfirmedRequestFactory,
    OfficerFactory,
    RequesterFileFactory,
    RequestFactory,
    request_input,
)
from privacy.transitions import TRANSITIONS, allowed_transitions

pytestmark = pytest.mark.django_db

QUEUE = "admin:privacy_datasubjectrequest_changelist"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.fixture
def officer():
    return OfficerFactory(email="fatima@isimedia.example", first_name="Fatima", last_name="Bakker")


@pytest.fixture
def second_officer():
    return OfficerFactory(email="joost@isimedia.example", first_name="Joost", last_name="Smit")


@pytest.fixture
def officer_client(client, officer):
    return logged_in(client, officer)


def case_url(privacy_request) -> str:
    return reverse("admin:privacy_datasubjectrequest_change", args=[privacy_request.pk])


def step_url(privacy_request, name: str) -> str:
    return reverse("admin:privacy_datasubjectrequest_step", args=[privacy_request.pk, name])


def file_url(requester_file) -> str:
    return reverse("admin:privacy_datasubjectrequest_file", args=[requester_file.request_id, requester_file.pk])


def preview_url(privacy_request) -> str:
    return reverse("admin:privacy_datasubjectrequest_package_preview", args=[privacy_request.pk])


def references(response) -> list[str]:
    return [privacy_request.reference for privacy_request in response.context["cl"].result_list]


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def take(client, privacy_request, name: str, data: dict | None = None):
    """Post a step's form as the request page does, follow the redirect, and reload the request."""
    response = client.post(step_url(privacy_request, name), data or {}, follow=True)
    assert response.status_code == 200
    privacy_request.refresh_from_db()
    return response


def staff_entered(officer, **overrides) -> DataSubjectRequest:
    return services.request_submit(data=request_input(channel="phone", **overrides), entered_by=officer)


# --- the queue -------------------------------------------------------------------------------------------------


def test_the_queue_shows_days_left_as_a_coloured_badge_with_words(officer_client, english_messages):
    now = timezone.now()
    green = ConfirmedRequestFactory()
    amber = ConfirmedRequestFactory(due_on=add_working_days(now, 4).date())
    red = ConfirmedRequestFactory(due_on=add_working_days(now, 1).date())
    overdue = ConfirmedRequestFactory(due_on=timezone.localdate() - timedelta(days=3))
    paused = AwaitingIdentityRequestFactory()
    closed = CompletedRequestFactory()

    response = officer_client.get(reverse(QUEUE))

    html = response.text
    rows = {
        privacy_request.reference: row
        for privacy_request in response.context["cl"].result_list
        for row in re.findall(r"<tr>.*?</tr>", html, re.S)
        if privacy_request.reference in row
    }
    for privacy_request, colour in [
        (green, "green"),
        (amber, "amber"),
        (red, "red"),
        (overdue, "overdue"),
        (paused, "paused"),
    ]:
        status = selectors.deadline_status(privacy_request)
        assert status.colour == colour
        badge = re.search(
            r'<span class="privacy-badge privacy-badge-(\w+)"[^>]*>([^<]+)'
            r'<span class="privacy-badge-words">([^<]+)</span>',
            rows[privacy_request.reference],
        )
        # The colour, the due date, and beside them the same in words.
        assert badge.groups() == (colour, date_format(privacy_request.due_on, "D j M"), status.label)
    assert "3 days overdue" in rows[overdue.reference]
    assert "privacy-badge" not in rows[closed.reference]
    assert date_format(closed.due_on, "D j M") in rows[closed.reference]
    # Open requests first, the nearest due date first.
    assert references(response)[:3] == [overdue.reference, red.reference, amber.reference]
    assert references(response)[-1] == closed.reference


def test_unconfirmed_requests_are_hidden_until_the_filter_asks_for_them(officer_client):
    unconfirmed = RequestFactory()
    confirmed = ConfirmedRequestFactory()

    def found(**params):
        return set(references(officer_client.get(reverse(QUEUE), params)))

    assert found() == {confirmed.reference}
    assert found(state=State.UNCONFIRMED) == {unconfirmed.reference}
    assert found(state="all") == {unconfirmed.reference, confirmed.reference}


def test_the_queue_filters_by_state_right_relation_and_deadline(officer_client):
    now = timezone.now()
    soon = ConfirmedRequestFactory(due_on=add_working_days(now, 5).date())
    later = ConfirmedRequestFactory(right=Right.RECTIFICATION)
    overdue = ConfirmedRequestFactory(due_on=timezone.localdate() - timedelta(days=1), relation=Relation.CLIENT)
    paused = AwaitingIdentityRequestFactory(due_on=timezone.localdate() - timedelta(days=1))
    approval = AwaitingApprovalRequestFactory()
    closed = CompletedRequestFactory(due_on=timezone.localdate() - timedelta(days=1))

    def found(**params):
        return set(references(officer_client.get(reverse(QUEUE), params)))

    opened = {soon.reference, later.reference, overdue.reference, paused.reference, approval.reference}
    assert found(state="open") == opened
    assert found(state="closed") == {closed.reference}
    assert found(state=State.AWAITING_APPROVAL) == {approval.reference}
    assert found(right__exact=Right.RECTIFICATION) == {later.reference}
    assert found(right__exact=Right.ERASURE) == {approval.reference}
    assert found(relation__exact=Relation.CLIENT) == {overdue.reference}
    # Overdue and due soon count only running deadlines: a paused request is waiting for the requester.
    assert found(deadline="overdue") == {overdue.reference}
    assert found(deadline="soon") == {soon.reference}
    assert found(deadline="paused") == {paused.reference}
    assert officer_client.get(reverse(QUEUE), {"_facets": "True"}).status_code == 200


def test_the_queue_finds_a_request_by_reference_name_or_email(officer_client):
    sanne = ConfirmedRequestFactory(name="Sanne de Vries", email="sanne@voorbeeld.example")
    piet = ConfirmedRequestFactory(name="Piet Jansen", email="piet@elders.example")

    def found(query):
        return references(officer_client.get(reverse(QUEUE), {"q": query}))

    assert found(sanne.reference) == [sanne.reference]
    assert found("jansen") == [piet.reference]
    assert found("SANNE@voorbeeld") == [sanne.reference]


def test_the_queue_costs_a_bounded_number_of_queries(officer_client, django_assert_max_num_queries):
    def make(count):
        for index in range(count):
            factory = [ConfirmedRequestFactory, AwaitingIdentityRequestFactory, CompletedRequestFactory][index % 3]
            factory()

    make(3)
    officer_client.get(reverse(QUEUE))
    with CaptureQueriesContext(connection) as three:
        assert officer_client.get(reverse(QUEUE)).status_code == 200
    make(27)
    # The same for 3 requests as for 30: the days-left badges share one read of the company closing days.
    with django_assert_max_num_queries(len(three)):
        response = officer_client.get(reverse(QUEUE))
    assert len(references(response)) == 30


def test_requests_cannot_be_deleted(officer_client):
    privacy_request = ConfirmedRequestFactory()
    assert (
        officer_client.get(reverse("admin:privacy_datasubjectrequest_delete", args=[privacy_request.pk])).status_code
        == 403
    )


# --- the request page ------------------------------------------------------------------------------------------


def test_the_request_page_shows_the_request_read_only_with_its_deadline(officer_client, officer):
    privacy_request = staff_entered(
        officer,
        right=Right.RECTIFICATION,
        name="Sanne de Vries",
        description="Mijn achternaam is verkeerd gespeld in de klantgegevens.",
    )

    response = officer_client.get(case_url(privacy_request))

    assert response.status_code == 200
    html = response.text
    assert "Mijn achternaam is verkeerd gespeld" in html
    assert "Sanne de Vries" in html and privacy_request.email in html
    assert "entered by Fatima Bakker" in html
    assert 'id="deadline"' in html and 'class="privacy-badge privacy-badge-green"' in html
    assert [event.transition for event in response.context["events"]] == ["submit"]
    # Nothing the requester sent is a form field, and the page cannot be saved.
    assert 'name="description"' not in html and 'name="_save"' not in html
    assert officer_client.post(case_url(privacy_request), {"description": "Anders."}).status_code == 403
    privacy_request.refresh_from_db()
    assert privacy_request.description.startswith("Mijn achternaam")


@pytest.mark.parametrize(
    ("factory", "right"),
    [
        (ConfirmedRequestFactory, Right.ACCESS),
        (ConfirmedRequestFactory, Right.ERASURE),
        (ConfirmedRequestFactory, Right.RECTIFICATION),
        (AwaitingIdentityRequestFactory, Right.PORTABILITY),
        (AwaitingApprovalRequestFactory, Right.OBJECTION),
        (CompletedRequestFactory, Right.ACCESS),
        (RequestFactory, Right.ACCESS),
    ],
)
def test_the_request_page_offers_exactly_the_steps_that_apply_now(officer_client, factory, right):
    privacy_request = factory(right=right)

    html = officer_client.get(case_url(privacy_request)).text

    offered = {name for name in TRANSITIONS if step_url(privacy_request, name) in html}
    assert offered == {t.name for t in allowed_transitions(privacy_request.state, right)}
    assert (step_url(privacy_request, "extend") in html) == privacy_request.is_open
    assert (step_url(privacy_request, "message") in html) == privacy_request.is_open
    assert (preview_url(privacy_request) in html) == (
        privacy_request.is_open and right in (Right.ACCESS, Right.PORTABILITY)
    )


def test_a_step_that_no_longer_applies_is_refused_with_a_message(officer_client):
    privacy_request = CompletedRequestFactory()
    response = take(officer_client, privacy_request, "refuse", {"reasons": "Te laat."})
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert privacy_request.state == State.COMPLETED


# --- a request through the admin, step by step -----------------------------------------------------------------


def test_an_officer_takes_an_access_request_from_phone_call_to_data_package(officer_client, officer):
    # Entered on the officer's behalf of someone who phoned.
    received_at = timezone.localtime() - timedelta(days=2)
    response = officer_client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "right": Right.ACCESS,
            "relation": Relation.VISITOR,
            "hosted_url": "",
            "name": "Sanne de Vries",
            "email": "sanne@voorbeeld.example",
            "description": "Belde: wil weten welke gegevens wij van haar hebben.",
            "language": "nl",
            "channel": "phone",
            "received_at": received_at.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    privacy_request = DataSubjectRequest.objects.get()
    assert response.redirect_chain[-1][0] == case_url(privacy_request)
    assert privacy_request.state == State.RECEIVED
    assert (privacy_request.channel, privacy_request.entered_by) == ("phone", officer)
    assert privacy_request.received_at == received_at.replace(second=0, microsecond=0)
    assert privacy_request.due_on == gdpr_due_date(privacy_request.received_at)
    assert OutboxMessage.objects.filter(template="privacy_received", to="sanne@voorbeeld.example").exists()

    # A real doubt: ask for a masked copy of an ID; the deadline pauses.
    take(
        officer_client,
        privacy_request,
        "request_identity",
        {"doubt": "Het nummer waarmee zij belde hoort bij iemand anders.", "message": "Wilt u een kopie sturen?"},
    )
    assert privacy_request.state == State.AWAITING_IDENTITY and privacy_request.paused_since is not None
    assert RequestMessage.objects.get(request=privacy_request).asks_for_upload
    page = officer_client.get(case_url(privacy_request)).text
    assert "privacy-badge-paused" in page and "Wilt u een kopie sturen?" in page

    # The requester uploads; the officer opens the copy.
    uploaded = services.request_upload(
        request_id=privacy_request.pk, files=[SimpleUploadedFile("paspoort.pdf", PDF, "application/pdf")]
    )[0]
    assert file_url(uploaded) in officer_client.get(case_url(privacy_request)).text
    download = officer_client.get(file_url(uploaded))
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert "no-store" in download["Cache-Control"]

    # Identity checked: the copy is deleted, the row says so, the pause ends.
    take(officer_client, privacy_request, "identity_checked", {"note": "Naam en foto kloppen."})
    assert privacy_request.state == State.RECEIVED and privacy_request.paused_since is None
    uploaded.refresh_from_db()
    assert uploaded.deleted_at is not None and uploaded.encrypted_path == ""
    assert officer_client.get(file_url(uploaded)).status_code == 404
    page = officer_client.get(case_url(privacy_request)).text
    assert file_url(uploaded) not in page and "paspoort.pdf" in page

    # Extend once, with a reason.
    first_due = privacy_request.due_on
    take(officer_client, privacy_request, "extend", {"months": "1", "reason": "Gegevens in vijf systemen."})
    assert privacy_request.extension_months == 1 and privacy_request.due_on > first_due
    page = officer_client.get(case_url(privacy_request)).text
    assert "Gegevens in vijf systemen." in page
    assert step_url(privacy_request, "extend") not in page  # only once

    # A message to the requester.
    take(officer_client, privacy_request, "message", {"text": "Wij zijn ermee bezig."})
    assert RequestMessage.objects.filter(request=privacy_request, text="Wij zijn ermee bezig.").exists()

    # Check the package, then send it.
    preview = officer_client.get(preview_url(privacy_request))
    assert preview.status_code == 200 and preview["Content-Disposition"].startswith("attachment")
    assert "data.json" in zipfile.ZipFile(io.BytesIO(preview.content)).namelist()
    response = take(officer_client, privacy_request, "send_package")
    assert privacy_request.state == State.COMPLETED
    assert DataPackage.objects.filter(request=privacy_request).count() == 1
    assert [level for level, _text in messages_of(response)] == ["success"]
    assert 'id="packages"' in response.text
    assert OutboxMessage.objects.filter(template="privacy_package_ready", to=privacy_request.email).exists()
    steps = list(RequestEvent.objects.filter(request=privacy_request).values_list("transition", "user"))
    assert ("send_package", officer.pk) in steps and ("extend", officer.pk) in steps


def test_an_erasure_needs_a_second_officer(officer_client, officer, second_officer):
    privacy_request = staff_entered(officer, right=Right.ERASURE)

    take(officer_client, privacy_request, "propose_erasure", {"note": "Alles behalve de facturen."})
    assert privacy_request.state == State.AWAITING_APPROVAL and privacy_request.proposed_by == officer
    page = officer_client.get(case_url(privacy_request)).text
    assert 'id="erasure-plan"' in page
    assert "You proposed this erasure" in page
    plan = officer_client.get(case_url(privacy_request)).context["erasure_plan"]
    assert plan and {"label", "action", "reason"} <= set(plan[0])

    # The proposer's own approval is refused, with the reason on the form.
    response = officer_client.post(step_url(privacy_request, "approve_erasure"), {})
    assert response.status_code == 200
    assert "second privacy officer" in " ".join(response.context["form"].non_field_errors())
    privacy_request.refresh_from_db()
    assert privacy_request.state == State.AWAITING_APPROVAL and privacy_request.approved_by is None

    # A second officer approves.
    colleague = logged_in(PortalClient(), second_officer)
    response = take(colleague, privacy_request, "approve_erasure")
    assert privacy_request.state == State.COMPLETED and privacy_request.approved_by == second_officer
    assert 'id="erasure-result"' in response.text
    assert OutboxMessage.objects.filter(template="privacy_erasure_done").exists()


def test_an_officer_without_the_right_to_approve_erasures_is_not_offered_it(client, officer):
    privacy_request = AwaitingApprovalRequestFactory()
    colleague = StaffUserFactory()
    colleague.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="privacy", codename__in=["view_datasubjectrequest", "change_datasubjectrequest"]
        )
    )
    logged_in(client, colleague)
    html = client.get(case_url(privacy_request)).text
    assert step_url(privacy_request, "approve_erasure") not in html
    assert step_url(privacy_request, "reject_erasure") in html
    assert client.post(step_url(privacy_request, "approve_erasure")).status_code == 403
    privacy_request.refresh_from_db()
    assert privacy_request.state == State.AWAITING_APPROVAL


def test_sending_a_proposal_back(officer_client, second_officer):
    privacy_request = AwaitingApprovalRequestFactory()
    response = take(officer_client, privacy_request, "reject_erasure", {"reason": ""})
    assert response.context["form"].errors["reason"]
    take(officer_client, privacy_request, "reject_erasure", {"reason": "De facturen moeten blijven."})
    assert privacy_request.state == State.RECEIVED
    assert privacy_request.events.latest("at", "id").note == "De facturen moeten blijven."


def test_completing_a_rectification_with_the_reply(officer_client):
    privacy_request = ConfirmedRequestFactory(right=Right.RECTIFICATION)
    take(officer_client, privacy_request, "complete", {"reply": "Uw achternaam is aangepast naar De Vries."})
    assert privacy_request.state == State.COMPLETED
    assert privacy_request.reply == "Uw achternaam is aangepast naar De Vries."
    assert OutboxMessage.objects.filter(template="privacy_completed", to=privacy_request.email).exists()


def test_forwarding_preselects_the_client_of_the_hosted_website(officer_client):
    bakery = ClientFactory(name="Bakkerij Korenschoof", contact_email="info@korenschoof.example")
    WebsiteFactory(client=bakery, host="korenschoof.example")
    ClientFactory(name="Aaa Eerste Klant")
    privacy_request = ConfirmedRequestFactory(
        relation=Relation.HOSTED_SITE, hosted_url="https://www.korenschoof.example/team"
    )

    form = officer_client.get(step_url(privacy_request, "forward")).context["form"]
    assert form["client"].value() == bakery.pk
    panel_form = next(
        item["form"]
        for item in officer_client.get(case_url(privacy_request)).context["transitions"]
        if item["name"] == "forward"
    )
    assert panel_form["client"].value() == bakery.pk

    take(officer_client, privacy_request, "forward", {"client": bakery.pk, "note": ""})
    assert privacy_request.state == State.FORWARDED and privacy_request.forwarded_to == bakery
    assert OutboxMessage.objects.filter(template="privacy_forwarded_client", to="info@korenschoof.example").exists()


def test_refusing_needs_reasons(officer_client):
    privacy_request = ConfirmedRequestFactory()
    response = take(officer_client, privacy_request, "refuse", {"reasons": ""})
    assert response.context["form"].errors["reasons"]
    assert privacy_request.state == State.RECEIVED
    take(officer_client, privacy_request, "refuse", {"reasons": "Het tiende verzoek deze maand over hetzelfde."})
    assert privacy_request.state == State.REFUSED
    assert OutboxMessage.objects.filter(template="privacy_refused").exists()


def test_errors_are_shown_at_the_field_and_what_was_typed_stays(officer_client):
    privacy_request = ConfirmedRequestFactory()

    response = take(officer_client, privacy_request, "extend", {"months": "2", "reason": ""})

    form = response.context["form"]
    assert set(form.errors) == {"reason"}
    assert form["months"].value() == "2"
    assert 'class="form-row errors field-reason"' in response.text
    assert privacy_request.extension_months == 0

    response = take(officer_client, privacy_request, "request_identity", {"doubt": "", "message": "Graag een kopie."})
    assert response.context["form"].errors["doubt"]
    assert "Graag een kopie." in response.text
    assert privacy_request.state == State.RECEIVED


def test_an_error_of_the_service_is_shown_at_its_field(officer_client):
    response = officer_client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "right": Right.ERASURE,
            "relation": Relation.HOSTED_SITE,
            # The form takes any URL; the procedure wants a web address.
            "hosted_url": "ftp://bestanden.example/team.txt",
            "name": "Sanne de Vries",
            "email": "sanne@voorbeeld.example",
            "description": "Mijn foto staat op de teampagina.",
            "language": "en",
            "channel": "letter",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"hosted_url"}
    assert form["name"].value() == "Sanne de Vries"
    assert form["language"].value() == "en"
    assert not DataSubjectRequest.objects.exists()


# --- staff entry -----------------------------------------------------------------------------------------------


def test_staff_entry_refuses_a_moment_in_the_future(officer_client):
    response = officer_client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "right": Right.ACCESS,
            "relation": Relation.CLIENT,
            "name": "Piet Jansen",
            "email": "piet@klant.example",
            "description": "Brief van 3 maart.",
            "language": "nl",
            "channel": "letter",
            "received_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.context["form"].errors["received_at"]
    assert not DataSubjectRequest.objects.exists()


def test_staff_entry_of_a_duplicate_makes_no_second_case(officer_client, officer):
    existing = staff_entered(officer, email="sanne@voorbeeld.example")
    response = officer_client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "right": Right.ACCESS,
            "relation": Relation.VISITOR,
            "name": "Sanne de Vries",
            "email": "Sanne@Voorbeeld.example",
            "description": "Belt nogmaals.",
            "language": "nl",
            "channel": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert DataSubjectRequest.objects.count() == 1
    assert response.redirect_chain[-1][0] == case_url(existing)
    assert [level for level, _text in messages_of(response)] == ["warning"]


def test_staff_entry_confirms_a_request_the_person_did_not_confirm_online(officer_client):
    online = services.request_submit(data=request_input(email="sanne@voorbeeld.example"))
    assert online.state == State.UNCONFIRMED
    response = officer_client.post(
        reverse("admin:privacy_datasubjectrequest_add"),
        {
            "right": Right.ACCESS,
            "relation": Relation.VISITOR,
            "name": "Sanne de Vries",
            "email": "sanne@voorbeeld.example",
            "description": "Belt: heeft de bevestigingsmail niet gezien.",
            "language": "nl",
            "channel": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    online.refresh_from_db()
    assert online.state == State.RECEIVED
    assert DataSubjectRequest.objects.count() == 1
    assert response.redirect_chain[-1][0] == case_url(online)
    assert [level for level, _text in messages_of(response)] == ["warning"]


def test_the_add_page_offers_the_fields_for_a_phone_call_or_letter(officer_client):
    response = officer_client.get(reverse("admin:privacy_datasubjectrequest_add"))
    form = response.context["form"]
    assert list(form.fields) == [
        "right",
        "relation",
        "hosted_url",
        "name",
        "email",
        "description",
        "language",
        "channel",
        "received_at",
    ]
    assert {value for value, _label in form.fields["channel"].choices} == {"phone", "letter", "email"}


# --- who may see what ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("group", [roles.NTD_HANDLERS, roles.CONTRACT_MANAGERS])
def test_other_staff_get_no_privacy_request_and_no_identity_copy(client, group):
    requester_file = RequesterFileFactory()
    privacy_request = requester_file.request
    logged_in(client, staff_in(group))

    assert client.get(file_url(requester_file)).status_code == 403
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.get(case_url(privacy_request)).status_code == 403
    assert client.post(step_url(privacy_request, "refuse"), {"reasons": "Nee."}).status_code == 403
    assert client.get(preview_url(ConfirmedRequestFactory())).status_code == 403


def test_only_who_may_see_identity_documents_gets_the_file(client):
    requester_file = RequesterFileFactory()
    colleague = StaffUserFactory()
    colleague.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="privacy").exclude(codename="view_identity_document")
    )
    logged_in(client, colleague)

    page = client.get(case_url(requester_file.request)).text
    assert requester_file.original_name in page
    assert file_url(requester_file) not in page
    assert client.get(file_url(requester_file)).status_code == 403


def test_a_file_of_another_request_is_not_found(officer_client):
    requester_file = RequesterFileFactory()
    other = ConfirmedRequestFactory()
    url = reverse("admin:privacy_datasubjectrequest_file", args=[other.pk, requester_file.pk])
    assert officer_client.get(url).status_code == 404


def test_the_package_preview_is_only_for_access_and_portability(officer_client):
    assert officer_client.get(preview_url(ConfirmedRequestFactory(right=Right.ERASURE))).status_code == 404
    assert officer_client.get(preview_url(CompletedRequestFactory(right=Right.ACCESS))).status_code == 404
    response = officer_client.get(preview_url(ConfirmedRequestFactory(right=Right.PORTABILITY)))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


# --- retention -------------------------------------------------------------------------------------------------


def test_staff_see_what_retention_removed_and_change_nothing(officer_client):
    run = RetentionRun.objects.create(finished_at=timezone.now())
    RetentionRecord.objects.create(run=run, rule="privacy.unconfirmed", description="Onbevestigde verzoeken", count=3)
    RetentionRecord.objects.create(run=run, rule="ntd.cases", description="Afgehandelde NTD-zaken", count=2)

    runs = officer_client.get(reverse("admin:privacy_retentionrun_changelist"))
    assert runs.status_code == 200
    assert runs.context["cl"].result_list[0].removed_total == 5
    page = officer_client.get(reverse("admin:privacy_retentionrun_change", args=[run.pk]))
    assert "Onbevestigde verzoeken" in page.text and 'name="_save"' not in page.text
    records = officer_client.get(reverse("admin:privacy_retentionrecord_changelist"))
    assert "Afgehandelde NTD-zaken" in records.text
    assert officer_client.get(reverse("admin:privacy_retentionrun_add")).status_code == 403
    assert officer_client.get(reverse("admin:privacy_retentionrun_delete", args=[run.pk])).status_code == 403


@pytest.mark.parametrize("group", [roles.NTD_HANDLERS, roles.CONTRACT_MANAGERS])
def test_other_staff_do_not_see_privacy_e_mails_in_the_outbox(client, officer, group):
    RequestFactory(name="Sanne Geheim")
    services.request_submit(data=request_input(name="Sanne Geheim", email="sanne.geheim@voorbeeld.example"))
    outbox = reverse("admin:isimedia_outboxmessage_changelist")

    as_officer = logged_in(client, officer).get(outbox, {"q": "sanne.geheim"})
    assert "sanne.geheim@voorbeeld.example" in as_officer.content.decode()

    as_other = logged_in(client, staff_in(group)).get(outbox, {"q": "sanne.geheim"})
    assert as_other.status_code == 200
    assert "sanne.geheim@voorbeeld.example" not in as_other.content.decode()
