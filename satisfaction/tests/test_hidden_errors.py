"""A hidden field of the feedback form that fails (the signed start time) is reported above the form."""

import re

import pytest

from satisfaction import antispam
from satisfaction.forms import STALE
from satisfaction.models import Feedback
from satisfaction.tests.test_views import FORM, assert_kept, in_language, summary_of, valid_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 2000
    settings.SATISFACTION_MIN_SECONDS = 3


@pytest.mark.parametrize(
    "tampered",
    [
        "forged:token",
        "\x00",  # a NUL byte: the field itself refuses it, with a message that would mean nothing to a person
        "x" * 5000,
    ],
)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_tampered_start_time_is_reported_in_the_pages_language(client, tampered, language):
    client.cookies["django_language"] = language
    data = valid_data(started=tampered)

    response = client.post(FORM, data)

    assert response.status_code == 200
    page = response.content.decode()
    summary = summary_of(page)
    items = re.findall(r"<li>(.*?)</li>", summary, re.S)
    # One clear message, not the field's own ("Null characters are not allowed.").
    assert [item.strip() for item in items] == [in_language(language, STALE)]
    assert_kept(page, data)
    assert Feedback.objects.count() == 0
    # The page comes back with a fresh start time, so the next send counts from now.
    fresh = re.search(r'<input type="hidden" name="started" value="([^"]+)">', page).group(1)
    assert antispam.seconds_since_start(fresh) is not None
