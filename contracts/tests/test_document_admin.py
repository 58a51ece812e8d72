"""The contracts admin for versions, DPA signatures and objections, used as a contract manager uses it."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone, translation

from contracts import selectors, services
from contracts.models import Acceptance, Client, DocumentKind, DocumentVersion, Objection
from contracts.selectors.documents import version_annotate_status
from contracts.services.documents import notice_deadline
from isimedia import roles
from isimedia import urls as project_urls
from isimedia.models import OutboxMessage
from isimedia.tests.staff import staff_in

from .factories import ClientContactFactory, ClientFactory, StaffUserFactory

# Pages the admin links to; until the project's URLconf includes them, these tests add them.
urlpatterns = [*project_urls.urlpatterns]
for namespace, module in [
    ("contracts_objections", "contracts.objection_urls"),
    ("documents", "contracts.document_urls"),
    ("contracts_signing", "contracts.signing_urls"),
]:
    if not any(getattr(pattern, "namespace", None) == namespace for pattern in urlpatterns):
        urlpatterns.insert(0, path("", include(module)))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English msgids; the site itself is Dutch first."""
    with translation.override("en"):
        yield


_labels = iter(range(1, 10_000))


@pytest.fixture
def manager():
    return staff_in(roles.CONTRACT_MANAGERS)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    # The admin in English, so the assertions read as the msgids do.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def version(*, days=0, published=True, kind=DocumentKind.DPA, published_at=None, **fields) -> DocumentVersion:
    """A version taking effect ``days`` from today, written straight to the database."""
    values = {
        "kind": kind,
        "label": f"2030-{next(_labels):02d}",
        "title": "Verwerkersovereenkomst" if kind == DocumentKind.DPA else "Algemene voorwaarden",
        "body": "## Artikel 1\n\n1.1 De tekst.",
        "summary": "Artikel 1 is nieuw.",
        "effective_on": TODAY() + datetime.timedelta(days=days),
    }
    if published:
        values |= {"published_at": published_at or timezone.now(), "text_sha256": "b" * 64}
    return DocumentVersion.objects.create(**(values | fields))


def with_pdf(version_: DocumentVersion, content: bytes = b"%PDF-1.7 stored bytes") -> DocumentVersion:
    name = default_storage.save(f"contracts/versions/{version_.kind}-{version_.label}.pdf", ContentFile(content))
    DocumentVersion.objects.filter(pk=version_.pk).update(pdf=name, pdf_sha256=hashlib.sha256(content).hexdigest())
    version_.refresh_from_db()
    return version_


def acceptance(version_: DocumentVersion, contact=None, **fields) -> Acceptance:
    contact = contact or ClientContactFactory()
    values = {
        "version": version_,
        "client": contact.client,
        "user": contact.user,
        "signer_name": contact.name,
        "signer_title": "Directeur",
        "company_name": contact.client.name,
        "kvk_number": contact.client.kvk_number,
        "version_label": version_.label,
        "text_sha256": version_.text_sha256,
        "statement": f"Ik ben bevoegd om te tekenen voor {contact.client.name}.",
        "ip_address": "192.0.2.10",
        "user_agent": "Firefox",
        "evidence_sha256": "e" * 64,
    }
    return Acceptance.objects.create(**(values | fields))


def change_url(obj):
    return reverse(f"admin:contracts_{obj._meta.model_name}_change", args=[obj.pk])


def publish_url(version_):
    return reverse("admin:contracts_documentversion_publish", args=[version_.pk])


