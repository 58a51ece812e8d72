"""ISI Media's seal: a signed PDF is the published PDF plus a signature page and a PAdES signature that pyHanko
validates against the certificate, and that no longer validates once one byte inside it changes.

The builders here (a throwaway certificate, a DPA in force, a signed acceptance) and the URLconf are shared with the
other signing tests.
"""

import asyncio
import datetime
import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from django.urls import include, path
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from contracts import sealing, services
from contracts.models import Acceptance, DocumentKind
from contracts.services.signing import SignedPdfNotReady, signed_pdf_make
from isimedia import urls as project_urls

from .documents_helpers import published_version
from .factories import ClientContactFactory

# The signing pages (contracts.signing_urls) and the public document pages: until the project's URLconf includes
# them, these tests add them.
urlpatterns = [*project_urls.urlpatterns]
for _module, _namespace in (("contracts.signing_urls", "contracts_signing"), ("contracts.document_urls", "documents")):
    if not any(getattr(pattern, "namespace", None) == _namespace for pattern in urlpatterns):
        urlpatterns.insert(0, path("", include(_module)))
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PASSPHRASE = "test-only-passphrase"


# --- Shared builders: the other signing tests define their fixtures with these ------------------------------------


def make_signing_certificate(tmp_path, settings):
    """A throwaway organisation certificate, made the way ``make_demo_certificate`` makes one, and configured."""
    p12 = tmp_path / "signing.p12"
    certificate = sealing.make_self_signed_pkcs12(p12, secret=PASSPHRASE.encode(), demo=False, days=30)
    settings.CONTRACTS_SIGNING_PKCS12 = str(p12)
    settings.CONTRACTS_SIGNING_PASSPHRASE = PASSPHRASE
    settings.CONTRACTS_DIRECTOR_NAME = "Ingrid Directeur"
    settings.CONTRACTS_PROCESSOR_NAME = "ISI Media"
    settings.CONTRACTS_PROCESSOR_KVK = "11223344"
    pem = tmp_path / "isimedia-certificaat.pem"
    pem.write_bytes(sealing.sealing_identity().pem)
    certificate.pem_path = pem
    return certificate


def make_dpa_in_force(label: str = "2026-01"):
    """A DPA version in force today, published through the services with its PDF rendered (WeasyPrint)."""
    return published_version(DocumentKind.DPA, label=label, effective_on=timezone.localdate())


def make_contact():
    return ClientContactFactory(client__name="Bakkerij De Korenschoof B.V.", client__kvk_number="12345678")


def sign(contact, version, **overrides) -> Acceptance:
    values = {
        "client": contact.client,
        "user": contact.user,
        "version": version,
        "signer_name": "Jan Jansen",
        "signer_title": "Directeur",
        "authorised": True,
        "ip_address": "192.0.2.10",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0",
    }
    values.update(overrides)
    return services.dpa_sign(**values)


def make_signed_acceptance(contact, version) -> Acceptance:
    """Signed, and its sealed PDF made at once, as the worker would."""
    return signed_pdf_make(acceptance_id=sign(contact, version).pk)


@pytest.fixture
def signing_certificate(tmp_path, settings):
    return make_signing_certificate(tmp_path, settings)


@pytest.fixture
def dpa_in_force():
    return make_dpa_in_force()


@pytest.fixture
def contact():
    return make_contact()


@pytest.fixture
def signed_acceptance(signing_certificate, dpa_in_force, contact):
    return make_signed_acceptance(contact, dpa_in_force)


def signed_bytes(acceptance: Acceptance) -> bytes:
    with acceptance.signed_pdf.open("rb") as handle:
        return handle.read()


def pyhanko_status(data: bytes, trust_pem: Path):
    """What pyHanko itself says about the first signature, with ``trust_pem`` as the only trust root."""

    async def validate():
        reader = PdfFileReader(io.BytesIO(data))
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(trust_pem))], allow_fetching=False)
        return await async_validate_pdf_signature(reader.embedded_signatures[0], signer_validation_context=context)

    return asyncio.run(validate())


def flip_byte_in_signed_range(data: bytes) -> bytes:
    """One byte changed inside the first stream of the published PDF: covered by the signature, still a PDF."""
    start = data.index(b"stream\n") + len(b"stream\n") + 10
    changed = bytearray(data)
    changed[start] ^= 0x01
    return bytes(changed)


# --- Tests ----------------------------------------------------------------------------------------------------------


def test_the_signed_pdf_validates_with_pyhanko_against_the_certificate(signed_acceptance, signing_certificate):
    data = signed_bytes(signed_acceptance)

    assert hashlib.sha256(data).hexdigest() == signed_acceptance.signed_pdf_sha256
    status = pyhanko_status(data, signing_certificate.pem_path)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.signing_cert.sha256 == signing_certificate.sha256
    assert str(status.coverage) == "SignatureCoverageLevel.ENTIRE_FILE"


def test_the_signed_pdf_starts_with_the_published_pdf_byte_for_byte(signed_acceptance, dpa_in_force):
    data = signed_bytes(signed_acceptance)
    with dpa_in_force.pdf.open("rb") as handle:
        published = handle.read()

    assert data[: len(published)] == published
    assert hashlib.sha256(data[: len(published)]).hexdigest() == dpa_in_force.pdf_sha256


