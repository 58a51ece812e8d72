"""The NTD procedure's state transitions, written once as data: the services check them, the admin shows them."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import OPEN_STATES, State


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    # Transitions staff start from the case page; the others are started by the client's answer or the deadline.
    staff_action: bool = True


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("forward", (State.RECEIVED,), State.AWAITING_CUSTOMER, _("Forward to the client")),
        Transition("reject_incomplete", (State.RECEIVED,), State.REJECTED_INCOMPLETE, _("Reject: incomplete")),
        Transition("reject_not_hosted", (State.RECEIVED,), State.REJECTED_NOT_HOSTED, _("Reject: not hosted by us")),
        Transition(
            "resolve_by_customer",
            (State.AWAITING_CUSTOMER,),
            State.RESOLVED_BY_CUSTOMER,
            _("The client removed the material"),
        ),
        Transition(
            "start_assessment", (State.AWAITING_CUSTOMER,), State.UNDER_ASSESSMENT, _("The client disagrees: assess")
        ),
        Transition("take_down", (State.UNDER_ASSESSMENT,), State.TAKEN_DOWN, _("Manifestly unlawful: take down")),
        Transition(
            "reject_not_unlawful",
            (State.UNDER_ASSESSMENT,),
            State.REJECTED_NOT_UNLAWFUL,
            _("Not manifestly unlawful: reject"),
        ),
        Transition("emergency_take_down", OPEN_STATES, State.TAKEN_DOWN, _("Emergency: take down at once")),
    ]
}


def allowed_transitions(state: str, *, staff_only: bool = True) -> list[Transition]:
    """The transitions that apply to a case in ``state``, in the order the case page shows them."""
    return [t for t in TRANSITIONS.values() if state in t.sources and (t.staff_action or not staff_only)]
