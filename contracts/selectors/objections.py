"""Reads of objections: which versions a client may still object to, and its objections to one version."""

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ..models import Client, DocumentVersion, Objection


def version_is_objectable(version: DocumentVersion) -> bool:
    """Published and not yet in effect: the only versions a client can object to."""
    return version.published_at is not None and version.effective_on > timezone.localdate()


def objectable_versions_for_client(client: Client) -> QuerySet[DocumentVersion]:
    """The published versions that have not taken effect yet, soonest first: the ones ``client`` may object to.

    Each has ``has_open_objection`` (the client's objection waits for staff) and ``has_objection`` (the client has
    objected to it at all), computed in the same query.
    """
    objections = Objection.objects.filter(client=client, version=OuterRef("pk"))
    return (
        DocumentVersion.objects.filter(published_at__isnull=False, effective_on__gt=timezone.localdate())
        .annotate(
            has_objection=Exists(objections),
            has_open_objection=Exists(objections.filter(settled_at__isnull=True)),
        )
        .order_by("effective_on", "kind", "id")
    )


def objections_for_client_and_version(*, client: Client, version: DocumentVersion) -> QuerySet[Objection]:
    """A client's objections to one version, newest first."""
    return Objection.objects.filter(client=client, version=version).order_by("-created_at", "-id")
