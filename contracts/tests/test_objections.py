"""Objections: a client contact objects to an announced version before it takes effect; staff settle it."""

import datetime

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import include, path, reverse
from django.utils import timezone, translation

from contracts import selectors, services
from contracts.errors import ContractsError
from contracts.models import DocumentKind, DocumentVersion, Objection
from isimedia import urls as project_urls
from isimedia.models import OutboxMessage

from .factories import ClientContactFactory, ClientFactory, StaffUserFactory, UserFactory

# The objection page (contracts.objection_urls): until the project's URLconf includes it, these tests add it.
urlpatterns = [*project_urls.urlpatterns]
if not any(getattr(pattern, "namespace", None) == "contracts_objections" for pattern in urlpatterns):
    urlpatterns.insert(0, path("", include("contracts.objection_urls")))
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English msgids; the site itself is Dutch first."""
    with translation.override("en"):
        yield


def version(*, days: int = 90, published: bool = True, kind: str = DocumentKind.DPA, **fields) -> DocumentVersion:
    """A version taking effect ``days`` from today, written straight to the database (no PDF needed here)."""
    values = {
        "kind": kind,
        "label": f"2030-{DocumentVersion.objects.count() + 1:02d}",
        "title": "Verwerkersovereenkomst",
        "body": "## Artikel 1\n\n1.1 Tekst.",
        "summary": "Artikel 1 is korter.",
        "effective_on": TODAY() + datetime.timedelta(days=days),
    }
    if published:
        values |= {"published_at": timezone.now(), "text_sha256": "a" * 64}
    return DocumentVersion.objects.create(**(values | fields))


def staff_messages():
    return list(OutboxMessage.objects.filter(template="contracts_objection_received"))


def settled_messages():
    return list(OutboxMessage.objects.filter(template="contracts_objection_settled"))


# --- objection_create ------------------------------------------------------------------------------------------


def test_a_contact_objects_to_a_scheduled_version_and_staff_hear_of_it():
    contact = ClientContactFactory(client__name="Bakkerij De Korenschoof", client__kvk_number="12345678")
    scheduled = version(days=60, label="2030-03")

    objection = services.objection_create(
        client=contact.client, user=contact.user, version=scheduled, text="  Artikel 4 gaat ons te ver.  "
    )

    assert objection.text == "Artikel 4 gaat ons te ver."
    assert (objection.client, objection.version, objection.user) == (contact.client, scheduled, contact.user)
    assert objection.settled_at is None
    [message] = staff_messages()
    assert message.to == settings.STAFF_EMAIL
    assert message.reply_to == contact.user.email
    assert "Bakkerij De Korenschoof" in message.subject
    assert "2030-03" in message.subject
    assert "Artikel 4 gaat ons te ver." in message.body_text
    assert "12345678" in message.body_text
    assert contact.user.email in message.body_text
    assert f"/contracts/objection/{objection.pk}/change/" in message.body_text


def test_the_staff_mail_shows_what_the_client_typed_as_text():
    contact = ClientContactFactory()
    services.objection_create(
        client=contact.client, user=contact.user, version=version(), text="<b>Nee</b> & <script>x</script>"
    )
    [message] = staff_messages()
    assert "<b>Nee</b> & <script>x</script>" in message.body_text
    assert "<script>x</script>" not in message.body_html


@pytest.mark.parametrize(
    ("make_version", "error"),
    [
        (lambda: version(published=False), "has not been published"),
        (lambda: version(days=0), "took effect"),
        (lambda: version(days=-30), "took effect"),
    ],
    ids=["draft", "takes-effect-today", "in-force"],
)
def test_objecting_is_possible_only_before_a_published_version_takes_effect(make_version, error):
    contact = ClientContactFactory()
    with pytest.raises(ContractsError, match=error):
        services.objection_create(client=contact.client, user=contact.user, version=make_version(), text="Nee.")
    assert not Objection.objects.exists()
    assert not staff_messages()


def test_objecting_the_day_before_it_takes_effect_is_still_in_time():
    contact = ClientContactFactory()
    services.objection_create(client=contact.client, user=contact.user, version=version(days=1), text="Nee.")
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("who", ["contact of another client", "staff", "user without client"])
def test_only_a_contact_of_the_client_may_object_for_it(who):
    client = ClientFactory()
    user = {
        "contact of another client": lambda: ClientContactFactory().user,
        "staff": lambda: StaffUserFactory(),
        "user without client": lambda: UserFactory(),
    }[who]()
    with pytest.raises(ContractsError, match="Only a contact"):
        services.objection_create(client=client, user=user, version=version(), text="Nee.")
    assert not Objection.objects.exists()


def test_a_deactivated_contact_cannot_object():
    contact = ClientContactFactory(user__is_active=False)
    with pytest.raises(ContractsError, match="Only a contact"):
        services.objection_create(client=contact.client, user=contact.user, version=version(), text="Nee.")


@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_objection_needs_a_text(text):
    contact = ClientContactFactory()
    with pytest.raises(ContractsError) as caught:
        services.objection_create(client=contact.client, user=contact.user, version=version(), text=text)
    assert "text" in caught.value.error_dict
    assert not Objection.objects.exists()


def test_one_open_objection_per_client_and_version_and_a_new_one_after_settlement():
    contact = ClientContactFactory()
    colleague = ClientContactFactory(client=contact.client)
    scheduled = version()
    first = services.objection_create(client=contact.client, user=contact.user, version=scheduled, text="Nee.")

    with pytest.raises(ContractsError, match="already objected"):
        services.objection_create(client=contact.client, user=colleague.user, version=scheduled, text="Ook nee.")
    # Another version, or another client, is another matter.
    services.objection_create(client=contact.client, user=contact.user, version=version(), text="Nee.")
    other = ClientContactFactory()
    services.objection_create(client=other.client, user=other.user, version=scheduled, text="Nee.")

    services.objection_settle(objection_id=first.pk, settlement="Besproken.", user=StaffUserFactory())
    services.objection_create(client=contact.client, user=colleague.user, version=scheduled, text="Toch nee.")
    assert Objection.objects.filter(client=contact.client, version=scheduled).count() == 2


# --- objection_settle ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [("nl", "Uw bezwaar tegen", "Beste Els de Vries"), ("en", "Your objection to", "Dear Els de Vries")],
)
def test_settling_records_how_and_tells_the_contact_in_the_clients_language(language, subject, greeting):
    contact = ClientContactFactory(name="Els de Vries", client__language=language, user__language="nl")
    objection = services.objection_create(client=contact.client, user=contact.user, version=version(), text="Nee.")
    staff = StaffUserFactory()

    settled = services.objection_settle(
        objection_id=objection.pk, settlement="  We passen artikel 4 aan.\nZie versie 2030-09.  ", user=staff
    )

    objection.refresh_from_db()
    assert objection.settlement == "We passen artikel 4 aan.\nZie versie 2030-09."
    assert objection.settled_by == staff
    assert objection.settled_at is not None and settled.settled_at == objection.settled_at
    [message] = settled_messages()
    assert message.to == contact.user.email
    assert message.language == language
    assert message.subject.startswith(subject)
    assert greeting in message.body_text
    assert "We passen artikel 4 aan.\nZie versie 2030-09." in message.body_text
    assert f"http://testserver/account/bezwaar/{objection.version_id}/" in message.body_text


def test_a_settlement_needs_a_text_and_an_objection_is_settled_once():
    contact = ClientContactFactory()
    objection = services.objection_create(client=contact.client, user=contact.user, version=version(), text="Nee.")
    staff = StaffUserFactory()

    with pytest.raises(ContractsError) as caught:
        services.objection_settle(objection_id=objection.pk, settlement="  ", user=staff)
    assert "settlement" in caught.value.error_dict

    services.objection_settle(objection_id=objection.pk, settlement="Eerste.", user=staff)
    with pytest.raises(ContractsError, match="already settled"):
        services.objection_settle(objection_id=objection.pk, settlement="Tweede.", user=staff)
    objection.refresh_from_db()
    assert objection.settlement == "Eerste."
    assert len(settled_messages()) == 1


# --- objectable_versions_for_client ----------------------------------------------------------------------------


def test_the_account_lists_the_scheduled_versions_with_the_clients_own_objections(django_assert_num_queries):
    contact = ClientContactFactory()
    later = version(days=100, label="2030-later")
    sooner = version(days=20, label="2030-sooner", kind=DocumentKind.TERMS)
    version(days=-10, label="in-force")
    version(days=50, published=False, label="draft")
    services.objection_create(client=contact.client, user=contact.user, version=later, text="Nee.")
    other = ClientContactFactory()
    services.objection_create(client=other.client, user=other.user, version=sooner, text="Nee.")

    with django_assert_num_queries(1):
        versions = list(selectors.objectable_versions_for_client(contact.client))

    assert versions == [sooner, later]
    assert (versions[0].has_objection, versions[0].has_open_objection) == (False, False)
    assert (versions[1].has_objection, versions[1].has_open_objection) == (True, True)
    services.objection_settle(objection_id=later.objections.get().pk, settlement="Goed.", user=StaffUserFactory())
    settled = list(selectors.objectable_versions_for_client(contact.client))[1]
    assert (settled.has_objection, settled.has_open_objection) == (True, False)


def test_the_account_block_links_to_each_objection_page():
    contact = ClientContactFactory()
    scheduled = version(days=30, label="2030-07")
    html = render_to_string(
        "contracts/objections/_account_block.html",
        {"objectable_versions": selectors.objectable_versions_for_client(contact.client)},
    )
    assert f'href="/account/bezwaar/{scheduled.pk}/"' in html
    assert "2030-07" in html
    assert render_to_string("contracts/objections/_account_block.html", {"objectable_versions": []}).strip() == ""


# --- the objection page ----------------------------------------------------------------------------------------


def page_url(version_):
    return reverse("contracts_objections:objection", args=[version_.pk])


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_contact_objects_on_the_page_and_sees_the_objection_waiting(english):
    contact = ClientContactFactory(client__name="Bakkerij De Korenschoof")
    scheduled = version(days=45, label="2030-05", summary="Artikel 4 is nieuw.")
    english.force_login(contact.user)

    page = english.get(page_url(scheduled)).content.decode()
    assert 'id="objection-form"' in page
    assert "Artikel 4 is nieuw." in page
    assert "Bakkerij De Korenschoof can object" in page

    response = english.post(page_url(scheduled), {"text": "Wij zijn het niet eens met artikel 4."}, follow=True)

    assert response.redirect_chain == [(page_url(scheduled), 302)]
    page = response.content.decode()
    assert "We have received your objection" in page
    assert "Wij zijn het niet eens met artikel 4." in page
    assert "will let you know by e-mail" in page
    assert 'id="objection-form"' not in page  # one open objection at a time
    assert len(staff_messages()) == 1


def test_the_page_shows_the_settlement_and_offers_the_form_again(english):
    contact = ClientContactFactory()
    scheduled = version()
    objection = services.objection_create(client=contact.client, user=contact.user, version=scheduled, text="Nee.")
    services.objection_settle(objection_id=objection.pk, settlement="Wij passen het aan.", user=StaffUserFactory())
    english.force_login(contact.user)

    page = english.get(page_url(scheduled)).content.decode()

    assert "Wij passen het aan." in page
    assert "Settled on" in page
    assert 'id="objection-form"' in page


def test_an_empty_objection_comes_back_with_an_error(english):
    contact = ClientContactFactory()
    scheduled = version()
    english.force_login(contact.user)

    response = english.post(page_url(scheduled), {"text": "  "})

    assert response.status_code == 400
    assert response.context["form"].errors["text"]
    assert not Objection.objects.exists()


def test_after_the_effective_date_the_page_shows_no_form_and_a_post_is_refused(english):
    contact = ClientContactFactory()
    in_force = version(days=0)
    english.force_login(contact.user)

    page = english.get(page_url(in_force)).content.decode()
    assert 'id="objection-form"' not in page
    assert "objections were possible until that date" in page

    response = english.post(page_url(in_force), {"text": "Te laat."})
    assert response.status_code == 400
    assert "took effect on" in response.content.decode()
    assert not Objection.objects.exists()


def test_a_client_never_sees_another_clients_objection(english):
    scheduled = version()
    other = ClientContactFactory()
    services.objection_create(client=other.client, user=other.user, version=scheduled, text="Geheim bezwaar.")
    contact = ClientContactFactory()
    english.force_login(contact.user)

    page = english.get(page_url(scheduled)).content.decode()

    assert "Geheim bezwaar." not in page
    assert 'id="objection-form"' in page


def test_drafts_and_unknown_versions_are_not_found(client):
    contact = ClientContactFactory()
    client.force_login(contact.user)
    assert client.get(page_url(version(published=False))).status_code == 404
    assert client.get(reverse("contracts_objections:objection", args=[999999])).status_code == 404


def test_visitors_log_in_first_and_staff_are_not_a_client(client):
    scheduled = version()
    response = client.get(page_url(scheduled))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))

    client.force_login(StaffUserFactory())
    assert client.get(page_url(scheduled)).status_code == 403
    assert client.post(page_url(scheduled), {"text": "Nee."}).status_code == 403
    assert not Objection.objects.exists()


def test_the_page_costs_the_same_with_many_objections(client, django_assert_max_num_queries):
    contact = ClientContactFactory()
    scheduled = version()
    staff = StaffUserFactory()
    for _ in range(10):
        objection = services.objection_create(client=contact.client, user=contact.user, version=scheduled, text="x")
        services.objection_settle(objection_id=objection.pk, settlement="y", user=staff)
    client.force_login(contact.user)
    # session, user, contact with client, version, objections
    with django_assert_max_num_queries(5):
        assert client.get(page_url(scheduled)).status_code == 200