def texts(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The list of versions -------------------------------------------------------------------------------------------


def test_the_list_shows_each_versions_derived_status_and_filters_on_it(manager_client, media):
    old = version(days=-400, label="2019-12")
    current = version(days=-10, label="2026-01")
    scheduled = with_pdf(version(days=100, label="2027-01"))
    draft = version(days=200, published=False, label="concept")
    url = reverse("admin:contracts_documentversion_changelist")

    page = manager_client.get(url).content.decode()

    for row, css, words in [
        (old, "ntd-muted", "superseded"),
        (current, "ntd-urgency-green", "published, in force"),
        (scheduled, "ntd-urgency-amber", "published, scheduled"),
        (draft, "ntd-state", "draft"),
    ]:
        cell = re.search(rf'href="{change_url(row)}[^"]*">{row.label}</a>.*?</tr>', page, re.S).group()
        assert re.search(rf'class="[^"]*{css}[^"]*">{words}</span>', cell), (row.label, cell)
    scheduled_row = re.search(rf"{scheduled.label}</a>.*?</tr>", page, re.S).group()
    assert "icon-yes" in scheduled_row  # PDF ready

    response = manager_client.get(url, {"status": "in_force"})
    assert list(response.context["cl"].result_list) == [current]
    response = manager_client.get(url, {"status": "superseded"})
    assert list(response.context["cl"].result_list) == [old]
    response = manager_client.get(url, {"kind__exact": "terms"})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize(
    "make",
    [
        lambda: [version(days=-300), version(days=-5), version(days=60)],
        lambda: [version(days=5), version(days=5)],  # a correction for the same day replaces the first
        lambda: [version(days=0), version(days=0, published=False)],
        lambda: [version(days=-3), version(days=-3), version(days=-1, kind=DocumentKind.TERMS)],
        lambda: [version(days=10, published_at=timezone.now() - datetime.timedelta(days=1)), version(days=20)],
    ],
)
def test_the_lists_status_is_the_one_the_site_uses(make):
    versions = make()
    annotated = {v.pk: v.status for v in version_annotate_status(DocumentVersion.objects.all())}
    assert annotated == {v.pk: selectors.version_status(v) for v in versions}


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:contracts_documentversion_changelist", lambda: with_pdf(version(days=next(_labels)))),
        ("admin:contracts_acceptance_changelist", lambda: acceptance(version(days=-next(_labels)))),
        ("admin:contracts_objection_changelist", lambda: Objection.objects.create(
            version=version(days=30 + next(_labels)), client=ClientFactory(), user=StaffUserFactory(), text="Nee."
        )),
    ],
)  # fmt: skip
def test_changelists_cost_the_same_for_2_and_20_rows(
    manager_client, django_assert_max_num_queries, media, url_name, make
):
    url = reverse(url_name)
    for _ in range(2):
        make()
    with CaptureQueriesContext(connection) as two:
        assert manager_client.get(url).status_code == 200
    for _ in range(18):
        make()
    with django_assert_max_num_queries(len(two)):
        response = manager_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 20


# --- Drafts ---------------------------------------------------------------------------------------------------------


def draft_data(**fields):
    return {
        "label": "2030-03",
        "title": "Verwerkersovereenkomst",
        "body": "## Artikel 1\n\n1.1 Nieuw.",
        "summary": "Alles nieuw.",
        "effective_on": (TODAY() + datetime.timedelta(days=120)).isoformat(),
        **fields,
    }


