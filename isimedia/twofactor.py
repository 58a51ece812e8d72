"""Staff sign in to the admin with a password and a code from an authenticator app (TOTP, django-otp).

The password step does not log anyone in: it only remembers, in a fresh session, whose password was right. The
account is logged in when the code is right too, so no session ever exists with only the first factor. A staff
member without an authenticator app sets one up right after the password step, the first time they sign in.

Failed codes count towards the same lockout as failed passwords (django-axes), and django-otp slows down repeated
wrong codes on the device itself, whichever address they come from.
"""

import base64
import time
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

PENDING_SESSION_KEY = "staff_login_pending"
DEVICE_NAME = "Authenticator app"


def is_verified_staff(user) -> bool:
    """Staff who passed both factors in this session: only they may see anything meant for staff."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and getattr(user, "is_verified", lambda: False)()
    )


@dataclass(frozen=True)
class Pending:
    user: object
    backend: str
    next_url: str


def begin(request, user, *, next_url: str = "") -> None:
    """Remember that ``user`` gave the right password; the code step finishes the login.

    The session key changes here, so a session id planted before the password step is worth nothing after it.
    """
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "at": time.time(),
        "next": next_url,
    }


def pending(request) -> Pending | None:
    """The account whose password was right, if that was recent enough and it may still sign in."""
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("at", 0)) > settings.STAFF_LOGIN_CODE_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True, is_staff=True).first()
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    return Pending(user=user, backend=data.get("backend", ""), next_url=data.get("next", ""))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def setup_device(user) -> TOTPDevice:
    """The unconfirmed device the setup page shows; the same one on every reload, so the scanned code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for people who type it into their app instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class CodeRefused(Exception):
    """The code was wrong or may not be tried now; ``retry_at`` is set when the device is slowed down."""

    def __init__(self, *, retry_at=None):
        super().__init__("code refused")
        self.retry_at = retry_at


def verify_code(request, pending_login: Pending, code: str, *, setup: bool = False) -> TOTPDevice:
    """Check ``code`` against the staff member's device (the new one while setting up) and log them in.

    The device row is locked while the code is checked, so one code cannot log in two sessions at once (TOTP codes
    are single-use: django-otp remembers the last time step used).
    """
    user = pending_login.user
    with transaction.atomic():
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=not setup).order_by("pk")
        device = devices.first()
        if device is None:
            raise CodeRefused()
        allowed, details = device.verify_is_allowed()
        if not allowed:
            raise CodeRefused(retry_at=(details or {}).get("locked_until"))
        normalised = "".join(ch for ch in code if ch.isdigit())
        if not device.verify_token(normalised):
            failed = True
        else:
            failed = False
            if setup:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                # Any other half-finished setup of this account is now useless.
                TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    if failed:
        # Counted by django-axes like a wrong password: enough of them lock the account out from this address.
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        raise CodeRefused()
    request.session.pop(PENDING_SESSION_KEY, None)
    auth_login(request, user, backend=pending_login.backend or None)
    otp_login(request, device)
    return device


def remove_devices(user) -> int:
    """A superuser's reset for a lost phone: the staff member sets up a new app at their next sign-in."""
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def throttled_until(retry_at):
    """A readable local time for 'try again at', or None."""
    if retry_at is None:
        return None
    return timezone.localtime(retry_at)


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The setup QR code as an SVG data URI (the CSP allows data: images; nothing is fetched from elsewhere)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
