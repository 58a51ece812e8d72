"""Each staff group sees only its work, proven through the admin's real pages (issue 7).

The tables below are the specification, written out by hand rather than derived from ``isimedia.roles``: a wrong
rule there then fails here. Every refused page is also checked for leaks: nothing of the object may be in the body.
That privacy e-mails are hidden from other staff in the outbox list is tested in ``privacy/tests/test_admin.py``
(``test_other_staff_do_not_see_privacy_e_mails_in_the_outbox``); here only the outbox's change page is added.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts.models import Acceptance, DocumentKind, DocumentVersion, Objection
from contracts.tests.factories import ClientContactFactory, ClientFactory, StaffUserFactory, WebsiteFactory
from isimedia import roles
from isimedia.models import ClosingDay, OutboxMessage
from isimedia.tests.staff import staff_in
from ntd import services as ntd_services
from ntd.models import Evidence, Notice, NoticeEvent
from ntd.tests.factories import make_case
from privacy import services as privacy_services
from privacy.models import DataSubjectRequest, RequestEvent, RetentionRecord, RetentionRun
from privacy.tests.factories import ConfirmedRequestFactory, RequesterFileFactory, request_input
from privacy.tests.factories_breach import BreachFactory
from satisfaction.models import Feedback, FeedbackEvent
from satisfaction.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db

NTD = roles.NTD_HANDLERS
PRIVACY = roles.PRIVACY_OFFICERS
CONTRACTS = roles.CONTRACT_MANAGERS
ROLES = [NTD, PRIVACY, CONTRACTS]

# What each role may do with each model in the admin: "all" (its own work), "view" (to look something up), or
# nothing (absent). Models no role has (staff users) are listed so that the tests prove nobody reaches them.
ACCESS: dict[str, dict[str, str]] = {
    "ntd.notice": {NTD: "all"},
    "ntd.apikey": {NTD: "all"},
    "privacy.datasubjectrequest": {PRIVACY: "all"},
    "privacy.breach": {PRIVACY: "all"},
    "privacy.retentionrun": {PRIVACY: "all"},
    "privacy.retentionrecord": {PRIVACY: "all"},
    "contracts.client": {NTD: "view", PRIVACY: "view", CONTRACTS: "all"},
    "contracts.website": {NTD: "view", PRIVACY: "view", CONTRACTS: "all"},
    "contracts.clientcontact": {PRIVACY: "view", CONTRACTS: "all"},
    "contracts.documentversion": {CONTRACTS: "all"},
    "contracts.acceptance": {CONTRACTS: "all"},
    "contracts.objection": {CONTRACTS: "all"},
    "satisfaction.feedback": {CONTRACTS: "all"},
    "isimedia.closingday": {NTD: "all", PRIVACY: "all", CONTRACTS: "view"},
    "isimedia.outboxmessage": {NTD: "view", PRIVACY: "view", CONTRACTS: "view"},
    "isimedia.user": {},
    # The audit trail: every role reads it, each only the entries about what it may view (isimedia/tests/test_audit.py).
    "auditlog.logentry": {NTD: "view", PRIVACY: "view", CONTRACTS: "view"},
}

# A word in every object of the world below: no refused page may contain it.
SECRET = "geheim"


@pytest.fixture
def as_role(client):
    """Log the test client in as a new staff member of a group; the admin in English."""

    def login(group_name: str):
        client.force_login(staff_in(group_name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


class World:
    """One object of every model in the admin, each carrying ``SECRET``; built only when a test asks for it."""

    @cached_property
    def notice(self) -> Notice:
        # Under assessment: the state in which a case is decided. With a file, for the evidence download.
        notice, _token = make_case(
            "under_assessment",
            website=WebsiteFactory(host="geheim-korenschoof.example"),
            urls=["https://www.geheim-korenschoof.example/recepten/gestolen-foto"],
            complainant_name="Geheime Melder",
            complainant_email="melder.geheim@voorbeeld.example",
            files=[SimpleUploadedFile("geheim-bewijs.pdf", b"%PDF-1.4 geheim", "application/pdf")],
        )
        return notice

    @cached_property
    def evidence(self) -> Evidence:
        return Evidence.objects.get(notice=self.notice)

    @cached_property
    def apikey(self):
        api_key, _key = ntd_services.api_key_issue(
            name="Geheime Flagger",
            contact_email="flagger.geheim@voorbeeld.example",
            trusted_flagger=True,
            user=staff_in(NTD),
        )
        return api_key

    @cached_property
    def datasubjectrequest(self) -> DataSubjectRequest:
        return self.identity_file.request

    @cached_property
    def identity_file(self):
        return RequesterFileFactory(
            request__name="Geheime Verzoeker",
            request__email="verzoeker.geheim@voorbeeld.example",
            original_name="geheim-paspoort.pdf",
        )

    @cached_property
    def access_request(self) -> DataSubjectRequest:
        return ConfirmedRequestFactory(name="Geheime Inzage", email="inzage.geheim@voorbeeld.example")

    @cached_property
    def breach(self):
        return BreachFactory(title="Geheim datalek", affected_clients=[self.client])

    @cached_property
    def retentionrun(self) -> RetentionRun:
        run = RetentionRun.objects.create(finished_at=timezone.now())
        RetentionRecord.objects.create(run=run, rule="ntd.cases", description="Geheime bewaarregel", count=2)
        return run

    @cached_property
    def retentionrecord(self) -> RetentionRecord:
        return self.retentionrun.records.get()

    @cached_property
    def client(self):
        return ClientFactory(name="Geheime Klant B.V.", contact_email="klant.geheim@voorbeeld.example")

    @cached_property
    def website(self):
        return WebsiteFactory(client=self.client, host="geheim-site.example")

    @cached_property
    def clientcontact(self):
        return ClientContactFactory(
            client=self.client, name="Geheime Contactpersoon", user__email="contact.geheim@voorbeeld.example"
        )

    @cached_property
    def documentversion(self) -> DocumentVersion:
        """A published DPA version with its PDF stored."""
        version = self._version(label="2030-01", days=-1, published=True)
        content = b"%PDF-1.7 geheim"
        name = default_storage.save("contracts/versions/dpa-2030-01.pdf", ContentFile(content))
        DocumentVersion.objects.filter(pk=version.pk).update(pdf=name, pdf_sha256=hashlib.sha256(content).hexdigest())
        version.refresh_from_db()
        return version

    @cached_property
    def draft(self) -> DocumentVersion:
        return self._version(label="2030-02", days=200, published=False)

    @cached_property
    def acceptance(self) -> Acceptance:
        contact = self.clientcontact
        version = self.documentversion
        return Acceptance.objects.create(
            version=version,
            client=contact.client,
            user=contact.user,
            signer_name="Geheime Tekenaar",
            signer_title="Directeur",
            company_name=contact.client.name,
            kvk_number=contact.client.kvk_number,
            version_label=version.label,
            text_sha256=version.text_sha256,
            statement=f"Ik ben bevoegd om te tekenen voor {contact.client.name}.",
            ip_address="192.0.2.10",
            user_agent="Firefox",
            evidence_sha256="e" * 64,
        )

    @cached_property
    def objection(self) -> Objection:
        version = self._version(label="2030-03", days=100, published=True)
        return Objection.objects.create(
            version=version, client=self.client, user=self.clientcontact.user, text="Geheim bezwaar tegen artikel 1."
        )

    @cached_property
    def feedback(self) -> Feedback:
        return FeedbackFactory(unhappy=True, contact=True, name="Geheime Klant", comment="Geheime klacht: traag.")

    @cached_property
    def closingday(self) -> ClosingDay:
        return ClosingDay.objects.create(date=timezone.localdate() + timedelta(days=30), reason="Geheime brugdag")

    @cached_property
    def logentry(self):
        """The audit trail's entry of the closing day, which every role may view."""
        from auditlog.models import LogEntry

        return LogEntry.objects.get_for_object(self.closingday).get()

    @cached_property
    def outboxmessage(self) -> OutboxMessage:
        return OutboxMessage.objects.create(
            template="test", language="nl", to="ontvanger.geheim@voorbeeld.example", subject="Geheim onderwerp"
        )

    @cached_property
    def privacy_email(self) -> OutboxMessage:
        privacy_services.request_submit(
            data=request_input(name="Geheime Aanvrager", email="aanvrager.geheim@voorbeeld.example")
        )
        return OutboxMessage.objects.get(to="aanvrager.geheim@voorbeeld.example", template__startswith="privacy_")

    @cached_property
    def user(self):
        return StaffUserFactory(email="collega.geheim@isimedia.example")

    def _version(self, *, label: str, days: int, published: bool) -> DocumentVersion:
        values = {
            "kind": DocumentKind.DPA,
            "label": label,
            "title": "Geheime verwerkersovereenkomst",
            "body": "## Artikel 1\n\n1.1 De geheime tekst.",
            "effective_on": timezone.localdate() + timedelta(days=days),
        }
        if published:
            values |= {"published_at": timezone.now(), "text_sha256": "b" * 64}
        return DocumentVersion.objects.create(**values)

    def state(self) -> dict:
        """What a refused request must leave as it was: every built object's state and every history row."""
        fresh = {
            "notice": lambda: Notice.objects.get(pk=self.notice.pk).state,
            "datasubjectrequest": lambda: DataSubjectRequest.objects.get(pk=self.datasubjectrequest.pk).state,
            "access_request": lambda: DataSubjectRequest.objects.get(pk=self.access_request.pk).state,
            "draft": lambda: DocumentVersion.objects.get(pk=self.draft.pk).published_at,
            "objection": lambda: Objection.objects.get(pk=self.objection.pk).settled_at,
            "feedback": lambda: Feedback.objects.get(pk=self.feedback.pk).follow_up,
            "clientcontact": lambda: self.client.contacts.count(),
        }
        return {
            **{name: read() for name, read in fresh.items() if name in self.__dict__},
            "ntd events": NoticeEvent.objects.count(),
            "privacy events": RequestEvent.objects.count(),
            "feedback events": FeedbackEvent.objects.count(),
            "e-mails": OutboxMessage.objects.count(),
        }


