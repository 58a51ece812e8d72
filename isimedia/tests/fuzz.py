"""Helpers for the tests that drive public forms and the API with generated input (hypothesis).

What every generated answer must satisfy: no server error; a page shown again is in the language asked for, and so
are its error messages; and the database holds either the whole new object with its children, or nothing new.
"""

import datetime
import html
import os
import re

from django import forms
from django.db.models import Model
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LANGUAGES = ("nl", "en")

# Deterministic by default, so the suite gives the same result on every run; FUZZ_RANDOM=1 explores new input.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

# Text as people and bots type it: any printable or control character (NUL included), but no lone surrogates,
# which cannot be sent as UTF-8 at all.
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
WEIRD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t",
    "\u202e",
    "\ufeff",
    "💥",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%s %(x)s {0}",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 40,
    "0000-00-00",
    "9999-12-31",
    "31-02-2026",
    "1900-01-01",
    "javascript:alert(1)",
    "https://",
    "http://[::1",
    "https://example.org/" + "a" * 3000,
    "naam@",
    "@example.nl",
    "a" * 300 + "@example.nl",
    "x" * 20_000,
]


def junk_text() -> st.SearchStrategy[str]:
    """One value as a form sends it: empty, odd, short random, very long, numbers, e-mail addresses, URLs, dates."""
    return st.one_of(
        st.sampled_from(WEIRD),
        st.text(ANY_CHARACTER, max_size=60),
        st.text(ANY_CHARACTER, min_size=1, max_size=5).map(lambda text: text * 2500),
        st.integers().map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.emails().map(str),
        st.from_regex(r"https?://[a-z0-9.-]{1,30}(/[^\s]{0,40})?", fullmatch=True),
        st.dates(min_value=datetime.date(1, 1, 1)).map(lambda day: day.isoformat()),
    )


def field(valid, *extra) -> st.SearchStrategy:
    """A field's value: mostly a valid one (so that whole answers get through), else junk, missing, or repeated."""
    choices = st.one_of(st.just(valid), *[st.just(value) for value in extra]) if extra else st.just(valid)
    return st.one_of(
        choices,
        choices,
        junk_text(),
        st.none(),  # the field is left out of the request
        st.lists(junk_text(), min_size=2, max_size=3),  # the field sent several times
    )


def form_data(fields: dict) -> st.SearchStrategy[dict]:
    """A whole request from per-field strategies; a field drawn as None is not sent."""
    return st.fixed_dictionaries(fields).map(lambda data: {k: v for k, v in data.items() if v is not None})


def visitor(client, language: str):
    """The Django test client speaking ``language``, as chosen with the language switch."""
    client.cookies["django_language"] = language
    return client


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, f"server error {response.status_code}"


def page_of(response) -> str:
    return response.content.decode()


def assert_page_language(response, language: str) -> None:
    page = page_of(response)
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match, "the page has no <html lang>"
    assert match.group(1) == language, f"page in {match.group(1)!r}, asked for {language!r}"


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def form_errors(response) -> list[tuple[forms.Form, str, forms.ValidationError]]:
    """Every error of every form in the page's context, with the form and the field it belongs to."""
    found, seen = [], set()
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and id(value) not in seen and value.is_bound:
                seen.add(id(value))
                for name, errors in value.errors.as_data().items():
                    found.extend((value, name, error) for error in errors)
    return found


def message_in(error: forms.ValidationError, language: str) -> list[str]:
    """The messages of one error as they read in ``language``."""
    with translation.override(language):
        return [str(message) for message in error]


def assert_errors_in_language(response, language: str, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """Each error of the page's forms is on the page in ``language``, not in the other language. Returns them.

    ``ignore`` names fields no person fills in whose messages are deliberately not shown (a honeypot).
    """
    page = _normalised(html.unescape(page_of(response)))
    other = "en" if language == "nl" else "nl"
    shown = []
    for _form, name, error in form_errors(response):
        if name in ignore:
            continue
        for expected, elsewhere in zip(message_in(error, language), message_in(error, other), strict=True):
            expected, elsewhere = _normalised(expected), _normalised(elsewhere)
            assert expected in page, f"error {expected!r} ({name}) not on the page in {language!r}"
            if elsewhere != expected and elsewhere not in expected:
                assert elsewhere not in page, f"error {elsewhere!r} ({name}) shown in {other!r}"
            shown.append(expected)
    return shown


def translated(language: str, text, **params) -> str:
    """What ``text`` (a lazy message or a msgid) reads in ``language``."""
    with translation.override(language):
        message = translation.gettext(text) if isinstance(text, str) else str(text)
    return message % params if params else message


def counts(*models: type[Model]) -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in models}


def new_rows(before: dict[str, int], *models: type[Model]) -> dict[str, int]:
    """How many rows each table gained since ``before``."""
    after = counts(*models)
    return {label: after[label] - before[label] for label in before}


def nothing_new(before: dict[str, int], *models: type[Model]) -> None:
    gained = new_rows(before, *models)
    assert not any(gained.values()), f"rows were written by a refused request: {gained}"
