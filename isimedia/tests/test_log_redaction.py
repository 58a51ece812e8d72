"""No secret link token reaches a log line: Django's request log, runserver's and gunicorn's access logs."""

import inspect
import io
import logging
import re
import sys
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config

from contracts.tests.factories import WebsiteFactory
from isimedia.celery import app as celery_app
from isimedia.logging import REDACTED, GunicornLogger, RedactSecretsFilter, redact
from isimedia.models import OutboxMessage
from isimedia.tokens import new_token
from ntd.tests.factories import make_case
from privacy.tests.factories import (
    CompletedRequestFactory,
    ConfirmedRequestFactory,
    RequestFactory,
    make_link,
    make_package,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@contextmanager
def stream_of(handler: logging.StreamHandler):
    """What ``handler`` (a handler the settings configured) prints, while the block runs."""
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        yield output
    finally:
        handler.setStream(previous)


def redacting_handler(logger: logging.Logger) -> logging.StreamHandler:
    handlers = [h for h in logger.handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
    assert handlers, f"no handler of {logger.name or 'root'} redacts secrets"
    return handlers[0]


@pytest.fixture
def console():
    """The console output of the LOGGING setting's root handler."""
    with stream_of(redacting_handler(logging.getLogger())) as output:
        yield output


def assert_logged_without(token: str, route: str, caplog, console: io.StringIO) -> None:
    messages = [record.getMessage() for record in caplog.records if record.name == "django.request"]
    assert messages, "the page logged nothing: the test proves nothing"
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in repr(record.args)
    assert token not in caplog.text
    assert token not in console.getvalue()
    # Whoever reads the log still sees which page answered what.
    assert any(route in message for message in messages), messages
    assert route in console.getvalue()


def test_an_expired_package_link_is_logged_without_its_token(client, caplog, console):
    _package, token = make_package(ConfirmedRequestFactory(), expires_in_days=-1)

    response = client.get(reverse("privacy:package", kwargs={"token": token}))

    assert response.status_code == 410
    assert_logged_without(token, f"Gone: /privacy/pakket/{REDACTED}/", caplog, console)


def test_an_expired_confirmation_link_is_logged_without_its_token(client, caplog, console):
    request = RequestFactory(confirm_expires_at=timezone.now() - timedelta(days=1))
    token = make_link(request)

    response = client.get(reverse("privacy:follow", kwargs={"token": token}))

    assert response.status_code == 410
    assert_logged_without(token, f"Gone: /privacy/verzoek/{REDACTED}/", caplog, console)


def test_an_upload_to_a_closed_request_is_logged_without_its_token(client, caplog, console):
    token = make_link(CompletedRequestFactory())

    response = client.post(reverse("privacy:upload", kwargs={"token": token}), {"note": "Nog een bestand."})

    assert response.status_code == 409
    assert_logged_without(token, f"Conflict: /privacy/verzoek/{REDACTED}/bestanden/", caplog, console)


def test_a_used_answer_link_is_logged_without_its_token(client, caplog, console):
    notice, _tracking = make_case("resolved_by_customer", website=WebsiteFactory(host="korenschoof.example"))
    # The token as the client got it, in the e-mail the case was forwarded with.
    email = OutboxMessage.objects.get(template="ntd_customer_forwarded", to=notice.client.contact_email)
    token = re.search(r"/ntd/antwoord/([^/\s]+)/", email.body_text).group(1)

    response = client.get(reverse("ntd:answer", kwargs={"token": token}))

    assert response.status_code == 404
    assert_logged_without(token, f"Not Found: /ntd/antwoord/{REDACTED}/", caplog, console)


def test_a_tracking_link_to_a_missing_file_is_logged_without_its_token(client, caplog, console):
    _notice, token = make_case("received")

    response = client.get(reverse("ntd:track_evidence", kwargs={"token": token, "evidence_id": 999999}))

    assert response.status_code == 404
    assert_logged_without(token, f"Not Found: /ntd/volgen/{REDACTED}/bestand/999999/", caplog, console)


def test_runservers_request_line_is_printed_without_the_token():
    token, _hash = new_token()
    # The real request handler of runserver, without a socket: only its logging is exercised.
    request_handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    request_handler.request = None
    request_handler.requestline = f"GET /privacy/verzoek/{token}/ HTTP/1.1"

    with stream_of(redacting_handler(logging.getLogger("django.server"))) as output:
        request_handler.log_request(404, 1234)

    line = output.getvalue()
    assert token not in line
    assert f'"GET /privacy/verzoek/{REDACTED}/ HTTP/1.1" 404 1234' in line


def test_gunicorns_access_line_has_neither_the_token_nor_the_referrers_token():
    token, _hash = new_token()
    page_token, _hash = new_token()
    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/ntd/volgen/{token}/bestand/7/",
        "PATH_INFO": f"/ntd/volgen/{token}/bestand/7/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.10",
        # The page a file was opened from is a secret link too.
        "HTTP_REFERER": f"https://portal.isimedia.example/privacy/verzoek/{page_token}/",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="404 Not Found", headers=[], sent=512)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    with stream_of(logger.access_log.handlers[0]) as output:
        logger.access(response, request, environ, timedelta(milliseconds=12))

    line = output.getvalue()
    assert token not in line and page_token not in line
    assert f'"GET /ntd/volgen/{REDACTED}/bestand/7/ HTTP/1.1" 404 512' in line
    assert f'"https://portal.isimedia.example/privacy/verzoek/{REDACTED}/"' in line
    assert line.startswith("192.0.2.10 ")


def test_gunicorns_error_log_is_redacted_too():
    token, _hash = new_token()
    config = Config()
    logger = GunicornLogger(config)

    with stream_of(logger.error_log.handlers[0]) as output:
        logger.warning("Invalid request from %s: %s", "192.0.2.10", f"GET /privacy/pakket/{token} HTTP/1.1")

    assert token not in output.getvalue()
    assert f"/privacy/pakket/{REDACTED}" in output.getvalue()


@pytest.mark.parametrize(
    "path",
    [
        "/privacy/verzoek/verstuurd/",
        "/account/wachtwoord-herstellen/MQ/wachtwoord-kiezen/",
        "/account/wachtwoord-vergeten/verstuurd/",
        "/verwerkersovereenkomst/versies/",
        "/voorwaarden/2025-01/pdf/",
        "/static/isimedia/portal.4f9c2b1a.css",
        "/beheer/privacy/datasubjectrequest/12/change/",
        # A mistyped, cut-off link opens nothing and stays readable.
        "/ntd/volgen/abc123/",
    ],
)
def test_ordinary_paths_stay_readable(path):
    assert redact(f"Not Found: {path}") == f"Not Found: {path}"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("/account/wachtwoord-herstellen/MQ/{reset}/", f"/account/wachtwoord-herstellen/MQ/{REDACTED}/"),
        ("/account/activeren/MQ/{reset}/", f"/account/activeren/MQ/{REDACTED}/"),
        ("GET /ntd/antwoord/{token} HTTP/1.1", f"GET /ntd/antwoord/{REDACTED} HTTP/1.1"),
        (
            "/account/inloggen/?next=%2Fntd%2Fvolgen%2F{token}%2F",
            f"/account/inloggen/?next=%2Fntd%2Fvolgen%2F{REDACTED}%2F",
        ),
        # An address the URLconf does not know: the random-looking segment goes all the same.
        ("/elders/{token}/", f"/elders/{REDACTED}/"),
    ],
)
def test_tokens_of_every_secret_link_are_redacted(template, expected):
    token, _hash = new_token()
    reset = "cd9f1q-0a1b2c3d4e5f60718293a4b5c6d7e8f9"  # the shape of Django's password reset tokens
    assert redact(template.format(token=token, reset=reset)) == expected


def test_an_exception_text_is_redacted():
    token, _hash = new_token()
    try:
        raise ValueError(f"no package at /privacy/pakket/{token}/")
    except ValueError:
        record = logging.getLogger("isimedia").makeRecord(
            "isimedia", logging.ERROR, __file__, 1, "Download failed.", (), exc_info=sys.exc_info()
        )
    RedactSecretsFilter().filter(record)
    text = logging.Formatter().format(record)
    assert token not in text
    assert f"/privacy/pakket/{REDACTED}/" in text


def test_celery_tasks_take_ids_never_tokens():
    """Celery logs a task's arguments when it fails or retries: ours only ever take database ids."""
    celery_app.loader.import_default_modules()  # what a worker does at start: find every app's tasks
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert ours
    for name, task in ours.items():
        parameters = [p for p in inspect.signature(task.run).parameters if p != "self"]
        assert all(p.endswith("_id") for p in parameters), (name, parameters)
