"""The notice API for organisations that send many notices: the web form's notice as JSON, described in OpenAPI.

Every answer is JSON, errors always as ``{"errors": {"<field>": ["<message>", ...]}}`` with the field written as its
path in the request (``complainant.email``) and ``non_field_errors`` for the request as a whole. The messages are in
the language of the request's ``Accept-Language`` (Dutch or English).
"""

import json
import logging

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import URLValidator
from django.http import JsonResponse
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from isimedia.http import rate_limit_key

from . import openapi as openapi_document
from . import ratelimit, selectors, services
from .errors import NtdError
from .forms import REFERENCE_PATTERN, NoticeForm, distinct_urls, is_web_address
from .models import ApiKey, Capacity

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"

# The request's fields, as paths, against the names the notice form and the services use for them.
FIELD_PATHS = {
    "urls": "urls",
    "category": "category",
    "explanation": "explanation",
    "complainant_name": "complainant.name",
    "complainant_email": "complainant.email",
    "complainant_phone": "complainant.phone",
    "complainant_organisation": "complainant.organisation",
    "capacity": "capacity",
    "on_behalf_of": "on_behalf_of",
    "owner_contact": "owner_contact.status",
    "owner_contacted_on": "owner_contact.date",
    "owner_contact_how": "owner_contact.how",
    "owner_contact_result": "owner_contact.result",
    "good_faith": "declarations.good_faith",
    "identity_disclosure_accepted": "declarations.identity_disclosure_accepted",
    "is_emergency": "emergency.flag",
    "emergency_reason": "emergency.reason",
    "language": "language",
    "previous_reference": "previous_reference",
}
PATH_FIELDS = {path: name for name, path in FIELD_PATHS.items()}

# The request's shape: each object and the type of each of its members.
STRING, BOOLEAN, URL_LIST = "string", "boolean", "url_list"
OBJECTS = {
    "complainant": {"name": STRING, "email": STRING, "phone": STRING, "organisation": STRING},
    "owner_contact": {"status": STRING, "date": STRING, "how": STRING, "result": STRING},
    "declarations": {"good_faith": BOOLEAN, "identity_disclosure_accepted": BOOLEAN},
    "emergency": {"flag": BOOLEAN, "reason": STRING},
}
TOP_LEVEL = {
    "urls": URL_LIST,
    "category": STRING,
    "explanation": STRING,
    "capacity": STRING,
    "on_behalf_of": STRING,
    "language": STRING,
    "previous_reference": STRING,
}
# Fields people may try that the API deliberately does not take.
NOT_ACCEPTED = {"evidence", "files", "attachments"}


# --- responses -------------------------------------------------------------------------------------------------


def _errors(errors: dict[str, list[str]], status: int, **headers) -> JsonResponse:
    response = JsonResponse({"errors": {key: [str(m) for m in messages] for key, messages in errors.items()}})
    response.status_code = status
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(message: str, status: int, **headers) -> JsonResponse:
    return _errors({NON_FIELD: [message]}, status, **headers)


def _method_not_allowed(allowed: str) -> JsonResponse:
    return _error(gettext("Use %(methods)s for this address.") % {"methods": allowed}, 405, Allow=allowed)


# --- the form that checks the fields ----------------------------------------------------------------------------


class UrlListField(forms.Field):
    """A JSON list of web addresses; each wrong one is named in its own message."""

    def clean(self, value):
        value = value or []
        if not value:
            raise ValidationError(_("Give at least one exact web address of the content."), code="required")
        check = URLValidator(schemes=["http", "https"])
        errors = []
        for url in value:
            url = url.strip()
            if not is_web_address(url, check):
                shown = url if len(url) <= 80 else url[:77] + "…"
                errors.append(
                    ValidationError(
                        _("“%(url)s” is not a complete web address. It must start with https:// or http://.")
                        % {"url": shown},
                        code="invalid_url",
                    )
                )
        if errors:
            raise ValidationError(errors)
        return distinct_urls(url.strip() for url in value)


class ApiNoticeForm(NoticeForm):
    """The web form's checks, for JSON: a list of URLs, no files, the declarations checked by the services."""

    urls = UrlListField()
    # The services give the messages for missing declarations; the web form's "tick this box" fits no API.
    good_faith = forms.BooleanField(required=False)
    identity_disclosure_accepted = forms.BooleanField(required=False)
    previous_reference = forms.CharField(required=False, max_length=20)
    capacity = forms.ChoiceField(choices=Capacity.choices, required=False)
    language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["evidence"]

    def clean_evidence(self):
        return []

    def clean_previous_reference(self):
        value = (self.cleaned_data.get("previous_reference") or "").strip().upper()
        if value and not REFERENCE_PATTERN.match(value):
            raise ValidationError(_("Give a reference like NTD-2026-00042."), code="invalid_reference")
        return value

    def notice_input(self) -> services.NoticeInput:
        data = super().notice_input()
        data.files = []
        data.language = self.cleaned_data.get("language") or _request_language()
        return data


def _request_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


