"""The request services end to end: each right from submission to the reply, with its events, files and e-mails."""

import io
import re
import threading
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from contracts.tests.factories import ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory
from isimedia.models import OutboxMessage
from isimedia.workdays import gdpr_due_date
from privacy import selectors, services
from privacy.crypto import read_decrypted
from privacy.errors import PrivacyError
from privacy.models import (
    DataPackage,
    DataSubjectRequest,
    Relation,
    RequesterFile,
    RequestEvent,
    RequestMessage,
    Right,
    State,
)
from privacy.tests.factories import (
    ConfirmedRequestFactory,
    OfficerFactory,
    RequestFactory,
    make_link,
    request_input,
)

AMS = ZoneInfo("Europe/Amsterdam")
REQUESTER = "sanne@voorbeeld.example"
OFFICERS = ["eerste@isimedia.example", "tweede@isimedia.example"]
FOLLOW_LINK = re.compile(r"http://testserver/privacy/verzoek/([A-Za-z0-9_-]{20,})/")
PACKAGE_LINK = re.compile(r"http://testserver/privacy/pakket/([A-Za-z0-9_-]{20,})/")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% gemaskeerde kopie\n%%EOF\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers():
    return [OfficerFactory(email=OFFICERS[0]), OfficerFactory(email=OFFICERS[1])]


def mails(template, to=None):
    messages = OutboxMessage.objects.filter(template=template).order_by("id")
    return list(messages.filter(to=to) if to else messages)


def submit(now=None, **overrides):
    return services.request_submit(data=request_input(**overrides), now=now)


def confirmed(right=Right.ACCESS, **overrides):
    """A request submitted and confirmed through the services; the e-mails that took are forgotten."""
    request = submit(right=right, **overrides)
    request = services.request_confirm(request_id=request.pk)
    OutboxMessage.objects.all().delete()
    return request


def follow_token(message) -> str:
    return FOLLOW_LINK.search(message.body_text).group(1)


# --- submitting and confirming ---------------------------------------------------------------------------------


def test_public_submission_is_unconfirmed_with_a_due_date_and_a_confirmation_link(officers):
    received = datetime(2026, 3, 5, 10, 0, tzinfo=AMS)
    request = submit(now=received)

    assert re.fullmatch(r"AVG-2026-\d{5}", request.reference)
    assert request.state == State.UNCONFIRMED
    assert request.received_at == received
    assert request.due_on == gdpr_due_date(received) == datetime(2026, 4, 7).date()
    assert request.confirm_expires_at == received + timedelta(days=30)
    assert request.events.get().transition == "submit"

    (confirm,) = mails("privacy_confirm")
    assert confirm.to == REQUESTER and confirm.sensitive and confirm.language == "nl"
    assert request.reference in confirm.subject
    assert selectors.request_for_token(follow_token(confirm)) == request
    # Nobody else hears of it before the address is confirmed.
    assert OutboxMessage.objects.count() == 1


def test_references_count_per_year():
    first = submit(now=datetime(2026, 12, 31, 12, tzinfo=AMS), email="a@voorbeeld.example")
    second = submit(now=datetime(2026, 12, 31, 13, tzinfo=AMS), email="b@voorbeeld.example")
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"right": "everything"}, "right"),
        ({"relation": ""}, "relation"),
        ({"name": "  "}, "name"),
        ({"email": "geen-adres"}, "email"),
        ({"description": ""}, "description"),
        ({"relation": Relation.HOSTED_SITE, "hosted_url": ""}, "hosted_url"),
        ({"relation": Relation.HOSTED_SITE, "hosted_url": "javascript:alert(1)"}, "hosted_url"),
    ],
)
def test_submission_errors_name_their_field(overrides, field):
    with pytest.raises(PrivacyError) as error:
        submit(**overrides)
    assert field in error.value.message_dict
    assert not DataSubjectRequest.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_hosted_url_is_kept_only_for_the_hosted_site_relation():
    hosted = submit(relation=Relation.HOSTED_SITE, hosted_url="https://www.bakkerij.example/team", email="a@x.example")
    visitor = submit(relation=Relation.VISITOR, hosted_url="https://www.bakkerij.example/team", email="b@x.example")
    assert hosted.hosted_url == "https://www.bakkerij.example/team"
    assert visitor.hosted_url == ""


