"""The PDF of a published version, really rendered by WeasyPrint: PDF/A-3b, fonts embedded, footer, page numbers."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone

from contracts.models import DocumentKind
from contracts.tests.documents_helpers import published_version

pytestmark = [pytest.mark.django_db, pytest.mark.urls("contracts.tests.documents_helpers")]

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="poppler-utils (pdftotext) is not installed"
)

LONG_BODY = "\n\n".join(
    [f"## Artikel {a} Onderwerp {a}\n\n" + "\n\n".join(
        f"{a}.{c} Partijen spreken af dat deze bepaling lang genoeg is om de pagina te vullen, zodat het document "
        "meer dan één pagina beslaat en de paginanummers iets betekenen." for c in range(1, 7)
    ) for a in range(1, 9)]
)  # fmt: skip


@pytest.fixture
def version(monkeypatch):
    # Published for today, so the footer shows today's date and nothing depends on the calendar.
    return published_version(
        kind=DocumentKind.DPA, label="2026-04", title="Verwerkersovereenkomst", body=LONG_BODY, render_pdf=True
    )


def pdf_bytes(version) -> bytes:
    with version.pdf.open("rb") as stored:
        return stored.read()


def xmp_metadata(data: bytes) -> str:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(BytesIO(data)).root["/Metadata"].data.decode("utf-8")


def test_the_pdf_is_pdf_a_3b(version):
    data = pdf_bytes(version)
    assert data.startswith(b"%PDF-")
    metadata = xmp_metadata(data)
    assert re.search(r'pdfaid:part="3"|<pdfaid:part>3</pdfaid:part>', metadata)
    assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B</pdfaid:conformance>', metadata)
    assert "Verwerkersovereenkomst" in metadata  # the title, for archives and readers


@needs_poppler
def test_the_pdf_carries_the_text_the_version_and_page_numbers(version, tmp_path):
    path = tmp_path / "version.pdf"
    path.write_bytes(pdf_bytes(version))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) >= 2
    assert "Artikel 1 Onderwerp 1" in pages[0]
    assert re.search(r"8\.6\s+Partijen spreken af", text)
    effective = f"{timezone.localdate().day} "
    for number, page in enumerate(pages, start=1):
        # Every footer: the title, the version and its date, and "page X of Y" (Dutch once translated).
        assert re.search(rf"(page|pagina) {number} (of|van) {len(pages)}", page), page[-300:]
        footer = page.strip().splitlines()[-1]
        assert "Verwerkersovereenkomst" in footer and "2026-04" in footer and effective in footer
    assert version.text_sha256 in text.replace("\n", "")  # the colophon names the fingerprint of the text


@needs_poppler
def test_every_font_is_embedded(version, tmp_path):
    path = tmp_path / "version.pdf"
    path.write_bytes(pdf_bytes(version))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = fonts.strip().splitlines()[2:]
    assert rows
    for row in rows:
        # columns: name, type, encoding, emb, sub, uni, object id
        assert row.split()[-5] == "yes", row