def test_a_manager_adds_a_draft_and_edits_it(manager_client):
    response = manager_client.post(reverse("admin:contracts_documentversion_add"), draft_data(kind="dpa"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft = DocumentVersion.objects.get()
    assert (draft.kind, draft.label, draft.published_at) == ("dpa", "2030-03", None)

    response = manager_client.post(change_url(draft), draft_data(body="## Artikel 1\n\n1.1 Beter.", label="2030-04"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert (draft.label, draft.body) == ("2030-04", "## Artikel 1\n\n1.1 Beter.")


def test_a_draft_label_is_checked_as_the_service_checks_it(manager_client):
    version(kind=DocumentKind.DPA, label="2030-03")
    response = manager_client.post(reverse("admin:contracts_documentversion_add"), draft_data(kind="dpa"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["label"]

    response = manager_client.post(reverse("admin:contracts_documentversion_add"), draft_data(kind="dpa", label="pdf"))
    assert response.context["adminform"].form.errors["label"]
    assert DocumentVersion.objects.count() == 1


def test_a_draft_page_offers_publishing(manager_client):
    draft = version(days=120, published=False)
    page = manager_client.get(change_url(draft)).content.decode()
    assert publish_url(draft) in page
    assert 'name="_save"' in page


# --- Published versions are read-only -------------------------------------------------------------------------------


def test_a_published_version_is_shown_read_only_with_its_fingerprints_and_pdf(manager_client, media):
    published = with_pdf(version(days=-1, label="2026-02"), b"%PDF-1.7 the stored bytes")

    page = manager_client.get(change_url(published)).content.decode()

    assert 'name="_save"' not in page
    assert 'name="body"' not in page
    assert published.text_sha256 in page
    assert published.pdf_sha256 in page
    assert publish_url(published) not in page
    pdf_url = reverse("admin:contracts_documentversion_pdf", args=[published.pk])
    assert pdf_url in page
    assert reverse("admin:contracts_documentversion_delete", args=[published.pk]) not in page

    download = manager_client.get(pdf_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.7 the stored bytes"


def test_posting_a_change_to_a_published_version_is_refused_and_changes_nothing(manager_client):
    published = version(days=30, label="2030-09")

    response = manager_client.post(change_url(published), draft_data(body="Stiekem anders.", label="2030-09"))
    assert response.status_code == 403
    delete = reverse("admin:contracts_documentversion_delete", args=[published.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403

    published.refresh_from_db()
    assert published.body == "## Artikel 1\n\n1.1 De tekst."


def test_bulk_deletion_is_not_offered(manager_client):
    version(published=False)
    response = manager_client.get(reverse("admin:contracts_documentversion_changelist"))
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)


def test_a_version_whose_pdf_is_not_there_yet_says_so(manager_client):
    published = version(days=10)
    page = manager_client.get(change_url(published)).content.decode()
    assert "being rendered" in page
    assert manager_client.get(reverse("admin:contracts_documentversion_pdf", args=[published.pk])).status_code == 404


# --- Publishing -----------------------------------------------------------------------------------------------------


def test_publishing_with_full_notice_after_confirmation(manager_client, manager):
    effective_on = notice_deadline(DocumentKind.DPA) + datetime.timedelta(days=7)
    draft = version(published=False, effective_on=effective_on, label="2031-01")

    confirmation = manager_client.get(publish_url(draft))
    page = texts(confirmation.content.decode())
    assert "3 months" in page
    assert "short_notice_reason" not in confirmation.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is None  # the confirmation page itself publishes nothing

    response = manager_client.post(publish_url(draft), follow=True)

    assert response.redirect_chain == [(change_url(draft), 302)]
    assert "is published and takes effect on" in response.content.decode()
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert draft.published_by == manager
    assert draft.short_notice_reason == ""
    assert draft.text_sha256 == hashlib.sha256(draft.body.encode()).hexdigest()


def test_the_terms_have_two_months_notice(manager_client):
    draft = version(published=False, kind=DocumentKind.TERMS, days=400)
    assert "2 months" in texts(manager_client.get(publish_url(draft)).content.decode())


def test_short_notice_needs_a_reason_which_is_recorded(manager_client):
    draft = version(published=False, days=10, label="2030-spoed")

    page = manager_client.get(publish_url(draft)).content.decode()
    assert 'id="short-notice"' in page
    assert 'name="short_notice_reason"' in page

    response = manager_client.post(publish_url(draft), {"short_notice_reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["short_notice_reason"]
    draft.refresh_from_db()
    assert draft.published_at is None

    response = manager_client.post(publish_url(draft), {"short_notice_reason": "Wettelijke wijziging per direct."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert draft.short_notice_reason == "Wettelijke wijziging per direct."


def test_a_refusal_of_the_service_is_shown_on_the_confirmation_page(manager_client):
    version(days=50)
    earlier = version(published=False, days=20)  # before the published one: the service refuses

    response = manager_client.post(publish_url(earlier), {"short_notice_reason": "Snel."})

    assert response.status_code == 200
    assert "cannot take effect before it" in " ".join(response.context["form"].non_field_errors())
    earlier.refresh_from_db()
    assert earlier.published_at is None


def test_the_publish_action_leads_to_the_confirmation_page(manager_client):
    draft = version(published=False, days=200)
    response = manager_client.post(
        reverse("admin:contracts_documentversion_changelist"),
        {"action": "publish_action", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    assert response.url == publish_url(draft)


def test_publishing_a_published_version_again_is_refused(manager_client):
    published = version(days=100)
    response = manager_client.post(publish_url(published), follow=True)
    assert "already published" in response.content.decode()


@pytest.mark.parametrize("group", [roles.NTD_HANDLERS, roles.PRIVACY_OFFICERS])
def test_other_staff_cannot_publish(client, group):
    draft = version(published=False, days=200)
    client.force_login(staff_in(group))

    assert client.get(publish_url(draft)).status_code == 403
    assert client.post(publish_url(draft)).status_code == 403
    assert client.get(reverse("admin:contracts_documentversion_changelist")).status_code == 403
    draft.refresh_from_db()
    assert draft.published_at is None


# --- Who signed a version -------------------------------------------------------------------------------------------


def test_a_dpa_version_shows_which_clients_signed_it_and_which_not(manager_client, django_assert_max_num_queries):
    dpa = version(days=-5)
    signed = acceptance(dpa, ClientContactFactory(client__name="Bakkerij Brood", name="Els de Vries"))
    acceptance(version(days=-50))  # signed an older version only: not this one
    ClientFactory(name="Slagerij Vlees")

    page = manager_client.get(change_url(dpa)).content.decode()

    signed_block = re.search(r'id="signatures".*?</fieldset>', page, re.S).group()
    not_signed_block = re.search(r'id="not-signed".*?</fieldset>', page, re.S).group()
    assert "Bakkerij Brood" in signed_block and "Els de Vries" in signed_block
    assert change_url(signed) in signed_block
    assert "Slagerij Vlees" in not_signed_block
    assert "Bakkerij Brood" not in not_signed_block
    assert "Signed by 1 client" in texts(signed_block)
    assert "Not signed by 2 clients" in texts(not_signed_block)


def test_the_version_page_costs_the_same_for_2_and_20_signatures(manager_client, django_assert_max_num_queries):
    dpa = version(days=-5)
    for _ in range(2):
        acceptance(dpa)
        ClientFactory()
    with CaptureQueriesContext(connection) as two:
        manager_client.get(change_url(dpa))
    for _ in range(18):
        acceptance(dpa)
        ClientFactory()
    with django_assert_max_num_queries(len(two)):
        assert manager_client.get(change_url(dpa)).status_code == 200


# --- DPA signatures -------------------------------------------------------------------------------------------------


def test_signatures_are_evidence_the_admin_never_adds_changes_or_deletes(manager_client):
    signature = acceptance(version(days=-5))

    assert manager_client.get(reverse("admin:contracts_acceptance_add")).status_code == 403
    page = manager_client.get(change_url(signature)).content.decode()
    assert 'name="_save"' not in page
    assert "192.0.2.10" in page and signature.statement in page
    assert manager_client.post(change_url(signature), {"signer_name": "Iemand anders"}).status_code == 403
    delete = reverse("admin:contracts_acceptance_delete", args=[signature.pk])
    assert manager_client.post(delete, {"post": "yes"}).status_code == 403
    signature.refresh_from_db()
    assert signature.signer_name != "Iemand anders"


def test_signatures_are_found_by_company_kvk_or_signer_and_filtered_by_version(manager_client):
    dpa = version(days=-5)
    older = version(days=-50)
    bakker = acceptance(dpa, ClientContactFactory(client__name="Bakkerij Brood", client__kvk_number="87654321"))
    slager = acceptance(older, ClientContactFactory(name="Piet Slager"))
    url = reverse("admin:contracts_acceptance_changelist")

    assert list(manager_client.get(url, {"q": "Bakkerij"}).context["cl"].result_list) == [bakker]
    assert list(manager_client.get(url, {"q": "87654321"}).context["cl"].result_list) == [bakker]
    assert list(manager_client.get(url, {"q": "Piet Slager"}).context["cl"].result_list) == [slager]
    assert list(manager_client.get(url, {"version__id__exact": older.pk}).context["cl"].result_list) == [slager]
    assert list(manager_client.get(url, {"client__id__exact": bakker.client_id}).context["cl"].result_list) == [bakker]


def test_staff_download_a_signed_pdf(manager_client, media):
    signature = acceptance(version(days=-5))
    name = default_storage.save("contracts/signed/x.pdf", ContentFile(b"%PDF signed"))
    Acceptance.objects.filter(pk=signature.pk).update(signed_pdf=name, signed_pdf_sha256="f" * 64)
    url = reverse("contracts_signing:dpa_pdf", args=[signature.pk])

    assert url in manager_client.get(reverse("admin:contracts_acceptance_changelist")).content.decode()
    download = manager_client.get(url)

    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF signed"


@pytest.fixture
def client_admin_with_signatures(monkeypatch):
    """ClientAdmin with the signatures inline; until contracts/admin.py lists it, the test adds it the same way."""
    from django.contrib import admin

    from contracts.document_admin import ClientAcceptanceInline

    client_admin = admin.site._registry[Client]
    if ClientAcceptanceInline not in client_admin.inlines:
        monkeypatch.setattr(client_admin, "inlines", [*client_admin.inlines, ClientAcceptanceInline])
    return client_admin


def test_the_client_page_lists_its_signatures_read_only(
    manager_client, client_admin_with_signatures, media, django_assert_max_num_queries
):
    contact = ClientContactFactory()
    first = acceptance(version(days=-50, label="2025-01"), contact)
    url = reverse("admin:contracts_client_change", args=[contact.client_id])
    with CaptureQueriesContext(connection) as one:
        manager_client.get(url)
    for _ in range(10):
        acceptance(version(days=-next(_labels)), contact)
    name = default_storage.save("contracts/signed/y.pdf", ContentFile(b"%PDF"))
    Acceptance.objects.filter(pk=first.pk).update(signed_pdf=name, signed_pdf_sha256="f" * 64)

    with django_assert_max_num_queries(len(one)):
        page = manager_client.get(url).content.decode()

    assert "2025-01" in page
    assert first.signer_name in page
    assert reverse("contracts_signing:dpa_pdf", args=[first.pk]) in page
    assert reverse("admin:contracts_acceptance_change", args=[first.pk]) in page
    assert 'name="acceptances-0-signer_name"' not in page  # shown, never editable


MANAGEMENT_FIELD = re.compile(
    r'<input type="hidden" name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d*)"'
)


def test_a_client_with_signatures_can_still_be_saved(manager_client, client_admin_with_signatures):
    contact = ClientContactFactory(client__name="Oude naam", name="Els de Vries")
    signature = acceptance(version(days=-5), contact)
    url = reverse("admin:contracts_client_change", args=[contact.client_id])
    # What a browser sends back: the management fields of every inline on the page, and the rows it shows.
    data = dict(MANAGEMENT_FIELD.findall(manager_client.get(url).content.decode()))
    assert data["acceptances-TOTAL_FORMS"] == "1"
    data |= {
        "acceptances-0-id": str(signature.pk),
        "acceptances-0-client": str(contact.client_id),
        "contacts-0-id": str(contact.pk),
        "contacts-0-client": str(contact.client_id),
        "contacts-0-name": "Els de Vries",
        "contacts-0-phone": "",
        "name": "Nieuwe naam",
        "kvk_number": contact.client.kvk_number,
        "contact_email": "info@nieuw.nl",
        "language": "nl",
    }

    response = manager_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    contact.client.refresh_from_db()
    assert contact.client.name == "Nieuwe naam"
    assert Acceptance.objects.get().signer_name == signature.signer_name


# --- Objections -----------------------------------------------------------------------------------------------------


def objection(days=30, **fields):
    contact = fields.pop("contact", None) or ClientContactFactory()
    return services.objection_create(
        client=contact.client, user=contact.user, version=version(days=days), text=fields.get("text", "Nee.")
    )


def test_objections_are_filtered_open_or_settled(manager_client, manager):
    still_open = objection()
    settled = objection()
    services.objection_settle(objection_id=settled.pk, settlement="Opgelost.", user=manager)
    url = reverse("admin:contracts_objection_changelist")

    assert list(manager_client.get(url, {"settled": "no"}).context["cl"].result_list) == [still_open]
    assert list(manager_client.get(url, {"settled": "yes"}).context["cl"].result_list) == [settled]


def test_a_manager_settles_an_objection_and_the_contact_is_told(manager_client, manager):
    contact = ClientContactFactory(client__language="en", name="Els de Vries")
    open_objection = objection(contact=contact, text="Artikel 4 niet.")
    settle_url = reverse("admin:contracts_objection_settle", args=[open_objection.pk])
    assert settle_url in manager_client.get(change_url(open_objection)).content.decode()

    response = manager_client.post(settle_url, {"settlement": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["settlement"]

    response = manager_client.post(settle_url, {"settlement": "Artikel 4 blijft, uitleg gegeven."}, follow=True)

    assert response.redirect_chain == [(change_url(open_objection), 302)]
    open_objection.refresh_from_db()
    assert open_objection.settlement == "Artikel 4 blijft, uitleg gegeven."
    assert open_objection.settled_by == manager
    [message] = OutboxMessage.objects.filter(template="contracts_objection_settled")
    assert message.to == contact.user.email
    assert message.language == "en"
    assert settle_url not in response.content.decode()  # settled once


def test_objections_are_never_added_edited_or_deleted_in_the_admin(manager_client):
    made = objection()
    assert manager_client.get(reverse("admin:contracts_objection_add")).status_code == 403
    assert manager_client.post(change_url(made), {"text": "Anders."}).status_code == 403
    made.refresh_from_db()
    assert made.text == "Nee."


def test_ntd_handlers_cannot_settle_objections(client):
    made = objection()
    client.force_login(staff_in(roles.NTD_HANDLERS))
    url = reverse("admin:contracts_objection_settle", args=[made.pk])
    assert client.post(url, {"settlement": "Weg ermee."}).status_code == 403
    made.refresh_from_db()
    assert made.settled_at is None


def test_the_staff_mail_about_an_objection_links_to_the_admin():
    made = objection()
    [message] = OutboxMessage.objects.filter(template="contracts_objection_received")
    assert f"http://testserver{change_url(made)}" in message.body_text
