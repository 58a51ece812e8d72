"""Every public page and every e-mail, in Dutch and in English, has no serious or critical axe-core violation.

axe-core runs inside the real page (isimedia/tests/a11y.py). Each page is also saved as a screenshot artefact
(artifacts/screenshots/a11y-<page>-<language>.png), so a person can look at what the test saw.
"""

import datetime
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from contracts import services as contract_services
from contracts.models import DocumentKind
from contracts.tests.documents_helpers import published_version, published_version_backdated
from contracts.tests.factories import PASSWORD, ClientContactFactory, ClientFactory, StaffUserFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.outbox import email_queue
from isimedia.tests.a11y import assert_accessible, axe_violations
from ntd.tests.factories import make_case
from privacy.models import Relation, Right
from privacy.tests.factories import (
    ConfirmedRequestFactory,
    OfficerFactory,
    RequestFactory,
    RequestMessageFactory,
    make_link,
    make_package,
)
from privacy.tests.factories_breach import BreachFactory
from satisfaction.tests.factories import FeedbackFactory

pytestmark = pytest.mark.browser

LANGUAGES = ["nl", "en"]
BROWSER_LOCALE = {"nl": "nl-NL", "en": "en-GB"}
EMAIL_DIR = Path(settings.BASE_DIR) / "templates" / "emails"
# Every message the outbox can send: a folder with a subject (the *_parts folders hold shared snippets).
EMAIL_TEMPLATES = sorted(path.name for path in EMAIL_DIR.iterdir() if (path / "subject.nl.txt").exists())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _quick_captcha(settings):
    # A puzzle the browser solves at once, so the widget is in its resting state when axe looks at it.
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 5000


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def visitor(new_page, language):
    """A page whose browser asks for ``language``, as a visitor's does."""
    return new_page(locale=BROWSER_LOCALE[language])


@pytest.fixture
def check(screenshot, language):
    """``check(page, name)``: the page speaks ``language``, is saved as a screenshot, and passes axe."""

    def run(page, name: str, *, lang: str | None = None):
        expect(page.locator("html")).to_have_attribute("lang", lang or language)
        screenshot(page, f"a11y-{name}-{language}")
        assert_accessible(page, name=f"{name} ({language}, {page.url})")

    return run


def submit_empty(page, form: str) -> None:
    page.locator(f"{form} button[type=submit]").first.click()
    expect(page.locator('#error-summary, main [aria-invalid="true"]').first).to_be_visible()
    page.wait_for_load_state("load")


def test_the_helper_finds_a_real_violation(page):
    """A guard for the tests below: axe really runs, and reports what it should."""
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="data:,"></main></body></html>')

    violations = axe_violations(page)

    assert [violation["id"] for violation in violations] == ["image-alt"]


# --- pages anyone can open ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", "/"),
        ("ntd-form", "/ntd/"),
        ("privacy-index", "/privacy/"),
        ("privacy-form", "/privacy/verzoek/"),
        ("privacy-sent", "/privacy/verzoek/verstuurd/"),
        ("privacy-link-unknown", "/privacy/verzoek/onbekende-link/"),
        ("satisfaction-form", "/tevredenheid/"),
        ("satisfaction-thanks", "/tevredenheid/bedankt/"),
        ("verify", "/verifieer/"),
        ("login", "/account/inloggen/"),
        ("password-reset", "/account/wachtwoord-vergeten/"),
        ("password-reset-sent", "/account/wachtwoord-vergeten/verstuurd/"),
        ("not-found", "/deze-pagina-bestaat-niet/"),
    ],
)
def test_public_page(visitor, check, name, path):
    visitor.goto(path)
    if name == "satisfaction-form":
        expect(visitor.locator("altcha-widget input[type=checkbox]")).to_be_visible()

    check(visitor, name)


@pytest.mark.parametrize(
    ("name", "path", "form"),
    [
        ("ntd-form-errors", "/ntd/", "form.ntd-form"),
        ("privacy-form-errors", "/privacy/verzoek/", "main form"),
        ("satisfaction-form-errors", "/tevredenheid/", "form.satisfaction-form"),
        ("login-errors", "/account/inloggen/", "main form"),
    ],
)
def test_form_with_its_errors_shown(visitor, check, name, path, form):
    visitor.goto(path)
    if name == "login-errors":
        visitor.locator("#id_username").fill("iemand@example.nl")
        visitor.locator("#id_password").fill("niet-het-wachtwoord")
        visitor.locator(f"{form} button[type=submit]").click()
        expect(visitor.locator("main .alert-danger, main .invalid-feedback, main .errorlist").first).to_be_visible()
    else:
        submit_empty(visitor, form)

    check(visitor, name)


