"""Two-step sign-in to the admin and the lockout after failed attempts, through the real login pages."""

import base64
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from contracts.tests.factories import PASSWORD, ClientContactFactory, StaffUserFactory
from isimedia.tests.staff import code_at, code_for, confirmed_device, fresh_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE = reverse("admin:login_code")
SETUP = reverse("admin:login_setup")
INDEX = reverse("admin:index")


@pytest.fixture
def web():
    """A browser-like client without the test shortcut: every sign-in goes through the pages."""
    return Client()


@pytest.fixture
def staff():
    user = StaffUserFactory(email="anna@isimedia.example", is_superuser=True)
    confirmed_device(user)
    return user


def password_step(web, email, password=PASSWORD, **extra):
    return web.post(LOGIN, {"username": email, "password": password, "next": INDEX}, **extra)


def logged_in(web) -> bool:
    return SESSION_KEY in web.session


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_admin_asks_to_sign_in(web):
    response = web.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_right_password_alone_does_not_log_in(web, staff):
    response = password_step(web, staff.email)
    assert response.status_code == 302
    assert response["Location"] == CODE
    assert not logged_in(web)
    # The admin still sends the half-signed-in visitor back to the password page.
    assert web.get(INDEX)["Location"].startswith(LOGIN)
    page = web.get(CODE)
    assert page.status_code == 200
    with translation.override("nl"):
        assert translation.gettext("Enter your code") in text(page)
    assert staff.email in text(page)


def test_password_and_code_log_in_and_follow_next(web, staff):
    web.post(LOGIN + "?next=/beheer/ntd/", {"username": staff.email, "password": PASSWORD, "next": "/beheer/ntd/"})
    response = web.post(CODE, {"code": code_for(staff)})
    assert response.status_code == 302
    assert response["Location"] == "/beheer/ntd/"
    assert logged_in(web)
    assert web.get(INDEX).status_code == 200


def test_next_to_another_site_is_ignored(web, staff):
    web.post(LOGIN, {"username": staff.email, "password": PASSWORD, "next": "https://evil.example/"})
    response = web.post(CODE, {"code": code_for(staff)})
    assert response["Location"] == INDEX


def test_wrong_code_shows_error_at_the_field_in_dutch(web, staff):
    password_step(web, staff.email)
    device = confirmed_device(staff)
    wrong = "000000" if code_at(device, time.time()) != "000000" else "111111"
    response = web.post(CODE, {"code": wrong})
    assert response.status_code == 200
    assert not logged_in(web)
    with translation.override("nl"):
        expected = translation.gettext(
            "This code is not right, or it has already been used. Enter the code your app shows now; "
            "check that your phone's clock is set automatically."
        )
    assert expected.replace("'", "&#x27;") in text(response)
    assert 'role="alert"' in response.content.decode()


def test_malformed_code_is_explained(web, staff):
    password_step(web, staff.email)
    response = web.post(CODE, {"code": "12ab"})
    with translation.override("nl"):
        assert translation.gettext("A code is six digits, such as 123456.") in text(response)
    assert not logged_in(web)


def test_a_code_works_once(staff):
    first, second = Client(), Client()
    password_step(first, staff.email)
    password_step(second, staff.email)
    device = confirmed_device(staff)
    code = code_at(device, time.time())
    assert first.post(CODE, {"code": code}).status_code == 302
    # The same code from another session (someone who watched it being typed) is refused.
    response = second.post(CODE, {"code": code})
    assert response.status_code == 200
    assert not logged_in(second)


def test_repeated_wrong_codes_are_slowed_down(web, staff):
    password_step(web, staff.email)
    web.post(CODE, {"code": "000001"})
    response = web.post(CODE, {"code": fresh_code(confirmed_device(staff))})
    # Even the right code waits out the pause after a wrong one; the page says until when.
    assert response.status_code == 200
    assert not logged_in(web)
    with translation.override("nl"):
        expected = translation.gettext(
            "Too many wrong codes in a row. Wait until %(time)s, then enter the code your app shows."
        )
    assert expected.split("%(time)s")[0] in text(response)


