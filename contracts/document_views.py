"""The public pages of the general terms and the DPA: the version in force, every earlier one, what changed, and
the stored PDFs. Nothing here renders a PDF: a download serves the bytes stored at publication, or says they are
being prepared."""

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from .markdown import render_markdown
from .models import DocumentKind, DocumentVersion
from .selectors import documents as selectors

# The address of each document's pages; document_urls.py builds its URL patterns from this.
PATHS = {DocumentKind.TERMS.value: "voorwaarden", DocumentKind.DPA.value: "verwerkersovereenkomst"}
_URL_NAMES = {"current": "{kind}", "archive": "{kind}_archive", "changes": "{kind}_changes",
              "version": "{kind}_version", "pdf": "{kind}_pdf"}  # fmt: skip

# Published PDFs never change (the database refuses it), so browsers and proxies may keep them for a year.
PDF_CACHE_CONTROL = "public, max-age=31536000, immutable"


def document_url(kind: str, page: str = "current", **kwargs) -> str:
    """The path of a public page of a document: current, archive, changes, version (label=) or pdf (label=)."""
    return reverse("documents:" + _URL_NAMES[page].format(kind=str(kind)), kwargs=kwargs or None)


def _pages(kind: str) -> dict:
    """The addresses of a document's pages, for the templates (which cannot build a URL name from the kind)."""
    return {
        "current": document_url(kind),
        "archive": document_url(kind, "archive"),
        "changes": document_url(kind, "changes"),
    }


def _document_context(kind: str, **extra) -> dict:
    return {
        "kind": kind,
        "kind_label": DocumentKind(kind).label,
        "is_dpa": kind == DocumentKind.DPA,
        "pages": _pages(kind),
        **extra,
    }


def _version_links(version: DocumentVersion) -> dict:
    return {
        "url": document_url(version.kind, "version", label=version.label),
        "pdf_url": document_url(version.kind, "pdf", label=version.label),
    }


def _changes_url(kind: str, old: DocumentVersion, new: DocumentVersion) -> str:
    return f"{document_url(kind, 'changes')}?van={old.label}&naar={new.label}"


class _DocumentView(View):
    template_name = "contracts/documents/document.html"

    def render_version(self, request, kind: str, version: DocumentVersion | None, *, current_page: bool):
        today = timezone.localdate()
        in_force = version if current_page else selectors.version_in_force(kind, today)
        scheduled = selectors.version_scheduled(kind, today)
        context = _document_context(kind, today=today, current_page=current_page, version=version)
        if version is not None:
            rendered = render_markdown(version.body)
            status = selectors.version_status(version, today)
            context.update(
                body_html=rendered.html,
                headings=rendered.headings,
                status=status,
                in_force=in_force,
                links=_version_links(version),
                # Taken over from before the portal (version_publish_backdated): published after it took effect.
                recorded_afterwards=timezone.localtime(version.published_at).date() > version.effective_on,
            )
        if scheduled is not None and (version is None or scheduled.pk != version.pk):
            context["scheduled"] = scheduled
            context["scheduled_url"] = document_url(kind, "version", label=scheduled.label)
            if in_force is not None:
                context["scheduled_changes_url"] = _changes_url(kind, in_force, scheduled)
        return render(request, self.template_name, context)


class CurrentVersionView(_DocumentView):
    """The version in force today, with a banner when a newer one is scheduled."""

    def get(self, request, kind: str):
        version = selectors.version_in_force(kind)
        return self.render_version(request, kind, version, current_page=True)


class VersionView(_DocumentView):
    """One published version at its permanent address, whatever its state."""

    def get(self, request, kind: str, label: str):
        version = selectors.version_by_label(kind, label)
        if version is None:
            raise Http404("No published version with this label.")
        return self.render_version(request, kind, version, current_page=False)


class InForceOnForm(forms.Form):
    datum = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
    )


class ArchiveView(View):
    """Every published version, and which one applied on a given date."""

    template_name = "contracts/documents/archive.html"

    def get(self, request, kind: str):
        versions = selectors.versions_archive(kind)
        for version in versions:
            version.links = _version_links(version)
            if version.previous is not None:
                version.changes_url = _changes_url(kind, version.previous, version)
        form = InForceOnForm(request.GET or None)
        asked_on = in_force_then = None
        if form.is_bound and form.is_valid():
            asked_on = form.cleaned_data["datum"]
            # From the list already loaded: the versions come newest first in the order of taking effect.
            in_force_then = next((v for v in versions if v.effective_on <= asked_on), None)
        context = _document_context(kind, versions=versions, form=form, asked_on=asked_on, in_force_then=in_force_then)
        return render(request, self.template_name, context)


