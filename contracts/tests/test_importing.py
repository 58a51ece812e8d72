"""Importing terms and DPA texts: Markdown as it is, the plain-text layout of the seed documents as clean Markdown."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from contracts.importing import import_file, import_markdown, import_plain_text
from contracts.markdown import render_markdown
from contracts.models import DocumentKind, DocumentVersion

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
ISI_SEED = SEEDS / "000_8e8238366de6b6ad.txt"
PEER_SEED = SEEDS / "003_767be53d76caa7da.txt"

needs_seeds = pytest.mark.skipif(
    not (ISI_SEED.exists() and PEER_SEED.exists()),
    reason="the seed documents in ../shared/seeds are not present (they are not part of this repository)",
)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _slice(lines: list[str], start, end=None) -> str:
    """From the first line that ``start`` accepts up to the line ``end`` accepts (included), or to the end."""
    first = next(i for i, line in enumerate(lines) if start(line))
    if end is None:
        return "\n".join(lines[first:])
    last = next(i for i in range(first + 1, len(lines)) if end(lines[i]))
    return "\n".join(lines[first : last + 1])


def isi_dpa() -> str:
    return _slice(
        _lines(ISI_SEED),
        lambda line: line.strip() == "Verwerkersovereenkomst",
        lambda line: line.startswith("Aangepast:"),
    )


def isi_terms() -> str:
    return _slice(_lines(ISI_SEED), lambda line: line.strip() == "Algemene Voorwaarden")


def peer_terms() -> str:
    lines = _lines(PEER_SEED)
    text = _slice(lines, lambda line: line.strip() == "Algemene voorwaarden", lambda line: line.startswith("Bijlage 1"))
    return text.rsplit("\n", 1)[0]


def peer_dpa() -> str:
    lines = _lines(PEER_SEED)
    text = _slice(lines, lambda line: line.startswith("Bijlage 1"), lambda line: line.startswith("Download"))
    return text.rsplit("\n", 1)[0]  # without the download link that follows the agreement on the web page


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _markdown_as_text(body: str) -> str:
    """The Markdown with its escapes undone, for comparing words with the source."""
    return _plain(re.sub(r"\\([\\*_`\[\]#>+\-=|:.)])", r"\1", body).replace("&lt;", "<"))


def _articles(body: str) -> list[int]:
    return [int(number) for number in re.findall(r"^## Artikel (\d+) ", body, flags=re.MULTILINE)]


def _clauses(body: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in re.findall(r"^(\d+)\.(\d+) ", body, flags=re.MULTILINE)]


def assert_nothing_lost(source: str, title: str, body: str) -> None:
    """Every line of the source is in the title or the Markdown, and the word count barely changed."""
    text = _markdown_as_text(f"{title}\n{body}")
    prefix = re.compile(r"^(Artikel\s+\d+\s*[.:]?|\d+\.\d+\.?|\d+[.)]|[a-z][.)]|[•·*\-\u2013])\s+", re.IGNORECASE)
    for line in source.split("\n"):
        words = _plain(line)
        if not words:
            continue
        words = prefix.sub("", words).rstrip(":")
        assert words in text, f"line lost: {line!r}"
    source_words, imported_words = len(source.split()), len(text.split())
    assert 0.97 * source_words <= imported_words <= 1.08 * source_words


@needs_seeds
def test_the_isi_media_dpa():
    source = isi_dpa()
    document = import_plain_text(source)
    assert document.title == "Verwerkersovereenkomst"
    # The web copy numbers every article heading "1."; the numbers come from the clauses below them.
    assert _articles(document.body) == list(range(1, 12))
    assert "## Artikel 1 Definities" in document.body
    assert "## Artikel 6 Geheimhoudingsplicht\n" in document.body
    source_clauses = [(int(a), int(b)) for a, b in re.findall(r"^(\d+)\.(\d+)", source, flags=re.MULTILINE)]
    assert _clauses(document.body) == source_clauses
    assert len(source_clauses) == 26
    assert_nothing_lost(source, document.title, document.body)

    html = render_markdown(document.body).html
    assert '<h2 class="article" id="artikel-3">Artikel 3 Verwerking</h2>' in html
    assert '<p class="clause" id="artikel-3-1"><span class="clause-no">3.1 </span>Wij verwerken' in html
    assert "<dt>Betrokkene</dt>" in html  # definitions became a definition list
    assert html.count("<dt>") == 15
    assert re.search(r"<dd>.*?<ul>\s*<li>Bijzondere persoonsgegevens</li>", html, flags=re.DOTALL)
    assert html.count("<ol>") == 3  # parties (twice) and recitals


@needs_seeds
def test_the_isi_media_general_terms():
    source = isi_terms()
    document = import_plain_text(source)
    assert document.title == "Algemene Voorwaarden"
    assert _articles(document.body) == list(range(1, 12))
    assert "## Artikel 11 Toepasselijk recht en geschillenbeslechting" in document.body
    # Clauses numbered "1." per article keep their order and become "2.1", "2.2", …
    clauses = _clauses(document.body)
    numbered_in_source = len(re.findall(r"^\d+\. ", source, flags=re.MULTILINE))
    assert len(clauses) == numbered_in_source - 11 == 57
    for article in range(2, 12):
        numbers = [number for a, number in clauses if a == article]
        assert numbers == list(range(1, len(numbers) + 1)), article
    assert [a for a, _number in clauses] == sorted(a for a, _number in clauses)
    assert re.findall(r"^([a-e])\. ", document.body, flags=re.MULTILINE) == list("abcde")
    assert_nothing_lost(source, document.title, document.body)


@needs_seeds
def test_the_peer_dpa():
    source = peer_dpa()
    document = import_plain_text(source)
    assert document.title == "Bijlage 1: Verwerkersovereenkomst"
    assert _articles(document.body) == list(range(1, 13))
    source_clauses = [(int(a), int(b)) for a, b in re.findall(r"^(\d+)\.(\d+)\.", source, flags=re.MULTILINE)]
    assert _clauses(document.body) == source_clauses
    assert re.search(r"^7\.2 .*\n\n- Wat de \(vermeende\) oorzaak is van het lek\n- .*\n- .*$", document.body, re.M)
    assert_nothing_lost(source, document.title, document.body)
    assert render_markdown(document.body).html.count("<li>") == 3


@needs_seeds
def test_the_peer_terms_join_a_sentence_broken_over_two_lines():
    source = peer_terms()
    document = import_plain_text(source)
    assert _articles(document.body) == list(range(1, 17))
    assert re.search(
        r"^12\.2 Indien de periode van overmacht .* gerechtigd tot betaling door Opdrachtgever", document.body, re.M
    )
    assert_nothing_lost(source, document.title, document.body)


def test_characters_markdown_would_read_are_kept_literally():
    document = import_plain_text(
        "Voorwaarden\n\n1. Begrippen\n\n1.1 Een *ster*, een_onderstreping en <script>alert(1)</script>.\n"
        "> Geen citaat.\n# Geen kop\n"
    )
    html = render_markdown(document.body).html
    assert "Een *ster*, een_onderstreping en &lt;script&gt;alert(1)&lt;/script&gt;." in html
    assert "<script>" not in html
    assert "<p>&gt; Geen citaat.</p>" in html
    assert "<p># Geen kop</p>" in html


def test_markdown_is_taken_as_it_is(tmp_path):
    path = tmp_path / "dpa.md"
    path.write_text("# Verwerkersovereenkomst\n\n## Artikel 1 Onderwerp\n\n1.1 Tekst *met* nadruk.\n", encoding="utf-8")
    document = import_file(path)
    assert document.title == "Verwerkersovereenkomst"
    assert document.body == "## Artikel 1 Onderwerp\n\n1.1 Tekst *met* nadruk.\n"
    assert import_markdown("Geen titel\n").title == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("english_messages")
def test_the_command_imports_a_file_as_a_draft(tmp_path, capsys):
    path = tmp_path / "voorwaarden.txt"
    path.write_text("Algemene voorwaarden\n\n1. Definities\n1. Eerste bepaling die lang genoeg is.\n", encoding="utf-8")
    call_command("import_document", "terms", str(path), "--label", "2027-01", "--effective-on", "2027-01-01")
    version = DocumentVersion.objects.get()
    assert (version.kind, version.label, version.title) == (DocumentKind.TERMS, "2027-01", "Algemene voorwaarden")
    assert version.effective_on == datetime.date(2027, 1, 1)
    assert version.body == "## Artikel 1 Definities\n\n1.1 Eerste bepaling die lang genoeg is.\n"
    assert not version.is_published
    assert "Draft 2027-01" in capsys.readouterr().out

    with pytest.raises(CommandError, match="already has a version labelled 2027-01"):
        call_command("import_document", "terms", str(path), "--label", "2027-01", "--effective-on", "2027-01-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_document", "terms", str(path), "--effective-on", "1-1-2027")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_document", "dpa", str(tmp_path / "missing.txt"))


def test_the_command_can_print_the_markdown(tmp_path, capsys):
    path = tmp_path / "dpa.txt"
    path.write_text("Verwerkersovereenkomst\n\nArtikel 1 Onderwerp\n1.1 Tekst.\n", encoding="utf-8")
    call_command("import_document", "dpa", str(path), "--print")
    assert capsys.readouterr().out == "## Artikel 1 Onderwerp\n\n1.1 Tekst.\n"
