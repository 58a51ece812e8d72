"""Factories for NTD tests. Cases in a later state are best made through the services (see ``make_case``)."""

from datetime import date

from django.contrib.auth.models import Group

from contracts.tests.factories import StaffUserFactory, WebsiteFactory
from isimedia import roles
from ntd import services
from ntd.models import Category, OwnerContact, StatementOfReasons


def notice_input(**overrides) -> services.NoticeInput:
    """A complete, valid notice as a complainant would send it."""
    values = {
        "urls": ["https://www.korenschoof.example/recepten/gestolen-foto"],
        "category": Category.INTELLECTUAL_PROPERTY,
        "explanation": "De foto op deze pagina is door mij gemaakt en zonder toestemming overgenomen.",
        "complainant_name": "Marieke Jansen",
        "complainant_email": "marieke@fotografie.example",
        "owner_contact": OwnerContact.CONTACTED,
        "owner_contacted_on": date(2026, 11, 2),
        "owner_contact_how": "E-mail aan info@korenschoof.example",
        "owner_contact_result": "Geen antwoord na twee weken.",
        "good_faith": True,
        "identity_disclosure_accepted": True,
        "language": "nl",
    }
    values.update(overrides)
    return services.NoticeInput(**values)


def handler(**kwargs):
    """An active NTD handler (staff, in the NTD group)."""
    user = StaffUserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=roles.NTD_HANDLERS))
    return user


def decision(**overrides) -> services.Decision:
    values = {
        "decision_visibility": StatementOfReasons.Visibility.DISABLED,
        "scope": "De pagina /recepten/gestolen-foto is onbereikbaar gemaakt; de rest van de website blijft online.",
        "decision_ground": StatementOfReasons.Ground.ILLEGAL,
        "legal_ground": "Auteurswet art. 1 en 12",
        "ground_explanation": "De foto is zonder toestemming van de maker openbaar gemaakt.",
        "decision_facts": "Melding van de maker met origineel bestand; de klant reageerde niet binnen de termijn.",
    }
    values.update(overrides)
    return services.Decision(**values)


def make_case(state: str = "received", *, website=None, user=None, **notice_overrides):
    """A case brought to ``state`` through the real services. Returns (notice, tracking_token)."""
    submitted = services.notice_submit(data=notice_input(**notice_overrides))
    notice = submitted.notice
    user = user or handler()
    if state == "received":
        return notice, submitted.tracking_token
    if state in {"rejected_incomplete"}:
        return services.notice_reject_incomplete(notice_id=notice.pk, missing="De URL ontbreekt.", user=user), (
            submitted.tracking_token
        )
    if state == "rejected_not_hosted":
        return services.notice_reject_not_hosted(notice_id=notice.pk, note="Niet bij ons.", user=user), (
            submitted.tracking_token
        )
    website = website or WebsiteFactory(host="korenschoof.example")
    notice = services.notice_forward(notice_id=notice.pk, website=website, user=user)
    if state == "awaiting_customer":
        return notice, submitted.tracking_token
    if state == "resolved_by_customer":
        return services.notice_customer_removed(notice_id=notice.pk, text="Foto verwijderd."), submitted.tracking_token
    notice = services.notice_customer_disagrees(notice_id=notice.pk, text="Wij hebben een licentie.")
    if state == "under_assessment":
        return notice, submitted.tracking_token
    if state == "taken_down":
        return services.notice_take_down(notice_id=notice.pk, decision=decision(), user=user), submitted.tracking_token
    if state == "rejected_not_unlawful":
        return (
            services.notice_reject_not_unlawful(notice_id=notice.pk, reason="Licentie aangetoond.", user=user),
            submitted.tracking_token,
        )
    raise ValueError(state)
