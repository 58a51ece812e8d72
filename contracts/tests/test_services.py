"""Registering clients and websites, inviting contacts and sending password-reset links."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.utils import timezone

from contracts import services
from contracts.errors import ContractsError
from contracts.models import Client, ClientContact, Website
from isimedia.models import OutboxMessage

from .factories import PASSWORD, ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory, WebsiteFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
INVITE_LINK = re.compile(r"http://testserver/account/activeren/[\w-]+/[\w-]+/")


def invite(client, *, email="jan@bakkerij.nl", name="Jan Jansen", language="nl", invited_by=None):
    return services.client_contact_invite(
        client=client, email=email, name=name, language=language, invited_by=invited_by or StaffUserFactory()
    )


def test_client_create_cleans_the_input():
    client = services.client_create(
        name=" Bakkerij B.V. ", kvk_number="1234 5678", contact_email="Info@Bakkerij.NL", language="en"
    )
    client.refresh_from_db()
    assert (client.name, client.kvk_number, client.contact_email, client.language) == (
        "Bakkerij B.V.",
        "12345678",
        "info@bakkerij.nl",
        "en",
    )


@pytest.mark.parametrize("kvk_number", ["1234567", "123456789", "1234567a", ""])
def test_client_create_refuses_a_kvk_number_that_is_not_8_digits(kvk_number):
    with pytest.raises(ContractsError) as error:
        services.client_create(name="X", kvk_number=kvk_number, contact_email="x@example.nl")
    assert "kvk_number" in error.value.message_dict
    assert not Client.objects.exists()


def test_client_create_refuses_a_known_kvk_number():
    ClientFactory(kvk_number="12345678")
    with pytest.raises(ContractsError) as error:
        services.client_create(name="Copy", kvk_number="12345678", contact_email="x@example.nl")
    assert "kvk_number" in error.value.message_dict


def test_the_database_refuses_a_kvk_number_that_is_not_8_digits():
    with pytest.raises(IntegrityError):
        Client.objects.create(name="X", kvk_number="123", contact_email="x@example.nl")


def test_website_add_stores_the_normalised_host():
    client = ClientFactory()
    website = services.website_add(client=client, host="https://WWW.Bäcker.nl:443/path?x")
    assert website.host == "xn--bcker-gra.nl"
    assert list(client.websites.all()) == [website]


def test_website_add_refuses_garbage_and_taken_hosts():
    client, other = ClientFactory(), ClientFactory()
    WebsiteFactory(client=client, host="example.nl")
    WebsiteFactory(client=other, host="other.nl")

    with pytest.raises(ContractsError, match="al geregistreerd voor deze klant"):
        services.website_add(client=client, host="www.example.nl")
    with pytest.raises(ContractsError, match="andere klant"):
        services.website_add(client=client, host="http://OTHER.nl/")
    with pytest.raises(ContractsError) as error:
        services.website_add(client=client, host="not a host")
    assert "host" in error.value.message_dict
    assert Website.objects.count() == 2


@pytest.mark.parametrize("host", ["co.uk", "https://www.co.uk/", "github.io"])
def test_website_add_refuses_a_public_suffix(host):
    with pytest.raises(ContractsError) as error:
        services.website_add(client=ClientFactory(), host=host)
    assert "door veel eigenaren gedeeld" in error.value.message_dict["host"][0]
    assert not Website.objects.exists()


def test_the_database_refuses_a_host_that_is_not_normalised():
    with pytest.raises(IntegrityError):
        Website.objects.create(client=ClientFactory(), host="Example.nl")


def test_invite_creates_a_contact_without_password_and_queues_the_email_in_their_language():
    client = ClientFactory(name="Harbour Ltd")
    staff = StaffUserFactory()

    contact = invite(client, email=" Ann@Harbour.example ", name="Ann Smith", language="en", invited_by=staff)

    user = contact.user
    assert user.email == "ann@harbour.example"
    assert not user.has_usable_password() and not user.is_staff and user.language == "en"
    assert (contact.client, contact.name, contact.invited_by) == (client, "Ann Smith", staff)
    assert contact.invited_at is not None
    message = OutboxMessage.objects.get()
    assert (message.template, message.to, message.language) == ("client_invite", "ann@harbour.example", "en")
    # The link lets whoever holds it set the password: staff see that it was sent, not the body.
    assert message.sensitive
    assert message.subject == "Your access to the ISI Media client portal for Harbour Ltd"
    assert "choose a password and activate your account" in message.body_text
    assert "Activate account" in message.body_html and "current password" not in message.body_html
    assert "Dear Ann Smith" in message.body_text and "valid for 3 days" in message.body_text
    assert "http://testserver/account/inloggen/" in message.body_text
    link = INVITE_LINK.search(message.body_text).group()
    assert link in message.body_html


def test_invite_in_dutch():
    invite(ClientFactory(name="Bakkerij & Zn"), language="nl")
    message = OutboxMessage.objects.get()
    assert message.language == "nl"
    assert message.subject == "Uw toegang tot het klantportaal van ISI Media voor Bakkerij & Zn"
    assert "Beste Jan Jansen" in message.body_text and "3 dagen geldig" in message.body_text
    assert "Kies via deze link een wachtwoord om uw account te activeren" in message.body_text
    assert "Bakkerij &amp; Zn" in message.body_html
    assert message.sensitive


@pytest.mark.parametrize(
    ("language", "keep_logging_in", "new_password_button", "first_invite_wording"),
    [
        (
            "nl",
            "U heeft al een wachtwoord voor het portaal. Daarmee blijft u gewoon inloggen op "
            "http://testserver/account/inloggen/",
            "Nieuw wachtwoord kiezen",
            ("account te activeren", "account activeren"),
        ),
        (
            "en",
            "You already have a password for the portal, so you can keep logging in with it at "
            "http://testserver/account/inloggen/",
            "Choose a new password",
            ("activate your account", "activate account"),
        ),
    ],
)
def test_reinviting_a_contact_with_a_password_says_it_keeps_working(
    language, keep_logging_in, new_password_button, first_invite_wording
):
    contact = ClientContactFactory(user__language=language)
    assert contact.user.has_usable_password()

    services.client_contact_invite(
        client=contact.client, email=contact.user.email, name=contact.name, language=language, invited_by=None
    )

    message = OutboxMessage.objects.get()
    assert message.sensitive
    assert keep_logging_in in message.body_text
    assert new_password_button in message.body_html
    assert INVITE_LINK.search(message.body_text).group() in message.body_html
    # Nothing tells them to activate an account that is active already.
    for wording in first_invite_wording:
        assert wording not in message.body_text.lower()
        assert wording not in message.body_html.lower()


@pytest.mark.parametrize(
    ("now", "language", "expiry"),
    [
        # Winter: Amsterdam is UTC+1; the link is valid for 3 days.
        (datetime(2026, 11, 21, 13, 43, tzinfo=UTC), "nl", "tot 24 november 2026, 14:43 Nederlandse tijd"),
        (datetime(2026, 11, 21, 13, 43, tzinfo=UTC), "en", "until 24 November 2026, 14:43 Amsterdam time"),
        # Summer: UTC+2.
        (datetime(2026, 7, 1, 8, 0, tzinfo=UTC), "nl", "tot 4 juli 2026, 10:00 Nederlandse tijd"),
    ],
)
@pytest.mark.parametrize("send", ["invite", "password_reset"])
def test_emails_give_the_expiry_in_amsterdam_time_whatever_zone_is_active(monkeypatch, now, language, expiry, send):
    monkeypatch.setattr(timezone, "now", lambda: now)
    with timezone.override("America/New_York"):
        if send == "invite":
            invite(ClientFactory(), language=language)
        else:
            services.password_reset_request(email=UserFactory(email="ann@example.com", language=language).email)
    message = OutboxMessage.objects.get()
    assert expiry in message.body_text
    assert expiry in message.body_html


def test_reinvite_reuses_the_account_and_sends_a_fresh_link():
    client = ClientFactory()
    first = invite(client)
    second = invite(client, email="JAN@bakkerij.nl", name="Jan J. Jansen", language="en")

    assert second.pk == first.pk and second.user_id == first.user_id
    assert second.name == "Jan J. Jansen" and second.user.language == "en"
    assert User.objects.count() == 3  # the contact and the two staff members who invited
    assert OutboxMessage.objects.filter(template="client_invite", to="jan@bakkerij.nl").count() == 2


def test_reinvite_keeps_a_chosen_password_working():
    contact = ClientContactFactory()
    services.client_contact_invite(
        client=contact.client, email=contact.user.email, name=contact.name, language="nl", invited_by=None
    )
    contact.user.refresh_from_db()
    assert contact.user.check_password(PASSWORD)


def test_an_existing_user_without_contact_can_be_invited():
    user = UserFactory(email="piet@example.nl")
    contact = invite(ClientFactory(), email="piet@example.nl")
    assert contact.user == user


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True}])
def test_invite_refuses_a_staff_address(flags):
    UserFactory(email="medewerker@isimedia.nl", **flags)
    with pytest.raises(ContractsError, match="medewerkersaccount"):
        invite(ClientFactory(), email="Medewerker@isimedia.nl")
    assert not ClientContact.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_invite_refuses_a_contact_of_another_client():
    contact = ClientContactFactory(user__email="jan@bakkerij.nl")
    with pytest.raises(ContractsError, match="andere klant"):
        invite(ClientFactory(), email="jan@bakkerij.nl")
    contact.refresh_from_db()
    assert ClientContact.objects.get() == contact
    assert not OutboxMessage.objects.exists()


def test_invite_refuses_a_deactivated_account():
    UserFactory(email="weg@example.nl", is_active=False)
    with pytest.raises(ContractsError, match="gedeactiveerd"):
        invite(ClientFactory(), email="weg@example.nl")


def test_invite_refuses_bad_input_per_field():
    with pytest.raises(ContractsError) as error:
        invite(ClientFactory(), email="not-an-address", name=" ", language="de")
    assert set(error.value.message_dict) == {"email", "name", "language"}
    assert not User.objects.filter(is_staff=False).exists()


def test_password_reset_queues_a_link_in_the_users_language_only_for_a_known_address():
    UserFactory(email="ann@example.com", language="en")

    assert services.password_reset_request(email="ANN@example.com") == 1
    assert services.password_reset_request(email="nobody@example.com") == 0

    message = OutboxMessage.objects.get()
    assert (message.template, message.to, message.language) == ("password_reset", "ann@example.com", "en")
    assert "http://testserver/account/wachtwoord-herstellen/" in message.body_text
    assert message.sensitive


def test_password_reset_skips_deactivated_accounts():
    UserFactory(email="weg@example.nl", is_active=False)
    assert services.password_reset_request(email="weg@example.nl") == 0
    assert not OutboxMessage.objects.exists()
