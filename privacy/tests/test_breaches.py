"""The breach register: recording a breach, the 72-hour clock, telling the affected clients once, the CSV export,
and the register's pages in the admin."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.tests.factories import ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory
from isimedia.models import OutboxMessage
from isimedia.workdays import AMSTERDAM
from privacy import selectors, services
from privacy.errors import PrivacyError
from privacy.models import Breach, BreachNotification
from privacy.tests.factories import OfficerFactory
from privacy.tests.factories_breach import BreachFactory

pytestmark = pytest.mark.django_db

REGISTER = "admin:privacy_breach_changelist"


@pytest.fixture
def officer():
    return OfficerFactory(email="fg@isimedia.example", first_name="Fatima", last_name="Bakker")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    return client


def breach_input(**overrides) -> services.BreachInput:
    values = {
        "title": "Phishingmail bij een medewerker",
        "discovered_at": timezone.now() - timedelta(hours=2),
        "what_happened": "Een medewerker vulde zijn wachtwoord in op een nagemaakte inlogpagina.",
        "cause": "Een overtuigende phishingmail.",
        "consequences": "De aanvaller kon twee uur lang het klantenportaal als deze medewerker inzien.",
        "remedy": "Wachtwoord vervangen, sessies beëindigd, tweestapsverificatie verplicht gesteld.",
        "data_categories": [Breach.DataCategory.CONTACT, Breach.DataCategory.ACCOUNT],
    }
    values.update(overrides)
    return services.BreachInput(**values)


# --- registering -----------------------------------------------------------------------------------------------


def test_registering_a_breach_gives_it_the_next_reference_and_records_who(officer):
    bakery, florist = ClientFactory(name="Bakkerij Korenschoof"), ClientFactory(name="Bloemist Roos")

    first = services.breach_register(data=breach_input(affected_clients=[bakery, florist]), user=officer)
    second = services.breach_register(data=breach_input(title="Tweede lek"), user=officer)

    year = timezone.localdate().year
    assert first.reference == f"DL-{year}-00001"
    assert second.reference == f"DL-{year}-00002"
    assert first.created_by == officer
    assert set(first.affected_clients.all()) == {bakery, florist}
    assert first.data_categories == ["contact", "account"]
    # Registering tells nobody: that is a step of its own.
    assert not OutboxMessage.objects.filter(template="privacy_breach_client").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"discovered_at": timezone.now() + timedelta(hours=1)}, "discovered_at"),
        (
            {"occurred_at": timezone.now() - timedelta(hours=1), "discovered_at": timezone.now() - timedelta(hours=3)},
            "occurred_at",
        ),
        ({"cause": "  "}, "cause"),
        ({"remedy": ""}, "remedy"),
        ({"data_categories": ["horoscope"]}, "data_categories"),
        ({"authority_notified_at": timezone.now() - timedelta(days=3)}, "authority_notified_at"),
    ],
)
def test_an_incomplete_or_impossible_entry_is_refused_at_its_field(officer, overrides, field):
    with pytest.raises(PrivacyError) as raised:
        services.breach_register(data=breach_input(**overrides), user=officer)
    assert field in raised.value.error_dict
    assert not Breach.objects.exists()


# --- the 72-hour clock -----------------------------------------------------------------------------------------


DISCOVERED = datetime(2026, 3, 2, 9, 30, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("after", "hours_left", "colour"),
    [
        (timedelta(0), 72, "green"),
        (timedelta(hours=47, minutes=59), 24, "green"),
        (timedelta(hours=48), 24, "amber"),
        (timedelta(hours=64), 8, "red"),
        (timedelta(hours=71, minutes=30), 0, "red"),
        (timedelta(hours=72), 0, "red"),
        (timedelta(hours=72, minutes=1), -1, "overdue"),
        (timedelta(hours=80), -8, "overdue"),
    ],
)
def test_the_clock_runs_72_hours_from_discovery(after, hours_left, colour):
    client = ClientFactory()
    breach = BreachFactory(discovered_at=DISCOVERED, affected_clients=[client])

    clock = selectors.breach_clock(breach, now=DISCOVERED + after)

    assert clock.deadline == DISCOVERED + timedelta(hours=72)
    assert (clock.hours_left, clock.colour) == (hours_left, colour)
    assert clock.running


def test_the_clock_says_in_words_how_long_is_left_or_how_late_it_is(english_messages):
    breach = BreachFactory(discovered_at=DISCOVERED, affected_clients=[ClientFactory()])
    assert selectors.breach_clock(breach, now=DISCOVERED + timedelta(hours=2)).label == "70 hours left"
    assert selectors.breach_clock(breach, now=DISCOVERED + timedelta(hours=75)).label == "overdue by 3 hours"


def test_the_clock_stops_once_every_affected_client_was_told(officer, english_messages):
    bakery, florist = ClientFactory(), ClientFactory()
    breach = BreachFactory(discovered_at=timezone.now() - timedelta(hours=70), affected_clients=[bakery])
    services.breach_notify_clients(breach_id=breach.pk, user=officer)
    breach.affected_clients.add(florist)

    clock = selectors.breach_clock(breach)
    assert (clock.colour, clock.affected, clock.notified) == ("red", 2, 1)
    assert "1 of 2 clients told" in clock.label

    services.breach_notify_clients(breach_id=breach.pk, user=officer)
    late = selectors.breach_clock(breach, now=timezone.now() + timedelta(days=3))
    assert late.colour == "notified" and not late.running
    assert late.label == "notified: all 2 affected clients were told"


def test_without_affected_clients_the_clock_stops_when_the_authority_was_told_or_the_breach_closed():
    breach = BreachFactory(discovered_at=DISCOVERED)
    assert selectors.breach_clock(breach, now=DISCOVERED + timedelta(hours=100)).colour == "overdue"
    breach.authority_notified_at = DISCOVERED + timedelta(hours=20)
    assert selectors.breach_clock(breach, now=DISCOVERED + timedelta(hours=100)).colour == "notified"
    breach.authority_notified_at = None
    breach.closed_at = DISCOVERED + timedelta(hours=5)
    assert selectors.breach_clock(breach, now=DISCOVERED + timedelta(hours=100)).colour == "closed"


# --- telling the clients ---------------------------------------------------------------------------------------


def test_notifying_emails_each_client_at_each_address_in_its_language_once(officer):
    bakery = ClientFactory(name="Bakkerij Korenschoof", contact_email="info@korenschoof.example", language="nl")
    ClientContactFactory(client=bakery, user=UserFactory(email="Eigenaar@Korenschoof.example"))
    ClientContactFactory(client=bakery, user=UserFactory(email="oud@korenschoof.example", is_active=False))
    agency = ClientFactory(name="Design Agency Ltd", contact_email="hello@agency.example", language="en")
    breach = BreachFactory(
        affected_clients=[bakery, agency],
        data_categories=["contact", "website_visitors"],
        data_subjects_estimate=250,
    )

    notifications = services.breach_notify_clients(breach_id=breach.pk, user=officer)

    assert {n.client for n in notifications} == {bakery, agency}
    recorded = {n.client_id: n for n in BreachNotification.objects.filter(breach=breach)}
    assert recorded[bakery.pk].recipients == ["info@korenschoof.example", "eigenaar@korenschoof.example"]
    assert recorded[agency.pk].recipients == ["hello@agency.example"]
    assert recorded[bakery.pk].notified_by == officer
    sent = OutboxMessage.objects.filter(template="privacy_breach_client")
    assert sorted(sent.values_list("to", "language")) == [
        ("eigenaar@korenschoof.example", "nl"),
        ("hello@agency.example", "en"),
        ("info@korenschoof.example", "nl"),
    ]

    dutch = sent.get(to="info@korenschoof.example")
    assert breach.reference in dutch.subject and "Datalek" in dutch.subject
    for text in (breach.what_happened, breach.cause, breach.consequences, breach.remedy):
        assert text in dutch.body_text
    assert "Beste Bakkerij Korenschoof" in dutch.body_text
    assert "verwerkingsverantwoordelijke" in dutch.body_text
    assert "Autoriteit Persoonsgegevens" in dutch.body_text and "72 uur" in dutch.body_text
    assert "250" in dutch.body_text
    english = sent.get(to="hello@agency.example")
    assert "Data breach" in english.subject and "You are the controller" in english.body_text
    assert "Autoriteit Persoonsgegevens" in english.body_text
    assert dutch.reply_to == english.reply_to != ""

    # A second click tells nobody twice.
    assert services.breach_notify_clients(breach_id=breach.pk, user=officer) == []
    assert sent.count() == 3
    assert BreachNotification.objects.filter(breach=breach).count() == 2


def test_a_client_added_later_is_the_only_one_told_next_time(officer):
    first, later = ClientFactory(), ClientFactory()
    breach = BreachFactory(affected_clients=[first])
    services.breach_notify_clients(breach_id=breach.pk, user=officer)
    breach.affected_clients.add(later)

    notifications = services.breach_notify_clients(breach_id=breach.pk, user=officer)

    assert [n.client for n in notifications] == [later]
    assert OutboxMessage.objects.filter(template="privacy_breach_client", to=first.contact_email).count() == 1
    assert OutboxMessage.objects.filter(template="privacy_breach_client", to=later.contact_email).count() == 1


def test_notifying_without_affected_clients_is_refused(officer):
    breach = BreachFactory()
    with pytest.raises(PrivacyError):
        services.breach_notify_clients(breach_id=breach.pk, user=officer)
    assert not OutboxMessage.objects.exists()


# --- the CSV export --------------------------------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_register_exports_every_field_and_when_each_client_was_told(officer_client, officer):
    bakery = ClientFactory(name="Bakkerij Korenschoof", kvk_number="12345678")
    florist = ClientFactory(name="Bloemist Roos", kvk_number="87654321")
    told = BreachFactory(
        title="Lek met formulieren",
        discovered_at=datetime(2026, 3, 2, 9, 30, tzinfo=AMSTERDAM),
        occurred_at=datetime(2026, 2, 28, 22, 0, tzinfo=AMSTERDAM),
        data_categories=["contact", "financial"],
        data_subjects_estimate=40,
        affected_clients=[bakery, florist],
        authority_notified_at=datetime(2026, 3, 3, 10, 0, tzinfo=AMSTERDAM),
        authority_reference="AP-2026-123",
        created_by=officer,
    )
    services.breach_notify_clients(breach_id=told.pk, user=officer)
    other = BreachFactory(title='=HYPERLINK("http://kwaad.example")', discovered_at=timezone.now())

    response = officer_client.post(reverse(REGISTER), {"action": "export_csv", "_selected_action": [told.pk, other.pk]})

    header, *rows = rows_of(response)
    assert header[:4] == ["reference", "short description", "discovered at", "happened at"]
    assert len(rows) == 2
    row = dict(zip(header, rows[0], strict=True))
    assert row["reference"] == told.reference
    assert row["discovered at"] == "2026-03-02 09:30"
    assert row["happened at"] == "2026-02-28 22:00"
    assert row["registered by"] == officer.email
    assert row["what happened"] == told.what_happened
    assert row["cause"] == told.cause
    assert row["consequences"] == told.consequences
    assert row["measures taken"] == told.remedy
    assert row["kinds of personal data"] == ("contact details (name, e-mail address, phone number); financial data")
    assert row["number of people affected (estimate)"] == "40"
    assert row["affected clients"] == "Bakkerij Korenschoof (12345678); Bloemist Roos (87654321)"
    notified_at = timezone.localtime(BreachNotification.objects.filter(breach=told).first().notified_at)
    assert row["clients notified at"] == (
        f"Bakkerij Korenschoof: {notified_at:%Y-%m-%d %H:%M} ({bakery.contact_email}); "
        f"Bloemist Roos: {notified_at:%Y-%m-%d %H:%M} ({florist.contact_email})"
    )
    assert row["all affected clients notified"] == "yes"
    assert row["reported to the Autoriteit Persoonsgegevens"] == "2026-03-03 10:00"
    assert row["AP reference"] == "AP-2026-123"
    # What staff typed never becomes a spreadsheet formula.
    assert rows[1][1] == '\'=HYPERLINK("http://kwaad.example")'


def test_the_whole_register_exports_from_the_changelist_link(officer_client):
    unnotified = BreachFactory(affected_clients=[ClientFactory(name="Nog Niet Verteld B.V.")])
    BreachFactory()

    response = officer_client.get(reverse("admin:privacy_breach_export"))

    header, *rows = rows_of(response)
    assert len(rows) == 2
    row = {r[0]: dict(zip(header, r, strict=True)) for r in rows}[unnotified.reference]
    assert row["clients notified at"] == "Nog Niet Verteld B.V.: not notified"
    assert row["all affected clients notified"] == "no"
    assert reverse("admin:privacy_breach_export") in officer_client.get(reverse(REGISTER)).text


# --- the register in the admin ---------------------------------------------------------------------------------


def test_the_register_lists_the_clock_affected_clients_and_who_was_told(
    officer_client, officer, django_assert_max_num_queries
):
    fresh = BreachFactory(discovered_at=timezone.now() - timedelta(hours=1), affected_clients=[ClientFactory()])
    late = BreachFactory(
        discovered_at=timezone.now() - timedelta(hours=80), affected_clients=[ClientFactory(), ClientFactory()]
    )
    done = BreachFactory(discovered_at=timezone.now() - timedelta(hours=10), affected_clients=[ClientFactory()])
    services.breach_notify_clients(breach_id=done.pk, user=officer)
    officer_client.get(reverse(REGISTER))
    with CaptureQueriesContext(connection) as three:
        response = officer_client.get(reverse(REGISTER))

    html = response.text
    assert 'class="privacy-badge privacy-badge-green"' in html
    assert 'class="privacy-badge privacy-badge-overdue"' in html
    assert 'class="privacy-badge privacy-badge-notified"' in html
    assert "70 hours left" in html and "overdue by 8 hours" in html
    result = {breach.reference: breach for breach in response.context["cl"].result_list}
    assert (result[late.reference].affected_count, result[late.reference].notified_count) == (2, 0)
    assert (result[done.reference].affected_count, result[done.reference].notified_count) == (1, 1)
    assert fresh.reference in result

    for _index in range(20):
        BreachFactory(affected_clients=[ClientFactory(), ClientFactory()])
    with django_assert_max_num_queries(len(three)):
        assert officer_client.get(reverse(REGISTER)).status_code == 200


def test_a_breach_entered_in_the_admin_gets_its_reference_and_registrar(officer_client, officer):
    bakery = ClientFactory(name="Bakkerij Korenschoof")
    discovered = timezone.localtime() - timedelta(hours=3)

    response = officer_client.post(
        reverse("admin:privacy_breach_add"),
        {
            "title": "Laptop gestolen",
            "discovered_at": discovered.strftime("%Y-%m-%dT%H:%M"),
            "occurred_at": "",
            "what_happened": "Een laptop met klantgegevens is uit een auto gestolen.",
            "cause": "De laptop lag zichtbaar in de auto.",
            "consequences": "De schijf is versleuteld; misbruik is onwaarschijnlijk.",
            "remedy": "Laptop op afstand gewist, wachtwoorden vervangen.",
            "data_categories": ["contact", "account"],
            "data_subjects_estimate": "12",
            "affected_clients": [bakery.pk],
            "authority_notified_at": "",
            "authority_reference": "",
            "closed_at": "",
            "_save": "Save",
        },
        follow=True,
    )

    assert response.status_code == 200
    breach = Breach.objects.get()
    assert breach.reference == f"DL-{timezone.localdate().year}-00001"
    assert breach.created_by == officer
    assert list(breach.affected_clients.all()) == [bakery]
    assert breach.data_categories == ["contact", "account"]
    assert breach.discovered_at == discovered.replace(second=0, microsecond=0)


def test_the_admin_form_refuses_a_discovery_in_the_future_and_keeps_what_was_typed(officer_client):
    response = officer_client.post(
        reverse("admin:privacy_breach_add"),
        {
            "title": "Lek in de toekomst",
            "discovered_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "what_happened": "Iets.",
            "cause": "Iets anders.",
            "consequences": "Weinig.",
            "remedy": "Niets.",
            "_save": "Save",
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["discovered_at"]
    assert form["title"].value() == "Lek in de toekomst"
    assert not Breach.objects.exists()


def test_editing_a_breach_keeps_its_reference_and_notifications(officer_client, officer):
    bakery = ClientFactory()
    breach = BreachFactory(affected_clients=[bakery], created_by=officer)
    services.breach_notify_clients(breach_id=breach.pk, user=officer)
    page = officer_client.get(reverse("admin:privacy_breach_change", args=[breach.pk]))
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if name not in ("affected_clients", "data_categories")
    }
    for name in ("discovered_at", "occurred_at", "authority_notified_at", "closed_at"):
        data[name] = timezone.localtime(data[name]).strftime("%Y-%m-%dT%H:%M") if data.get(name) else ""
    data.update(
        {
            "remedy": "Ook alle klanten gevraagd hun wachtwoord te wijzigen.",
            "affected_clients": [bakery.pk],
            "data_categories": ["contact"],
            "data_subjects_estimate": "",
            "_save": "Save",
        }
    )

    officer_client.post(reverse("admin:privacy_breach_change", args=[breach.pk]), data)

    breach.refresh_from_db()
    assert breach.remedy == "Ook alle klanten gevraagd hun wachtwoord te wijzigen."
    assert breach.reference.startswith("DL-2000-")
    assert breach.notifications.count() == 1


def test_the_notify_button_tells_the_clients_once(officer_client, officer):
    bakery, florist = ClientFactory(name="Bakkerij Korenschoof"), ClientFactory(name="Bloemist Roos")
    breach = BreachFactory(affected_clients=[bakery, florist])
    page = officer_client.get(reverse("admin:privacy_breach_change", args=[breach.pk])).text
    notify_url = reverse("admin:privacy_breach_notify", args=[breach.pk])
    assert notify_url in page and "Notify 2 affected clients" in page

    response = officer_client.post(notify_url, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        f"{breach.reference}: 2 clients were told: Bakkerij Korenschoof, Bloemist Roos."
    ]
    html = response.text
    assert bakery.contact_email in html and florist.contact_email in html  # the list of notifications
    assert "Fatima Bakker" in html
    assert notify_url not in html  # nothing left to notify
    assert OutboxMessage.objects.filter(template="privacy_breach_client").count() == 2

    again = officer_client.post(notify_url, follow=True)
    assert [level for level, _text in [(m.level_tag, str(m)) for m in again.context["messages"]]] == ["info"]
    assert "nobody was told again" in " ".join(str(m) for m in again.context["messages"])
    assert OutboxMessage.objects.filter(template="privacy_breach_client").count() == 2


def test_the_notify_action_on_the_register(officer_client):
    breach = BreachFactory(affected_clients=[ClientFactory()])
    empty = BreachFactory()
    response = officer_client.post(
        reverse(REGISTER), {"action": "notify_clients", "_selected_action": [breach.pk, empty.pk]}, follow=True
    )
    levels = sorted(m.level_tag for m in response.context["messages"])
    assert levels == ["error", "success"]
    assert OutboxMessage.objects.filter(template="privacy_breach_client").count() == 1


def test_only_privacy_officers_see_the_register(client):
    breach = BreachFactory(affected_clients=[ClientFactory()])
    client.force_login(StaffUserFactory())
    assert client.get(reverse(REGISTER)).status_code == 403
    assert client.get(reverse("admin:privacy_breach_export")).status_code == 403
    assert client.post(reverse("admin:privacy_breach_notify", args=[breach.pk])).status_code == 403
    assert not BreachNotification.objects.exists()


def test_the_register_keeps_every_breach(officer_client):
    breach = BreachFactory()
    assert officer_client.get(reverse("admin:privacy_breach_delete", args=[breach.pk])).status_code == 403