@pytest.fixture
def world(media):
    return World()


def admin_url(model: str, page: str, *args) -> str:
    app_label, model_name = model.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{page}", args=args)


def assert_no_leak(response, *words: str) -> None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace").lower()
    for word in (SECRET, *words):
        assert word.lower() not in text, f"{word!r} leaks into a refused page"


# --- the admin index ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_index_lists_exactly_the_models_of_the_role(as_role, role):
    response = as_role(role).get(reverse("admin:index"))

    assert response.status_code == 200
    listed = {
        f"{app['app_label']}.{entry['object_name'].lower()}"
        for app in response.context["app_list"]
        for entry in app["models"]
    }
    assert listed == {model for model, access in ACCESS.items() if role in access}
    for model, access in ACCESS.items():
        assert (admin_url(model, "changelist") in response.text) == (role in access), model


# --- every page of a model that is not the role's -----------------------------------------------------------------


REFUSED = [(role, model) for model, access in ACCESS.items() for role in ROLES if role not in access]


@pytest.mark.parametrize(("role", "model"), REFUSED)
def test_every_admin_page_of_a_model_outside_the_role_is_refused(as_role, world, role, model):
    obj = getattr(world, model.split(".")[1])
    client = as_role(role)
    before = world.state()

    for page, args in [("changelist", ()), ("add", ()), ("change", (obj.pk,)), ("history", (obj.pk,))]:
        response = client.get(admin_url(model, page, *args))
        assert response.status_code == 403, (page, response.status_code)
        assert_no_leak(response)
    # Forms posted by hand are refused as well, and change nothing.
    for page, args, data in [("change", (obj.pk,), {}), ("delete", (obj.pk,), {"post": "yes"})]:
        response = client.post(admin_url(model, page, *args), data)
        assert response.status_code == 403, (page, response.status_code)
        assert_no_leak(response)
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert world.state() == before


