"""Every e-mail goes out in its recipient's language: the complainant's and requester's choice on the form, the
client's preference, the staff member's own setting; team addresses get Dutch.

Each kind of e-mail is caused through its service, once with a Dutch and once with an English recipient, and its
subject, text and HTML are checked for words of the other language (isimedia/tests/language.py).
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from contracts import services as contracts_services
from contracts.models import DocumentKind
from contracts.tests.documents_helpers import published_version
from contracts.tests.factories import ClientContactFactory, ClientFactory, UserFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.tests.language import visible_text, words_of_the_other_language
from isimedia.workdays import AMSTERDAM, next_working_day
from ntd.tests.factories import handler, make_case
from privacy import services as privacy_services
from privacy.tests.factories import OfficerFactory, request_input
from privacy.tests.factories_breach import BreachFactory
from satisfaction.services import feedback_submit
from satisfaction.tests.factories import feedback_input

pytestmark = pytest.mark.django_db

OTHER = {"nl": "en", "en": "nl"}
# What people typed: it reaches the e-mails as they wrote it, in any language. Kept free of the words the check
# looks for where the test chooses it.
NOTICE = {
    "explanation": "Lorem ipsum dolor sit amet.",
    "complainant_name": "Marieke Jansen",
    "owner_contact_how": "Lorem ipsum.",
    "owner_contact_result": "Dolor sit amet.",
}
TYPED = (
    "Foto verwijderd.",
    "Wij hebben een licentie.",
    "Licentie aangetoond.",
    "De URL ontbreekt.",
    "Niet bij ons.",
    "De foto is zonder toestemming van de maker openbaar gemaakt.",
    "De pagina /recepten/gestolen-foto is onbereikbaar gemaakt; de rest van de website blijft online.",
    "Melding van de maker met origineel bestand; de klant reageerde niet binnen de termijn.",
    "Auteurswet art. 1 en 12",
)


def working_day_at_nine(moment):
    """09:00 on the first working day from ``moment`` on: reminders go out on working days only."""
    day = next_working_day(timezone.localdate(moment) - timedelta(days=1))
    return timezone.make_aware(datetime.combine(day, time(9)), AMSTERDAM)


def assert_in(language: str, message: OutboxMessage, data: tuple[str, ...] = ()) -> None:
    """The message is stored as ``language`` and reads as ``language``: subject, text and HTML part."""
    assert message.language == language, (message.template, message.to)
    text = " ".join([message.subject, message.body_text, visible_text(message.body_html, language=language)])
    assert words_of_the_other_language(text, language, data=TYPED + data) == [], (message.template, message.to)
    assert f'<html lang="{language}">' in message.body_html, message.template


# --- notice and take down --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_ntd_emails_reach_complainant_client_and_handler_each_in_their_own_language(settings, tmp_path, language):
    settings.MEDIA_ROOT = tmp_path
    other = OTHER[language]
    website = WebsiteFactory(host="korenschoof.example", client__language=other)
    client_address = website.client.contact_email
    staff = handler(email="behandelaar@isimedia.example", language=language)
    for state in ("rejected_incomplete", "rejected_not_hosted", "resolved_by_customer", "taken_down",
                  "rejected_not_unlawful"):  # fmt: skip
        make_case(state, website=website, user=staff, language=language, **NOTICE)

    messages = list(OutboxMessage.objects.order_by("pk"))
    to_complainant = [message for message in messages if message.to == "marieke@fotografie.example"]
    to_client = [message for message in messages if message.to == client_address]
    to_staff = [message for message in messages if message.to == staff.email]
    assert len(to_complainant) + len(to_client) + len(to_staff) == len(messages)
    for message in to_complainant + to_staff:
        assert_in(language, message)
    for message in to_client:
        assert_in(other, message, data=(website.client.name,))
    assert {message.template for message in to_complainant} == {
        "ntd_received", "ntd_rejected_incomplete", "ntd_rejected_not_hosted", "ntd_forwarded", "ntd_resolved",
        "ntd_under_assessment", "ntd_taken_down", "ntd_rejected_not_unlawful",
    }  # fmt: skip
    assert {message.template for message in to_client} == {
        "ntd_customer_forwarded", "ntd_customer_resolved", "ntd_customer_taken_down", "ntd_customer_rejected",
    }  # fmt: skip
    assert {message.template for message in to_staff} == {"ntd_new_notice", "ntd_assessment_started"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_overdue_assessment_reminder_is_in_each_handlers_language(settings, tmp_path, language):
    from ntd.models import Notice
    from ntd.services import enforce_deadlines

    settings.MEDIA_ROOT = tmp_path
    staff = handler(email="behandelaar@isimedia.example", language=language)
    notice, _token = make_case("under_assessment", user=staff, **NOTICE)
    Notice.objects.filter(pk=notice.pk).update(assessment_deadline=timezone.now() - timedelta(days=3))
    OutboxMessage.objects.all().delete()

    enforce_deadlines(now=working_day_at_nine(timezone.now() + timedelta(days=7)))

    [reminder] = OutboxMessage.objects.filter(template="ntd_assessment_overdue")
    assert reminder.to == staff.email
    assert_in(language, reminder)


# --- privacy -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_privacy_emails_reach_the_requester_in_the_forms_language_and_officers_in_theirs(language):
    other = OTHER[language]
    officer = OfficerFactory(email="fg@isimedia.example", language=other)
    second = OfficerFactory(email="fg2@isimedia.example", language=language)
    client = ClientFactory(name="Lorem B.V.", language=other)

    def requested(**overrides):
        request = privacy_services.request_submit(
            data=request_input(language=language, description="Lorem ipsum dolor sit amet.", **overrides)
        )
        return privacy_services.request_confirm(request_id=request.pk)

    first = requested()
    privacy_services.request_identity_ask(request_id=first.pk, doubt="Lorem.", message="Lorem ipsum.", user=officer)
    privacy_services.request_message(request_id=first.pk, text="Lorem ipsum.", user=officer)
    privacy_services.request_refuse(request_id=first.pk, reasons="Lorem ipsum.", user=officer)
    rectify = requested(right="rectification", email="b@voorbeeld.example")
    privacy_services.request_extend(request_id=rectify.pk, months=1, reason="Lorem ipsum.", user=officer)
    privacy_services.request_complete(request_id=rectify.pk, reply="Lorem ipsum.", user=officer)
    forward = requested(email="c@voorbeeld.example")
    privacy_services.request_forward(request_id=forward.pk, client=client, user=officer, note="Lorem.")
    erase = requested(right="erasure", email="d@voorbeeld.example")
    privacy_services.request_propose_erasure(request_id=erase.pk, user=officer, note="Lorem.")
    privacy_services.request_approve_erasure(request_id=erase.pk, user=second)
    requested(email="e@voorbeeld.example")  # still open when the reminder goes out
    privacy_services.requests_remind(now=working_day_at_nine(timezone.now() + timedelta(days=40)))

    messages = list(OutboxMessage.objects.order_by("pk"))
    requesters = {"sanne@voorbeeld.example", *(f"{letter}@voorbeeld.example" for letter in "bcde")}
    data = ("Sanne de Vries", "Lorem B.V.")
    kinds = {}
    for message in messages:
        expected = {officer.email: other, second.email: language, client.contact_email: other}.get(message.to)
        if message.to in requesters:
            expected = language
        assert expected, message.to
        assert_in(expected, message, data=data)
        kinds.setdefault(message.to if message.to not in requesters else "requester", set()).add(message.template)
    assert {"privacy_confirm", "privacy_received", "privacy_identity_needed", "privacy_message", "privacy_refused",
            "privacy_extended", "privacy_completed", "privacy_forwarded_requester",
            "privacy_erasure_done"} <= kinds["requester"]  # fmt: skip
    assert {"privacy_new_request", "privacy_reminder"} <= kinds[officer.email]
    assert "privacy_erasure_proposed" in kinds[second.email] | kinds[officer.email]
    assert kinds[client.contact_email] == {"privacy_forwarded_client"}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_breach_is_told_to_each_client_in_its_language(language):
    client = ClientFactory(name="Lorem B.V.", language=language)
    breach = BreachFactory(affected_clients=[client])

    privacy_services.breach_notify_clients(breach_id=breach.pk, user=OfficerFactory())

    [message] = OutboxMessage.objects.filter(template="privacy_breach_client")
    assert_in(language, message, data=(client.name, breach.title, breach.what_happened, breach.consequences,
                                       breach.remedy, breach.cause))  # fmt: skip


# --- contracts and accounts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_account_emails_are_in_the_language_of_the_account(language):
    client = ClientFactory(name="Lorem B.V.", language=OTHER[language])

    # The invitation's language is chosen by staff and becomes the account's; a reset follows the account.
    contracts_services.client_contact_invite(
        client=client, email="jan@lorem.example", name="Jan Jansen", language=language, invited_by=None
    )
    contracts_services.password_reset_request(email="jan@lorem.example")

    invite, reset = OutboxMessage.objects.order_by("pk")
    assert (invite.template, reset.template) == ("client_invite", "password_reset")
    assert_in(language, invite, data=("Jan Jansen", "Lorem B.V."))
    assert_in(language, reset, data=("Jan Jansen",))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_dpa_confirmation_is_in_the_signers_language(language):
    from contracts.tests.test_sealing import sign

    dpa = published_version(DocumentKind.DPA, title="Lorem", render_pdf=False)
    contact = ClientContactFactory(
        name="Jan Jansen", client__name="Lorem B.V.", client__language=OTHER[language], user__language=language
    )

    sign(contact, dpa, signer_name="Jan Jansen", signer_title="CEO")

    [message] = OutboxMessage.objects.filter(template="contracts_dpa_signed")
    assert_in(language, message, data=("Jan Jansen", "Lorem B.V.", "Lorem"))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_announcements_and_objections_reach_the_contact_in_the_clients_language(language):
    # As contracts/tests/test_objections.py decides: what concerns the client's agreement follows the client's
    # preference. The objection itself reaches the team address, in Dutch.
    contact = ClientContactFactory(
        name="Jan Jansen", client__name="Lorem B.V.", client__language=language, user__language=OTHER[language]
    )
    current = published_version(DocumentKind.DPA, title="Lorem", render_pdf=False)
    from contracts.tests.test_sealing import sign

    sign(contact, current, signer_name="Jan Jansen", signer_title="CEO")
    upcoming = published_version(
        DocumentKind.DPA, title="Lorem", summary="Lorem ipsum.", render_pdf=False,
        effective_on=timezone.localdate() + timedelta(days=60),
    )  # fmt: skip
    objection = contracts_services.objection_create(
        client=contact.client, user=contact.user, version=upcoming, text="Lorem ipsum."
    )
    contracts_services.objection_settle(objection_id=objection.pk, settlement="Lorem ipsum.", user=UserFactory())

    announced = OutboxMessage.objects.get(template="contracts_version_announced")
    received = OutboxMessage.objects.get(template="contracts_objection_received")
    settled = OutboxMessage.objects.get(template="contracts_objection_settled")
    data = ("Jan Jansen", "Lorem B.V.", "Lorem ipsum.", "Lorem")
    assert_in(language, announced, data=data)
    assert_in(language, settled, data=data)
    assert_in("nl", received, data=data)


def test_feedback_that_needs_attention_reaches_the_team_in_dutch():
    feedback_submit(data=feedback_input(score=1, comment="Lorem ipsum.", language="en"))

    [alert] = OutboxMessage.objects.filter(template="satisfaction_alert")
    assert_in("nl", alert, data=("Lorem ipsum.",))
