"""The data package for access and portability requests: a zip with everything the portal holds about an address.

``data.json`` is the machine-readable export of every registry entry (GDPR art. 15 and 20), with the request's
reference, the address and when it was made; ``overzicht.html`` (Dutch) or ``summary.html`` (English) shows the
same data readably, self-contained and escaped; ``README.txt`` says what is what. Same data, same bytes: entries,
records and zip members come in a fixed order and the zip's timestamps are the package's own.

Streamed: records are read in chunks and written into the zip one by one, so a person with years of records costs
no more memory than one with a few (``bench/data_scale.py`` measures it). ``data.json`` is written exactly as
``json.dumps(..., indent=2)`` would write the whole; the summary's sections wait in a temporary file (spilled to
disk when large) while ``data.json`` is written, because its table of contents needs each section's count first.
"""

import io
import json
import re
import shutil
import tempfile
import zipfile
from datetime import date, datetime
from html import escape
from typing import BinaryIO

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _

from isimedia.workdays import AMSTERDAM

from . import registry

SUMMARY_NAMES = {"nl": "overzicht.html", "en": "summary.html"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Sections of the summary up to this size stay in memory; larger ones go to a temporary file.
_SPOOL_BYTES = 1024 * 1024
# The summary after its table of contents (summary_start.html): one section per entry, one block per record.
_SECTIONS = "\n"
_SECTION_START = '\n<section id="{}">\n  <h2>{}</h2>\n  '
_RECORD = '\n  <div class="record">{}</div>\n  '
_NOTHING = '\n  <p class="empty">{}</p>\n  '
_SECTION_END = "\n</section>\n"
_SUMMARY_END = "\n</body>\n</html>\n"
_EMPTY = '<span class="empty">—</span>'


def build_package(request, *, now: datetime | None = None) -> bytes:
    """The zip for ``request`` (a DataSubjectRequest), in the requester's language."""
    buffer = io.BytesIO()
    write_package(request, buffer, now=now)
    return buffer.getvalue()


def write_package(request, out: BinaryIO, *, now: datetime | None = None) -> None:
    """Write the zip for ``request`` to ``out`` (a seekable binary file), record by record."""
    language = request.language if request.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    generated_at = timezone.localtime(now or timezone.now(), AMSTERDAM)
    address = registry.normalise_email(request.email)
    stamp = generated_at.timetuple()[:6]
    with translation.override(language):
        summary_name = SUMMARY_NAMES.get(language, SUMMARY_NAMES["en"])
        context = {
            "language": language,
            "reference": request.reference,
            "email": request.email,
            "generated_at": generated_at,
            "summary_name": summary_name,
            "privacy_email": settings.PRIVACY_EMAIL,
        }
        readme = engines["text"].get_template("privacy/package/readme.txt").render(context)
        header = {
            "reference": request.reference,
            "email": request.email,
            "generated_at": generated_at.isoformat(),
            "language": language,
        }
        with (
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as sections_html,
        ):
            with archive.open(_member("README.txt", stamp), "w") as member:
                member.write(str(readme).replace("\n", "\r\n").encode("utf-8"))
            with archive.open(_member("data.json", stamp), "w") as member:
                sections = _write_data(member, sections_html, header, address)
            with archive.open(_member(summary_name, stamp), "w") as member:
                start = render_to_string("privacy/package/summary_start.html", {**context, "sections": sections})
                member.write((str(start) + _SECTIONS).encode("utf-8"))
                sections_html.seek(0)
                shutil.copyfileobj(sections_html, member)
                member.write(_SUMMARY_END.encode("utf-8"))


def _member(name: str, stamp) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _write_data(data_json: BinaryIO, sections_html: BinaryIO, header: dict, address: str) -> list[dict]:
    """Write data.json, byte for byte as ``json.dumps({**header, "data": ...}, indent=2)``, and each record's
    block of the summary to ``sections_html``; returns the sections (key, label, count) for the table of contents."""

    def write(text: str) -> None:
        data_json.write(text.encode("utf-8"))

    write("{\n")
    for name, value in header.items():
        write(f"  {_json(name)}: {_json(value)},\n")
    write('  "data": {')
    sections = []
    for entry in registry.entries():
        label = str(entry.label)
        titles = {name: str(title) for name, title in entry.titles.items()}
        key = entry.key.replace(".", "-")
        sections_html.write(format_html(_SECTION_START, key, label).encode("utf-8"))
        write(("," if sections else "") + f'\n    {_json(entry.key)}: {{\n      "label": {_json(label)},\n')
        write('      "records": [')
        count = 0
        for record in entry.export(address):
            # Strings in JSON hold no raw newline, so indenting every line indents the record as a whole.
            write(("," if count else "") + "\n        " + _json(record, indent=2).replace("\n", "\n        "))
            sections_html.write(format_html(_RECORD, _record_html(record, titles)).encode("utf-8"))
            count += 1
        write("\n      ]\n    }" if count else "]\n    }")
        if not count:
            sections_html.write(format_html(_NOTHING, _("Nothing is held about you here.")).encode("utf-8"))
        sections_html.write(_SECTION_END.encode("utf-8"))
        sections.append({"key": key, "label": label, "count": count})
    write("\n  }\n}\n" if sections else "}\n}\n")
    return sections


def _json(value, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _record_html(record: dict, titles: dict) -> SafeString:
    """A record as a definition list of its fields, nested records in blocks of their own, everything escaped.

    Written here rather than as an included template: for a person with 10,000 records the template took nine
    tenths of the package's time (bench/data_scale.py). Values are shown by ``_display``; text keeps its line breaks.
    """
    parts = ["<dl>\n"]
    for name, value in record.items():
        title = titles.get(name) or name.replace("_", " ")
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            shown = "".join(f'<div class="record">{_record_html(item, titles)}</div>' for item in value)
        elif isinstance(value, list):
            shown = (
                "<ul>" + "".join(f"<li>{escape(_display(item))}</li>" for item in value) + "</ul>" if value else _EMPTY
            )
        elif isinstance(value, dict):
            shown = f'<div class="record">{_record_html(value, titles)}</div>'
        else:
            shown = _text_html(_display(value))
        parts.append(f"\n  <dt>{escape(title)}</dt>\n  <dd>{shown}</dd>\n")
    parts.append("\n</dl>\n")
    return mark_safe("".join(parts))


def _text_html(text: str) -> str:
    """Escaped, with its line breaks (of any kind) as <br>: as the linebreaksbr filter does, without its overhead."""
    if "\r" in text:
        text = normalize_newlines(text)
    return escape(text).replace("\n", "<br>")


def _display(value) -> str:
    """A value as a person reads it, in the active language."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and _DATETIME.match(value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment, AMSTERDAM)
        return formats.date_format(moment, "DATETIME_FORMAT")
    if isinstance(value, str) and _DATE.match(value):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)