def test_code_step_expires(web, staff, settings):
    password_step(web, staff.email)
    settings.STAFF_LOGIN_CODE_SECONDS = 0
    time.sleep(0.01)
    response = web.post(CODE, {"code": code_for(staff)}, follow=True)
    assert response.redirect_chain[0][0] == LOGIN
    assert not logged_in(web)


def test_code_page_without_password_step_sends_to_login(web, staff):
    assert web.get(CODE)["Location"] == LOGIN
    assert web.get(SETUP)["Location"] == LOGIN


def test_first_sign_in_sets_up_the_app(web):
    user = StaffUserFactory(email="nieuw@isimedia.example", is_superuser=True)
    response = password_step(web, user.email)
    assert response["Location"] == CODE
    assert web.get(CODE)["Location"] == SETUP
    page = web.get(SETUP)
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    secret = re.search(r'<code class="setup-secret">([A-Z2-7 ]+)</code>', body).group(1)
    # Reloading shows the same key, so a code scanned a moment ago still fits.
    assert secret in web.get(SETUP).content.decode()
    assert not logged_in(web)

    # What the person's app does with the typed key.
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    code = f"{TOTP(key).token():06d}"
    response = web.post(SETUP, {"code": code})
    assert response.status_code == 302
    assert logged_in(web)
    assert TOTPDevice.objects.get(user=user).confirmed
    # From now on, the code page, not the setup page.
    other = Client()
    password_step(other, user.email)
    assert other.get(SETUP)["Location"] == CODE


def test_setup_refuses_a_wrong_code(web):
    user = StaffUserFactory(is_superuser=True)
    password_step(web, user.email)
    web.get(SETUP)
    response = web.post(SETUP, {"code": "999999"})
    assert response.status_code == 200
    assert not logged_in(web)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_refusals_do_not_tell_whether_an_account_exists(web, staff):
    client_user = ClientContactFactory().user

    def error(email, password):
        return re.findall(
            r'<p class="errornote">\s*(.*?)\s*</p>', password_step(Client(), email, password).content.decode()
        )

    wrong_password = error(staff.email, "wrong-password-1")
    assert wrong_password
    assert error("niemand@isimedia.example", "wrong-password-1") == wrong_password
    # A client's right password does not open the admin either, and gets the same words.
    assert error(client_user.email, PASSWORD) == wrong_password


