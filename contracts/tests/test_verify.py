"""The public verification page: anyone uploads a PDF and learns whether ISI Media's seal on it holds and what it
belongs to; a changed byte, another certificate, no signature or no PDF at all each get their own answer."""

import asyncio
import io

import pytest
from django.test import Client
from django.urls import reverse
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from contracts import sealing
from contracts.selectors import dpa_verify
from contracts.selectors.signing import Verdict

from .test_sealing import (
    flip_byte_in_signed_range,
    make_contact,
    make_dpa_in_force,
    make_signed_acceptance,
    make_signing_certificate,
    signed_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("contracts.tests.test_sealing")]

URL = "/verifieer/"


@pytest.fixture
def signing_certificate(tmp_path, settings):
    return make_signing_certificate(tmp_path, settings)


@pytest.fixture
def signed_acceptance(signing_certificate):
    return make_signed_acceptance(make_contact(), make_dpa_in_force())


def upload(client, data: bytes, name: str = "verwerkersovereenkomst.pdf", language: str = "en"):
    return client.post(URL, {"pdf": _named(data, name)}, HTTP_ACCEPT_LANGUAGE=language)


def _named(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def verdict_of(response) -> str:
    page = response.content.decode()
    marker = 'data-verdict="'
    return page[page.index(marker) + len(marker) :].split('"', 1)[0]


def sign_with_other_certificate(data: bytes, tmp_path) -> bytes:
    """The file signed once more, by someone else's certificate (as a client countersigning in its PDF reader)."""
    other = tmp_path / "other.p12"
    sealing.make_self_signed_pkcs12(other, secret=None, organisation="Somebody Else B.V.", demo=False)
    signer = signers.SimpleSigner.load_pkcs12(str(other))
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    output = io.BytesIO()
    metadata = signers.PdfSignatureMetadata(field_name="Countersignature", md_algorithm="sha256")
    asyncio.run(signers.PdfSigner(metadata, signer=signer).async_sign_pdf(writer, output=output))
    return output.getvalue()


def test_the_page_explains_and_offers_the_certificate(client, signing_certificate):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Verify a signed agreement" in page
    assert reverse("contracts_signing:certificate") in page
    assert signing_certificate.sha256.hex() in page
    assert "pyhanko sign validate --trust isimedia-certificaat.pem" in page
    assert "demo certificate" not in page


def test_the_page_is_dutch_by_default(client, signing_certificate):
    response = client.get(URL)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


def test_a_signed_pdf_is_shown_as_authentic_with_client_version_and_date(client, signed_acceptance):
    response = upload(client, signed_bytes(signed_acceptance))

    assert response.status_code == 200
    assert verdict_of(response) == Verdict.VALID
    page = response.content.decode()
    assert "Authentic and unchanged" in page
    assert "Bakkerij De Korenschoof B.V., KvK number 12345678" in page
    assert "Verwerkersovereenkomst, version 2026-01" in page
    assert "by Jan Jansen (Directeur)" in page
    assert signed_acceptance.signed_pdf_sha256 in page


def test_one_changed_byte_is_shown_as_invalid(client, signed_acceptance):
    tampered = flip_byte_in_signed_range(signed_bytes(signed_acceptance))

    response = upload(client, tampered)

    assert verdict_of(response) == Verdict.INVALID
    page = response.content.decode()
    assert "Not valid: the PDF was changed" in page
    assert "Bakkerij De Korenschoof" not in page  # a broken seal vouches for nothing


def test_a_changed_byte_anywhere_in_the_signed_part_is_caught(signed_acceptance):
    data = signed_bytes(signed_acceptance)
    # The signature page's text and the seal's own reason: both inside the signed byte range.
    for needle in (b"/Reason", b"/Subject"):
        position = data.rindex(needle) + len(needle) + 3
        changed = bytearray(data)
        changed[position] ^= 0x02
        assert dpa_verify(bytes(changed)).verdict in (Verdict.INVALID, Verdict.UNREADABLE), needle


def test_a_pdf_signed_with_another_certificate_is_not_accepted(client, signing_certificate, tmp_path, settings):
    published = make_dpa_in_force()
    with published.pdf.open("rb") as handle:
        data = handle.read()
    # Sealed exactly like ours, but with a certificate that is not ISI Media's.
    impostor = tmp_path / "impostor" / "seal.p12"
    sealing.make_self_signed_pkcs12(impostor, secret=None, organisation="ISI Media B.V.", demo=False)
    settings.CONTRACTS_SIGNING_PKCS12 = str(impostor)
    settings.CONTRACTS_SIGNING_PASSPHRASE = ""
    forged = sealing.seal_with_extra_page(
        document=data,
        extra_page=data,
        reason="DPA 2026-01; Bakkerij; KvK 12345678; acceptance 1",
        location="",
        contact_info="",
        subject="",
        keywords=[],
    )
    settings.CONTRACTS_SIGNING_PKCS12 = str(signing_certificate.pem_path.parent / "signing.p12")
    settings.CONTRACTS_SIGNING_PASSPHRASE = "test-only-passphrase"

    response = upload(client, forged)

    assert verdict_of(response) == Verdict.NOT_ISIMEDIA
    assert "Not sealed by ISI Media" in response.content.decode()


def test_a_pdf_without_a_signature_says_so(client, signing_certificate):
    published = make_dpa_in_force()
    with published.pdf.open("rb") as handle:
        response = upload(client, handle.read())

    assert verdict_of(response) == Verdict.UNSIGNED
    assert "No digital signature" in response.content.decode()


def test_something_that_is_not_a_pdf_is_refused(client, signing_certificate):
    response = upload(client, b"<html>not a pdf</html>", name="agreement.pdf")

    assert response.status_code == 400
    assert "This is not a PDF file." in response.content.decode()
    assert 'data-verdict="' not in response.content.decode()


def test_a_damaged_pdf_cannot_be_read(client, signing_certificate):
    response = upload(client, b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert verdict_of(response) == Verdict.UNREADABLE


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, signing_certificate):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024))

    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_a_countersigned_pdf_is_authentic_with_additions(client, signed_acceptance, tmp_path):
    countersigned = sign_with_other_certificate(signed_bytes(signed_acceptance), tmp_path)

    response = upload(client, countersigned)

    assert verdict_of(response) == Verdict.VALID_WITH_ADDITIONS
    page = response.content.decode()
    assert "Authentic, with additions after sealing" in page
    # Linked to the record because the file starts with exactly the PDF we made.
    assert "Bakkerij De Korenschoof B.V., KvK number 12345678" in page