# --- pages behind a secret link -----------------------------------------------------------------------------------


def test_ntd_tracking_and_answer_pages(visitor, check, language):
    website = WebsiteFactory(host="korenschoof.example", client=ClientFactory(name="Bakkerij De Korenschoof B.V."))
    _received, received_token = make_case("received", language=language)
    _taken_down, taken_down_token = make_case("taken_down", website=website, language=language)
    _rejected, rejected_token = make_case("rejected_incomplete", language=language)
    awaiting, _token = make_case("awaiting_customer", website=website, language=language)
    forwarded = OutboxMessage.objects.filter(template="ntd_customer_forwarded", subject__contains=awaiting.reference)
    answer_path = urlsplit(re.search(r"https?://\S+/ntd/antwoord/\S+/", forwarded.get().body_text).group(0)).path

    for name, token in (
        ("ntd-tracking-received", received_token),
        ("ntd-tracking-taken-down", taken_down_token),
        ("ntd-tracking-rejected", rejected_token),
    ):
        visitor.goto(f"/ntd/volgen/{token}/")
        check(visitor, name)

    # The client's page follows the client's language, not the browser's.
    visitor.goto(answer_path)
    client_language = visitor.locator("html").get_attribute("lang")
    check(visitor, "ntd-answer", lang=client_language)
    submit_empty(visitor, "main form")
    check(visitor, "ntd-answer-errors", lang=client_language)


def test_privacy_pages_behind_their_links(visitor, check, language):
    unconfirmed = RequestFactory(language=language)
    confirmed = ConfirmedRequestFactory(
        language=language, right=Right.ERASURE, relation=Relation.HOSTED_SITE, hosted_url="https://www.bakkerij.example"
    )
    RequestMessageFactory(request=confirmed, author=OfficerFactory())
    completed = ConfirmedRequestFactory(language=language)
    _package, package_token = make_package(completed)

    visitor.goto(f"/privacy/verzoek/{make_link(unconfirmed)}/")
    check(visitor, "privacy-confirm")
    visitor.goto(f"/privacy/verzoek/{make_link(confirmed)}/")
    check(visitor, "privacy-follow")
    visitor.goto(f"/privacy/pakket/{package_token}/")
    check(visitor, "privacy-package")


# --- terms, DPA and the client account ----------------------------------------------------------------------------


@pytest.fixture
def documents():
    """For both documents: a superseded version, the one in force (with its PDF) and one announced for later."""
    versions = {}
    for kind in (DocumentKind.TERMS, DocumentKind.DPA):
        published_version_backdated(
            kind=kind, label="2018-05", effective_on=datetime.date(2018, 5, 10), render_pdf=False
        )
        current = published_version_backdated(
            kind=kind,
            label="2024-01",
            effective_on=datetime.date(2024, 1, 1),
            body="## Artikel 1 Meldingen\n\n1.1 Wij melden een datalek binnen 48 uur.\n\n1.2 Dit blijft gelijk.\n",
        )
        later = published_version(
            kind=kind,
            label="2027-06",
            effective_on=timezone.localdate() + datetime.timedelta(days=120),
            body="## Artikel 1 Meldingen\n\n1.1 Wij melden een datalek binnen 24 uur.\n",
            summary="Datalekken melden wij voortaan binnen 24 uur.",
            render_pdf=False,
        )
        versions[kind] = (current, later)
    return versions


@pytest.mark.parametrize(("kind", "prefix"), [(DocumentKind.TERMS, "voorwaarden"), (DocumentKind.DPA, "dpa")])
def test_document_pages(visitor, check, documents, kind, prefix):
    base = "/voorwaarden" if kind == DocumentKind.TERMS else "/verwerkersovereenkomst"
    for name, path in (
        ("current", f"{base}/"),
        ("archive", f"{base}/versies/"),
        ("changes", f"{base}/wijzigingen/"),
        ("version", f"{base}/2018-05/"),
    ):
        visitor.goto(path)
        check(visitor, f"{prefix}-{name}")


