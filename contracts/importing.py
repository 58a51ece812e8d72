"""Turn a terms or DPA text into the Markdown a version stores.

A Markdown file is taken as it is. A plain-text file, as copied from a website or a word processor, is read line by
line and its structure written out as Markdown:

- article headings (``Artikel 3 Verwerking``, ``Artikel 3. Verwerking``, ``3. Verwerking``, `` 1. Verwerking``)
  become ``## Artikel 3 Verwerking``. Copies of web pages often number every heading "1." (a list per heading);
  the number then follows from the clauses below it (``3.1``) or from the heading before it;
- clauses (``3.1 …``, ``3.1. …``) become paragraphs that start with their number; in texts that number clauses
  per article (``1. …`` under article 2) the number becomes ``2.1``;
- lettered items (``a. …``) stay paragraphs with their letter;
- bullets (``•``, ``-``, ``*``, an en dash) become a Markdown list, numbered items outside articles an ordered list;
- a definition (a short term on its own line followed by its explanation) in a definitions article becomes a
  definition list, with the text and lists that belong to it;
- a line that continues the sentence of the line before (it starts in lower case) is joined to it.

Nothing is dropped: every line of text ends up in the Markdown. Characters Markdown would read as markup are escaped.
"""

import re
from dataclasses import dataclass
from pathlib import Path

MARKDOWN_SUFFIXES = {".md", ".markdown"}

HEADING_MAX_LENGTH = 80
TITLE_MAX_LENGTH = 120

ARTIKEL_RE = re.compile(r"^Artikel\s+(\d+)\s*[.:\-\u2013]?\s*(.*)$", re.IGNORECASE)
NUMBERED_RE = re.compile(r"^(\d+)[.)]\s+(.+)$")
CLAUSE_RE = re.compile(r"^(\d+)\.(\d+)\.?\s+(.+)$")
LETTER_RE = re.compile(r"^([a-z])[.)]\s+(.+)$")
BULLET_RE = re.compile(r"^[•·▪◦‣∙*\-\u2013]\s+(.+)$")
DEFINITIONS_RE = re.compile(r"definitie|begrippen|begripsbepaling", re.IGNORECASE)


@dataclass
class ImportedDocument:
    title: str
    body: str


def import_file(path: str | Path) -> ImportedDocument:
    """Read a Markdown or plain-text file (UTF-8, with or without a byte order mark)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in MARKDOWN_SUFFIXES:
        return import_markdown(text)
    return import_plain_text(text)


def import_markdown(text: str) -> ImportedDocument:
    """Markdown is stored as written; a leading ``# Title`` line is the title."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    title = ""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if re.match(r"^#\s+\S", line):
            title = line.lstrip("#").strip()
            lines = lines[index + 1 :]
        break
    return ImportedDocument(title=title, body="\n".join(lines).strip() + "\n")


def _normalise(line: str) -> str:
    # Non-breaking spaces pad the clause numbers in copies of web pages; they mean nothing in the text itself.
    return " ".join(line.replace("\u00a0", " ").replace("\u200b", "").split())