def test_an_intact_seal_without_a_record_is_not_shown_as_a_known_agreement(client, signing_certificate):
    published = make_dpa_in_force()
    with published.pdf.open("rb") as handle:
        data = handle.read()
    # Our certificate, but no signature record of ours: as if made by another installation sharing the key.
    sealed = sealing.seal_with_extra_page(
        document=data,
        extra_page=data,
        reason="DPA 2026-01; Elders B.V.; KvK 87654321; acceptance 999999",
        location="",
        contact_info="",
        subject="",
        keywords=[],
    )

    response = upload(client, sealed)

    assert verdict_of(response) == Verdict.VALID
    page = response.content.decode()
    assert "Sealed by ISI Media, but unknown to us" in page
    assert "Elders B.V." not in page


def test_the_upload_needs_the_csrf_token(signed_acceptance):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, {"pdf": _named(signed_bytes(signed_acceptance), "a.pdf")})
    assert response.status_code == 403


def test_the_certificate_can_be_downloaded_for_pyhanko(client, signing_certificate):
    response = client.get(reverse("contracts_signing:certificate"))

    assert response.status_code == 200
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")
    assert response.content == signing_certificate.pem_path.read_bytes()
    assert "isimedia-certificaat.pem" in response["Content-Disposition"]


def test_without_a_certificate_there_is_none_to_download(client, settings, tmp_path):
    settings.CONTRACTS_SIGNING_PKCS12 = str(tmp_path / "none.p12")
    assert client.get(reverse("contracts_signing:certificate")).status_code == 404


def test_a_demo_certificate_is_announced(client, settings, tmp_path):
    demo = tmp_path / "demo.p12"
    sealing.make_self_signed_pkcs12(demo, secret=None, demo=True)
    settings.CONTRACTS_SIGNING_PKCS12 = str(demo)
    settings.CONTRACTS_SIGNING_PASSPHRASE = ""

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert "self-signed demo certificate" in response.content.decode()
