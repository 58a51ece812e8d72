"""Personal data in the client register: contacts, clients' addresses, DPA signatures, objections (privacy.registry).

A client (company) runs its contract as long as it is in the register: a client with signatures cannot be deleted
(PROTECT), so "while the contract runs" means while the client exists. A DPA signature is evidence of acceptance
and append-only in the database (trigger in migration 0003): it is always kept, and it names its signer by user id,
so anonymising the signer's login does not break the evidence hash.

Erasing a contact anonymises the contact (name, phone) and closes its login (the address becomes a stand-in, the
password unusable), also when it is the client's only contact: the client is still reached at its company address
(``Client.contact_email``), which is the contract's address and kept; the plan tells the officers when it was the
only login, so the second officer can ask the client for a new contact first.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy import registry
from privacy.registry import ANONYMISED, KEPT, Outcome, PersonalData

from .models import Acceptance, Client, ClientContact, Objection

User = get_user_model()


def _contract_runs_reason() -> str:
    return _(
        "Evidence of DPA acceptance while the contract runs (GDPR art. 28 and 5(2)); the signature cannot be changed."
    )


# --- DPA signatures ----------------------------------------------------------------------------------------------


def _acceptances(email: str):
    return Acceptance.objects.filter(user__email__iexact=email).order_by("accepted_at", "id")


def export_acceptances(email: str) -> list[dict]:
    return [
        {
            "company_name": acceptance.company_name,
            "kvk_number": acceptance.kvk_number,
            "version_label": acceptance.version_label,
            "signer_name": acceptance.signer_name,
            "signer_title": acceptance.signer_title,
            "statement": acceptance.statement,
            "accepted_at": registry.iso(acceptance.accepted_at),
            "ip_address": acceptance.ip_address,
            "user_agent": acceptance.user_agent,
            "evidence_sha256": acceptance.evidence_sha256,
        }
        for acceptance in _acceptances(email)
    ]


def erase_acceptances(email: str, *, dry_run: bool) -> list[Outcome]:
    return [
        Outcome(
            label=_("Your signature of DPA version %(version)s for %(company)s")
            % {"version": acceptance.version_label, "company": acceptance.company_name},
            action=KEPT,
            reason=_contract_runs_reason(),
        )
        for acceptance in _acceptances(email)
    ]


# --- Objections --------------------------------------------------------------------------------------------------


def _objections(email: str):
    return Objection.objects.filter(user__email__iexact=email).select_related("version").order_by("created_at", "id")


def export_objections(email: str) -> list[dict]:
    return [
        {
            "version": str(objection.version),
            "text": objection.text,
            "created_at": registry.iso(objection.created_at),
            "settled_at": registry.iso(objection.settled_at),
            "settlement": objection.settlement,
        }
        for objection in _objections(email)
    ]


def erase_objections(email: str, *, dry_run: bool) -> list[Outcome]:
    return [
        Outcome(
            label=_("Your objection to %(version)s") % {"version": objection.version},
            action=KEPT,
            reason=_(
                "An objection to the terms or the DPA is part of the client's contract file and is kept while the "
                "contract runs."
            ),
        )
        for objection in _objections(email)
    ]


# --- The client's contact address --------------------------------------------------------------------------------


def _clients(email: str):
    return Client.objects.filter(contact_email__iexact=email).prefetch_related("websites").order_by("name", "id")


def export_clients(email: str) -> list[dict]:
    return [
        {
            "name": client.name,
            "kvk_number": client.kvk_number,
            "contact_email": client.contact_email,
            "language": client.get_language_display(),
            "created_at": registry.iso(client.created_at),
            "websites": [website.host for website in client.websites.all()],
        }
        for client in _clients(email)
    ]


def erase_clients(email: str, *, dry_run: bool) -> list[Outcome]:
    return [
        Outcome(
            label=_("Contact address of %(client)s") % {"client": client.name},
            action=KEPT,
            reason=_(
                "This is the client's address for the running contract: ISI Media must be able to reach the client "
                "about its DPA, complaints about its websites and data breaches (GDPR art. 28 and 33). The client "
                "can have it replaced by another address."
            ),
        )
        for client in _clients(email)
    ]


# --- Client contacts ---------------------------------------------------------------------------------------------


def _contacts(email: str):
    return ClientContact.objects.filter(user__email__iexact=email).select_related("user", "client").order_by("id")


def export_contacts(email: str) -> list[dict]:
    return [
        {
            "client": contact.client.name,
            "name": contact.name,
            "email": contact.user.email,
            "phone": contact.phone,
            "language": contact.user.get_language_display(),
            "invited_at": registry.iso(contact.invited_at),
            "last_login": registry.iso(contact.user.last_login),
            "is_active": contact.user.is_active,
        }
        for contact in _contacts(email)
    ]


def erase_contacts(email: str, *, dry_run: bool) -> list[Outcome]:
    outcomes = []
    for contact in _contacts(email):
        others = (
            ClientContact.objects.filter(client_id=contact.client_id, user__is_active=True)
            .exclude(pk=contact.pk)
            .exists()
        )
        reason = ""
        if not others:
            reason = _(
                "This was the client's only login to the portal; ISI Media still reaches the client at its "
                "company address."
            )
        outcomes.append(
            Outcome(
                label=_("Your details as contact person of %(client)s, and your login")
                % {"client": contact.client.name},
                action=ANONYMISED,
                reason=reason,
            )
        )
        if not dry_run:
            contact.name = ""
            contact.phone = ""
            contact.save(update_fields=["name", "phone"])
            user = contact.user
            user.email = registry.anonymised_address(user.pk)
            user.first_name = ""
            user.last_name = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    return outcomes


registry.register(
    PersonalData(
        key="contracts.dpa_acceptances",
        label=gettext_lazy("Your signatures of the data processing agreement"),
        fields={
            Acceptance: [
                "signer_name",
                "signer_title",
                "company_name",
                "ip_address",
                "user_agent",
                "signed_pdf",
            ]
        },
        export=export_acceptances,
        erase=erase_acceptances,
        titles=registry.field_titles(
            Acceptance,
            "company_name",
            "kvk_number",
            "version_label",
            "signer_name",
            "signer_title",
            "statement",
            "accepted_at",
            "ip_address",
            "user_agent",
            "evidence_sha256",
        ),
    )
)

registry.register(
    PersonalData(
        key="contracts.objections",
        label=gettext_lazy("Your objections to new terms or DPA versions"),
        fields={Objection: ["text"]},
        export=export_objections,
        erase=erase_objections,
        titles={
            **registry.field_titles(Objection, "text", "created_at", "settled_at", "settlement"),
            "version": gettext_lazy("version"),
        },
    )
)

# A company name is usually not personal data, but a sole trader's trade name often is the owner's name: it is
# covered here, with the client's contact address, rather than declared not personal.
registry.register(
    PersonalData(
        key="contracts.clients",
        label=gettext_lazy("Clients that use your address as their contact address"),
        fields={Client: ["name", "contact_email"]},
        export=export_clients,
        erase=erase_clients,
        titles={
            **registry.field_titles(Client, "name", "kvk_number", "contact_email", "language", "created_at"),
            "websites": gettext_lazy("websites"),
        },
    )
)

registry.register(
    PersonalData(
        key="contracts.contacts",
        label=gettext_lazy("Your details as a client's contact person"),
        fields={ClientContact: ["name", "phone"]},
        export=export_contacts,
        erase=erase_contacts,
        titles={
            **registry.field_titles(ClientContact, "name", "phone", "invited_at"),
            "client": gettext_lazy("client"),
            "email": User._meta.get_field("email").verbose_name,
            "language": User._meta.get_field("language").verbose_name,
            "last_login": gettext_lazy("last logged in"),
            "is_active": gettext_lazy("can log in"),
        },
        # Changes the login address the other entries match on: runs after them.
        order=900,
    )
)