class ChangesForm(forms.Form):
    van = forms.ChoiceField(label=_("From version"))
    naar = forms.ChoiceField(label=_("To version"))

    def __init__(self, *args, labels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(label, label) for label in labels]
        self.fields["van"].choices = choices
        self.fields["naar"].choices = choices


CONTEXT_LINES = 3


def collapse_unchanged(segments: list[tuple[str, str]]) -> list[tuple[str, object]]:
    """Long unchanged stretches shortened to a few lines around each change, with ``("skip", lines)`` in between:
    on a phone the changes must not drown in pages of text that stayed the same."""
    result: list[tuple[str, object]] = []
    last = len(segments) - 1
    for index, (op, text) in enumerate(segments):
        lines = text.split("\n")
        keep_before = 0 if index == 0 else CONTEXT_LINES  # context after the previous change
        keep_after = 0 if index == last else CONTEXT_LINES  # context before the next change
        if op != selectors.EQUAL or len(lines) <= keep_before + keep_after + 2:
            result.append((op, text))
            continue
        head_lines, tail_lines = lines[:keep_before], lines[len(lines) - keep_after :] if keep_after else []
        # Blank lines beside the marker only add space: they count as skipped.
        while head_lines and len(head_lines) > 1 and not head_lines[-1].strip():
            head_lines.pop()
        while tail_lines and len(tail_lines) > 1 and not tail_lines[0].strip():
            tail_lines.pop(0)
        head = "\n".join(head_lines) + ("\n" if head_lines else "")
        tail = "\n".join(tail_lines)
        skipped = len(lines) - len(head_lines) - len(tail_lines)
        if head:
            result.append((op, head))
        result.append(("skip", skipped))
        if tail:
            result.append((op, tail))
    return result


class ChangesView(View):
    """Word by word what changed between two published versions (by default: in force → scheduled)."""

    template_name = "contracts/documents/changes.html"

    def get(self, request, kind: str):
        versions = selectors.versions_archive(kind)
        by_label = {version.label: version for version in versions}
        old = new = None
        if "van" in request.GET or "naar" in request.GET:
            form = ChangesForm(request.GET, labels=list(by_label))
            if form.is_valid():
                old, new = by_label[form.cleaned_data["van"]], by_label[form.cleaned_data["naar"]]
        else:
            old, new = self._default_pair(versions)
            initial = {"van": old.label, "naar": new.label} if old and new else {}
            form = ChangesForm(initial=initial, labels=list(by_label))
        context = _document_context(kind, form=form, old=old, new=new, has_versions=len(versions) > 1)
        status = 200
        if old is not None and new is not None:
            segments = selectors.version_diff(old, new)
            context["segments"] = collapse_unchanged(segments)
            context["changed"] = any(op != selectors.EQUAL for op, _text in segments)
            context["old_links"] = _version_links(old)
            context["new_links"] = _version_links(new)
        elif form.is_bound:
            status = 404  # a label that is not (or not yet) published
        return render(request, self.template_name, context, status=status)

    @staticmethod
    def _default_pair(versions: list[DocumentVersion]):
        """What a visitor most likely wants: from the version in force to the scheduled one, else the last change."""
        in_force = next((v for v in versions if v.status == DocumentVersion.Status.IN_FORCE), None)
        scheduled = [v for v in versions if v.status == DocumentVersion.Status.SCHEDULED]
        if in_force is not None and scheduled:
            return in_force, scheduled[-1]  # the next one to take effect
        if in_force is not None and in_force.previous is not None:
            return in_force.previous, in_force
        return None, None


class VersionPdfView(View):
    """The PDF stored at publication, as a download. Never rendered here: until the worker has made it, the visitor
    is told it is being prepared."""

    def get(self, request, kind: str, label: str):
        version = selectors.version_by_label(kind, label)
        if version is None:
            raise Http404("No published version with this label.")
        if not version.pdf:
            response = render(
                request,
                "contracts/documents/pdf_pending.html",
                _document_context(kind, version=version, links=_version_links(version)),
                status=503,
            )
            response["Retry-After"] = "60"
            response["Cache-Control"] = "no-store"
            return response
        filename = f"ISI-Media-{PATHS[kind]}-{version.label}.pdf"
        response = FileResponse(
            version.pdf.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = PDF_CACHE_CONTROL
        if version.pdf_sha256:
            response["ETag"] = f'"{version.pdf_sha256}"'
        return response
