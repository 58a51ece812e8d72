"""Demo feedback: a year of answers with a gently rising satisfaction, and a few recent ones being followed up.

The answers are generated with a fixed seed, so every demo database tells the same story: 25 to 60 answers a month,
a CSAT rising from about 70% to about 85%, comments in Dutch and English, some with a name, an address and a wish
to be contacted. Low scores and contact wishes older than two weeks were handled by the contract manager
(``contracten@demo.isimedia.nl``); in the last two weeks a few are new, one has been contacted, one is closed.
Rows are made directly (``bulk_create``), not through ``feedback_submit``: demo data e-mails nobody.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from isimedia import roles
from isimedia.demo import STAFF
from isimedia.workdays import AMSTERDAM

from .models import Feedback, FeedbackEvent, FollowUp

__all__ = ["MARKER_DOMAIN", "MONTHS", "seed_demo"]

# Every demo address is at this domain: a second run finds it and adds nothing.
MARKER_DOMAIN = "@tevreden.example"
MONTHS = 12
SEED = 20260601
# Last month's target is a little above 85%: the low scores of the last two weeks pull this month down.
CSAT_FIRST, CSAT_LAST = 0.70, 0.87
# Answers in the last two weeks are recent: the follow-up of those is still under way.
RECENT_DAYS = 14

POSITIVE = {
    "nl": [
        "Snel en vriendelijk geholpen, top!",
        "Website staat er mooi op, klanten reageren enthousiast.",
        "Altijd bereikbaar als er iets is. Fijn!",
        "De overstap naar de nieuwe hosting ging zonder problemen.",
        "Heldere uitleg over de nieuwe koppeling met de webshop.",
        "Duidelijke afspraken en jullie houden je eraan.",
        "Prima service, al jaren tevreden.",
        "Mijn vraag over de mailbox was binnen een uur opgelost.",
        "Fijn dat jullie meedenken over de vindbaarheid in Google.",
        "Goede prijs-kwaliteitverhouding.",
    ],
    "en": [
        "Quick and friendly support, thank you!",
        "The new website looks great and loads fast.",
        "Always helpful when we need a change on the site.",
        "Migration to the new server went smoothly.",
        "Clear explanations, no jargon.",
    ],
}
NEUTRAL = {
    "nl": [
        "Prima, maar de factuur mag wat duidelijker.",
        "Het duurde even voordat ik antwoord kreeg, verder goed.",
        "Redelijk tevreden. Een handleiding voor het CMS zou helpen.",
        "Werkt goed, al is het beheerpaneel soms traag.",
        "Graag wat vaker een update over de voortgang.",
    ],
    "en": [
        "Fine overall, but replies sometimes take a few days.",
        "Good service, the invoices could be clearer.",
        "It works, although the admin panel is a bit slow.",
    ],
}
NEGATIVE = {
    "nl": [
        "De website lag een halve dag plat en niemand liet iets weten.",
        "Al twee keer gemaild over een foutmelding, nog geen reactie.",
        "Het contactformulier op onze site verstuurt geen berichten meer.",
        "Te laat geïnformeerd over de prijsverhoging.",
        "De wijziging die we vroegen is na drie weken nog niet gedaan.",
        "Telefonisch slecht bereikbaar op vrijdagmiddag.",
    ],
    "en": [
        "Our shop was down for hours and nobody told us.",
        "Still waiting for an answer to my e-mail from last week.",
        "The SSL certificate expired and our visitors saw a warning.",
    ],
}
PEOPLE = [
    ("Anouk Jansen", "anouk.jansen"),
    ("Mohamed Bouzid", "m.bouzid"),
    ("Ellen de Graaf", "ellen"),
    ("Thijs van Dijk", "thijs.vandijk"),
    ("Linda Smit", "info.smit"),
    ("Ricardo Mendes", "ricardo"),
    ("Petra Hoekstra", "p.hoekstra"),
    ("Sven Mulder", "sven.mulder"),
    ("", "bakkerij.korenschoof"),
    ("Karin Bos", "karin.bos"),
]
CONTACTED_NOTES = [
    "Gebeld en excuses aangeboden; de storing is uitgelegd.",
    "Teruggemaild met een oplossing, wacht op reactie.",
    "Afspraak gemaakt om de wensen door te nemen.",
]
CLOSED_AFTER_CONTACT_NOTES = [
    "Klant is tevreden met de oplossing.",
    "Opgelost; instructie voor het CMS meegestuurd.",
    "Afgehandeld, geen verdere actie nodig.",
]
# Without an address there is nobody to call back: what was learnt goes to the team.
CLOSED_WITHOUT_CONTACT_NOTES = [
    "Geen contactgegevens; met de techniek besproken.",
    "Besproken in het teamoverleg, verbeterpunt genoteerd.",
    "Oorzaak gevonden en verholpen.",
]


def seed_demo(*, now: datetime | None = None) -> list:
    """Add the demo feedback, once; ``now`` (tests) is the moment the demo year ends."""
    if Feedback.objects.filter(email__iendswith=MARKER_DOMAIN).exists():
        return []
    manager_email = next(login.email for login in STAFF if login.who == roles.CONTRACT_MANAGERS)
    manager = get_user_model().objects.get(email=manager_email)
    with transaction.atomic():
        _Seeder(manager=manager, now=now or timezone.now()).run()
    return []


def _month_start(today: date, months_back: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return date(year, month + 1, 1)


class _Seeder:
    def __init__(self, *, manager, now: datetime):
        self.manager = manager
        self.rng = random.Random(SEED)  # noqa: S311 (demo data, no secret: the same story every time)
        self.now = now
        self.today = timezone.localdate(self.now, AMSTERDAM)
        self.feedback: list[Feedback] = []
        # Per answer (by position in self.feedback): the follow-up steps as (state, hours after the answer, note).
        self.steps: dict[int, list[tuple[str, int, str]]] = {}

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute), tzinfo=AMSTERDAM)

    def run(self) -> None:
        for months_back in range(MONTHS - 1, -1, -1):
            self.month(months_back)
        self.recent()
        created = Feedback.objects.bulk_create(self.feedback)
        events = []
        for index, steps in self.steps.items():
            feedback = created[index]
            state = FollowUp.NEW
            for to_state, hours, note in steps:
                events.append(
                    FeedbackEvent(
                        feedback=feedback,
                        at=feedback.submitted_at + timedelta(hours=hours),
                        user=self.manager,
                        from_state=state,
                        to_state=to_state,
                        note=note,
                    )
                )
                state = to_state
        FeedbackEvent.objects.bulk_create(events)

    # --- a year of answers -------------------------------------------------------------------------------------

    def month(self, months_back: int) -> None:
        rng = self.rng
        first = _month_start(self.today, months_back)
        start = datetime.combine(first, time.min, tzinfo=AMSTERDAM)
        end = datetime.combine(_month_start(self.today, months_back - 1), time.min, tzinfo=AMSTERDAM)
        count = rng.randint(25, 60)
        if months_back == 0:
            # This month is not over: only the share of it that has passed, and nothing in the future.
            end = self.now
            count = max(5, round(count * (end - start) / (timedelta(days=30))))
        progress = (MONTHS - 1 - months_back) / (MONTHS - 1)
        csat = CSAT_FIRST + (CSAT_LAST - CSAT_FIRST) * progress
        # Exactly the month's share of satisfied answers, in random order: the trend rises without jumps.
        satisfied = [True] * round(count * csat) + [False] * (count - round(count * csat))
        rng.shuffle(satisfied)
        seconds = max(int((end - start).total_seconds()), 1)
        for is_satisfied in satisfied:
            self.answer(start + timedelta(seconds=rng.randrange(seconds)), satisfied=is_satisfied)

    def answer(self, submitted_at: datetime, *, satisfied: bool) -> None:
        rng = self.rng
        scores, weights = ((4, 5), (45, 55)) if satisfied else ((1, 2, 3), (15, 25, 60))
        score = rng.choices(scores, weights=weights)[0]
        language = "en" if rng.random() < 0.15 else "nl"
        texts = POSITIVE if score >= 4 else NEUTRAL if score == 3 else NEGATIVE
        # The dissatisfied say more often what went wrong than the satisfied say what went right.
        comment = rng.choice(texts[language]) if rng.random() < (0.8 if score <= 2 else 0.4) else ""
        name = email = ""
        wants_contact = False
        if rng.random() < (0.5 if score <= 3 else 0.15):
            name, local = rng.choice(PEOPLE)
            email = local + MARKER_DOMAIN
            wants_contact = rng.random() < (0.6 if score <= 2 else 0.2)
        feedback = Feedback(
            score=score,
            comment=comment,
            name=name,
            email=email,
            wants_contact=wants_contact,
            language=language,
            submitted_at=submitted_at,
        )
        if feedback.needs_attention and submitted_at < self.now - timedelta(days=RECENT_DAYS):
            # Handled by the contract manager within a few days: called or mailed when there is an address, then closed.
            contacted = rng.randint(2, 30)
            closed = contacted + rng.randint(4, 72)
            if wants_contact or (email and rng.random() < 0.5):
                steps = [
                    (FollowUp.CONTACTED, contacted, rng.choice(CONTACTED_NOTES)),
                    (FollowUp.CLOSED, closed, rng.choice(CLOSED_AFTER_CONTACT_NOTES)),
                ]
            else:
                steps = [(FollowUp.CLOSED, closed, rng.choice(CLOSED_WITHOUT_CONTACT_NOTES))]
            self.follow(feedback, steps)
        self.feedback.append(feedback)

    def follow(self, feedback: Feedback, steps: list[tuple[str, int, str]]) -> None:
        feedback.follow_up = steps[-1][0]
        feedback.follow_up_changed_at = feedback.submitted_at + timedelta(hours=steps[-1][1])
        self.steps[len(self.feedback)] = steps

    # --- the last two weeks: the follow-up under way ---------------------------------------------------------

    def recent(self) -> None:
        recent = [
            # Closed: called the next morning, solved two days later.
            (
                Feedback(
                    score=1,
                    comment="Onze webshop was het hele weekend onbereikbaar. Dit kost ons omzet.",
                    name="Gerrit Veenstra",
                    email="g.veenstra" + MARKER_DOMAIN,
                    wants_contact=True,
                    submitted_at=self.at(11, 9, 12),
                ),
                [
                    (FollowUp.CONTACTED, 2, "Gebeld; de storing kwam door een volle schijf. Excuses aangeboden."),
                    (FollowUp.CLOSED, 50, "Extra bewaking ingesteld; klant is akkoord met een korting op de factuur."),
                ],
            ),
            # Contacted, waiting for the client's answer.
            (
                Feedback(
                    score=2,
                    comment="Mijn vraag over de nieuwsbrief is na een week nog steeds niet beantwoord.",
                    name="Yvonne Kramer",
                    email="yvonne.kramer" + MARKER_DOMAIN,
                    wants_contact=True,
                    submitted_at=self.at(5, 14, 40),
                ),
                [(FollowUp.CONTACTED, 20, "Gemaild met de instellingen voor de nieuwsbrief; wacht op antwoord.")],
            ),
            # New: no contact wish, no address; only the score and the comment to act on.
            (
                Feedback(
                    score=2,
                    comment="The invoice was higher than agreed.",
                    language="en",
                    submitted_at=self.at(2, 20, 5),
                ),
                [],
            ),
            # New: very dissatisfied, yesterday evening.
            (
                Feedback(
                    score=1,
                    comment="Het contactformulier werkt niet meer sinds de laatste update.",
                    name="Bas de Wit",
                    email="bas.dewit" + MARKER_DOMAIN,
                    submitted_at=self.at(1, 21, 30),
                ),
                [],
            ),
            # New: satisfied, but would like to talk about an extension of the website.
            (
                Feedback(
                    score=4,
                    comment="Tevreden! Ik wil graag bespreken of er een afsprakenmodule bij kan.",
                    name="Naima Ouali",
                    email="naima" + MARKER_DOMAIN,
                    wants_contact=True,
                    submitted_at=self.at(0, 8, 15) if self.at(0, 8, 15) < self.now else self.at(1, 8, 15),
                ),
                [],
            ),
        ]
        for feedback, steps in recent:
            if steps:
                self.follow(feedback, steps)
            self.feedback.append(feedback)
