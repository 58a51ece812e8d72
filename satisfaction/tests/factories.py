"""Factories for satisfaction tests.

``FeedbackFactory`` makes an answer straight in the database (no alert e-mail); answers that must have gone through
the real procedure are best made with ``services.feedback_submit`` (``feedback_input`` gives its data).
Traits: ``unhappy`` (score 1, a comment), ``contact`` (name, e-mail and a contact wish), ``anonymous`` (no name,
e-mail or comment). ``FeedbackEventFactory`` makes a follow-up step; ``ContractManagerFactory`` a staff member in
the contract managers' group, who handle the follow-up.
"""

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from contracts.tests.factories import StaffUserFactory, UserFactory
from isimedia import roles
from satisfaction.models import Feedback, FeedbackEvent, FollowUp, Score

__all__ = [
    "ContractManagerFactory",
    "FeedbackEventFactory",
    "FeedbackFactory",
    "StaffUserFactory",
    "UserFactory",
    "feedback_input",
]


class ContractManagerFactory(StaffUserFactory):
    """Staff in the group "Contractbeheerders" (who handle client relations, and so the satisfaction follow-up)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def contract_manager(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get_or_create(name=roles.CONTRACT_MANAGERS)[0])


class FeedbackFactory(factory.django.DjangoModelFactory):
    """A satisfied answer with a short comment, no name, e-mail or contact wish, in follow-up state NEW."""

    class Meta:
        model = Feedback

    score = Score.SATISFIED
    comment = "Snelle reactie op mijn vraag, prima geholpen."
    name = ""
    email = ""
    wants_contact = False
    language = "nl"
    submitted_at = factory.LazyFunction(timezone.now)
    follow_up = FollowUp.NEW

    class Params:
        unhappy = factory.Trait(score=Score.VERY_DISSATISFIED, comment="De website lag twee dagen plat.")
        contact = factory.Trait(
            name="Sanne de Vries",
            email=factory.Sequence(lambda n: f"sanne{n}@voorbeeld.example"),
            wants_contact=True,
        )
        anonymous = factory.Trait(comment="", name="", email="", wants_contact=False)


class FeedbackEventFactory(factory.django.DjangoModelFactory):
    """A follow-up step new → contacted by a staff member, with a note."""

    class Meta:
        model = FeedbackEvent

    feedback = factory.SubFactory(FeedbackFactory)
    at = factory.LazyFunction(timezone.now)
    user = factory.SubFactory(StaffUserFactory)
    from_state = FollowUp.NEW
    to_state = FollowUp.CONTACTED
    note = "Gebeld, klant wordt teruggebeld door de techniek."


def feedback_input(**overrides):
    """The data for ``services.feedback_submit``: a satisfied Dutch answer without contact details."""
    from satisfaction.services import FeedbackInput

    values = {"score": 4, "comment": "Prima geholpen.", "name": "", "email": "", "wants_contact": False}
    values.update(overrides)
    return FeedbackInput(**values)
