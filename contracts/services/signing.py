"""Signing the DPA: the acceptance with its evidence, and the sealed PDF made from it once.

An acceptance is evidence and append-only (the database refuses changes, migration 0003). ``evidence_sha256`` is the
SHA-256 of a canonical JSON of every evidence field, so anyone holding the record can recompute it and see that
nothing was altered; the same hash is printed on the signature page of the sealed PDF.
"""

import hashlib
import json
import logging
import re
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from isimedia.http import client_ip, valid_ip
from isimedia.models import User
from isimedia.outbox import email_queue

from .. import sealing
from ..errors import ContractsError
from ..models import Acceptance, Client, ClientContact, DocumentKind, DocumentVersion
from ..selectors.signing import dpa_signable_versions

logger = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EVIDENCE_SCHEMA = "isimedia-dpa-acceptance/1"
USER_AGENT_MAX_LENGTH = 512
NAME_MAX_LENGTH = 200
# The signature page is set like the document it ends (contracts/pdf.py uses the same stylesheet).
PRINT_STYLESHEET = "css/document-print.css"


class SignedPdfNotReady(Exception):
    """The signed PDF cannot be made yet (the version's PDF is not rendered, or no certificate); try again later."""


# --- Request details ------------------------------------------------------------------------------------------------


# The signer's address is read the way every rate limit reads it (trusted proxies honoured).
client_ip_address = client_ip
_valid_ip = valid_ip


# --- The evidence ---------------------------------------------------------------------------------------------------


def authorisation_statement(company_name: str) -> str:
    """The wording of the checkbox, in the active language; stored verbatim with the acceptance."""
    return _("I am authorised to sign for %(company)s") % {"company": company_name}


def acceptance_evidence(acceptance: Acceptance) -> dict:
    """Every evidence field of an acceptance, as plain JSON values; the input of ``evidence_sha256``."""
    return {
        "schema": EVIDENCE_SCHEMA,
        "version_id": acceptance.version_id,
        "version_label": acceptance.version_label,
        "text_sha256": acceptance.text_sha256,
        "client_id": acceptance.client_id,
        "company_name": acceptance.company_name,
        "kvk_number": acceptance.kvk_number,
        "user_id": acceptance.user_id,
        "signer_name": acceptance.signer_name,
        "signer_title": acceptance.signer_title,
        "statement": acceptance.statement,
        "accepted_at": acceptance.accepted_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "ip_address": acceptance.ip_address or None,
        "user_agent": acceptance.user_agent,
    }