def test_the_signature_page_names_both_parties_and_the_evidence(signed_acceptance, dpa_in_force):
    data = signed_bytes(signed_acceptance)
    published_pages = len(PdfFileReader(io.BytesIO(dpa_in_force.pdf.open("rb").read())).root["/Pages"]["/Kids"])
    reader = PdfFileReader(io.BytesIO(data))
    assert int(reader.root["/Pages"]["/Count"]) == published_pages + 1

    text = _pdf_text(data, page=published_pages + 1)
    flat = " ".join(text.split())
    for expected in (
        "ISI Media",
        "11223344",
        "Ingrid Directeur",
        "Bakkerij De Korenschoof B.V.",
        "12345678",
        "Jan Jansen",
        "Directeur",
        "2026-01",
        signed_acceptance.text_sha256,
        signed_acceptance.evidence_sha256,
    ):
        assert expected in flat.replace(" ", "") or expected in flat, expected
    # The time on the page is Amsterdam time.
    local = timezone.localtime(signed_acceptance.accepted_at, datetime.UTC).astimezone(sealing_zone())
    assert local.strftime("%H:%M:%S") in flat


def test_the_seal_names_the_acceptance_and_the_client(signed_acceptance):
    data = signed_bytes(signed_acceptance)
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    reason = str(signature.sig_object["/Reason"])

    assert reason.endswith(f"acceptance {signed_acceptance.pk}")
    assert "KvK 12345678" in reason and "2026-01" in reason
    assert signature.field_name == sealing.SEAL_FIELD_NAME
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False).stdout.decode()
    assert f"isimedia-acceptance:{signed_acceptance.pk}" in info


def test_one_changed_byte_makes_the_signature_invalid(signed_acceptance, signing_certificate):
    data = signed_bytes(signed_acceptance)
    tampered = flip_byte_in_signed_range(data)

    status = pyhanko_status(tampered, signing_certificate.pem_path)
    assert not status.intact
    assert not status.bottom_line
    check = sealing.check_pdf(tampered)
    assert check.readable and check.seal is not None
    assert check.seal.by_isimedia and not check.seal.intact and not check.seal.valid


def test_another_certificate_is_not_trusted(signed_acceptance, tmp_path):
    other = tmp_path / "other.p12"
    sealing.make_self_signed_pkcs12(other, secret=None, organisation="Somebody Else B.V.", demo=False)
    identity = sealing._load_identity(str(other), None, 0, 0)
    other_pem = tmp_path / "other.pem"
    other_pem.write_bytes(identity.pem)

    status = pyhanko_status(signed_bytes(signed_acceptance), other_pem)
    assert status.intact and not status.trusted


def test_making_the_signed_pdf_twice_changes_nothing(signed_acceptance):
    first_name, first_hash = signed_acceptance.signed_pdf.name, signed_acceptance.signed_pdf_sha256

    again = signed_pdf_make(acceptance_id=signed_acceptance.pk)

    assert (again.signed_pdf.name, again.signed_pdf_sha256) == (first_name, first_hash)


def test_without_the_published_pdf_the_signed_pdf_waits(signing_certificate, contact):
    version = published_version(DocumentKind.DPA, effective_on=timezone.localdate(), render_pdf=False)
    acceptance = sign(contact, version)

    with pytest.raises(SignedPdfNotReady):
        signed_pdf_make(acceptance_id=acceptance.pk)
    assert services.signed_pdfs_make_missing() == 0

    services.version_render_pdf(version_id=version.pk)
    assert services.signed_pdfs_make_missing() == 1
    acceptance.refresh_from_db()
    assert acceptance.signed_pdf and len(acceptance.signed_pdf_sha256) == 64


def test_without_a_certificate_the_signed_pdf_waits(settings, tmp_path, dpa_in_force, contact):
    settings.CONTRACTS_SIGNING_PKCS12 = str(tmp_path / "missing.p12")
    acceptance = sign(contact, dpa_in_force)

    with pytest.raises(SignedPdfNotReady):
        signed_pdf_make(acceptance_id=acceptance.pk)
    acceptance.refresh_from_db()
    assert not acceptance.signed_pdf


def test_make_demo_certificate_creates_a_demo_certificate_once(settings, tmp_path):
    from django.core.management import call_command

    settings.BASE_DIR = tmp_path
    settings.CONTRACTS_SIGNING_PKCS12 = ""
    settings.CONTRACTS_SIGNING_PASSPHRASE = ""
    out = io.StringIO()

    call_command("make_demo_certificate", stdout=out)

    assert (tmp_path / "var" / "demo-signing.p12").exists()
    assert "DEMO" in out.getvalue()
    assert sealing.sealing_identity().is_demo
    created = (tmp_path / "var" / "demo-signing.p12").read_bytes()
    call_command("make_demo_certificate", stdout=io.StringIO())
    assert (tmp_path / "var" / "demo-signing.p12").read_bytes() == created


def test_make_demo_certificate_refuses_to_hide_a_missing_configured_certificate(settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.CONTRACTS_SIGNING_PKCS12 = str(tmp_path / "real.p12")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("make_demo_certificate", stdout=io.StringIO())


def sealing_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")


def _pdf_text(data: bytes, page: int) -> str:
    result = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()
