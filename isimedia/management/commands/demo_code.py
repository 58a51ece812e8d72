import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from isimedia.demo import STAFF


class Command(BaseCommand):
    help = "Print the current admin sign-in code of each demo staff account (what their authenticator app shows)."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("demo_code refuses to run under the production settings.")
        now = time.time()
        self.stdout.write("Second sign-in step of the demo staff accounts (codes change every 30 seconds):")
        for login in STAFF:
            device = TOTPDevice.objects.filter(user__email=login.email, confirmed=True).first()
            if device is None:
                self.stdout.write(f"  {login.email:<32} no authenticator: run `make run` (seed_demo) first")
                continue
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            totp.time = now
            left = int(device.step - (now - device.t0) % device.step)
            self.stdout.write(f"  {login.email:<32} {totp.token():0{device.digits}d}   (valid {left} s more)")
