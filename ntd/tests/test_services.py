"""The NTD services: submitting a notice and every transition, with the event it writes and the e-mail it sends."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from contracts.tests.factories import ClientContactFactory, ClientFactory, UserFactory, WebsiteFactory
from isimedia.models import ClosingDay, OutboxMessage
from isimedia.tokens import new_token, token_hash
from isimedia.workdays import add_working_days
from ntd import selectors, services
from ntd.errors import NtdError
from ntd.models import (
    ApiKey,
    Capacity,
    CustomerResponse,
    Evidence,
    InternalNote,
    Notice,
    NoticeEvent,
    OwnerContact,
    SourceType,
    State,
    StatementOfReasons,
)
from ntd.tests.factories import decision, handler, make_case, notice_input

AMS = ZoneInfo("Europe/Amsterdam")
COMPLAINANT = "marieke@fotografie.example"
CLIENT = ["anna@korenschoof.example", "info@korenschoof.example"]  # contact address and active portal contact
HANDLERS = ["behandelaar@isimedia.example", "collega@isimedia.example"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    first = handler(email=HANDLERS[0])
    handler(email=HANDLERS[1])
    return first


@pytest.fixture
def website():
    client = ClientFactory(contact_email="Info@Korenschoof.example", language="nl")
    ClientContactFactory(client=client, user=UserFactory(email=CLIENT[0]))
    ClientContactFactory(client=client, user=UserFactory(email="vertrokken@korenschoof.example", is_active=False))
    return WebsiteFactory(client=client, host="korenschoof.example")


def case(state, staff, website, **overrides):
    """A case in ``state``, made through the services; the e-mails that took are forgotten."""
    notice, token = make_case(state, user=staff, website=website, **overrides)
    OutboxMessage.objects.all().delete()
    return Notice.objects.get(pk=notice.pk), token


def mails() -> list[tuple[str, str]]:
    return sorted(OutboxMessage.objects.values_list("template", "to"))


def expected(*groups: tuple[str, list[str]]) -> list[tuple[str, str]]:
    return sorted((template, to) for template, recipients in groups for to in recipients)


def assert_mails_name(notice):
    """Every e-mail about a case says which case it is about."""
    for message in OutboxMessage.objects.all():
        assert notice.reference in message.subject + message.body_text, message.template


def last_event(notice) -> tuple:
    event = NoticeEvent.objects.filter(notice=notice).order_by("id").last()
    return event.actor, event.user, event.from_state, event.to_state, event.note


def at(monkeypatch, moment: datetime) -> datetime:
    """Let the services believe it is ``moment`` (only the clock: every service and query still runs for real)."""
    monkeypatch.setattr(services.timezone, "now", lambda: moment)
    return moment


def ams(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


# --- submitting ------------------------------------------------------------------------------------------------


def test_submit_stores_the_notice_confirms_it_and_tells_the_handlers(staff):
    submitted = services.notice_submit(
        data=notice_input(
            files=[SimpleUploadedFile("origineel.jpg", b"\xff\xd8\xff jpeg", content_type="image/jpeg")],
            complainant_email=" marieke@fotografie.example ",
            explanation="  Mijn foto.  ",
        )
    )
    notice = Notice.objects.get(pk=submitted.notice.pk)

    assert notice.state == State.RECEIVED
    assert notice.source_type == SourceType.ARTICLE_16
    assert notice.complainant_email == COMPLAINANT
    assert notice.explanation == "Mijn foto."
    assert notice.next_deadline is None and notice.website is None
    assert [(e.party, e.original_name, e.size) for e in notice.evidence.all()] == [
        (Evidence.Party.COMPLAINANT, "origineel.jpg", 8)
    ]
    assert last_event(notice) == (NoticeEvent.Actor.COMPLAINANT, None, "", State.RECEIVED, "")
    assert mails() == expected(("ntd_received", [COMPLAINANT]), ("ntd_new_notice", HANDLERS))
    assert_mails_name(notice)


def test_without_handlers_the_new_notice_goes_to_the_staff_address(settings):
    services.notice_submit(data=notice_input())
    assert mails() == expected(("ntd_received", [COMPLAINANT]), ("ntd_new_notice", [settings.STAFF_EMAIL]))


def test_references_are_consecutive_per_year_in_amsterdam_time(monkeypatch):
    first = services.notice_submit(data=notice_input()).notice
    second = services.notice_submit(data=notice_input()).notice
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"NTD-{year}-00001", f"NTD-{year}-00002")

    # 23:30 UTC on New Year's Eve is already the new year in Amsterdam: the count starts again.
    at(monkeypatch, datetime(2030, 12, 31, 23, 30, tzinfo=UTC))
    assert services.notice_submit(data=notice_input()).notice.reference == "NTD-2031-00001"


def test_urls_are_matched_to_hosted_websites_with_www_and_subdomains(website):
    other = WebsiteFactory(host="spaak.example")
    notice = services.notice_submit(
        data=notice_input(
            urls=[
                "https://www.korenschoof.example/recepten/gestolen-foto",
                "https://winkel.korenschoof.example/product/7",
                "http://SPAAK.example/fietsen",
                "https://elders.example/pagina",
            ]
        )
    ).notice

    assert [(u.host, u.website) for u in notice.urls.order_by("id")] == [
        ("korenschoof.example", website),
        ("winkel.korenschoof.example", website),
        ("spaak.example", other),
        ("elders.example", None),
    ]
    # The match is a suggestion: staff confirm the website when they forward.
    assert Notice.objects.get(pk=notice.pk).website is None


@pytest.mark.parametrize("state", ["rejected_incomplete", "rejected_not_hosted", "rejected_not_unlawful"])
def test_a_rejected_notice_can_be_filed_again_and_the_new_one_links_to_it(state, staff, website):
    old, _ = case(state, staff, website)
    new = services.notice_submit(data=notice_input(previous_reference=f" {old.reference.lower()} ")).notice
    assert new.previous_notice == old
    assert list(old.refiled_as.all()) == [new]


@pytest.mark.parametrize("state", ["received", "awaiting_customer", "taken_down", "resolved_by_customer"])
def test_only_a_rejected_notice_is_linked_as_the_earlier_one(state, staff, website):
    old, _ = case(state, staff, website)
    new = services.notice_submit(data=notice_input(previous_reference=old.reference)).notice
    assert new.previous_notice is None
    unknown = services.notice_submit(data=notice_input(previous_reference="NTD-1999-00001")).notice
    assert unknown.previous_notice is None


@pytest.mark.parametrize(
    "overrides, fields",
    [
        ({"urls": []}, {"urls"}),
        ({"owner_contact": OwnerContact.NOT_CONTACTED}, {"owner_contact"}),
        (
            {"owner_contacted_on": None, "owner_contact_how": " ", "owner_contact_result": ""},
            {"owner_contacted_on", "owner_contact_how", "owner_contact_result"},
        ),
        ({"owner_contact": OwnerContact.NO_DETAILS, "owner_contact_result": ""}, {"owner_contact_result"}),
        ({"good_faith": False}, {"good_faith"}),
        ({"identity_disclosure_accepted": False}, {"identity_disclosure_accepted"}),
        ({"good_faith": False, "identity_disclosure_accepted": False}, {"good_faith", "identity_disclosure_accepted"}),
        ({"is_emergency": True, "emergency_reason": "  "}, {"emergency_reason"}),
        ({"capacity": Capacity.ORGANISATION}, {"on_behalf_of"}),
        ({"capacity": Capacity.REPRESENTATIVE, "on_behalf_of": " "}, {"on_behalf_of"}),
    ],
)
def test_an_invalid_notice_is_refused_field_by_field_and_nothing_is_stored(overrides, fields, staff):
    with pytest.raises(NtdError) as refused:
        services.notice_submit(data=notice_input(**overrides))
    assert set(refused.value.message_dict) == fields
    assert all(messages and all(messages) for messages in refused.value.message_dict.values())
    assert not Notice.objects.exists()
    assert not OutboxMessage.objects.exists()
    # No reference was used up.
    assert services.notice_submit(data=notice_input()).notice.reference.endswith("-00001")


def test_owner_without_contact_details_and_a_representative_are_accepted():
    notice = services.notice_submit(
        data=notice_input(
            owner_contact=OwnerContact.NO_DETAILS,
            owner_contacted_on=None,
            owner_contact_how="",
            owner_contact_result="Geen contactpagina, geen WHOIS-gegevens.",
            capacity=Capacity.REPRESENTATIVE,
            on_behalf_of="Fotostudio Jansen",
        )
    ).notice
    assert (notice.owner_contact, notice.on_behalf_of) == (OwnerContact.NO_DETAILS, "Fotostudio Jansen")


def test_emergency_reason_is_kept_only_for_an_emergency():
    emergency = services.notice_submit(data=notice_input(is_emergency=True, emergency_reason=" Adres en dreiging. "))
    ordinary = services.notice_submit(data=notice_input(is_emergency=False, emergency_reason="Haast."))
    assert (emergency.notice.is_emergency, emergency.notice.emergency_reason) == (True, "Adres en dreiging.")
    assert (ordinary.notice.is_emergency, ordinary.notice.emergency_reason) == (False, "")


@pytest.mark.parametrize("trusted, source", [(True, SourceType.TRUSTED_FLAGGER), (False, SourceType.ARTICLE_16)])
def test_a_trusted_flaggers_api_key_marks_its_notices(trusted, source):
    key, key_hash = new_token()
    api_key = ApiKey.objects.create(
        name="Stichting Merkbescherming",
        contact_email="api@merk.example",
        prefix=key[:8],
        key_hash=key_hash,
        trusted_flagger=trusted,
    )
    notice = services.notice_submit(data=notice_input(), api_key=api_key).notice
    assert (notice.source_type, notice.api_key) == (source, api_key)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_the_tracking_link_is_sent_but_only_its_hash_is_stored():
    submitted = services.notice_submit(data=notice_input())
    token = submitted.tracking_token
    notice = Notice.objects.get(pk=submitted.notice.pk)

    assert notice.tracking_token_hash == token_hash(token) != token
    stored = Notice.objects.filter(pk=notice.pk).values().get()
    assert not any(token in str(value) for value in stored.values())
    confirmation = OutboxMessage.objects.get(template="ntd_received")
    assert confirmation.sensitive
    assert services.tracking_url(token) in confirmation.body_text
    assert selectors.notice_for_tracking_token(token) == notice
    assert selectors.notice_for_tracking_token(token + "x") is None


# --- transitions, one by one -----------------------------------------------------------------------------------


def test_forward_gives_the_client_the_complaint_a_private_link_and_two_working_days(staff, website):
    notice, _ = case("received", staff, website)
    services.notice_forward(notice_id=notice.pk, website=website, user=staff)
    notice.refresh_from_db()

    assert notice.state == State.AWAITING_CUSTOMER
    assert notice.website == website
    assert notice.customer_deadline == add_working_days(notice.forwarded_at, 2) == notice.next_deadline
    assert last_event(notice) == (NoticeEvent.Actor.STAFF, staff, State.RECEIVED, State.AWAITING_CUSTOMER, "")
    assert mails() == expected(("ntd_customer_forwarded", CLIENT), ("ntd_forwarded", [COMPLAINANT]))
    assert_mails_name(notice)

    # Each client address gets the same single-purpose link; only its hash is stored.
    prefix = re.escape(services.customer_url("TOKEN").removesuffix("TOKEN/"))
    tokens = set()
    for message in OutboxMessage.objects.filter(template="ntd_customer_forwarded"):
        assert message.sensitive and message.language == "nl"
        tokens.update(re.findall(prefix + r"([A-Za-z0-9_-]{20,})/", message.body_text))
    assert len(tokens) == 1
    (token,) = tokens
    assert notice.customer_token_hash == token_hash(token)
    assert selectors.notice_for_customer_token(token) == notice
    # The link is the client's alone: it is not in the complainant's e-mail.
    assert token not in OutboxMessage.objects.get(template="ntd_forwarded").body_text


def test_reject_incomplete_tells_the_complainant_what_was_missing(staff, website):
    notice, _ = case("received", staff, website)
    services.notice_reject_incomplete(notice_id=notice.pk, missing=" De exacte URL ontbreekt. ", user=staff)
    notice.refresh_from_db()

    assert notice.state == State.REJECTED_INCOMPLETE
    assert notice.decision_reason == "De exacte URL ontbreekt." and notice.decided_at is not None
    assert last_event(notice) == (
        NoticeEvent.Actor.STAFF,
        staff,
        State.RECEIVED,
        State.REJECTED_INCOMPLETE,
        "De exacte URL ontbreekt.",
    )
    assert mails() == expected(("ntd_rejected_incomplete", [COMPLAINANT]))
    assert "De exacte URL ontbreekt." in OutboxMessage.objects.get().body_text
    assert_mails_name(notice)


def test_reject_not_hosted_tells_only_the_complainant(staff, website):
    notice, _ = case("received", staff, website)
    services.notice_reject_not_hosted(notice_id=notice.pk, note="Gehost bij een andere partij.", user=staff)
    notice.refresh_from_db()

    assert notice.state == State.REJECTED_NOT_HOSTED
    assert notice.decided_at is not None and notice.next_deadline is None
    assert last_event(notice) == (
        NoticeEvent.Actor.STAFF,
        staff,
        State.RECEIVED,
        State.REJECTED_NOT_HOSTED,
        "Gehost bij een andere partij.",
    )
    assert mails() == expected(("ntd_rejected_not_hosted", [COMPLAINANT]))
    assert_mails_name(notice)


@pytest.mark.parametrize("by_staff", [False, True], ids=["client-link", "staff"])
def test_client_removed_the_material_resolves_the_case_and_tells_both(by_staff, staff, website):
    notice, _ = case("awaiting_customer", staff, website)
    user = staff if by_staff else None
    services.notice_customer_removed(notice_id=notice.pk, text=" Foto verwijderd. ", user=user)
    notice.refresh_from_db()

    assert notice.state == State.RESOLVED_BY_CUSTOMER
    assert notice.next_deadline is None and notice.decided_at is not None
    assert (notice.customer_response.kind, notice.customer_response.text) == (
        CustomerResponse.Kind.REMOVED,
        "Foto verwijderd.",
    )
    actor = NoticeEvent.Actor.STAFF if by_staff else NoticeEvent.Actor.CUSTOMER
    assert last_event(notice) == (actor, user, State.AWAITING_CUSTOMER, State.RESOLVED_BY_CUSTOMER, "Foto verwijderd.")
    assert mails() == expected(("ntd_resolved", [COMPLAINANT]), ("ntd_customer_resolved", CLIENT))
    assert_mails_name(notice)


def test_client_disagrees_starts_the_assessment_with_its_reasons_and_files(staff, website):
    notice, tracking_token = case("awaiting_customer", staff, website)
    files = [SimpleUploadedFile("licentie.pdf", b"%PDF-1.4 licentie", content_type="application/pdf")]
    services.notice_customer_disagrees(notice_id=notice.pk, text="Wij hebben een licentie.", files=files)
    notice.refresh_from_db()

    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.assessment_deadline == add_working_days(notice.assessment_started_at, 2) == notice.next_deadline
    assert notice.customer_response.kind == CustomerResponse.Kind.DISAGREES
    assert [(e.party, e.original_name) for e in notice.evidence.filter(party=Evidence.Party.CUSTOMER)] == [
        (Evidence.Party.CUSTOMER, "licentie.pdf")
    ]
    assert last_event(notice) == (
        NoticeEvent.Actor.CUSTOMER,
        None,
        State.AWAITING_CUSTOMER,
        State.UNDER_ASSESSMENT,
        "Wij hebben een licentie.",
    )
    assert mails() == expected(("ntd_assessment_started", HANDLERS), ("ntd_under_assessment", [COMPLAINANT]))
    assert_mails_name(notice)
    # The complainant's tracking view shows their own files only, never the client's.
    tracked = selectors.notice_for_tracking_token(tracking_token)
    assert [e.party for e in tracked.evidence.all()] == []


def test_deadline_passed_starts_the_assessment_at_the_clients_deadline(staff, website):
    notice, _ = case("awaiting_customer", staff, website)
    late = notice.customer_deadline + timedelta(hours=20)
    services.notice_customer_deadline_passed(notice_id=notice.pk, now=late)
    notice.refresh_from_db()

    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.assessment_started_at == notice.customer_deadline
    assert notice.assessment_deadline == add_working_days(notice.customer_deadline, 2) == notice.next_deadline
    actor, user, from_state, to_state, note = last_event(notice)
    assert (actor, user, from_state, to_state) == (
        NoticeEvent.Actor.SYSTEM,
        None,
        State.AWAITING_CUSTOMER,
        State.UNDER_ASSESSMENT,
    )
    assert note
    assert mails() == expected(("ntd_assessment_started", HANDLERS), ("ntd_under_assessment", [COMPLAINANT]))
    assert_mails_name(notice)


def test_deadline_passed_is_refused_before_the_deadline(staff, website):
    notice, _ = case("awaiting_customer", staff, website)
    with pytest.raises(NtdError):
        services.notice_customer_deadline_passed(notice_id=notice.pk, now=notice.customer_deadline - timedelta(1))
    assert Notice.objects.get(pk=notice.pk).state == State.AWAITING_CUSTOMER
    assert not OutboxMessage.objects.exists()


def assert_statement(notice, given: services.Decision):
    statement = StatementOfReasons.objects.get(notice=notice)
    assert {
        "decision_visibility": statement.decision_visibility,
        "scope": statement.scope,
        "decision_ground": statement.decision_ground,
        "legal_ground": statement.legal_ground,
        "ground_explanation": statement.ground_explanation,
        "decision_facts": statement.decision_facts,
        "end_date": statement.end_date,
        "content_date": statement.content_date,
        "territorial_scope": statement.territorial_scope,
    } == {key: getattr(given, key) for key in given.__dataclass_fields__}
    assert (statement.category, statement.source_type) == (notice.category, notice.source_type)
    assert (statement.automated_detection, statement.automated_decision) == (False, False)
    assert statement.application_date == timezone.localdate()
    assert notice.automated_means is False
    return statement


def test_take_down_stores_the_statement_of_reasons_and_tells_both(staff, website):
    notice, _ = case("under_assessment", staff, website)
    given = decision(end_date=date(2027, 6, 1), content_date=date(2026, 10, 1))
    services.notice_take_down(notice_id=notice.pk, decision=given, user=staff)
    notice.refresh_from_db()

    assert notice.state == State.TAKEN_DOWN
    assert notice.next_deadline is None and notice.decision_reason == given.ground_explanation
    assert_statement(notice, given)
    assert last_event(notice) == (
        NoticeEvent.Actor.STAFF,
        staff,
        State.UNDER_ASSESSMENT,
        State.TAKEN_DOWN,
        given.ground_explanation,
    )
    assert mails() == expected(("ntd_customer_taken_down", CLIENT), ("ntd_taken_down", [COMPLAINANT]))
    assert_mails_name(notice)
    # The client's e-mail is the statement of reasons: measure, scope, ground and facts.
    for message in OutboxMessage.objects.filter(template="ntd_customer_taken_down"):
        for part in (given.scope, given.legal_ground, given.ground_explanation, given.decision_facts):
            assert part in message.body_text


def test_reject_not_unlawful_tells_both_with_the_reason(staff, website):
    notice, _ = case("under_assessment", staff, website)
    services.notice_reject_not_unlawful(notice_id=notice.pk, reason="Licentie aangetoond.", user=staff)
    notice.refresh_from_db()

    assert notice.state == State.REJECTED_NOT_UNLAWFUL
    assert notice.decision_reason == "Licentie aangetoond." and notice.next_deadline is None
    assert not StatementOfReasons.objects.exists()
    assert last_event(notice) == (
        NoticeEvent.Actor.STAFF,
        staff,
        State.UNDER_ASSESSMENT,
        State.REJECTED_NOT_UNLAWFUL,
        "Licentie aangetoond.",
    )
    assert mails() == expected(("ntd_rejected_not_unlawful", [COMPLAINANT]), ("ntd_customer_rejected", CLIENT))
    assert_mails_name(notice)


@pytest.mark.parametrize("state", ["received", "awaiting_customer", "under_assessment"])
def test_emergency_take_down_from_every_open_state(state, staff, website):
    notice, _ = case(state, staff, website, is_emergency=True, emergency_reason="Woonadres met bedreiging.")
    given = decision(decision_visibility=StatementOfReasons.Visibility.SITE_OFFLINE)
    other = WebsiteFactory(host="spaak.example")
    services.notice_emergency_take_down(
        notice_id=notice.pk,
        decision=given,
        reason="Levensbedreigend: adres en dreiging online.",
        user=staff,
        # Needed only while the case has no website yet; a forwarded case keeps its own.
        website=website if state == "received" else other,
    )
    notice.refresh_from_db()

    assert notice.state == State.TAKEN_DOWN
    assert notice.website == website
    assert notice.next_deadline is None and notice.decided_at is not None
    assert_statement(notice, given)
    assert last_event(notice) == (
        NoticeEvent.Actor.STAFF,
        staff,
        state,
        State.TAKEN_DOWN,
        "Levensbedreigend: adres en dreiging online.",
    )
    assert mails() == expected(("ntd_customer_taken_down", CLIENT), ("ntd_taken_down", [COMPLAINANT]))
    assert_mails_name(notice)


def test_emergency_take_down_of_a_received_case_needs_a_website(staff, website):
    notice, _ = case("received", staff, website)
    before = snapshot(notice)
    with pytest.raises(NtdError) as refused:
        services.notice_emergency_take_down(notice_id=notice.pk, decision=decision(), reason="Dreiging.", user=staff)
    assert "website" in refused.value.message_dict
    assert snapshot(notice) == before


def test_refer_records_the_referral_without_changing_the_state(staff, website):
    notice, _ = case("under_assessment", staff, website)
    services.notice_refer(notice_id=notice.pk, referred_to="Politie", reference=" PL0900-2026-123 ", user=staff)
    notice.refresh_from_db()

    assert notice.state == State.UNDER_ASSESSMENT
    assert (notice.referred_to, notice.referral_reference) == ("Politie", "PL0900-2026-123")
    assert notice.referred_at is not None
    actor, user, from_state, to_state, note = last_event(notice)
    assert (actor, user, from_state, to_state) == (
        NoticeEvent.Actor.STAFF,
        staff,
        State.UNDER_ASSESSMENT,
        State.UNDER_ASSESSMENT,
    )
    assert "Politie" in note and "PL0900-2026-123" in note
    assert not OutboxMessage.objects.exists()


def test_refer_needs_whom_and_an_internal_note_is_only_a_note(staff, website):
    notice, _ = case("received", staff, website)
    before = snapshot(notice)
    with pytest.raises(NtdError):
        services.notice_refer(notice_id=notice.pk, referred_to=" ", reference="x", user=staff)
    assert snapshot(notice) == before

    note = services.notice_add_note(notice_id=notice.pk, text=" Eerder gemeld door dezelfde melder. ", user=staff)
    assert (note.text, note.author) == ("Eerder gemeld door dezelfde melder.", staff)
    with pytest.raises(NtdError):
        services.notice_add_note(notice_id=notice.pk, text="  ", user=staff)
    assert snapshot(notice) == {**before, "notes": 1}


# --- refused transitions ---------------------------------------------------------------------------------------

ALL_STATES = [state.value for state in State]
RECEIVED, AWAITING, ASSESSING = State.RECEIVED, State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT


def _forward(notice, user, website):
    return services.notice_forward(notice_id=notice.pk, website=website, user=user)


def _reject_incomplete(notice, user, website):
    return services.notice_reject_incomplete(notice_id=notice.pk, missing="Bewijs ontbreekt.", user=user)


def _reject_not_hosted(notice, user, website):
    return services.notice_reject_not_hosted(notice_id=notice.pk, note="Niet bij ons.", user=user)


def _removed(notice, user, website):
    return services.notice_customer_removed(notice_id=notice.pk, text="Weg.")


def _disagrees(notice, user, website):
    files = [SimpleUploadedFile("a.pdf", b"%PDF", content_type="application/pdf")]
    return services.notice_customer_disagrees(notice_id=notice.pk, text="Oneens.", files=files)


def _deadline_passed(notice, user, website):
    return services.notice_customer_deadline_passed(notice_id=notice.pk, now=timezone.now() + timedelta(days=30))


def _take_down(notice, user, website):
    return services.notice_take_down(notice_id=notice.pk, decision=decision(), user=user)


def _reject_not_unlawful(notice, user, website):
    return services.notice_reject_not_unlawful(notice_id=notice.pk, reason="Niet onrechtmatig.", user=user)


def _emergency(notice, user, website):
    return services.notice_emergency_take_down(
        notice_id=notice.pk, decision=decision(), reason="Dreiging.", user=user, website=website
    )


# Each service and the states it may start from, as the procedure says (not read from transitions.py, so a change
# there that breaks the procedure fails here).
SOURCES = {
    _forward: {RECEIVED},
    _reject_incomplete: {RECEIVED},
    _reject_not_hosted: {RECEIVED},
    _removed: {AWAITING},
    _disagrees: {AWAITING},
    _deadline_passed: {AWAITING},
    _take_down: {ASSESSING},
    _reject_not_unlawful: {ASSESSING},
    _emergency: {RECEIVED, AWAITING, ASSESSING},
}
REFUSED = [
    pytest.param(action, state, id=f"{action.__name__.strip('_')}-from-{state}")
    for action, sources in SOURCES.items()
    for state in ALL_STATES
    if state not in sources
]


def snapshot(notice) -> dict:
    return {
        "notice": Notice.objects.filter(pk=notice.pk).values().get(),
        "events": list(NoticeEvent.objects.filter(notice=notice).values_list("id", flat=True)),
        "mails": OutboxMessage.objects.count(),
        "statements": StatementOfReasons.objects.count(),
        "responses": list(CustomerResponse.objects.values_list("id", "kind", "text")),
        "evidence": list(Evidence.objects.values_list("id", flat=True)),
        "notes": InternalNote.objects.count(),
    }


@pytest.mark.parametrize("action, state", REFUSED)
def test_a_transition_from_a_state_the_procedure_does_not_allow_is_refused_and_changes_nothing(
    action, state, staff, website
):
    notice, _ = case(state, staff, website)
    before = snapshot(notice)
    with pytest.raises(NtdError) as refused:
        action(notice, staff, website)
    assert refused.value.messages
    assert snapshot(notice) == before


def test_every_transition_is_tested_as_refused_from_every_other_state():
    # 3 services from received, 3 from awaiting_customer, 2 from under_assessment (7 other states each) and the
    # emergency measure from the 5 closed states.
    assert len(REFUSED) == 8 * 7 + 5


@pytest.mark.parametrize(
    "action, state",
    [
        (lambda n, u: services.notice_reject_incomplete(notice_id=n.pk, missing=" ", user=u), RECEIVED),
        (lambda n, u: services.notice_customer_removed(notice_id=n.pk, text=""), AWAITING),
        (lambda n, u: services.notice_customer_disagrees(notice_id=n.pk, text="  "), AWAITING),
        (lambda n, u: services.notice_reject_not_unlawful(notice_id=n.pk, reason="", user=u), ASSESSING),
        (
            lambda n, u: services.notice_emergency_take_down(notice_id=n.pk, decision=decision(), reason=" ", user=u),
            ASSESSING,
        ),
    ],
    ids=["reject-incomplete", "removed", "disagrees", "reject-not-unlawful", "emergency"],
)
def test_a_transition_without_its_reason_is_refused_and_changes_nothing(action, state, staff, website):
    notice, _ = case(state, staff, website)
    before = snapshot(notice)
    with pytest.raises(NtdError):
        action(notice, staff)
    assert snapshot(notice) == before


# --- deadlines -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forwarded, deadline",
    [
        pytest.param(ams(2026, 11, 2, 10), ams(2026, 11, 4, 17), id="monday-to-wednesday"),
        pytest.param(ams(2026, 11, 6, 16), ams(2026, 11, 10, 17), id="friday-to-tuesday"),
        pytest.param(ams(2026, 11, 6, 23, 30), ams(2026, 11, 10, 17), id="friday-night-to-tuesday"),
        # 23:30 UTC on Sunday is Monday in Amsterdam: the Amsterdam day counts.
        pytest.param(datetime(2026, 11, 1, 23, 30, tzinfo=UTC), ams(2026, 11, 4, 17), id="amsterdam-day"),
        # Good Friday (3 April) and Easter Monday (6 April 2026) are no working days.
        pytest.param(ams(2026, 4, 2, 10), ams(2026, 4, 8, 17), id="easter"),
        # King's Day falls on Monday 27 April 2026.
        pytest.param(ams(2026, 4, 24, 12), ams(2026, 4, 29, 17), id="kings-day"),
        # Christmas Day is a Friday in 2026; Boxing Day a Saturday.
        pytest.param(ams(2026, 12, 24, 10), ams(2026, 12, 29, 17), id="christmas"),
        # Summer time ends on 25 October 2026: the deadline is still 17:00 in Amsterdam (16:00 UTC).
        pytest.param(ams(2026, 10, 23, 10), datetime(2026, 10, 27, 16, tzinfo=UTC), id="end-of-summer-time"),
    ],
)
def test_the_clients_deadline_is_17h_on_the_second_working_day(forwarded, deadline, monkeypatch, staff, website):
    notice, _ = case("received", staff, website)
    at(monkeypatch, forwarded)
    services.notice_forward(notice_id=notice.pk, website=website, user=staff)
    notice.refresh_from_db()
    assert notice.forwarded_at == forwarded
    assert notice.customer_deadline == deadline == notice.next_deadline
    assert notice.customer_deadline.astimezone(AMS).hour == 17


def test_company_closing_days_extend_the_clients_deadline(monkeypatch, staff, website):
    ClosingDay.objects.create(date=date(2026, 12, 28), reason="Kerstsluiting")
    notice, _ = case("received", staff, website)
    at(monkeypatch, ams(2026, 12, 24, 10))
    services.notice_forward(notice_id=notice.pk, website=website, user=staff)
    assert Notice.objects.get(pk=notice.pk).customer_deadline == ams(2026, 12, 30, 17)


def test_when_the_deadline_passes_the_assessment_runs_two_working_days_from_that_deadline(monkeypatch, staff, website):
    notice, _ = case("received", staff, website)
    at(monkeypatch, ams(2026, 3, 31, 10))  # Tuesday before Easter
    services.notice_forward(notice_id=notice.pk, website=website, user=staff)
    notice.refresh_from_db()
    assert notice.customer_deadline == ams(2026, 4, 2, 17)

    assert services.enforce_deadlines(now=ams(2026, 4, 2, 16, 59))["moved_to_assessment"] == 0
    assert Notice.objects.get(pk=notice.pk).state == State.AWAITING_CUSTOMER

    # Even if the beat only gets to it after Easter, the assessment started at the client's deadline.
    at(monkeypatch, ams(2026, 4, 7, 8))
    assert services.enforce_deadlines(now=ams(2026, 4, 7, 8))["moved_to_assessment"] == 1
    notice.refresh_from_db()
    assert notice.state == State.UNDER_ASSESSMENT
    assert notice.assessment_started_at == ams(2026, 4, 2, 17)
    # Good Friday and Easter Monday do not count.
    assert notice.assessment_deadline == ams(2026, 4, 8, 17) == notice.next_deadline


def test_when_the_client_disagrees_the_assessment_runs_two_working_days_from_its_answer(monkeypatch, staff, website):
    notice, _ = case("received", staff, website)
    at(monkeypatch, ams(2026, 12, 23, 9))
    services.notice_forward(notice_id=notice.pk, website=website, user=staff)
    assert Notice.objects.get(pk=notice.pk).customer_deadline == ams(2026, 12, 28, 17)

    at(monkeypatch, ams(2026, 12, 24, 11))
    services.notice_customer_disagrees(notice_id=notice.pk, text="De foto is van ons.")
    notice.refresh_from_db()
    assert notice.assessment_started_at == ams(2026, 12, 24, 11)
    assert notice.assessment_deadline == ams(2026, 12, 29, 17) == notice.next_deadline


# --- forwarding goes only to the client whose website the URLs are on -------------------------------------------


@pytest.mark.django_db
def test_forwarding_to_a_website_none_of_the_urls_is_on_is_refused_unless_confirmed():
    notice, _ = make_case("received")  # about www.korenschoof.example
    WebsiteFactory(host="korenschoof.example")
    other = WebsiteFactory(host="concurrent.example")
    staff = handler()

    with pytest.raises(NtdError) as refused:
        services.notice_forward(notice_id=notice.pk, website=other, user=staff)
    assert "concurrent.example" in str(refused.value)
    notice.refresh_from_db()
    assert notice.state == State.RECEIVED
    assert not OutboxMessage.objects.filter(template="ntd_customer_forwarded").exists()

    services.notice_forward(notice_id=notice.pk, website=other, user=staff, allow_unmatched=True)
    notice.refresh_from_db()
    assert (notice.state, notice.website) == (State.AWAITING_CUSTOMER, other)


@pytest.mark.django_db
def test_a_notice_about_websites_of_two_clients_is_not_forwarded_to_either():
    first = WebsiteFactory(host="korenschoof.example")
    WebsiteFactory(host="spaak.example")
    notice, _ = make_case("received", urls=["https://korenschoof.example/a", "https://shop.spaak.example/b"])

    with translation.override("en"), pytest.raises(NtdError, match="different clients"):
        services.notice_forward(notice_id=notice.pk, website=first, user=handler(), allow_unmatched=True)
    assert not OutboxMessage.objects.filter(template="ntd_customer_forwarded").exists()


@pytest.mark.django_db
def test_only_the_same_complainant_can_refile_a_rejected_notice():
    old, _ = make_case("rejected_incomplete")

    stranger = services.notice_submit(
        data=notice_input(previous_reference=old.reference, complainant_email="iemand@anders.example")
    ).notice
    same = services.notice_submit(
        data=notice_input(previous_reference=old.reference, complainant_email=old.complainant_email.upper())
    ).notice

    assert stranger.previous_notice is None
    assert same.previous_notice == old


@pytest.mark.django_db
def test_a_late_disagreement_starts_the_assessment_at_the_clients_deadline(monkeypatch):
    notice, _ = make_case("awaiting_customer")
    # The client answers an hour after its deadline, before the beat task moved the case.
    at(monkeypatch, notice.customer_deadline + timedelta(hours=1))

    notice = services.notice_customer_disagrees(notice_id=notice.pk, text="Te laat, maar wij zijn het oneens.")

    assert notice.assessment_started_at == notice.customer_deadline
    assert notice.assessment_deadline == add_working_days(notice.customer_deadline, 2)
