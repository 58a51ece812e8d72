"""Erasure across the apps: the plan (dry run) changes nothing, the real run anonymises and deletes what no duty keeps,
lists what is kept and why, and a second run does nothing more."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from contracts.models import Acceptance, ClientContact, Objection
from isimedia.models import OutboxMessage
from ntd.models import ApiKey, Evidence, Notice
from ntd.tests.factories import make_case
from privacy import registry
from privacy.models import DataSubjectRequest, RequesterFile
from privacy.registry import ANONYMISED_EMAIL
from privacy.tests.factories import (
    AwaitingApprovalRequestFactory,
    CompletedRequestFactory,
    RequesterFileFactory,
    RequestFactory,
    RequestMessageFactory,
)
from privacy.tests.factories_registry import ADDRESS, OTHER, build_world, outbox, png

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVACY_NTD_CASE_RETENTION_DAYS = 365
    settings.PRIVACY_REQUEST_RETENTION_DAYS = 365


def today():
    return timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    now = timezone.now()
    # Decided a month ago: still within the period. Decided two years ago: past it, with the complainant's photo.
    recent, _ = make_case("rejected_not_hosted", complainant_email=ADDRESS, urls=["https://recent.example/x"])
    Notice.objects.filter(pk=recent.pk).update(decided_at=now - timedelta(days=30))
    old, _ = make_case(
        "rejected_not_hosted",
        complainant_email=ADDRESS.title(),
        complainant_organisation="Fotografie De Vries",
        urls=["https://oud.example/x"],
        files=[png("oud-bewijs.png")],
    )
    Notice.objects.filter(pk=old.pk).update(decided_at=now - timedelta(days=730))
    world.extra.update(recent=recent, old=old)
    # Someone else's old case is not touched by this person's erasure.
    world.extra["others_old"], _ = make_case(
        "rejected_not_hosted", complainant_email=OTHER, complainant_name="Piet Pietersen"
    )
    Notice.objects.filter(pk=world.extra["others_old"].pk).update(decided_at=now - timedelta(days=730))

    world.extra["inactive_key"] = ApiKey.objects.create(
        name="Oude sleutel", contact_email=ADDRESS, prefix="old00001", key_hash="o" * 64, is_active=False
    )
    outbox(ADDRESS, "Wacht nog", status=OutboxMessage.Status.PENDING)
    outbox(ADDRESS, "Mislukt", status=OutboxMessage.Status.FAILED)

    # The erasure request being approved, an unconfirmed duplicate, one closed recently, one closed long ago.
    world.extra["erasure"] = AwaitingApprovalRequestFactory(email=ADDRESS.upper(), due_on=today())
    world.extra["unconfirmed"] = RequestFactory(email=ADDRESS, due_on=today())
    world.extra["recently_closed"] = CompletedRequestFactory(
        email=ADDRESS, due_on=today(), received_at=now - timedelta(days=60)
    )
    old_request = CompletedRequestFactory(
        email=ADDRESS,
        due_on=today(),
        received_at=now - timedelta(days=800),
        relation="hosted_site",
        hosted_url="https://www.bakkerij-klant.example/team/sanne?foto=1",
        reply="Wij hebben uw gegevens aangepast, Sanne.",
    )
    RequestMessageFactory(request=old_request, text="Sanne, welke website bedoelt u?")
    world.extra["old_file"] = RequesterFileFactory(request=old_request, kind=RequesterFile.Kind.OTHER)
    world.extra["old_request"] = old_request
    return world


def emails_waiting(by_label):
    [item] = [item for label, item in by_label.items() if label.endswith("still waiting to be sent")]
    return item


def plan_of(results) -> list[tuple[str, str, str]]:
    return [(item["entry"], item["action"], item["label"]) for item in results]


def snapshot():
    """What erasure could change, to show that a dry run changes none of it."""
    return {
        "users": list(User.objects.order_by("pk").values_list("email", "first_name", "is_active", "password")),
        "contacts": list(ClientContact.objects.order_by("pk").values_list("name", "phone")),
        "notices": list(
            Notice.objects.order_by("pk").values_list("complainant_name", "complainant_email", "complainant_phone")
        ),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
        "outbox": list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True)),
        "keys": list(ApiKey.objects.order_by("pk").values_list("contact_email", flat=True)),
        "requests": list(DataSubjectRequest.objects.order_by("pk").values_list("pk", "email", "name", "anonymised_at")),
        "acceptances": list(Acceptance.objects.values_list("signer_name", "ip_address")),
    }


def test_the_plan_lists_what_is_erased_and_what_is_kept_with_the_reason_and_changes_nothing(world):
    before = snapshot()
    with translation.override("en"):
        plan = registry.erase_all(ADDRESS, dry_run=True)
    assert snapshot() == before

    by_label = {item["label"]: item for item in plan}
    kept = {label: item["reason"] for label, item in by_label.items() if item["action"] == "kept"}
    # NTD: open case kept under the DSA, decided case kept until a date, old case anonymised.
    assert "still being handled" in kept[f"Complaint {world.complaint.reference}"]
    assert "Digital Services Act, art. 16" in kept[f"Complaint {world.complaint.reference}"]
    recent_reason = kept[f"Complaint {world.extra['recent'].reference}"]
    assert recent_reason.startswith("Kept until ")
    until = registry.kept_until(timezone.now() - timedelta(days=30), 365)
    with translation.override("en"):
        assert registry.format_date(until) in recent_reason
    assert by_label[f"Complaint {world.extra['old'].reference}"]["action"] == "anonymised"
    assert f"Complaint {world.extra['others_old'].reference}" not in by_label
    # The client's answer, the DPA signature, the objection and the company address stay.
    assert (
        "client's NTD case file"
        in kept[f"Answer of Bakkerij De Korenschoof B.V. to complaint {world.answered.reference}"]
    )
    assert kept["Your signature of DPA version 2026-01 for Bakkerij De Korenschoof B.V."].startswith(
        "Evidence of DPA acceptance while the contract runs"
    )
    assert "while the contract runs" in kept["Your objection to data processing agreement 2026-01"]
    assert "running contract" in kept["Contact address of Fotografie Sanne de Vries"]
    assert "is active" in kept["Contact address of API key abcd1234… (Stichting Fotorecht)"]
    assert by_label["Contact address of API key old00001… (Oude sleutel)"]["action"] == "anonymised"
    assert "GDPR art. 33(5)" in kept["Notification of data breach DL-2000-00001 to Bakkerij De Korenschoof B.V."]
    # E-mails: sent and failed ones go, the one not sent yet waits.
    assert (
        by_label["3 e-mails sent to you or about you"]["action"],
        by_label["3 e-mails sent to you or about you"]["count"],
    ) == (
        "erased",
        3,  # the invoice, the password link and the failed one; the NTD confirmations are still pending
    )
    assert emails_waiting(by_label)["action"] == "kept"
    # Privacy requests: the open one kept, the unconfirmed one erased, the recent one kept until, the old anonymised.
    requests = {item["label"]: item for item in plan if item["entry"] == "privacy.requests"}
    assert "still being handled" in requests[f"Privacy request {world.extra['erasure'].reference}"]["reason"]
    assert requests[f"Privacy request {world.extra['unconfirmed'].reference}"]["action"] == "erased"
    assert "GDPR art. 5(2)" in requests[f"Privacy request {world.extra['recently_closed'].reference}"]["reason"]
    assert requests[f"Privacy request {world.extra['old_request'].reference}"]["action"] == "anonymised"
    # The contact person is anonymised and the login closed; the bakery keeps another contact, so no warning.
    contact = by_label["Your details as contact person of Bakkerij De Korenschoof B.V., and your login"]
    assert (contact["action"], contact["reason"]) == ("anonymised", "")
    # Every kept item says why; every item is JSON-able text.
    assert all(item["reason"] for item in plan if item["action"] == "kept")
    assert all(isinstance(item[key], str) for item in plan for key in ("entry", "entry_label", "label", "reason"))


def test_the_real_run_does_what_the_plan_said(world, django_capture_on_commit_callbacks):
    evidence_path = Path(Evidence.objects.get(notice=world.extra["old"]).file.path)
    assert evidence_path.exists()
    with translation.override("en"):
        plan = registry.erase_all(ADDRESS, dry_run=True)
        with django_capture_on_commit_callbacks(execute=True):
            result = registry.erase_all(ADDRESS, dry_run=False)
    assert plan_of(result) == plan_of(plan)
    assert result == plan

    # NTD: the old case keeps its facts but not the complainant; the photo is gone from disk too.
    old = Notice.objects.get(pk=world.extra["old"].pk)
    assert (old.complainant_name, old.complainant_email, old.complainant_phone, old.complainant_organisation) == (
        "",
        ANONYMISED_EMAIL,
        "",
        "",
    )
    assert (old.owner_contact_how, old.owner_contact_result) == ("", "")
    assert old.reference == world.extra["old"].reference and old.decided_at is not None
    assert not Evidence.objects.filter(notice=old).exists()
    assert not evidence_path.exists()
    assert Notice.objects.get(pk=world.complaint.pk).complainant_name == "Sanne de Vries"
    assert Notice.objects.get(pk=world.extra["recent"].pk).complainant_email == ADDRESS
    assert Notice.objects.get(pk=world.extra["others_old"].pk).complainant_name == "Piet Pietersen"

    # Contracts: contact anonymised, login closed; the signature is untouched evidence.
    contact = ClientContact.objects.select_related("user").get(pk=world.contact.pk)
    assert (contact.name, contact.phone) == ("", "")
    assert contact.user.email == registry.anonymised_address(contact.user.pk)
    assert not contact.user.is_active and not contact.user.has_usable_password()
    acceptance = Acceptance.objects.get(user=contact.user)
    assert (acceptance.signer_name, str(acceptance.ip_address)) == ("Sanne de Vries", "192.0.2.7")
    assert Objection.objects.filter(user=contact.user).exists()
    other = ClientContact.objects.select_related("user").get(pk=world.other_contact.pk)
    assert (other.name, other.user.email, other.user.is_active) == ("Piet Pietersen", OTHER, True)

    # E-mails: only the pending one (and other people's) remain.
    left = set(OutboxMessage.objects.values_list("subject", flat=True))
    assert "Wacht nog" in left and "Bericht voor Piet" in left
    assert not left & {"Uw factuur is verstuurd", "Kies uw wachtwoord", "Mislukt"}

    # API keys and the privacy requests.
    assert ApiKey.objects.get(prefix="old00001").contact_email == ANONYMISED_EMAIL
    assert ApiKey.objects.get(prefix="abcd1234").contact_email == world.api_key.contact_email
    assert not DataSubjectRequest.objects.filter(pk=world.extra["unconfirmed"].pk).exists()
    old_request = DataSubjectRequest.objects.get(pk=world.extra["old_request"].pk)
    assert old_request.anonymised_at is not None
    assert (old_request.name, old_request.email, old_request.description, old_request.reply) == ("", "", "", "")
    assert old_request.hosted_url == "https://www.bakkerij-klant.example/"
    assert list(old_request.messages.values_list("text", flat=True)) == [""]
    old_file = RequesterFile.objects.get(pk=world.extra["old_file"].pk)
    assert old_file.encrypted_path == "" and old_file.deleted_at is not None
    assert DataSubjectRequest.objects.get(pk=world.extra["erasure"].pk).email == ADDRESS.upper()


def test_a_second_run_does_nothing_more(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = registry.erase_all(ADDRESS, dry_run=False)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        second = registry.erase_all(ADDRESS, dry_run=False)
    assert snapshot() == before
    assert {item["action"] for item in second} == {"kept"}
    # What is kept is still kept (what was matched through the closed login is no longer found by the address).
    assert {item["label"] for item in second} <= {item["label"] for item in first}


def test_a_clients_only_contact_is_anonymised_and_the_plan_says_so(world):
    ClientContact.objects.filter(pk=world.other_contact.pk).delete()
    with translation.override("en"):
        plan = registry.erase_all(ADDRESS, dry_run=True)
    [contact] = [item for item in plan if item["entry"] == "contracts.contacts"]
    assert contact["action"] == "anonymised"
    assert "only login" in contact["reason"]


def test_a_staff_login_is_kept_and_a_login_without_contact_is_closed():
    User.objects.create_user(email="medewerker@isimedia.example", is_staff=True, first_name="Mede")
    loose = User.objects.create_user(email="los@voorbeeld.example", password="x", first_name="Los")
    with translation.override("en"):
        staff_plan = registry.erase_all("Medewerker@isimedia.example", dry_run=False)
        loose_plan = registry.erase_all("los@voorbeeld.example", dry_run=False)
    assert [(item["action"], item["entry"]) for item in staff_plan] == [("kept", "isimedia.accounts")]
    assert "employer" in staff_plan[0]["reason"]
    assert [(item["action"], item["entry"]) for item in loose_plan] == [("anonymised", "isimedia.accounts")]
    loose.refresh_from_db()
    assert (loose.email, loose.first_name, loose.is_active) == (registry.anonymised_address(loose.pk), "", False)


def test_nothing_held_gives_an_empty_list():
    assert registry.erase_all("onbekend@nergens.example", dry_run=False) == []
