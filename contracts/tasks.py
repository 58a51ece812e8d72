"""Celery tasks of the contracts app. Each loads by id and calls a service; all are idempotent."""

from celery import shared_task

from .services import documents


@shared_task(name="contracts.render_version_pdf")
def render_version_pdf(version_id: int) -> bool:
    """Render a published version's PDF once; does nothing if it already has one."""
    return documents.version_render_pdf(version_id=version_id)


@shared_task(name="contracts.render_missing_pdfs")
def render_missing_pdfs() -> int:
    """Beat runs this every few minutes: PDFs that a lost task or a broker outage left unrendered."""
    return documents.versions_render_missing_pdfs()


# Celery discovers tasks in tasks.py only; the signing tasks live beside their subject.
from .signing_tasks import make_missing_signed_pdfs, make_signed_pdf  # noqa: E402, F401