# --- parsing ---------------------------------------------------------------------------------------------------


def _type_error(kind: str) -> str:
    return {
        STRING: gettext("Must be a string."),
        BOOLEAN: gettext("Must be true or false."),
        URL_LIST: gettext("Must be a list of web addresses (strings)."),
    }[kind]


def _matches(value, kind: str) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _flatten(body: dict) -> tuple[dict, dict[str, list[str]]]:
    """The request as the notice form's data, and the errors in its shape (wrong types, unknown fields)."""
    data, errors = {}, {}

    def take(path: str, value, kind: str):
        if value is None:  # null is the same as leaving the field out
            return
        if not _matches(value, kind):
            errors[path] = [_type_error(kind)]
            return
        data[PATH_FIELDS[path]] = value

    for key, value in body.items():
        if key in TOP_LEVEL:
            take(key, value, TOP_LEVEL[key])
        elif key in OBJECTS:
            if value is None:
                continue
            if not isinstance(value, dict):
                errors[key] = [gettext("Must be an object.")]
                continue
            for member, member_value in value.items():
                path = f"{key}.{member}"
                if member in OBJECTS[key]:
                    take(path, member_value, OBJECTS[key][member])
                else:
                    errors[path] = [gettext("Unknown field.")]
        elif key in NOT_ACCEPTED:
            errors[key] = [
                gettext(
                    "Evidence files cannot be sent through the API. Describe the evidence in the explanation; "
                    "we will ask for files by e-mail when we need them."
                )
            ]
        else:
            errors[key] = [gettext("Unknown field.")]
    return data, errors


def _form_errors(form_errors: dict) -> dict[str, list[str]]:
    errors = {}
    for name, messages in form_errors.items():
        key = NON_FIELD if name == "__all__" else FIELD_PATHS.get(name, name)
        errors.setdefault(key, []).extend(str(message) for message in messages)
    return errors


def _service_errors(error: NtdError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return _form_errors({name: [m for e in errs for m in e.messages] for name, errs in error.error_dict.items()})
    return {NON_FIELD: list(error.messages)}


# --- authentication and limits ---------------------------------------------------------------------------------

INVALID = object()


def _api_key(request) -> ApiKey | object | None:
    """The active key of a ``Bearer`` header, None without a header, INVALID for any other header or key."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _space, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        return INVALID
    api_key = selectors.api_key_for_key(key=key)
    return INVALID if api_key is None else api_key


def _client_ip(request) -> str:
    return rate_limit_key(request)


def _limit(bucket: str, limit: int) -> JsonResponse | None:
    window = settings.NTD_API_RATE_WINDOW
    if ratelimit.hit(f"ntd-api:{bucket}", limit, window):
        return None
    seconds = ratelimit.retry_after(window)
    return _error(
        ngettext(
            "Too many requests. Try again in %(seconds)d second.",
            "Too many requests. Try again in %(seconds)d seconds.",
            seconds,
        )
        % {"seconds": seconds},
        429,
        Retry_After=str(seconds),
    )


# --- views -----------------------------------------------------------------------------------------------------


@csrf_exempt
@never_cache
def notices(request):
    """POST a notice as JSON; 201 with its reference and tracking link, or 4xx with JSON errors."""
    if request.method != "POST":
        return _method_not_allowed("POST")

    api_key = _api_key(request)
    if api_key is INVALID:
        # Failed keys count against the address, so keys cannot be guessed at leisure.
        limited = _limit(f"ip:{_client_ip(request)}", settings.NTD_API_RATE_LIMIT_ANONYMOUS)
        return limited or _error(gettext("The API key is not valid."), 401, WWW_Authenticate='Bearer realm="ntd"')
    if api_key is None:
        limited = _limit(f"ip:{_client_ip(request)}", settings.NTD_API_RATE_LIMIT_ANONYMOUS)
    else:
        limited = _limit(f"key:{api_key.pk}", settings.NTD_API_RATE_LIMIT_KEY)
    if limited:
        return limited

    try:
        body = json.loads(request.body or b"")
    except RequestDataTooBig:
        return _error(gettext("The request is too large."), 413)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return _error(gettext("The request body is not valid JSON."), 400)
    if not isinstance(body, dict):
        return _error(gettext("The request body must be a JSON object."), 400)

    data, errors = _flatten(body)
    form = ApiNoticeForm(data=data)
    if not form.is_valid() or errors:
        for key, messages in _form_errors(form.errors).items():
            errors.setdefault(key, messages)
        return _errors(errors, 400)

    try:
        submitted = services.notice_submit(data=form.notice_input(), api_key=api_key)
    except NtdError as error:
        return _errors(_service_errors(error), 400)
    tracking_url = services.tracking_url(submitted.tracking_token)
    response = JsonResponse(
        {"reference": submitted.notice.reference, "state": submitted.notice.state, "tracking_url": tracking_url},
        status=201,
    )
    response["Location"] = tracking_url
    return response


def openapi(request):
    """The OpenAPI 3.1 description of the notice API."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET")
    response = JsonResponse(openapi_document.document(), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response
