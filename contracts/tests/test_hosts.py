"""Host names are stored and compared in one form, whatever a person types or pastes."""

import pytest
from django.core.exceptions import ValidationError

from contracts.hosts import host_suffixes, normalise_host


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("example.nl", "example.nl"),
        ("  Example.NL  ", "example.nl"),
        ("example.nl.", "example.nl"),
        ("www.example.nl", "example.nl"),
        ("WWW.Example.nl.", "example.nl"),
        ("shop.example.nl", "shop.example.nl"),
        ("www.shop.example.nl", "shop.example.nl"),
        ("bäcker.nl", "xn--bcker-gra.nl"),
        ("https://WWW.Bäcker.nl:443/path?x", "xn--bcker-gra.nl"),
        ("XN--BCKER-GRA.NL", "xn--bcker-gra.nl"),
        ("http://example.nl", "example.nl"),
        ("https://user:secret@example.nl:8443/a/b#top", "example.nl"),
        ("example.nl/contact?x=1", "example.nl"),
        ("example.nl:8080", "example.nl"),
        # Stripping www. would leave a bare top-level domain, so it stays.
        ("www.nl", "www.nl"),
    ],
)
def test_normalise_host(given, expected):
    assert normalise_host(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "localhost",
        "example",
        "exa mple.nl",
        "example..nl",
        "example.nl..",
        "-example.nl",
        "example-.nl",
        "exa_mple.nl",
        "192.168.1.10",
        "http://[2001:db8::1]/",
        "example.nl:99999",
        "example.nl:port",
        "ftp://example.nl",
        "mailto:info@example.nl",
        "xn--zz.nl",
        "a" * 64 + ".nl",
        ".".join(["abcdefghi"] * 26) + ".nl",
        "https://",
    ],
)
def test_garbage_is_refused_with_a_clear_message(given):
    with pytest.raises(ValidationError) as error:
        normalise_host(given)
    assert "example.nl" in error.value.messages[0]


def test_suffixes_run_from_the_host_to_the_registrable_domain():
    assert host_suffixes("a.shop.example.nl") == ["a.shop.example.nl", "shop.example.nl", "example.nl"]
    assert host_suffixes("example.nl") == ["example.nl"]
