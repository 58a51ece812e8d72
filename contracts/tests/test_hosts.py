"""Host names are stored and compared in one form, whatever a person types or pastes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from contracts.hosts import display_host, host_suffixes, normalise_host


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
        # IDNA 2008, as browsers resolve it: ß is a letter of its own, not "ss".
        ("straße.de", "xn--strae-oqa.de"),
        ("https://www.Straße.de/", "xn--strae-oqa.de"),
        ("strasse.de", "strasse.de"),
        # Full-width letters as pasted from some word processors are mapped to their plain form (UTS #46).
        ("\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25.nl", "example.nl"),  # "EXAMPLE" in full-width letters
        # Domains under a multi-label public suffix, and sites on a shared hosting platform.
        ("www.example.co.uk", "example.co.uk"),
        ("shop.example.co.uk", "shop.example.co.uk"),
        ("bakkerij.github.io", "bakkerij.github.io"),
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
        "☃.com",  # symbols were allowed by IDNA 2003, not by IDNA 2008
        "a" * 64 + ".nl",
        ".".join(["abcdefghi"] * 26) + ".nl",
        "https://",
    ],
)
def test_garbage_is_refused_with_a_clear_message(given):
    with pytest.raises(ValidationError) as error:
        normalise_host(given)
    assert "example.nl" in error.value.messages[0]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("nl", None),  # a bare top-level domain is refused as garbage: it has no dot
        ("co.uk", "co.uk"),
        ("https://CO.UK/", "co.uk"),
        ("github.io", "github.io"),
        ("www.co.uk", "co.uk"),
        ("www.nl", "nl"),
        ("www.github.io", "github.io"),
    ],
)
def test_a_public_suffix_is_refused(given, shown):
    with pytest.raises(ValidationError) as error:
        normalise_host(given)
    if shown is not None:
        assert error.value.code == "public_suffix"
        assert error.value.messages[0].startswith(f"{shown} ")


def test_the_public_suffix_refusal_explains_itself_in_dutch_and_english():
    with pytest.raises(ValidationError) as error:
        normalise_host("www.co.uk")
    with translation.override("nl"):
        assert error.value.messages == [
            "co.uk wordt door veel eigenaren gedeeld (zoals nl of co.uk) en kan dus niet de website van één klant "
            "zijn. Vul het eigen domein van de klant in, zoals example.nl of example.co.uk."
        ]
    with pytest.raises(ValidationError) as error:
        normalise_host("github.io")
    with translation.override("en"):
        assert error.value.messages == [
            "github.io is shared by many owners (like nl or co.uk), so it cannot be one client's website. "
            "Enter the client's own domain name, such as example.nl or example.co.uk."
        ]


def test_suffixes_run_from_the_host_to_the_registrable_domain():
    assert host_suffixes("a.shop.example.nl") == ["a.shop.example.nl", "shop.example.nl", "example.nl"]
    assert host_suffixes("example.nl") == ["example.nl"]
    # The public suffix co.uk is never looked up: no website can have it.
    assert host_suffixes("shop.example.co.uk") == ["shop.example.co.uk", "example.co.uk"]
    assert host_suffixes("bakkerij.github.io") == ["bakkerij.github.io"]


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("xn--strae-oqa.de", "straße.de"),
        ("xn--bcker-gra.nl", "bäcker.nl"),
        ("example.nl", "example.nl"),
        # A snowman: valid under IDNA 2003, not under IDNA 2008, so shown as stored rather than guessed at.
        ("xn--n3h.com", "xn--n3h.com"),
    ],
)
def test_display_host_shows_names_as_people_write_them(host, shown):
    assert display_host(host) == shown
