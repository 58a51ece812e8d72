"""Demo data for `make run`: one staff user per role, then each app's own demo data."""

import hashlib
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .models import User


@dataclass(frozen=True)
class DemoLogin:
    who: str
    email: str
    password: str
    where: str


STAFF = [
    DemoLogin("superuser", "beheer@demo.isimedia.nl", "demo-beheer-2026", "admin"),
    DemoLogin(roles.NTD_HANDLERS, "ntd@demo.isimedia.nl", "demo-ntd-2026", "admin"),
    DemoLogin(roles.PRIVACY_OFFICERS, "privacy@demo.isimedia.nl", "demo-privacy-2026", "admin"),
    # An erasure needs a second privacy officer's approval.
    DemoLogin(roles.PRIVACY_OFFICERS, "privacy2@demo.isimedia.nl", "demo-privacy2-2026", "admin"),
    DemoLogin(roles.CONTRACT_MANAGERS, "contracten@demo.isimedia.nl", "demo-contracten-2026", "admin"),
]


def demo_user(*, email: str, password: str, first_name: str = "", **flags) -> User:
    """Create or reset a demo account, so the printed password always works."""
    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first_name})
    for name, value in flags.items():
        setattr(user, name, value)
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


def seed_staff() -> list[DemoLogin]:
    for login in STAFF:
        superuser = login.who == "superuser"
        user = demo_user(
            email=login.email,
            password=login.password,
            first_name=login.email.split("@")[0].capitalize(),
            is_staff=True,
            is_superuser=superuser,
        )
        if not superuser:
            user.groups.set([Group.objects.get(name=login.who)])
        demo_device(user)
    return STAFF


def demo_device(user: User) -> TOTPDevice:
    """The demo staff's authenticator: a key derived from the address, so `make code` (or an app the key was typed
    into) gives the code for the admin's second step. Only demo accounts get one; real staff set up their own."""
    key = hashlib.sha256(f"isimedia-demo-totp:{user.email}".encode()).hexdigest()[:40]
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, key=key, defaults={"name": "Demo authenticator", "confirmed": True}
    )
    return device


def seed_demo() -> list[DemoLogin]:
    """Seed every app that has a ``demo`` module with a ``seed_demo()``; returns the logins to print."""
    with transaction.atomic():
        logins = seed_staff()
        for config in apps.get_app_configs():
            if config.name == "isimedia":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError:
                continue
            logins = logins + list(module.seed_demo() or [])
    return logins
