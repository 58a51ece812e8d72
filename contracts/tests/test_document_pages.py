"""The public pages of the terms and the DPA: the version in force, the archive, what changed, the stored PDFs."""

import datetime
import hashlib
import re

import pytest
import weasyprint
from django.utils import timezone

from contracts.models import DocumentKind
from contracts.services import documents as document_services
from contracts.tests.documents_helpers import draft_version, published_version, published_version_backdated

pytestmark = [pytest.mark.django_db, pytest.mark.urls("contracts.tests.documents_helpers")]

PREFIX = {DocumentKind.DPA: "/verwerkersovereenkomst", DocumentKind.TERMS: "/voorwaarden"}
BODY_2018 = "## Artikel 1 Meldingen\n\n1.1 Wij melden een datalek binnen 72 uur.\n\n1.2 Dit blijft gelijk.\n"
BODY_2019 = "## Artikel 1 Meldingen\n\n1.1 Wij melden een datalek binnen 48 uur aan jou.\n\n1.2 Dit blijft gelijk.\n"


def later(kind) -> datetime.date:
    return document_services.notice_deadline(kind) + datetime.timedelta(days=10)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr("contracts.tasks.render_version_pdf.delay", lambda *args: None)


@pytest.fixture
def render_spy(monkeypatch):
    """Counts every PDF WeasyPrint writes; it still renders, so a test can prove the spy sees real renders."""
    calls = []
    original = weasyprint.HTML.write_pdf

    def spy(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", spy)
    return calls


@pytest.fixture(params=[DocumentKind.DPA, DocumentKind.TERMS])
def kind(request):
    return request.param


@pytest.fixture
def history(kind):
    """2018-05 (superseded), 2019-12 (in force) and a version scheduled after the notice period; all with PDFs."""
    old = published_version_backdated(
        kind=kind, label="2018-05", effective_on=datetime.date(2018, 5, 10), body=BODY_2018
    )
    current = published_version_backdated(
        kind=kind, label="2019-12", effective_on=datetime.date(2019, 12, 21), body=BODY_2019
    )
    scheduled = published_version(
        kind=kind,
        label="2027-03",
        effective_on=later(kind),
        body=BODY_2019 + "\n1.3 Een nieuwe bepaling.\n",
        summary="Nieuw: artikel 1.3.",
    )
    return old, current, scheduled


# --- The version in force -------------------------------------------------------------------------------------------


def test_the_current_page_shows_the_version_in_force(client, kind, history):
    current = history[1]
    response = client.get(f"{PREFIX[kind]}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["version"] == current
    assert current.title in html and "2019-12" in html
    assert "21 december 2019" in html  # the date it took effect
    assert '<h2 class="article" id="artikel-1">Artikel 1 Meldingen</h2>' in html
    assert "48 uur aan jou" in html and "72 uur" not in html
    assert f'href="{PREFIX[kind]}/2019-12/pdf/"' in html
    assert current.text_sha256 in html


def test_a_banner_announces_the_scheduled_version(client, kind, history):
    scheduled = history[2]
    html = client.get(f"{PREFIX[kind]}/").content.decode()
    assert 'id="scheduled-banner"' in html
    assert scheduled.effective_on.strftime("%Y") in html
    assert f'href="{PREFIX[kind]}/wijzigingen/?van=2019-12&amp;naar=2027-03"' in html
    assert f'href="{PREFIX[kind]}/2027-03/"' in html


def test_without_a_version_the_page_says_so(client, kind):
    draft_version(kind=kind, label="concept", body="Geheim concept.")
    response = client.get(f"{PREFIX[kind]}/")
    assert response.status_code == 200
    assert 'id="no-version"' in response.content.decode()
    assert "Geheim concept" not in response.content.decode()


def test_a_version_without_its_pdf_yet_offers_no_download(client, kind):
    published_version(kind=kind, label="2026-11", effective_on=timezone.localdate(), render_pdf=False)
    html = client.get(f"{PREFIX[kind]}/").content.decode()
    assert 'id="pdf-pending"' in html
    assert "/pdf/" not in html

    response = client.get(f"{PREFIX[kind]}/2026-11/pdf/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("text/html")


def test_the_markdown_is_sanitised(client, kind):
    published_version(
        kind=kind,
        label="2026-11",
        effective_on=timezone.localdate(),
        body='1.1 Tekst.<script>alert("x")</script> <a href="javascript:alert(1)" onclick="x()">klik</a>',
        render_pdf=False,
    )
    html = client.get(f"{PREFIX[kind]}/").content.decode()
    assert 'alert("x")' not in html
    assert "javascript:" not in html and "onclick" not in html


# --- Permanent addresses and the archive ----------------------------------------------------------------------------


def test_every_version_has_a_permanent_address(client, kind, history):
    response = client.get(f"{PREFIX[kind]}/2018-05/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["status"] == "superseded"
    assert 'id="superseded-note"' in html
    assert "72 uur" in html

    response = client.get(f"{PREFIX[kind]}/2027-03/")
    assert response.context["status"] == "scheduled"
    assert "1.3" in response.content.decode()


def test_drafts_and_unknown_labels_have_no_page(client, kind, history):
    draft_version(kind=kind, label="concept")
    other = DocumentKind.TERMS if kind == DocumentKind.DPA else DocumentKind.DPA
    for path in [f"{PREFIX[kind]}/concept/", f"{PREFIX[kind]}/bestaat-niet/", f"{PREFIX[other]}/2019-12/"]:
        assert client.get(path).status_code == 404, path
    assert client.get(f"{PREFIX[kind]}/concept/pdf/").status_code == 404


def test_the_archive_lists_every_published_version(client, kind, history, django_assert_max_num_queries):
    draft_version(kind=kind, label="concept")
    with django_assert_max_num_queries(3):
        response = client.get(f"{PREFIX[kind]}/versies/")
    assert response.status_code == 200
    assert [(v.label, v.status) for v in response.context["versions"]] == [
        ("2027-03", "scheduled"),
        ("2019-12", "in_force"),
        ("2018-05", "superseded"),
    ]
    html = response.content.decode()
    assert "concept" not in html
    for label in ("2027-03", "2019-12", "2018-05"):
        assert f'href="{PREFIX[kind]}/{label}/"' in html
        assert f'href="{PREFIX[kind]}/{label}/pdf/"' in html
    assert f'href="{PREFIX[kind]}/wijzigingen/?van=2018-05&amp;naar=2019-12"' in html


def test_the_archive_costs_the_same_queries_with_more_versions(client, kind, django_assert_max_num_queries):
    for month in range(1, 9):
        published_version_backdated(
            kind=kind, label=f"2020-{month:02d}", effective_on=datetime.date(2020, month, 1), render_pdf=False
        )
    with django_assert_max_num_queries(3):
        assert client.get(f"{PREFIX[kind]}/versies/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(f"{PREFIX[kind]}/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(f"{PREFIX[kind]}/wijzigingen/").status_code == 200


@pytest.mark.parametrize(
    "asked, expected",
    [("2018-05-09", None), ("2018-05-10", "2018-05"), ("2019-12-20", "2018-05"), ("2019-12-21", "2019-12")],
)
def test_which_version_applied_on_a_date(client, kind, history, asked, expected):
    response = client.get(f"{PREFIX[kind]}/versies/", {"datum": asked})
    assert response.status_code == 200
    then = response.context["in_force_then"]
    assert (then.label if then else None) == expected
    assert 'id="on-date-answer"' in response.content.decode()


def test_a_date_that_is_not_a_date(client, kind, history):
    response = client.get(f"{PREFIX[kind]}/versies/", {"datum": "gisteren"})
    assert response.status_code == 200
    assert 'id="datum-error"' in response.content.decode()
    assert 'id="on-date-answer"' not in response.content.decode()


# --- What changed ---------------------------------------------------------------------------------------------------


def test_the_changes_page_compares_in_force_and_scheduled_by_default(client, kind, history):
    response = client.get(f"{PREFIX[kind]}/wijzigingen/")
    assert response.status_code == 200
    assert (response.context["old"].label, response.context["new"].label) == ("2019-12", "2027-03")
    html = response.content.decode()
    assert "1.3 Een nieuwe bepaling." in html
    assert 'id="changes-summary"' in html and "Nieuw: artikel 1.3." in html


def test_the_changes_page_marks_words(client, kind, history):
    response = client.get(f"{PREFIX[kind]}/wijzigingen/", {"van": "2018-05", "naar": "2019-12"})
    html = response.content.decode()
    assert "<del>" in html and "<ins>" in html
    diff = html.split('id="diff">', 1)[1].split("</div>", 1)[0]
    assert re.search(r"<del>(?:(?!</del>).)*72(?:(?!</del>).)*</del>", diff)
    assert re.search(r"<ins>(?:(?!</ins>).)*48(?:(?!</ins>).)*</ins>", diff)
    assert "Dit blijft gelijk." in diff


def test_the_changes_page_escapes_the_text(client, kind):
    published_version_backdated(kind=kind, label="2018-05", effective_on=datetime.date(2018, 5, 10), body="Oud.")
    published_version_backdated(
        kind=kind, label="2019-12", effective_on=datetime.date(2019, 12, 21), body='Nieuw <script>alert("x")</script>.'
    )
    html = client.get(f"{PREFIX[kind]}/wijzigingen/", {"van": "2018-05", "naar": "2019-12"}).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html


def test_unknown_versions_to_compare(client, kind, history):
    response = client.get(f"{PREFIX[kind]}/wijzigingen/", {"van": "2018-05", "naar": "concept"})
    assert response.status_code == 404
    assert 'id="unknown-version"' in response.content.decode()


def test_with_one_version_there_is_nothing_to_compare(client, kind):
    published_version(kind=kind, label="2026-11", effective_on=timezone.localdate(), render_pdf=False)
    response = client.get(f"{PREFIX[kind]}/wijzigingen/")
    assert response.status_code == 200
    assert 'id="nothing-to-compare"' in response.content.decode()


def test_long_unchanged_text_is_shortened_around_the_changes():
    from contracts.document_views import collapse_unchanged

    unchanged = "".join(f"regel {n}\n" for n in range(1, 21))
    segments = [("equal", unchanged + "Wij melden binnen "), ("delete", "72"), ("insert", "48"), ("equal", " uur.\n")]
    collapsed = collapse_unchanged(segments)
    assert collapsed[0] == ("skip", 18)
    assert collapsed[1] == ("equal", "regel 19\nregel 20\nWij melden binnen ")
    assert collapsed[2:] == segments[1:]


# --- The PDF download -----------------------------------------------------------------------------------------------


def test_the_pdf_download_serves_the_stored_file(client, kind, history):
    current = history[1]
    response = client.get(f"{PREFIX[kind]}/2019-12/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    name = "verwerkersovereenkomst" if kind == DocumentKind.DPA else "voorwaarden"
    assert response["Content-Disposition"] == f'attachment; filename="ISI-Media-{name}-2019-12.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"] and "max-age=31536000" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == current.pdf_sha256


def test_no_page_or_download_renders_a_pdf(client, kind, history, render_spy):
    pending = published_version(kind=kind, label="2027-04", effective_on=later(kind), render_pdf=False)
    assert render_spy == []
    prefix = PREFIX[kind]
    paths = [
        f"{prefix}/",
        f"{prefix}/versies/",
        f"{prefix}/versies/?datum=2019-01-01",
        f"{prefix}/wijzigingen/",
        f"{prefix}/wijzigingen/?van=2018-05&naar=2027-04",
        f"{prefix}/2018-05/",
        f"{prefix}/2027-04/",
        f"{prefix}/2018-05/pdf/",
        f"{prefix}/2019-12/pdf/",
        f"{prefix}/2027-04/pdf/",  # not rendered yet: "being prepared", not rendered now
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 503), path
        if response.streaming:
            b"".join(response.streaming_content)
    assert render_spy == []

    # The spy does see a real render: the one the task makes.
    document_services.version_render_pdf(version_id=pending.pk)
    assert len(render_spy) == 1
    assert client.get(f"{prefix}/2027-04/pdf/").status_code == 200
    assert len(render_spy) == 1


# --- In a browser ---------------------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_read_well_on_a_phone_and_a_desktop(new_page, screenshot):
    from contracts.demo_documents import seed_documents
    from isimedia.tests.browser import PHONE_VIEWPORT

    seed_documents()
    desktop = new_page()
    for path, name in [
        ("/verwerkersovereenkomst/", "documents-dpa-current"),
        ("/verwerkersovereenkomst/versies/", "documents-dpa-archive"),
        ("/voorwaarden/wijzigingen/", "documents-terms-changes"),
    ]:
        desktop.goto(path)
        screenshot(desktop, name)
    assert desktop.locator("#diff ins").count() >= 3

    phone = new_page(viewport=PHONE_VIEWPORT)
    for path, name in [
        ("/verwerkersovereenkomst/wijzigingen/", "documents-dpa-changes-phone"),
        ("/verwerkersovereenkomst/", "documents-dpa-current-phone"),
    ]:
        phone.goto(path)
        screenshot(phone, name)
        overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways on a phone"
    phone.goto("/verwerkersovereenkomst/")
    with phone.expect_download() as download_info:
        phone.locator("#pdf-download").click()
    assert download_info.value.suggested_filename.startswith("ISI-Media-verwerkersovereenkomst-")
