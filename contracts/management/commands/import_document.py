"""Import a Markdown or plain-text file as a new draft of the general terms or the DPA."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from contracts.errors import ContractsError
from contracts.importing import import_file
from contracts.models import DocumentKind
from contracts.services import version_create_draft
from contracts.services.documents import notice_deadline

DEFAULT_TITLES = {DocumentKind.TERMS: "Algemene voorwaarden", DocumentKind.DPA: "Verwerkersovereenkomst"}


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--effective-on must be a date as YYYY-MM-DD, not {value!r}.") from error


class Command(BaseCommand):
    help = (
        "Import FILE as a new draft of KIND (terms or dpa). A .md file is taken as it is; any other file is read as "
        "plain text and its articles, clauses, definitions and lists are written as Markdown. Review the draft in "
        "the admin before publishing it."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=DocumentKind.values)
        parser.add_argument("file")
        parser.add_argument("--label", help="version label, such as 2026-09 (default: year and month of the date)")
        parser.add_argument("--title", help="title (default: the first line of a plain-text file, or # heading)")
        parser.add_argument("--summary", default="", help="summary of the changes, for the announcement")
        parser.add_argument(
            "--effective-on",
            type=_date,
            help="date the version takes effect, YYYY-MM-DD (default: the first date with the full notice period)",
        )
        parser.add_argument(
            "--print", dest="print_only", action="store_true", help="print the Markdown instead of saving a draft"
        )

    def handle(self, *args, kind, file, label, title, summary, effective_on, print_only, **options):
        try:
            document = import_file(file)
        except FileNotFoundError as error:
            raise CommandError(f"{file} does not exist.") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text.") from error
        if print_only:
            self.stdout.write(document.body, ending="")
            return
        effective_on = effective_on or notice_deadline(kind)
        try:
            version = version_create_draft(
                kind=kind,
                label=label or f"{effective_on:%Y-%m}",
                title=title or document.title or DEFAULT_TITLES[kind],
                body=document.body,
                summary=summary,
                effective_on=effective_on,
            )
        except ContractsError as error:
            raise CommandError("; ".join(error.messages)) from error
        articles = document.body.count("\n## ") + document.body.startswith("## ")
        self.stdout.write(
            self.style.SUCCESS(
                f"Draft {version.label} of the {version.get_kind_display()} created (id {version.pk}): "
                f"{version.title!r}, {articles} articles, takes effect on {version.effective_on:%Y-%m-%d}."
            )
        )
