"""Demo NTD complaints about the demo clients' websites, in every state, some near or past their deadlines.

Every case is made through the services, so it has the events, e-mails, answers and statements of a real one. The
services stamp everything with the present moment; afterwards each case's moments are moved back with queryset
``update()`` calls (and its deadlines worked out again from them with ``add_working_days``) so that the queue shows
a living mix: deadlines days ahead, hours ahead and already passed. Nothing but the clock is faked.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contracts.hosts import normalise_host
from contracts.models import Website
from isimedia import roles
from isimedia.demo import STAFF
from isimedia.tokens import new_token
from isimedia.workdays import AMSTERDAM, add_working_days, is_working_day, next_working_day

from . import services
from .models import (
    ApiKey,
    Capacity,
    Category,
    CustomerResponse,
    Notice,
    NoticeEvent,
    OwnerContact,
    State,
    StatementOfReasons,
)

# Every demo complainant writes from this domain: it tells the demo cases apart, so a second run adds nothing.
MARKER_DOMAIN = "@melder.example"
# The websites of contracts/demo.py that the complaints are about, by a short name.
SITES = {
    "korenschoof": "korenschoof.example",
    "bäckerei": "bäckerei.example",
    "spaak": "spaak.example",
    "verhuur": "verhuur.spaak-fietsen.example",
    "harbour": "harbour-analytics.example",
}


@dataclass
class Timeline:
    """When each step of a demo case happened; ``None`` for steps it did not take."""

    received: datetime
    forwarded: datetime | None = None
    answered: datetime | None = None  # the client's answer (removed or disagrees)
    decided: datetime | None = None


def seed_demo() -> list:
    """Add the demo complaints unless they are there already; there are no logins to print."""
    if Notice.objects.filter(complainant_email__endswith=MARKER_DOMAIN).exists():
        return []
    by_host = {website.host: website for website in Website.objects.filter(host__in=_hosts().values())}
    if len(by_host) < len(SITES):  # the contracts demo did not run: no websites to complain about
        return []
    websites = {name: by_host[host] for name, host in _hosts().items()}
    handler_email = next(login.email for login in STAFF if login.who == roles.NTD_HANDLERS)
    user = get_user_model().objects.get(email=handler_email)
    with transaction.atomic():
        _Seeder(user=user, websites=websites).run()
    return []


def _hosts() -> dict[str, str]:
    return {name: normalise_host(host) for name, host in SITES.items()}


class _Seeder:
    def __init__(self, *, user, websites):
        self.user = user
        self.site = websites
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    # -- moments ---------------------------------------------------------------------------------------------

    def working_days_ago(self, count: int, hour: int, minute: int = 0) -> datetime:
        """``hour``:``minute`` in Amsterdam, ``count`` working days before today (1 is the last one before it)."""
        day = self.today
        while count:
            day -= timedelta(days=1)
            count -= is_working_day(day)
        return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)

    def ago(self, **delta) -> datetime:
        return self.now - timedelta(**delta)

    def next_deadline_day(self) -> date:
        """The day of the next 17:00 deadline that is at least an hour away (at a weekend: Monday's)."""
        local = timezone.localtime(self.now, AMSTERDAM)
        if is_working_day(self.today) and local.time() < time(16, 0):
            return self.today
        return next_working_day(self.today)

    def forwarded_for_deadline_on(self, day: date) -> datetime:
        """A moment of forwarding whose 2-working-day deadline falls on ``day``, at 17:00."""
        start = day
        count = services.CUSTOMER_DAYS
        while count:
            start -= timedelta(days=1)
            count -= is_working_day(start)
        return datetime.combine(start, time(11, 20), tzinfo=AMSTERDAM)

    # -- the cases -------------------------------------------------------------------------------------------

    def run(self) -> None:
        ago, now = self.working_days_ago, self.ago
        near = self.forwarded_for_deadline_on(self.next_deadline_day())
        cases = [
            (self.rejected_incomplete, Timeline(received=ago(9, 8, 12), decided=ago(9, 14))),
            (
                self.taken_down,
                Timeline(received=ago(9, 10, 5), forwarded=ago(8, 9, 30), answered=ago(7, 15, 45), decided=ago(5, 11)),
            ),
            (self.resolved, Timeline(received=ago(8, 19, 40), forwarded=ago(7, 10), answered=ago(6, 16, 10))),
            (self.rejected_not_hosted, Timeline(received=ago(7, 13, 25), decided=ago(6, 9, 15))),
            (self.overdue_assessment, Timeline(received=ago(7, 16), forwarded=ago(6, 10, 40))),
            (
                self.rejected_not_unlawful,
                Timeline(received=ago(6, 11), forwarded=ago(6, 15), answered=ago(5, 12, 30), decided=ago(3, 10)),
            ),
            (self.customer_deadline_passed, Timeline(received=ago(5, 9, 50), forwarded=ago(4, 14, 5))),
            (self.emergency_taken_down, Timeline(received=ago(3, 22, 10))),
            (self.refiled_near_deadline, Timeline(received=near - timedelta(hours=20), forwarded=near)),
            (
                self.fresh_assessment,
                Timeline(received=ago(2, 10, 15), forwarded=ago(1, 9, 5), answered=now(hours=2)),
            ),
            (self.fresh_awaiting, Timeline(received=now(hours=5), forwarded=now(minutes=40))),
            (self.trusted_flagger, Timeline(received=now(hours=3))),
            (self.emergency_received, Timeline(received=now(minutes=25))),
            (self.received, Timeline(received=now(minutes=10))),
        ]
        # In the order they came in, so references follow the dates (the refiled notice comes after the rejected).
        for make, when in sorted(cases, key=lambda case: case[1].received):
            make(when)

    def rejected_incomplete(self, when: Timeline) -> None:
        notice = self.submit(
            "r.bakker",
            "korenschoof",
            "/over-ons",
            category=Category.DATA_PROTECTION,
            explanation="Er staat informatie over mij op deze site.",
        )
        self.rejected_incomplete_notice = services.notice_reject_incomplete(
            notice_id=notice.pk,
            missing="Welke informatie over u onrechtmatig is en waarom; de pagina zelf noemt geen namen.",
            user=self.user,
        )
        self.backdate(self.rejected_incomplete_notice, when)

    def taken_down(self, when: Timeline) -> None:
        notice = self.submit(
            "studio.licht",
            "korenschoof",
            "/recepten/zuurdesem",
            category=Category.INTELLECTUAL_PROPERTY,
            explanation="Drie foto's uit onze betaalde fotoreeks staan zonder licentie bij dit recept.",
            capacity=Capacity.ORGANISATION,
            on_behalf_of="Studio Licht",
            complainant_organisation="Studio Licht",
        )
        self.forward(notice, "korenschoof")
        services.notice_customer_disagrees(
            notice_id=notice.pk,
            text="Deze foto's hebben wij via een webbouwer gekregen; wij gingen uit van een licentie.",
        )
        notice = services.notice_take_down(
            notice_id=notice.pk,
            decision=services.Decision(
                decision_visibility=StatementOfReasons.Visibility.DISABLED,
                scope="De pagina /recepten/zuurdesem is onbereikbaar gemaakt; de rest van de website blijft online.",
                decision_ground=StatementOfReasons.Ground.ILLEGAL,
                legal_ground="Auteurswet art. 1 en 12",
                ground_explanation="De maker heeft de originele bestanden getoond; de klant kon geen licentie tonen.",
                decision_facts="Melding met originele bestanden en factuur; de klant wist niet wie de foto's maakte.",
            ),
            user=self.user,
        )
        self.backdate(notice, when)

    def resolved(self, when: Timeline) -> None:
        notice = self.submit(
            "k.smit",
            "spaak",
            "/blog/klantverhalen",
            category=Category.ILLEGAL_SPEECH,
            explanation="In een reactie onder dit bericht word ik met naam en woonplaats valselijk van diefstal "
            "beticht.",
        )
        self.forward(notice, "spaak")
        notice = services.notice_customer_removed(
            notice_id=notice.pk, text="De reactie is verwijderd en reacties staan voortaan op moderatie."
        )
        self.backdate(notice, when)

    def rejected_not_hosted(self, when: Timeline) -> None:
        notice = self.submit(
            "p.visser",
            None,
            "https://www.broodjesbezorgd.example/menu",
            category=Category.INTELLECTUAL_PROPERTY,
            explanation="Ons logo wordt op deze site gebruikt zonder toestemming.",
        )
        notice = services.notice_reject_not_hosted(
            notice_id=notice.pk,
            note="Deze website wordt niet door ISI Media gehost; wend u tot de hostingpartij die WHOIS noemt.",
            user=self.user,
        )
        self.backdate(notice, when)

    def overdue_assessment(self, when: Timeline) -> None:
        notice = self.submit(
            "m.dekker",
            "verhuur",
            "/huurvoorwaarden",
            category=Category.SCAMS_FRAUD,
            explanation="Op deze pagina wordt een borg gevraagd op een rekening die niet van de verhuurder is.",
        )
        notice = self.forward(notice, "verhuur")
        # The client never answered: the beat started the assessment at its deadline, which is past by now too.
        notice = services.notice_customer_deadline_passed(notice_id=notice.pk, now=notice.customer_deadline)
        self.backdate(notice, when)

    def rejected_not_unlawful(self, when: Timeline) -> None:
        notice = self.submit(
            "h.mulder",
            "bäckerei",
            "/bewertungen",
            category=Category.ILLEGAL_SPEECH,
            explanation="Een recensie noemt onze taarten 'droog en veel te duur'; dat schaadt onze zaak.",
        )
        self.forward(notice, "bäckerei")
        services.notice_customer_disagrees(
            notice_id=notice.pk, text="Het is een mening van een klant over ons product, geen onjuist feit."
        )
        notice = services.notice_reject_not_unlawful(
            notice_id=notice.pk,
            reason="Een negatieve mening over een product is niet evident onrechtmatig.",
            user=self.user,
        )
        self.backdate(notice, when)

    def customer_deadline_passed(self, when: Timeline) -> None:
        notice = self.submit(
            "a.collins",
            "harbour",
            "/reports/2026/customer-list.csv",
            category=Category.DATA_PROTECTION,
            explanation="This file lists names, e-mail addresses and order histories of the shop's customers.",
            language="en",
            complainant_name="Alex Collins",
            owner_contact_how="E-mail to office@harbour.example",
            owner_contact_result="No answer after a week.",
        )
        notice = self.forward(notice, "harbour")
        # Still waiting for the client although its deadline passed: the next beat run starts the assessment.
        self.backdate(notice, when)

    def emergency_taken_down(self, when: Timeline) -> None:
        notice = self.submit(
            "s.jacobs",
            "spaak",
            "/forum/onderwerp/412",
            category=Category.VIOLENCE,
            explanation="In dit forumbericht wordt opgeroepen een met naam en adres genoemde buurtbewoner iets aan "
            "te doen.",
            is_emergency=True,
            emergency_reason="Een concrete oproep tot geweld tegen een persoon, met zijn woonadres erbij.",
            owner_contact=OwnerContact.NO_DETAILS,
            owner_contacted_on=None,
            owner_contact_how="",
            owner_contact_result="Het forum heeft geen contactformulier; de site vermeldt alleen een KvK-nummer.",
        )
        notice = services.notice_emergency_take_down(
            notice_id=notice.pk,
            decision=services.Decision(
                decision_visibility=StatementOfReasons.Visibility.DISABLED,
                scope="Het forumbericht /forum/onderwerp/412 is onbereikbaar gemaakt.",
                decision_ground=StatementOfReasons.Ground.ILLEGAL,
                legal_ground="Wetboek van Strafrecht art. 131 (opruiing)",
                ground_explanation="Oproep tot geweld tegen een herkenbaar persoon; wachten op de klant was niet "
                "verantwoord.",
                decision_facts="Melding 's avonds; het bericht noemde naam en adres; de klant was niet bereikbaar.",
            ),
            reason="Direct gevaar voor de genoemde persoon.",
            user=self.user,
            website=self.site["spaak"],
        )
        notice = services.notice_refer(
            notice_id=notice.pk, referred_to="Politie Midden-Nederland", reference="PL0900-2026-0415", user=self.user
        )
        when.decided = when.received + timedelta(minutes=35)
        self.backdate(notice, when)

    def refiled_near_deadline(self, when: Timeline) -> None:
        notice = self.submit(
            "r.bakker",
            "korenschoof",
            "/over-ons",
            category=Category.DATA_PROTECTION,
            explanation="Onder 'Ons team' staan mijn naam en foto, hoewel ik sinds maart niet meer bij de bakkerij "
            "werk en toestemming heb ingetrokken.",
            previous_reference=self.rejected_incomplete_notice.reference,
        )
        notice = self.forward(notice, "korenschoof")
        self.backdate(notice, when)

    def fresh_assessment(self, when: Timeline) -> None:
        notice = self.submit(
            "t.vos",
            "korenschoof",
            "/winkel/glutenvrij-brood",
            category=Category.UNSAFE_PRODUCTS,
            explanation="Dit brood wordt als glutenvrij verkocht, maar bevat volgens het etiket tarwebloem.",
        )
        self.forward(notice, "korenschoof")
        notice = services.notice_customer_disagrees(
            notice_id=notice.pk, text="Het etiket op de foto is van een oud product; het huidige brood is glutenvrij."
        )
        self.backdate(notice, when)

    def fresh_awaiting(self, when: Timeline) -> None:
        notice = self.submit(
            "l.peters",
            "bäckerei",
            "/galerie/hochzeitstorte",
            category=Category.INTELLECTUAL_PROPERTY,
            explanation="Dit is mijn ontwerp van een bruidstaart, gefotografeerd op mijn eigen website.",
        )
        notice = self.forward(notice, "bäckerei")
        self.backdate(notice, when)

    def trusted_flagger(self, when: Timeline) -> None:
        key, key_hash = new_token()
        api_key = ApiKey.objects.create(
            name="Stichting Namaakbestrijding (demo)",
            contact_email="meldingen" + MARKER_DOMAIN,
            prefix=key[:8],
            key_hash=key_hash,
            trusted_flagger=True,
        )
        data = self.notice_input(
            "meldingen",
            "spaak",
            "/onderdelen/remmen-goedkoop",
            category=Category.UNSAFE_PRODUCTS,
            explanation="Deze remblokken dragen een merk dat de fabrikant niet heeft uitgegeven; namaakremmen zijn "
            "gevaarlijk.",
            complainant_name="Team meldingen",
            complainant_organisation="Stichting Namaakbestrijding",
            capacity=Capacity.ORGANISATION,
            on_behalf_of="Stichting Namaakbestrijding",
        )
        notice = services.notice_submit(data=data, api_key=api_key).notice
        self.backdate(notice, when)

    def emergency_received(self, when: Timeline) -> None:
        notice = self.submit(
            "n.hendriks",
            "harbour",
            "/dashboards/public/staff-home-addresses",
            category=Category.DATA_PROTECTION,
            explanation="A public dashboard shows the home addresses of staff of a women's shelter.",
            language="en",
            complainant_name="Nora Hendriks",
            is_emergency=True,
            emergency_reason="The addresses of people hiding from violence are public right now.",
            owner_contact_how="Phone call to Harbour Analytics",
            owner_contact_result="They said they would look into it next week.",
        )
        self.backdate(notice, when)

    def received(self, when: Timeline) -> None:
        notice = self.submit(
            "j.devries",
            "korenschoof",
            "/nieuws/prijsvraag",
            category=Category.SCAMS_FRAUD,
            explanation="De prijsvraag vraagt om bankgegevens om een prijs te 'verifiëren'; er is geen prijs.",
        )
        self.backdate(notice, when)

    # -- helpers ---------------------------------------------------------------------------------------------

    def notice_input(self, who: str, site: str | None, path: str, **overrides) -> services.NoticeInput:
        # As a complainant copies it from the browser's address bar: with www., Unicode names in Unicode.
        url = path if site is None else f"https://www.{SITES[site]}{path}"
        values = {
            "urls": [url],
            "complainant_name": who.replace(".", " ").title(),
            "complainant_email": who + MARKER_DOMAIN,
            "owner_contact": OwnerContact.CONTACTED,
            "owner_contacted_on": self.today - timedelta(days=14),
            "owner_contact_how": "Via het contactformulier van de website",
            "owner_contact_result": "Geen reactie ontvangen.",
            "good_faith": True,
            "identity_disclosure_accepted": True,
            "language": "nl",
        }
        values.update(overrides)
        return services.NoticeInput(**values)

    def submit(self, who: str, site: str | None, path: str, **overrides) -> Notice:
        return services.notice_submit(data=self.notice_input(who, site, path, **overrides)).notice

    def forward(self, notice: Notice, site: str) -> Notice:
        return services.notice_forward(notice_id=notice.pk, website=self.site[site], user=self.user)

    def backdate(self, notice: Notice, when: Timeline) -> None:
        """Move a case's moments back to ``when`` and work its deadlines out again from them, as the services do."""
        notice = Notice.objects.get(pk=notice.pk)
        values = {"received_at": when.received}
        customer_deadline = assessment_start = assessment_deadline = None
        if notice.forwarded_at:
            customer_deadline = add_working_days(when.forwarded, services.CUSTOMER_DAYS)
            values.update(forwarded_at=when.forwarded, customer_deadline=customer_deadline)
        if notice.assessment_started_at:
            # The assessment starts when the client disagrees, or else when its deadline passed.
            assessment_start = when.answered or customer_deadline
            assessment_deadline = add_working_days(assessment_start, services.ASSESSMENT_DAYS)
            values.update(assessment_started_at=assessment_start, assessment_deadline=assessment_deadline)
        if notice.decided_at:
            values["decided_at"] = when.decided or when.answered
        values["next_deadline"] = {
            State.AWAITING_CUSTOMER: customer_deadline,
            State.UNDER_ASSESSMENT: assessment_deadline,
        }.get(notice.state)
        Notice.objects.filter(pk=notice.pk).update(**values)

        moments = {
            State.RECEIVED: when.received,
            State.AWAITING_CUSTOMER: when.forwarded,
            State.UNDER_ASSESSMENT: assessment_start,
            State.RESOLVED_BY_CUSTOMER: when.answered,
        }
        for event in NoticeEvent.objects.filter(notice=notice):
            if event.from_state == event.to_state:  # a referral, right after the decision
                at = values.get("decided_at", when.received) + timedelta(minutes=5)
            else:
                at = moments.get(event.to_state) or values.get("decided_at")
            NoticeEvent.objects.filter(pk=event.pk).update(at=at)
        if when.answered:
            CustomerResponse.objects.filter(notice=notice).update(responded_at=when.answered)
        if notice.referred_at:
            Notice.objects.filter(pk=notice.pk).update(referred_at=values["decided_at"] + timedelta(minutes=5))
        if when.decided:
            StatementOfReasons.objects.filter(notice=notice).update(
                created_at=when.decided, application_date=timezone.localdate(when.decided)
            )
