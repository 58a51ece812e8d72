"""The registry of personal data: every personal-looking field of the project is covered, and the check bites."""

import pytest
from django.db import models
from django.utils import translation

from privacy import registry
from privacy.registry import PROJECT_APPS, Outcome, PersonalData, Registry


def _field(field_class, name, **kwargs):
    model_field = field_class(**kwargs)
    model_field.set_attributes_from_name(name)
    return model_field


def test_every_personal_looking_field_of_the_project_is_covered_or_declared_not_personal():
    uncovered = registry.uncovered_fields()
    assert uncovered == [], (
        "These fields look personal but no entry in a <app>/personal_data.py covers them, nor are they declared "
        f"not personal with a reason: {uncovered}"
    )


def test_the_check_walks_every_project_app_including_satisfaction():
    labels = {label.split(".")[0] for label, _field_ in registry.project_fields()}
    # satisfaction has no models yet; once it has, its fields are walked like the others.
    assert {"isimedia", "contracts", "ntd", "privacy"} <= labels
    assert set(PROJECT_APPS) == {"isimedia", "contracts", "ntd", "privacy", "satisfaction"}
    assert ("ntd.Notice", "complainant_email") in {(label, field.name) for label, field in registry.project_fields()}


def test_the_check_catches_a_field_nobody_covers():
    # A model as issue 6 might add it, before its app registers anything: the check must report each field.
    candidates = [
        ("satisfaction.Feedback", _field(models.EmailField, "respondent")),
        ("satisfaction.Feedback", _field(models.CharField, "full_name", max_length=100)),
        ("satisfaction.Feedback", _field(models.CharField, "mobile_phone", max_length=20)),
        ("satisfaction.Feedback", _field(models.GenericIPAddressField, "origin")),
        ("satisfaction.Feedback", _field(models.CharField, "client_ip_address", max_length=45)),
        ("satisfaction.Feedback", _field(models.PositiveSmallIntegerField, "score")),
    ]
    assert registry.uncovered_fields(candidates) == [
        "satisfaction.Feedback.client_ip_address",
        "satisfaction.Feedback.full_name",
        "satisfaction.Feedback.mobile_phone",
        "satisfaction.Feedback.origin",
        "satisfaction.Feedback.respondent",
    ]


def test_a_covered_or_exempted_field_passes_and_an_exemption_needs_a_reason():
    fresh = Registry()
    candidates = [
        ("ntd.Notice", _field(models.EmailField, "complainant_email")),
        ("ntd.Evidence", _field(models.CharField, "original_name", max_length=255)),
    ]
    assert fresh.uncovered_fields(candidates) == ["ntd.Evidence.original_name", "ntd.Notice.complainant_email"]

    fresh.register(
        PersonalData(
            key="test.complaints",
            label="complaints",
            fields={"ntd.Notice": ["complainant_email"]},
            export=lambda email: [],
            erase=lambda email, *, dry_run: [],
        )
    )
    fresh.not_personal("ntd.Evidence", ["original_name"], "only a file name")
    assert fresh.uncovered_fields(candidates) == []
    with pytest.raises(ValueError):
        fresh.not_personal("ntd.Evidence", ["original_name"], " ")


def test_declarations_name_fields_that_exist():
    assert registry.registry.declaration_errors() == []
    fresh = Registry()
    fresh.register(
        PersonalData(
            key="test.typo",
            label="typo",
            fields={"ntd.Notice": ["complainant_mail"]},
            export=lambda email: [],
            erase=lambda email, *, dry_run: [],
        )
    )
    assert fresh.declaration_errors() == ["entry test.typo: ntd.Notice.complainant_mail does not exist"]


def test_every_entry_has_a_label_and_retention_rules_describe_themselves():
    keys = [entry.key for entry in registry.entries()]
    assert len(keys) == len(set(keys))
    assert {
        "isimedia.accounts",
        "isimedia.emails",
        "contracts.contacts",
        "contracts.clients",
        "contracts.dpa_acceptances",
        "contracts.objections",
        "ntd.complaints",
        "ntd.client_answers",
        "ntd.api_keys",
        "privacy.requests",
        "privacy.breach_notifications",
    } <= set(keys)
    # Entries that change the address others match on run last.
    assert keys[-2:] == ["contracts.contacts", "isimedia.accounts"]
    with translation.override("en"):
        for entry in registry.entries():
            assert str(entry.label).strip()
        descriptions = {rule.key: rule.describe() for rule in registry.retention_rules()}
    assert set(descriptions) == {
        "isimedia.audit_log",
        "isimedia.emails",
        "isimedia.sign_ins",
        "ntd.complaints",
        "privacy.unconfirmed_requests",
        "privacy.requester_files",
        "privacy.data_packages",
        "privacy.closed_requests",
        "satisfaction.feedback",
    }
    assert all(text and len(text) <= 300 for text in descriptions.values())


def test_a_registered_key_cannot_be_taken_twice():
    fresh = Registry()
    entry = PersonalData(key="x.y", label="x", fields={}, export=lambda email: [], erase=lambda email, *, dry_run: [])
    fresh.register(entry)
    fresh.register(entry)  # the same declaration imported twice is harmless
    with pytest.raises(ValueError):
        fresh.register(
            PersonalData(key="x.y", label="x", fields={}, export=lambda e: [], erase=lambda e, *, dry_run: [])
        )


def test_an_outcome_has_a_known_action():
    with pytest.raises(ValueError):
        Outcome(label="x", action="shredded")


@pytest.mark.parametrize(
    "address", ["", "  ", "geen-adres", "anonymised@anonymised.invalid", "anonymised-7@anonymised.invalid"]
)
def test_export_and_erase_refuse_what_is_not_a_persons_address(address):
    # An empty address would match every row whose address was cleared by anonymisation.
    with pytest.raises(ValueError):
        registry.export_all(address)
    with pytest.raises(ValueError):
        registry.erase_all(address, dry_run=True)
