"""seed_demo gives a newcomer working logins, can run twice, and never runs in production."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from contracts.models import Client, ClientContact, Website
from isimedia import roles
from isimedia.demo import STAFF


@pytest.mark.django_db
def test_seed_demo_twice_prints_working_logins_without_duplicates(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out

    for login in STAFF:
        assert f"{login.email}" in output and login.password in output
        user = authenticate(username=login.email, password=login.password)
        assert user is not None and user.is_staff
    ntd = authenticate(username="ntd@demo.isimedia.nl", password="demo-ntd-2026")
    assert list(ntd.groups.values_list("name", flat=True)) == [roles.NTD_HANDLERS]

    contact = authenticate(username="klant@demo.isimedia.nl", password="demo-klant-2026")
    assert contact is not None and not contact.is_staff
    assert ClientContact.objects.get(user=contact).client.websites.exists()
    assert Client.objects.count() == 3
    assert Website.objects.count() == 5


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run under the production settings"):
        call_command("seed_demo")
    assert not Client.objects.exists()
