"""Staff sign-in for tests: the second factor as a real authenticator app would give it.

- ``PortalClient``: Django's test client whose ``force_login`` stands in for the whole sign-in, both factors: for a
  staff member it also marks the session as verified with their (confirmed) TOTP device, as the code step does.
  The root conftest makes it the ``client`` and ``admin_client`` fixtures. The two-step sign-in itself is tested
  through the real pages in isimedia/tests/test_two_factor.py.
- ``code_for(user)``: the code an authenticator app shows now for the user's device (set up if they have none).
- ``admin_login(page, email, password)``: signs in on the admin's real login pages in a browser, both steps.
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def code_at(device: TOTPDevice, when: float) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = when
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next time step's if the current one was used
    (django-otp accepts a step either side and refuses a step it has seen)."""
    device.refresh_from_db()
    now = time.time()
    for offset in (0, device.step):
        when = now + offset
        step = int((when - device.t0) // device.step)
        if step > device.last_t:
            return code_at(device, when)
    # Both used: wait for the next step.
    time.sleep(device.step - (now - device.t0) % device.step + 0.1)
    return code_at(device, time.time())


def code_for(user) -> str:
    return fresh_code(confirmed_device(user))


class PortalClient(Client):
    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.is_staff:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
            session.save()


def admin_login(page, email: str, password: str, *, path: str = "/beheer/") -> None:
    """Open ``path`` in the browser, sign in with the password, then with the code from the staff member's app."""
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    user = get_user_model().objects.get(email=email)
    device = confirmed_device(user)
    page.goto(path)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    page.locator("#id_code").fill(fresh_code(device))
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#id_code")).to_have_count(0)


def staff_in(group_name: str):
    """A new staff member in one of the role groups (isimedia/roles.py)."""
    from django.contrib.auth.models import Group

    from contracts.tests.factories import StaffUserFactory

    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


def logged_in(client, user):
    """``client`` signed in as ``user`` (both factors), with the admin in English so messages match their msgids."""
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client