def canonical_json(evidence: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same evidence always gives the same bytes."""
    return json.dumps(evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def evidence_sha256(evidence: dict) -> str:
    return hashlib.sha256(canonical_json(evidence)).hexdigest()


# --- Signing --------------------------------------------------------------------------------------------------------


def dpa_sign(
    *,
    client: Client,
    user: User,
    version: DocumentVersion,
    signer_name: str,
    signer_title: str,
    authorised: bool,
    ip_address: str | None,
    user_agent: str,
) -> Acceptance:
    """Record that ``user`` signed DPA ``version`` for ``client``, e-mail a confirmation and queue the sealed PDF.

    Only the DPA in force or the one scheduled next can be signed, only by an active contact of the client who
    declares to be authorised, and only once per client. ``statement`` is the checkbox's wording in the active
    language, which is the language the page was shown in.
    """
    signer_name = " ".join((signer_name or "").split())
    signer_title = " ".join((signer_title or "").split())
    errors = {}
    if not signer_name:
        errors["signer_name"] = _("Enter your full name.")
    elif len(signer_name) > NAME_MAX_LENGTH:
        errors["signer_name"] = _("Use at most %(max)s characters.") % {"max": NAME_MAX_LENGTH}
    if not signer_title:
        errors["signer_title"] = _("Enter your job title.")
    elif len(signer_title) > NAME_MAX_LENGTH:
        errors["signer_title"] = _("Use at most %(max)s characters.") % {"max": NAME_MAX_LENGTH}
    if not authorised:
        errors["authorised"] = _("Only someone authorised to sign for %(company)s can sign.") % {"company": client.name}
    if errors:
        raise ContractsError(errors)

    with transaction.atomic():
        # One signature per client and version: the client row is the lock two simultaneous signers queue on.
        client = Client.objects.select_for_update().get(pk=client.pk)
        is_contact = ClientContact.objects.filter(user=user, client=client, user__is_active=True).exists()
        if not is_contact:
            raise ContractsError(_("Only a contact person of %(company)s can sign for it.") % {"company": client.name})
        version = DocumentVersion.objects.get(pk=version.pk)
        if version.kind != DocumentKind.DPA or version.pk not in {v.pk for v in dpa_signable_versions()}:
            raise ContractsError(
                _("Version %(label)s cannot be signed: only the agreement in force or the next one can.")
                % {"label": version.label}
            )
        earlier = Acceptance.objects.filter(client=client, version=version).order_by("accepted_at", "id").first()
        if earlier is not None:
            raise ContractsError(
                _("Version %(label)s was already signed for %(company)s on %(date)s by %(name)s.")
                % {
                    "label": version.label,
                    "company": client.name,
                    "date": formats.date_format(timezone.localtime(earlier.accepted_at, AMSTERDAM), "DATE_FORMAT"),
                    "name": earlier.signer_name,
                }
            )

        acceptance = Acceptance(
            version=version,
            client=client,
            user=user,
            signer_name=signer_name,
            signer_title=signer_title,
            company_name=client.name,
            kvk_number=client.kvk_number,
            version_label=version.label,
            text_sha256=version.text_sha256,
            statement=authorisation_statement(client.name),
            accepted_at=timezone.now(),
            ip_address=_valid_ip(ip_address or ""),
            user_agent=(user_agent or "")[:USER_AGENT_MAX_LENGTH],
        )
        acceptance.evidence_sha256 = evidence_sha256(acceptance_evidence(acceptance))
        acceptance.save()

        email_queue(
            template="contracts_dpa_signed",
            to=user.email,
            language=user.language,
            reply_to=settings.STAFF_EMAIL,
            context={
                "signer_name": signer_name,
                "company_name": client.name,
                "kvk_number": client.kvk_number,
                "version_title": version.title,
                "version_label": version.label,
                "effective_on": version.effective_on,
                "accepted_at": acceptance.accepted_at,
                "evidence_sha256": acceptance.evidence_sha256,
                "account_url": f"{settings.SITE_URL}{reverse('contracts:account')}",
                "verify_url": f"{settings.SITE_URL}{reverse('contracts_signing:verify')}",
            },
        )
        transaction.on_commit(lambda: _enqueue_signed_pdf(acceptance.pk))
    logger.info(
        "DPA %s signed for client %s by user %s (acceptance %s).", version.label, client.pk, user.pk, acceptance.pk
    )
    return acceptance


def _enqueue_signed_pdf(acceptance_id: int) -> None:
    """Hand the sealing to a worker; if the broker is unreachable the beat sweep makes the PDF later."""
    from ..signing_tasks import make_signed_pdf

    try:
        make_signed_pdf.delay(acceptance_id)
    except Exception:
        logger.warning(
            "Broker unreachable; the signed PDF of acceptance %s waits for the sweep.", acceptance_id, exc_info=True
        )


# --- The sealed PDF -------------------------------------------------------------------------------------------------


def signed_pdf_make(*, acceptance_id: int) -> Acceptance:
    """Make the sealed PDF of an acceptance once: the version's stored PDF, a signature page, ISI Media's seal.

    Idempotent: an acceptance that has its PDF is returned as it is. The row stays locked while the PDF is made, so
    the task and a sweep running at the same time make it only once. Raises SignedPdfNotReady while the version's
    PDF is not rendered yet or no certificate is configured; the sweep tries again later.
    """
    with transaction.atomic():
        acceptance = Acceptance.objects.select_for_update().select_related("version").get(pk=acceptance_id)
        if acceptance.signed_pdf:
            return acceptance
        version = acceptance.version
        if not version.pdf:
            raise SignedPdfNotReady(f"Version {version.label} has no PDF yet.")
        with version.pdf.open("rb") as handle:
            document = handle.read()
        if version.pdf_sha256 and hashlib.sha256(document).hexdigest() != version.pdf_sha256:
            # The stored file is not the one that was published: never seal it.
            raise RuntimeError(f"The stored PDF of version {version.label} does not match its SHA-256.")
        try:
            data = sealing.seal_with_extra_page(
                document=document,
                extra_page=render_signature_page(acceptance),
                reason=(
                    f"DPA {acceptance.version_label}; {acceptance.company_name}; KvK {acceptance.kvk_number}; "
                    f"acceptance {acceptance.pk}"
                ),
                location=f"{settings.SITE_URL}{reverse('contracts_signing:verify')}",
                contact_info=settings.STAFF_EMAIL,
                subject=f"{version.title} {acceptance.version_label}: {acceptance.company_name}",
                keywords=[
                    f"isimedia-acceptance:{acceptance.pk}",
                    f"kvk:{acceptance.kvk_number}",
                    f"version:{acceptance.version_label}",
                    f"evidence-sha256:{acceptance.evidence_sha256}",
                ],
            )
        except sealing.SealingNotConfigured as error:
            raise SignedPdfNotReady(str(error)) from error
        digest = hashlib.sha256(data).hexdigest()
        acceptance.signed_pdf.save(signed_pdf_filename(acceptance), ContentFile(data), save=False)
        name = acceptance.signed_pdf.name
        try:
            acceptance.signed_pdf_sha256 = digest
            acceptance.save(update_fields=["signed_pdf", "signed_pdf_sha256"])
        except Exception:
            acceptance.signed_pdf.storage.delete(name)
            raise
    logger.info("Signed PDF of acceptance %s made (%s bytes, sha256 %s).", acceptance.pk, len(data), digest)
    return acceptance


def signed_pdfs_make_missing(*, limit: int = 50) -> int:
    """The beat sweep: make the sealed PDF of every acceptance that has none yet; returns how many were made."""
    # Only those whose version has its PDF: the others wait for it, and must not crowd out the rest of the batch.
    waiting = Acceptance.objects.filter(signed_pdf="").exclude(version__pdf="")
    ids = list(waiting.order_by("id").values_list("id", flat=True)[:limit])
    made = 0
    for acceptance_id in ids:
        try:
            signed_pdf_make(acceptance_id=acceptance_id)
            made += 1
        except SignedPdfNotReady as error:
            logger.info("Signed PDF of acceptance %s not made yet: %s", acceptance_id, error)
        except Exception:
            # One acceptance that fails must not keep the others waiting; the next sweep tries again.
            logger.exception("Making the signed PDF of acceptance %s failed.", acceptance_id)
    return made


def signed_pdf_filename(acceptance: Acceptance) -> str:
    label = re.sub(r"[^0-9A-Za-z._-]", "-", acceptance.version_label)
    return f"verwerkersovereenkomst-{label}-{acceptance.kvk_number}-{acceptance.pk}.pdf"


def render_signature_page(acceptance: Acceptance) -> bytes:
    """The signature page as a one-page PDF/A-3b; in the site's first language, like the documents themselves."""
    from weasyprint import CSS, HTML

    version = acceptance.version
    with translation.override(settings.LANGUAGE_CODE), timezone.override(AMSTERDAM):
        html = render_to_string(
            "contracts/signing/signature_page.html",
            {
                "acceptance": acceptance,
                "version": version,
                "processor_name": getattr(settings, "CONTRACTS_PROCESSOR_NAME", "ISI Media"),
                "processor_kvk": getattr(settings, "CONTRACTS_PROCESSOR_KVK", ""),
                "director_name": getattr(settings, "CONTRACTS_DIRECTOR_NAME", ""),
                "verify_url": f"{settings.SITE_URL}{reverse('contracts_signing:verify')}",
            },
        )
    stylesheet = finders.find(PRINT_STYLESHEET) or str(Path(settings.STATIC_ROOT) / PRINT_STYLESHEET)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=stylesheet)], pdf_variant="pdf/a-3b"
    )
