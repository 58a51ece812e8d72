"""A published version and a DPA signature cannot be changed or deleted, whatever code tries."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import Acceptance, DocumentKind, DocumentVersion
from contracts.tests.factories import ClientContactFactory


def published_version(**overrides) -> DocumentVersion:
    values = {
        "kind": DocumentKind.DPA,
        "label": "2026-01",
        "title": "Verwerkersovereenkomst",
        "body": "# Artikel 1\n\nDe tekst.",
        "effective_on": timezone.localdate(),
        "published_at": timezone.now(),
        "text_sha256": "0" * 64,
    }
    values.update(overrides)
    return DocumentVersion.objects.create(**values)


@pytest.mark.django_db
def test_a_draft_can_be_edited_and_deleted():
    draft = DocumentVersion.objects.create(
        kind=DocumentKind.TERMS, label="concept", title="Voorwaarden", body="x", effective_on=timezone.localdate()
    )
    DocumentVersion.objects.filter(pk=draft.pk).update(body="y")
    draft.delete()
    assert not DocumentVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"body": "Een stiekeme wijziging."},
        {"title": "Andere titel"},
        {"effective_on": timezone.localdate().replace(year=2030)},
        {"label": "2026-02"},
        {"text_sha256": "1" * 64},
        {"published_at": None},
    ],
)
def test_a_published_version_refuses_every_change(change):
    version = published_version()
    with pytest.raises(IntegrityError, match="cannot be changed"), transaction.atomic():
        DocumentVersion.objects.filter(pk=version.pk).update(**change)
    version.refresh_from_db()
    assert version.body == "# Artikel 1\n\nDe tekst."


@pytest.mark.django_db
def test_a_published_version_gets_its_pdf_once():
    version = published_version()
    DocumentVersion.objects.filter(pk=version.pk).update(pdf="contracts/versions/a.pdf", pdf_sha256="a" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.filter(pk=version.pk).update(pdf="contracts/versions/b.pdf")


@pytest.mark.django_db
def test_a_published_version_cannot_be_deleted():
    version = published_version()
    with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
        version.delete()
    assert DocumentVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.django_db
def test_a_signature_is_append_only():
    contact = ClientContactFactory()
    acceptance = Acceptance.objects.create(
        version=published_version(),
        client=contact.client,
        user=contact.user,
        signer_name="Els de Vries",
        signer_title="Directeur",
        company_name=contact.client.name,
        kvk_number=contact.client.kvk_number,
        version_label="2026-01",
        text_sha256="0" * 64,
        statement="Ik ben bevoegd om te tekenen.",
        evidence_sha256="e" * 64,
    )
    with pytest.raises(IntegrityError, match="cannot be changed"), transaction.atomic():
        Acceptance.objects.filter(pk=acceptance.pk).update(signer_title="Stagiair")
    with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
        acceptance.delete()
    # The signed PDF is added once, afterwards.
    Acceptance.objects.filter(pk=acceptance.pk).update(signed_pdf="contracts/signed/x.pdf", signed_pdf_sha256="f" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.filter(pk=acceptance.pk).update(signed_pdf="contracts/signed/y.pdf")


@pytest.mark.django_db
def test_the_database_refuses_a_second_signature_of_the_same_version():
    contact = ClientContactFactory()
    version = published_version()
    evidence = {
        "client": contact.client,
        "user": contact.user,
        "signer_name": "Els de Vries",
        "signer_title": "Directeur",
        "company_name": contact.client.name,
        "kvk_number": contact.client.kvk_number,
        "version_label": "2026-01",
        "text_sha256": "0" * 64,
        "statement": "Ik ben bevoegd om te tekenen.",
        "evidence_sha256": "e" * 64,
    }
    Acceptance.objects.create(version=version, **evidence)
    with pytest.raises(IntegrityError), transaction.atomic():
        Acceptance.objects.create(version=version, **evidence)
