"""Builders for the registry tests: one person's data spread over every app, and someone else's beside it."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Acceptance, Client, ClientContact, DocumentKind, DocumentVersion, Objection
from contracts.tests.factories import ClientContactFactory, ClientFactory, UserFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from ntd.models import ApiKey, Notice
from ntd.tests.factories import handler, make_case
from privacy.models import Breach, BreachNotification

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"

# The person, as stored in different places in different cases; matching ignores case.
ADDRESS = "sanne.de.vries@voorbeeld.example"
OTHER = "piet.pietersen@elders.example"


def png(name: str = "mijn-foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def dpa_version(label: str = "2026-01") -> DocumentVersion:
    """A published DPA version, straight in the database (publication itself is tested in contracts)."""
    return DocumentVersion.objects.create(
        kind=DocumentKind.DPA,
        label=label,
        title="Verwerkersovereenkomst",
        body="## Artikel 1\n\nTest.",
        effective_on=timezone.localdate(),
        published_at=timezone.now(),
        text_sha256="0" * 64,
    )


def accept(version: DocumentVersion, contact: ClientContact, *, ip_address="192.0.2.7") -> Acceptance:
    return Acceptance.objects.create(
        version=version,
        client=contact.client,
        user=contact.user,
        signer_name=contact.name,
        signer_title="Directeur",
        company_name=contact.client.name,
        kvk_number=contact.client.kvk_number,
        version_label=version.label,
        text_sha256=version.text_sha256,
        statement=f"Ik ben bevoegd om te tekenen voor {contact.client.name}",
        ip_address=ip_address,
        user_agent="Mozilla/5.0 (Sanne's laptop)",
        evidence_sha256="e" * 64,
    )


def outbox(to: str, subject: str, *, status=OutboxMessage.Status.SENT, sensitive=False, body="", **extra):
    now = timezone.now()
    return OutboxMessage.objects.create(
        template="test",
        language="nl",
        to=to,
        subject=subject,
        body_text=body or f"Beste lezer, dit gaat over: {subject}.",
        sensitive=sensitive,
        status=status,
        sent_at=now if status == OutboxMessage.Status.SENT else None,
        **extra,
    )


@dataclass
class World:
    contact: ClientContact
    client: Client
    own_client: Client
    complaint: Notice
    answered: Notice
    other_contact: ClientContact
    api_key: ApiKey
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    """The person is a contact of a bakery (with a DPA signature and an objection), the bakery answered a complaint
    someone else filed about its site, the person runs a one-man business with their address as its contact
    address, filed a complaint themselves, holds an API key, and was sent e-mails. Someone else has data of
    every kind too."""
    staff = handler(email="behandelaar@isimedia.example")
    version = dpa_version()
    bakery = ClientFactory(name="Bakkerij De Korenschoof B.V.", contact_email="info@korenschoof.example")
    contact = ClientContactFactory(
        client=bakery, user=UserFactory(email=ADDRESS), name="Sanne de Vries", phone="06-12345678"
    )
    other_contact = ClientContactFactory(
        client=bakery, user=UserFactory(email=OTHER), name="Piet Pietersen", phone="06-99999999"
    )
    accept(version, contact)
    Objection.objects.create(version=version, client=bakery, user=contact.user, text="Artikel 1 is ons te vaag, Sanne.")
    own_client = ClientFactory(name="Fotografie Sanne de Vries", contact_email="Sanne.de.Vries@Voorbeeld.example")

    # Someone else complains about the bakery's site; the bakery answers (through its link).
    website = WebsiteFactory(client=bakery, host="korenschoof.example")
    answered, _token = make_case(
        "under_assessment",
        website=website,
        user=staff,
        complainant_name="Marieke Jansen",
        complainant_email="marieke@fotografie.example",
        complainant_phone="010-7654321",
    )
    # The person complains about a site elsewhere, with a photo.
    complaint, _token = make_case(
        "received",
        user=staff,
        urls=["https://www.elders.example/gestolen"],
        complainant_name="Sanne de Vries",
        complainant_email="Sanne.De.Vries@voorbeeld.example",
        complainant_phone="06-12345678",
        files=[png("mijn-originele-foto.png")],
    )
    api_key = ApiKey.objects.create(
        name="Stichting Fotorecht",
        contact_email="SANNE.DE.VRIES@voorbeeld.example",
        prefix="abcd1234",
        key_hash="k" * 64,
    )
    ApiKey.objects.create(name="Andere stichting", contact_email=OTHER, prefix="zzzz9999", key_hash="z" * 64)
    breach = Breach.objects.create(
        reference="DL-2000-00001",
        title="Back-up onbeveiligd bereikbaar",
        discovered_at=timezone.now(),
        what_happened="Een back-up stond open.",
        cause="Verkeerde instelling.",
        consequences="Gegevens van klanten konden worden ingezien.",
        remedy="Afgeschermd.",
    )
    BreachNotification.objects.create(
        breach=breach, client=bakery, recipients=["info@korenschoof.example", ADDRESS, OTHER]
    )
    outbox(ADDRESS, "Uw factuur is verstuurd")
    outbox(ADDRESS.upper(), "Kies uw wachtwoord", sensitive=True, body="Geheime link: https://x.example/geheim-123")
    outbox(OTHER, "Bericht voor Piet")
    return World(
        contact=contact,
        client=bakery,
        own_client=own_client,
        complaint=complaint,
        answered=answered,
        other_contact=other_contact,
        api_key=api_key,
    )


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)
