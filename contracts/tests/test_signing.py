"""Signing the DPA: the evidence an acceptance records, what is refused, the client's pages and who may download."""

import datetime
import hashlib
import json
import time

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

import contracts.signing_tasks
from contracts import selectors, services
from contracts.errors import ContractsError
from contracts.models import Acceptance, DocumentKind
from contracts.services.signing import client_ip_address, signed_pdf_make
from isimedia.models import OutboxMessage
from isimedia.tests.support import celery_broker

from .documents_helpers import draft_version, published_version, published_version_backdated
from .factories import ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory
from .test_sealing import (
    make_contact,
    make_dpa_in_force,
    make_signed_acceptance,
    make_signing_certificate,
    sign,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("contracts.tests.test_sealing")]

TODAY = timezone.localdate


@pytest.fixture
def signing_certificate(tmp_path, settings):
    return make_signing_certificate(tmp_path, settings)


@pytest.fixture
def dpa_in_force():
    return make_dpa_in_force()


@pytest.fixture
def contact():
    return make_contact()


@pytest.fixture
def signed_acceptance(signing_certificate, dpa_in_force, contact):
    return make_signed_acceptance(contact, dpa_in_force)


def login(client, user):
    client.force_login(user)


# --- The evidence ---------------------------------------------------------------------------------------------------


def test_an_acceptance_records_every_piece_of_evidence(dpa_in_force, contact):
    before = timezone.now()
    with translation.override("en"):
        acceptance = sign(contact, dpa_in_force, signer_name="  Jan   Jansen ", signer_title="Directeur")
    acceptance = Acceptance.objects.get(pk=acceptance.pk)

    assert acceptance.client == contact.client
    assert acceptance.user == contact.user
    assert acceptance.version == dpa_in_force
    assert acceptance.signer_name == "Jan Jansen"
    assert acceptance.signer_title == "Directeur"
    assert acceptance.company_name == "Bakkerij De Korenschoof B.V."
    assert acceptance.kvk_number == "12345678"
    assert acceptance.version_label == "2026-01"
    assert acceptance.text_sha256 == hashlib.sha256(dpa_in_force.body.encode()).hexdigest()
    assert acceptance.statement == "I am authorised to sign for Bakkerij De Korenschoof B.V."
    assert before <= acceptance.accepted_at <= timezone.now()
    assert acceptance.ip_address == "192.0.2.10"
    assert acceptance.user_agent == "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"
    assert not acceptance.signed_pdf


