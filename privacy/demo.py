"""Demo privacy requests of every right and state, and two breaches, so a privacy officer sees a living queue.

Every request is made through the services with a ``now`` in the past, so it has the events, messages, e-mails,
deadlines and pauses of a real one; only the clock is moved. One erasure waits for the second privacy officer
(``privacy2@demo.isimedia.nl``), one access request is ready to send, one is overdue, one is paused for proof of
identity, one concerns a client's website and waits to be forwarded.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contracts.selectors import website_for_url
from isimedia import roles
from isimedia.demo import STAFF
from isimedia.workdays import AMSTERDAM

from . import services
from .models import Breach, DataSubjectRequest, Relation, Right

# Every demo requester writes from this domain (the erasure is of an NTD demo complainant): a second run adds nothing.
MARKER_DOMAIN = "@betrokkene.example"
NTD_COMPLAINANT = "j.devries@melder.example"


def seed_demo() -> list:
    if DataSubjectRequest.objects.filter(email__iendswith=MARKER_DOMAIN).exists():
        return []
    officers = [login.email for login in STAFF if login.who == roles.PRIVACY_OFFICERS]
    users = get_user_model().objects.in_bulk(officers, field_name="email")
    with transaction.atomic():
        _Seeder(officer=users[officers[0]], second_officer=users[officers[1]]).run()
    return []


class _Seeder:
    def __init__(self, *, officer, second_officer):
        self.officer = officer
        self.second_officer = second_officer
        self.today = timezone.localdate()

    def at(self, days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute), tzinfo=AMSTERDAM)

    def submit(self, who: str, right: str, description: str, days_ago: int, **extra) -> DataSubjectRequest:
        values = {
            "right": right,
            "relation": Relation.VISITOR,
            "name": who,
            "email": extra.pop("email", who.lower().replace(" ", ".") + MARKER_DOMAIN),
            "description": description,
            "language": "nl",
        }
        values.update(extra)
        return services.request_submit(data=services.RequestInput(**values), now=self.at(days_ago))

    def confirmed(self, *args, confirm_after_hours: int = 1, **kwargs) -> DataSubjectRequest:
        request = self.submit(*args, **kwargs)
        return services.request_confirm(
            request_id=request.pk, now=request.received_at + timedelta(hours=confirm_after_hours)
        )

    def run(self) -> None:
        officer = self.officer
        # Received 26 days ago: due within five working days (amber), data package ready to approve.
        self.confirmed(
            "Sanne Visser",
            Right.ACCESS,
            "Welke gegevens heeft ISI Media over mij? Ik heb vorig jaar via de website een vraag gesteld.",
            26,
        )
        # An NTD complainant wants their data erased: proposed by one officer, waits for the second.
        erasure = self.confirmed(
            "Jan de Vries",
            Right.ERASURE,
            "Ik heb eerder een klacht ingediend over een prijsvraag. Wilt u al mijn gegevens verwijderen?",
            8,
            email=NTD_COMPLAINANT,
        )
        services.request_propose_erasure(
            request_id=erasure.pk,
            user=officer,
            note="De klacht loopt nog; zie het plan voor wat we moeten bewaren.",
            now=self.at(6, 14),
        )
        # Fresh rectification: plenty of time.
        self.confirmed(
            "Pieter Bakker",
            Right.RECTIFICATION,
            "Mijn achternaam staat verkeerd in jullie administratie: het is Bakker, niet Backer.",
            2,
        )
        # Objection paused for proof of identity: the due date moves while it waits.
        objection = self.confirmed(
            "Fatima el Amrani",
            Right.OBJECTION,
            "Ik maak bezwaar tegen het gebruik van mijn gegevens voor nieuwsbrieven.",
            12,
        )
        services.request_identity_ask(
            request_id=objection.pk,
            doubt="Het verzoek noemt een klantaccount dat op een ander e-mailadres staat.",
            message="Wilt u een afgeschermde kopie van uw identiteitsbewijs sturen? Zo weten we zeker dat u het bent.",
            user=officer,
            now=self.at(9, 11),
        )
        # About a client's website: ISI Media is the processor, the request is to be forwarded.
        self.confirmed(
            "Kees Jansen",
            Right.ERASURE,
            "Op het gastenboek van deze bakkerij staat mijn volledige naam en woonplaats. Graag verwijderen.",
            1,
            relation=Relation.HOSTED_SITE,
            hosted_url="https://www.korenschoof.example/gastenboek",
        )
        # Portability extended by one month before its first due date.
        portability = self.confirmed(
            "Ahmed Yilmaz",
            Right.PORTABILITY,
            "Ik wil al mijn gegevens in een bestand dat ik aan een andere partij kan geven.",
            40,
        )
        services.request_extend(
            request_id=portability.pk,
            months=1,
            reason="De gegevens moeten uit een oud systeem worden gehaald; dat kost meer tijd.",
            user=officer,
            now=self.at(30),
        )
        # Overdue: a restriction nobody finished.
        self.confirmed(
            "Emma Smit",
            Right.RESTRICTION,
            "Zolang mijn klacht loopt, wil ik niet dat jullie mijn gegevens gebruiken.",
            35,
        )
        # Not confirmed yet: hidden from the queue until the requester clicks the link.
        self.submit("Noah Mulder", Right.ACCESS, "Ik wil graag inzage in mijn gegevens.", 1)
        # Closed: a package sent, a refusal, a forwarding.
        done = self.confirmed("Lotte de Boer", Right.ACCESS, "Inzage in mijn gegevens graag.", 50)
        services.request_send_package(request_id=done.pk, user=officer, now=self.at(45))
        refused = self.confirmed(
            "Vera Kok",
            Right.ACCESS,
            "Dit is mijn twaalfde inzageverzoek deze maand; stuur alles opnieuw.",
            20,
        )
        services.request_refuse(
            request_id=refused.pk,
            reasons="U kreeg op 3, 10 en 17 van deze maand een volledig overzicht; er is sindsdien niets veranderd.",
            user=officer,
            now=self.at(18),
        )
        website = website_for_url("https://www.spaak.example/")
        forwarded = self.confirmed(
            "Daan Vos",
            Right.ACCESS,
            "Welke gegevens bewaart deze fietsenwinkel over mijn reparatie?",
            30,
            relation=Relation.HOSTED_SITE,
            hosted_url="https://www.spaak.example/reparaties",
        )
        if website is not None:
            services.request_forward(request_id=forwarded.pk, client=website.client, user=officer, now=self.at(29))
        self.breaches()

    def breaches(self) -> None:
        from contracts.models import Client

        clients = list(Client.objects.order_by("name")[:3])
        now = timezone.now()
        services.breach_register(
            data=services.BreachInput(
                title="Back-up van een webserver was openbaar bereikbaar",
                discovered_at=now - timedelta(hours=30),
                occurred_at=now - timedelta(days=3),
                what_happened=(
                    "Een back-upbestand van webserver web03 stond twee dagen in een openbaar bereikbare map."
                ),
                cause="Een verkeerde instelling na onderhoud aan de back-upscripts.",
                consequences=(
                    "De databases van de gehoste websites op web03 kunnen zijn gedownload, met namen en "
                    "e-mailadressen van bezoekers die een contactformulier invulden."
                ),
                remedy="Bestand verwijderd, map afgesloten, toegangslogs onderzocht, instelling gecontroleerd.",
                data_categories=[Breach.DataCategory.CONTACT, Breach.DataCategory.WEBSITE_VISITORS],
                data_subjects_estimate=400,
                affected_clients=clients[:2],
            ),
            user=self.officer,
        )
        old = services.breach_register(
            data=services.BreachInput(
                title="E-mail met klantgegevens aan verkeerde ontvanger",
                discovered_at=now - timedelta(days=62),
                what_happened="Een factuuroverzicht is naar een verkeerd e-mailadres gestuurd.",
                cause="Een adres is bij het typen automatisch aangevuld.",
                consequences="Eén ontvanger zag de naam en het factuurbedrag van één klant.",
                remedy="Ontvanger heeft de e-mail aantoonbaar verwijderd; automatisch aanvullen uitgezet.",
                data_categories=[Breach.DataCategory.CONTACT, Breach.DataCategory.FINANCIAL],
                data_subjects_estimate=1,
                affected_clients=clients[2:3],
                closed_at=now - timedelta(days=55),
            ),
            user=self.officer,
        )
        services.breach_notify_clients(breach_id=old.pk, user=self.officer)
        # Told within the 72 hours, of course: the notification happened the day after discovery.
        old.notifications.update(notified_at=old.discovered_at + timedelta(hours=20))
