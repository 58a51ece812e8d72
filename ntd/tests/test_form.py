"""The public notice form: a complete notice is filed once; a wrong one comes back with its errors and all typed."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from isimedia.models import OutboxMessage
from ntd.models import Evidence, Notice, NoticeEvent, State
from ntd.tests.factories import make_case

pytestmark = pytest.mark.django_db

URL = reverse("ntd:index")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def valid_data(**overrides):
    data = {
        "urls": "https://www.korenschoof.example/recepten/gestolen-foto\n\n  https://korenschoof.example/over-ons  \n",
        "category": "intellectual_property",
        "explanation": "De foto bovenaan deze pagina heb ik in 2024 gemaakt; de site gebruikt hem zonder licentie.",
        "owner_contact": "contacted",
        "owner_contacted_on": "2026-01-05",
        "owner_contact_how": "E-mail aan info@korenschoof.example",
        "owner_contact_result": "Geen antwoord na twee weken.",
        "complainant_name": "Marieke Jansen",
        "complainant_email": "marieke@fotografie.example",
        "complainant_phone": "+31 70 123 4567",
        "complainant_organisation": "",
        "capacity": "self",
        "on_behalf_of": "",
        "good_faith": "on",
        "identity_disclosure_accepted": "on",
        "previous_reference": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def field_block(page: str, field: str) -> str:
    """The HTML crispy renders for one field: its label, input, help and errors."""
    match = re.search(rf'<div id="div_id_{field}".*?(?=<div id="div_id_|</fieldset>)', page, re.S)
    assert match, f"no field {field}"
    return match.group(0)


def errors_of(page: str, field: str) -> list[str]:
    block = field_block(page, field)
    return [
        html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
        for text in re.findall(rf'id="error_\d+_id_{field}"[^>]*>(.*?)</(?:span|p)>', block, re.S)
    ]


def test_the_page_explains_the_procedure_and_shows_the_form(english):
    response = english.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "<h1" in page and "Report unlawful content" in page
    assert "2 working days" in page
    assert "manifestly unlawful" in page
    assert "with your name and contact details" in page
    assert "Call 112" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'name="evidence"' in page and "multiple" in field_block(page, "evidence")
    for label in ("Intellectual property infringements (copyright, trademark)", "I have not contacted the owner"):
        assert label in page
    assert "error-summary" not in page


def test_a_valid_notice_is_filed_once_and_leads_to_its_tracking_page(english):
    evidence = [
        SimpleUploadedFile("screenshot.pdf", PNG, content_type="application/pdf"),
        SimpleUploadedFile("../mail aan eigenaar.txt", b"Geachte heer, de foto is van mij."),
    ]

    response = english.post(URL, valid_data(evidence=evidence))

    notice = Notice.objects.get()
    assert response.status_code == 302
    assert re.fullmatch(r"/ntd/volgen/[^/]+/", response.url)
    assert notice.state == State.RECEIVED
    assert notice.language == "en"
    assert notice.complainant_name == "Marieke Jansen"
    assert notice.complainant_phone == "+31 70 123 4567"
    assert str(notice.owner_contacted_on) == "2026-01-05"
    assert list(notice.urls.values_list("url", flat=True)) == [
        "https://www.korenschoof.example/recepten/gestolen-foto",
        "https://korenschoof.example/over-ons",
    ]
    stored = list(notice.evidence.order_by("id"))
    assert [(item.original_name, item.content_type, item.party) for item in stored] == [
        ("screenshot.png", "image/png", Evidence.Party.COMPLAINANT),
        ("mail aan eigenaar.txt", "text/plain", Evidence.Party.COMPLAINANT),
    ]
    assert stored[0].file.read() == PNG
    assert NoticeEvent.objects.filter(notice=notice, to_state=State.RECEIVED).count() == 1
    confirmation = OutboxMessage.objects.get(template="ntd_received")
    assert confirmation.to == "marieke@fotografie.example"
    assert confirmation.language == "en"
    assert f"http://testserver{response.url}" in confirmation.body_text

    # The confirmation is shown once, with the reference and the link to bookmark.
    page = english.get(response.url).content.decode()
    assert "Thank you, your notice has been received" in page
    assert f'id="confirmation-reference">{notice.reference}<' in page
    assert f'id="tracking-url">http://testserver{response.url}</p>' in page
    assert "marieke@fotografie.example" in page
    again = english.get(response.url).content.decode()
    assert "Thank you" not in again and notice.reference in again


def test_the_notice_is_in_dutch_by_default():
    from django.test import Client

    response = Client().post(URL, valid_data())

    assert response.status_code == 302
    assert Notice.objects.get().language == "nl"
    assert OutboxMessage.objects.get(template="ntd_received").language == "nl"


def test_errors_stand_next_to_their_fields_and_nothing_typed_is_lost(english):
    data = valid_data(
        urls="https://goed.example/pagina\nwww.korenschoof.example/foto\nhttps://goed.example/twee\nftp://bestanden.example/x",
        category="",
        explanation="Te kort & <vaag>",
        complainant_email="marieke-at-fotografie",
        complainant_organisation="Fotostudio Jansen & Zn",
        capacity="representative",
        is_emergency="on",
        good_faith=None,
    )

    response = english.post(URL, data)

    assert response.status_code == 200
    assert Notice.objects.count() == 0
    page = response.content.decode()
    assert errors_of(page, "urls") == [
        "Line 2 is not a complete web address: “www.korenschoof.example/foto”. It must start with https:// or http://.",
        "Line 4 is not a complete web address: “ftp://bestanden.example/x”. It must start with https:// or http://.",
    ]
    assert errors_of(page, "category") == ["Choose the kind of unlawful content."]
    assert errors_of(page, "explanation") == [
        "Explain in a few sentences why the content is unlawful (at least 30 characters; you wrote 16)."
    ]
    assert errors_of(page, "complainant_email") == ["Give an e-mail address like name@example.nl."]
    # The procedure's own rules come in the same round, from the service.
    assert errors_of(page, "on_behalf_of") == ["Say on whose behalf you make this notice."]
    assert errors_of(page, "emergency_reason") == ["Explain why this threatens someone's life or safety."]
    assert errors_of(page, "good_faith") == ["Tick this box: we can only handle a notice with this declaration."]
    assert errors_of(page, "complainant_name") == []
    # The summary links to each field.
    assert 'href="#id_urls"' in page and 'href="#id_good_faith"' in page
    assert "Choose your files again" not in page

    # Everything typed is back in its field, escaped.
    urls_block = field_block(page, "urls")
    assert (
        ">\nhttps://goed.example/pagina\nwww.korenschoof.example/foto\nhttps://goed.example/twee\n"
        "ftp://bestanden.example/x</textarea>" in urls_block
    )
    assert ">\nTe kort &amp; &lt;vaag&gt;</textarea>" in field_block(page, "explanation")
    assert 'value="marieke-at-fotografie"' in field_block(page, "complainant_email")
    assert 'value="Fotostudio Jansen &amp; Zn"' in field_block(page, "complainant_organisation")
    assert 'value="+31 70 123 4567"' in field_block(page, "complainant_phone")
    assert 'value="2026-01-05"' in field_block(page, "owner_contacted_on")
    assert ">\nGeen antwoord na twee weken.</textarea>" in field_block(page, "owner_contact_result")
    assert re.search(r'value="representative"[^>]*checked', field_block(page, "capacity"))
    assert re.search(r'value="contacted"[^>]*checked', field_block(page, "owner_contact"))
    assert re.search(r'name="is_emergency"[^>]*checked', field_block(page, "is_emergency"))
    assert re.search(
        r'name="identity_disclosure_accepted"[^>]*checked', field_block(page, "identity_disclosure_accepted")
    )
    assert not re.search(r'name="good_faith"[^>]*checked', field_block(page, "good_faith"))


def test_a_notice_without_contact_with_the_owner_is_refused_with_the_reason_at_the_choice(english):
    response = english.post(URL, valid_data(owner_contact="not_contacted"))

    assert Notice.objects.count() == 0
    assert errors_of(response.content.decode(), "owner_contact") == [
        "Contact the owner of the website first; a notice without that is rejected. If the website gives no way to "
        "contact its owner, say so."
    ]


def test_contact_with_the_owner_needs_when_how_and_what_came_of_it(english):
    response = english.post(
        URL, valid_data(owner_contacted_on="", owner_contact_how=" ", owner_contact_result="", explanation="x")
    )

    page = response.content.decode()
    assert errors_of(page, "owner_contacted_on") == ["When did you contact the owner?"]
    assert errors_of(page, "owner_contact_how") == ["How did you contact the owner?"]
    assert errors_of(page, "owner_contact_result") == ["What came of it?"]


def test_a_site_without_contact_details_needs_where_was_looked(english):
    response = english.post(
        URL,
        valid_data(owner_contact="no_details", owner_contacted_on="", owner_contact_how="", owner_contact_result=""),
    )

    assert errors_of(response.content.decode(), "owner_contact_result") == [
        "Say where you looked for the owner's contact details."
    ]
    ok = english.post(
        URL,
        valid_data(
            owner_contact="no_details",
            owner_contacted_on="",
            owner_contact_how="",
            owner_contact_result="Geen contactpagina, geen colofon.",
        ),
    )
    assert ok.status_code == 302


def test_a_date_of_contact_in_the_future_is_refused(english):
    response = english.post(URL, valid_data(owner_contacted_on="2999-01-01"))

    assert errors_of(response.content.decode(), "owner_contacted_on") == ["This date is in the future."]


def test_at_most_twenty_web_addresses_and_the_same_one_twice_counts_once(english):
    twenty = "\n".join(f"https://korenschoof.example/foto/{number}" for number in range(20))

    too_many = english.post(URL, valid_data(urls=twenty + "\nhttps://korenschoof.example/foto/20"))
    assert errors_of(too_many.content.decode(), "urls") == [
        "Give at most 20 web addresses; you gave 21. Send the others in a second notice."
    ]

    response = english.post(URL, valid_data(urls=twenty + "\nhttps://korenschoof.example/foto/0"))
    assert response.status_code == 302
    assert Notice.objects.get().urls.count() == 20


def test_no_web_address_at_all(english):
    response = english.post(URL, valid_data(urls=" \n \n"))

    assert errors_of(response.content.decode(), "urls") == ["Give at least one exact web address of the content."]


def test_refused_files_are_named_next_to_the_field_and_the_complainant_is_told_to_choose_again(english):
    evidence = [
        SimpleUploadedFile("factuur.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, content_type="application/pdf"),
        SimpleUploadedFile("foto.png", PNG, content_type="image/png"),
    ]

    response = english.post(URL, valid_data(evidence=evidence))

    assert Notice.objects.count() == 0
    page = response.content.decode()
    assert errors_of(page, "evidence") == [
        "“factuur.pdf” is not a PDF, an image (PNG, JPEG, GIF, WebP), a text file or a saved e-mail (.eml). "
        "We look at what the file contains, not at its name."
    ]
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert "Choose your files again." in summary
    assert 'id="files-again"' in page


def test_files_are_dropped_with_any_error_and_the_summary_says_so(english):
    response = english.post(
        URL,
        valid_data(explanation="", evidence=[SimpleUploadedFile("bewijs.pdf", PDF, content_type="application/pdf")]),
    )

    page = response.content.decode()
    assert errors_of(page, "explanation") == ["Explain why the content is unlawful."]
    assert errors_of(page, "evidence") == []
    assert "Choose your files again." in page


def test_too_many_files(english):
    evidence = [SimpleUploadedFile(f"bewijs-{number}.pdf", PDF) for number in range(6)]

    response = english.post(URL, valid_data(evidence=evidence))

    assert errors_of(response.content.decode(), "evidence") == ["Choose at most 5 files; you chose 6."]
    assert Notice.objects.count() == 0


def test_a_rejected_notice_is_filed_again_and_linked(english):
    rejected, _token = make_case("rejected_incomplete")

    page = english.get(f"{URL}?opnieuw={rejected.reference.lower()}").content.decode()
    assert f"This notice refiles {rejected.reference}" in page
    assert f'name="previous_reference" value="{rejected.reference}"' in page

    response = english.post(URL, valid_data(previous_reference=rejected.reference))

    assert response.status_code == 302
    refiled = Notice.objects.exclude(pk=rejected.pk).get()
    assert refiled.previous_notice == rejected


def test_an_odd_refile_reference_is_ignored(english):
    page = english.get(f"{URL}?opnieuw=<script>").content.decode()

    assert "refiles" not in page
    assert 'name="previous_reference" id="id_previous_reference"' in page


def test_dutch_is_the_default_and_english_follows_the_browser(client):
    dutch = client.get(URL).content.decode()
    assert '<html lang="nl">' in dutch
    assert "Onrechtmatige inhoud melden" in dutch

    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in english
    assert "Report unlawful content" in english


def test_errors_are_in_the_language_of_the_page(client):
    client.cookies["django_language"] = "en"

    page = client.post(URL, valid_data(complainant_name="")).content.decode()

    assert '<html lang="en">' in page
    assert errors_of(page, "complainant_name") == ["Give your name."]


def test_too_many_notices_from_one_address_are_refused_with_what_was_typed_kept(english, settings):
    settings.NTD_FORM_RATE_LIMIT = 2
    for _ in range(2):
        assert english.post(URL, valid_data()).status_code == 302

    response = english.post(URL, valid_data(complainant_name="Derde Poging"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Too many notices were sent from your internet address" in page
    assert 'value="Derde Poging"' in page
    assert Notice.objects.count() == 2
