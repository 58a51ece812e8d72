"""Writes to the client registry and the client accounts; views, forms and the admin only call these."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from isimedia.models import User
from isimedia.outbox import email_queue

from ..errors import ContractsError
from ..hosts import normalise_host
from ..models import Client, ClientContact, Website

logger = logging.getLogger(__name__)


def normalise_kvk_number(value: str) -> str:
    """A KvK number as the register writes it: people copy it as "1234 5678", the register has no spaces.

    Shared by this service and the admin's client form, so both accept the same input; the model checks the
    8 digits afterwards.
    """
    return "".join((value or "").split())


def client_create(*, name: str, kvk_number: str, contact_email: str, language: str = Client.Language.DUTCH) -> Client:
    """Register a new client."""
    client = Client(
        name=name.strip(),
        kvk_number=normalise_kvk_number(kvk_number),
        contact_email=contact_email.strip().lower(),
        language=language,
    )
    try:
        client.full_clean()
    except ValidationError as error:
        raise ContractsError(error.error_dict) from error
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as error:
        # Two people registering the same KvK number at the same moment: full_clean cannot see the other one.
        raise ContractsError({"kvk_number": _("A client with this KvK number already exists.")}) from error
    return client


def website_add(*, client: Client, host: str) -> Website:
    """Register a website of a client; ``host`` may be a host name or a full web address."""
    try:
        host = normalise_host(host)
    except ValidationError as error:
        raise ContractsError({"host": error.messages}) from error
    existing = Website.objects.filter(host=host).first()
    if existing is not None:
        raise ContractsError({"host": _website_taken_message(existing, client)})
    try:
        with transaction.atomic():
            return Website.objects.create(client=client, host=host)
    except IntegrityError as error:
        existing = Website.objects.filter(host=host).first()
        raise ContractsError({"host": _website_taken_message(existing, client)}) from error


def _website_taken_message(existing: Website | None, client: Client) -> str:
    if existing is not None and existing.client_id == client.pk:
        return _("%(host)s is already registered for this client.") % {"host": existing.host}
    return _("This host name is already registered for another client.")


def client_contact_invite(
    *, client: Client, email: str, name: str, language: str, invited_by: User | None
) -> ClientContact:
    """Give a person access to the portal for ``client`` and e-mail them a link to choose a password.

    Inviting the same person again sends a fresh link; a password they already chose keeps working until they use
    that link to choose another. Staff accounts, deactivated accounts and contacts of another client are refused.
    """
    email = email.strip().lower()
    name = name.strip()
    errors = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    if not name:
        errors["name"] = _("Enter the contact's name.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose Dutch or English.")
    if errors:
        raise ContractsError(errors)

    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is None:
            # No password yet: the account can only be used after the link in the invitation is followed.
            user = User.objects.create_user(email=email, password=None, language=language, is_staff=False)
        elif user.is_staff or user.is_superuser:
            raise ContractsError(_("%(email)s belongs to an ISI Media staff account.") % {"email": email})
        elif not user.is_active:
            raise ContractsError(_("The account of %(email)s has been deactivated.") % {"email": email})

        contact = ClientContact.objects.select_for_update().filter(user=user).first()
        if contact is not None and contact.client_id != client.pk:
            raise ContractsError(_("%(email)s is already a contact of another client.") % {"email": email})

        now = timezone.now()
        if contact is None:
            contact = ClientContact.objects.create(
                user=user, client=client, name=name, invited_at=now, invited_by=invited_by
            )
        else:
            contact.name = name
            contact.invited_at = now
            contact.invited_by = invited_by
            contact.save(update_fields=["name", "invited_at", "invited_by"])
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])

        email_queue(
            template="client_invite",
            to=user.email,
            language=language,
            reply_to=settings.STAFF_EMAIL,
            context={
                "contact_name": contact.name,
                "client_name": client.name,
                "link": _password_link(user, "invite_accept"),
                "login_url": f"{settings.SITE_URL}{reverse('login')}",
                # Someone invited again who already chose a password keeps it; the e-mail says so.
                "has_password": user.has_usable_password(),
                **_link_validity(now),
            },
            # The link sets the account's password: staff must not be able to read it in the outbox.
            sensitive=True,
        )
    logger.info("Client contact %s of client %s invited by %s.", contact.pk, client.pk, getattr(invited_by, "pk", None))
    return contact


def password_reset_request(*, email: str) -> int:
    """E-mail a link to choose a new password to the active account with this address; return how many were sent.

    An unknown address gets nothing and the caller shows the same page either way, so the form does not reveal
    which addresses have an account. Accounts without a password are included: that lets an invited contact
    whose invitation expired activate the account without asking us.
    """
    email = email.strip()
    sent = 0
    with transaction.atomic():
        for user in User.objects.filter(email__iexact=email, is_active=True).select_related("client_contact"):
            contact = getattr(user, "client_contact", None)
            email_queue(
                # Always the stored address, never the typed one: the two may only look alike.
                template="password_reset",
                to=user.email,
                language=user.language,
                reply_to=settings.STAFF_EMAIL,
                context={
                    "name": contact.name if contact else user.get_full_name(),
                    "link": _password_link(user, "password_reset_confirm"),
                    **_link_validity(timezone.now()),
                },
                sensitive=True,
            )
            sent += 1
    return sent


def _password_link(user: User, url_name: str) -> str:
    path = reverse(
        url_name,
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def _link_validity(now: datetime) -> dict:
    """How long a password link works, for the e-mail text: whole days, and the moment it expires.

    The templates show ``valid_until`` in Amsterdam time and say so (``|timezone:"Europe/Amsterdam"``), whatever
    time zone is active while the e-mail is rendered.
    """
    return {
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "valid_until": now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
    }
