"""No text meant for users escapes translation: not in a template or Python source, not on a page, not in an e-mail.

test_translations.py checks that every string *marked* for translation has a Dutch translation; these tests find
text that was never marked, and pages or e-mails that mix the two languages.
"""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import timezone

from contracts.models import DocumentKind
from contracts.tests.documents_helpers import published_version
from contracts.tests.factories import ClientContactFactory, UserFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.tests.language import untranslated_text, visible_text, words_of_the_other_language
from isimedia.tests.staff import PortalClient
from ntd.tests.factories import decision, make_case
from privacy.tests.factories import ConfirmedRequestFactory, make_link, make_package

BASE = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE / "templates", *sorted(BASE.glob("*/templates"))]

# Text the scan may find outside {% translate %}, each with the reason it stays as it is.
ALLOWED = {
    # A command to copy into a terminal: its words are the program's own, in every language.
    (
        "contracts/signing/verify.html",
        "pyhanko sign validate --trust isimedia-certificaat.pem --trust-replace --pretty-print",
    ),
}


def _templates() -> list[tuple[Path, str]]:
    """Every template a user can meet, as (file, name under its templates folder).

    E-mail parts written per language (``body_text.nl.txt``, ``subject.en.txt``) are whole texts in one language, not
    translated strings; test_email_templates_keep_to_their_language checks those.
    """
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt") and not {".nl", ".en"} & set(path.suffixes):
                found.append((path, path.relative_to(folder).as_posix()))
    return found


def test_the_scan_reports_bare_text_and_passes_translated_text():
    # The check itself can fail: a snippet with text outside the translation tags is reported.
    snippet = """{% load i18n %}<h1>{% translate "Title" %}</h1>
        <p class="intro">Welkom op de website</p>
        <img src="{{ logo }}" alt="Logo van ISI Media">
        <a href="https://www.isimedia.nl/">{{ label }}</a> · ISI Media · &copy; 2026
        {% blocktranslate trimmed %}Hello {{ name }}{% endblocktranslate %}
        {# a comment #}{% comment %}Another comment{% endcomment %}
        <script>const greeting = "hello";</script><style>p { color: red; }</style>"""

    assert untranslated_text(snippet) == ["Welkom op de website", "Logo van ISI Media"]


def test_the_scan_ignores_text_a_child_template_never_outputs():
    snippet = """{% extends "base.html" %}{% load i18n %}
        Text outside the blocks is dropped by Django.
        {% block bodyclass %}app-ntd model-notice{% endblock %}
        {% block content %}<p>Shown to the reader</p>{% endblock %}"""

    assert untranslated_text(snippet) == ["Shown to the reader"]


def test_every_template_marks_its_text_for_translation():
    found = {}
    for path, name in _templates():
        texts = [text for text in untranslated_text(path.read_text()) if (name, text) not in ALLOWED]
        if texts:
            found[str(path.relative_to(BASE))] = texts
    assert found == {}, "Wrap this text in {% translate %} or {% blocktranslate %}, or allow it here with a reason."


def test_the_allowed_exceptions_still_exist():
    # An exception whose template changed is stale: it would silently allow the next text put in its place.
    texts = {name: untranslated_text(path.read_text()) for path, name in _templates()}
    assert [(name, text) for name, text in ALLOWED if text not in texts.get(name, [])] == []


# --- Python source -------------------------------------------------------------------------------------------------

# Arguments that reach a reader: form and model labels, admin column titles, messages, errors for forms.
USER_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "description", "empty_label"}
USER_CALLS = {"ValidationError", "NtdError", "PrivacyError", "ContractsError", "SatisfactionError"}
MESSAGE_CALLS = {"success", "error", "warning", "info", "debug", "message_user", "add_message"}
PYTHON_ALLOWED = {
    # Raised and caught within the same function, which then gives the translated message.
    ("privacy/services/requests.py", "empty"),
    ("privacy/services/requests.py", "too long"),
    ("satisfaction/services.py", "too long"),
}


def _bare(node: ast.expr) -> str:
    """The literal text of a plain string (or the literal parts of an f-string) that has words; else ""."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    else:
        return ""
    return text if re.search(r"[^\W\d_]{2,}", text) else ""


def untranslated_python(source: str) -> list[str]:
    """Plain string literals passed where a reader will see them, instead of gettext(...)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        values = [keyword.value for keyword in node.keywords if keyword.arg in USER_KEYWORDS]
        if name in USER_CALLS:
            values += node.args[:1]
        elif name in MESSAGE_CALLS:
            values += node.args[1:2]  # (request, message, ...)
        found += [text for text in map(_bare, values) if text]
    return found