def test_the_evidence_hash_can_be_recomputed_from_the_stored_record(dpa_in_force, contact):
    acceptance = Acceptance.objects.get(pk=sign(contact, dpa_in_force, ip_address="2001:0db8:0000::0001").pk)

    # Written out here rather than taken from the service, so a change of the format is noticed.
    evidence = {
        "schema": "isimedia-dpa-acceptance/1",
        "version_id": acceptance.version_id,
        "version_label": acceptance.version_label,
        "text_sha256": acceptance.text_sha256,
        "client_id": acceptance.client_id,
        "company_name": acceptance.company_name,
        "kvk_number": acceptance.kvk_number,
        "user_id": acceptance.user_id,
        "signer_name": acceptance.signer_name,
        "signer_title": acceptance.signer_title,
        "statement": acceptance.statement,
        "accepted_at": acceptance.accepted_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "ip_address": "2001:db8::1",
        "user_agent": acceptance.user_agent,
    }
    canonical = json.dumps(evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert acceptance.evidence_sha256 == hashlib.sha256(canonical).hexdigest()
    assert services.signing.evidence_sha256(services.signing.acceptance_evidence(acceptance)) == (
        acceptance.evidence_sha256
    )


def test_the_company_as_it_was_stays_in_the_evidence_after_a_rename(dpa_in_force, contact):
    acceptance = sign(contact, dpa_in_force)
    contact.client.name = "Korenschoof Holding B.V."
    contact.client.save()

    acceptance.refresh_from_db()
    assert acceptance.company_name == "Bakkerij De Korenschoof B.V."
    assert services.signing.evidence_sha256(services.signing.acceptance_evidence(acceptance)) == (
        acceptance.evidence_sha256
    )


def test_an_acceptance_can_be_neither_changed_nor_deleted(dpa_in_force, contact):
    acceptance = sign(contact, dpa_in_force)

    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.filter(pk=acceptance.pk).update(signer_name="Someone Else")
    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.filter(pk=acceptance.pk).delete()


def test_a_long_user_agent_is_cut_short(dpa_in_force, contact):
    acceptance = sign(contact, dpa_in_force, user_agent="x" * 5000)
    assert len(acceptance.user_agent) == 512


def test_the_signer_gets_a_confirmation_with_a_link_to_the_account(dpa_in_force, contact):
    contact.user.language = "nl"
    contact.user.save()
    acceptance = sign(contact, dpa_in_force)

    message = OutboxMessage.objects.get(template="contracts_dpa_signed")
    assert message.to == contact.user.email
    assert message.language == "nl"
    assert "2026-01" in message.subject and "Bakkerij De Korenschoof B.V." in message.subject
    assert "http://testserver/account/" in message.body_text
    assert "Jan Jansen" in message.body_text
    assert acceptance.evidence_sha256 in message.body_text


# --- Refusals -------------------------------------------------------------------------------------------------------


def test_signing_without_the_authorisation_is_refused(dpa_in_force, contact):
    with pytest.raises(ContractsError) as refused:
        sign(contact, dpa_in_force, authorised=False)
    assert "authorised" in refused.value.message_dict
    assert not Acceptance.objects.exists()


@pytest.mark.parametrize("field", ["signer_name", "signer_title"])
def test_name_and_title_are_required(dpa_in_force, contact, field):
    with pytest.raises(ContractsError) as refused:
        sign(contact, dpa_in_force, **{field: "   "})
    assert field in refused.value.message_dict


@pytest.mark.usefixtures("english_messages")
def test_only_a_contact_of_the_client_can_sign_for_it(dpa_in_force, contact):
    stranger = ClientContactFactory()  # a contact, but of another client
    staff = StaffUserFactory()

    for user in (stranger.user, staff, UserFactory()):
        with pytest.raises(ContractsError, match="Only a contact person"):
            services.dpa_sign(
                client=contact.client,
                user=user,
                version=dpa_in_force,
                signer_name="Piet",
                signer_title="Directeur",
                authorised=True,
                ip_address=None,
                user_agent="",
            )
    assert not Acceptance.objects.exists()


@pytest.mark.usefixtures("english_messages")
def test_a_deactivated_contact_cannot_sign(dpa_in_force, contact):
    contact.user.is_active = False
    contact.user.save()
    with pytest.raises(ContractsError, match="Only a contact person"):
        sign(contact, dpa_in_force)


@pytest.mark.usefixtures("english_messages")
def test_a_draft_cannot_be_signed(contact):
    draft = draft_version(kind=DocumentKind.DPA)
    with pytest.raises(ContractsError, match="cannot be signed"):
        sign(contact, draft)


@pytest.mark.usefixtures("english_messages")
def test_a_superseded_version_cannot_be_signed(contact):
    old = published_version_backdated(
        DocumentKind.DPA, label="2018-05", effective_on=TODAY() - datetime.timedelta(days=800), render_pdf=False
    )
    published_version_backdated(
        DocumentKind.DPA, label="2019-12", effective_on=TODAY() - datetime.timedelta(days=400), render_pdf=False
    )
    with pytest.raises(ContractsError, match="cannot be signed"):
        sign(contact, old)


@pytest.mark.usefixtures("english_messages")
def test_the_general_terms_cannot_be_signed_as_a_dpa(contact):
    terms = published_version(DocumentKind.TERMS, effective_on=TODAY(), render_pdf=False)
    with pytest.raises(ContractsError, match="cannot be signed"):
        sign(contact, terms)


def test_the_scheduled_version_can_be_signed_ahead_of_time(dpa_in_force, contact):
    scheduled = published_version(
        DocumentKind.DPA, label="2027-01", effective_on=TODAY() + datetime.timedelta(days=120), render_pdf=False
    )
    acceptance = sign(contact, scheduled)
    assert acceptance.version == scheduled


def test_signing_the_same_version_twice_is_refused_with_who_and_when(dpa_in_force, contact):
    sign(contact, dpa_in_force, signer_name="Jan Jansen")
    colleague = ClientContactFactory(client=contact.client)

    with translation.override("en"), pytest.raises(ContractsError) as refused:
        sign(colleague, dpa_in_force, signer_name="Piet Pietersen")
    message = refused.value.messages[0]
    assert "already signed" in message
    assert "Jan Jansen" in message
    assert str(timezone.localdate().year) in message
    assert Acceptance.objects.count() == 1


# --- The address ----------------------------------------------------------------------------------------------------


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request_from("198.51.100.7", "203.0.113.99")) == "198.51.100.7"


