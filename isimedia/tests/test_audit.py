"""The audit trail (issue 7): every staff change to a case, request, document or client is recorded with who and when,
sensitive reads too; each role reads only its own part of it, it exports as CSV, keeps no secret, and nobody can
delete from it."""

import csv
import io
import json
from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Acceptance, DocumentKind, DocumentVersion
from contracts.tests.factories import ClientContactFactory, StaffUserFactory, WebsiteFactory
from isimedia import audit, roles
from isimedia.models import ClosingDay
from ntd import services as ntd_services
from ntd.models import ApiKey, Notice, State
from ntd.tests.factories import handler, notice_input
from privacy import registry
from privacy.models import DataSubjectRequest, Right
from privacy.retention import retention_apply
from privacy.tests.factories import ConfirmedRequestFactory, OfficerFactory, RequesterFileFactory
from satisfaction import services as satisfaction_services
from satisfaction.models import FollowUp
from satisfaction.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

TRAIL = "admin:auditlog_logentry_changelist"
EXPORT = "admin:auditlog_logentry_export"


def entry_url(entry) -> str:
    return reverse("admin:auditlog_logentry_change", args=[entry.pk])


def as_staff(client, user):
    client.force_login(user)
    # The admin in English, so the assertions read as the msgids do.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def contract_manager():
    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=roles.CONTRACT_MANAGERS))
    return user


def entries_for(instance):
    return LogEntry.objects.get_for_object(instance).order_by("timestamp", "pk")


def shown(response) -> list[LogEntry]:
    return list(response.context["cl"].result_list)