def test_failed_passwords_lock_out_that_account_from_that_address(web, staff):
    for _ in range(5):
        password_step(web, staff.email, "wrong-password-1", REMOTE_ADDR="203.0.113.7")
    response = password_step(web, staff.email, PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    with translation.override("nl"):
        assert translation.gettext("Signing in is paused") in text(response)
    assert not logged_in(web)
    # The staff member at the office, on another address, is not locked out by someone guessing elsewhere.
    assert password_step(Client(), staff.email, REMOTE_ADDR="198.51.100.4")["Location"] == CODE


def test_lockout_looks_the_same_for_an_unknown_account(web):
    for _ in range(5):
        password_step(web, "niemand@isimedia.example", "wrong-password-1")
    response = password_step(web, "niemand@isimedia.example", "wrong-password-1")
    assert response.status_code == 429


def test_wrong_codes_count_towards_the_lockout(web, staff, settings):
    # Without django-otp's pause between codes, so each wrong code is really checked.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    password_step(web, staff.email)
    for _ in range(5):
        response = web.post(CODE, {"code": "000000" if code_for(staff) != "000000" else "111111"})
    assert response.status_code == 429
    # Locked out: even the right code now gets the lockout page.
    response = web.post(CODE, {"code": code_for(staff)})
    assert response.status_code == 429
    assert not logged_in(web)


def test_staff_on_the_client_login_page_continue_with_the_code(web, staff):
    response = web.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    assert response["Location"] == CODE
    assert not logged_in(web)
    response = web.post(CODE, {"code": code_for(staff)})
    assert response["Location"] == INDEX
    assert logged_in(web)


def test_clients_still_log_in_with_a_password(web):
    contact = ClientContactFactory()
    response = web.post(reverse("login"), {"username": contact.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in(web)


def test_a_session_without_the_second_factor_sees_nothing_for_staff(staff):
    # A session logged in some other way (not through the code step) gets neither the admin nor staff details.
    unverified = Client()
    unverified.force_login(staff)
    assert unverified.get(INDEX)["Location"].startswith(LOGIN)
    checks = unverified.get(reverse("healthz")).json()["checks"]
    assert all(set(check) == {"ok"} for check in checks.values())


def test_superuser_resets_a_lost_phone(admin_client):
    colleague = StaffUserFactory(email="kwijt@isimedia.example")
    confirmed_device(colleague)
    changelist = reverse("admin:isimedia_user_changelist")
    response = admin_client.post(changelist, {"action": "reset_two_factor", "_selected_action": [colleague.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    web = Client()
    password_step(web, colleague.email)
    assert web.get(CODE)["Location"] == SETUP


def test_user_list_shows_who_has_two_step_sign_in(admin_client):
    StaffUserFactory(email="zonder@isimedia.example")
    response = admin_client.get(reverse("admin:isimedia_user_changelist"))
    assert response.status_code == 200
    assert "column-two_factor" in response.content.decode()


def test_secret_keys_are_not_in_the_admin(admin_client):
    # django-otp's device admin would show each key; the portal removes it.
    assert admin_client.get("/beheer/otp_totp/totpdevice/").status_code == 404


@pytest.mark.parametrize("url", [LOGIN, reverse("login")])
def test_an_overlong_address_is_refused_at_the_field(web, url):
    # Found by the fuzz tests: a 300-character address used to reach the lockout records and fail with a 500.
    response = web.post(url, {"username": "a" * 300 + "@example.nl", "password": "whatever-1"})
    assert response.status_code == 200
    with translation.override("nl"):
        assert "254" in text(response)


def test_sign_in_records_are_in_the_privacy_registry_and_expire(web, staff, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt, AccessLog
    from django.utils import timezone

    from privacy import registry

    password_step(Client(), staff.email, "wrong-password-1")
    password_step(web, staff.email)
    web.post(CODE, {"code": code_for(staff)})
    assert AccessLog.objects.filter(username=staff.email).count() == 1

    entry = next(entry for entry in registry.entries() if entry.key == "isimedia.sign_ins")
    exported = entry.export(staff.email)
    # The failed attempt was forgotten when the staff member signed in (AXES_RESET_ON_SUCCESS); the sign-in stays.
    assert [row["ip_address"] for row in exported] == ["127.0.0.1"]

    rule = next(rule for rule in registry.retention_rules() if rule.key == "isimedia.sign_ins")
    assert rule.apply(timezone.now()) == 0
    later = timezone.now() + timedelta(days=settings.LOGIN_RECORD_DAYS + 1)
    assert rule.apply(later) == 1
    assert rule.apply(later) == 0
    assert not AccessLog.objects.exists() and not AccessAttempt.objects.exists()


def test_setting_up_and_resetting_the_app_is_in_the_audit_trail_without_the_key(web, admin_client):
    from auditlog.models import LogEntry

    user = StaffUserFactory(email="nieuw@isimedia.example")
    password_step(web, user.email)
    web.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    web.post(SETUP, {"code": fresh_code(device)})
    admin_client.post(
        reverse("admin:isimedia_user_changelist"), {"action": "reset_two_factor", "_selected_action": [user.pk]}
    )
    entries = LogEntry.objects.filter(content_type__model="totpdevice", object_pk=str(device.pk))
    actions = [entry.action for entry in entries.order_by("timestamp", "pk")]
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE, LogEntry.Action.DELETE]
    assert all(device.key not in str(entry.changes) for entry in entries)
