"""The NTD admin as staff use it: the queue, the case page, each step's form, evidence downloads and API keys."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ClientFactory, StaffUserFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from ntd import services
from ntd.errors import NtdError
from ntd.models import (
    ApiKey,
    Category,
    CustomerResponse,
    Evidence,
    Notice,
    NoticeEvent,
    SourceType,
    State,
    StatementOfReasons,
)
from ntd.tests.factories import handler, make_case, notice_input
from ntd.transitions import TRANSITIONS, allowed_transitions

pytestmark = pytest.mark.django_db

QUEUE = "admin:ntd_notice_changelist"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def staff():
    return handler(email="behandelaar@isimedia.example", first_name="Sanne", last_name="Visser")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def website():
    return WebsiteFactory(client=ClientFactory(name="Bakkerij De Korenschoof"), host="korenschoof.example")


def staff_with(*codenames):
    """A staff member with only the given ntd permissions."""
    user = StaffUserFactory()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="ntd", codename__in=codenames))
    return user


def case_url(notice) -> str:
    return reverse("admin:ntd_notice_change", args=[notice.pk])


def step_url(notice, name: str) -> str:
    return reverse("admin:ntd_notice_transition", args=[notice.pk, name])


def references(response) -> list[str]:
    return [notice.reference for notice in response.context["cl"].result_list]


def messages_of(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def received_with(**overrides) -> Notice:
    return services.notice_submit(data=notice_input(**overrides)).notice


# --- the queue -------------------------------------------------------------------------------------------------


def test_the_queue_shows_open_emergencies_and_trusted_flaggers_first_then_the_nearest_deadline(staff_client, staff):
    korenschoof = WebsiteFactory(host="korenschoof.example")
    closed, _ = make_case("taken_down", website=korenschoof, user=staff)
    later, _ = make_case("awaiting_customer", website=korenschoof, user=staff)
    overdue, _ = make_case("under_assessment", website=korenschoof, user=staff)
    Notice.objects.filter(pk=later.pk).update(next_deadline=timezone.now() + timedelta(hours=30))
    Notice.objects.filter(pk=overdue.pk).update(next_deadline=timezone.now() - timedelta(hours=1))
    new = received_with()
    emergency = received_with(is_emergency=True, emergency_reason="Concrete bedreiging.")
    api_key, _key = services.api_key_issue(
        name="Meldpunt", contact_email="api@meldpunt.example", trusted_flagger=True, user=staff
    )
    trusted = services.notice_submit(data=notice_input(), api_key=api_key).notice
    emergency_closed = received_with(is_emergency=True, emergency_reason="Was acuut.")
    services.notice_reject_not_hosted(notice_id=emergency_closed.pk, note="", user=staff)

    response = staff_client.get(reverse(QUEUE))

    assert references(response) == [
        emergency.reference,
        trusted.reference,
        overdue.reference,
        later.reference,
        new.reference,
        # closed cases last, newest first
        emergency_closed.reference,
        closed.reference,
    ]
    html = response.text
    assert html.count("ntd-mark-emergency") == 2
    assert html.count("ntd-mark-trusted") == 1


@pytest.mark.parametrize(("hours_left", "level"), [(30, "green"), (12, "amber"), (3, "red"), (-1, "overdue")])
def test_the_next_deadline_is_coloured_by_urgency(staff_client, staff, website, hours_left, level):
    notice, _ = make_case("awaiting_customer", website=website, user=staff)
    Notice.objects.filter(pk=notice.pk).update(next_deadline=timezone.now() + timedelta(hours=hours_left))

    html = staff_client.get(reverse(QUEUE)).text

    assert re.search(rf'class="ntd-deadline ntd-urgency-{level}"', html)
    assert "style=" not in html.split('id="result_list"')[1].split("</table>")[0]


def test_the_queue_filters_by_state_overdue_category_emergency_and_source(staff_client, staff, website):
    waiting, _ = make_case("awaiting_customer", website=website, user=staff)
    overdue, _ = make_case("under_assessment", website=website, user=staff)
    Notice.objects.filter(pk=overdue.pk).update(next_deadline=timezone.now() - timedelta(minutes=5))
    resolved, _ = make_case("resolved_by_customer", website=website, user=staff)
    scam = received_with(category=Category.SCAMS_FRAUD)
    emergency = received_with(is_emergency=True, emergency_reason="Acuut.")
    api_key, _key = services.api_key_issue(
        name="Meldpunt", contact_email="api@meldpunt.example", trusted_flagger=True, user=staff
    )
    trusted = services.notice_submit(data=notice_input(), api_key=api_key).notice

    def found(**params):
        return set(references(staff_client.get(reverse(QUEUE), params)))

    assert found(state="open") == {
        waiting.reference,
        overdue.reference,
        scam.reference,
        emergency.reference,
        trusted.reference,
    }
    assert found(state="closed") == {resolved.reference}
    assert found(state=State.AWAITING_CUSTOMER) == {waiting.reference}
    assert found(overdue="yes") == {overdue.reference}
    assert overdue.reference not in found(overdue="no")
    assert waiting.reference in found(overdue="no")
    assert found(category__exact=Category.SCAMS_FRAUD) == {scam.reference}
    assert found(is_emergency__exact="1") == {emergency.reference}
    assert found(source_type__exact=SourceType.TRUSTED_FLAGGER) == {trusted.reference}
    # With the admin's counts beside each filter choice.
    assert staff_client.get(reverse(QUEUE), {"_facets": "True"}).status_code == 200


def test_the_queue_finds_a_case_by_reference_url_or_complainant_email(staff_client):
    photo = received_with(urls=["https://www.korenschoof.example/recepten/gestolen-foto", "https://a.example/x"])
    other = received_with(urls=["https://spaak.example/fietsen"], complainant_email="Piet@Voorbeeld.example")

    def found(query):
        return references(staff_client.get(reverse(QUEUE), {"q": query}))

    assert found(photo.reference) == [photo.reference]
    assert found("gestolen-foto") == [photo.reference]  # a case with two URLs is listed once
    assert found("piet@voorbeeld") == [other.reference]


def test_the_queue_costs_the_same_for_2_and_30_cases(staff_client, staff, website, django_assert_max_num_queries):
    def make(count):
        for index in range(count):
            state = ["received", "awaiting_customer", "under_assessment"][index % 3]
            make_case(state, website=website, user=staff, is_emergency=index % 4 == 0, emergency_reason="Acuut.")

    make(2)
    staff_client.get(reverse(QUEUE))
    with CaptureQueriesContext(connection) as two:
        assert staff_client.get(reverse(QUEUE)).status_code == 200
    make(28)
    with django_assert_max_num_queries(len(two)):
        response = staff_client.get(reverse(QUEUE))
    assert len(references(response)) == 30


def test_staff_cannot_add_or_delete_notices(staff_client, staff):
    notice = received_with()
    assert staff_client.get(reverse("admin:ntd_notice_add")).status_code == 403
    assert staff_client.get(reverse("admin:ntd_notice_delete", args=[notice.pk])).status_code == 403


# --- the case page ---------------------------------------------------------------------------------------------


def test_the_case_page_shows_the_complaint_the_hosting_check_and_the_evidence(staff_client):
    WebsiteFactory(client=ClientFactory(name="Bakkerij De Korenschoof"), host="korenschoof.example")
    notice = received_with(
        urls=["https://www.korenschoof.example/recepten/gestolen-foto", "https://nergens.example/pagina"],
        complainant_phone="06 12345678",
        files=[SimpleUploadedFile("origineel.png", PNG, content_type="image/png")],
    )

    response = staff_client.get(case_url(notice))

    assert response.status_code == 200
    html = response.text
    assert "De foto op deze pagina is door mij gemaakt" in html
    assert "Marieke Jansen" in html and "marieke@fotografie.example" in html and "06 12345678" in html
    assert "E-mail aan info@korenschoof.example" in html  # how the owner was contacted
    hosting = {url.url: website for url, website in response.context["hosting"]}
    assert hosting["https://www.korenschoof.example/recepten/gestolen-foto"].client.name == "Bakkerij De Korenschoof"
    assert hosting["https://nergens.example/pagina"] is None
    assert "ntd-hosted-no" in html
    evidence = Evidence.objects.get(notice=notice)
    assert reverse("admin:ntd_notice_evidence", args=[notice.pk, evidence.pk]) in html
    # Nothing the complainant sent is a form field, and the page cannot be saved.
    assert 'name="explanation"' not in html and 'name="_save"' not in html
    assert staff_client.post(case_url(notice), {"explanation": "Anders."}).status_code == 403
    notice.refresh_from_db()
    assert notice.explanation.startswith("De foto op deze pagina")


def test_the_case_page_shows_the_timeline_the_answer_and_the_statement_of_reasons(staff_client, staff, website):
    notice, _ = make_case("taken_down", website=website, user=staff)

    response = staff_client.get(case_url(notice))

    html = response.text
    assert [event.to_state for event in response.context["events"]] == [
        State.RECEIVED,
        State.AWAITING_CUSTOMER,
        State.UNDER_ASSESSMENT,
        State.TAKEN_DOWN,
    ]
    assert "Sanne Visser" in html  # who took the staff steps
    assert "Wij hebben een licentie." in html  # the client's answer
    assert "Auteurswet art. 1 en 12" in html  # the statement of reasons
    assert "De pagina /recepten/gestolen-foto is onbereikbaar gemaakt" in html


def test_the_case_page_lists_other_open_cases_for_the_site_and_the_complainants_other_notices(
    staff_client, staff, website
):
    notice = received_with()
    same_site, _ = make_case("awaiting_customer", website=website, user=staff, complainant_email="ander@example.nl")
    same_url_new = received_with(complainant_email="derde@example.nl")
    closed_same_site, _ = make_case("taken_down", website=website, user=staff, complainant_email="vierde@example.nl")
    elsewhere = received_with(urls=["https://spaak.example/fietsen"], complainant_email="vijfde@example.nl")
    earlier = received_with(complainant_email="MARIEKE@fotografie.example", urls=["https://spaak.example/a"])
    services.notice_reject_incomplete(notice_id=earlier.pk, missing="De uitleg ontbreekt.", user=staff)

    response = staff_client.get(case_url(notice))

    related = {other.reference for other in response.context["related"]}
    assert related == {same_site.reference, same_url_new.reference}
    assert closed_same_site.reference not in related and elsewhere.reference not in related
    same_complainant = {other.reference: other.state for other in response.context["same_complainant"]}
    assert same_complainant[earlier.reference] == State.REJECTED_INCOMPLETE
    assert same_site.reference not in same_complainant


@pytest.mark.parametrize("state", [state.value for state in State])
def test_the_case_page_offers_exactly_the_steps_that_apply_now(staff_client, staff, website, state):
    notice, _ = make_case(state, website=website, user=staff)

    html = staff_client.get(case_url(notice)).text

    offered = {name for name in TRANSITIONS if step_url(notice, name) in html}
    assert offered == {transition.name for transition in allowed_transitions(state)}
    if state in (State.REJECTED_INCOMPLETE, State.TAKEN_DOWN, State.RESOLVED_BY_CUSTOMER):
        assert offered == set()


def test_a_superuser_sees_every_step_that_applies(admin_client):
    notice = received_with()
    html = admin_client.get(case_url(notice)).text
    assert {name for name in TRANSITIONS if step_url(notice, name) in html} == {
        "forward",
        "reject_incomplete",
        "reject_not_hosted",
        "emergency_take_down",
    }


def test_staff_without_the_right_to_decide_see_and_take_only_the_other_steps(client, staff, website):
    colleague = staff_with("view_notice", "change_notice")
    client.force_login(colleague)
    received = received_with()
    assessing, _ = make_case("under_assessment", website=website, user=staff)

    html = client.get(case_url(received)).text
    assert step_url(received, "forward") in html
    for name in ("reject_incomplete", "reject_not_hosted", "emergency_take_down"):
        assert step_url(received, name) not in html
    assert client.get(step_url(received, "reject_incomplete")).status_code == 403
    assert client.post(step_url(received, "reject_incomplete"), {"missing": "Alles."}).status_code == 403
    assert client.post(step_url(assessing, "reject_not_unlawful"), {"reason": "Nee."}).status_code == 403
    assert client.get(step_url(assessing, "take_down")).status_code == 403
    received.refresh_from_db()
    assessing.refresh_from_db()
    assert (received.state, assessing.state) == (State.RECEIVED, State.UNDER_ASSESSMENT)


def test_staff_who_may_only_view_cannot_forward_or_write_notes(client):
    client.force_login(staff_with("view_notice"))
    notice = received_with()
    assert client.get(case_url(notice)).status_code == 200
    assert client.get(step_url(notice, "forward")).status_code == 403
    assert client.post(reverse("admin:ntd_notice_note", args=[notice.pk]), {"text": "Hallo"}).status_code == 403


def test_staff_without_ntd_permissions_cannot_open_a_case(client):
    client.force_login(StaffUserFactory())
    notice = received_with()
    assert client.get(case_url(notice)).status_code == 403
    assert client.get(step_url(notice, "forward")).status_code == 403
    assert client.get(reverse(QUEUE)).status_code == 403


def test_the_case_page_costs_the_same_for_1_and_10_events_and_notes(
    staff_client, staff, website, django_assert_max_num_queries
):
    notice, _ = make_case("under_assessment", website=website, user=staff)
    services.notice_add_note(notice_id=notice.pk, text="Eerste notitie.", user=staff)
    staff_client.get(case_url(notice))
    with CaptureQueriesContext(connection) as first:
        assert staff_client.get(case_url(notice)).status_code == 200

    for index in range(9):
        services.notice_add_note(notice_id=notice.pk, text=f"Notitie {index}.", user=handler())
        services.notice_refer(notice_id=notice.pk, referred_to="Politie", reference=f"PL-{index}", user=handler())
        make_case("awaiting_customer", website=website, user=staff)  # other open cases for the same site
        received_with(urls=[f"https://elders{index}.example/"])  # more notices by the same complainant
    with django_assert_max_num_queries(len(first)):
        response = staff_client.get(case_url(notice))
    assert len(response.context["notes"]) == 10
    assert len(response.context["events"]) == 3 + 9


# --- the steps -------------------------------------------------------------------------------------------------


def last_event(notice) -> NoticeEvent:
    return NoticeEvent.objects.filter(notice=notice).latest("at", "id")


def take_step(client, notice, name, data, **extra):
    response = client.post(step_url(notice, name), data, follow=True, **extra)
    assert response.status_code == 200
    notice.refresh_from_db()
    return response


def decision_data(**overrides):
    return {
        "decision_visibility": StatementOfReasons.Visibility.DISABLED,
        "scope": "De pagina /recepten/gestolen-foto is onbereikbaar gemaakt.",
        "end_date": "",
        "decision_ground": StatementOfReasons.Ground.ILLEGAL,
        "legal_ground": "Auteurswet art. 1 en 12",
        "ground_explanation": "De foto is zonder toestemming van de maker openbaar gemaakt.",
        "decision_facts": "Melding van de maker met origineel bestand.",
        "content_date": "2026-10-01",
        "territorial_scope": "EEA",
        **overrides,
    }


def test_forwarding_warns_when_the_hosting_check_found_no_client(staff_client):
    notice = received_with(urls=["https://nergens.example/pagina"])
    response = staff_client.get(step_url(notice, "forward"))
    assert response.context["form"]["website"].value() is None
    assert 'class="ntd-warning"' in response.text


def test_forwarding_prefills_the_website_from_the_hosting_check_and_sends_the_case_to_the_client(
    staff_client, staff, website
):
    WebsiteFactory(host="aaa-eerder-in-het-alfabet.example")
    notice = received_with()

    form = staff_client.get(step_url(notice, "forward")).context["form"]
    assert form["website"].value() == website.pk

    response = take_step(staff_client, notice, "forward", {"website": website.pk})

    assert response.redirect_chain[-1][0] == case_url(notice)
    assert notice.state == State.AWAITING_CUSTOMER and notice.website == website
    event = last_event(notice)
    assert (event.from_state, event.to_state, event.user) == (State.RECEIVED, State.AWAITING_CUSTOMER, staff)
    assert [level for level, text in messages_of(response) if notice.reference in text] == ["success"]
    assert OutboxMessage.objects.filter(template="ntd_customer_forwarded", to=website.client.contact_email).exists()


def test_rejecting_as_incomplete_says_what_is_missing(staff_client, staff):
    notice = received_with()
    response = take_step(staff_client, notice, "reject_incomplete", {"missing": ""})
    assert response.context["form"].errors["missing"]
    assert notice.state == State.RECEIVED

    take_step(staff_client, notice, "reject_incomplete", {"missing": "De precieze URL ontbreekt."})

    assert notice.state == State.REJECTED_INCOMPLETE
    assert last_event(notice).note == "De precieze URL ontbreekt."
    assert last_event(notice).user == staff
    assert OutboxMessage.objects.filter(template="ntd_rejected_incomplete", to=notice.complainant_email).exists()


def test_rejecting_as_not_hosted(staff_client, staff):
    notice = received_with(urls=["https://nergens.example/"])
    take_step(staff_client, notice, "reject_not_hosted", {"note": "Gehost bij een andere partij."})
    assert notice.state == State.REJECTED_NOT_HOSTED
    assert (last_event(notice).note, last_event(notice).user) == ("Gehost bij een andere partij.", staff)


def test_recording_that_the_client_removed_the_material(staff_client, staff, website):
    notice, _ = make_case("awaiting_customer", website=website, user=staff)
    take_step(staff_client, notice, "resolve_by_customer", {"text": "Klant belde: foto verwijderd."})
    assert notice.state == State.RESOLVED_BY_CUSTOMER
    assert notice.customer_response.kind == CustomerResponse.Kind.REMOVED
    assert last_event(notice).user == staff


def test_recording_that_the_client_disagrees_starts_the_assessment_with_its_files(staff_client, staff, website):
    notice, _ = make_case("awaiting_customer", website=website, user=staff)
    take_step(
        staff_client,
        notice,
        "start_assessment",
        {
            "text": "Klant mailde een licentie.",
            "files": [
                SimpleUploadedFile("licentie.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
                SimpleUploadedFile("foto.png", PNG, "image/png"),
            ],
        },
    )
    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.customer_response.text == "Klant mailde een licentie."
    assert sorted(Evidence.objects.filter(notice=notice, party="customer").values_list("original_name", flat=True)) == [
        "foto.png",
        "licentie.pdf",
    ]
    assert notice.next_deadline == notice.assessment_deadline


def test_a_file_the_uploads_refuse_is_shown_on_the_form(staff_client, staff, website):
    notice, _ = make_case("awaiting_customer", website=website, user=staff)
    response = take_step(
        staff_client,
        notice,
        "start_assessment",
        {"text": "Zie bijlage.", "files": [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 60)]},
    )
    assert response.context["form"].errors["files"]
    assert notice.state == State.AWAITING_CUSTOMER


def test_taking_down_stores_the_statement_of_reasons(staff_client, staff, website):
    notice, _ = make_case("under_assessment", website=website, user=staff)

    form = staff_client.get(step_url(notice, "take_down")).context["form"]
    assert notice.reference in form["decision_facts"].value()  # a start: the notice the decision follows
    take_step(staff_client, notice, "take_down", decision_data())

    assert notice.state == State.TAKEN_DOWN
    statement = notice.statement_of_reasons
    assert statement.legal_ground == "Auteurswet art. 1 en 12"
    assert statement.content_date.isoformat() == "2026-10-01"
    assert statement.end_date is None
    assert (statement.automated_detection, statement.automated_decision) == (False, False)
    assert last_event(notice).user == staff
    assert OutboxMessage.objects.filter(template="ntd_customer_taken_down").exists()


def test_a_take_down_without_its_reasons_is_refused_on_the_form(staff_client, staff, website):
    notice, _ = make_case("under_assessment", website=website, user=staff)
    response = take_step(staff_client, notice, "take_down", decision_data(legal_ground="", end_date="2020-01-01"))
    assert set(response.context["form"].errors) == {"legal_ground", "end_date"}
    assert notice.state == State.UNDER_ASSESSMENT


def test_an_emergency_take_down_of_a_new_case_asks_for_the_website(staff_client, staff, website):
    notice = received_with(is_emergency=True, emergency_reason="Concrete bedreiging.")
    form = staff_client.get(step_url(notice, "emergency_take_down")).context["form"]
    assert form["website"].value() == website.pk

    response = take_step(staff_client, notice, "emergency_take_down", decision_data(reason="Acuut gevaar."))
    assert response.context["form"].errors["website"]
    assert notice.state == State.RECEIVED

    take_step(staff_client, notice, "emergency_take_down", decision_data(reason="Acuut gevaar.", website=website.pk))
    assert notice.state == State.TAKEN_DOWN and notice.website == website
    assert last_event(notice).note == "Acuut gevaar."


def test_an_emergency_take_down_of_a_forwarded_case_keeps_its_website(staff_client, staff, website):
    notice, _ = make_case("awaiting_customer", website=website, user=staff)
    assert "website" not in staff_client.get(step_url(notice, "emergency_take_down")).context["form"].fields
    take_step(staff_client, notice, "emergency_take_down", decision_data(reason="Acuut gevaar."))
    assert notice.state == State.TAKEN_DOWN and notice.website == website


def test_rejecting_as_not_manifestly_unlawful(staff_client, staff, website):
    notice, _ = make_case("under_assessment", website=website, user=staff)
    take_step(staff_client, notice, "reject_not_unlawful", {"reason": "De klant toonde een licentie."})
    assert notice.state == State.REJECTED_NOT_UNLAWFUL
    assert notice.decision_reason == "De klant toonde een licentie."
    assert OutboxMessage.objects.filter(template="ntd_customer_rejected").exists()


@pytest.mark.parametrize(
    ("state", "name", "data"),
    [
        ("awaiting_customer", "forward", {}),
        ("under_assessment", "reject_incomplete", {"missing": "x"}),
        ("received", "take_down", decision_data()),
        ("received", "resolve_by_customer", {"text": "Weg."}),
        ("taken_down", "emergency_take_down", decision_data(reason="x")),
        ("rejected_not_hosted", "reject_not_unlawful", {"reason": "x"}),
    ],
)
def test_a_step_that_does_not_apply_now_is_refused_with_a_message(staff_client, staff, website, state, name, data):
    notice, _ = make_case(state, website=website, user=staff)
    events = NoticeEvent.objects.filter(notice=notice).count()

    for response in (
        staff_client.get(step_url(notice, name), follow=True),
        take_step(staff_client, notice, name, data),
    ):
        assert response.redirect_chain[-1][0] == case_url(notice)
        assert [level for level, text in messages_of(response) if notice.reference in text] == ["error"]

    assert notice.state == state
    assert NoticeEvent.objects.filter(notice=notice).count() == events


def test_a_refusal_by_the_service_is_shown_on_the_form(staff_client, website, monkeypatch):
    notice = received_with()

    def refuse(**kwargs):
        raise NtdError({"website": "Deze website hoort bij een opgezegd contract."})

    monkeypatch.setattr(services, "notice_forward", refuse)
    response = take_step(staff_client, notice, "forward", {"website": website.pk})

    assert response.context["form"].errors["website"] == ["Deze website hoort bij een opgezegd contract."]
    assert notice.state == State.RECEIVED


def test_an_unknown_step_is_not_found(staff_client):
    notice = received_with()
    assert staff_client.get(step_url(notice, "delete_everything")).status_code == 404


# --- notes and referrals ---------------------------------------------------------------------------------------


def test_staff_add_an_internal_note(staff_client, staff):
    notice = received_with()
    url = reverse("admin:ntd_notice_note", args=[notice.pk])

    response = staff_client.post(url, {"text": "Melder gebeld."}, follow=True)

    assert [(note.text, note.author) for note in response.context["notes"]] == [("Melder gebeld.", staff)]
    response = staff_client.post(url, {"text": "  "}, follow=True)
    assert [level for level, _text in messages_of(response)] == ["error"]
    assert len(response.context["notes"]) == 1


def test_staff_record_a_referral_to_the_police(staff_client, staff, website):
    notice, _ = make_case("awaiting_customer", website=website, user=staff)

    response = staff_client.post(
        reverse("admin:ntd_notice_refer", args=[notice.pk]),
        {"referred_to": "Politie", "reference": "PL0900-2026123456"},
        follow=True,
    )

    notice.refresh_from_db()
    assert (notice.referred_to, notice.referral_reference) == ("Politie", "PL0900-2026123456")
    assert notice.referred_at is not None and notice.state == State.AWAITING_CUSTOMER
    assert "PL0900-2026123456" in last_event(notice).note
    assert "PL0900-2026123456" in response.text
    refused = staff_client.post(reverse("admin:ntd_notice_refer", args=[notice.pk]), {"referred_to": "De buren"})
    assert refused.status_code == 302
    notice.refresh_from_db()
    assert notice.referred_to == "Politie"


# --- evidence --------------------------------------------------------------------------------------------------


def evidence_case():
    notice = received_with(files=[SimpleUploadedFile("bewijs <1>.html", b"<script>alert(1)</script>", "text/html")])
    return notice, Evidence.objects.get(notice=notice)


def test_evidence_is_downloaded_as_an_attachment_never_rendered(staff_client):
    notice, evidence = evidence_case()

    response = staff_client.get(reverse("admin:ntd_notice_evidence", args=[notice.pk, evidence.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"  # text/html is never served as such
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_evidence_needs_the_right_to_view_notices(client):
    notice, evidence = evidence_case()
    url = reverse("admin:ntd_notice_evidence", args=[notice.pk, evidence.pk])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(StaffUserFactory())
    assert client.get(url).status_code == 403
    client.force_login(staff_with("view_notice"))
    assert client.get(url).status_code == 200


def test_evidence_is_only_found_under_its_own_case(staff_client):
    _notice, evidence = evidence_case()
    other = received_with()
    assert staff_client.get(reverse("admin:ntd_notice_evidence", args=[other.pk, evidence.pk])).status_code == 404


# --- API keys --------------------------------------------------------------------------------------------------


def test_issuing_an_api_key_shows_it_once_and_stores_only_its_hash(staff_client, staff):
    response = staff_client.post(
        reverse("admin:ntd_apikey_add"),
        {"name": "Stichting Meldpunt", "contact_email": "api@meldpunt.example", "trusted_flagger": "on"},
        follow=True,
    )

    api_key = ApiKey.objects.get()
    key = re.search(r'<code class="ntd-api-key">([^<]+)</code>', response.text).group(1)
    assert api_key.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert api_key.prefix == key[:8] and len(key) >= 43
    assert (api_key.trusted_flagger, api_key.created_by) == (True, staff)
    assert response.redirect_chain[-1][0] == reverse("admin:ntd_apikey_change", args=[api_key.pk])
    # Never again: not on its page, not in the list.
    assert key not in staff_client.get(reverse("admin:ntd_apikey_change", args=[api_key.pk])).text
    assert key not in staff_client.get(reverse("admin:ntd_apikey_changelist")).text


def test_a_key_issued_in_the_admin_works_for_the_api_until_it_is_deactivated(client, staff_client):
    response = staff_client.post(
        reverse("admin:ntd_apikey_add"),
        {"name": "Stichting Meldpunt", "contact_email": "api@meldpunt.example", "trusted_flagger": "on"},
        follow=True,
    )
    key = re.search(r'<code class="ntd-api-key">([^<]+)</code>', response.text).group(1)
    body = {
        "urls": ["https://www.korenschoof.example/recepten/gestolen-foto"],
        "category": "intellectual_property",
        "explanation": "De foto op deze pagina is door mij gemaakt en zonder toestemming overgenomen.",
        "complainant": {"name": "Marieke Jansen", "email": "marieke@fotografie.example"},
        "owner_contact": {"status": "no_details", "result": "Geen contactgegevens op de website."},
        "declarations": {"good_faith": True, "identity_disclosure_accepted": True},
    }

    def post():
        return client.post(
            reverse("ntd_api:api_notices"),
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )

    assert post().status_code == 201
    assert Notice.objects.get().source_type == SourceType.TRUSTED_FLAGGER
    ApiKey.objects.update(is_active=False)
    assert post().status_code == 401


def test_an_issued_key_is_refused_without_a_name(staff_client):
    response = staff_client.post(reverse("admin:ntd_apikey_add"), {"name": "", "contact_email": "geen-adres"})
    assert set(response.context["form"].errors) == {"name", "contact_email"}
    assert not ApiKey.objects.exists()


def test_issuing_api_keys_needs_its_own_permission(client):
    client.force_login(staff_with("view_apikey", "add_apikey", "change_apikey"))
    assert client.get(reverse("admin:ntd_apikey_add")).status_code == 403
    assert (
        client.post(reverse("admin:ntd_apikey_add"), {"name": "X", "contact_email": "x@x.example"}).status_code == 403
    )
    assert not ApiKey.objects.exists()


def test_an_api_key_can_be_deactivated_but_not_deleted(staff_client, staff):
    api_key, _key = services.api_key_issue(
        name="Meldpunt", contact_email="api@meldpunt.example", trusted_flagger=False, user=staff
    )
    response = staff_client.post(
        reverse("admin:ntd_apikey_change", args=[api_key.pk]),
        {"name": "Meldpunt", "contact_email": "api@meldpunt.example", "trusted_flagger": "", "is_active": ""},
    )
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.is_active is False
    assert staff_client.get(reverse("admin:ntd_apikey_delete", args=[api_key.pk])).status_code == 403


def test_the_api_key_list_costs_the_same_for_2_and_20_keys(staff_client, staff, django_assert_max_num_queries):
    def make(count):
        for index in range(count):
            api_key, _key = services.api_key_issue(
                name=f"Organisatie {index}", contact_email="api@x.example", trusted_flagger=False, user=staff
            )
            services.notice_submit(data=notice_input(), api_key=api_key)

    make(2)
    url = reverse("admin:ntd_apikey_changelist")
    staff_client.get(url)
    with CaptureQueriesContext(connection) as two:
        staff_client.get(url)
    make(18)
    with django_assert_max_num_queries(len(two)):
        response = staff_client.get(url)
    assert [api_key.notice_count for api_key in response.context["cl"].result_list] == [1] * 20
