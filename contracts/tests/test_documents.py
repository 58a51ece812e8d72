"""Terms and DPA versions: drafts, publication, notice and announcements, the version in force, the PDF task."""

import datetime
import hashlib

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from contracts import selectors, services
from contracts.errors import ContractsError
from contracts.models import Acceptance, DocumentKind, DocumentVersion
from contracts.selectors.documents import text_diff
from contracts.services import documents as document_services
from contracts.tests.documents_helpers import draft_version, published_version, published_version_backdated
from contracts.tests.factories import ClientContactFactory, ClientFactory, StaffUserFactory
from isimedia.models import OutboxMessage

pytestmark = [pytest.mark.django_db, pytest.mark.urls("contracts.tests.documents_helpers")]

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def far_enough(kind=DocumentKind.DPA) -> datetime.date:
    """An effective date that gives the full notice period."""
    return document_services.notice_deadline(kind) + DAY


def accept(version: DocumentVersion, contact) -> Acceptance:
    return Acceptance.objects.create(
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
    )


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Record the render tasks publication queues instead of sending them to Redis."""
    queued = []
    monkeypatch.setattr("contracts.tasks.render_version_pdf.delay", queued.append)
    return queued


# --- Drafts and immutability ----------------------------------------------------------------------------------------


def test_a_draft_can_be_edited_until_it_is_published():
    draft = draft_version(kind=DocumentKind.TERMS, label="2026-07", body="Eerste tekst.")
    services.version_update_draft(version_id=draft.pk, body="Tweede tekst.", summary="Kleine correctie")
    draft.refresh_from_db()
    assert (draft.body, draft.summary) == ("Tweede tekst.", "Kleine correctie")
    assert selectors.version_status(draft) == DocumentVersion.Status.DRAFT


def test_publishing_fixes_the_text_and_stores_its_sha256():
    staff = StaffUserFactory()
    body = "## Artikel 1 Onderwerp\n\n1.1 Geüpdatete tekst met één accent.\n"
    draft = draft_version(body=body, effective_on=far_enough())
    version = services.version_publish(version_id=draft.pk, user=staff)
    version.refresh_from_db()
    assert version.published_at is not None and version.published_by == staff
    assert version.text_sha256 == hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert version.short_notice_reason == ""


@pytest.mark.usefixtures("english_messages")
def test_publishing_twice_is_refused():
    version = published_version(effective_on=far_enough(), render_pdf=False)
    first_published_at = version.published_at
    with pytest.raises(ContractsError, match="already published"):
        services.version_publish(version_id=version.pk, user=None)
    version.refresh_from_db()
    assert version.published_at == first_published_at


@pytest.mark.usefixtures("english_messages")
def test_a_published_version_cannot_be_edited_through_the_service():
    version = published_version(effective_on=far_enough(), render_pdf=False)
    with pytest.raises(ContractsError, match="can no longer be changed"):
        services.version_update_draft(version_id=version.pk, body="Stiekem anders.")
    version.refresh_from_db()
    assert "Stiekem" not in version.body


@pytest.mark.parametrize("label", ["versies", "wijzigingen", "met spatie", "", "a/b", "x" * 21])
def test_labels_that_cannot_be_a_permanent_address_are_refused(label):
    with pytest.raises(ContractsError) as error:
        draft_version(label=label)
    assert "label" in error.value.error_dict


@pytest.mark.usefixtures("english_messages")
def test_a_label_is_unique_per_document():
    draft_version(kind=DocumentKind.DPA, label="2026-01")
    draft_version(kind=DocumentKind.TERMS, label="2026-01")  # the other document may use it
    with pytest.raises(ContractsError, match="already has a version labelled 2026-01"):
        draft_version(kind=DocumentKind.DPA, label="2026-01")


# --- Dates and notice -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_an_effective_date_in_the_past_is_refused():
    draft = draft_version(effective_on=today() - DAY)
    with pytest.raises(ContractsError, match="cannot take effect in the past"):
        services.version_publish(version_id=draft.pk, user=None, short_notice_reason="Spoed")
    draft.refresh_from_db()
    assert not draft.is_published


@pytest.mark.usefixtures("english_messages")
def test_a_new_version_cannot_take_effect_before_a_published_one():
    published_version(label="later", effective_on=far_enough() + relativedelta(months=2), render_pdf=False)
    draft = draft_version(effective_on=far_enough())
    with pytest.raises(ContractsError, match="later takes effect on"):
        services.version_publish(version_id=draft.pk, user=None)


@pytest.mark.parametrize("kind, months", [(DocumentKind.DPA, 3), (DocumentKind.TERMS, 2)])
def test_a_short_notice_needs_a_reason_which_is_recorded(kind, months):
    deadline = today() + relativedelta(months=months)
    draft = draft_version(kind=kind, effective_on=deadline - DAY)
    with pytest.raises(ContractsError) as error:
        services.version_publish(version_id=draft.pk, user=None, short_notice_reason="  ")
    assert "short_notice_reason" in error.value.error_dict
    assert deadline.isoformat() in str(error.value)

    version = services.version_publish(version_id=draft.pk, user=None, short_notice_reason="Wettelijke verplichting")
    version.refresh_from_db()
    assert version.short_notice_reason == "Wettelijke verplichting"


def test_the_full_notice_needs_no_reason(settings):
    settings.CONTRACTS_NOTICE_MONTHS = {"dpa": 1, "terms": 1}
    draft = draft_version(effective_on=today() + relativedelta(months=1))
    version = services.version_publish(version_id=draft.pk, user=None, short_notice_reason="niet nodig")
    assert version.short_notice_reason == ""


# --- Announcements --------------------------------------------------------------------------------------------------


def test_a_new_dpa_is_announced_to_the_contacts_of_clients_that_accepted_the_current_one():
    current = published_version(label="2026-01", effective_on=today(), render_pdf=False)
    signed = ClientFactory(name="Bakkerij Getekend", language="nl")
    english = ClientFactory(name="Harbour Signed", language="en")
    unsigned = ClientFactory(name="Nog Niet Getekend")
    anna = ClientContactFactory(client=signed, name="Anna")
    bert = ClientContactFactory(client=signed, name="Bert")
    gone = ClientContactFactory(client=signed, name="Weg")
    gone.user.is_active = False
    gone.user.save()
    eve = ClientContactFactory(client=english, name="Eve")
    ClientContactFactory(client=unsigned)
    accept(current, anna)
    accept(current, eve)

    new = published_version(
        label="2026-09", effective_on=far_enough(), summary="Nieuwe subverwerker voor back-ups.", render_pdf=False
    )

    messages = {message.to: message for message in OutboxMessage.objects.filter(template="contracts_version_announced")}
    assert set(messages) == {anna.user.email, bert.user.email, eve.user.email}
    dutch, english_message = messages[anna.user.email], messages[eve.user.email]
    assert (dutch.language, english_message.language) == ("nl", "en")
    date = new.effective_on
    for message in (dutch, english_message):
        assert "Nieuwe subverwerker voor back-ups." in message.body_text
        assert "http://testserver/verwerkersovereenkomst/wijzigingen/?van=2026-01&naar=2026-09" in message.body_text
        assert "http://testserver/account/" in message.body_text
        assert str(date.year) in message.subject + message.body_text
    assert "2026-09" in dutch.subject


def test_the_first_dpa_is_announced_to_nobody():
    ClientContactFactory()
    published_version(effective_on=far_enough(), render_pdf=False)
    assert not OutboxMessage.objects.filter(template="contracts_version_announced").exists()


def test_new_terms_are_announced_to_every_client_contact():
    contacts = [ClientContactFactory(), ClientContactFactory(), ClientContactFactory()]
    published_version(kind=DocumentKind.TERMS, effective_on=far_enough(DocumentKind.TERMS), render_pdf=False)
    recipients = set(OutboxMessage.objects.filter(template="contracts_version_announced").values_list("to", flat=True))
    assert recipients == {contact.user.email for contact in contacts}


def test_a_refused_publication_sends_nothing():
    current = published_version(effective_on=today(), render_pdf=False)
    accept(current, ClientContactFactory())
    draft = draft_version(effective_on=today() + DAY)
    with pytest.raises(ContractsError):
        services.version_publish(version_id=draft.pk, user=None)  # short notice without a reason
    assert not OutboxMessage.objects.filter(template="contracts_version_announced").exists()


# --- The PDF --------------------------------------------------------------------------------------------------------


def test_publishing_queues_the_pdf_after_commit(django_capture_on_commit_callbacks, _no_broker):
    draft = draft_version(effective_on=far_enough())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.version_publish(version_id=draft.pk, user=None)
    assert _no_broker == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert _no_broker == [draft.pk]


def test_a_broker_outage_leaves_the_pdf_to_the_sweep(django_capture_on_commit_callbacks, monkeypatch, caplog):
    def down(*args):
        raise ConnectionError("broker down")

    monkeypatch.setattr("contracts.tasks.render_version_pdf.delay", down)
    draft = draft_version(effective_on=far_enough())
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version_id=draft.pk, user=None)
    assert "waits for the sweep" in caplog.text
    draft.refresh_from_db()
    assert not draft.pdf

    assert services.versions_render_missing_pdfs() == 1
    draft.refresh_from_db()
    assert draft.pdf and draft.pdf_sha256
    assert services.versions_render_missing_pdfs() == 0


def test_rendering_is_idempotent_and_stores_the_sha256_of_the_bytes():
    version = published_version(effective_on=far_enough(), render_pdf=False)
    assert services.version_render_pdf(version_id=version.pk) is True
    version.refresh_from_db()
    name, digest = version.pdf.name, version.pdf_sha256
    with version.pdf.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == digest
    assert services.version_render_pdf(version_id=version.pk) is False
    version.refresh_from_db()
    assert (version.pdf.name, version.pdf_sha256) == (name, digest)


def test_a_draft_gets_no_pdf():
    draft = draft_version()
    assert services.version_render_pdf(version_id=draft.pk) is False


def test_the_tasks_call_the_services():
    from contracts import tasks

    version = published_version(effective_on=far_enough(), render_pdf=False)
    assert tasks.render_version_pdf.run(version.pk) is True
    assert tasks.render_version_pdf.run(version.pk) is False
    assert tasks.render_missing_pdfs.run() == 0


# --- Back-dated history ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english_messages")
def test_earlier_history_can_be_recorded_in_order_until_a_version_is_published_normally():
    first = published_version_backdated(label="2018-05", effective_on=datetime.date(2018, 5, 10), render_pdf=False)
    assert first.short_notice_reason  # the archive can tell it was recorded afterwards
    with pytest.raises(ContractsError, match="in order"):
        published_version_backdated(label="2017-01", effective_on=datetime.date(2017, 1, 1), render_pdf=False)
    published_version_backdated(label="2019-12", effective_on=datetime.date(2019, 12, 21), render_pdf=False)

    published_version(label="2026-nieuw", effective_on=far_enough(), render_pdf=False)
    with pytest.raises(ContractsError, match="can no longer be added"):
        published_version_backdated(label="2024-01", effective_on=datetime.date(2024, 1, 1), render_pdf=False)


@pytest.mark.usefixtures("english_messages")
def test_back_dating_is_only_for_the_past():
    draft = draft_version(effective_on=today())
    with pytest.raises(ContractsError, match="before today"):
        services.version_publish_backdated(version_id=draft.pk, user=None, reason="Overgenomen")


# --- Which version applies ------------------------------------------------------------------------------------------


@pytest.fixture
def history():
    """2018-05 from 10 May 2018, 2019-12 from 21 December 2019, and a version scheduled after the notice period."""
    old = published_version_backdated(label="2018-05", effective_on=datetime.date(2018, 5, 10), render_pdf=False)
    mid = published_version_backdated(label="2019-12", effective_on=datetime.date(2019, 12, 21), render_pdf=False)
    new = published_version(label="2027-01", effective_on=far_enough(), render_pdf=False)
    return old, mid, new


def test_the_version_in_force_on_any_date(history):
    old, mid, new = history
    in_force = selectors.version_in_force
    assert in_force(DocumentKind.DPA, on=datetime.date(2018, 5, 9)) is None
    assert in_force(DocumentKind.DPA, on=datetime.date(2018, 5, 10)) == old
    assert in_force(DocumentKind.DPA, on=datetime.date(2019, 12, 20)) == old
    assert in_force(DocumentKind.DPA, on=datetime.date(2019, 12, 21)) == mid
    assert in_force(DocumentKind.DPA) == mid
    assert in_force(DocumentKind.DPA, on=new.effective_on - DAY) == mid
    assert in_force(DocumentKind.DPA, on=new.effective_on) == new
    assert in_force(DocumentKind.TERMS) is None


def test_statuses_and_the_scheduled_version(history):
    old, mid, new = history
    draft = draft_version(effective_on=far_enough() + relativedelta(months=1))
    status = selectors.version_status
    assert [status(v) for v in (old, mid, new, draft)] == ["superseded", "in_force", "scheduled", "draft"]
    assert selectors.version_scheduled(DocumentKind.DPA) == new
    assert status(new, today=new.effective_on) == "in_force"
    assert status(mid, today=new.effective_on) == "superseded"


def test_a_correction_for_the_same_day_replaces_the_scheduled_version(history):
    new = history[2]
    correction = published_version(label="2027-01b", effective_on=new.effective_on, render_pdf=False)
    assert selectors.version_scheduled(DocumentKind.DPA) == correction
    assert selectors.version_status(new) == "superseded"
    assert selectors.version_in_force(DocumentKind.DPA, on=new.effective_on) == correction


def test_the_archive_lists_published_versions_newest_first(history, django_assert_num_queries):
    draft_version(label="concept")
    with django_assert_num_queries(1):
        archive = selectors.versions_archive(DocumentKind.DPA)
        summary = [(v.label, v.status, v.previous.label if v.previous else None) for v in archive]
    assert summary == [
        ("2027-01", "scheduled", "2019-12"),
        ("2019-12", "in_force", "2018-05"),
        ("2018-05", "superseded", None),
    ]


def test_a_draft_has_no_permanent_address(history):
    draft_version(label="concept")
    assert selectors.version_by_label(DocumentKind.DPA, "concept") is None
    assert selectors.version_by_label(DocumentKind.DPA, "2019-12") == history[1]
    assert selectors.version_by_label(DocumentKind.TERMS, "2019-12") is None


# --- What changed ---------------------------------------------------------------------------------------------------


def test_the_diff_marks_words_and_keeps_both_texts():
    old = "## Artikel 1\n\n1.1 Wij melden een datalek binnen 72 uur.\n\n1.2 Ongewijzigd.\n"
    new = "## Artikel 1\n\n1.1 Wij melden een datalek binnen 48 uur aan jou.\n\n1.2 Ongewijzigd.\n\n1.3 Nieuw.\n"
    segments = text_diff(old, new)
    assert "".join(text for op, text in segments if op != "insert") == old
    assert "".join(text for op, text in segments if op != "delete") == new
    assert ("delete", "72") in segments
    assert any(op == "insert" and text.startswith("48") for op, text in segments)
    assert any(op == "insert" and "1.3 Nieuw." in text for op, text in segments)
    assert all("Ongewijzigd" not in text for op, text in segments if op != "equal")


# --- Demo data ------------------------------------------------------------------------------------------------------


def test_the_demo_seed_publishes_two_versions_of_each_document_once():
    from contracts.demo_documents import seed_documents

    seed_documents()
    seed_documents()
    for kind in (DocumentKind.DPA, DocumentKind.TERMS):
        archive = selectors.versions_archive(kind)
        assert [v.status for v in archive] == ["scheduled", "in_force"]
        scheduled, in_force = archive
        assert in_force.effective_on < today() and in_force.short_notice_reason.startswith("Demo")
        assert scheduled.effective_on >= document_services.notice_deadline(kind)
        assert scheduled.effective_on.day == 1 and scheduled.summary
        assert scheduled.short_notice_reason == ""
        assert all(version.pdf and version.pdf_sha256 for version in archive)
        assert any(op != "equal" for op, _text in selectors.version_diff(in_force, scheduled))
