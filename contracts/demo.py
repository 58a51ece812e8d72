"""Demo clients, websites and one client contact who can log in; safe to run more than once."""

from isimedia.demo import DemoLogin, demo_user

from .demo_documents import seed_documents
from .hosts import normalise_host
from .models import Acceptance, Client, ClientContact, DocumentKind, Website
from .selectors import version_in_force
from .services import dpa_sign

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

    # Terms and DPA, then the demo client signs the DPA in force; the worker seals the PDF (make run starts it).
    seed_documents()
    dpa = version_in_force(DocumentKind.DPA)
    if dpa is not None and not Acceptance.objects.filter(client=clients[0], version=dpa).exists():
        dpa_sign(
            client=clients[0],
            user=user,
            version=dpa,
            signer_name="Anna de Vries",
            signer_title="Directeur",
            authorised=True,
            ip_address="127.0.0.1",
            user_agent="seed_demo",
        )
    return [CONTACT]