@pytest.mark.parametrize("role", ROLES)
def test_an_object_that_does_not_exist_is_refused_alike_outside_the_role(as_role, role):
    """A refusal does not depend on whether the object exists, so it says nothing about which ids are in use."""
    client = as_role(role)
    for model, access in ACCESS.items():
        if role not in access:
            assert client.get(admin_url(model, "change", 987654)).status_code == 403, model


# --- the role's own work -------------------------------------------------------------------------------------------


ALLOWED = [(role, model, level) for model, access in ACCESS.items() for role, level in access.items()]


@pytest.mark.parametrize(("role", "model", "level"), ALLOWED)
def test_a_role_reaches_the_lists_and_pages_it_may_see(as_role, world, role, model, level):
    obj = getattr(world, model.split(".")[1])
    client = as_role(role)

    listed = client.get(admin_url(model, "changelist"))
    assert listed.status_code == 200
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    if level == "view":
        before = world.state()
        assert client.get(admin_url(model, "add")).status_code == 403
        assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()
        assert world.state() == before


def test_an_ntd_handler_looks_up_a_client_without_its_contacts_or_signatures(as_role, world):
    assert world.acceptance  # the client has a contact who signed the DPA
    page = as_role(NTD).get(admin_url("contracts.client", "change", world.client.pk))

    assert page.status_code == 200
    assert "Geheime Klant B.V." in page.text
    for hidden in ["Geheime Contactpersoon", "contact.geheim@voorbeeld.example", "Geheime Tekenaar"]:
        assert hidden not in page.text


