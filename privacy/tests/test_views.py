"""The requester's pages: the request form, the request's own page behind the secret link, the data package."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from isimedia.models import OutboxMessage
from privacy import services
from privacy.crypto import read_decrypted
from privacy.forms import RIGHT_EXPLANATIONS
from privacy.models import DataPackage, DataSubjectRequest, Relation, RequesterFile, RequestEvent, Right, State
from privacy.tests.factories import (
    AwaitingIdentityRequestFactory,
    CompletedRequestFactory,
    ConfirmedRequestFactory,
    ForwardedRequestFactory,
    OfficerFactory,
    RefusedRequestFactory,
    RequesterFileFactory,
    RequestFactory,
    RequestMessageFactory,
    make_link,
    make_package,
)

pytestmark = pytest.mark.django_db

FORM = reverse("privacy:request")
SENT = reverse("privacy:request_sent")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.7\n% gemaskeerde kopie\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def dutch(text) -> str:
    """What the page says in Dutch, whether or not it has been translated yet."""
    with translation.override("nl"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def valid_data(**overrides):
    data = {
        "right": "access",
        "description": "Ik wil weten welke gegevens u van mij heeft sinds mijn klacht van vorig jaar.",
        "relation": "visitor",
        "hosted_url": "",
        "name": "Sanne de Vries",
        "email": "sanne@voorbeeld.example",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_block(page: str, field: str) -> str:
    """The HTML of one field: its label or legend, input(s), help and errors."""
    match = re.search(
        rf'<(?:div|fieldset) [^>]*id="div_id_{field}".*?(?=<(?:div|fieldset) [^>]*id="div_id_|</form>)', page, re.S
    )
    assert match, f"no field {field}"
    return match.group(0)


def errors_of(page: str, field: str) -> list[str]:
    block = field_block(page, field)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        for text in re.findall(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:span|p)>', block, re.S)
    ]


def follow_url(token):
    return reverse("privacy:follow", kwargs={"token": token})


def package_url(token):
    return reverse("privacy:package", kwargs={"token": token})


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


# --- the landing page and the form ------------------------------------------------------------------------------


def test_the_landing_page_lists_the_rights_and_leads_to_the_form(english):
    home = english.get(reverse("home")).content.decode()
    assert f'href="{reverse("privacy:index")}"' in home

    page = english.get(reverse("privacy:index")).content.decode()

    assert "<h1" in page and "Your privacy rights" in page
    for value, label in Right.choices:
        assert html.escape(str(label).capitalize()) in page or str(label).capitalize() in page
        assert html.escape(str(RIGHT_EXPLANATIONS[value])) in page
    assert f'href="{FORM}"' in page


def test_the_form_explains_each_right_and_what_happens_next(english):
    page = english.get(FORM).content.decode()

    assert '<html lang="en">' in page
    rights = field_block(page, "right")
    assert "<legend" in rights and "Which right do you want to use?" in rights
    for value, _label in Right.choices:
        assert re.search(rf'type="radio" name="right"\s+id="id_right_\d" value="{value}"', rights)
        assert html.escape(str(RIGHT_EXPLANATIONS[value])) in rights
    # Each choice is described by its own sentence.
    assert 'aria-describedby="id_right_0_help"' in rights
    relation = field_block(page, "relation")
    assert "My data is on a website that ISI Media hosts for one of its clients" in relation
    # The website's address is part of the page without JavaScript, with a hint when it applies.
    assert 'name="hosted_url"' in page and "Needed only for this choice." in page
    assert "within one month" in page
    assert "free of charge" in page
    assert "citizen service number (BSN)" in page
    assert "error-summary" not in page


def test_a_valid_request_is_stored_once_and_asks_for_confirmation_by_email(english):
    response = english.post(FORM, valid_data())

    assert response.status_code == 302
    assert response.url == SENT
    request = DataSubjectRequest.objects.get()
    assert request.state == State.UNCONFIRMED
    assert request.right == Right.ACCESS
    assert request.relation == Relation.VISITOR
    assert request.name == "Sanne de Vries"
    assert request.email == "sanne@voorbeeld.example"
    assert request.language == "en"
    assert request.hosted_url == ""
    confirmation = OutboxMessage.objects.get()
    assert confirmation.template == "privacy_confirm"
    assert confirmation.to == "sanne@voorbeeld.example"
    assert confirmation.language == "en"
    assert "http://testserver/privacy/verzoek/" in confirmation.body_text

    page = english.get(SENT).content.decode()
    assert "Check your e-mail" in page
    assert "<strong>sanne@voorbeeld.example</strong>" in page
    assert request.reference not in page
    # Shown once: a reload (or another visitor) does not see the address.
    assert "sanne@voorbeeld.example" not in english.get(SENT).content.decode()


def test_a_request_is_in_dutch_by_default():
    response = Client().post(FORM, valid_data())

    assert response.status_code == 302
    assert DataSubjectRequest.objects.get().language == "nl"
    assert OutboxMessage.objects.get().language == "nl"


def test_a_duplicate_shows_the_same_page_and_makes_no_second_case(english):
    first = english.post(FORM, valid_data())
    first_page = english.get(SENT).content.decode()

    again = english.post(FORM, valid_data(email="SANNE@voorbeeld.example", description="Nogmaals mijn verzoek."))
    again_page = english.get(SENT).content.decode()

    assert first.url == again.url == SENT
    assert DataSubjectRequest.objects.count() == 1
    assert without_csrf(first_page) == without_csrf(again_page).replace("SANNE@", "sanne@")
    assert OutboxMessage.objects.filter(template="privacy_confirm").count() == 2


def test_errors_stand_next_to_their_fields_and_nothing_typed_is_lost(english):
    data = valid_data(
        right="",
        description="",
        relation="hosted_site",
        hosted_url="",
        name="",
        email="sanne-at-voorbeeld & <co>",
    )

    response = english.post(FORM, data)

    assert response.status_code == 200
    assert DataSubjectRequest.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    page = response.content.decode()
    assert errors_of(page, "right") == ["Choose the right you want to use."]
    assert errors_of(page, "description") == ["Describe briefly what your request is about."]
    assert errors_of(page, "hosted_url") == ["Give the web address of the website where your data is."]
    assert errors_of(page, "name") == ["Give your name."]
    assert errors_of(page, "email") == ["Give an e-mail address like name@example.nl."]
    assert errors_of(page, "relation") == []
    # The summary names every error and links to its field; the radio group's link goes to its first choice.
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert "Your request has not been sent yet" in summary
    for anchor in ("#id_right_0", "#id_description", "#id_hosted_url", "#id_name", "#id_email"):
        assert f'href="{anchor}"' in summary
    # What was typed is back, escaped.
    assert 'value="sanne-at-voorbeeld &amp; &lt;co&gt;"' in field_block(page, "email")
    assert re.search(r'value="hosted_site"\s+checked', field_block(page, "relation"))
    assert 'class="form-check-input is-invalid"' in field_block(page, "right")


def test_a_wrong_answer_keeps_the_others_in_dutch():
    client = Client()
    data = valid_data(description="Mijn gegevens & die van mijn zoon.", name="", right="erasure")

    page = client.post(FORM, data).content.decode()

    assert '<html lang="nl">' in page
    assert errors_of(page, "name") == [dutch("Give your name.")]
    assert dutch("Your request has not been sent yet") in page
    assert ">\nMijn gegevens &amp; die van mijn zoon.</textarea>" in field_block(page, "description")
    assert re.search(r'value="erasure"\s+checked', field_block(page, "right"))
    assert 'value="sanne@voorbeeld.example"' in field_block(page, "email")
    assert DataSubjectRequest.objects.count() == 0


def test_the_website_address_is_required_for_a_hosted_site_and_ignored_otherwise(english):
    missing = english.post(FORM, valid_data(relation="hosted_site"))
    assert errors_of(missing.content.decode(), "hosted_url") == [
        "Give the web address of the website where your data is."
    ]

    wrong = english.post(FORM, valid_data(relation="hosted_site", hosted_url="niet een adres"))
    assert errors_of(wrong.content.decode(), "hosted_url") == ["Give a web address like https://www.example.nl."]
    assert DataSubjectRequest.objects.count() == 0

    ok = english.post(FORM, valid_data(relation="hosted_site", hosted_url="www.bakkerij-klant.example/team"))
    assert ok.status_code == 302
    assert DataSubjectRequest.objects.get().hosted_url == "https://www.bakkerij-klant.example/team"

    english.post(FORM, valid_data(right="erasure", relation="client", hosted_url="https://vergeten.example"))
    assert DataSubjectRequest.objects.get(right="erasure").hosted_url == ""


def test_too_many_requests_from_one_address_are_refused_and_nothing_is_stored(english, settings):
    settings.PRIVACY_FORM_RATE_LIMIT = 2
    for right in ("access", "erasure"):
        assert english.post(FORM, valid_data(right=right)).status_code == 302
    mails = OutboxMessage.objects.count()

    response = english.post(FORM, valid_data(right="objection", name="Derde Poging"))

    page = response.content.decode()
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests were sent from your internet address" in page
    assert 'value="Derde Poging"' in page
    assert DataSubjectRequest.objects.count() == 2
    assert OutboxMessage.objects.count() == mails
    # Another address is not affected.
    other = english.post(FORM, valid_data(right="objection"), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


# --- the request's own page ---------------------------------------------------------------------------------------


def test_an_unknown_link_is_a_friendly_not_found_page(english):
    RequestFactory()

    response = english.get(follow_url("geen-echt-token"))

    assert response.status_code == 404
    page = response.content.decode()
    assert "This link does not work" in page
    assert "copied the whole link" in page
    assert "no-store" in response["Cache-Control"]
    assert english.post(follow_url("geen-echt-token"), {"action": "confirm"}).status_code == 404
    assert english.get(package_url("geen-echt-token")).status_code == 404
    assert english.post(package_url("geen-echt-token")).status_code == 404


def test_opening_the_link_confirms_nothing_and_the_button_confirms_once(english):
    services.request_submit(
        data=services.RequestInput(
            right=Right.ACCESS,
            relation=Relation.VISITOR,
            name="Sanne de Vries",
            email="sanne@voorbeeld.example",
            description="Welke gegevens heeft u van mij?",
            language="en",
        )
    )
    request = DataSubjectRequest.objects.get()
    token = make_link(request)
    OutboxMessage.objects.all().delete()

    response = english.get(follow_url(token))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm your privacy request" in page
    assert request.reference in page
    assert 'name="action" value="confirm"' in page and 'method="post"' in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    request.refresh_from_db()
    assert request.state == State.UNCONFIRMED
    assert OutboxMessage.objects.count() == 0

    confirmed = english.post(follow_url(token), {"action": "confirm"})
    assert confirmed.status_code == 302 and confirmed.url == follow_url(token)
    again = english.post(follow_url(token), {"action": "confirm"})
    assert again.status_code == 302

    request.refresh_from_db()
    assert request.state == State.RECEIVED
    assert DataSubjectRequest.objects.count() == 1
    assert OutboxMessage.objects.filter(template="privacy_received", to=request.email).count() == 1
    assert RequestEvent.objects.filter(request=request, to_state=State.RECEIVED).count() == 1
    page = english.get(follow_url(token)).content.decode()
    assert "Your request is confirmed" in page
    assert f"Privacy request {request.reference}" in page


def test_an_expired_confirmation_asks_to_submit_again(english):
    request = RequestFactory(
        received_at=timezone.now() - timedelta(days=31), confirm_expires_at=timezone.now() - timedelta(days=1)
    )
    token = make_link(request)

    shown = english.get(follow_url(token))
    pressed = english.post(follow_url(token), {"action": "confirm"})

    for response in (shown, pressed):
        page = response.content.decode()
        assert response.status_code == 410
        assert "This confirmation link has expired" in page
        assert f'href="{FORM}"' in page
    request.refresh_from_db()
    assert request.state == State.UNCONFIRMED
    assert OutboxMessage.objects.count() == 0


def test_the_page_shows_reference_right_state_and_due_date_in_the_requesters_language(client):
    request = ConfirmedRequestFactory(language="en", right=Right.RECTIFICATION, description="Mijn adres is fout.")
    token = make_link(request)

    response = client.get(follow_url(token))

    page = response.content.decode()
    assert response["Content-Language"] == "en"
    assert f'<h1 class="mb-1">Privacy request {request.reference}</h1>' in page
    assert '<p class="fs-5 fw-semibold mb-2" id="state">Being handled</p>' in page
    with translation.override("en"):
        explanation = str(RIGHT_EXPLANATIONS[Right.RECTIFICATION])
    assert "Rectification" in page and html.escape(explanation) in page
    assert "Mijn adres is fout." in page
    with translation.override("en"):
        due = formats.date_format(request.due_on, "l j F Y")
        received = formats.date_format(timezone.localtime(request.received_at), "j F Y, H:i")
    assert f'<span id="due-on">{due}</span>' in page
    assert f"Received on {received}" in page
    # Open requests take files.
    assert f'action="{reverse("privacy:upload", kwargs={"token": token})}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "identity-help" not in page

    # The language switch wins over the request's language.
    client.cookies["django_language"] = "nl"
    assert client.get(follow_url(token))["Content-Language"] == "nl"


def test_an_extension_shows_its_reason_and_the_new_due_date(english):
    request = ConfirmedRequestFactory(
        extension_months=2, extension_reason="Uw verzoek betreft veel systemen.", extended_at=timezone.now()
    )
    token = make_link(request)

    page = english.get(follow_url(token)).content.decode()

    assert "we extended the deadline by 2 months" in page
    assert "Uw verzoek betreft veel systemen." in page
    with translation.override("en"):
        assert formats.date_format(request.due_on, "l j F Y") in page


def test_a_request_awaiting_identity_explains_how_to_mask_a_copy(english):
    request = AwaitingIdentityRequestFactory()
    RequestMessageFactory(request=request, text="Stuur een gemaskeerde kopie van uw paspoort.", asks_for_upload=True)
    token = make_link(request)

    page = english.get(follow_url(token)).content.decode()

    assert "Waiting for proof of identity" in page
    assert "Paused while we wait for your proof of identity." in page
    assert "Stuur een gemaskeerde kopie van uw paspoort." in page
    assert "we ask you to send a file" in page
    help_text = page[page.index('id="identity-help"') :]
    for part in ("your photo", "the document number", "citizen service number (BSN)", "machine-readable zone"):
        assert part in help_text
    assert "KopieID" in help_text
    assert (
        'href="https://www.rijksoverheid.nl/onderwerpen/identiteitsfraude/vraag-en-antwoord/'
        'veilige-kopie-identiteitsbewijs"' in help_text
    )
    assert "stored encrypted" in help_text and "delete it as soon as we have" in help_text
    assert "Send your masked copy" in page


def test_an_identity_copy_is_stored_encrypted_and_the_officers_are_told(english):
    OfficerFactory(email="functionaris@isimedia.example")
    request = AwaitingIdentityRequestFactory()
    token = make_link(request)
    upload = reverse("privacy:upload", kwargs={"token": token})

    response = english.post(
        upload, {"files": [SimpleUploadedFile("paspoort kopie.pdf", PDF)], "note": "Foto en BSN afgedekt."}
    )

    assert response.status_code == 302
    assert response.url == follow_url(token) + "#files"
    stored = RequesterFile.objects.get(request=request)
    assert stored.kind == RequesterFile.Kind.IDENTITY
    assert stored.original_name == "paspoort kopie.pdf"
    with default_storage.open(stored.encrypted_path, "rb") as on_disk:
        raw = on_disk.read()
    assert raw != PDF and PDF not in raw
    assert read_decrypted(stored.encrypted_path) == PDF
    notice = OutboxMessage.objects.get(template="privacy_upload_received")
    assert notice.to == "functionaris@isimedia.example"
    assert PDF.decode() not in notice.body_text
    page = english.get(follow_url(token)).content.decode()
    assert "We have received your files." in page
    assert "paspoort kopie.pdf" in page


def test_a_refused_file_is_named_at_the_field_and_nothing_is_stored(english):
    request = AwaitingIdentityRequestFactory()
    token = make_link(request)
    upload = reverse("privacy:upload", kwargs={"token": token})

    response = english.post(upload, {"files": [SimpleUploadedFile("paspoort.pdf", b"MZ\x90\x00" + bytes(60))]})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Your files have not been sent yet" in page
    assert "“paspoort.pdf” is not a PDF" in " ".join(errors_of(page, "files"))
    assert 'id="files-again"' in page
    assert RequesterFile.objects.count() == 0

    empty = english.post(upload, {"note": "Vergeten"}).content.decode()
    assert errors_of(empty, "files") == ["Choose at least one file."]
    assert ">\nVergeten</textarea>" in empty


def test_the_upload_address_leads_to_the_page_and_a_closed_request_takes_no_files(english):
    request = CompletedRequestFactory()
    token = make_link(request)
    upload = reverse("privacy:upload", kwargs={"token": token})

    assert english.get(upload).url == follow_url(token) + "#upload"
    response = english.post(upload, {"files": [SimpleUploadedFile("laat.png", PNG)]})

    assert response.status_code == 409
    assert "we no longer accept files" in response.content.decode()
    assert RequesterFile.objects.count() == 0
    assert 'id="upload"' not in english.get(follow_url(token)).content.decode()


def test_a_closed_request_shows_the_reply(english):
    completed = CompletedRequestFactory(right=Right.RECTIFICATION, reply="Wij hebben uw adres aangepast.")
    refused = RefusedRequestFactory(reply="Het verzoek is kennelijk ongegrond.")
    forwarded = ForwardedRequestFactory(forwarded_to__name="Bakkerij De Korenschoof")

    page = english.get(follow_url(make_link(completed))).content.decode()
    assert "Wij hebben uw adres aangepast." in page and "Completed" in page
    page = english.get(follow_url(make_link(refused))).content.decode()
    assert "Het verzoek is kennelijk ongegrond." in page
    assert "Autoriteit Persoonsgegevens" in page and "go to court" in page
    page = english.get(follow_url(make_link(forwarded))).content.decode()
    assert "we forwarded your request to Bakkerij De Korenschoof" in page


def test_an_erasure_lists_what_was_erased_and_what_was_kept(english):
    request = CompletedRequestFactory(
        right=Right.ERASURE,
        reply="",
        erasure_result=[
            {"entry": "ntd.notices", "label": "Klachten", "action": "anonymised", "reason": ""},
            {
                "entry": "contracts.dpa",
                "label": "Akkoord verwerkersovereenkomst",
                "action": "kept",
                "reason": "Bewijs zolang het contract loopt.",
            },
        ],
    )

    page = english.get(follow_url(make_link(request))).content.decode()

    table = page[page.index('id="erasure-result"') :]
    assert "Klachten" in table and "anonymised" in table
    assert "Akkoord verwerkersovereenkomst" in table and "Bewijs zolang het contract loopt." in table


def test_the_number_of_queries_does_not_grow_with_messages_and_files(client, django_assert_max_num_queries):
    short = AwaitingIdentityRequestFactory(language="en")
    long = AwaitingIdentityRequestFactory(language="en")
    for number in range(6):
        RequestMessageFactory(request=long, text=f"Bericht {number}")
        RequesterFileFactory(request=long, original_name=f"kopie-{number}.pdf")
    short_token, long_token = make_link(short), make_link(long)

    def queries_for(token):
        with CaptureQueriesContext(connection) as context:
            assert client.get(follow_url(token)).status_code == 200
        return len(context.captured_queries)

    assert queries_for(short_token) == queries_for(long_token)
    with django_assert_max_num_queries(4):  # the link with its request, the messages, the files, the session
        client.get(follow_url(long_token))


# --- the data package -------------------------------------------------------------------------------------------

ZIP = b"PK\x05\x06" + bytes(18)


def test_the_package_page_uses_nothing_up_and_the_button_downloads_once(english):
    request = CompletedRequestFactory(reference="AVG-2026-00001")
    package, token = make_package(request, content=ZIP)

    shown = english.get(package_url(token))

    page = shown.content.decode()
    assert shown.status_code == 200
    assert "Your data package" in page
    assert "This link works once." in page
    with translation.override("en"):
        assert formats.date_format(timezone.localtime(package.expires_at), "l j F Y, H:i") in page
    assert 'method="post"' in page and 'id="download"' in page
    assert "no-store" in shown["Cache-Control"]
    package.refresh_from_db()
    assert package.downloaded_at is None and package.encrypted_path

    download = english.post(package_url(token))

    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"] == 'attachment; filename="AVG-2026-00001-data.zip"'
    assert download["Referrer-Policy"] == "no-referrer"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == ZIP
    package.refresh_from_db()
    assert package.downloaded_at is not None

    second = english.post(package_url(token))
    assert second.status_code == 410
    assert "This data package has already been downloaded" in second.content.decode()
    assert english.get(package_url(token)).status_code == 410


def test_the_package_file_is_named_in_dutch_for_a_dutch_request(client):
    request = CompletedRequestFactory(reference="AVG-2026-00002", language="nl")
    _package, token = make_package(request, content=ZIP)

    download = client.post(package_url(token))

    assert download["Content-Disposition"] == 'attachment; filename="AVG-2026-00002-gegevens.zip"'


def test_an_expired_package_is_refused_with_how_to_ask_again(english):
    request = CompletedRequestFactory()
    package, token = make_package(request, content=ZIP)
    DataPackage.objects.filter(pk=package.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    for response in (english.get(package_url(token)), english.post(package_url(token))):
        page = response.content.decode()
        assert response.status_code == 410
        assert "This download link has expired" in page
        assert f'href="{FORM}"' in page
    package.refresh_from_db()
    assert package.downloaded_at is None


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(english, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PRIVACY_FORM_RATE_LIMIT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    first = english.post(FORM, valid_data(right="access"), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    second = english.post(FORM, valid_data(right="erasure"), HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    again = english.post(FORM, valid_data(right="objection"), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)

    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 429)
