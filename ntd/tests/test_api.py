"""The notice API as an organisation that sends many notices uses it: JSON in, JSON out, keys and limits."""

import copy
import json
import re
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from isimedia.models import OutboxMessage
from isimedia.tokens import new_token
from ntd import api, ratelimit
from ntd.models import ApiKey, Category, Notice, SourceType, State
from ntd.tests.factories import make_case

pytestmark = pytest.mark.django_db

URL = "/api/ntd/notices/"

VALID = {
    "urls": ["https://www.korenschoof.example/recepten/gestolen-foto"],
    "category": "intellectual_property",
    "explanation": "De foto op deze pagina is door mij gemaakt en zonder toestemming overgenomen.",
    "complainant": {
        "name": "Marieke Jansen",
        "email": "marieke@fotografie.example",
        "phone": "+31 6 12345678",
        "organisation": "Fotografie Jansen",
    },
    "capacity": "self",
    "owner_contact": {
        "status": "contacted",
        "date": "2026-01-05",
        "how": "E-mail aan info@korenschoof.example",
        "result": "Geen antwoord na twee weken.",
    },
    "declarations": {"good_faith": True, "identity_disclosure_accepted": True},
    "emergency": {"flag": False, "reason": ""},
    "language": "nl",
}


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    """Every test starts with no requests counted against the API's buckets (in the real Redis)."""

    def clear():
        client = redis.Redis.from_url(settings.REDIS_URL)
        try:
            for key in client.scan_iter(f"*:{ratelimit.PREFIX}:ntd-api:*"):
                client.delete(key)
        finally:
            client.close()

    clear()
    yield
    clear()


def post(client, body, *, key=None, language="en", raw=None):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    data = raw if raw is not None else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def with_changes(**changes):
    """VALID with changes; a path "complainant.email" changes a member, the value None removes it."""
    body = copy.deepcopy(VALID)
    for path, value in changes.items():
        *parents, name = path.split("__")
        target = body
        for parent in parents:
            target = target[parent]
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return body


def make_key(*, trusted=False, active=True):
    key, key_hash = new_token()
    api_key = ApiKey.objects.create(
        name="Stichting Meldpunt",
        contact_email="api@meldpunt.example",
        prefix=key[:8],
        key_hash=key_hash,
        trusted_flagger=trusted,
        is_active=active,
    )
    return api_key, key


# --- success ---------------------------------------------------------------------------------------------------


def test_a_valid_notice_is_received_and_answered_with_its_reference_and_tracking_link(client):
    response = post(client, VALID)

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    body = response.json()
    notice = Notice.objects.get()
    assert body == {
        "reference": notice.reference,
        "state": "received",
        "tracking_url": body["tracking_url"],
    }
    assert re.fullmatch(r"NTD-\d{4}-\d{5}", body["reference"])
    assert response["Location"] == body["tracking_url"]
    # The tracking link works, as in the confirmation e-mail.
    assert body["tracking_url"].startswith("http://testserver/ntd/volgen/")
    assert client.get(body["tracking_url"].removeprefix("http://testserver")).status_code == 200

    assert [u.url for u in notice.urls.all()] == VALID["urls"]
    assert notice.category == Category.INTELLECTUAL_PROPERTY
    assert notice.complainant_organisation == "Fotografie Jansen"
    assert notice.owner_contacted_on.isoformat() == "2026-01-05"
    assert notice.source_type == SourceType.ARTICLE_16 and notice.api_key is None
    assert OutboxMessage.objects.filter(template="ntd_received", to="marieke@fotografie.example").exists()


def test_only_the_required_fields_are_enough(client):
    body = with_changes(capacity=None, emergency=None, language=None, complainant__phone=None)
    response = post(client, body, language="en")
    assert response.status_code == 201
    notice = Notice.objects.get()
    assert notice.capacity == "self" and not notice.is_emergency
    assert notice.language == "en"  # the language of the request when the body names none


def test_a_trusted_flaggers_key_marks_its_notices(client):
    api_key, key = make_key(trusted=True)

    response = post(client, VALID, key=key)

    assert response.status_code == 201
    notice = Notice.objects.get()
    assert notice.api_key == api_key
    assert notice.source_type == SourceType.TRUSTED_FLAGGER
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_an_ordinary_key_is_recorded_but_not_marked_trusted(client):
    api_key, key = make_key(trusted=False)
    assert post(client, VALID, key=key).status_code == 201
    notice = Notice.objects.get()
    assert notice.api_key == api_key and notice.source_type == SourceType.ARTICLE_16


def test_an_emergency_with_its_reason(client):
    body = with_changes(emergency={"flag": True, "reason": "Er staat een adres en een dreigement bij."})
    assert post(client, body).status_code == 201
    assert Notice.objects.get().is_emergency