def test_a_privacy_officer_sees_the_contacts_of_a_client_but_not_its_signatures(as_role, world):
    assert world.acceptance
    page = as_role(PRIVACY).get(admin_url("contracts.client", "change", world.client.pk))

    assert "Geheime Contactpersoon" in page.text
    assert "Geheime Tekenaar" not in page.text


# --- the admin's own views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A custom admin view from an app's ``get_urls``: how to call it, and the one role that may."""

    name: str
    url: object  # World -> str
    role: str
    method: str = "get"
    data: dict | None = None
    query: dict | None = None


def _ntd_step(name: str):
    return lambda w: reverse("admin:ntd_notice_transition", args=[w.notice.pk, name])


def _privacy_step(attr: str, name: str):
    return lambda w: reverse("admin:privacy_datasubjectrequest_step", args=[getattr(w, attr).pk, name])


DECISION = {
    "decision_visibility": "disabled",
    "scope": "De pagina is onbereikbaar gemaakt.",
    "decision_ground": "illegal",
    "legal_ground": "Auteurswet art. 1",
    "ground_explanation": "Zonder toestemming overgenomen.",
    "decision_facts": "Melding van de maker.",
}

VIEWS = [
    # ntd/admin.py NoticeAdmin.get_urls
    View("ntd report", lambda w: reverse("admin:ntd_notice_report"), NTD),
    View("ntd report csv", lambda w: reverse("admin:ntd_notice_report"), NTD, query={"format": "csv"}),
    View(
        "ntd evidence",
        lambda w: reverse("admin:ntd_notice_evidence", args=[w.notice.pk, w.evidence.pk]),
        NTD,
    ),
    View("ntd take-down form", _ntd_step("take_down"), NTD),
    View("ntd take down", _ntd_step("take_down"), NTD, "post", DECISION),
    View("ntd reject", _ntd_step("reject_not_unlawful"), NTD, "post", {"reason": "Licentie."}),
    View("ntd emergency", _ntd_step("emergency_take_down"), NTD, "post", {**DECISION, "reason": "Gevaar."}),
    View("ntd note", lambda w: reverse("admin:ntd_notice_note", args=[w.notice.pk]), NTD, "post", {"text": "Hoi"}),
    View(
        "ntd referral",
        lambda w: reverse("admin:ntd_notice_refer", args=[w.notice.pk]),
        NTD,
        "post",
        {"referred_to": "Politie", "reference": "PL-1"},
    ),
    # privacy/admin.py DataSubjectRequestAdmin.get_urls and BreachAdmin.get_urls
    View("privacy step form", _privacy_step("access_request", "refuse"), PRIVACY),
    View("privacy refuse", _privacy_step("access_request", "refuse"), PRIVACY, "post", {"reasons": "Nee."}),
    View(
        "privacy identity checked",
        _privacy_step("datasubjectrequest", "identity_checked"),
        PRIVACY,
        "post",
        {"note": "Gezien."},
    ),
    View(
        "privacy identity copy",
        lambda w: reverse(
            "admin:privacy_datasubjectrequest_file", args=[w.identity_file.request_id, w.identity_file.pk]
        ),
        PRIVACY,
    ),
    View(
        "privacy package preview",
        lambda w: reverse("admin:privacy_datasubjectrequest_package_preview", args=[w.access_request.pk]),
        PRIVACY,
    ),
    View("breach export", lambda w: reverse("admin:privacy_breach_export"), PRIVACY),
    View(
        "breach notify",
        lambda w: reverse("admin:privacy_breach_notify", args=[w.breach.pk]),
        PRIVACY,
        "post",
        {},
    ),
    # contracts/admin.py and contracts/document_admin.py
    View("client invite form", lambda w: reverse("admin:contracts_client_invite", args=[w.client.pk]), CONTRACTS),
    View(
        "client invite",
        lambda w: reverse("admin:contracts_client_invite", args=[w.client.pk]),
        CONTRACTS,
        "post",
        {"name": "Geheime Nieuweling", "email": "nieuw.geheim@voorbeeld.example", "language": "nl"},
    ),
    View(
        "version publish form",
        lambda w: reverse("admin:contracts_documentversion_publish", args=[w.draft.pk]),
        CONTRACTS,
    ),
    View(
        "version publish",
        lambda w: reverse("admin:contracts_documentversion_publish", args=[w.draft.pk]),
        CONTRACTS,
        "post",
        {"short_notice_reason": "Spoed."},
    ),
    View(
        "version pdf", lambda w: reverse("admin:contracts_documentversion_pdf", args=[w.documentversion.pk]), CONTRACTS
    ),
    View(
        "objection settle form", lambda w: reverse("admin:contracts_objection_settle", args=[w.objection.pk]), CONTRACTS
    ),
    View(
        "objection settle",
        lambda w: reverse("admin:contracts_objection_settle", args=[w.objection.pk]),
        CONTRACTS,
        "post",
        {"settlement": "Gebeld."},
    ),
    # satisfaction/admin.py FeedbackAdmin.get_urls
    View("satisfaction trends", lambda w: reverse("admin:satisfaction_feedback_trends"), CONTRACTS),
    View("satisfaction export", lambda w: reverse("admin:satisfaction_feedback_export"), CONTRACTS),
    View(
        "satisfaction step form",
        lambda w: reverse("admin:satisfaction_feedback_step", args=[w.feedback.pk, "close"]),
        CONTRACTS,
    ),
    View(
        "satisfaction close",
        lambda w: reverse("admin:satisfaction_feedback_step", args=[w.feedback.pk, "close"]),
        CONTRACTS,
        "post",
        {"note": "Klaar."},
    ),
    View(
        "satisfaction note",
        lambda w: reverse("admin:satisfaction_feedback_step", args=[w.feedback.pk, "note"]),
        CONTRACTS,
        "post",
        {"note": "Hoi."},
    ),
]


