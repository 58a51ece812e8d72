"""Pytest plugin: Debian's headless Chromium, driven by Playwright, against pytest-django's live server.

Fixtures:
- ``browser`` (session): one Chromium for the whole run, with a fresh temporary profile.
- ``new_page`` (function): a factory ``new_page(locale="nl-NL", viewport=...)`` that opens a page in a new browser
  context whose base URL is the live server, so ``page.goto("/ntd/")`` works.
- ``page`` (function): ``new_page()`` with the defaults: Dutch, 1280x900.
- ``screenshot`` (function): ``screenshot(page, "home-nl")`` saves a full-page PNG under ``artifacts/screenshots/``
  and returns its path.
- ``page_watch`` (function): what the test's pages did; a test that provokes a CSP violation on purpose takes it with
  ``page_watch.take_csp_violations(page)``, so it does not fail the test.

Every context blocks and records requests to any host but the live server, and the test fails if there was one:
complainants must be able to trust that the portal sends nothing about them to a third party. It also fails on an
uncaught JavaScript error, on a stylesheet, script, image or font the live server could not serve, and on a
Content Security Policy violation (the securitypolicyviolation event, in pages and in workers, or the browser's console
error about it): a blocked script, style or worker is a feature that silently does not work.
"""

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API keeps an asyncio loop running in the test thread from the moment it starts until the session
# ends, and Django's ORM refuses to run in a thread with a running loop. The tests and the live server use the ORM
# synchronously and never share a connection with async code, so the check is switched off for the whole run (it
# would otherwise also hit every non-browser test that runs after the first browser test).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
# Also usable in tests: new_page(viewport=PHONE_VIEWPORT).
PHONE_VIEWPORT = {"width": 360, "height": 780}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
ASSET_TYPES = {"stylesheet", "script", "image", "font"}
_WATCH_KEY = pytest.StashKey["_PageWatch"]()
CSP_BINDING = "__pageWatchCspViolation"
# Runs in every frame before any script of the page.
REPORT_CSP_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  window.{CSP_BINDING}(
    event.effectiveDirective + " blocked " + (event.blockedURI || "inline")
      + (event.sourceFile ? " (" + event.sourceFile + ":" + event.lineNumber + ")" : "")
  );
}});
"""
# Workers get no init script, and Chromium does not pass a worker's own CSP reports on to Playwright: the watch adds
# this to each worker as it starts, and it turns a violation into a console error, which Playwright does pass on. A
# violation in the very first lines of a worker's script can come before it and go unseen; a worker that does its work
# on a message (the captcha's) is covered.
REPORT_WORKER_CSP_VIOLATIONS = """
self.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation in a worker: " + event.effectiveDirective + " blocked "
    + (event.blockedURI || "inline"));
});
"""


def save_screenshot(page, name: str) -> Path:
    """Save a full-page PNG of ``page`` as artifacts/screenshots/<name>.png and return its path."""
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "screenshot"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    yield playwright
    playwright.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    """Debian's Chromium, headless; missing Chromium is a failure, not a skip, because CI installs it."""
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        pytest.fail(
            f"Chromium was not found at {CHROMIUM_PATH}. The browser tests need Debian's chromium package "
            "(apt-get install chromium), or set CHROMIUM_PATH to another Chromium binary.",
            pytrace=False,
        )
    # Playwright refuses a --user-data-dir argument with launch(); it gives every launch a fresh temporary profile
    # of its own and deletes it on close, so no state from an earlier run can leak in.
    browser = _playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class _PageWatch:
    """What the pages of one test did that should fail it: off-site requests, JS errors, missing assets."""

    def __init__(self, server_url: str):
        server = urlsplit(server_url)
        self.server_port = server.port
        self.server_scheme = server.scheme
        self.offsite: list[str] = []
        self.page_errors: list[str] = []
        self.broken_assets: list[str] = []
        self.csp_violations: list[str] = []
        self.reported = False

    def is_live_server(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return (
            parts.scheme == self.server_scheme and parts.hostname in LOOPBACK_HOSTS and parts.port == self.server_port
        )

    def record_offsite(self, url: str) -> None:
        if url not in self.offsite:
            self.offsite.append(url)

    def on_route(self, route):
        url = route.request.url
        if self.is_live_server(url):
            route.continue_()
        else:
            self.record_offsite(url)
            route.abort("blockedbyclient")

    def on_request(self, request):
        # Some requests (the favicon, for one) bypass routing; the request event still sees them.
        if not self.is_live_server(request.url):
            self.record_offsite(request.url)

    def on_response(self, response):
        if response.status >= 400 and response.request.resource_type in ASSET_TYPES:
            self.broken_assets.append(f"{response.status} {response.url}")

    def on_console(self, message):
        # Chromium reports every CSP block in a page as a console error ("Refused to load ...", "Executing inline
        # script violates the following Content Security Policy directive ..."; the wording changes between versions).
        if message.type == "error" and ("Refused to" in message.text or "Content Security Policy" in message.text):
            self.csp_violations.append(f"{message.page.url if message.page else 'worker'}: {message.text}")

    def on_worker(self, worker):
        from playwright.sync_api import Error

        # A worker that ended at once has nothing left to watch.
        with contextlib.suppress(Error):
            worker.evaluate(REPORT_WORKER_CSP_VIOLATIONS)

    def on_csp_violation(self, source, text: str):
        self.csp_violations.append(f"{source['page'].url}: {text}")

    def take_csp_violations(self, page=None, *, timeout: float = 5_000) -> list[str]:
        """The CSP violations reported so far, which then no longer fail the test. With ``page``, waits up to
        ``timeout`` ms for the first one (reports arrive asynchronously)."""
        waited = 0
        while page is not None and not self.csp_violations and waited < timeout:
            page.wait_for_timeout(50)
            waited += 50
        taken, self.csp_violations = self.csp_violations, []
        return taken

    def on_websocket(self, websocket):
        if not self.is_live_server(websocket.url.replace("ws", "http", 1)):
            self.record_offsite(websocket.url)

    def failures(self) -> list[str]:
        problems = []
        if self.offsite:
            problems.append("requests to a host other than the live server:\n  " + "\n  ".join(self.offsite))
        if self.page_errors:
            problems.append("uncaught JavaScript errors:\n  " + "\n  ".join(self.page_errors))
        if self.broken_assets:
            problems.append("assets the live server could not serve:\n  " + "\n  ".join(self.broken_assets))
        if self.csp_violations:
            problems.append("Content Security Policy violations:\n  " + "\n  ".join(self.csp_violations))
        return problems


def _fail_with(watch: _PageWatch) -> None:
    watch.reported = True
    pytest.fail("The browser test broke the portal's rules:\n" + "\n".join(watch.failures()), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test itself (not only its teardown) when its pages broke a rule."""
    result = yield
    watch = item.stash.get(_WATCH_KEY, None)
    if watch is not None and watch.failures():
        _fail_with(watch)
    return result


@pytest.fixture
def new_page(request, browser, live_server):
    """Factory: ``new_page(locale="nl-NL", viewport=None, **context_options)`` opens a page in a fresh context."""
    watch = _PageWatch(live_server.url)
    request.node.stash[_WATCH_KEY] = watch
    contexts = []

    def open_page(locale: str = "nl-NL", viewport: dict | None = None, **context_options):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport=viewport or DESKTOP_VIEWPORT,
            service_workers="block",
            **context_options,
        )
        context.set_default_timeout(10_000)
        context.route("**/*", watch.on_route)
        context.on("request", watch.on_request)
        context.on("response", watch.on_response)
        context.on("console", watch.on_console)
        context.expose_binding(CSP_BINDING, watch.on_csp_violation)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: watch.page_errors.append(f"{page.url}: {error}"))
        page.on("websocket", watch.on_websocket)
        page.on("worker", watch.on_worker)
        return page

    yield open_page

    for context in contexts:
        context.close()
    # Normally reported by pytest_runtest_call; this catches what happened after the test body.
    if watch.failures() and not watch.reported:
        _fail_with(watch)


@pytest.fixture
def page_watch(request, new_page) -> _PageWatch:
    """The watch over this test's pages (see the module docstring)."""
    return request.node.stash[_WATCH_KEY]


@pytest.fixture
def page(new_page):
    """A page in Dutch at desktop width, in a fresh context on the live server."""
    return new_page()


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` saves a full-page PNG under artifacts/screenshots/ and returns its path."""
    return save_screenshot