def test_confirming_starts_the_handling_and_tells_the_requester_and_the_officers(officers):
    request = submit()
    OutboxMessage.objects.all().delete()

    request = services.request_confirm(request_id=request.pk)

    assert request.state == State.RECEIVED and request.confirmed_at is not None
    (received,) = mails("privacy_received")
    assert received.to == REQUESTER and received.sensitive
    assert selectors.request_for_token(follow_token(received)) == request
    new = mails("privacy_new_request")
    assert sorted(message.to for message in new) == OFFICERS
    # It names the requester: staff outside the privacy officers must not read it in the outbox.
    assert all(message.language == "nl" and message.sensitive for message in new)
    assert reverse("admin:privacy_datasubjectrequest_change", args=[request.pk]) in new[0].body_text
    assert not FOLLOW_LINK.search(new[0].body_text)  # officers never get the requester's secret link


def test_confirming_twice_changes_nothing_and_sends_nothing(officers):
    request = submit()
    services.request_confirm(request_id=request.pk)
    sent = OutboxMessage.objects.count()
    events = RequestEvent.objects.count()

    again = services.request_confirm(request_id=request.pk)

    assert again.state == State.RECEIVED
    assert OutboxMessage.objects.count() == sent
    assert RequestEvent.objects.count() == events
    assert DataSubjectRequest.objects.count() == 1


def test_an_expired_confirmation_is_refused():
    received = datetime(2026, 3, 5, 10, tzinfo=AMS)
    request = submit(now=received)
    with pytest.raises(PrivacyError):
        services.request_confirm(request_id=request.pk, now=received + timedelta(days=31))
    request.refresh_from_db()
    assert request.state == State.UNCONFIRMED


def test_a_duplicate_while_unconfirmed_makes_no_new_case_but_sends_a_fresh_confirmation_link():
    first = submit()
    second = submit(email=REQUESTER.upper(), description="Nog een keer.")

    assert second.pk == first.pk
    assert DataSubjectRequest.objects.count() == 1
    one, two = mails("privacy_confirm")
    assert follow_token(one) != follow_token(two)
    assert selectors.request_for_token(follow_token(two)) == first
    assert first.events.filter(transition="duplicate").count() == 1
    first.refresh_from_db()
    assert first.description == "Nog een keer."  # the corrected wording is what gets confirmed


def test_a_duplicate_of_an_open_request_sends_no_second_confirmation_of_receipt(officers):
    request = confirmed()

    again = submit()

    assert again.pk == request.pk
    assert DataSubjectRequest.objects.count() == 1
    assert mails("privacy_received") == [] and mails("privacy_new_request") == [] and mails("privacy_confirm") == []
    (duplicate,) = mails("privacy_duplicate")
    assert duplicate.to == REQUESTER and duplicate.sensitive and request.reference in duplicate.body_text
    assert selectors.request_for_token(follow_token(duplicate)) == request


def test_what_a_duplicate_adds_to_an_open_request_is_kept_for_the_officers(officers):
    request = confirmed()

    submit(description="Ook mijn oude adres graag.")

    request.refresh_from_db()
    assert request.description != "Ook mijn oude adres graag."
    assert "Ook mijn oude adres graag." in request.events.get(transition="duplicate").note


def test_another_right_or_a_closed_request_is_no_duplicate(officers):
    request = confirmed()
    other_right = submit(right=Right.ERASURE)
    assert other_right.pk != request.pk

    services.request_refuse(request_id=request.pk, reasons="Het tiende verzoek deze week.", user=officers[0])
    after_close = submit()
    assert after_close.pk not in (request.pk, other_right.pk)


def test_an_expired_unconfirmed_request_is_no_duplicate():
    received = datetime(2026, 3, 5, 10, tzinfo=AMS)
    first = submit(now=received)
    second = submit(now=received + timedelta(days=40))
    assert second.pk != first.pk


