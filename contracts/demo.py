"""Demo clients, websites and one client contact who can log in; safe to run more than once."""

from isimedia.demo import DemoLogin, demo_user

from .hosts import normalise_host
from .models import Client, ClientContact, Website

CONTACT = DemoLogin("client contact", "klant@demo.isimedia.nl", "demo-klant-2026", "/account/")

CLIENTS = [
    # (KvK number, name, contact e-mail, language, hosts)
    (
        "12345678",
        "Bakkerij De Korenschoof B.V.",
        "info@korenschoof.example",
        "nl",
        ["korenschoof.example", "bäckerei.example"],
    ),
    (
        "23456789",
        "Fietsenmakerij Spaak",
        "post@spaak.example",
        "nl",
        ["spaak.example", "verhuur.spaak-fietsen.example"],
    ),
    ("34567890", "Harbour Analytics Ltd", "office@harbour.example", "en", ["harbour-analytics.example"]),
]


def seed_demo() -> list[DemoLogin]:
    clients = []
    for kvk_number, name, email, language, hosts in CLIENTS:
        client, _ = Client.objects.update_or_create(
            kvk_number=kvk_number, defaults={"name": name, "contact_email": email, "language": language}
        )
        for host in hosts:
            Website.objects.update_or_create(host=normalise_host(host), defaults={"client": client})
        clients.append(client)

    user = demo_user(email=CONTACT.email, password=CONTACT.password, first_name="Anna", language="nl")
    ClientContact.objects.update_or_create(user=user, defaults={"client": clients[0], "name": "Anna de Vries"})
    return [CONTACT]
