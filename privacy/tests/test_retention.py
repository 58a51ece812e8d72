"""Retention: each app's rule removes what has been kept long enough, records it, and never removes anything twice."""

import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from isimedia.models import OutboxMessage
from ntd.models import Evidence, Notice
from ntd.tests.factories import make_case
from privacy import retention
from privacy.models import DataPackage, DataSubjectRequest, RequestLink, RetentionRecord, State
from privacy.registry import ANONYMISED_EMAIL
from privacy.retention import retention_apply
from privacy.tests.factories import (
    CompletedRequestFactory,
    ConfirmedRequestFactory,
    RefusedRequestFactory,
    RequesterFileFactory,
    RequestFactory,
    RequestMessageFactory,
    make_link,
    make_package,
)
from privacy.tests.factories_registry import outbox, png


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVACY_UNCONFIRMED_DAYS = 30
    settings.PRIVACY_IDENTITY_COPY_DAYS = 14
    settings.PRIVACY_REQUEST_RETENTION_DAYS = 365
    settings.PRIVACY_NTD_CASE_RETENTION_DAYS = 365
    settings.PRIVACY_OUTBOX_RETENTION_DAYS = 365


def ago(days: int, **extra):
    return timezone.now() - timedelta(days=days, **extra)


def today():
    return timezone.localdate()


def records(run) -> dict[str, int]:
    return dict(run.records.values_list("rule", "count"))


def stored(path: str) -> bool:
    return bool(path) and default_storage.exists(path)


def apply(django_capture_on_commit_callbacks, now=None):
    # Files are deleted after commit: run the callbacks as a real commit would.
    with django_capture_on_commit_callbacks(execute=True):
        return retention_apply(now=now)


@pytest.mark.django_db
def test_old_emails_are_deleted_and_recent_or_pending_ones_stay(django_capture_on_commit_callbacks):
    old_sent = outbox("a@voorbeeld.example", "Oud verstuurd")
    OutboxMessage.objects.filter(pk=old_sent.pk).update(sent_at=ago(366), created_at=ago(366))
    old_failed = outbox("b@voorbeeld.example", "Oud mislukt", status=OutboxMessage.Status.FAILED)
    OutboxMessage.objects.filter(pk=old_failed.pk).update(created_at=ago(400))
    old_pending = outbox("c@voorbeeld.example", "Oud maar nog niet verstuurd", status=OutboxMessage.Status.PENDING)
    OutboxMessage.objects.filter(pk=old_pending.pk).update(created_at=ago(400))
    recent = outbox("d@voorbeeld.example", "Recent")
    OutboxMessage.objects.filter(pk=recent.pk).update(sent_at=ago(364))

    run = apply(django_capture_on_commit_callbacks)
    assert records(run) == {"isimedia.emails": 2}
    assert set(OutboxMessage.objects.values_list("subject", flat=True)) == {"Oud maar nog niet verstuurd", "Recent"}
    record = run.records.get()
    assert record.description and "365" in record.description
    assert run.finished_at is not None


@pytest.mark.django_db
def test_decided_ntd_cases_lose_the_complainant_after_the_period(django_capture_on_commit_callbacks):
    old, _ = make_case("rejected_not_hosted", complainant_phone="06-1", files=[png("bewijs.png")])
    Notice.objects.filter(pk=old.pk).update(decided_at=ago(366))
    path = Path(Evidence.objects.get(notice=old).file.path)
    recent, _ = make_case("rejected_not_hosted")
    Notice.objects.filter(pk=recent.pk).update(decided_at=ago(364))
    open_case, _ = make_case("received")
    Notice.objects.filter(pk=open_case.pk).update(received_at=ago(800))

    run = apply(django_capture_on_commit_callbacks)
    assert records(run) == {"ntd.complaints": 1}
    old.refresh_from_db()
    assert (old.complainant_name, old.complainant_email, old.complainant_phone) == ("", ANONYMISED_EMAIL, "")
    assert old.state == "rejected_not_hosted" and old.decision_reason
    assert not Evidence.objects.filter(notice=old).exists() and not path.exists()
    assert Notice.objects.get(pk=recent.pk).complainant_name == "Marieke Jansen"
    assert Notice.objects.get(pk=open_case.pk).complainant_name == "Marieke Jansen"


@pytest.mark.django_db
def test_unconfirmed_requests_are_purged_after_the_period(django_capture_on_commit_callbacks):
    old = RequestFactory(received_at=ago(31), due_on=today())
    make_link(old)
    young = RequestFactory(received_at=ago(29), due_on=today())
    confirmed_old = ConfirmedRequestFactory(received_at=ago(60), due_on=today())

    run = apply(django_capture_on_commit_callbacks)
    assert records(run) == {"privacy.unconfirmed_requests": 1}
    assert not DataSubjectRequest.objects.filter(pk=old.pk).exists()
    assert not RequestLink.objects.filter(request_id=old.pk).exists()
    assert set(DataSubjectRequest.objects.values_list("pk", flat=True)) == {young.pk, confirmed_old.pk}


