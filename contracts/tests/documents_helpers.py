"""Builders for terms and DPA versions in tests; they go through the real services, so a published version has its
hash, its notice check and (rendered synchronously here) its stored PDF, exactly as in production."""

import datetime
import itertools

from django.utils import timezone

from contracts.models import DocumentKind, DocumentVersion

_labels = itertools.count(1)


def _urlpatterns():
    """The project's URLs with the document pages, until isimedia/urls.py includes them itself.

    Test modules use it with ``pytestmark = pytest.mark.urls("contracts.tests.documents_helpers")``.
    """
    from django.urls import include, path

    from isimedia.urls import urlpatterns as project

    if any(getattr(pattern, "namespace", None) == "documents" for pattern in project):
        return list(project)
    return [*project, path("", include("contracts.document_urls"))]


def __getattr__(name: str):
    # Built on first use (by the URL resolver), so importing the builders has no side effects.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


DEFAULT_TITLES = {DocumentKind.DPA: "Verwerkersovereenkomst", DocumentKind.TERMS: "Algemene voorwaarden"}
DEFAULT_BODY = (
    "## Artikel 1 Onderwerp\n\n"
    "1.1 Deze tekst is een testversie.\n\n"
    "1.2 Partijen spreken af dat de testversie niets betekent.\n"
)


def draft_version(**overrides) -> DocumentVersion:
    """A draft made by ``version_create_draft``; every field can be overridden."""
    from contracts.services import version_create_draft

    kind = overrides.pop("kind", DocumentKind.DPA)
    values = {
        "label": f"test-{next(_labels)}",
        "title": DEFAULT_TITLES.get(kind, "Document"),
        "body": DEFAULT_BODY,
        "summary": "",
        "effective_on": timezone.localdate() + datetime.timedelta(days=120),
    }
    values.update(overrides)
    return version_create_draft(kind=kind, **values)


def published_version(
    kind: str = DocumentKind.DPA,
    label: str | None = None,
    effective_on: datetime.date | None = None,
    body: str | None = None,
    *,
    title: str | None = None,
    summary: str = "",
    user=None,
    short_notice_reason: str | None = None,
    render_pdf: bool = True,
) -> DocumentVersion:
    """A version published through ``version_publish``, with its PDF rendered at once (WeasyPrint, for real).

    ``effective_on`` defaults to today. A date inside the notice period gets a short-notice reason automatically,
    so tests that only need "a version in force" need not think about notice. A date in the past is not allowed by
    the service; use ``published_version_backdated`` for that.
    """
    from contracts.services import version_publish, version_render_pdf
    from contracts.services.documents import notice_deadline

    effective_on = effective_on or timezone.localdate()
    draft = draft_version(
        kind=kind,
        label=label or f"test-{next(_labels)}",
        title=title or DEFAULT_TITLES.get(kind, "Document"),
        body=body if body is not None else DEFAULT_BODY,
        summary=summary,
        effective_on=effective_on,
    )
    if short_notice_reason is None:
        short_notice_reason = "" if effective_on >= notice_deadline(kind) else "Test"
    version = version_publish(version_id=draft.pk, user=user, short_notice_reason=short_notice_reason)
    if render_pdf:
        version_render_pdf(version_id=version.pk)
        version.refresh_from_db()
    return version


def published_version_backdated(
    kind: str = DocumentKind.DPA,
    label: str | None = None,
    effective_on: datetime.date | None = None,
    body: str | None = None,
    **kwargs,
) -> DocumentVersion:
    """A version that took effect in the past: published through the service's documented back-dating helper."""
    from contracts.services import version_publish_backdated, version_render_pdf

    kind_title = DEFAULT_TITLES.get(kind, "Document")
    draft = draft_version(
        kind=kind,
        label=label or f"test-{next(_labels)}",
        title=kwargs.pop("title", kind_title),
        body=body if body is not None else DEFAULT_BODY,
        summary=kwargs.pop("summary", ""),
        effective_on=effective_on or timezone.localdate() - datetime.timedelta(days=365),
    )
    version = version_publish_backdated(version_id=draft.pk, user=kwargs.pop("user", None), reason="Test")
    if kwargs.pop("render_pdf", True):
        version_render_pdf(version_id=version.pk)
        version.refresh_from_db()
    return version
