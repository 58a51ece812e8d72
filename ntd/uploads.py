"""Checks on evidence files, shared by the notice form, the API and the client's answer.

A file's type is read from its content (its first bytes), never from its name or the type the browser claims, so
an executable renamed to ``.pdf`` is refused and a PNG named ``.pdf`` is kept as the PNG it is. The display name is
made safe and given the extension of the type that was found.
"""

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_FILES = 5
MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_TOTAL_SIZE = 25 * 1024 * 1024
# What the browser's file picker suggests; the server decides by content all the same.
ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.eml,application/pdf,image/*,text/plain,message/rfc822"

# How much of a file is read to recognise an e-mail's header block.
_HEAD_BYTES = 64 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]  # the first one is given to a file whose name has none of them


PDF = FileType("application/pdf", (".pdf",))
PNG = FileType("image/png", (".png",))
JPEG = FileType("image/jpeg", (".jpg", ".jpeg", ".jfif"))
GIF = FileType("image/gif", (".gif",))
WEBP = FileType("image/webp", (".webp",))
EML = FileType("message/rfc822", (".eml", ".msg.eml"))
TEXT = FileType("text/plain", (".txt", ".text", ".log", ".csv", ".md"))

FILE_TYPES = (PDF, PNG, JPEG, GIF, WEBP, EML, TEXT)
# The content types a stored file may be served with; anything else is served as application/octet-stream.
SERVABLE_CONTENT_TYPES = frozenset(file_type.content_type for file_type in FILE_TYPES)

# Header fields that open nearly every stored e-mail; two of them in the first header block make an .eml.
_MAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "delivered-to",
        "reply-to",
        "content-type",
        "sender",
        "x-mailer",
        "dkim-signature",
        "authentication-results",
        "arc-seal",
    }
)
_HEADER_LINE = re.compile(rb"^([!-9;-~]+):")  # RFC 5322 field name: printable ASCII except the colon
_MAX_NAME = 120


def check_uploads(files) -> list[UploadedFile]:
    """Check count, sizes and types of uploaded files; return them with a safe name and the type found.

    Raises one ValidationError holding a message per problem, each naming its file.
    """
    files = [upload for upload in files if upload is not None]
    if len(files) > MAX_FILES:
        raise ValidationError(
            ngettext(
                "Choose at most %(max)d files; you chose %(count)d.",
                "Choose at most %(max)d files; you chose %(count)d.",
                MAX_FILES,
            )
            % {"max": MAX_FILES, "count": len(files)},
            code="too_many_files",
        )
    errors = []
    total = 0
    for upload in files:
        name = safe_name(upload.name or "")
        size = upload.size or 0
        total += size
        if size == 0:
            errors.append(ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty_file"))
            continue
        if size > MAX_FILE_SIZE:
            errors.append(
                ValidationError(
                    _("“%(name)s” is %(size)s; a file may be at most %(max)s.")
                    % {"name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_FILE_SIZE)},
                    code="file_too_large",
                )
            )
            continue
        file_type = detect_type(upload)
        if file_type is None:
            errors.append(
                ValidationError(
                    _(
                        "“%(name)s” is not a PDF, an image (PNG, JPEG, GIF, WebP), a text file or a saved e-mail "
                        "(.eml). We look at what the file contains, not at its name."
                    )
                    % {"name": name},
                    code="file_type",
                )
            )
            continue
        upload.name = with_extension(name, file_type)
        upload.content_type = file_type.content_type
    if total > MAX_TOTAL_SIZE:
        errors.append(
            ValidationError(
                _("Together the files are %(size)s; at most %(max)s is allowed.")
                % {"size": filesizeformat(total), "max": filesizeformat(MAX_TOTAL_SIZE)},
                code="files_too_large",
            )
        )
    if errors:
        raise ValidationError(errors)
    return files


def detect_type(upload) -> FileType | None:
    """The allowed type of a file, read from its content; None for anything else."""
    head = _read_head(upload)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if b"\x00" in head:
        return None
    if _looks_like_email(head):
        # Raw messages may carry 8-bit bodies in any charset, so only the absence of NUL bytes is required.
        return EML if _has_no_nul(upload) else None
    return TEXT if _is_utf8_text(upload) else None


def safe_name(name: str) -> str:
    """A file name fit to show and to send in a download: no path, no control or odd characters, not too long."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/")
    name = PurePosixPath(name).name
    # Letters and digits of any script, and a few harmless marks; anything else becomes an underscore.
    name = "".join(char if char.isalnum() or char in " .-_()+,&" else "_" for char in name)
    name = re.sub(r"\s+", " ", name).strip(" ._")
    if len(name) > _MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[: _MAX_NAME - len(suffix) - 1]}.{suffix}" if dot and len(suffix) <= 8 else name[:_MAX_NAME]
    return name or _("file")


def with_extension(name: str, file_type: FileType) -> str:
    """``name`` ending in an extension of ``file_type``: a misleading extension is replaced, a missing one added."""
    lower = name.lower()
    if lower.endswith(file_type.extensions):
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and 1 <= len(suffix) <= 5 and suffix.isalnum():
        name = stem
    return name + file_type.extensions[0]


def _chunks(upload):
    upload.seek(0)
    try:
        yield from upload.chunks(_CHUNK)
    finally:
        upload.seek(0)


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head


def _has_no_nul(upload) -> bool:
    return all(b"\x00" not in chunk for chunk in _chunks(upload))


def _is_utf8_text(upload) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(upload):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_email(head: bytes) -> bool:
    """The file opens with an RFC 5322 header block holding at least two of the usual header fields."""
    lines = head.split(b"\n")
    if len(head) >= _HEAD_BYTES:
        lines = lines[:-1]  # the last piece may be cut off mid-line
    seen = set()
    for number, raw in enumerate(lines):
        line = raw.rstrip(b"\r")
        if number == 0:
            line = line.lstrip(b"\xef\xbb\xbf")
            if line.startswith(b"From "):  # the mbox separator line some programs save with a message
                continue
        if not line:
            break  # end of the header block
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the previous field
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        seen.add(match.group(1).decode("ascii").lower())
    return len(seen & _MAIL_HEADERS) >= 2


def evidence_download(evidence) -> FileResponse:
    """An evidence file as a download that no browser renders: for every party that may see it."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    content_type = evidence.content_type if evidence.content_type in SERVABLE_CONTENT_TYPES else None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser render it after all, it runs no script and loads nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
