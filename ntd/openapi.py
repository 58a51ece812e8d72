"""The OpenAPI 3.1 description of the notice API, built from the same choices and limits the API checks."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .forms import MAX_URLS, MIN_EXPLANATION, URL_MAX_LENGTH
from .models import Capacity, Category, OwnerContact, State

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"


def _string(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def _choices(choices, description: str) -> dict:
    lines = "\n".join(f"- `{value}`: {label}" for value, label in choices)
    return {"type": "string", "enum": [value for value, _label in choices], "description": f"{description}\n\n{lines}"}


def _error_response(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def document() -> dict:
    """The whole document; the choices are rendered in English, the language of the API description."""
    with translation.override("en"):
        return _document()


def _document() -> dict:
    anonymous = settings.NTD_API_RATE_LIMIT_ANONYMOUS
    per_key = settings.NTD_API_RATE_LIMIT_KEY
    window = settings.NTD_API_RATE_WINDOW
    notices_path = reverse("ntd_api:api_notices")
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "ISI Media notice-and-take-down API",
            "version": API_VERSION,
            "description": (
                "Report content on a website hosted by ISI Media that you believe is unlawful (a notice under "
                "art. 16 of the EU Digital Services Act), for organisations that send many notices. A notice sent "
                "here is the same as one sent with the form on the website and follows the same procedure: we check "
                "it, send it to our client who runs the website (including your name and e-mail address), and tell "
                "you every step by e-mail and on the tracking page.\n\n"
                "**Evidence files are not accepted through the API.** Describe your evidence in `explanation`; we "
                "ask for files by e-mail when we need them, or use the web form, which takes files.\n\n"
                "An API key is optional. Notices sent with the key of a trusted flagger are marked as such and "
                "handled first. Ask ISI Media for a key.\n\n"
                f"Rate limits: {anonymous} requests per {window // 60} minutes per IP address without a key, and "
                f"{per_key} per {window // 60} minutes per key. Every request counts, including refused ones.\n\n"
                "Error messages are in Dutch or English, after the `Accept-Language` header (Dutch by default)."
            ),
            "contact": {"name": "ISI Media", "email": settings.STAFF_EMAIL},
        },
        "servers": [{"url": settings.SITE_URL}],
        "security": [{}, {"bearerAuth": []}],
        "paths": {
            notices_path: {
                "post": {
                    "operationId": "createNotice",
                    "summary": "Send a notice about unlawful content",
                    "description": (
                        "Send one notice about one or more web addresses. The notice is received at once; you get "
                        "its reference and a private tracking link, also by e-mail. Keep the tracking link secret."
                    ),
                    "parameters": [
                        {
                            "name": "Accept-Language",
                            "in": "header",
                            "required": False,
                            "description": "The language of error messages: `nl` (default) or `en`.",
                            "schema": {"type": "string", "examples": ["en"]},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Notice"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "The notice was received.",
                            "headers": {
                                "Location": {
                                    "description": "The tracking page of the notice.",
                                    "schema": {"type": "string", "format": "uri"},
                                }
                            },
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/NoticeReceived"}}
                            },
                        },
                        "400": _error_response(
                            "The body is not a JSON object, or fields are missing or wrong. Each field's messages "
                            "are under its path in the request, such as `complainant.email`; messages about the "
                            "request as a whole are under `non_field_errors`."
                        ),
                        "401": _error_response(
                            "The `Authorization` header holds no valid, active API key. Leave the header out to "
                            "send a notice without a key.",
                            {"WWW-Authenticate": {"schema": {"type": "string"}}},
                        ),
                        "405": _error_response(
                            "Only POST is allowed.", {"Allow": {"schema": {"type": "string", "const": "POST"}}}
                        ),
                        "413": _error_response("The request body is too large."),
                        "429": _error_response(
                            "Too many requests: the rate limit was reached.",
                            {
                                "Retry-After": {
                                    "description": "Seconds until requests are accepted again.",
                                    "schema": {"type": "integer", "minimum": 1},
                                }
                            },
                        ),
                    },
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Optional: `Authorization: Bearer <your API key>`.",
                }
            },
            "schemas": _schemas(),
        },
    }


def _schemas() -> dict:
    return {
        "Notice": {
            "type": "object",
            "additionalProperties": False,
            "required": ["urls", "category", "explanation", "complainant", "owner_contact", "declarations"],
            "properties": {
                "urls": {
                    "type": "array",
                    "description": (
                        "The exact web addresses of the content (the same address twice counts once). The home page "
                        "of a site is not enough if the content is on another page."
                    ),
                    "minItems": 1,
                    "maxItems": MAX_URLS,
                    "items": {"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": URL_MAX_LENGTH},
                },
                "category": _choices(Category.choices, "The kind of unlawful content (after the DSA categories)."),
                "explanation": _string(
                    "Why the content is unlawful: which law or right it breaks, and how.",
                    minLength=MIN_EXPLANATION,
                    maxLength=10000,
                ),
                "complainant": {"$ref": "#/components/schemas/Complainant"},
                "capacity": {
                    **_choices(Capacity.choices, "On whose behalf you send the notice."),
                    "default": Capacity.SELF.value,
                },
                "on_behalf_of": _string(
                    "The person or organisation you act for; required unless `capacity` is `self`.", maxLength=200
                ),
                "owner_contact": {"$ref": "#/components/schemas/OwnerContact"},
                "declarations": {"$ref": "#/components/schemas/Declarations"},
                "emergency": {"$ref": "#/components/schemas/Emergency"},
                "language": {
                    "type": "string",
                    "enum": [code for code, _name in settings.LANGUAGES],
                    "description": "The language of our e-mails to the complainant; by default that of the request.",
                },
                "previous_reference": _string(
                    "The reference of an earlier, rejected notice that this one files again.",
                    pattern=r"^NTD-\d{4}-\d{5}$",
                    examples=["NTD-2026-00042"],
                ),
            },
        },
        "Complainant": {
            "type": "object",
            "additionalProperties": False,
            "description": "Who sends the notice. Name and e-mail address are passed to the website's owner.",
            "required": ["name", "email"],
            "properties": {
                "name": _string("Your name.", maxLength=200),
                "email": _string("Your e-mail address; every step is sent here.", format="email", maxLength=254),
                "phone": _string("Phone number (optional).", maxLength=40),
                "organisation": _string("Organisation (optional).", maxLength=200),
            },
        },
        "OwnerContact": {
            "type": "object",
            "additionalProperties": False,
            "description": (
                "Our procedure asks you to contact the website's owner first; a notice without that contact is "
                "rejected. With `contacted`, `date`, `how` and `result` are required; with `no_details`, `result` "
                "says where you looked."
            ),
            "required": ["status"],
            "properties": {
                "status": _choices(OwnerContact.choices, "Whether you contacted the owner of the website."),
                "date": _string("When you contacted the owner (not in the future).", format="date"),
                "how": _string("How you contacted the owner.", maxLength=300),
                "result": _string("What came of it, or where you looked for contact details.", maxLength=5000),
            },
        },
        "Declarations": {
            "type": "object",
            "additionalProperties": False,
            "description": "Both must be true, or the notice is refused.",
            "required": ["good_faith", "identity_disclosure_accepted"],
            "properties": {
                "good_faith": {
                    "type": "boolean",
                    "description": "The notice is accurate and complete, and sent in good faith.",
                },
                "identity_disclosure_accepted": {
                    "type": "boolean",
                    "description": "You accept that ISI Media passes your name and contact details to the owner.",
                },
            },
        },
        "Emergency": {
            "type": "object",
            "additionalProperties": False,
            "description": "Content that threatens someone's life or safety.",
            "properties": {
                "flag": {"type": "boolean", "default": False},
                "reason": _string("Why this is an emergency; required when `flag` is true.", maxLength=5000),
            },
        },
        "NoticeReceived": {
            "type": "object",
            "required": ["reference", "state", "tracking_url"],
            "properties": {
                "reference": _string("The notice's reference.", pattern=r"^NTD-\d{4}-\d{5}$"),
                "state": {"type": "string", "const": State.RECEIVED.value},
                "tracking_url": _string(
                    "The private page where the notice can be followed; keep it secret.", format="uri"
                ),
            },
        },
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {
                    "type": "object",
                    "description": "Messages per field path (`complainant.email`), or under `non_field_errors`.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                }
            },
            "examples": [{"errors": {"complainant.email": ["Give an e-mail address like name@example.nl."]}}],
        },
    }
