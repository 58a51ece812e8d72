"""/robots.txt keeps crawlers out of private links and accounts, without naming the admin's secret path."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_crawlers_out_of_private_pages_without_naming_the_admin(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=86400" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/account/", "/ntd/volgen/", "/ntd/antwoord/", "/privacy/verzoek/", "/privacy/pakket/"):
        assert f"Disallow: {private}" in lines
    # The public request form itself stays findable.
    assert "Allow: /privacy/verzoek/$" in lines
    assert settings.ADMIN_URL.strip("/") not in response.content.decode()


def test_robots_txt_refuses_a_post(client):
    assert client.post("/robots.txt").status_code == 405
