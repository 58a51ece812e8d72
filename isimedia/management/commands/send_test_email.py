from django.core.management.base import BaseCommand
from django.db import transaction

from isimedia.outbox import email_queue


class Command(BaseCommand):
    help = "Queue a test e-mail through the outbox, to check that the worker and the SMTP settings work."

    def add_arguments(self, parser):
        parser.add_argument("address")
        parser.add_argument("--language", default="nl", choices=["nl", "en"])

    def handle(self, *args, address, language, **options):
        with transaction.atomic():
            message = email_queue(template="test_message", to=address, language=language)
        self.stdout.write(f"Queued outbox message {message.pk}; see its status in the admin.")
