"""The privacy request's state transitions, written once as data: the services check them, the admin shows them."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import ERASURE_RIGHTS, OPEN_STATES, PACKAGE_RIGHTS, Right, State


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    # The rights this step applies to; empty means every right.
    rights: tuple[str, ...] = ()
    # Steps staff start in the admin; the others are started by the requester or a task.
    staff_action: bool = True


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "confirm", (State.UNCONFIRMED,), State.RECEIVED, _("Confirm the e-mail address"), staff_action=False
        ),
        Transition(
            "request_identity", (State.RECEIVED,), State.AWAITING_IDENTITY, _("Doubt about identity: ask for proof")
        ),
        Transition("identity_checked", (State.AWAITING_IDENTITY,), State.RECEIVED, _("Identity checked")),
        Transition(
            "send_package", (State.RECEIVED,), State.COMPLETED, _("Approve and send the data package"), PACKAGE_RIGHTS
        ),
        Transition(
            "propose_erasure", (State.RECEIVED,), State.AWAITING_APPROVAL, _("Propose the erasure"), ERASURE_RIGHTS
        ),
        Transition(
            "approve_erasure",
            (State.AWAITING_APPROVAL,),
            State.COMPLETED,
            _("Approve and carry out the erasure"),
            ERASURE_RIGHTS,
        ),
        Transition(
            "reject_erasure", (State.AWAITING_APPROVAL,), State.RECEIVED, _("Send the proposal back"), ERASURE_RIGHTS
        ),
        Transition(
            "complete",
            (State.RECEIVED,),
            State.COMPLETED,
            _("Record what was done and reply"),
            (Right.RECTIFICATION, Right.RESTRICTION),
        ),
        Transition(
            "forward",
            (State.RECEIVED, State.AWAITING_IDENTITY),
            State.FORWARDED,
            _("Forward to the client (the controller)"),
        ),
        Transition("refuse", OPEN_STATES, State.REFUSED, _("Refuse: manifestly unfounded or excessive")),
    ]
}


def allowed_transitions(state: str, right: str, *, staff_only: bool = True) -> list[Transition]:
    """The transitions that apply to a request in ``state`` for ``right``, in the order the admin shows them."""
    return [
        t
        for t in TRANSITIONS.values()
        if state in t.sources and (not t.rights or right in t.rights) and (t.staff_action or not staff_only)
    ]
