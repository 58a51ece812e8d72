"""The complainant's tracking page behind the private link, and the downloads of their own evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from ntd import services
from ntd.models import Evidence, NoticeEvent, State
from ntd.tests.factories import handler, make_case, notice_input
from ntd.uploads import check_uploads

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def track_url(token):
    return reverse("ntd:track", kwargs={"token": token})


def submit_with_files(*files, **overrides):
    submitted = services.notice_submit(data=notice_input(files=check_uploads(list(files)), **overrides))
    return submitted.notice, submitted.tracking_token


def test_an_unknown_token_is_not_found(client):
    make_case("received")

    assert client.get(track_url("geen-echt-token")).status_code == 404


def test_a_new_notice_shows_its_reference_state_steps_and_addresses(english):
    notice, token = make_case("received", urls=["https://www.korenschoof.example/a", "https://korenschoof.example/b"])

    response = english.get(track_url(token))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<h1 class="mb-1">Notice {notice.reference}</h1>' in page
    assert '<p class="fs-5 fw-semibold mb-2" id="state">Received</p>' in page
    assert "We check that it is complete and that ISI Media hosts the website." in page
    assert "Notice received" in page
    assert "<li>https://www.korenschoof.example/a</li><li>https://korenschoof.example/b</li>" in page
    assert "You did not send any files with this notice." in page
    assert "Thank you" not in page  # the confirmation belongs to the browser that just submitted
    assert "File this notice again" not in page


def test_the_page_is_private(client):
    _notice, token = make_case("received")

    response = client.get(track_url(token))

    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_the_next_deadline_is_shown_in_amsterdam_time(english):
    notice, token = make_case("awaiting_customer")

    page = english.get(track_url(token)).content.decode()

    with translation.override("en"):
        deadline = formats.date_format(timezone.localtime(notice.customer_deadline), "l j F Y, H:i")
    assert deadline.endswith("17:00")
    assert f"<strong>The client must respond by</strong>\n          {deadline}" in page
    assert "Notice sent to the client" in page
    assert "From “received” to “waiting for the client”" in page


def test_internal_notes_and_the_clients_answer_are_never_shown(english):
    notice, token = make_case("under_assessment")  # the client disagreed: "Wij hebben een licentie."
    services.notice_add_note(
        notice_id=notice.pk, text="Melder stuurde vorig jaar ook al vijf klachten.", user=handler()
    )

    page = english.get(track_url(token)).content.decode()

    assert "Assessment by ISI Media started" in page
    assert "ISI Media decides by" in page
    assert "vijf klachten" not in page
    assert "Wij hebben een licentie" not in page


def test_what_the_client_wrote_when_it_removed_the_content_is_not_shown(english):
    _notice, token = make_case("resolved_by_customer")  # the client's note: "Foto verwijderd."

    page = english.get(track_url(token)).content.decode()

    assert "Our client has removed the content. Your notice is resolved." in page
    assert "Foto verwijderd" not in page


def test_a_rejected_notice_shows_the_reason_and_can_be_filed_again(english):
    notice, token = make_case("rejected_incomplete")  # the reason: "De URL ontbreekt."

    page = english.get(track_url(token)).content.decode()

    assert "Notice rejected: incomplete" in page
    assert "De URL ontbreekt." in page
    assert f'href="/ntd/?opnieuw={notice.reference}"' in page
    assert "File this notice again" in page


def test_a_decision_shows_its_reason(english):
    _notice, token = make_case("taken_down")

    page = english.get(track_url(token)).content.decode()

    assert "Content taken down by ISI Media" in page
    assert "De foto is zonder toestemming van de maker openbaar gemaakt." in page
    assert "Wij hebben een licentie" not in page
    assert "File this notice again" not in page


def test_the_complainant_downloads_their_own_evidence_as_an_attachment(english):
    notice, token = submit_with_files(SimpleUploadedFile("scherm afdruk.pdf", PNG, content_type="application/pdf"))
    evidence = notice.evidence.get()

    page = english.get(track_url(token)).content.decode()
    download = reverse("ntd:track_evidence", kwargs={"token": token, "evidence_id": evidence.pk})
    assert f'<a href="{download}" download>scherm afdruk.png</a>' in page

    response = english.get(download)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="scherm afdruk.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    assert b"".join(response.streaming_content) == PNG


def test_a_stored_type_that_is_not_allowed_is_served_as_plain_bytes(client):
    notice, token = submit_with_files(SimpleUploadedFile("pagina.txt", b"<script>alert(1)</script>"))
    evidence = notice.evidence.get()
    Evidence.objects.filter(pk=evidence.pk).update(content_type="text/html")  # as an older upload might have it

    response = client.get(reverse("ntd:track_evidence", kwargs={"token": token, "evidence_id": evidence.pk}))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_evidence_needs_the_right_token_and_its_own_notice(client):
    notice, token = submit_with_files(SimpleUploadedFile("bewijs.png", PNG))
    other, other_token = submit_with_files(SimpleUploadedFile("ander.png", PNG))
    mine = notice.evidence.get()
    theirs = other.evidence.get()

    def status(token, evidence_id):
        return client.get(
            reverse("ntd:track_evidence", kwargs={"token": token, "evidence_id": evidence_id})
        ).status_code

    assert status(token, mine.pk) == 200
    assert status("fout-token", mine.pk) == 404
    assert status(other_token, mine.pk) == 404
    assert status(token, theirs.pk) == 404
    assert status(token, 999999) == 404


def test_the_clients_files_are_not_the_complainants_to_download(client):
    notice, token = make_case("awaiting_customer")
    services.notice_customer_disagrees(
        notice_id=notice.pk,
        text="Wij hebben een licentie.",
        files=check_uploads([SimpleUploadedFile("licentie.pdf", b"%PDF-1.7\n%%EOF\n")]),
    )
    client_file = notice.evidence.get(party=Evidence.Party.CUSTOMER)

    page = client.get(track_url(token)).content.decode()
    response = client.get(reverse("ntd:track_evidence", kwargs={"token": token, "evidence_id": client_file.pk}))

    assert "licentie.pdf" not in page
    assert response.status_code == 404


def test_the_number_of_queries_does_not_grow_with_the_steps(client, django_assert_max_num_queries):
    def queries_for(token):
        with CaptureQueriesContext(connection) as context:
            assert client.get(track_url(token)).status_code == 200
        return len(context.captured_queries)

    _short, short_token = submit_with_files(SimpleUploadedFile("een.png", PNG))
    long, long_token = submit_with_files(*(SimpleUploadedFile(f"{n}.png", PNG) for n in range(5)))
    states = [State.RECEIVED, State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT]
    NoticeEvent.objects.bulk_create(
        NoticeEvent(notice=long, actor=NoticeEvent.Actor.STAFF, from_state=states[n % 3], to_state=states[(n + 1) % 3])
        for n in range(9)
    )
    assert long.events.count() == 10

    assert queries_for(short_token) == queries_for(long_token)
    with django_assert_max_num_queries(4):  # the notice, its URLs, its steps, its files
        client.get(track_url(long_token))