def log_in(page, email: str) -> None:
    page.goto("/account/inloggen/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


def test_client_account_pages(visitor, check, language, documents):
    contact = ClientContactFactory(
        client__name="Bakkerij De Korenschoof B.V.",
        client__language=language,
        user__language=language,
        name="Jan Jansen",
    )
    website = WebsiteFactory(client=contact.client, host="korenschoof.example")
    notice, _token = make_case("awaiting_customer", website=website, language=language)
    later = documents[DocumentKind.DPA][1]

    log_in(visitor, contact.user.email)
    check(visitor, "account")
    visitor.goto("/account/verwerkersovereenkomst/")
    check(visitor, "account-dpa")
    visitor.goto("/account/verwerkersovereenkomst/ondertekenen/2024-01/")
    check(visitor, "account-dpa-sign")
    submit_empty_or_refused = visitor.locator("main form button[type=submit]").first
    submit_empty_or_refused.click()
    expect(visitor.locator("main .invalid-feedback, main .alert-danger").first).to_be_visible()
    check(visitor, "account-dpa-sign-errors")
    visitor.goto(f"/account/bezwaar/{later.pk}/")
    check(visitor, "account-objection")
    visitor.goto(f"/account/klachten/{notice.reference}/")
    check(visitor, "account-complaint")


def test_invitation_and_password_reset_pages(visitor, check, language):
    customer = ClientFactory(name="Bakkerij De Korenschoof B.V.", language=language)
    contract_services.client_contact_invite(
        client=customer,
        email="jan@korenschoof.example",
        name="Jan Jansen",
        language=language,
        invited_by=StaffUserFactory(),
    )
    invite = OutboxMessage.objects.get(template="client_invite").body_text
    visitor.goto(urlsplit(re.search(r"https?://\S+/account/activeren/\S+/", invite).group(0)).path)
    check(visitor, "account-activate")

    contact = ClientContactFactory(client=customer, user__language=language, name="Els de Boer")
    visitor.goto("/account/wachtwoord-vergeten/")
    visitor.locator("#id_email").fill(contact.user.email)
    visitor.locator("main form button[type=submit]").click()
    expect(visitor).to_have_url(re.compile(r"/verstuurd/$"))
    reset = OutboxMessage.objects.get(template="password_reset").body_text
    visitor.goto(urlsplit(re.search(r"https?://\S+/account/wachtwoord-herstellen/\S+/", reset).group(0)).path)
    expect(visitor.locator("#id_new_password1")).to_be_visible()
    check(visitor, "password-reset-confirm")


# --- e-mails ------------------------------------------------------------------------------------------------------

# Rules that do not apply to an e-mail's HTML. A mail client shows the message inside its own page, with its own
# landmarks and headings, so the message has no <main>, no landmark regions and no <h1> of its own (the subject is
# its title); asking for them would make every e-mail fail for something a reader never meets. All three are
# "moderate" anyway; they are switched off so that the report does not depend on that.
EMAIL_RULES_OFF = ("region", "landmark-one-main", "page-has-heading-one")


class _Discard(Exception):
    """Rolls back an e-mail that was rendered only to be looked at."""


def rendered_email(template: str, language: str, context: dict) -> str:
    """The HTML part exactly as the outbox makes it; the message row is rolled back, so nothing is ever sent."""
    html = ""
    try:
        with transaction.atomic():
            html = email_queue(
                template=template, to="ontvanger@example.nl", language=language, context=context
            ).body_html
            raise _Discard
    except _Discard:
        return html


def email_context(language: str) -> dict:
    """Everything any e-mail template uses, made of real objects from the services and factories."""
    website = WebsiteFactory(host="korenschoof.example", client=ClientFactory(name="Bakkerij De Korenschoof B.V."))
    notice, tracking_token = make_case(
        "taken_down",
        website=website,
        language=language,
        complainant_organisation="Fotostudio Jansen",
        urls=["https://www.korenschoof.example/recepten/gestolen-foto", "https://www.korenschoof.example/over-ons"],
    )
    overdue_notice, _token = make_case("under_assessment", website=website, language=language)
    request = ConfirmedRequestFactory(
        language=language,
        right=Right.ERASURE,
        relation=Relation.HOSTED_SITE,
        hosted_url="https://www.korenschoof.example/team",
    )
    package, package_token = make_package(request)
    version = published_version(
        kind=DocumentKind.DPA,
        label="2027-06",
        effective_on=timezone.localdate() + datetime.timedelta(days=120),
        summary="Datalekken melden wij voortaan binnen 24 uur.",
        render_pdf=False,
    )
    site = settings.SITE_URL
    reminder_item = {
        "request": request,
        "days_overdue": 2,
        "status": {"working_days_left": 1},
        "admin_url": f"{site}/{settings.ADMIN_URL}privacy/datasubjectrequest/{request.pk}/change/",
    }
    return {
        "notice": notice,
        "client": website.client,
        "statement": notice.statement_of_reasons,
        "tracking_url": f"{site}/ntd/volgen/{tracking_token}/",
        "answer_url": f"{site}/ntd/antwoord/voorbeeld-link/",
        "refile_url": f"{site}/ntd/",
        "admin_url": f"{site}/{settings.ADMIN_URL}ntd/notice/{notice.pk}/change/",
        "admin_base": site,
        "notices": [overdue_notice],
        "emergency_reason": "Er wordt met geweld gedreigd.",
        "request": request,
        "request_url": f"{site}/privacy/verzoek/voorbeeld-link/",
        "upload_url": f"{site}/privacy/verzoek/voorbeeld-link/bestanden/",
        "package": package,
        "package_url": f"{site}/privacy/pakket/{package_token}/",
        "proposer": OfficerFactory(first_name="Eva", last_name="Bos"),
        "note": "Wij hebben de website-eigenaar gevraagd de pagina aan te passen.",
        "message": "Kunt u aangeven over welke website uw verzoek gaat?",
        "kind": "identity",
        "files": ["paspoort-gemaskeerd.pdf"],
        "with_note": True,
        "erased": [{"label": "NTD-meldingen", "action": "anonymised", "reason": ""}],
        "kept": [{"label": "Facturen", "reason": "Fiscale bewaarplicht van 7 jaar (art. 52 AWR)."}],
        "overdue": [reminder_item],
        "due_soon": [reminder_item],
        "working_days": 2,
        "valid_days": 7,
        "valid_hours": 48,
        "valid_until": timezone.now() + datetime.timedelta(days=7),
        "previous_due_on": timezone.localdate(),
        "breach": BreachFactory(affected_clients=[website.client]),
        "categories": ["Contactgegevens (naam, e-mailadres, telefoonnummer)"],
        "privacy_email": settings.PRIVACY_EMAIL,
        "contact_name": "Jan Jansen",
        "contact_email": "jan@korenschoof.example",
        "client_name": website.client.name,
        "company_name": website.client.name,
        "kvk_number": website.client.kvk_number,
        "name": "Jan Jansen",
        "link": f"{site}/account/activeren/MQ/voorbeeld-token/",
        "login_url": f"{site}/account/inloggen/",
        "account_url": f"{site}/account/",
        "has_password": False,
        "version": version,
        "is_dpa": True,
        "title": version.title,
        "label": version.label,
        "version_label": version.label,
        "version_title": version.title,
        "previous_label": "2024-01",
        "summary": version.summary,
        "effective_on": version.effective_on,
        "version_url": f"{site}/verwerkersovereenkomst/{version.label}/",
        "changes_url": f"{site}/verwerkersovereenkomst/wijzigingen/",
        "verify_url": f"{site}/verifieer/",
        "signer_name": "Jan Jansen",
        "accepted_at": timezone.now(),
        "evidence_sha": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "objection": {"text": "Wij kunnen niet binnen 24 uur reageren in het weekend.", "pk": 1},
        "feedback": FeedbackFactory(unhappy=True, contact=True),
        "count": 3,
    }


def test_every_email_html(page, language, screenshot):
    context = email_context(language)
    failures = []
    for template in EMAIL_TEMPLATES:
        html = rendered_email(template, language, context)
        assert html.lstrip().startswith("<!DOCTYPE html>"), template
        page.set_content(html)
        expect(page.locator("html")).to_have_attribute("lang", language)
        violations = axe_violations(page, disable_rules=EMAIL_RULES_OFF)
        if violations:
            screenshot(page, f"a11y-email-{template}-{language}")
            failures.append(f"{template} ({language}):\n" + "\n".join(v["id"] + ": " + v["help"] for v in violations))
        elif template in {"ntd_received", "client_invite", "ntd_customer_taken_down", "password_reset"}:
            # One of each kind of layout: plain text set in the base, and the messages with HTML of their own.
            screenshot(page, f"a11y-email-{template}-{language}")

    assert not failures, "axe found serious or critical violations in e-mails:\n" + "\n".join(failures)