def call(client, view: View, world: World):
    url = view.url(world)
    if view.method == "post":
        return client.post(url, view.data or {})
    return client.get(url, view.query or {})


@pytest.mark.parametrize(
    ("view", "role"),
    [pytest.param(view, role, id=f"{view.name}-{role}") for view in VIEWS for role in ROLES if role != view.role],
)
def test_a_custom_admin_view_refuses_other_roles_and_changes_nothing(as_role, world, view, role):
    url = view.url(world)  # builds the objects before the snapshot
    client = as_role(role)
    before = world.state()

    response = call(client, view, world)

    assert response.status_code == 403, url
    assert_no_leak(response)
    assert world.state() == before


@pytest.mark.parametrize("view", [v for v in VIEWS if v.method == "get"], ids=lambda v: v.name)
def test_a_custom_admin_view_opens_for_its_role(as_role, world, view):
    response = call(as_role(view.role), view, world)
    assert response.status_code == 200


# --- the cases the issue names -------------------------------------------------------------------------------------


def test_a_privacy_officer_cannot_decide_an_ntd_case_nor_open_it(as_role, world):
    notice = world.notice
    client = as_role(PRIVACY)

    # The privacy officers' rules give them nothing of ntd: not even reading a case (roles.py).
    assert client.get(admin_url("ntd.notice", "change", notice.pk)).status_code == 403
    for name, data in [("take_down", DECISION), ("reject_not_unlawful", {"reason": "Licentie."})]:
        assert client.post(reverse("admin:ntd_notice_transition", args=[notice.pk, name]), data).status_code == 403

    notice.refresh_from_db()
    assert notice.state == "under_assessment"
    assert not hasattr(notice, "statement_of_reasons")


