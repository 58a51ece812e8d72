"""ISI Media's electronic seal on signed DPAs: PAdES signatures made and checked with pyHanko.

The seal is made with ISI Media's organisation certificate, a PKCS#12 file named by ``CONTRACTS_SIGNING_PKCS12`` and
opened with ``CONTRACTS_SIGNING_PASSPHRASE``; without a real one, ``manage.py make_demo_certificate`` writes a
self-signed demo certificate there. A signed PDF is the version's stored PDF, byte for byte, followed by one
incremental update that adds the signature page and the signature: so the start of every signed PDF is exactly the
published PDF, and anyone can check that with its SHA-256.

pyHanko's synchronous API starts an event loop of its own (``asyncio.run``); ``_run`` moves that to a separate thread
when the calling thread already runs one (Playwright's sync API does, in the browser tests).
"""

import asyncio
import functools
import hashlib
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

# The name of the signature field; also how the verification page tells our seal from other signatures.
SEAL_FIELD_NAME = "ISIMediaSeal"
# What ``make_demo_certificate`` writes into a demo certificate's organisational unit, so pages can warn about it.
DEMO_MARKER = "DEMO - not for real contracts"
# "acceptance 42" at the end of a seal's reason names the signature record it was made for.
_ACCEPTANCE_IN_REASON = re.compile(r"\bacceptance (\d+)\s*$")


class SealingNotConfigured(Exception):
    """There is no usable signing certificate: configure one, or run ``manage.py make_demo_certificate``."""


def default_pkcs12_path() -> Path:
    return Path(settings.BASE_DIR) / "var" / "demo-signing.p12"


def pkcs12_path() -> Path:
    configured = getattr(settings, "CONTRACTS_SIGNING_PKCS12", "") or default_pkcs12_path()
    return Path(configured)


def passphrase() -> bytes | None:
    value = getattr(settings, "CONTRACTS_SIGNING_PASSPHRASE", "") or ""
    return value.encode() if value else None


@dataclass(frozen=True)
class SealingIdentity:
    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate

    @property
    def fingerprint(self) -> str:
        return self.certificate.sha256.hex()

    @property
    def is_demo(self) -> bool:
        return DEMO_MARKER in self.certificate.subject.human_friendly

    @property
    def pem(self) -> bytes:
        from asn1crypto import pem

        return pem.armor("CERTIFICATE", self.certificate.dump())


def sealing_identity() -> SealingIdentity:
    """The configured certificate and key; raises SealingNotConfigured when there is none or it cannot be opened."""
    path = pkcs12_path()
    try:
        stat = path.stat()
    except OSError as error:
        raise SealingNotConfigured(f"No signing certificate at {path}.") from error
    return _load_identity(str(path), passphrase(), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _load_identity(path: str, secret: bytes | None, _mtime: int, _size: int) -> SealingIdentity:
    # The modification time and size are part of the cache key, so replacing the file takes effect at once.
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=secret)
    if signer is None:
        raise SealingNotConfigured(f"The signing certificate at {path} could not be opened (wrong passphrase?).")
    return SealingIdentity(signer=signer, certificate=signer.signing_cert)


def trusted_certificates() -> list[asn1_x509.Certificate]:
    """ISI Media's certificates a seal may have been made with: the current one and earlier ones still accepted.

    ``CONTRACTS_VERIFY_EXTRA_CERTIFICATES`` lists PEM files of earlier certificates, so PDFs sealed before a
    certificate was replaced keep verifying.
    """
    certificates = []
    try:
        certificates.append(sealing_identity().certificate)
    except SealingNotConfigured:
        logger.warning("No signing certificate configured; no seal can be verified as ISI Media's.")
    for extra in getattr(settings, "CONTRACTS_VERIFY_EXTRA_CERTIFICATES", []) or []:
        certificates.extend(load_certs_from_pemder([str(extra)]))
    return certificates


