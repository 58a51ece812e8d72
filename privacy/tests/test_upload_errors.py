"""The upload on a request's own page: every mistake is shown in one round, the missing file among them."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from privacy.models import RequesterFile
from privacy.tests.factories import AwaitingIdentityRequestFactory, make_link
from privacy.tests.test_views import errors_of

pytestmark = pytest.mark.django_db

TOO_LONG_NOTE = "Foto en BSN afgedekt. " * 100  # over the 2,000 characters a note may have
NO_FILE = "Choose at least one file."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def in_language(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def summary_of(page: str) -> list[str]:
    start = page.index('id="error-summary"')
    block = page[start : page.index("</ul>", start)]
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_missing_file_is_reported_together_with_a_wrong_note(client, language):
    token = make_link(AwaitingIdentityRequestFactory(language=language))
    upload = reverse("privacy:upload", kwargs={"token": token})

    response = client.post(upload, {"note": TOO_LONG_NOTE})

    page = response.content.decode()
    assert response.status_code == 200
    assert errors_of(page, "files") == [in_language(language, NO_FILE)]
    assert len(errors_of(page, "note")) == 1
    summary = summary_of(page)
    assert in_language(language, NO_FILE) in summary
    assert len(summary) == 2, summary
    # The note comes back as typed.
    assert f">\n{html.escape(TOO_LONG_NOTE)}</textarea>" in page
    assert RequesterFile.objects.count() == 0


def test_a_refused_file_is_reported_together_with_a_wrong_note(client):
    client.cookies["django_language"] = "en"
    token = make_link(AwaitingIdentityRequestFactory(language="en"))
    upload = reverse("privacy:upload", kwargs={"token": token})
    program = SimpleUploadedFile("paspoort.pdf", b"MZ\x90\x00" + bytes(60))

    page = client.post(upload, {"files": [program], "note": TOO_LONG_NOTE}).content.decode()

    assert "“paspoort.pdf” is not a PDF" in " ".join(errors_of(page, "files"))
    assert len(errors_of(page, "note")) == 1
    assert RequesterFile.objects.count() == 0