def test_an_ntd_handler_gets_no_privacy_request_identity_copy_or_breach(as_role, world):
    client = as_role(NTD)
    identity_copy = reverse(
        "admin:privacy_datasubjectrequest_file", args=[world.identity_file.request_id, world.identity_file.pk]
    )

    for url in [
        admin_url("privacy.datasubjectrequest", "changelist"),
        admin_url("privacy.datasubjectrequest", "change", world.datasubjectrequest.pk),
        identity_copy,
        admin_url("privacy.breach", "change", world.breach.pk),
        reverse("admin:privacy_breach_export"),
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert_no_leak(response, "Geheime Verzoeker", "Geheim datalek")


def test_a_contract_manager_reads_neither_ntd_cases_nor_privacy_requests(as_role, world):
    client = as_role(CONTRACTS)

    for url in [
        admin_url("ntd.notice", "changelist"),
        admin_url("ntd.notice", "change", world.notice.pk),
        reverse("admin:ntd_notice_evidence", args=[world.notice.pk, world.evidence.pk]),
        admin_url("privacy.datasubjectrequest", "changelist"),
        admin_url("privacy.datasubjectrequest", "change", world.datasubjectrequest.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert_no_leak(response, world.notice.reference, world.datasubjectrequest.reference)


@pytest.mark.parametrize("role", [NTD, CONTRACTS])
def test_a_privacy_e_mail_cannot_be_opened_in_the_outbox_by_its_address(as_role, world, role):
    """The outbox list hides privacy e-mails from other staff (tested in privacy); typing its address finds nothing."""
    message = world.privacy_email

    response = as_role(role).get(admin_url("isimedia.outboxmessage", "change", message.pk))

    # The admin treats it as an object that does not exist: back to the index, with a neutral message.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert_no_leak(response, message.subject)


def test_a_privacy_officer_opens_a_privacy_e_mail_in_the_outbox(as_role, world):
    message = world.privacy_email
    response = as_role(PRIVACY).get(admin_url("isimedia.outboxmessage", "change", message.pk))
    assert response.status_code == 200
    assert message.to in response.text


# --- the outbox: e-mails of another role's work ------------------------------------------------------------------


def ntd_emails(world: World) -> tuple[list[OutboxMessage], list[str]]:
    """The e-mails of a case, and what in them belongs to the case: complainant, reference, complained-of page."""
    notice = world.notice
    words = ["Geheime Melder", "melder.geheim@voorbeeld.example", notice.reference, "gestolen-foto"]
    return list(OutboxMessage.objects.filter(template__startswith="ntd_")), words


def satisfaction_emails(world: World) -> tuple[list[OutboxMessage], list[str]]:
    """The staff alert of an unhappy client who asked to be called back."""
    from satisfaction import services as satisfaction_services
    from satisfaction.tests.factories import feedback_input

    satisfaction_services.feedback_submit(
        data=feedback_input(
            score=1,
            comment="Geheime klacht: de site lag plat.",
            name="Geheime Klant",
            email="klant.feedback.geheim@voorbeeld.example",
            wants_contact=True,
        )
    )
    words = ["Geheime klacht", "Geheime Klant", "klant.feedback.geheim@voorbeeld.example"]
    return list(OutboxMessage.objects.filter(template__startswith="satisfaction_")), words


@pytest.mark.parametrize(
    ("role", "emails"),
    [
        pytest.param(CONTRACTS, ntd_emails, id="contract manager reads ntd e-mails"),
        pytest.param(NTD, satisfaction_emails, id="ntd handler reads satisfaction e-mails"),
    ],
)
def test_the_outbox_does_not_show_the_e_mails_of_another_roles_work(as_role, world, role, emails):
    messages, words = emails(world)
    assert messages, "the procedure sent e-mails"
    client = as_role(role)

    listed = client.get(admin_url("isimedia.outboxmessage", "changelist"))
    assert listed.status_code == 200
    assert_no_leak(listed, *words)
    searched = client.get(admin_url("isimedia.outboxmessage", "changelist"), {"q": "geheim"})
    assert searched.context["cl"].result_count == 0
    for message in messages:
        response = client.get(admin_url("isimedia.outboxmessage", "change", message.pk))
        assert response.status_code in (302, 403), message.template
        assert_no_leak(response, *words)
