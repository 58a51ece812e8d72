"""Accounts are e-mail addresses; two accounts may not differ only in the case of their address."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from isimedia.models import User


@pytest.mark.django_db
def test_admin_refuses_an_address_that_differs_only_in_case(admin_client):
    User.objects.create_user(email="jan@example.nl", password="Een-lang-wachtwoord-1")

    response = admin_client.post(
        reverse("admin:isimedia_user_add"),
        {
            "email": "Jan@Example.NL",
            "language": "nl",
            "password1": "Een-ander-wachtwoord-2",
            "password2": "Een-ander-wachtwoord-2",
            "usable_password": "true",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact="jan@example.nl").count() == 1
    assert "errornote" in response.text or "errorlist" in response.text


@pytest.mark.django_db
def test_login_ignores_the_case_of_the_address():
    User.objects.create_user(email="Piet@Example.NL", password="Een-lang-wachtwoord-1")
    assert User.objects.get().email == "piet@example.nl"
    request = RequestFactory().post("/account/inloggen/")
    assert authenticate(request, username="PIET@example.nl", password="Een-lang-wachtwoord-1") is not None


@pytest.mark.django_db
def test_user_changelist_queries_do_not_grow_with_users(admin_client, django_assert_max_num_queries):
    for index in range(30):
        User.objects.create_user(email=f"person{index}@example.nl", is_staff=True)
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:isimedia_user_changelist"))
    assert "person29@example.nl" in response.text
