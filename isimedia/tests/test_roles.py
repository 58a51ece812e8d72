"""The three staff groups exist after migrate and carry the permissions of their role."""

import pytest
from django.contrib.auth.models import Group

from isimedia import roles


def codenames(group_name):
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.django_db
def test_migrate_creates_the_three_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        roles.NTD_HANDLERS,
        roles.PRIVACY_OFFICERS,
        roles.CONTRACT_MANAGERS,
    }


@pytest.mark.django_db
def test_each_role_sees_its_own_work_only():
    ntd = codenames(roles.NTD_HANDLERS)
    privacy = codenames(roles.PRIVACY_OFFICERS)
    contracts = codenames(roles.CONTRACT_MANAGERS)

    assert ("contracts", "view_client") in ntd
    assert ("contracts", "change_client") not in ntd
    assert ("isimedia", "add_closingday") in ntd
    assert ("isimedia", "view_outboxmessage") in ntd
    assert ("contracts", "view_clientcontact") in privacy
    assert {
        ("contracts", "add_client"),
        ("contracts", "change_website"),
        ("contracts", "add_clientcontact"),
    } <= contracts
    assert ("isimedia", "add_closingday") not in contracts
    for permissions in (ntd, privacy, contracts):
        assert ("isimedia", "change_user") not in permissions
        assert ("isimedia", "change_outboxmessage") not in permissions


@pytest.mark.django_db
def test_sync_is_idempotent_and_repairs_a_changed_group():
    group = Group.objects.get(name=roles.CONTRACT_MANAGERS)
    before = set(group.permissions.all())
    group.permissions.clear()
    roles.sync_group_permissions()
    roles.sync_group_permissions()
    assert set(group.permissions.all()) == before
