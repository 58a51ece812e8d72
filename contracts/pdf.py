"""A published version as a PDF/A-3b document, made with WeasyPrint.

Only ``contracts.services.documents.version_render_pdf`` calls this, once per version, from a Celery task or the beat
sweep: rendering takes a second or two, and the stored bytes are what clients, auditors and the signed PDFs rely on,
so no page or download ever renders.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .document_views import document_url
from .markdown import render_markdown
from .models import DocumentVersion

PRINT_STYLESHEET = "css/document-print.css"
PDF_VARIANT = "pdf/a-3b"


def _stylesheet_path() -> str:
    path = finders.find(PRINT_STYLESHEET)
    if path is None:  # after collectstatic without the finders' source directories
        path = str(settings.STATIC_ROOT / PRINT_STYLESHEET)
    return path


def version_pdf_html(version: DocumentVersion) -> str:
    """The HTML WeasyPrint lays out; the documents are Dutch, so is everything around their text."""
    rendered = render_markdown(version.body)
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "contracts/documents/pdf.html",
            {
                "version": version,
                "body_html": rendered.html,
                "headings": rendered.headings,
                "site_url": settings.SITE_URL,
                "version_url": document_url(version.kind, "version", label=version.label),
                "recorded_afterwards": timezone.localtime(version.published_at).date() > version.effective_on,
            },
        )


def render_version_pdf(version: DocumentVersion) -> bytes:
    """The PDF/A-3b bytes of a version: fonts embedded, page numbers, the version and its date in every footer."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # The document needs nothing from outside (fonts come from fontconfig, the stylesheet is given below); refusing
    # every URL means no text, however written, can make the renderer read a file or call a server.
    html = HTML(
        string=version_pdf_html(version),
        base_url=str(settings.BASE_DIR),
        url_fetcher=URLFetcher(allowed_protocols=()),
    )
    return html.write_pdf(
        stylesheets=[CSS(filename=_stylesheet_path())],
        pdf_variant=PDF_VARIANT,
        # Tagged PDF: screen readers and text extraction follow the document's headings and paragraphs.
        pdf_tags=True,
    )
