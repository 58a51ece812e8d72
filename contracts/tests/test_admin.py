"""The contracts admin: constant-cost changelists, and invitations that always go through the service."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Client, ClientContact
from isimedia.models import OutboxMessage

from .factories import ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory, WebsiteFactory

pytestmark = pytest.mark.django_db


def client_with_everything():
    client = ClientFactory()
    WebsiteFactory.create_batch(2, client=client)
    ClientContactFactory.create_batch(2, client=client)
    return client


def count_queries(admin_client, url):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("admin:contracts_client_changelist", client_with_everything),
        ("admin:contracts_website_changelist", WebsiteFactory),
        ("admin:contracts_clientcontact_changelist", ClientContactFactory),
    ],
)
def test_changelists_cost_the_same_for_1_and_20_rows(admin_client, django_assert_max_num_queries, url_name, make):
    url = reverse(url_name)
    make()
    one = count_queries(admin_client, url)
    for _ in range(19):
        make()
    with django_assert_max_num_queries(one):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_client_changelist_shows_counts_and_finds_a_client_by_host(admin_client):
    client = client_with_everything()
    WebsiteFactory(client=client, host="bakkerij.nl")
    ClientFactory(name="Someone else")

    response = admin_client.get(reverse("admin:contracts_client_changelist"), {"q": "bakkerij.nl"})

    rows = list(response.context["cl"].result_list)
    assert rows == [client]
    assert (rows[0].website_count, rows[0].contact_count) == (3, 2)


def test_client_change_form_has_an_invite_button(admin_client):
    client = ClientFactory()
    response = admin_client.get(reverse("admin:contracts_client_change", args=[client.pk]))
    assert reverse("admin:contracts_client_invite", args=[client.pk]) in response.content.decode()


def client_form_data(**fields):
    return {
        "name": "Bakkerij B.V.",
        "kvk_number": "12345678",
        "contact_email": "info@bakkerij.nl",
        "language": "nl",
        "websites-TOTAL_FORMS": "0",
        "websites-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "acceptances-TOTAL_FORMS": "0",
        "acceptances-INITIAL_FORMS": "0",
        **fields,
    }


@pytest.mark.parametrize("typed", ["1234 5678", " 12 34 56 78 ", "1234\u00a05678"])
def test_a_kvk_number_with_spaces_is_accepted_in_the_admin_as_in_the_service(admin_client, typed):
    response = admin_client.post(reverse("admin:contracts_client_add"), client_form_data(kvk_number=typed))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Client.objects.get().kvk_number == "12345678"


def test_the_kvk_box_takes_a_pasted_number_with_spaces(admin_client):
    html = admin_client.get(reverse("admin:contracts_client_add")).content.decode()
    box = re.search(r'<input[^>]* name="kvk_number"[^>]*>', html).group()
    # A box limited to 8 characters would cut a pasted "1234 5678" to "1234 567".
    assert 'maxlength="20"' in box


def test_a_kvk_number_with_spaces_is_accepted_when_changing_a_client(admin_client):
    client = ClientFactory(kvk_number="11111111")
    url = reverse("admin:contracts_client_change", args=[client.pk])

    response = admin_client.post(url, client_form_data(kvk_number="8765 4321"))

    assert response.status_code == 302
    client.refresh_from_db()
    assert client.kvk_number == "87654321"


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("1234 567", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("1234 5678 9", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("1234 56a8", "Een KvK-nummer bestaat uit precies 8 cijfers."),
        ("1111 1111", "Er bestaat al een klant met dit KvK-nummer."),
    ],
)
def test_the_admin_refuses_a_wrong_or_known_kvk_number_after_removing_spaces(admin_client, typed, error):
    ClientFactory(kvk_number="11111111")

    response = admin_client.post(reverse("admin:contracts_client_add"), client_form_data(kvk_number=typed))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["kvk_number"] == [error]
    assert Client.objects.count() == 1


def test_website_inline_normalises_the_host(admin_client):
    client = ClientFactory()
    url = reverse("admin:contracts_client_change", args=[client.pk])
    data = {
        "name": client.name,
        "kvk_number": client.kvk_number,
        "contact_email": client.contact_email,
        "language": client.language,
        "websites-TOTAL_FORMS": "1",
        "websites-INITIAL_FORMS": "0",
        "websites-0-host": "https://WWW.Bäcker.nl/winkel",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "acceptances-TOTAL_FORMS": "0",
        "acceptances-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(client.websites.values_list("host", flat=True)) == ["xn--bcker-gra.nl"]


def test_invite_view_invites_and_says_so(admin_client):
    client = ClientFactory(language="en")
    url = reverse("admin:contracts_client_invite", args=[client.pk])
    assert admin_client.get(url).context["form"].initial["language"] == "en"

    response = admin_client.post(url, {"email": "ann@harbour.example", "name": "Ann", "language": "en"}, follow=True)

    contact = ClientContact.objects.get()
    assert contact.client == client and contact.user.email == "ann@harbour.example"
    assert contact.invited_by.email == "admin@example.com"
    assert OutboxMessage.objects.get().to == "ann@harbour.example"
    assert response.redirect_chain[-1][0] == reverse("admin:contracts_client_change", args=[client.pk])
    assert any("ann@harbour.example" in str(m) for m in response.context["messages"])


def test_invite_view_shows_a_refusal_on_the_form(admin_client):
    StaffUserFactory(email="medewerker@isimedia.nl")
    client = ClientFactory()
    url = reverse("admin:contracts_client_invite", args=[client.pk])

    response = admin_client.post(url, {"email": "medewerker@isimedia.nl", "name": "M", "language": "nl"})

    assert response.status_code == 200
    assert "medewerker@isimedia.nl" in str(response.context["form"].non_field_errors())
    assert not ClientContact.objects.exists() and not OutboxMessage.objects.exists()


def test_invite_view_needs_permission(client):
    staff = StaffUserFactory()
    client.force_login(staff)
    response = client.get(reverse("admin:contracts_client_invite", args=[ClientFactory().pk]))
    assert response.status_code == 403


def test_resend_invitation_action(admin_client):
    contacts = ClientContactFactory.create_batch(2, user__language="en")
    staff_contact = ClientContactFactory(user=UserFactory(is_staff=True))

    response = admin_client.post(
        reverse("admin:contracts_clientcontact_changelist"),
        {"action": "send_invitation", "_selected_action": [c.pk for c in [*contacts, staff_contact]]},
        follow=True,
    )

    sent = OutboxMessage.objects.filter(template="client_invite")
    assert sorted(sent.values_list("to", flat=True)) == sorted(c.user.email for c in contacts)
    assert set(sent.values_list("language", flat=True)) == {"en"}
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"{staff_contact.user.email}: {staff_contact.user.email} hoort bij een medewerkersaccount van ISI Media.",
        "2 uitnodigingen verstuurd.",
    ]


def test_the_admin_is_called_isi_media_beheer_in_dutch(admin_client):
    html = admin_client.get(reverse("admin:contracts_client_changelist")).content.decode()
    assert "| ISI Media-beheer</title>" in html
    assert ">ISI Media-beheer</a>" in html
