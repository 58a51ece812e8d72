"""Finding the client behind any web address, in one query."""

import pytest

from contracts.selectors import website_for_url

from .factories import ClientFactory, WebsiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def websites():
    bakery = ClientFactory(name="Bakkerij")
    shop = ClientFactory(name="Webwinkel")
    return {
        "example": WebsiteFactory(client=bakery, host="example.nl"),
        "shop": WebsiteFactory(client=shop, host="shop.example.nl"),
        "bakker": WebsiteFactory(client=bakery, host="xn--bcker-gra.nl"),
        "uk": WebsiteFactory(client=shop, host="example.co.uk"),
        "strasse": WebsiteFactory(client=bakery, host="xn--strae-oqa.de"),
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("example.nl", "example"),
        ("https://www.example.nl/contact", "example"),
        ("https://EXAMPLE.nl./", "example"),
        ("blog.example.nl", "example"),
        ("http://a.b.blog.example.nl:8080/x", "example"),
        # The most specific registered host wins, also for its own subdomains.
        ("shop.example.nl", "shop"),
        ("https://cdn.shop.example.nl/img.png", "shop"),
        ("https://www.Bäcker.nl/brood", "bakker"),
        # Under a public suffix of two labels, subdomains still find the client's domain.
        ("shop.example.co.uk", "uk"),
        ("https://www.shop.example.co.uk/cart", "uk"),
        ("https://www.straße.de/", "strasse"),
    ],
)
def test_a_url_or_host_finds_its_website(websites, url, expected, django_assert_num_queries):
    with django_assert_num_queries(1):
        website = website_for_url(url)
        # The client comes with it, for free.
        assert website.client.name
    assert website == websites[expected]


@pytest.mark.parametrize(
    "url",
    [
        "notexample.nl",
        "example.com",
        "example.nl.evil.com",
        "nl",
        "co.uk",
        "other.co.uk",
        "strasse.de",
        "https://other.nl/example.nl",
        "not a url",
        "",
    ],
)
def test_other_hosts_and_garbage_find_nothing(websites, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert website_for_url(url) is None