@pytest.mark.django_db
def test_requester_files_are_deleted_some_days_after_the_request_closed(django_capture_on_commit_callbacks):
    closed_long = CompletedRequestFactory(received_at=ago(30), due_on=today())  # closed 23 days ago
    closed_recently = RefusedRequestFactory(received_at=ago(10), due_on=today())  # closed 3 days ago
    still_open = ConfirmedRequestFactory(received_at=ago(100), due_on=today())
    old_file = RequesterFileFactory(request=closed_long)
    path = old_file.encrypted_path
    young_file = RequesterFileFactory(request=closed_recently)
    open_file = RequesterFileFactory(request=still_open)
    assert stored(path)

    run = apply(django_capture_on_commit_callbacks)
    assert records(run) == {"privacy.requester_files": 1}
    old_file.refresh_from_db()
    # The record keeps the fact, not the copy.
    assert old_file.encrypted_path == "" and old_file.deleted_at is not None
    assert "14" in old_file.deletion_reason
    assert old_file.original_name == "paspoort-kopieid.pdf"
    assert not stored(path)
    for kept in (young_file, open_file):
        kept.refresh_from_db()
        assert stored(kept.encrypted_path) and kept.deleted_at is None


@pytest.mark.django_db
def test_downloaded_or_expired_package_files_are_deleted(django_capture_on_commit_callbacks):
    request = CompletedRequestFactory(due_on=today())
    downloaded, _ = make_package(request)
    DataPackage.objects.filter(pk=downloaded.pk).update(downloaded_at=timezone.now())
    expired, _ = make_package(request, expires_in_days=-1)
    waiting, _ = make_package(request)
    paths = {package.pk: package.encrypted_path for package in (downloaded, expired, waiting)}

    run = apply(django_capture_on_commit_callbacks)
    assert records(run) == {"privacy.data_packages": 2}
    for package in (downloaded, expired):
        package.refresh_from_db()
        assert package.encrypted_path == "" and package.deleted_at is not None
        assert not stored(paths[package.pk])
    waiting.refresh_from_db()
    assert stored(waiting.encrypted_path) and waiting.deleted_at is None


@pytest.mark.django_db
def test_closed_requests_are_anonymised_after_the_period_and_the_record_stays(django_capture_on_commit_callbacks):
    old = CompletedRequestFactory(
        received_at=ago(400),
        due_on=today(),
        relation="hosted_site",
        hosted_url="https://www.bakkerij-klant.example/team/sanne",
        identity_doubt="Naam wijkt af.",
    )
    RequestMessageFactory(request=old, text="Sanne, klopt dit adres?")
    make_link(old)
    young = CompletedRequestFactory(received_at=ago(300), due_on=today())

    run = apply(django_capture_on_commit_callbacks)
    assert records(run) == {"privacy.closed_requests": 1}
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.name, old.email, old.description, old.reply, old.identity_doubt) == ("", "", "", "", "")
    # The site stays known (which client's site it was); the page about the person goes.
    assert old.hosted_url == "https://www.bakkerij-klant.example/"
    assert (old.reference, old.state, old.right) == (old.reference, State.COMPLETED, "access")
    assert list(old.messages.values_list("text", flat=True)) == [""]
    assert not old.links.exists()
    young.refresh_from_db()
    assert young.anonymised_at is None and young.name == "Sanne de Vries"


@pytest.mark.django_db
def test_a_second_run_removes_nothing_twice_and_writes_no_records(django_capture_on_commit_callbacks):
    outbox("a@voorbeeld.example", "Oud")
    OutboxMessage.objects.update(sent_at=ago(400))
    RequestFactory(received_at=ago(40), due_on=today())
    old = CompletedRequestFactory(received_at=ago(400), due_on=today())
    RequesterFileFactory(request=old)
    notice, _ = make_case("rejected_not_hosted")
    Notice.objects.filter(pk=notice.pk).update(decided_at=ago(400))

    first = apply(django_capture_on_commit_callbacks)
    assert records(first) == {
        "isimedia.emails": 1,
        "ntd.complaints": 1,
        "privacy.unconfirmed_requests": 1,
        "privacy.requester_files": 1,
        "privacy.closed_requests": 1,
    }
    second = apply(django_capture_on_commit_callbacks)
    assert records(second) == {}
    assert second.finished_at is not None
    # Later still, the anonymised rows are not counted again.
    assert records(apply(django_capture_on_commit_callbacks, now=timezone.now() + timedelta(days=400))) == {}
    assert RetentionRecord.objects.filter(run=first).count() == 5


@pytest.mark.django_db
def test_a_failing_rule_does_not_stop_the_others(monkeypatch, django_capture_on_commit_callbacks):
    outbox("a@voorbeeld.example", "Oud")
    OutboxMessage.objects.update(sent_at=ago(400))
    RequestFactory(received_at=ago(40), due_on=today())

    def broken(now):
        raise RuntimeError("kapot")

    from privacy import registry

    entry = registry.registry.entry("isimedia.emails")
    rule = replace(entry.retention[0], apply=broken)
    monkeypatch.setitem(registry.registry._entries, entry.key, replace(entry, retention=[rule]))
    with pytest.raises(RuntimeError, match="kapot"):
        apply(django_capture_on_commit_callbacks)
    assert list(RetentionRecord.objects.values_list("rule", "count")) == [("privacy.unconfirmed_requests", 1)]
    assert OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_do_not_apply_the_same_rule_together():
    for subject in ("Oud 1", "Oud 2"):
        outbox("a@voorbeeld.example", subject)
    OutboxMessage.objects.update(sent_at=ago(400))
    held, release = threading.Event(), threading.Event()

    def other_run():
        # Another run, in its own connection, busy with the e-mail rule.
        try:
            with transaction.atomic():
                assert retention.try_lock("isimedia.emails")
                held.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert held.wait(timeout=30)
        busy = retention_apply()
        assert "isimedia.emails" not in records(busy)
        assert OutboxMessage.objects.count() == 2
    finally:
        release.set()
        thread.join(timeout=30)
    after = retention_apply()
    assert records(after) == {"isimedia.emails": 2}
    assert RetentionRecord.objects.filter(rule="isimedia.emails").count() == 1
