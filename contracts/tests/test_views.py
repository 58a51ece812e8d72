"""What a client contact, a staff member and a stranger see on the account, log-in and password pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from contracts import services
from isimedia import urls as project_urls
from isimedia.models import OutboxMessage
from isimedia.tests.staff import code_for
from ntd.tests.factories import make_case

from .factories import PASSWORD, ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory, WebsiteFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

# The complaint pages of the account (ntd.account_urls): until the project's URLconf includes them at
# account/klachten/, the tests of the complaint list add them themselves (with pytest.mark.urls(__name__)).
urlpatterns = [*project_urls.urlpatterns]
if not any(getattr(pattern, "namespace", None) == "ntd_account" for pattern in urlpatterns):
    urlpatterns.insert(0, path("account/klachten/", include("ntd.account_urls")))
NEW_PASSWORD = "Zonnebloem-Tulp-2026"


def link_path(message):
    """The path of the invitation or password link in an e-mail (which may mention the log-in page too)."""
    return re.search(r"http://testserver(/account/(?:activeren|wachtwoord-herstellen)/\S+/)", message.body_text).group(
        1
    )


def choose_password(client, path, *, password=NEW_PASSWORD):
    """Follow an e-mailed link and submit a new password, as a person in a browser would."""
    response = client.get(path)
    assert response.status_code == 302  # the token moves out of the address bar into the session
    form_path = response.url
    assert client.get(form_path).status_code == 200
    return client.post(form_path, {"new_password1": password, "new_password2": password})


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("contracts:account"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/account/"


def test_a_contact_sees_their_client_and_only_its_websites(client, django_assert_max_num_queries):
    contact = ClientContactFactory(client__name="Bakkerij De Korenschoof")
    WebsiteFactory(client=contact.client, host="korenschoof.nl")
    WebsiteFactory(client=contact.client, host="xn--bcker-gra.nl")
    WebsiteFactory(host="concurrent.nl")
    client.force_login(contact.user)

    # session, user, contact with client, websites, complaints, DPA status (3), versions open to objection
    with django_assert_max_num_queries(9):
        response = client.get(reverse("contracts:account"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bakkerij De Korenschoof" in html
    # Internationalised names are shown as people write them, not in their ASCII (punycode) form.
    assert "korenschoof.nl" in html and "bäcker.nl" in html and "xn--" not in html
    assert "concurrent.nl" not in html


def test_a_contact_of_another_client_sees_its_own_websites_only(client):
    mine = ClientContactFactory()
    theirs = ClientContactFactory()
    WebsiteFactory(client=mine.client, host="mine.nl")
    WebsiteFactory(client=theirs.client, host="theirs.nl")
    client.force_login(theirs.user)

    html = client.get(reverse("contracts:account")).content.decode()

    assert "theirs.nl" in html and "mine.nl" not in html
    assert theirs.client.name in html and mine.client.name not in html


@pytest.mark.parametrize("factory", [StaffUserFactory, UserFactory])
def test_staff_and_users_without_client_get_a_friendly_refusal(client, factory):
    WebsiteFactory(host="secret.nl")
    user = factory()
    client.force_login(user)

    response = client.get(reverse("contracts:account"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "secret.nl" not in html
    assert user.email in html
    assert "niet gekoppeld aan een klant" in html  # the site is Dutch by default


def test_log_in_with_email_address_in_any_case(client):
    contact = ClientContactFactory(user__email="jan@bakkerij.nl")
    response = client.post(reverse("login"), {"username": "Jan@Bakkerij.NL", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("contracts:account")
    assert client.get(response.url).context["client"] == contact.client


def test_staff_who_log_in_go_to_the_admin_not_the_client_page(client):
    StaffUserFactory(email="medewerker@isimedia.nl")

    response = client.post(reverse("login"), {"username": "medewerker@isimedia.nl", "password": PASSWORD})

    # A password alone does not log staff in: they continue with the admin's code step, then land in the admin.
    assert response.status_code == 302 and response.url == reverse("admin:login_code")
    response = client.post(response.url, {"code": code_for(User.objects.get(email="medewerker@isimedia.nl"))})
    assert response.url == reverse("admin:index")
    # Coming back to the log-in page while logged in leads there too.
    assert client.get(reverse("login")).url == reverse("admin:index")


def test_staff_follow_a_safe_next_and_ignore_an_unsafe_one(client):
    StaffUserFactory(email="medewerker@isimedia.nl")
    credentials = {"username": "medewerker@isimedia.nl", "password": PASSWORD}
    clients_page = reverse("admin:contracts_client_changelist")

    staff = User.objects.get(email="medewerker@isimedia.nl")

    client.post(reverse("login"), {**credentials, "next": clients_page})
    safe = client.post(reverse("admin:login_code"), {"code": code_for(staff)})
    client.post(reverse("logout"))
    client.post(reverse("login"), {**credentials, "next": "https://evil.example/admin/"})
    unsafe = client.post(reverse("admin:login_code"), {"code": code_for(staff)})

    assert safe.url == clients_page
    assert unsafe.url == reverse("admin:index")


def test_a_contact_with_a_next_goes_there(client):
    ClientContactFactory(user__email="jan@bakkerij.nl")
    response = client.post(
        reverse("login"), {"username": "jan@bakkerij.nl", "password": PASSWORD, "next": "/account/?tab=websites"}
    )
    assert response.url == "/account/?tab=websites"


def test_login_page_is_dutch_and_asks_for_an_email_address(client):
    html = client.get(reverse("login")).content.decode()
    assert 'type="email"' in html
    assert "E-mailadres" in html
    assert reverse("password_reset") in html


def test_a_failed_login_does_not_tell_whether_the_address_exists(client):
    UserFactory(email="jan@bakkerij.nl")
    known = client.post(reverse("login"), {"username": "jan@bakkerij.nl", "password": "wrong-password"})
    unknown = client.post(reverse("login"), {"username": "piet@bakkerij.nl", "password": "wrong-password"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert known.context["form"].non_field_errors()


def test_logout_is_a_post(client):
    client.force_login(ClientContactFactory().user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("contracts:account")).status_code == 302


def test_following_the_invitation_sets_a_password_logs_in_and_shows_the_websites(client):
    customer = ClientFactory(name="Harbour Analytics")
    WebsiteFactory(client=customer, host="harbour.example")
    services.client_contact_invite(
        client=customer, email="ann@harbour.example", name="Ann", language="en", invited_by=StaffUserFactory()
    )
    path = link_path(OutboxMessage.objects.get())

    response = choose_password(client, path)

    assert response.status_code == 302 and response.url == reverse("contracts:account")
    page = client.get(response.url)
    assert "harbour.example" in page.content.decode()
    assert [str(m) for m in page.context["messages"]]  # the welcome message
    # The link works once; afterwards the contact logs in with the chosen password.
    client.post(reverse("logout"))
    assert client.get(path).context["validlink"] is False
    response = client.post(reverse("login"), {"username": "ann@harbour.example", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("contracts:account")


def test_a_reinvited_contact_with_a_password_is_offered_a_new_one_not_an_activation(client):
    contact = ClientContactFactory(user__email="jan@bakkerij.nl")
    services.client_contact_invite(
        client=contact.client, email=contact.user.email, name=contact.name, language="nl", invited_by=None
    )
    path = link_path(OutboxMessage.objects.get())

    form_path = client.get(path).url
    html = client.get(form_path).content.decode()
    assert "Kies een nieuw wachtwoord" in html and "uw huidige wachtwoord blijft werken" in html
    assert "Activeer" not in html

    response = client.post(form_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302 and response.url == reverse("contracts:account")
    contact.user.refresh_from_db()
    assert contact.user.check_password(NEW_PASSWORD)


def test_an_invalid_invitation_link_explains_what_to_do(client):
    contact = ClientContactFactory()
    services.client_contact_invite(
        client=contact.client, email=contact.user.email, name="X", language="nl", invited_by=None
    )
    path = link_path(OutboxMessage.objects.get())
    broken = path.rstrip("/")[:-3] + "abc/"

    response = client.get(broken)

    assert response.status_code == 200
    html = response.content.decode()
    assert not response.context["validlink"]
    assert reverse("password_reset") in html and reverse("login") in html


def test_an_invitation_for_an_account_deactivated_since_does_not_work(client):
    contact = ClientContactFactory()
    services.client_contact_invite(
        client=contact.client, email=contact.user.email, name="X", language="nl", invited_by=None
    )
    User.objects.filter(pk=contact.user.pk).update(is_active=False)

    response = client.get(link_path(OutboxMessage.objects.get()))

    assert response.status_code == 200 and not response.context["validlink"]


def test_home_page_promises_only_what_the_client_account_does(client):
    html = client.get(reverse("home")).content.decode()
    assert "Inloggen op uw klantaccount" in html
    assert "binnenkort" in html.lower()
    assert "downloadt" not in html and "ondertekent u de overeenkomst online" not in html


def test_password_reset_looks_the_same_for_known_and_unknown_addresses(client):
    UserFactory(email="ann@example.com", language="en")
    assert "Wachtwoord vergeten?" in client.get(reverse("password_reset")).content.decode()

    known = client.post(reverse("password_reset"), {"email": "ann@example.com"})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("password_reset_done")
    message = OutboxMessage.objects.get()
    assert (message.template, message.to, message.language) == ("password_reset", "ann@example.com", "en")
    done = client.get(known.url)
    assert done.status_code == 200 and "e-mail" in done.content.decode()


def test_password_reset_link_sets_a_new_password(client):
    user = UserFactory(email="jan@bakkerij.nl")
    client.post(reverse("password_reset"), {"email": "jan@bakkerij.nl"})

    response = choose_password(client, link_path(OutboxMessage.objects.get()))

    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(response.url).status_code == 200


def test_an_invited_contact_who_lost_the_invitation_can_use_password_reset(client):
    contact = ClientContactFactory(user__password=None)
    assert not contact.user.has_usable_password()

    client.post(reverse("password_reset"), {"email": contact.user.email})

    assert OutboxMessage.objects.filter(template="password_reset", to=contact.user.email).exists()


# --- complaints about the client's websites --------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_contact_sees_the_complaints_about_its_own_websites_and_can_answer_open_ones(client):
    contact = ClientContactFactory(client__name="Bakkerij De Korenschoof")
    site = WebsiteFactory(client=contact.client, host="korenschoof.example")
    waiting, _ = make_case("awaiting_customer", website=site)
    assessed, _ = make_case("under_assessment", website=site)
    resolved, _ = make_case("resolved_by_customer", website=site)
    received, _ = make_case("received")  # not yet sent to the client
    elsewhere = WebsiteFactory(host="concurrent.example")
    theirs, _ = make_case("awaiting_customer", website=elsewhere, urls=["https://concurrent.example/x"])
    client.cookies["django_language"] = "en"
    client.force_login(contact.user)

    html = client.get(reverse("contracts:account")).content.decode()

    assert "Complaints about your websites" in html
    for notice in (waiting, assessed, resolved):
        assert f'id="complaint-{notice.reference}"' in html
        assert reverse("ntd_account:answer", kwargs={"reference": notice.reference}) in html
    assert received.reference not in html and theirs.reference not in html
    assert "Waiting for your answer" in html
    assert "ISI Media is assessing the complaint" in html
    assert "Closed: you removed the material" in html
    # Only the case that waits for the client has an answer button.
    assert html.count("btn btn-primary btn-sm") == 1
    assert f'Answer<span class="visually-hidden"> complaint {waiting.reference}</span>' in html


def test_without_complaints_the_account_says_so(client):
    contact = ClientContactFactory()
    client.cookies["django_language"] = "en"
    client.force_login(contact.user)
    assert "There are no complaints about your websites." in client.get(reverse("contracts:account")).content.decode()


@pytest.mark.urls(__name__)
def test_the_complaint_list_takes_the_same_number_of_queries_for_one_or_ten_complaints(client):
    contact = ClientContactFactory()
    site = WebsiteFactory(client=contact.client, host="korenschoof.example")
    make_case("awaiting_customer", website=site)
    client.force_login(contact.user)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("contracts:account")).status_code == 200
        return len(queries)

    one = count_queries()
    for state in ["awaiting_customer", "under_assessment", "resolved_by_customer"] * 3:
        make_case(state, website=site)
    ten = count_queries()

    assert one == ten <= 9  # the same page as in the test above: its count does not grow with the complaints


def test_password_links_are_limited_per_address_with_a_clear_message(client, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    UserFactory(email="ann@example.com")
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": "ann@example.com"}).status_code == 302
    refused = client.post(reverse("password_reset"), {"email": "ann@example.com"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Te vaak om een wachtwoordlink gevraagd" in refused.content.decode()
    assert 'value="ann@example.com"' in refused.content.decode()
    assert OutboxMessage.objects.filter(template="password_reset").count() == 2
    # Someone on another address is not held up.
    other = client.post(reverse("password_reset"), {"email": "ann@example.com"}, REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 302
