"""Tools for the language tests: find template text that is not marked for translation, and tell Dutch from English.

Both work on parsed input, not on regular expressions over raw HTML: Django's own template lexer splits a template
into text, variables and tags, and Python's html.parser finds the text a reader sees in what is left (or in a page).
"""

import re
from html.parser import HTMLParser

from django.template.base import Lexer, TokenType

# Stands in for every variable and tag, so the HTML around them still parses ("<a href="{% url 'x' %}">").
PLACEHOLDER = "\ue000"

# Template blocks whose content is not shown as untranslated text: translated as a whole, or never output.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}
# {% block %}s that hold CSS class names, not prose (Django admin's body and column classes).
NON_TEXT_BLOCKS = {"bodyclass", "coltype"}

# Attributes a reader sees or hears (tooltips, alternative text, screen-reader labels).
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription", "label"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# Names and strings that are the same in every language.
BRANDS = ["ISI Media", "ALTCHA", "pyHanko", "PDF", "CSV", "NTD", "CSAT", "KvK", "SHA-256", "TOTP"]

WORD = re.compile(r"[^\W\d_]{2,}")
ADDRESSES = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+")


def _untranslated_source(source: str) -> str:
    """The template with every tag and variable replaced by PLACEHOLDER and translated or hidden text left out."""
    parts: list[str] = []
    closing = None
    extends = False
    block_depth = 0
    hidden_depth = 0  # inside a {% block %} listed in NON_TEXT_BLOCKS
    for token in Lexer(source).tokenize():
        words = token.contents.split() if token.token_type == TokenType.BLOCK else []
        name = words[0] if words else ""
        if closing:
            if name == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            # In a template that extends another, only the text inside {% block %}s is ever output.
            if (not extends or block_depth) and not hidden_depth:
                parts.append(token.contents)
            continue
        if name in SKIPPED_BLOCKS:
            closing = SKIPPED_BLOCKS[name]
        elif name == "extends":
            extends = True
        elif name == "block":
            block_depth += 1
            if hidden_depth or (len(words) > 1 and words[1] in NON_TEXT_BLOCKS):
                hidden_depth += 1
        elif name == "endblock":
            block_depth -= 1
            hidden_depth = max(hidden_depth - 1, 0)
        parts.append(PLACEHOLDER)
    return "".join(parts)


class _TextCollector(HTMLParser):
    """The text a reader meets: element content outside <script>/<style>, and the visible attributes.

    With ``language`` set, text inside an element marked with another ``lang`` (the language switch's "English" on a
    Dutch page) is left out: it is meant to be in that other language.
    """

    def __init__(self, language: str = ""):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.texts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, whether its text is skipped)

    def _skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = (values.get("lang") or "").split("-")[0]
        skip = (
            self._skipping()
            or tag in ("script", "style", "template")
            or bool(self.language and lang and lang != self.language)
        )
        if not skip:
            for name, value in attrs:
                if value and name in VISIBLE_ATTRIBUTES:
                    self.texts.append(value)
            if tag == "input" and values.get("type") in ("submit", "button", "reset") and values.get("value"):
                self.texts.append(values["value"])
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element; a stray end tag changes nothing.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.texts.append(data)


def _collect(html: str, language: str = "") -> list[str]:
    collector = _TextCollector(language)
    collector.feed(html)
    collector.close()
    return [" ".join(text.replace(PLACEHOLDER, " ").split()) for text in collector.texts]


def _has_words(text: str) -> bool:
    text = ADDRESSES.sub(" ", text)
    for brand in BRANDS:
        text = text.replace(brand, " ")
    return bool(WORD.search(text))


def untranslated_text(source: str) -> list[str]:
    """Every piece of text in a template's source that a reader would see untranslated."""
    return [text for text in _collect(_untranslated_source(source)) if _has_words(text)]


def visible_text(html: str, *, language: str = "") -> str:
    """The text of a rendered page or e-mail as a reader meets it, one space between pieces."""
    return " ".join(text for text in _collect(html, language) if text)


# Common words of one language that the other does not use: a page meant to be in one language that contains one of
# the other's is (partly) untranslated. Word-boundary matches, case-insensitive.
DUTCH_ONLY = [
    "de",
    "het",
    "een",
    "en",
    "van",
    "uw",
    "wij",
    "niet",
    "voor",
    "naar",
    "bij",
    "met",
    "deze",
    "wordt",
    "zijn",
]
ENGLISH_ONLY = ["the", "your", "please", "submit", "with", "which"]
OTHER_LANGUAGE_WORDS = {"en": DUTCH_ONLY, "nl": ENGLISH_ONLY}


def words_of_the_other_language(text: str, language: str, *, data: tuple[str, ...] = ()) -> list[str]:
    """The words in ``text`` that belong to the language other than ``language``, with some context each.

    ``data`` are values that came from people (names, what a complainant typed): they are left out.
    """
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = ADDRESSES.sub(" ", text)  # "?van=…&naar=…" in a link is not prose
    words = OTHER_LANGUAGE_WORDS[language]
    pattern = re.compile(r"\b(" + "|".join(words) + r")\b", re.IGNORECASE)
    return [
        f"{match.group(1)!r} in …{text[max(match.start() - 40, 0) : match.end() + 40]}…"
        for match in pattern.finditer(text)
    ]