def test_behind_one_trusted_proxy_the_address_it_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "203.0.113.99" itself; the proxy appended the address it really saw.
    assert client_ip_address(request_from("10.0.0.2", "203.0.113.99, 198.51.100.7")) == "198.51.100.7"
    assert client_ip_address(request_from("10.0.0.2", "198.51.100.7")) == "198.51.100.7"


def test_behind_two_trusted_proxies_the_right_most_untrusted_address_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("10.0.0.3", "203.0.113.99, 198.51.100.7, 10.0.0.2")
    assert client_ip_address(request) == "198.51.100.7"


def test_a_missing_or_garbled_forwarded_header_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_ip_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_the_view_stores_the_address_behind_the_trusted_proxy(client, settings, dpa_in_force, contact):
    settings.TRUSTED_PROXY_COUNT = 1
    login(client, contact.user)

    client.post(
        reverse("contracts_signing:dpa_sign", args=["2026-01"]),
        {"signer_name": "Jan Jansen", "signer_title": "Directeur", "authorised": "on"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7",
        HTTP_USER_AGENT="TestBrowser/2.0",
    )

    acceptance = Acceptance.objects.get()
    assert acceptance.ip_address == "198.51.100.7"
    assert acceptance.user_agent == "TestBrowser/2.0"


# --- The client's pages ---------------------------------------------------------------------------------------------


def test_the_sign_page_shows_the_version_and_the_declaration_with_the_company(client, dpa_in_force, contact):
    login(client, contact.user)
    response = client.get(reverse("contracts_signing:dpa_sign", args=["2026-01"]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Verwerkersovereenkomst" in page and "2026-01" in page
    assert "I am authorised to sign for Bakkerij De Korenschoof B.V." in page
    assert "Deze tekst is een testversie." in page  # the agreement itself, on the page


def test_signing_through_the_page_stores_the_declaration_as_shown(client, dpa_in_force, contact):
    login(client, contact.user)
    url = reverse("contracts_signing:dpa_sign", args=["2026-01"])
    with translation.override("en"):
        shown = services.signing.authorisation_statement("Bakkerij De Korenschoof B.V.")

    response = client.post(
        url,
        {"signer_name": "Jan Jansen", "signer_title": "Directeur", "authorised": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("contracts_signing:dpa")
    acceptance = Acceptance.objects.get()
    assert acceptance.statement == shown
    page = response.content.decode()
    assert "Bakkerij De Korenschoof B.V. has signed the data processing agreement 2026-01" in page
    assert "being prepared" in page


def test_the_page_refuses_a_missing_tick_and_keeps_the_typed_values(client, dpa_in_force, contact):
    login(client, contact.user)
    response = client.post(
        reverse("contracts_signing:dpa_sign", args=["2026-01"]),
        {"signer_name": "Jan Jansen", "signer_title": "Directeur"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Tick this box" in response.content.decode()
    assert 'value="Jan Jansen"' in response.content.decode()
    assert not Acceptance.objects.exists()


def test_a_version_that_cannot_be_signed_has_no_sign_page(client, contact):
    draft_version(kind=DocumentKind.DPA, label="concept-1")
    login(client, contact.user)
    assert client.get(reverse("contracts_signing:dpa_sign", args=["concept-1"])).status_code == 404
    assert client.get(reverse("contracts_signing:dpa_sign", args=["does-not-exist"])).status_code == 404


def test_staff_get_the_clients_only_page(client, dpa_in_force):
    staff = StaffUserFactory()
    login(client, staff)
    assert client.get(reverse("contracts_signing:dpa")).status_code == 403
    assert client.get(reverse("contracts_signing:dpa_sign", args=["2026-01"])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login(client, dpa_in_force):
    response = client.get(reverse("contracts_signing:dpa"))
    assert response.status_code == 302 and "/account/inloggen/" in response["Location"]


def status_page(client, contact):
    login(client, contact.user)
    response = client.get(reverse("contracts_signing:dpa"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_status_not_signed(client, dpa_in_force, contact):
    page = status_page(client, contact)
    assert "not signed" in page
    assert reverse("contracts_signing:dpa_sign", args=["2026-01"]) in page
    assert selectors.dpa_status_for_client(contact.client).state == "not_signed"


def test_status_signed_with_version_date_and_signer(client, signed_acceptance, contact):
    page = status_page(client, contact)
    assert selectors.dpa_status_for_client(contact.client).state == "signed"
    assert "Version 2026-01, signed on" in page
    assert "Jan Jansen (Directeur)" in page
    assert reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk]) in page


def test_status_newer_version_to_review_links_to_the_changes(client, signed_acceptance, contact):
    published_version(
        DocumentKind.DPA, label="2027-01", effective_on=TODAY() + datetime.timedelta(days=120), render_pdf=False
    )
    page = status_page(client, contact)

    status = selectors.dpa_status_for_client(contact.client)
    assert status.state == "review"
    assert status.signed == signed_acceptance
    assert "/verwerkersovereenkomst/wijzigingen/?van=2026-01&amp;naar=2027-01" in page
    assert reverse("contracts_signing:dpa_sign", args=["2027-01"]) in page
    assert "takes effect on" in page


def test_status_when_the_signed_version_was_superseded(client, contact, signing_certificate):
    old = published_version_backdated(
        DocumentKind.DPA, label="2019-12", effective_on=TODAY() - datetime.timedelta(days=400), render_pdf=False
    )
    sign(contact, old)
    published_version(DocumentKind.DPA, label="2026-01", effective_on=TODAY(), render_pdf=False)

    status = selectors.dpa_status_for_client(contact.client)
    assert status.state == "review"
    assert status.signed is None and status.latest.version == old
    page = status_page(client, contact)
    assert "has been in force since" in page
    assert "?van=2019-12&amp;naar=2026-01" in page


def test_status_without_any_dpa(client, contact):
    assert selectors.dpa_status_for_client(contact.client).state == "no_dpa"
    assert "no data processing agreement to sign yet" in status_page(client, contact)


def test_the_status_takes_three_queries(contact, dpa_in_force, django_assert_num_queries):
    sign(contact, dpa_in_force)
    with django_assert_num_queries(3):
        status = selectors.dpa_status_for_client(contact.client)
        assert status.state == "signed" and status.signed.version.label == "2026-01"


def test_the_account_partial_renders_the_status(signed_acceptance, contact):
    from django.template.loader import render_to_string

    with translation.override("en"):
        html = render_to_string(
            "contracts/signing/_account_status.html",
            {"dpa_status": selectors.dpa_status_for_client(contact.client), "client": contact.client},
        )
    assert "Version 2026-01, signed on" in html
    assert reverse("contracts_signing:dpa") in html


# --- Downloads ------------------------------------------------------------------------------------------------------


def test_the_contact_downloads_the_signed_pdf(client, signed_acceptance, contact):
    login(client, contact.user)
    response = client.get(reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "verwerkersovereenkomst-2026-01-12345678" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == signed_acceptance.signed_pdf_sha256


def test_a_colleague_of_the_same_client_may_download_it_too(client, signed_acceptance, contact):
    colleague = ClientContactFactory(client=contact.client)
    login(client, colleague.user)
    assert client.get(reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk])).status_code == 200


def test_a_contact_of_another_client_gets_404(client, signed_acceptance):
    other = ClientContactFactory(client=ClientFactory())
    login(client, other.user)
    assert client.get(reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk])).status_code == 404


def test_staff_need_the_permission_to_download(client, signed_acceptance):
    from django.contrib.auth.models import Permission

    staff = StaffUserFactory()
    login(client, staff)
    url = reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk])
    assert client.get(url).status_code == 404

    staff.user_permissions.add(Permission.objects.get(codename="view_acceptance"))
    assert client.get(url).status_code == 200


def test_an_anonymous_visitor_cannot_download(client, signed_acceptance):
    response = client.get(reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk]))
    assert response.status_code == 302


def test_before_the_pdf_is_made_the_download_says_it_is_being_prepared(client, dpa_in_force, contact):
    acceptance = sign(contact, dpa_in_force)
    login(client, contact.user)
    response = client.get(reverse("contracts_signing:dpa_pdf", args=[acceptance.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "being prepared" in response.content.decode()


def test_no_page_or_download_renders_or_seals_a_pdf(client, signed_acceptance, contact, monkeypatch):
    """Rendering and sealing are the worker's job; a visitor's request only serves stored bytes."""
    import weasyprint

    from contracts import sealing

    def refuse(*args, **kwargs):
        raise AssertionError("a request rendered or sealed a PDF")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", refuse)
    monkeypatch.setattr(sealing, "seal_with_extra_page", refuse)
    pending = sign(ClientContactFactory(client=ClientFactory()), signed_acceptance.version)
    login(client, contact.user)

    assert client.get(reverse("contracts_signing:dpa")).status_code == 200
    assert client.get(reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk])).status_code == 200
    staff = StaffUserFactory(is_superuser=True)
    login(client, staff)
    assert client.get(reverse("contracts_signing:dpa_pdf", args=[pending.pk])).status_code == 200
    with signed_acceptance.signed_pdf.open("rb") as handle:
        response = client.post(reverse("contracts_signing:verify"), {"pdf": handle})
    assert response.status_code == 200


# --- The task and the sweep -----------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_after_signing_a_worker_makes_the_signed_pdf(signing_certificate, redis_server, contact):
    from celery.contrib.testing.worker import start_worker

    from isimedia.celery import app

    version = published_version(DocumentKind.DPA, label="2026-02", effective_on=TODAY())
    # A broker of this test's own, so no other worker on the machine takes the task.
    redis_server.start()
    with celery_broker(redis_server.url), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        acceptance = sign(contact, version)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            acceptance.refresh_from_db()
            if acceptance.signed_pdf:
                break
            time.sleep(0.2)
    assert acceptance.signed_pdf and len(acceptance.signed_pdf_sha256) == 64


@pytest.mark.django_db(transaction=True)
def test_signing_survives_a_broker_outage_and_the_sweep_catches_up(signing_certificate, redis_server, contact):
    version = published_version(DocumentKind.DPA, label="2026-03", effective_on=TODAY())
    redis_server.start()
    with celery_broker(redis_server.url):
        redis_server.stop()
        acceptance = sign(contact, version)

    acceptance.refresh_from_db()
    assert not acceptance.signed_pdf
    # The confirmation waits in the outbox just the same.
    assert OutboxMessage.objects.filter(template="contracts_dpa_signed").count() == 1
    assert contracts.signing_tasks.make_missing_signed_pdfs() == 1
    acceptance.refresh_from_db()
    assert acceptance.signed_pdf
    assert contracts.signing_tasks.make_missing_signed_pdfs() == 0


def test_the_task_makes_the_pdf_once(signed_acceptance):
    name = signed_acceptance.signed_pdf.name
    assert contracts.signing_tasks.make_signed_pdf.run(signed_acceptance.pk) is True
    signed_acceptance.refresh_from_db()
    assert signed_acceptance.signed_pdf.name == name


def test_signed_pdf_make_is_idempotent_under_the_sweep(signed_acceptance):
    assert services.signed_pdfs_make_missing() == 0
    assert signed_pdf_make(acceptance_id=signed_acceptance.pk).signed_pdf_sha256 == signed_acceptance.signed_pdf_sha256


def test_the_verify_page_is_limited_per_address(client, settings, signed_acceptance):
    settings.CONTRACTS_VERIFY_RATE_LIMIT = 1
    with signed_acceptance.signed_pdf.open("rb") as handle:
        assert client.post(reverse("contracts_signing:verify"), {"pdf": handle}).status_code == 200
    with signed_acceptance.signed_pdf.open("rb") as handle:
        refused = client.post(reverse("contracts_signing:verify"), {"pdf": handle})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert 'id="refused"' in refused.content.decode()