def test_staff_enter_a_request_received_by_phone(officers):
    staff = StaffUserFactory()
    phoned = datetime(2026, 3, 2, 11, 30, tzinfo=AMS)

    request = services.request_submit(
        data=request_input(channel="phone", received_at=phoned), entered_by=staff, now=phoned + timedelta(days=1)
    )

    assert request.state == State.RECEIVED
    assert request.entered_by == staff and request.channel == "phone"
    assert request.received_at == phoned and request.due_on == gdpr_due_date(phoned)
    # Nobody confirmed the address: staff took the request on the phone.
    assert request.confirmed_at is None and request.confirm_expires_at is None
    assert request.events.get().actor == RequestEvent.Actor.STAFF
    (received,) = mails("privacy_received")
    assert "telefonisch" in received.body_text
    assert len(mails("privacy_new_request")) == 2
    assert mails("privacy_confirm") == []


def test_staff_cannot_enter_a_request_received_in_the_future():
    now = datetime(2026, 3, 2, 11, tzinfo=AMS)
    with pytest.raises(PrivacyError) as error:
        services.request_submit(
            data=request_input(received_at=now + timedelta(hours=2)), entered_by=StaffUserFactory(), now=now
        )
    assert "received_at" in error.value.message_dict


def test_staff_entering_a_duplicate_of_an_unconfirmed_request_confirms_it(officers):
    request = submit()
    again = services.request_submit(data=request_input(channel="phone"), entered_by=officers[0])
    assert again.pk == request.pk and again.state == State.RECEIVED
    assert DataSubjectRequest.objects.count() == 1
    assert len(mails("privacy_received")) == 1


# --- access and portability ------------------------------------------------------------------------------------


@pytest.mark.parametrize("right", [Right.ACCESS, Right.PORTABILITY])
def test_access_and_portability_end_with_a_package_downloadable_once(
    right, officers, django_capture_on_commit_callbacks
):
    request = confirmed(right=right)

    with django_capture_on_commit_callbacks(execute=True):
        package = services.request_send_package(request_id=request.pk, user=officers[0])

    request.refresh_from_db()
    assert request.state == State.COMPLETED and request.closed_by == officers[0] and request.closed_at
    assert package.expires_at == package.created_at + timedelta(days=14)
    # Stored encrypted: what is on disk is not a zip.
    with default_storage.open(package.encrypted_path, "rb") as stored:
        assert not stored.read().startswith(b"PK")
    (ready,) = mails("privacy_package_ready")
    assert ready.to == REQUESTER and ready.sensitive
    token = PACKAGE_LINK.search(ready.body_text).group(1)
    assert selectors.package_for_token(token) == package
    assert selectors.request_for_token(follow_token(ready)) == request

    path = package.encrypted_path
    with django_capture_on_commit_callbacks(execute=True):
        content = services.package_download(package_id=package.pk)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "data.json" in archive.namelist()
    package.refresh_from_db()
    assert package.downloaded_at and package.deleted_at and package.encrypted_path == ""
    assert not default_storage.exists(path)
    assert selectors.package_status(package) == "downloaded"

    with pytest.raises(PrivacyError):
        services.package_download(package_id=package.pk)


def test_a_package_cannot_be_downloaded_after_its_link_expired(officers):
    request = confirmed()
    package = services.request_send_package(request_id=request.pk, user=officers[0])

    with pytest.raises(PrivacyError):
        services.package_download(package_id=package.pk, now=package.expires_at + timedelta(seconds=1))
    package.refresh_from_db()
    assert package.downloaded_at is None


def test_no_package_for_other_rights_or_before_confirmation(officers):
    erasure = confirmed(right=Right.ERASURE)
    with pytest.raises(PrivacyError):
        services.request_send_package(request_id=erasure.pk, user=officers[0])
    unconfirmed = submit(email="ander@voorbeeld.example")
    with pytest.raises(PrivacyError):
        services.request_send_package(request_id=unconfirmed.pk, user=officers[0])
    assert not DataPackage.objects.exists()
    assert mails("privacy_package_ready") == []


