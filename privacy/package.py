"""The data package for access and portability requests: a zip with everything the portal holds about an address.

``data.json`` is the machine-readable export of every registry entry (GDPR art. 15 and 20), with the request's
reference, the address and when it was made; ``overzicht.html`` (Dutch) or ``summary.html`` (English) shows the
same data readably, self-contained and escaped; ``README.txt`` says what is what. Same data, same bytes: entries,
records and zip members come in a fixed order and the zip's timestamps are the package's own.
"""

import io
import json
import re
import zipfile
from datetime import date, datetime

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from isimedia.workdays import AMSTERDAM

from . import registry

SUMMARY_NAMES = {"nl": "overzicht.html", "en": "summary.html"}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def build_package(request, *, now: datetime | None = None) -> bytes:
    """The zip for ``request`` (a DataSubjectRequest), in the requester's language."""
    language = request.language if request.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    generated_at = timezone.localtime(now or timezone.now(), AMSTERDAM)
    with translation.override(language):
        exported = registry.export_all(request.email)
        data = {
            "reference": request.reference,
            "email": request.email,
            "generated_at": generated_at.isoformat(),
            "language": language,
            "data": exported,
        }
        summary_name = SUMMARY_NAMES.get(language, SUMMARY_NAMES["en"])
        context = {
            "language": language,
            "reference": request.reference,
            "email": request.email,
            "generated_at": generated_at,
            "summary_name": summary_name,
            "privacy_email": settings.PRIVACY_EMAIL,
            "sections": _sections(exported),
        }
        summary = render_to_string("privacy/package/summary.html", context)
        readme = engines["text"].get_template("privacy/package/readme.txt").render(context)

    members = [
        ("README.txt", str(readme).replace("\n", "\r\n")),
        ("data.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
        (summary_name, str(summary)),
    ]
    buffer = io.BytesIO()
    stamp = generated_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def _sections(exported: dict) -> list[dict]:
    sections = []
    for key, part in exported.items():
        titles = {name: str(title) for name, title in registry.registry.entry(key).titles.items()}
        sections.append(
            {
                "key": key.replace(".", "-"),
                "label": part["label"],
                "records": [_rows(record, titles) for record in part["records"]],
            }
        )
    return sections


def _rows(record: dict, titles: dict) -> list[dict]:
    rows = []
    for name, value in record.items():
        title = titles.get(name) or name.replace("_", " ")
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            rows.append({"title": title, "kind": "records", "value": [_rows(item, titles) for item in value]})
        elif isinstance(value, list):
            rows.append({"title": title, "kind": "items", "value": [_display(item) for item in value]})
        elif isinstance(value, dict):
            rows.append({"title": title, "kind": "records", "value": [_rows(value, titles)]})
        else:
            rows.append({"title": title, "kind": "text", "value": _display(value)})
    return rows


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