def test_a_refiled_notice_links_to_the_rejected_one(client):
    rejected, _token = make_case("received")
    # Set directly: this test is about the link, not about the rejection.
    Notice.objects.filter(pk=rejected.pk).update(state=State.REJECTED_INCOMPLETE)
    response = post(client, with_changes(previous_reference=rejected.reference.lower()))
    assert response.status_code == 201
    assert Notice.objects.get(reference=response.json()["reference"]).previous_notice == rejected


# --- refused input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"urls": None}, "urls"),
        ({"urls": []}, "urls"),
        ({"urls": ["www.korenschoof.example/foto"]}, "urls"),
        ({"urls": ["javascript:alert(1)"]}, "urls"),
        ({"urls": [f"https://korenschoof.example/{n}" for n in range(21)]}, "urls"),
        ({"urls": "https://korenschoof.example/foto"}, "urls"),
        ({"urls": [1, 2]}, "urls"),
        ({"category": None}, "category"),
        ({"category": "rude"}, "category"),
        ({"explanation": "Onrechtmatig."}, "explanation"),
        ({"explanation": 42}, "explanation"),
        ({"complainant__name": None}, "complainant.name"),
        ({"complainant__email": "marieke at fotografie"}, "complainant.email"),
        ({"complainant__fax": "070-1234567"}, "complainant.fax"),
        ({"complainant": "Marieke"}, "complainant"),
        ({"capacity": "lawyer"}, "capacity"),
        ({"capacity": "representative"}, "on_behalf_of"),
        ({"owner_contact__status": None}, "owner_contact.status"),
        ({"owner_contact__status": "not_contacted"}, "owner_contact.status"),
        ({"owner_contact__date": None}, "owner_contact.date"),
        ({"owner_contact__date": "next tuesday"}, "owner_contact.date"),
        ({"owner_contact__how": ""}, "owner_contact.how"),
        ({"owner_contact": {"status": "no_details"}}, "owner_contact.result"),
        ({"declarations__good_faith": False}, "declarations.good_faith"),
        ({"declarations__good_faith": "yes"}, "declarations.good_faith"),
        ({"declarations__identity_disclosure_accepted": None}, "declarations.identity_disclosure_accepted"),
        ({"declarations": None}, "declarations.good_faith"),
        ({"emergency": {"flag": True}}, "emergency.reason"),
        ({"language": "de"}, "language"),
        ({"previous_reference": "melding 42"}, "previous_reference"),
        ({"evidence": [{"name": "foto.jpg", "data": "..."}]}, "evidence"),
        ({"priority": "high"}, "priority"),
    ],
)
def test_each_wrong_field_is_refused_with_a_message_under_its_path(client, changes, field):
    response = post(client, with_changes(**changes))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert field in errors, errors
    assert errors[field] and all(isinstance(message, str) and message for message in errors[field])
    assert not Notice.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_date_of_contact_in_the_future_is_refused(client):
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = post(client, with_changes(owner_contact__date=future))
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner_contact.date": ["This date is in the future."]}


def test_several_mistakes_are_reported_together(client):
    body = with_changes(category="rude", complainant__email="nope", urls=["nope"], surprise=1)
    errors = post(client, body).json()["errors"]
    assert {"category", "complainant.email", "urls", "surprise"} <= set(errors)


def test_errors_are_in_dutch_or_english_after_accept_language(client):
    body = with_changes(owner_contact__date="gisteren")

    dutch = post(client, body, language="nl")
    english = post(client, body, language="en")

    assert dutch.json()["errors"]["owner_contact.date"] == ["Voer een geldige datum in."]
    assert english.json()["errors"]["owner_contact.date"] == ["Enter a valid date."]
    assert dutch["Content-Language"] == "nl" and english["Content-Language"] == "en"


