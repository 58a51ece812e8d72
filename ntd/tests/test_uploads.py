"""Evidence files: how many, how large, and which types, read from the content rather than the name."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from ntd import uploads
from ntd.uploads import check_uploads, safe_name

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _english():
    # The messages are compared in English; sizes then read "10.0 MB" rather than the Dutch "10,0 MB".
    with translation.override("en"):
        yield


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (23, 54, 93)).save(buffer, format=kind)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"
EML = (
    b"Return-Path: <marieke@fotografie.example>\r\n"
    b"Received: from mail.fotografie.example by mx.korenschoof.example\r\n"
    b"\tfor <info@korenschoof.example>; Mon, 2 Nov 2026 10:00:00 +0100\r\n"
    b"From: Marieke Jansen <marieke@fotografie.example>\r\n"
    b"To: info@korenschoof.example\r\n"
    b"Subject: Verwijder mijn foto\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"\r\n"
    b"Geachte heer, de foto op uw site is van mij. Met vriendelijke groet, Marieke \xe9\r\n"
)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_name"),
    [
        ("origineel.pdf", PDF, "application/pdf", "origineel.pdf"),
        ("foto.png", image_bytes("PNG"), "image/png", "foto.png"),
        ("foto.JPG", image_bytes("JPEG"), "image/jpeg", "foto.JPG"),
        ("animatie.gif", image_bytes("GIF"), "image/gif", "animatie.gif"),
        ("scherm.webp", image_bytes("WEBP"), "image/webp", "scherm.webp"),
        ("notitie.txt", "Geachte heer, één foto — gestolen.\n".encode(), "text/plain", "notitie.txt"),
        ("bom.txt", "\ufeffMet BOM\r\n".encode(), "text/plain", "bom.txt"),
        ("mail aan eigenaar.eml", EML, "message/rfc822", "mail aan eigenaar.eml"),
        # The type is the content's: a misleading or missing extension is replaced or added.
        ("screenshot.pdf", image_bytes("PNG"), "image/png", "screenshot.png"),
        ("scan", PDF, "application/pdf", "scan.pdf"),
        ("pagina.html", b"<html><script>alert(1)</script></html>", "text/plain", "pagina.txt"),
        ("bericht.txt", EML, "message/rfc822", "bericht.eml"),
    ],
)
def test_allowed_types_are_recognised_by_content(name, content, content_type, stored_name):
    # Whatever the browser claimed, the type found in the content is what is kept.
    files = check_uploads([upload(name, content, content_type="application/x-msdownload")])

    assert [(file.name, file.content_type) for file in files] == [(stored_name, content_type)]
    assert files[0].read() == content  # read from the start, untouched


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("factuur.pdf", EXE),  # an executable renamed
        ("archief.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40),
        ("latin1.txt", "Café in één keer".encode("latin-1")),  # text, but not UTF-8
        ("nul.txt", b"tekst met\x00een NUL-byte"),
        ("foto.svg.png", b"\x89PNX" + b"\x00" * 20),  # almost a PNG
        ("mail.eml", b"From: a@example.nl\r\nTo: b@example.nl\r\n\r\nbody \x00 with NUL"),
    ],
)
def test_other_content_is_refused_naming_the_file(name, content):
    with pytest.raises(ValidationError) as error:
        check_uploads([upload(name, content, content_type="application/pdf")])

    (message,) = error.value.messages
    assert f"“{name}”" in message
    assert "not a PDF, an image (PNG, JPEG, GIF, WebP), a text file or a saved e-mail" in message


def test_text_that_merely_mentions_a_header_is_text_not_an_email():
    (file,) = check_uploads([upload("notitie.txt", b"Subject: de foto\nIk heb de eigenaar gemaild.\n")])
    assert file.content_type == "text/plain"


def test_at_most_five_files():
    files = [upload(f"bewijs-{number}.pdf", PDF) for number in range(6)]

    with pytest.raises(ValidationError) as error:
        check_uploads(files)

    assert error.value.messages == ["Choose at most 5 files; you chose 6."]
    assert len(check_uploads(files[:5])) == 5


def test_each_file_at_most_ten_megabytes():
    exact = upload("precies.pdf", PDF + b"0" * (10 * MB - len(PDF)))
    too_large = upload("te groot.pdf", PDF + b"0" * (10 * MB + 1 - len(PDF)))

    assert check_uploads([exact]) == [exact]
    with pytest.raises(ValidationError) as error:
        check_uploads([too_large])
    (message,) = error.value.messages
    assert message.startswith("“te groot.pdf” is 10.0") and "at most 10.0" in message


def test_at_most_twenty_five_megabytes_together():
    files = [upload(f"deel-{number}.pdf", PDF + b"0" * (9 * MB - len(PDF))) for number in range(3)]

    with pytest.raises(ValidationError) as error:
        check_uploads(files)

    assert error.value.messages == ["Together the files are 27.0\xa0MB; at most 25.0\xa0MB is allowed."]
    assert len(check_uploads(files[:2])) == 2


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        check_uploads([upload("leeg.txt", b""), upload("goed.pdf", PDF), upload("virus.pdf", EXE)])

    assert error.value.messages == [
        "“leeg.txt” is empty.",
        "“virus.pdf” is not a PDF, an image (PNG, JPEG, GIF, WebP), a text file or a saved e-mail (.eml). "
        "We look at what the file contains, not at its name.",
    ]


def test_no_files_is_fine():
    assert check_uploads([]) == []


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\marieke\\Bureaublad\\foto 1.jpg", "foto 1.jpg"),
        ('<img src=x onerror="alert(1)">.png', "img src_x onerror__alert(1)__.png"),
        ("evil</script>.png", "script_.png"),  # a slash is a path separator, whatever surrounds it
        ("  .verborgen\x00bestand\r\n.txt ", "verborgen_bestand__.txt"),
        ("Één foto — München.pdf", "Één foto _ München.pdf"),
        ("...", "file"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_names_are_made_safe_to_show(name, safe):
    assert safe_name(name) == safe


def test_only_known_types_may_be_served_as_themselves():
    assert "text/html" not in uploads.SERVABLE_CONTENT_TYPES
    assert {"application/pdf", "image/png", "text/plain", "message/rfc822"} <= uploads.SERVABLE_CONTENT_TYPES
