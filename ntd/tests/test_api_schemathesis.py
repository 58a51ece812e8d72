"""The notice API driven by schemathesis from its own description at /api/openapi.json.

Every operation gets generated requests, valid ones (by the schema) and invalid ones, with and without an API key,
in Dutch and in English. Per request: never a server error, the answer conforms to the schema (status, content
type, headers, body), a notice is stored whole (with its web addresses, its event and its e-mail) or not at all, and
error messages are in the language of ``Accept-Language``.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from isimedia.models import OutboxMessage
from isimedia.tests.fuzz import counts, new_rows, nothing_new
from isimedia.tokens import new_token
from ntd.models import ApiKey, Notice, NoticeEvent, NoticeUrl

pytestmark = pytest.mark.django_db

NO_LIMIT = 10**9
TABLES = (Notice, NoticeUrl, NoticeEvent, OutboxMessage)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Per mode: positive requests mostly pass the schema, negative ones break it on purpose.
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 40}


def django_app(environ, start_response):
    """Django as a WSGI application on the test's own database connection.

    A real WSGI handler closes the connection after each request; inside the test's transaction that would lose
    the test's data, so, as Django's test client does, the connection is left open.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        content = b"".join(response)
        response.close()
        return [content]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_limits(settings):
    # The limits have their own tests; here they would only stop the generated requests.
    settings.NTD_API_RATE_LIMIT_ANONYMOUS = NO_LIMIT
    settings.NTD_API_RATE_LIMIT_KEY = NO_LIMIT


@pytest.fixture
def api_schema(client):
    """The API's own description, as a client reads it."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


@pytest.fixture
def api_key():
    key, key_hash = new_token()
    ApiKey.objects.create(
        name="Stichting Meldpunt", contact_email="api@meldpunt.example", prefix=key[:8], key_hash=key_hash
    )
    return key


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the description names no operation"
    return found


def has_nul(value) -> bool:
    """Whether a NUL byte hides anywhere in the generated body."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def url_has_nul(body) -> bool:
    return isinstance(body, dict) and isinstance(body.get("urls"), list) and has_nul(body["urls"])


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda mode: mode.value)
def test_every_operation_answers_generated_requests_as_described(api_schema, api_key, mode):
    for operation in operations(api_schema):

        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(generation_mode=mode),
            language=st.sampled_from(["nl", "en"]),
            with_key=st.booleans(),
        )
        def request(case, language, with_key):
            headers = {"Accept-Language": language}
            if with_key:
                headers["Authorization"] = f"Bearer {api_key}"
            before = counts(*TABLES)

            response = case.call_and_validate(
                app=django_app, base_url="http://testserver", headers=headers, checks=CHECKS
            )

            event(f"status {response.status_code}")
            gained = new_rows(before, *TABLES)
            if response.status_code == 201:
                notice = Notice.objects.latest("id")
                assert gained["ntd.Notice"] == 1
                assert gained["ntd.NoticeUrl"] == notice.urls.count() >= 1
                assert gained["ntd.NoticeEvent"] == notice.events.count() >= 1
                assert gained["isimedia.OutboxMessage"] >= 1
                assert response.json()["reference"] == notice.reference
                return
            nothing_new(before, *TABLES)
            if response.status_code == 400:
                assert_messages_in(language, response.json()["errors"])

        request()


def assert_messages_in(language: str, errors: dict) -> None:
    """For Dutch, a message the API also has in English is not shown in English (and the other way round)."""
    other = "en" if language == "nl" else "nl"
    known = translated_pairs()
    for messages in errors.values():
        for message in messages:
            assert message not in known[other] or message in known[language], (
                f"{message!r} is in {other!r}, asked for {language!r}"
            )


_PAIRS = {}


def translated_pairs() -> dict[str, set[str]]:
    """The API's fixed messages in each language."""
    if not _PAIRS:
        msgids = [
            "Must be a string.",
            "Must be true or false.",
            "Must be a list of web addresses (strings).",
            "Must be an object.",
            "Unknown field.",
            "The request body is not valid JSON.",
            "The request body must be a JSON object.",
            "Give at least one exact web address of the content.",
            "Give a reference like NTD-2026-00042.",
            "This field is required.",
            "Null characters are not allowed.",
        ]
        for language in ("nl", "en"):
            with translation.override(language):
                _PAIRS[language] = {translation.gettext(msgid) for msgid in msgids}
        shared = _PAIRS["nl"] & _PAIRS["en"]
        assert len(shared) < len(msgids), "the API's messages are not translated"
        for language in ("nl", "en"):
            _PAIRS[language] -= shared
    return _PAIRS


def test_a_nul_byte_in_a_web_address_is_a_client_error(client):
    body = {
        "urls": ["https://www.korenschoof.example/recepten/gestolen\x00foto"],
        "category": "intellectual_property",
        "explanation": "De foto op deze pagina is door mij gemaakt en zonder toestemming overgenomen.",
        "complainant": {"name": "Marieke Jansen", "email": "marieke@fotografie.example"},
        "owner_contact": {
            "status": "contacted",
            "date": "2026-01-05",
            "how": "E-mail aan info@korenschoof.example",
            "result": "Geen antwoord na twee weken.",
        },
        "declarations": {"good_faith": True, "identity_disclosure_accepted": True},
    }
    client.raise_request_exception = False
    before = counts(*TABLES)

    response = client.post("/api/ntd/notices/", data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "urls" in response.json()["errors"]
    nothing_new(before, *TABLES)
