"""Reads of the client registry."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length

from ..hosts import host_suffixes, normalise_host
from ..models import Client, ClientContact, Website


def website_for_url(url_or_host: str) -> Website | None:
    """The registered website a URL or host belongs to, subdomains included; the most specific host wins.

    Anything that is not a web address or host name belongs to no website.
    """
    try:
        host = normalise_host(url_or_host)
    except ValidationError:
        return None
    return (
        Website.objects.select_related("client")
        .filter(host__in=host_suffixes(host))
        .order_by(Length("host").desc())
        .first()
    )


def client_contact_for_user(*, user: AbstractBaseUser | AnonymousUser) -> ClientContact | None:
    """The contact record (with its client) of a logged-in user, or None for staff and other users."""
    if not user.is_authenticated:
        return None
    return ClientContact.objects.select_related("client").filter(user=user).first()


def website_list(*, client: Client) -> QuerySet[Website]:
    return Website.objects.filter(client=client).order_by("host")


def client_annotate_counts(queryset: QuerySet[Client]) -> QuerySet[Client]:
    """Add ``website_count`` and ``contact_count`` to each client, computed in the same query.

    Subqueries rather than joins: two joined counts would multiply each other's rows, and the paginator's COUNT can
    leave subqueries out.
    """
    return queryset.annotate(
        website_count=_count_per_client(Website),
        contact_count=_count_per_client(ClientContact),
    )


def _count_per_client(model) -> Coalesce:
    counts = model.objects.filter(client=OuterRef("pk")).order_by().values("client").annotate(count=Count("pk"))
    return Coalesce(Subquery(counts.values("count"), output_field=IntegerField()), 0)