def _run(make_coroutine):
    """Run a pyHanko coroutine to completion, also from a thread whose event loop is already running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(lambda: asyncio.run(make_coroutine())).result()


def make_self_signed_pkcs12(
    path: Path, *, secret: bytes | None, organisation: str = "ISI Media B.V.", demo: bool = True, days: int = 3650
) -> asn1_x509.Certificate:
    """Write a new key and a self-signed organisation certificate for sealing to ``path`` (PKCS#12).

    Used by ``make_demo_certificate`` and by the tests; a real installation gets its certificate from a trust service
    provider. The demo mark in the organisational unit makes every page that shows the certificate say it is a demo.
    """
    from datetime import UTC, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if demo:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARKER))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} seal"))
    name = x509.Name(attributes)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # Non-repudiation ("content commitment") is what pyHanko, and PDF readers, expect of a signing key.
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(secret) if secret else serialization.NoEncryption()
    data = pkcs12.serialize_key_and_certificates(organisation.encode(), key, certificate, None, encryption)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created readable by the owner only: it holds the private key.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


# --- Making a seal -------------------------------------------------------------------------------------------------


def seal_with_extra_page(
    *,
    document: bytes,
    extra_page: bytes,
    reason: str,
    location: str,
    contact_info: str,
    subject: str,
    keywords: list[str],
) -> bytes:
    """``document`` unchanged, plus one incremental update: the first page of ``extra_page`` and ISI Media's seal.

    pyHanko cannot copy a page from another PDF, so the page is imported as a form XObject (its text, fonts and
    drawing) and placed on a new page of the same size. ``reason`` should end in "acceptance <id>": the verification
    page reads it back.
    """
    identity = sealing_identity()
    writer = IncrementalPdfFileWriter(BytesIO(document))
    page_source = PdfFileReader(BytesIO(extra_page))
    _append_page(writer, page_source)
    writer.document_meta.subject = subject
    writer.document_meta.keywords = keywords
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        name=identity.certificate.subject.native.get("organization_name") or "ISI Media",
        reason=reason,
        location=location,
        contact_info=contact_info,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        # A certification signature: readers show the document as certified by ISI Media, and allow only filling
        # in forms and adding signatures afterwards (a client may countersign in its own PDF reader).
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    pdf_signer = signers.PdfSigner(metadata, signer=identity.signer)
    output = BytesIO()
    try:
        _run(lambda: pdf_signer.async_sign_pdf(writer, output=output))
    except SigningError as error:
        raise SealingNotConfigured(f"Sealing failed: {error}") from error
    return output.getvalue()


def _append_page(writer: IncrementalPdfFileWriter, source: PdfFileReader) -> None:
    xobject = writer.import_page_as_xobject(source, page_ix=0)
    page_ref, _resources = source.find_page_for_modification(0)
    media_box = page_ref.get_object().get("/MediaBox") or writer.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]
    page = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject([generic.FloatObject(float(v)) for v in media_box]),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/XObject"): generic.DictionaryObject({pdf_name("/SignaturePage"): xobject})}
            ),
            pdf_name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"q /SignaturePage Do Q")),
        }
    )
    writer.insert_page(page)


# --- Checking a PDF ------------------------------------------------------------------------------------------------


@dataclass
class SealCheck:
    """What one signature in a PDF says."""

    field_name: str
    intact: bool  # the signed bytes are unchanged and the cryptography is sound
    by_isimedia: bool  # made with one of ISI Media's certificates (fingerprint)
    trusted: bool  # the certificate validates with ISI Media's certificates as the only trust roots
    covers_whole_file: bool  # nothing was added to the file after signing
    changes_allowed: bool  # whatever was added afterwards is allowed by the certification (forms, signatures)
    signer: str
    signer_fingerprint: str
    signed_at: datetime | None
    reason: str
    acceptance_id: int | None

    @property
    def valid(self) -> bool:
        return self.intact and self.by_isimedia and self.trusted and self.changes_allowed


@dataclass
class PdfCheck:
    sha256: str
    readable: bool = True
    signatures: list[SealCheck] = field(default_factory=list)

    @property
    def seal(self) -> SealCheck | None:
        """The signature that matters: ISI Media's if there is one, else the first."""
        for signature in self.signatures:
            if signature.by_isimedia:
                return signature
        return self.signatures[0] if self.signatures else None


def check_pdf(data: bytes) -> PdfCheck:
    """Read every signature in ``data`` and check it against ISI Media's certificates; never raises for bad input."""
    result = PdfCheck(sha256=hashlib.sha256(data).hexdigest())
    roots = trusted_certificates()
    fingerprints = {certificate.sha256.hex() for certificate in roots}
    try:
        reader = PdfFileReader(BytesIO(data))
        embedded = list(reader.embedded_regular_signatures)
    except Exception:  # anything in an uploaded file that pyHanko cannot parse means "unreadable"
        logger.info("Uploaded PDF %s could not be read.", result.sha256, exc_info=True)
        result.readable = False
        return result
    for signature in embedded:
        result.signatures.append(_check_signature(signature, roots, fingerprints))
    return result


def _check_signature(signature, roots, fingerprints) -> SealCheck:
    reason = _text(signature.sig_object.get("/Reason"))
    match = _ACCEPTANCE_IN_REASON.search(reason)
    try:
        certificate = signature.signer_cert
        fingerprint = certificate.sha256.hex()
        signer = certificate.subject.human_friendly
    except Exception:  # noqa: BLE001 - a signature without a readable certificate is simply not intact
        fingerprint, signer = "", ""
    by_isimedia = fingerprint in fingerprints
    check = SealCheck(
        field_name=str(signature.field_name or ""),
        intact=False,
        by_isimedia=by_isimedia,
        trusted=False,
        covers_whole_file=False,
        changes_allowed=False,
        signer=signer,
        signer_fingerprint=fingerprint,
        signed_at=None,
        reason=reason,
        acceptance_id=int(match.group(1)) if match and by_isimedia else None,
    )
    try:
        check.signed_at = signature.self_reported_timestamp
        # Our certificates are the only trust roots, and the seal is judged at the time it claims: that claim is
        # covered by the signature, so only the key's holder can make it, and an expired certificate does not
        # turn the seals made while it was valid into invalid ones.
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=check.signed_at)
        status = _run(lambda: async_validate_pdf_signature(signature, signer_validation_context=context))
    except Exception:  # a broken signature structure is a signature that does not hold
        logger.info("A signature in an uploaded PDF could not be validated.", exc_info=True)
        return check
    check.intact = bool(status.intact and status.valid)
    check.trusted = bool(status.trusted) and by_isimedia
    check.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    check.changes_allowed = check.covers_whole_file or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.docmdp_ok is not False
    )
    return check


def _text(value) -> str:
    if value is None:
        return ""
    try:
        return str(value.get_object())
    except Exception:  # noqa: BLE001 - an unreadable reason is no reason
        return ""
