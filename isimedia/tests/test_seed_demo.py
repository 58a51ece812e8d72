"""seed_demo gives a newcomer working logins, can run twice, and never runs in production."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import authenticate as django_authenticate
from django.core.management import CommandError, call_command
from django.test import Client as WebClient
from django.test import RequestFactory

from contracts.models import Client, ClientContact, Website
from isimedia import roles
from isimedia.demo import STAFF


def authenticate(**credentials):
    # django-axes watches every sign-in and needs the request it came with.
    return django_authenticate(RequestFactory().post("/account/inloggen/"), **credentials)


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
def test_demo_staff_sign_in_with_the_code_make_code_prints(capsys):
    call_command("seed_demo")
    capsys.readouterr()
    web = WebClient()
    response = web.post("/beheer/login/", {"username": "ntd@demo.isimedia.nl", "password": "demo-ntd-2026"})
    assert response["Location"] == "/beheer/login/code/"
    call_command("demo_code")
    codes = dict(re.findall(r"(\S+@demo\.isimedia\.nl)\s+(\d{6})", capsys.readouterr().out))
    assert set(codes) == {login.email for login in STAFF}
    assert web.post("/beheer/login/code/", {"code": codes["ntd@demo.isimedia.nl"]}).status_code == 302
    assert SESSION_KEY in web.session
    assert web.get("/beheer/").status_code == 200


@pytest.mark.django_db
def test_demo_code_refuses_production_settings(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run under the production settings"):
        call_command("demo_code")


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run under the production settings"):
        call_command("seed_demo")
    assert not Client.objects.exists()