def test_the_python_scan_reports_plain_strings_meant_for_users():
    snippet = """
name = forms.CharField(label="Naam", help_text=_("Your name"))
messages.success(request, f"Saved {count} items")
messages.error(request, _("Not saved"))
raise NtdError({"field": f"{error}"})
raise ValidationError("Too short")
logger.info("Not for users: %s", value)
"""
    assert untranslated_python(snippet) == ["Naam", "Saved  items", "Too short"]


def test_python_code_marks_its_text_for_translation():
    found = {}
    for path in sorted(BASE.glob("*/**/*.py")):
        relative = path.relative_to(BASE)
        if {"tests", "migrations", ".venv", "node_modules", "bench", "scripts"} & set(relative.parts):
            continue
        texts = [
            text for text in untranslated_python(path.read_text()) if (relative.as_posix(), text) not in PYTHON_ALLOWED
        ]
        if texts:
            found[relative.as_posix()] = texts
    assert found == {}, "Wrap this text in gettext() or gettext_lazy(), or allow it here with a reason."


# --- rendered pages ------------------------------------------------------------------------------------------------

LANGUAGES = ["nl", "en"]

# What the factories put in the pages below: it comes from people, in whatever language they wrote.
DATA = (
    "Marieke Jansen",
    "De foto op deze pagina is door mij gemaakt en zonder toestemming overgenomen.",
    "E-mail aan info@korenschoof.example",
    "Geen antwoord na twee weken.",
    "Bakkerij De Korenschoof",
    "Sanne de Vries",
    "Ik wil graag weten welke persoonsgegevens ISI Media van mij verwerkt.",
    "Wij hebben een licentie.",
    *(value for value in vars(decision()).values() if isinstance(value, str) and " " in value),
)