def _escape(text: str) -> str:
    """Plain text written so Markdown shows it literally."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*_`\[\]])", r"\\\1", text)
    text = text.replace("<", "&lt;")
    if re.match(r"^(\d+)([.)])(\s)", text):
        text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    if re.match(r"^[#>+\-=|:]", text):
        text = "\\" + text
    return text


def _is_heading_text(text: str) -> bool:
    return len(text) <= HEADING_MAX_LENGTH and not text.endswith((".", ";", ",")) and text[:1].isupper()


def _is_term(text: str, next_text: str | None) -> bool:
    """A defined term: a short line without closing punctuation, explained by a longer line right after it."""
    return (
        next_text is not None
        and len(text) <= 60
        and not text.endswith((".", ":", ";", ","))
        and not NUMBERED_RE.match(text)
        and not BULLET_RE.match(text)
        and len(next_text) > len(text)
    )


class _Writer:
    """Collects Markdown blocks; list items and the blocks of a definition are kept together."""

    def __init__(self):
        self.blocks: list[str] = []
        self.list_kind: str | None = None
        self.in_definition = False

    def _indent(self, text: str) -> str:
        return "\n".join(("    " + line) if line else line for line in text.split("\n"))

    def block(self, text: str) -> None:
        self.list_kind = None
        self.blocks.append(self._indent(text) if self.in_definition else text)

    def item(self, kind: str, text: str, number: int | None = None) -> None:
        marker = f"{number}." if kind == "ol" else "-"
        line = f"{marker} {text}"
        if self.in_definition:
            line = "    " + line
        if self.list_kind == kind and self.blocks:
            self.blocks[-1] += "\n" + line
        else:
            self.blocks.append(line)
        self.list_kind = kind

    def term(self, term: str, definition: str) -> None:
        self.in_definition = False
        self.list_kind = None
        self.blocks.append(f"{term}\n:   {definition}")
        self.in_definition = True

    def end_definitions(self) -> None:
        self.in_definition = False

    def markdown(self) -> str:
        return "\n\n".join(self.blocks).strip() + "\n"


def import_plain_text(text: str) -> ImportedDocument:
    """Read a plain-text terms or DPA document; the first short line is its title."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # (text, blank line before it) for every line with text; soft-wrapped lines are joined to the line they continue.
    lines: list[list] = []
    blank_before = True
    for line in raw:
        stripped = _normalise(line)
        if not stripped:
            blank_before = True
            continue
        starts_structure = any(
            pattern.match(stripped) for pattern in (ARTIKEL_RE, NUMBERED_RE, CLAUSE_RE, LETTER_RE, BULLET_RE)
        )
        if lines and not blank_before and stripped[:1].islower() and not starts_structure:
            lines[-1][0] += " " + stripped
        else:
            lines.append([stripped, blank_before])
        blank_before = False

    title = ""
    if lines and len(lines[0][0]) <= TITLE_MAX_LENGTH and not lines[0][0].endswith("."):
        title = lines.pop(0)[0]

    writer = _Writer()
    article = 0
    per_article_clauses = 0  # clauses numbered "1." inside the current article (terms style)
    dotted_clauses = False  # the current article numbers its clauses "3.1"
    in_definitions = False
    texts = [line for line, _ in lines]

    def next_clause_article(start: int) -> int | None:
        for candidate in texts[start:]:
            numbered = NUMBERED_RE.match(candidate)
            if ARTIKEL_RE.match(candidate) or (numbered and _is_heading_text(numbered.group(2))):
                return None
            match = CLAUSE_RE.match(candidate)
            if match:
                return int(match.group(1))
        return None

    def start_article(index: int, stated: int, heading: str) -> None:
        nonlocal article, per_article_clauses, dotted_clauses, in_definitions
        # A heading numbered one after the last is taken at its word; otherwise its clauses tell its number.
        article = stated if stated == article + 1 else (next_clause_article(index + 1) or article + 1)
        per_article_clauses = 0
        dotted_clauses = False
        in_definitions = bool(DEFINITIONS_RE.search(heading))
        writer.end_definitions()
        heading = heading.rstrip(":").strip()
        writer.block(f"## Artikel {article} {_escape(heading)}".rstrip())

    for index, line in enumerate(texts):
        if not line:
            continue  # already written, as the explanation of the term before it
        next_line = texts[index + 1] if index + 1 < len(texts) else None

        match = ARTIKEL_RE.match(line)
        if match:
            start_article(index, int(match.group(1)), match.group(2))
            continue

        match = CLAUSE_RE.match(line)
        if match:
            dotted_clauses = True
            writer.end_definitions()
            writer.block(f"{match.group(1)}.{match.group(2)} {_escape(match.group(3))}")
            continue

        match = NUMBERED_RE.match(line)
        if match:
            number, rest = int(match.group(1)), match.group(2)
            looks_like_heading = _is_heading_text(rest)
            if (
                looks_like_heading
                and per_article_clauses
                and number == per_article_clauses + 1
                and number != (article + 1)
            ):
                looks_like_heading = False  # a short clause "5. …" in an article that numbers its clauses "1."
            if looks_like_heading:
                start_article(index, number, rest)
            elif article and not dotted_clauses and not writer.in_definition:
                per_article_clauses = number
                writer.block(f"{article}.{number} {_escape(rest)}")
            else:
                writer.item("ol", _escape(rest), number)
            continue

        match = LETTER_RE.match(line)
        if match:
            writer.block(f"{match.group(1)}. {_escape(match.group(2))}")
            continue

        match = BULLET_RE.match(line)
        if match:
            writer.item("ul", _escape(match.group(1)))
            continue

        if in_definitions and _is_term(line, next_line):
            writer.term(_escape(line), _escape(next_line))
            texts[index + 1] = ""
            continue
        writer.block(_escape(line))

    return ImportedDocument(title=title, body=writer.markdown())
