"""Response headers: a Content Security Policy without inline scripts, framing refused, no sniffing, a referrer policy,
HTTP-only cookies; templates that carry no inline script; and real pages that run under the policy without a
violation (the ALTCHA widget's workers, the admin's date picker and autocomplete included)."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from contracts.tests.factories import PASSWORD, ClientFactory, UserFactory
from isimedia.tests.staff import admin_login

BASE_DIR = Path(settings.BASE_DIR)
ADMIN = "/" + settings.ADMIN_URL

PUBLIC_PAGES = [
    "/",
    "/ntd/",
    "/privacy/",
    "/privacy/verzoek/",
    "/tevredenheid/",
    "/voorwaarden/",
    "/verwerkersovereenkomst/",
    "/verifieer/",
    "/account/inloggen/",
    "/account/wachtwoord-vergeten/",
    "/healthz",
    "/api/openapi.json",
    "/api/ntd/notices/",
    "/deze-pagina-bestaat-niet/",
    ADMIN + "login/",
]
ADMIN_PAGES = [
    ADMIN,
    ADMIN + "isimedia/closingday/add/",
    ADMIN + "ntd/notice/",
    ADMIN + "privacy/datasubjectrequest/",
    ADMIN + "privacy/breach/add/",
    ADMIN + "satisfaction/feedback/",
]
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} has no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_secure_headers(response) -> None:
    path = response.request["PATH_INFO"]
    csp = policy(response)
    assert csp["script-src"] == ["'self'"], path
    assert csp["default-src"] == ["'self'"], path
    assert csp["object-src"] == ["'none'"], path
    assert csp["base-uri"] == ["'self'"], path
    assert csp["form-action"] == ["'self'"], path
    assert csp["frame-ancestors"] == ["'none'"], path
    assert "'unsafe-eval'" not in " ".join(source for sources in csp.values() for source in sources), path
    assert response.headers["X-Frame-Options"] == "DENY", path
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    # The default; only downloads behind a secret link send "no-referrer" (their own tests check that).
    assert response.headers["Referrer-Policy"] == "same-origin", path
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", path


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_and_the_api_send_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code < 500 or path == "/healthz", (path, response.status_code)
    assert_secure_headers(response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_send_the_security_headers(client, path):
    client.force_login(UserFactory(email="root@example.nl", is_staff=True, is_superuser=True))
    response = client.get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    assert_secure_headers(response)


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_http_only(client):
    login = client.get(reverse("login"))
    assert login.cookies[settings.CSRF_COOKIE_NAME]["httponly"] is True
    user = UserFactory(email="klant@example.nl")

    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"] is True
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


def test_production_settings_pass_the_deploy_check_with_hsts_and_secure_cookies():
    """The same throwaway variables as `make test`; the child process loads the production settings for real."""
    from cryptography.fernet import Fernet

    # Not the test run's own environment: it sets DJANGO_ALLOW_ASYNC_UNSAFE, which the deploy check rightly refuses.
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "isimedia.settings.production",
        "DJANGO_SECRET_KEY": "throwaway-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "portal.example.nl",
        "SITE_URL": "https://portal.example.nl",
        "EMAIL_URL": "smtp+tls://relay.example.nl:587",
        "SATISFACTION_CAPTCHA_HMAC_KEY": "throwaway-captcha-key",
        "PRIVACY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    script = (
        "import json, django; django.setup()\n"
        "from django.conf import settings as s; from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "names = ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',\n"
        "         'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY',\n"
        "         'CONTENT_SECURITY_POLICY']\n"
        "print('SETTINGS=' + json.dumps({name: getattr(s, name) for name in names}))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
    values = json.loads(result.stdout.split("SETTINGS=", 1)[1])
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    for name in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY"):
        assert values[name] is True, name
    assert values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"] == ["'self'"]


# --- templates ----------------------------------------------------------------------------------------------------


class _InlineCodeFinder(HTMLParser):
    """Collects inline executable <script> blocks, on*= event handlers and javascript: addresses in one template."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "script" and "src" not in values:
            kind = values.get("type", "").strip().lower()
            if kind not in JSON_SCRIPT_TYPES:
                self.problems.append(f"line {line}: inline <script{' type=' + kind if kind else ''}>")
        for name, value in values.items():
            if re.fullmatch(r"on[a-z]+", name):
                self.problems.append(f"line {line}: event handler {name}= on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"line {line}: javascript: address in {name}= on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(text: str) -> list[str]:
    finder = _InlineCodeFinder()
    finder.feed(text)
    finder.close()
    return finder.problems


def template_files() -> list[Path]:
    folders = [BASE_DIR / "templates"] + [BASE_DIR / app / "templates" for app in ("isimedia", *APPS)]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


APPS = ("contracts", "ntd", "privacy", "satisfaction")


def test_the_template_scanner_finds_inline_code():
    assert inline_code("<p>{% if x %}<script>alert(1)</script>{% endif %}</p>") == ["line 1: inline <script>"]
    assert inline_code('<script type="module">import "x";</script>') == ["line 1: inline <script type=module>"]
    assert inline_code('<button type="button"\n onclick="go()">Go</button>') == [
        "line 1: event handler onclick= on <button>"
    ]
    assert inline_code('<a href="javascript:go()">Go</a>') == ["line 1: javascript: address in href= on <a>"]
    assert inline_code('<img src="x.png" onerror="go()"/>') == ["line 1: event handler onerror= on <img>"]
    harmless = (
        '<script src="{% static "js/a.js" %}" defer></script>'
        '<script type="application/json" id="d">{"a": 1}</script>'
        '<a href="/x" data-on="1" class="online">x</a>'
    )
    assert inline_code(harmless) == []


def test_no_template_has_an_inline_script_or_event_handler():
    files = template_files()
    assert len(files) > 50
    found = {
        str(path.relative_to(BASE_DIR)): problems
        for path in files
        if (problems := inline_code(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "The Content Security Policy blocks inline code; move it to a file under static/js/."


# --- real pages under the policy --------------------------------------------------------------------------------


@pytest.fixture
def csp_page(new_page, page_watch):
    """A page under the shared page watch, which fails the test on any CSP violation (isimedia.tests.browser);
    ``csp_page.violations()`` lists those reported so far, for an assertion that names the page."""
    page = new_page()
    page.violations = lambda: list(page_watch.csp_violations)
    return page


def admin_log_in(page) -> None:
    UserFactory(email="beheer@example.nl", is_staff=True, is_superuser=True)
    admin_login(page, "beheer@example.nl", PASSWORD, path=ADMIN)
    expect(page.locator("#site-name")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/ntd/", "/privacy/verzoek/", "/account/inloggen/"])
def test_public_pages_run_without_a_policy_violation(csp_page, path):
    csp_page.goto(path)
    expect(csp_page.locator("main")).to_be_visible()
    csp_page.wait_for_load_state("networkidle")
    assert csp_page.violations() == []


@pytest.mark.browser
def test_the_captcha_widget_solves_its_puzzle_in_a_worker_under_the_policy(csp_page, settings):
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 5000
    csp_page.goto("/tevredenheid/")
    widget = csp_page.locator("altcha-widget")

    widget.get_by_role("checkbox").click()

    expect(csp_page.locator('form.satisfaction-form input[name="altcha"]')).not_to_have_value("", timeout=20_000)
    assert csp_page.violations() == []


@pytest.mark.browser
def test_the_admin_date_picker_and_autocomplete_work_under_the_policy(csp_page):
    ClientFactory(name="Bakkerij de Vries")
    admin_log_in(csp_page)

    csp_page.goto(ADMIN + "isimedia/closingday/add/")
    # The admin's own calendar (DateTimeShortcuts.js) adds its "Today" link and calendar button.
    csp_page.get_by_role("link", name=re.compile("^(Vandaag|Today)$")).click()
    expect(csp_page.locator("#id_date")).not_to_have_value("")
    csp_page.locator(".date-icon").first.click()
    expect(csp_page.locator(".calendarbox").first).to_be_visible()

    csp_page.goto(ADMIN + "privacy/breach/add/")
    # The autocomplete (select2) asks the admin for clients while one types.
    csp_page.locator(".select2-selection").first.click()
    csp_page.locator(".select2-search__field").fill("Bakkerij")
    expect(csp_page.locator(".select2-results__option", has_text="Bakkerij de Vries")).to_be_visible()

    assert csp_page.violations() == []


@pytest.mark.browser
def test_the_policy_blocks_an_injected_inline_script_and_the_watch_sees_it(csp_page, page_watch):
    """The self-check of the watch every browser test runs under: an inline script is blocked and reported, both by
    the page's securitypolicyviolation event and by the browser's console. The test takes the violations it caused
    on purpose, so they do not fail it."""
    csp_page.goto("/")
    csp_page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true;";
          document.body.appendChild(script);
        }"""
    )

    assert csp_page.evaluate("window.__ran === true") is False
    violations = page_watch.take_csp_violations(csp_page)
    csp_page.wait_for_timeout(300)  # the second report of the same block (event or console) follows the first
    violations += page_watch.take_csp_violations()
    assert any("script-src-elem blocked inline" in violation for violation in violations), violations
    assert any("Content Security Policy directive 'script-src" in violation for violation in violations), violations
    assert page_watch.failures() == []


@pytest.mark.browser
def test_the_watch_sees_a_violation_inside_a_worker(csp_page, page_watch):
    """Workers (the captcha's) have no document to send the event from; the watch listens inside each worker."""
    csp_page.goto("/")
    with csp_page.expect_worker():
        csp_page.evaluate(
            """() => {
              const source = "onmessage = () => { try { eval('1'); } catch (error) {} };";
              window.__worker = new Worker(URL.createObjectURL(new Blob([source], {type: "text/javascript"})));
            }"""
        )

    csp_page.evaluate("window.__worker.postMessage('go')")

    violations = page_watch.take_csp_violations(csp_page)
    assert any("violation in a worker: script-src blocked eval" in violation for violation in violations), violations


@pytest.mark.browser
def test_the_admin_case_pages_with_action_panels_run_under_the_policy(csp_page):
    from ntd.tests.factories import make_case
    from privacy.tests.factories import ConfirmedRequestFactory
    from privacy.tests.factories_breach import BreachFactory
    from satisfaction.tests.factories import FeedbackFactory

    pages = {
        "ntd/notice": make_case("received")[0].pk,
        "privacy/datasubjectrequest": ConfirmedRequestFactory().pk,
        "privacy/breach": BreachFactory().pk,
        "satisfaction/feedback": FeedbackFactory(unhappy=True, contact=True).pk,
        "contracts/client": ClientFactory().pk,
    }
    admin_log_in(csp_page)

    for model, pk in pages.items():
        csp_page.goto(f"{ADMIN}{model}/{pk}/change/")
        expect(csp_page.locator("#content")).to_be_visible()
        csp_page.wait_for_load_state("networkidle")
        assert csp_page.violations() == [], model
