"""Celery tasks for signed DPAs: make the sealed PDF of one acceptance, and the beat sweep that catches up.

Both only call a service and are idempotent: the service locks the acceptance and leaves one that has its PDF alone.
"""

import logging

from celery import shared_task

from .services import signing

logger = logging.getLogger(__name__)

# While the version's PDF is still being rendered: try again a few times, then leave it to the sweep.
RETRY_SECONDS = 60
MAX_RETRIES = 10


@shared_task(name="contracts.make_signed_pdf", bind=True, max_retries=MAX_RETRIES)
def make_signed_pdf(self, acceptance_id: int) -> bool:
    try:
        signing.signed_pdf_make(acceptance_id=acceptance_id)
    except signing.SignedPdfNotReady as error:
        logger.info("Signed PDF of acceptance %s not ready: %s", acceptance_id, error)
        if self.request.retries >= self.max_retries:
            return False
        raise self.retry(countdown=RETRY_SECONDS) from error
    return True


@shared_task(name="contracts.make_missing_signed_pdfs")
def make_missing_signed_pdfs() -> int:
    """Beat runs this every few minutes: make the signed PDFs the task could not (broker down, PDF not rendered)."""
    return signing.signed_pdfs_make_missing()