def exported(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def submitted_notice() -> Notice:
    """A complaint from the public form: the complainant is not logged in."""
    return ntd_services.notice_submit(data=notice_input()).notice


def forwarded_by(client, user) -> Notice:
    """A handler forwards a new complaint to the client through the admin's step form."""
    notice = submitted_notice()
    website = WebsiteFactory(host="korenschoof.example")
    as_staff(client, user)
    response = client.post(
        reverse("admin:ntd_notice_transition", args=[notice.pk, "forward"]), {"website": website.pk}, follow=True
    )
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.state == State.AWAITING_CUSTOMER
    return notice


def privacy_change() -> DataSubjectRequest:
    """An officer's change to a privacy request, made in a request (as through the admin)."""
    privacy_request = ConfirmedRequestFactory()
    with set_actor(OfficerFactory()):
        privacy_request.extension_reason = "Complex verzoek."
        privacy_request.save(update_fields=["extension_reason"])
    return privacy_request


# --- what is recorded ---------------------------------------------------------------------------------------------


def test_a_handlers_step_in_the_admin_is_recorded_with_who_when_and_what_changed(client):
    staff = handler(email="sanne@isimedia.example")
    before = timezone.now()
    notice = forwarded_by(client, staff)

    created, *updates = entries_for(notice)
    # The complaint came in through the public form: nobody was logged in.
    assert created.action == LogEntry.Action.CREATE and created.actor is None
    [forward] = [entry for entry in updates if "state" in entry.changes]
    assert (forward.action, forward.actor, forward.actor_email) == (LogEntry.Action.UPDATE, staff, staff.email)
    assert before <= forward.timestamp <= timezone.now()
    assert forward.changes["state"] == [State.RECEIVED, State.AWAITING_CUSTOMER]
    assert forward.object_repr == notice.reference

    page = client.get(reverse(TRAIL))
    assert page.status_code == 200
    assert forward in shown(page)
    text = page.text
    assert "sanne@isimedia.example" in text and notice.reference in text and "system" in text

    detail = client.get(entry_url(forward)).text
    assert "received" in detail and "waiting for the client" in detail


def test_a_change_made_outside_a_request_shows_as_the_system(client):
    notice = submitted_notice()
    ntd_services.notice_forward(notice_id=notice.pk, website=WebsiteFactory(host="korenschoof.example"), user=None)
    as_staff(client, handler())

    rows = exported(client.get(reverse(EXPORT)))
    forward = [row for row in rows[1:] if row[5] == notice.reference and "state" in row[6]]
    assert forward and forward[0][1] == "system"


def test_the_personal_data_of_a_complainant_is_not_kept_in_the_log_only_that_it_was_set(client):
    notice = forwarded_by(client, handler())
    created = entries_for(notice).first()

    everything = json.dumps([entry.changes for entry in LogEntry.objects.all()])
    assert "marieke@fotografie.example" not in everything
    assert "Marieke Jansen" not in everything
    assert created.changes["complainant_email"] == ["None", audit.HIDDEN]
    assert "(not kept in the log)" in client.get(entry_url(created)).text


def test_secrets_never_reach_the_log(client):
    staff = handler()
    as_staff(client, staff)
    client.post(
        reverse("admin:ntd_apikey_add"),
        {"name": "Stichting Meldpunt", "contact_email": "api@meldpunt.example", "trusted_flagger": "on"},
    )
    api_key = ApiKey.objects.get()
    notice = submitted_notice()
    superuser = StaffUserFactory(is_superuser=True)
    as_staff(client, superuser)
    client.post(
        reverse("admin:auth_user_password_change", args=[staff.pk]),
        {"password1": "Een-heel-nieuw-wachtwoord-42", "password2": "Een-heel-nieuw-wachtwoord-42"},
    )
    staff.refresh_from_db()

    everything = json.dumps(
        [[entry.changes, entry.object_repr, entry.additional_data] for entry in LogEntry.objects.all()]
    )
    for secret in (api_key.key_hash, notice.tracking_token_hash, staff.password):
        assert secret not in everything
    [issued] = entries_for(api_key)
    assert issued.actor == staff and issued.changes["key_hash"] == ["None", audit.HIDDEN]
    # A new password is on the record, its hash is not.
    [changed] = entries_for(staff).filter(action=LogEntry.Action.UPDATE, changes__has_key="password")
    assert (changed.actor, changed.changes["password"]) == (superuser, [audit.HIDDEN, audit.HIDDEN])


def test_a_login_or_contact_is_named_by_its_number_not_by_the_persons_name():
    contact = ClientContactFactory(name="Jan de Vries")
    [entry] = entries_for(contact)
    assert entry.object_repr == f"#{contact.pk}"
    assert "Jan de Vries" not in json.dumps(entry.changes)


def test_every_audited_model_hides_what_the_register_of_personal_data_lists():
    for label in audit.AUDITED:
        model = ContentType.objects.get_by_natural_key(*label.lower().split(".")).model_class()
        masked = set(auditlog.get_model_fields(model)["mask_fields"])
        covered = {name for model_label, name in registry.registry.covered() if model_label == model._meta.label}
        assert covered <= masked, label
        assert set(audit.SECRET_FIELDS.get(label, ())) <= masked, label


# --- sensitive reads ----------------------------------------------------------------------------------------------


def test_opening_an_identity_copy_or_previewing_a_data_package_is_recorded(client):
    officer = OfficerFactory(email="fatima@isimedia.example")
    requester_file = RequesterFileFactory()
    privacy_request = requester_file.request
    as_staff(client, officer)

    download = client.get(
        reverse("admin:privacy_datasubjectrequest_file", args=[privacy_request.pk, requester_file.pk])
    )
    assert download.status_code == 200
    preview_of = ConfirmedRequestFactory(right=Right.ACCESS)
    preview = client.get(reverse("admin:privacy_datasubjectrequest_package_preview", args=[preview_of.pk]))
    assert preview.status_code == 200

    [read] = entries_for(privacy_request).filter(action=LogEntry.Action.ACCESS)
    assert (read.actor, read.object_repr) == (officer, privacy_request.reference)
    assert read.additional_data == {"read": "identity_copy", "file": requester_file.pk}
    # The file's name (the requester's) is not in the entry.
    assert requester_file.original_name not in json.dumps([read.object_repr, read.additional_data])
    [previewed] = entries_for(preview_of).filter(action=LogEntry.Action.ACCESS)
    assert previewed.additional_data == {"read": "package_preview"}

    page = client.get(reverse(TRAIL), {"action__exact": LogEntry.Action.ACCESS})
    assert set(shown(page)) == {read, previewed}
    assert "read: a copy of an identity document" in page.text and "fatima@isimedia.example" in page.text


def test_a_staff_download_of_a_signed_dpa_is_recorded_a_clients_own_is_not(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contact = ClientContactFactory()
    version = DocumentVersion.objects.create(
        kind=DocumentKind.DPA,
        label="2030-01",
        title="Verwerkersovereenkomst",
        body="## Artikel 1",
        effective_on=timezone.localdate(),
        published_at=timezone.now(),
        text_sha256="b" * 64,
    )
    signature = Acceptance.objects.create(
        version=version,
        client=contact.client,
        user=contact.user,
        signer_name=contact.name,
        signer_title="Directeur",
        company_name=contact.client.name,
        kvk_number=contact.client.kvk_number,
        version_label=version.label,
        text_sha256=version.text_sha256,
        statement="Ik ben bevoegd.",
        evidence_sha256="e" * 64,
        signed_pdf=default_storage.save("contracts/signed/x.pdf", ContentFile(b"%PDF signed")),
    )
    url = reverse("contracts_signing:dpa_pdf", args=[signature.pk])

    client.force_login(contact.user)
    assert client.get(url).status_code == 200
    assert not entries_for(signature).exists()

    manager = contract_manager()
    client.force_login(manager)
    assert client.get(url).status_code == 200
    [read] = entries_for(signature)
    assert (read.action, read.actor, read.additional_data) == (LogEntry.Action.ACCESS, manager, {"read": "signed_dpa"})


# --- who sees what ------------------------------------------------------------------------------------------------


def test_each_role_reads_only_the_entries_about_its_own_work(client):
    notice = forwarded_by(client, handler())
    privacy_request = privacy_change()
    feedback = FeedbackFactory()
    manager = contract_manager()
    with set_actor(manager):
        satisfaction_services.feedback_follow_up(
            feedback_id=feedback.pk, to_state=FollowUp.CONTACTED, user=manager, note="Gebeld."
        )
    notice_entries = set(entries_for(notice))
    privacy_entries = set(entries_for(privacy_request))
    feedback_entries = set(entries_for(feedback))

    as_staff(client, OfficerFactory())
    seen = set(shown(client.get(reverse(TRAIL), {"all": ""})))
    assert privacy_entries <= seen and not seen & (notice_entries | feedback_entries)
    assert client.get(entry_url(next(iter(notice_entries)))).status_code == 404

    as_staff(client, handler())
    seen = set(shown(client.get(reverse(TRAIL))))
    assert notice_entries <= seen and not seen & (privacy_entries | feedback_entries)
    privacy_entry = next(iter(privacy_entries))
    refused = client.get(entry_url(privacy_entry))
    assert refused.status_code == 404 and privacy_request.reference not in refused.text
    rows = exported(client.get(reverse(EXPORT)))
    assert privacy_request.reference not in json.dumps(rows)
    assert notice.reference in json.dumps(rows)

    as_staff(client, contract_manager())
    seen = set(shown(client.get(reverse(TRAIL))))
    assert feedback_entries <= seen and not seen & (notice_entries | privacy_entries)

    as_staff(client, StaffUserFactory(is_superuser=True))
    seen = set(shown(client.get(reverse(TRAIL))))
    assert notice_entries | privacy_entries | feedback_entries <= seen


def test_staff_without_a_role_do_not_get_the_audit_trail(client):
    as_staff(client, StaffUserFactory())
    assert client.get(reverse(TRAIL)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403


def test_nobody_can_add_change_or_delete_an_entry_not_even_a_superuser(client):
    notice = forwarded_by(client, handler())
    entry = entries_for(notice).last()
    as_staff(client, StaffUserFactory(is_superuser=True))

    page = client.get(reverse(TRAIL))
    assert 'name="action"' not in page.text  # no bulk actions, so no "delete selected"
    assert client.get(reverse("admin:auditlog_logentry_add")).status_code == 403
    assert client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert client.post(entry_url(entry), {"object_repr": "niets"}).status_code == 403
    bulk = client.post(reverse(TRAIL), {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    assert bulk.status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk, object_repr=notice.reference).exists()


# --- the CSV export -----------------------------------------------------------------------------------------------


def test_the_export_holds_the_filtered_entries_readable_and_formula_safe(client):
    staff = handler(email="sanne@isimedia.example")
    notice = forwarded_by(client, staff)
    client.post(reverse("admin:ntd_notice_note", args=[notice.pk]), {"text": '=HYPERLINK("https://evil.example")'})
    ClosingDay.objects.create(date=timezone.localdate() + timedelta(days=30), reason="Teamdag")
    notice_type = ContentType.objects.get_for_model(Notice)

    rows = exported(client.get(reverse(EXPORT), {"type": notice_type.pk, "by": staff.pk}))

    header, *body = rows
    assert header == ["time", "by", "action", "object type", "object id", "object", "changes"]
    assert body and all(row[3] == "NTD notice" and row[1] == staff.email for row in body)
    [forward] = [row for row in body if "state:" in row[6]]
    assert forward[2] == "update" and forward[4] == str(notice.pk) and forward[5] == notice.reference
    assert "state: received → waiting for the client" in forward[6]
    entry = entries_for(notice).get(action=LogEntry.Action.UPDATE, changes__has_key="state")
    assert forward[0] == timezone.localtime(entry.timestamp).isoformat(timespec="seconds")
    assert forward[0].endswith(("+01:00", "+02:00"))

    note_rows = exported(client.get(reverse(EXPORT), {"q": "HYPERLINK"}))[1:]
    assert note_rows and all(row[5].startswith("'=") for row in note_rows)


@pytest.mark.parametrize("page", [TRAIL, EXPORT])
def test_the_list_and_the_export_take_as_many_queries_for_30_entries_as_for_3(client, page):
    as_staff(client, handler())
    closing_day_type = ContentType.objects.get_for_model(ClosingDay)

    def queries_for(count: int) -> int:
        with set_actor(StaffUserFactory()):
            for _number in range(count):
                ClosingDay.objects.create(date=timezone.localdate() + timedelta(days=10 + ClosingDay.objects.count()))
        client.get(reverse(page))  # warm the session, permission and content type caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(page), {"type": closing_day_type.pk})
        assert response.status_code == 200
        return len(queries)

    few = queries_for(3)
    many = queries_for(27)
    assert LogEntry.objects.filter(content_type=closing_day_type).count() == 30
    assert many == few


def test_the_list_page_stays_within_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    as_staff(client, handler())
    for number in range(30):
        ClosingDay.objects.create(date=timezone.localdate() + timedelta(days=10 + number))
    with django_assert_max_num_queries(15):
        assert client.get(reverse(TRAIL)).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse(EXPORT)).status_code == 200


# --- the register of personal data --------------------------------------------------------------------------------


def test_the_audit_trail_is_in_the_register_with_export_erasure_and_retention():
    officer = OfficerFactory(email="fatima@isimedia.example")
    contact = ClientContactFactory()
    with set_actor(officer):
        ClosingDay.objects.create(date=timezone.localdate() + timedelta(days=40), reason="Heidag")
    with set_actor(contact.user):
        ClosingDay.objects.create(date=timezone.localdate() + timedelta(days=41))
    old = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ClosingDay),
        object_pk="1",
        object_repr="oud",
        action=LogEntry.Action.UPDATE,
        timestamp=timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS + 1),
    )

    [exported_entry] = registry.export_all("fatima@isimedia.example")["isimedia.audit_log"]["records"]
    assert exported_entry["action"] == "create" and "reason" in exported_entry["fields"]

    results = [row for row in registry.erase_all(officer.email, dry_run=False) if row["entry"] == "isimedia.audit_log"]
    assert [row["action"] for row in results] == ["kept"]
    assert LogEntry.objects.filter(actor_email=officer.email).count() == 1

    contact_email = contact.user.email
    results = [row for row in registry.erase_all(contact_email, dry_run=False) if row["entry"] == "isimedia.audit_log"]
    assert [row["action"] for row in results] == ["anonymised"]
    assert not LogEntry.objects.filter(actor_email=contact_email).exists()

    retention_apply()
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(actor_email=officer.email).exists()
