"""Objections: a client objects to a scheduled version before it takes effect, and staff record how it was settled."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from isimedia.models import User
from isimedia.outbox import email_queue

from ..errors import ContractsError
from ..models import Client, ClientContact, DocumentVersion, Objection

logger = logging.getLogger(__name__)

OBJECTION_MAX_LENGTH = 10_000
SETTLEMENT_MAX_LENGTH = 10_000


def objection_create(*, client: Client, user: User, version: DocumentVersion, text: str) -> Objection:
    """Record ``client``'s objection to a published version that has not taken effect yet, and tell staff.

    Only a contact of the client may object, and a client has at most one open objection per version: a second one
    would only split the conversation. Once staff have settled it, the client may object again.
    """
    text = (text or "").strip()
    if not text:
        raise ContractsError({"text": _("Write down what you object to.")})
    if len(text) > OBJECTION_MAX_LENGTH:
        raise ContractsError(
            {"text": _("Keep your objection under %(max)d characters.") % {"max": OBJECTION_MAX_LENGTH}}
        )

    with transaction.atomic():
        # Locking the client makes two submissions at the same moment wait for each other, so the "one open
        # objection" check below sees the first one.
        client = Client.objects.select_for_update().get(pk=client.pk)
        contact = ClientContact.objects.filter(user=user, client=client).first()
        if contact is None or not user.is_active:
            raise ContractsError(_("Only a contact of %(client)s can object on its behalf.") % {"client": client.name})
        version = DocumentVersion.objects.filter(pk=version.pk).first()
        if version is None or version.published_at is None:
            raise ContractsError(_("This version has not been published."))
        if version.effective_on <= timezone.localdate():
            raise ContractsError(
                _("This version took effect on %(date)s; objections are possible only before that date.")
                % {"date": _format_date(version.effective_on)}
            )
        if Objection.objects.filter(client=client, version=version, settled_at__isnull=True).exists():
            raise ContractsError(
                _("%(client)s has already objected to this version; we will let you know how we settle it.")
                % {"client": client.name}
            )
        objection = Objection.objects.create(client=client, version=version, user=user, text=text)
        email_queue(
            template="contracts_objection_received",
            to=settings.STAFF_EMAIL,
            language=settings.LANGUAGE_CODE,
            # A reply goes straight to the person who objected.
            reply_to=user.email,
            context={
                "objection": objection,
                "client": client,
                "contact_name": contact.name,
                "contact_email": user.email,
                "version": version,
                "admin_url": f"{settings.SITE_URL}{reverse('admin:contracts_objection_change', args=[objection.pk])}",
            },
        )
    logger.info("Objection %s by client %s to version %s.", objection.pk, client.pk, version.pk)
    return objection


def objection_settle(*, objection_id: int, settlement: str, user: User) -> Objection:
    """Record how staff settled an objection, and tell the contact who made it, in the client's language."""
    settlement = (settlement or "").strip()
    if not settlement:
        raise ContractsError({"settlement": _("Describe how the objection was settled.")})
    if len(settlement) > SETTLEMENT_MAX_LENGTH:
        raise ContractsError(
            {"settlement": _("Keep the settlement under %(max)d characters.") % {"max": SETTLEMENT_MAX_LENGTH}}
        )

    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update(of=("self",))
            .select_related("client", "version", "user")
            .filter(pk=objection_id)
            .first()
        )
        if objection is None:
            raise ContractsError(_("This objection does not exist."))
        if objection.settled_at is not None:
            raise ContractsError(
                _("This objection was already settled on %(date)s.")
                % {"date": _format_date(timezone.localdate(objection.settled_at))}
            )
        objection.settlement = settlement
        objection.settled_at = timezone.now()
        objection.settled_by = user
        objection.save(update_fields=["settlement", "settled_at", "settled_by"])

        contact = ClientContact.objects.filter(user=objection.user_id).first()
        email_queue(
            template="contracts_objection_settled",
            to=objection.user.email,
            language=objection.client.language,
            reply_to=settings.STAFF_EMAIL,
            context={
                "objection": objection,
                "client": objection.client,
                "contact_name": contact.name if contact else "",
                "version": objection.version,
                "link": f"{settings.SITE_URL}{reverse('contracts_objections:objection', args=[objection.version_id])}",
            },
        )
    logger.info("Objection %s settled by %s.", objection.pk, getattr(user, "pk", None))
    return objection


def _format_date(day) -> str:
    return date_format(day, "j F Y")
