"""Factories for the client registry and the user accounts it uses."""

import factory
from django.contrib.auth import get_user_model

from contracts.models import Client, ClientContact, Website

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    """A portal account; ``password`` is usable and known to the test."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.nl")
    language = "nl"
    password = factory.django.Password(PASSWORD)


class StaffUserFactory(UserFactory):
    is_staff = True


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Klant {n} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    contact_email = factory.Sequence(lambda n: f"info{n}@klant.example")
    language = Client.Language.DUTCH


class WebsiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Website

    client = factory.SubFactory(ClientFactory)
    host = factory.Sequence(lambda n: f"site{n}.example.nl")


class ClientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    user = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name", locale="nl_NL")
