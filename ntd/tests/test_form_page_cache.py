"""The blank notice form is rendered once per language and process and then served from memory, each visitor with
their own working CSRF token (issue 8: a flood of visitors to the form must not take the portal down)."""

import re

import pytest
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from ntd.models import Notice
from ntd.tests.test_form import valid_data

pytestmark = pytest.mark.django_db

URL = reverse("ntd:index")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Changing a setting also forgets the pages kept so far, so every test starts without one.
    settings.MEDIA_ROOT = tmp_path


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def templates_rendered(client, url):
    rendered = []

    def record(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(record)
    try:
        response = client.get(url)
    finally:
        template_rendered.disconnect(record)
    return response, rendered


def test_the_form_page_is_rendered_once_and_then_served_without_a_query(django_assert_num_queries):
    first, rendered_first = templates_rendered(Client(), URL)
    with django_assert_num_queries(0):
        second, rendered_second = templates_rendered(Client(), URL)

    assert "ntd/index.html" in rendered_first
    assert rendered_second == []
    assert second.status_code == 200
    # The same page, apart from each visitor's own token.
    assert re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", first.content.decode()) == (
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", second.content.decode())
    )
    assert "placeholder" not in csrf_token(second.content.decode())


def test_a_visitor_served_from_the_cache_can_send_the_form():
    Client().get(URL)  # fills the cache
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(URL).content.decode()

    response = browser.post(URL, {**valid_data(), "csrfmiddlewaretoken": csrf_token(page)})

    assert response.status_code == 302
    assert Notice.objects.count() == 1


def test_each_language_has_its_own_copy():
    dutch = Client().get(URL).content.decode()
    english_browser = Client()
    english_browser.cookies["django_language"] = "en"
    english = english_browser.get(URL).content.decode()

    assert '<html lang="nl">' in dutch
    assert '<html lang="en">' in english and "Report unlawful content" in english


def test_a_refile_link_is_not_served_from_the_cache():
    Client().get(URL)

    page = Client().get(URL + "?opnieuw=NTD-2026-00012").content.decode()

    assert 'value="NTD-2026-00012"' in page


def test_a_changed_setting_is_shown_on_the_next_page(settings):
    Client().get(URL)

    settings.STAFF_EMAIL = "klachten@isimedia.example"

    assert "klachten@isimedia.example" in Client().get(URL).content.decode()
