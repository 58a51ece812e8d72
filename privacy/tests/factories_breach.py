"""Factories for the breach register: a breach straight in the database (no reference counter, no e-mail)."""

from datetime import timedelta

import factory
from django.utils import timezone

from privacy.models import Breach

__all__ = ["BreachFactory"]


class BreachFactory(factory.django.DjangoModelFactory):
    """A breach discovered an hour ago; pass ``affected_clients=[...]`` to link clients."""

    class Meta:
        model = Breach
        skip_postgeneration_save = True

    # Year 2000: never the series the service counts in (the current year), so references cannot collide.
    reference = factory.Sequence(lambda n: f"DL-2000-{n + 1:05d}")
    title = "Back-up van klantwebsites onbeveiligd bereikbaar"
    discovered_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    what_happened = "Een back-upmap van de webserver was twee dagen zonder wachtwoord via internet te downloaden."
    cause = "Bij een serververhuizing is de toegangsbeperking van de back-upmap niet overgenomen."
    consequences = "Onbevoegden kunnen contactformulieren met namen en e-mailadressen van bezoekers hebben ingezien."
    remedy = "De map is afgesloten, de back-ups zijn verplaatst en de toegangslogs worden onderzocht."
    data_categories = factory.LazyFunction(lambda: [Breach.DataCategory.CONTACT.value])

    @factory.post_generation
    def affected_clients(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.affected_clients.set(extracted)
