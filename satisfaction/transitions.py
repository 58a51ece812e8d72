"""The follow-up of feedback, written once as data: the services check it, the admin shows a button per step."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import FollowUp


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Promise


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("contact", (FollowUp.NEW,), FollowUp.CONTACTED, _("Mark as contacted")),
        # Feedback that needs no answer (or was answered outside the portal) is closed straight from new.
        Transition("close", (FollowUp.NEW, FollowUp.CONTACTED), FollowUp.CLOSED, _("Close")),
        Transition("reopen", (FollowUp.CLOSED,), FollowUp.NEW, _("Reopen")),
    ]
}


def allowed_transitions(state: str) -> list[Transition]:
    """The steps that apply to feedback in ``state``, in the order the admin shows them."""
    return [t for t in TRANSITIONS.values() if state in t.sources]


def transition_to(state: str, to_state: str) -> Transition | None:
    """The step that takes feedback from ``state`` to ``to_state``; None when there is none."""
    return next((t for t in allowed_transitions(state) if t.target == to_state), None)