# --- erasure, objection, withdrawal ----------------------------------------------------------------------------


@pytest.mark.parametrize("right", [Right.ERASURE, Right.OBJECTION, Right.WITHDRAWAL])
def test_erasure_needs_a_second_officer(right, officers):
    proposer, approver = officers
    request = confirmed(right=right)

    request = services.request_propose_erasure(request_id=request.pk, user=proposer, note="Alles behalve de DPA.")

    assert request.state == State.AWAITING_APPROVAL
    assert request.proposed_by == proposer and request.proposed_at
    assert request.erasure_plan and all({"label", "action", "reason"} <= set(item) for item in request.erasure_plan)
    (proposed,) = mails("privacy_erasure_proposed")
    assert proposed.to == approver.email  # the other officers, not the proposer
    assert request.reference in proposed.body_text and "Alles behalve de DPA." in proposed.body_text

    with pytest.raises(PrivacyError):
        services.request_approve_erasure(request_id=request.pk, user=proposer)
    with pytest.raises(PrivacyError):
        services.request_approve_erasure(request_id=request.pk, user=StaffUserFactory())
    request.refresh_from_db()
    assert request.state == State.AWAITING_APPROVAL and request.erasure_result == []

    request = services.request_approve_erasure(request_id=request.pk, user=approver)

    assert request.state == State.COMPLETED and request.approved_by == approver
    assert request.erasure_result
    (done,) = mails("privacy_erasure_done")
    assert done.to == REQUESTER and done.sensitive
    for item in request.erasure_result:
        assert item["label"] in done.body_text
        if item["action"] == "kept":
            assert item["reason"] in done.body_text
    assert "Autoriteit Persoonsgegevens" in done.body_text


def test_erasure_erases_the_requesters_data_in_other_apps_and_lists_it(officers):
    request = confirmed(right=Right.ERASURE)
    account = UserFactory(email=REQUESTER)  # a portal login of the requester's, no client contact
    services.request_propose_erasure(request_id=request.pk, user=officers[0])
    account.refresh_from_db()
    assert account.email == REQUESTER  # the proposal changes nothing

    request = services.request_approve_erasure(request_id=request.pk, user=officers[1])

    # The reply is in the requester's language (Dutch here), whoever approves it.
    (login,) = [item for item in request.erasure_result if item["entry"] == "isimedia.accounts"]
    assert login["action"] == "anonymised" and login["label"] == "Uw inlogaccount"
    account.refresh_from_db()
    assert account.email != REQUESTER and not account.is_active
    # The reply still reaches the requester, at the address the request had before the erasure.
    assert mails("privacy_erasure_done", to=REQUESTER)


def test_an_erasure_proposal_can_be_sent_back(officers):
    request = confirmed(right=Right.ERASURE)
    services.request_propose_erasure(request_id=request.pk, user=officers[0])

    with pytest.raises(PrivacyError):
        services.request_reject_erasure(request_id=request.pk, user=officers[1], reason=" ")
    request = services.request_reject_erasure(request_id=request.pk, user=officers[1], reason="Eerst navragen.")

    assert request.state == State.RECEIVED and request.proposed_by is None and request.erasure_plan == []
    assert request.events.last().note == "Eerst navragen."
    # Proposed again later, the officer who sent it back may then approve the new proposal of the first.
    services.request_propose_erasure(request_id=request.pk, user=officers[0])
    assert services.request_approve_erasure(request_id=request.pk, user=officers[1]).state == State.COMPLETED


# --- rectification, restriction, refusal, forwarding -----------------------------------------------------------


