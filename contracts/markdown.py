"""The text of a terms or DPA version, from Markdown to safe HTML for the page and the PDF.

python-markdown turns the text into HTML; a small tree processor marks the legal structure (``## Artikel 3 …``
headings get the anchor ``artikel-3``, a paragraph that starts with a clause number such as ``3.1`` or a letter such
as ``a.`` gets a hanging number), and nh3 then removes everything that is not plain document markup: scripts, styles,
event handlers, images, forms, and links other than http, https, mailto and anchors within the page.
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote",
    "ol", "ul", "li", "dl", "dt", "dd",
    "strong", "em", "b", "i", "sub", "sup", "span", "a", "abbr",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "p": {"id"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_CLASSES = {"p": {"clause", "clause-sub"}, "span": {"clause-no"}, "h2": {"article"}}
ANCHOR_PREFIXES = ("artikel-", "deel-")

ARTICLE_RE = re.compile(r"^\s*Artikel\s+(\d+)\b", re.IGNORECASE)
CLAUSE_RE = re.compile(r"^(\d+(?:\.\d+)+)\.?(\s+)")
LETTER_RE = re.compile(r"^([a-z])[.)](\s+)")


@dataclass
class Heading:
    anchor: str
    text: str


@dataclass
class RenderedText:
    html: str
    headings: list[Heading] = field(default_factory=list)


class _LegalStructure(Treeprocessor):
    """Anchors for articles and clauses, and a separate number in clause paragraphs so it can hang in the margin."""

    def run(self, root: etree.Element) -> None:
        self.md.legal_headings = []
        sections = 0
        for element in root.iter():
            if element.tag == "h1":
                # The page's own title is the only h1; a heading in the text is one level below it.
                element.tag = "h2"
            if element.tag == "h2":
                text = "".join(element.itertext()).strip()
                match = ARTICLE_RE.match(text)
                if match:
                    anchor = f"artikel-{match.group(1)}"
                    element.set("class", "article")
                else:
                    sections += 1
                    anchor = f"deel-{sections}"
                element.set("id", anchor)
                self.md.legal_headings.append(Heading(anchor=anchor, text=text))
            elif element.tag == "p" and element.text:
                self._number(element)

    @staticmethod
    def _number(paragraph: etree.Element) -> None:
        match = CLAUSE_RE.match(paragraph.text)
        css = "clause"
        if match is None:
            match = LETTER_RE.match(paragraph.text)
            css = "clause clause-sub"
        if match is None:
            return
        number = match.group(0).strip()
        rest = paragraph.text[match.end() :]
        paragraph.set("class", css)
        if css == "clause":
            paragraph.set("id", "artikel-" + match.group(1).replace(".", "-"))
        span = etree.Element("span", {"class": "clause-no"})
        # The space stays inside the number: text extraction reads "3.1 Wij …", and a hanging number ends flush.
        span.text = number + " "
        span.tail = rest
        paragraph.text = None
        paragraph.insert(0, span)


class _LegalExtension(Extension):
    def extendMarkdown(self, md):
        # After the inline patterns (priority 20), so the text is final; before prettify (10).
        md.treeprocessors.register(_LegalStructure(md), "legal_structure", 15)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id":
        return value if value.startswith(ANCHOR_PREFIXES) else None
    if name == "href":
        return value if value.startswith(("http://", "https://", "mailto:", "#")) else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    attribute_filter=_filter_attribute,
    url_schemes={"http", "https", "mailto"},
    url_relative=lambda url: url if url.startswith("#") else None,
    link_rel="noopener noreferrer",
)


def render_markdown(body: str) -> RenderedText:
    """The text as sanitised HTML, with the list of its top-level headings (for a table of contents)."""
    md = markdown.Markdown(
        extensions=["tables", "sane_lists", "def_list", _LegalExtension()],
        output_format="html",
    )
    html = md.convert(body or "")
    return RenderedText(html=_cleaner.clean(html), headings=list(getattr(md, "legal_headings", [])))