def test_dutch_is_the_default_language_of_errors(client):
    response = client.post(URL, data=json.dumps(with_changes(owner_contact__date="x")), content_type="application/json")
    assert response.json()["errors"]["owner_contact.date"] == ["Voer een geldige datum in."]


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2, 3]", '"a notice"', "null", "[" * 100_000])
def test_a_body_that_is_not_a_json_object_is_refused(client, raw):
    response = post(client, None, raw=raw)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["non_field_errors"]
    assert not Notice.objects.exists()


def test_a_body_too_large_is_refused(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(client, with_changes(explanation="x" * 2000))
    assert response.status_code == 413
    assert "non_field_errors" in response.json()["errors"]


@pytest.mark.parametrize("method", ["get", "put", "delete", "patch"])
def test_only_post_is_allowed(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "non_field_errors" in response.json()["errors"]


# --- keys ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["Bearer not-a-key", "Bearer ", "Basic dXNlcjpwYXNz", "not-even-a-scheme"])
def test_an_invalid_authorization_header_is_refused(client, header):
    response = client.post(URL, data=json.dumps(VALID), content_type="application/json", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "non_field_errors" in response.json()["errors"]
    assert not Notice.objects.exists()


def test_a_deactivated_key_is_refused(client):
    _api_key, key = make_key(trusted=True, active=False)
    assert post(client, VALID, key=key).status_code == 401
    assert not Notice.objects.exists()


# --- rate limits -----------------------------------------------------------------------------------------------


def test_anonymous_requests_are_limited_per_address(client, settings):
    settings.NTD_API_RATE_LIMIT_ANONYMOUS = 2

    first = post(client, VALID)
    second = post(client, {"invalid": True})  # refused requests count too
    third = post(client, VALID)

    assert [first.status_code, second.status_code, third.status_code] == [201, 400, 429]
    assert 1 <= int(third["Retry-After"]) <= 3600
    assert "non_field_errors" in third.json()["errors"]
    assert Notice.objects.count() == 1
    # Another address has its own count.
    assert post(client.__class__(REMOTE_ADDR="192.0.2.7"), VALID).status_code == 201


def test_a_key_has_its_own_larger_limit(client, settings):
    settings.NTD_API_RATE_LIMIT_ANONYMOUS = 1
    settings.NTD_API_RATE_LIMIT_KEY = 3
    _api_key, key = make_key()

    assert post(client, VALID).status_code == 201
    assert post(client, VALID).status_code == 429
    assert [post(client, VALID, key=key).status_code for _ in range(4)] == [201, 201, 201, 429]


def test_guessing_keys_counts_against_the_address(client, settings):
    settings.NTD_API_RATE_LIMIT_ANONYMOUS = 2
    assert [post(client, VALID, key=f"guess-{n}").status_code for n in range(3)] == [401, 401, 429]


# --- the OpenAPI description -----------------------------------------------------------------------------------


def openapi_document(client):
    response = client.get(reverse("ntd_api:api_openapi"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def resolve(document, schema):
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def test_the_openapi_document_describes_the_endpoint(client):
    document = openapi_document(client)

    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    operation = document["paths"][URL]["post"]
    assert set(operation["responses"]) >= {"201", "400", "401", "405", "429"}
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert {} in document["security"]  # the key is optional
    assert "not accepted" in document["info"]["description"]  # evidence files
    schemas = document["components"]["schemas"]
    assert schemas["Notice"]["properties"]["category"]["enum"] == [value for value, _label in Category.choices]


def test_the_request_schema_lists_exactly_the_fields_the_api_takes(client):
    document = openapi_document(client)
    notice = resolve(document, document["paths"][URL]["post"]["requestBody"]["content"]["application/json"]["schema"])

    assert notice["additionalProperties"] is False
    assert set(notice["properties"]) == set(api.TOP_LEVEL) | set(api.OBJECTS)
    for name, members in api.OBJECTS.items():
        assert set(resolve(document, notice["properties"][name])["properties"]) == set(members), name
    # The example body of these tests uses only described fields.
    assert set(VALID) <= set(notice["properties"])


def check_against(document, schema, value, path="$"):
    """A small JSON Schema check, enough for the response schemas of this document."""
    schema = resolve(document, schema)
    kind = schema.get("type")
    if kind == "object":
        assert isinstance(value, dict), path
        for name in schema.get("required", []):
            assert name in value, f"{path}.{name} is required"
        for name, member in value.items():
            if name in schema.get("properties", {}):
                check_against(document, schema["properties"][name], member, f"{path}.{name}")
            elif isinstance(schema.get("additionalProperties"), dict):
                check_against(document, schema["additionalProperties"], member, f"{path}.{name}")
            else:
                assert schema.get("additionalProperties", True) is not False, f"{path}.{name} is not allowed"
    elif kind == "array":
        assert isinstance(value, list), path
        for index, item in enumerate(value):
            check_against(document, schema["items"], item, f"{path}[{index}]")
    elif kind == "string":
        assert isinstance(value, str), path
        if "pattern" in schema:
            assert re.search(schema["pattern"], value), path
        if "const" in schema:
            assert value == schema["const"], path
        if schema.get("format") == "uri":
            assert re.match(r"^https?://", value), path


def test_responses_match_their_schemas(client):
    document = openapi_document(client)
    responses = document["paths"][URL]["post"]["responses"]

    def schema_for(status):
        return responses[status]["content"]["application/json"]["schema"]

    created = post(client, VALID)
    check_against(document, schema_for("201"), created.json())
    check_against(document, schema_for("400"), post(client, {"urls": "x"}).json())
    check_against(document, schema_for("401"), post(client, VALID, key="wrong").json())
    # And the valid request itself fits the request schema.
    check_against(
        document, document["paths"][URL]["post"]["requestBody"]["content"]["application/json"]["schema"], VALID
    )


def test_the_openapi_document_is_only_read(client):
    response = client.post(reverse("ntd_api:api_openapi"))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