def visitor(language: str, user=None) -> PortalClient:
    """A browser set to ``language``: the switch's cookie and the browser's own Accept-Language."""
    client = PortalClient(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _documents() -> dict[str, str]:
    """The terms and the DPA, published, and the pages about them."""
    body = "## Lorem\n\n1.1 Lorem ipsum dolor sit amet.\n"
    pages = {}
    for kind in (DocumentKind.TERMS, DocumentKind.DPA):
        old = published_version(kind, label=f"{kind}-1", body=body, title="Lorem", render_pdf=False)
        new = published_version(
            kind, label=f"{kind}-2", body=body + "\n1.2 Ipsum.\n", title="Lorem", render_pdf=False,
            effective_on=timezone.localdate() + timezone.timedelta(days=60),
        )  # fmt: skip
        pages[f"{kind} now"] = reverse(f"documents:{kind}")
        pages[f"{kind} versions"] = reverse(f"documents:{kind}_archive")
        pages[f"{kind} changes"] = reverse(f"documents:{kind}_changes") + f"?van={old.label}&naar={new.label}"
        pages[f"{kind} version"] = reverse(f"documents:{kind}_version", kwargs={"label": new.label})
    return pages


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_wholly_in_the_chosen_language(language):
    pages = {
        "home": reverse("home"),
        "complaint form": reverse("ntd:index"),
        "privacy": reverse("privacy:index"),
        "privacy request form": reverse("privacy:request"),
        "privacy request sent": reverse("privacy:request_sent"),
        "feedback form": reverse("satisfaction:index"),
        "feedback thanks": reverse("satisfaction:thanks"),
        "verify a signature": reverse("contracts_signing:verify"),
        "sign in": reverse("login"),
        "forgotten password": reverse("password_reset"),
        "forgotten password sent": reverse("password_reset_done"),
        "page not found": "/deze-pagina-bestaat-niet/",
        **_documents(),
    }
    # Pages behind the links in e-mails.
    website = WebsiteFactory(host="korenschoof.example", client__name="Bakkerij De Korenschoof")
    _notice, tracking = make_case("awaiting_customer", website=website)
    pages["complaint tracking"] = reverse("ntd:track", kwargs={"token": tracking})
    forwarded = OutboxMessage.objects.get(template="ntd_customer_forwarded", to=website.client.contact_email)
    pages["client's answer"] = forwarded.body_text.split("http://testserver", 1)[1].split()[0]
    _closed, closed_tracking = make_case("taken_down", website=website)
    pages["complaint decided"] = reverse("ntd:track", kwargs={"token": closed_tracking})
    request = ConfirmedRequestFactory(
        name="Sanne de Vries", email="sanne@voorbeeld.example", description="Lorem ipsum."
    )
    pages["privacy request"] = reverse("privacy:follow", kwargs={"token": make_link(request)})
    _package, package_token = make_package(request)
    pages["privacy data package"] = reverse("privacy:package", kwargs={"token": package_token})
    pages["unknown link"] = reverse("privacy:follow", kwargs={"token": "geen-echt-token"})
    invited = UserFactory(email="nieuw@voorbeeld.example")
    invited.set_unusable_password()
    invited.save()
    from contracts.services.clients import _password_link

    pages["invitation"] = _password_link(invited, "invite_accept").removeprefix(settings.SITE_URL)

    found = {}
    for name, path in pages.items():
        response = visitor(language).get(path, follow=True)
        assert response.status_code == (404 if name in ("page not found", "unknown link") else 200), name
        page = response.content.decode()
        text = visible_text(page, language=language)
        found[name] = words_of_the_other_language(text, language, data=DATA)
        assert f'lang="{language}"' in page, name
    assert {name: words for name, words in found.items() if words} == {}


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_clients_account_pages_are_wholly_in_the_chosen_language(language):
    dpa = published_version(DocumentKind.DPA, label="dpa-1", body="## Lorem\n\n1.1 Ipsum.\n", title="Lorem")
    website = WebsiteFactory(host="korenschoof.example", client__name="Bakkerij De Korenschoof")
    contact = ClientContactFactory(client=website.client, name="Marieke Jansen")
    notice, _tracking = make_case("awaiting_customer", website=website)
    pages = {
        "account": reverse("contracts:account"),
        "DPA": reverse("contracts_signing:dpa"),
        "sign the DPA": reverse("contracts_signing:dpa_sign", kwargs={"label": dpa.label}),
        "objection": reverse("contracts_objections:objection", kwargs={"version_id": dpa.pk}),
        "complaint": reverse("ntd_account:answer", kwargs={"reference": notice.reference}),
    }
    found = {}
    for name, path in pages.items():
        response = visitor(language, contact.user).get(path, follow=True)
        assert response.status_code == 200, name
        text = visible_text(response.content.decode(), language=language)
        found[name] = words_of_the_other_language(text, language, data=(*DATA, "korenschoof.example"))
    assert {name: words for name, words in found.items() if words} == {}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_in_the_chosen_language(language):
    # An empty form back with its errors: the messages come from Python (forms, validators), not the template.
    found = {}
    for name in ("ntd:index", "privacy:request", "satisfaction:index", "login", "password_reset"):
        response = visitor(language).post(reverse(name), {})
        assert response.status_code == 200, name
        text = visible_text(response.content.decode(), language=language)
        found[name] = words_of_the_other_language(text, language)
    assert {name: words for name, words in found.items() if words} == {}


# --- e-mail templates -----------------------------------------------------------------------------------------------


def _email_parts() -> list[tuple[Path, str]]:
    return [
        (path, path.suffixes[-2].lstrip("."))
        for path in sorted((BASE / "templates" / "emails").rglob("*"))
        if len(path.suffixes) >= 2 and path.suffixes[-2] in (".nl", ".en")
    ]


def _email_source_text(path: Path) -> str:
    """All literal text of an e-mail part, in every branch of its {% if %}s (rendering would show only one)."""
    text = "".join(
        token.contents if token.token_type == TokenType.TEXT else " " for token in Lexer(path.read_text()).tokenize()
    )
    return visible_text(text) if path.suffix == ".html" else text


def test_every_email_exists_in_both_languages():
    parts = {(path.parent.name, path.name.split(".")[0]) for path, _language in _email_parts()}
    missing = [
        f"{folder}/{part}.{language}"
        for folder, part in sorted(parts)
        for language in LANGUAGES
        if not list((BASE / "templates" / "emails" / folder).glob(f"{part}.{language}.*"))
    ]
    assert missing == []


def test_email_templates_keep_to_their_language():
    found = {}
    for path, language in _email_parts():
        words = words_of_the_other_language(_email_source_text(path), language)
        if words:
            found[str(path.relative_to(BASE))] = words
    assert found == {}