@pytest.mark.parametrize(("right", "word"), [(Right.RECTIFICATION, "aangepast"), (Right.RESTRICTION, "beperkt")])
def test_rectification_and_restriction_end_with_a_reply_saying_what_changed(right, word, officers):
    request = confirmed(right=right)
    with pytest.raises(PrivacyError) as error:
        services.request_complete(request_id=request.pk, reply="", user=officers[0])
    assert "reply" in error.value.message_dict

    reply = "Uw telefoonnummer is gewijzigd in 070 123 45 67."
    request = services.request_complete(request_id=request.pk, reply=reply, user=officers[0])

    assert request.state == State.COMPLETED and request.reply == reply
    (completed,) = mails("privacy_completed")
    assert reply in completed.body_text and word in completed.body_text
    assert selectors.request_for_token(follow_token(completed)) == request


def test_completing_is_only_for_rectification_and_restriction(officers):
    request = confirmed(right=Right.ACCESS)
    with pytest.raises(PrivacyError):
        services.request_complete(request_id=request.pk, reply="Gedaan.", user=officers[0])


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("nl", ["Autoriteit Persoonsgegevens", "autoriteitpersoonsgegevens.nl", "rechter"]),
        ("en", ["Autoriteit Persoonsgegevens", "autoriteitpersoonsgegevens.nl", "go to court"]),
    ],
)
def test_a_refusal_gives_reasons_and_the_right_to_complain_and_go_to_court(language, phrases, officers):
    request = confirmed(language=language)
    with pytest.raises(PrivacyError) as error:
        services.request_refuse(request_id=request.pk, reasons=" ", user=officers[0])
    assert "reasons" in error.value.message_dict

    reasons = "Dit is uw twintigste gelijkluidende verzoek deze maand."
    request = services.request_refuse(request_id=request.pk, reasons=reasons, user=officers[0])

    assert request.state == State.REFUSED and request.closed_at
    (refused,) = mails("privacy_refused")
    assert refused.language == language and reasons in refused.body_text
    for phrase in phrases:
        assert phrase in refused.body_text


def test_forwarding_to_the_client_tells_the_client_everything_and_the_requester_to_whom(officers):
    client = ClientFactory(name="Bakkerij Klant B.V.", contact_email="info@bakkerij.example", language="nl")
    ClientContactFactory(client=client, user=UserFactory(email="eigenaar@bakkerij.example"))
    request = confirmed(
        relation=Relation.HOSTED_SITE,
        hosted_url="https://www.bakkerij.example/team",
        description="Haal mijn foto van de teampagina.",
        language="en",
    )

    request = services.request_forward(request_id=request.pk, client=client, user=officers[0], note="Zie foto.")

    assert request.state == State.FORWARDED and request.forwarded_to == client and request.forwarded_at
    to_client = mails("privacy_forwarded_client")
    assert sorted(message.to for message in to_client) == ["eigenaar@bakkerij.example", "info@bakkerij.example"]
    body = to_client[0].body_text
    for expected in [
        request.reference,
        "Sanne de Vries",
        REQUESTER,
        "Haal mijn foto van de teampagina.",
        "https://www.bakkerij.example/team",
        "verwerkingsverantwoordelijke",
        "Zie foto.",
    ]:
        assert expected in body
    assert to_client[0].language == "nl"
    assert not FOLLOW_LINK.search(body)  # the client never gets the requester's link
    (to_requester,) = mails("privacy_forwarded_requester")
    assert to_requester.to == REQUESTER and to_requester.language == "en"
    assert "Bakkerij Klant B.V." in to_requester.subject and "controller" in to_requester.body_text
    assert selectors.request_for_token(follow_token(to_requester)) == request


# --- identity --------------------------------------------------------------------------------------------------


