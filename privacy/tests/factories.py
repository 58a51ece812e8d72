"""Factories for privacy tests.

``RequestFactory`` makes an unconfirmed request straight in the database (no e-mail); the ``*RequestFactory``
subclasses make requests in later states with the fields those states carry. ``make_link`` gives a working secret
link to a request; ``make_package`` a downloadable data package; ``RequesterFileFactory`` an encrypted upload.
Requests that must have gone through the real procedure (with its events and e-mails) are best made with the
services; ``request_input`` gives the data for ``services.request_submit``.
"""

from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from contracts.tests.factories import ClientFactory, StaffUserFactory, UserFactory
from isimedia import roles
from isimedia.tokens import new_token
from isimedia.workdays import gdpr_due_date
from privacy.crypto import store_encrypted
from privacy.models import (
    Channel,
    DataPackage,
    DataSubjectRequest,
    Relation,
    RequesterFile,
    RequestEvent,
    RequestLink,
    RequestMessage,
    Right,
    State,
)

__all__ = [
    "AwaitingApprovalRequestFactory",
    "AwaitingIdentityRequestFactory",
    "ClientFactory",
    "CompletedRequestFactory",
    "ConfirmedRequestFactory",
    "ForwardedRequestFactory",
    "OfficerFactory",
    "RefusedRequestFactory",
    "RequestEventFactory",
    "RequestFactory",
    "RequestMessageFactory",
    "RequesterFileFactory",
    "UserFactory",
    "make_link",
    "make_package",
    "request_input",
]


class OfficerFactory(StaffUserFactory):
    """An active privacy officer: staff, in the group "Privacyfunctionarissen" (with approve_erasure)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def privacy_officer(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=roles.PRIVACY_OFFICERS))


def _due_on(request) -> object:
    return gdpr_due_date(
        request.received_at, extension_months=request.extension_months, paused_days=request.paused_days
    )


class RequestFactory(factory.django.DjangoModelFactory):
    """A request from the public form that was not confirmed yet (no e-mail sent, no link made)."""

    class Meta:
        model = DataSubjectRequest

    # Year 2000: never the series the services count in (the current year), so references cannot collide.
    reference = factory.Sequence(lambda n: f"AVG-2000-{n + 1:05d}")
    right = Right.ACCESS
    relation = Relation.VISITOR
    name = "Sanne de Vries"
    email = factory.Sequence(lambda n: f"sanne{n}@voorbeeld.example")
    description = "Ik wil graag weten welke gegevens u van mij heeft."
    language = "nl"
    channel = Channel.WEB
    state = State.UNCONFIRMED
    received_at = factory.LazyFunction(timezone.now)
    extension_months = 0
    paused_days = 0
    confirm_expires_at = factory.LazyAttribute(
        lambda o: o.received_at + timedelta(days=settings.PRIVACY_UNCONFIRMED_DAYS)
    )
    due_on = factory.LazyAttribute(_due_on)

    class Params:
        hosted = factory.Trait(relation=Relation.HOSTED_SITE, hosted_url="https://www.bakkerij-klant.example/team")


class ConfirmedRequestFactory(RequestFactory):
    """A confirmed request being handled (RECEIVED)."""

    state = State.RECEIVED
    confirmed_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(minutes=5))


class AwaitingIdentityRequestFactory(ConfirmedRequestFactory):
    """Staff doubted the identity and asked for proof; the deadline is paused since then."""

    state = State.AWAITING_IDENTITY
    identity_doubt = "Het e-mailadres hoort niet bij de naam die in onze administratie staat."
    paused_since = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=1))


class AwaitingApprovalRequestFactory(ConfirmedRequestFactory):
    """An erasure proposed by one officer (``proposed_by``), waiting for a second."""

    right = Right.ERASURE
    state = State.AWAITING_APPROVAL
    proposed_by = factory.SubFactory(OfficerFactory)
    proposed_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=2))
    erasure_plan = factory.LazyFunction(
        lambda: [{"entry": "privacy.requests", "label": "Privacyverzoeken", "action": "kept", "reason": "test"}]
    )


class CompletedRequestFactory(ConfirmedRequestFactory):
    state = State.COMPLETED
    closed_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=7))
    reply = "Wij hebben uw gegevens aangepast."


class RefusedRequestFactory(ConfirmedRequestFactory):
    state = State.REFUSED
    closed_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=7))
    reply = "Het verzoek is kennelijk ongegrond."


class ForwardedRequestFactory(ConfirmedRequestFactory):
    relation = Relation.HOSTED_SITE
    hosted_url = "https://www.bakkerij-klant.example/team"
    state = State.FORWARDED
    forwarded_to = factory.SubFactory(ClientFactory)
    forwarded_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=2))
    closed_at = factory.SelfAttribute("forwarded_at")


class RequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(ConfirmedRequestFactory)
    actor = RequestEvent.Actor.STAFF
    from_state = State.RECEIVED
    to_state = State.RECEIVED
    note = "Notitie"


class RequestMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestMessage

    request = factory.SubFactory(ConfirmedRequestFactory)
    author = factory.SubFactory(OfficerFactory)
    text = "Kunt u aangeven over welke website uw verzoek gaat?"


class RequesterFileFactory(factory.django.DjangoModelFactory):
    """An uploaded file, really stored encrypted; pass ``content=b"..."`` for other bytes."""

    class Meta:
        model = RequesterFile
        exclude = ["content"]

    request = factory.SubFactory(AwaitingIdentityRequestFactory)
    kind = RequesterFile.Kind.IDENTITY
    content = b"%PDF-1.4\n% gemaskeerde kopie van een identiteitsbewijs\n"
    encrypted_path = factory.LazyAttribute(lambda o: store_encrypted(o.content, folder="uploads"))
    original_name = "paspoort-kopieid.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))


def make_link(request: DataSubjectRequest) -> str:
    """A working secret link to ``request`` (as in an e-mail); returns the token for ``privacy:follow``."""
    token, token_hash = new_token()
    RequestLink.objects.create(request=request, token_hash=token_hash)
    return token


def make_package(
    request: DataSubjectRequest, *, content: bytes = b"PK\x05\x06" + bytes(18), expires_in_days: int | None = None
) -> tuple[DataPackage, str]:
    """A stored, downloadable data package for ``request`` and the token of its link (content: an empty zip)."""
    import hashlib

    token, token_hash = new_token()
    days = settings.PRIVACY_PACKAGE_LINK_DAYS if expires_in_days is None else expires_in_days
    package = DataPackage.objects.create(
        request=request,
        encrypted_path=store_encrypted(content, folder="packages"),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        token_hash=token_hash,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return package, token


def request_input(**overrides):
    """A complete, valid ``services.RequestInput`` as the public form would give it."""
    from privacy.services import RequestInput

    values = {
        "right": Right.ACCESS,
        "relation": Relation.VISITOR,
        "name": "Sanne de Vries",
        "email": "sanne@voorbeeld.example",
        "description": "Ik wil graag weten welke persoonsgegevens ISI Media van mij verwerkt.",
        "language": "nl",
    }
    values.update(overrides)
    return RequestInput(**values)
