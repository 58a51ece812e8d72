"""A hidden field of the notice form that fails is reported above the form, in the page's language."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from ntd.forms import REFERENCE_UNREADABLE
from ntd.models import Notice
from ntd.tests.factories import make_case
from ntd.tests.test_form import valid_data

pytestmark = pytest.mark.django_db

URL = reverse("ntd:index")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def summary_of(page: str) -> str:
    assert 'id="error-summary"' in page, "the page shows no error summary"
    start = page.index('id="error-summary"')
    return html.unescape(re.sub(r"\s+", " ", page[start : page.index("</div>", start)]))


def in_language(language: str, text) -> str:
    with translation.override(language):
        return re.sub(r"\s+", " ", str(text))


def assert_typed_values_kept(page: str, data: dict) -> None:
    assert f'value="{html.escape(data["complainant_name"])}"' in page
    assert f'value="{html.escape(data["complainant_email"])}"' in page
    assert html.escape(data["explanation"]) in page
    assert "https://www.korenschoof.example/recepten/gestolen-foto" in page


@pytest.mark.parametrize(
    "tampered",
    [
        "NTD-2024-00001; DROP TABLE",  # longer than the field allows
        "melding 42",  # not a reference
        "NTD-2024-\x0000001",  # a NUL byte
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_tampered_refile_reference_is_reported_and_dropped(client, tampered, language):
    client.cookies["django_language"] = language
    data = valid_data(previous_reference=tampered)

    response = client.post(URL, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert in_language(language, REFERENCE_UNREADABLE) in summary_of(page)
    assert_typed_values_kept(page, data)
    assert Notice.objects.count() == 0
    # The unreadable value is gone from the page, so sending the form again files the notice.
    assert 'name="previous_reference" id="id_previous_reference"' in page
    again = {**data, "previous_reference": re.search(r'name="previous_reference"(?: value="([^"]*)")?', page)[1] or ""}
    assert client.post(URL, again).status_code == 302
    assert Notice.objects.get().previous_notice is None


def test_a_good_refile_reference_stays_when_another_field_fails(client):
    client.cookies["django_language"] = "en"
    rejected, _token = make_case("rejected_incomplete")

    page = client.post(URL, valid_data(previous_reference=rejected.reference, complainant_name="")).content.decode()

    assert "Give your name." in summary_of(page)
    assert in_language("en", REFERENCE_UNREADABLE) not in page
    assert f'name="previous_reference" value="{rejected.reference}"' in page
    assert f"This notice refiles {rejected.reference}" in page