def test_the_identity_copy_is_encrypted_at_rest_and_deleted_once_checked(officers, django_capture_on_commit_callbacks):
    request = confirmed()
    with pytest.raises(PrivacyError) as error:
        services.request_identity_ask(request_id=request.pk, doubt="", message="", user=officers[0])
    assert "doubt" in error.value.message_dict

    request = services.request_identity_ask(
        request_id=request.pk, doubt="Naam past niet bij het adres.", message="", user=officers[0]
    )
    assert request.state == State.AWAITING_IDENTITY and request.paused_since
    assert RequestMessage.objects.get(request=request).asks_for_upload
    (asked,) = mails("privacy_identity_needed")
    assert asked.sensitive
    for phrase in ["KopieID", "BSN", "machineleesbare zone", "pasfoto", "documentnummer"]:
        assert phrase in asked.body_text
    token = follow_token(asked)
    assert f"/privacy/verzoek/{token}/bestanden/" in asked.body_text

    (stored,) = services.request_upload(
        request_id=request.pk, files=[SimpleUploadedFile("paspoort.pdf", PDF)], note="Met KopieID gemaakt."
    )
    assert stored.kind == RequesterFile.Kind.IDENTITY and stored.size == len(PDF)
    with default_storage.open(stored.encrypted_path, "rb") as on_disk:
        raw = on_disk.read()
    assert raw != PDF and b"gemaskeerde kopie" not in raw
    assert read_decrypted(stored.encrypted_path) == PDF
    (told,) = mails("privacy_upload_received", to=OFFICERS[0])
    assert "paspoort" not in told.body_text and "KopieID" not in told.body_text

    path = stored.encrypted_path
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_identity_checked(request_id=request.pk, user=officers[1])

    assert request.state == State.RECEIVED and request.identity_checked_by == officers[1]
    assert request.identity_checked_at and request.paused_since is None
    assert not default_storage.exists(path)
    stored.refresh_from_db()
    assert stored.encrypted_path == "" and stored.deleted_at and stored.deletion_reason


def test_uploads_only_while_open_and_only_real_files(officers):
    request = confirmed()
    (other,) = services.request_upload(request_id=request.pk, files=[SimpleUploadedFile("brief.pdf", PDF)])
    assert other.kind == RequesterFile.Kind.OTHER

    with pytest.raises(PrivacyError) as error:
        services.request_upload(request_id=request.pk, files=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00 binary")])
    assert "files" in error.value.message_dict

    services.request_refuse(request_id=request.pk, reasons="Kennelijk ongegrond.", user=officers[0])
    with pytest.raises(PrivacyError):
        services.request_upload(request_id=request.pk, files=[SimpleUploadedFile("brief.pdf", PDF)])
    assert RequesterFile.objects.count() == 1


# --- messages and links ----------------------------------------------------------------------------------------


def test_a_message_is_stored_and_announced_with_a_fresh_link(officers):
    request = confirmed(language="en")
    message = services.request_message(
        request_id=request.pk, text="Which website is it about?", user=officers[0], asks_for_upload=True
    )
    assert message.asks_for_upload and message.author == officers[0]
    (sent,) = mails("privacy_message")
    assert sent.language == "en" and sent.sensitive and "Which website is it about?" in sent.body_text
    assert "/bestanden/" in sent.body_text

    with pytest.raises(PrivacyError):
        services.request_message(request_id=request.pk, text="  ", user=officers[0])
    with pytest.raises(PrivacyError):
        services.request_message(request_id=RequestFactory().pk, text="Hallo", user=officers[0])


def test_every_email_to_the_requester_carries_its_own_working_link(officers):
    request = submit()
    services.request_confirm(request_id=request.pk)
    services.request_message(request_id=request.pk, text="Even geduld.", user=officers[0])
    services.request_extend(request_id=request.pk, months=1, reason="Veel gegevens.", user=officers[0])
    services.request_send_package(request_id=request.pk, user=officers[0])

    to_requester = OutboxMessage.objects.filter(to=REQUESTER)
    assert to_requester.count() == 5
    tokens = [follow_token(message) for message in to_requester]
    assert len(set(tokens)) == 5
    assert all(message.sensitive for message in to_requester)
    assert all(selectors.request_for_token(token) == request for token in tokens)


def test_make_link_factory_gives_a_working_token():
    request = ConfirmedRequestFactory()
    assert selectors.request_for_token(make_link(request)) == request


@pytest.mark.django_db(transaction=True)
def test_two_identical_submissions_at_once_make_one_case():
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(submit().pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2 and results[0] == results[1]
    assert DataSubjectRequest.objects.count() == 1
    assert len(mails("privacy_confirm")) == 2  # each submitter got a link; both lead to the one case
