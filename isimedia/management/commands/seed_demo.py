from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from isimedia.demo import seed_demo


class Command(BaseCommand):
    help = "Load demo data (clients, websites, one staff user per role, a client contact) and print the logins."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("seed_demo refuses to run under the production settings: it creates known passwords.")
        logins = seed_demo()
        self.stdout.write(f"Demo logins (the admin is at /{settings.ADMIN_URL}, clients log in at /account/):")
        for login in logins:
            self.stdout.write(f"  {login.who:<22} {login.email:<32} {login.password:<22} {login.where}")
        self.stdout.write(
            "The admin then asks for a code from an authenticator app: `make code` prints it for the demo staff."
        )
