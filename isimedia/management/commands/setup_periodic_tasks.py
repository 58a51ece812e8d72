from django.core.management.base import BaseCommand

from isimedia.schedule import ensure_periodic_tasks


class Command(BaseCommand):
    help = "Create the periodic tasks beat runs (only the missing ones; staff changes are kept)."

    def handle(self, *args, **options):
        created = ensure_periodic_tasks()
        self.stdout.write(f"Periodic tasks created: {', '.join(created)}" if created else "Periodic tasks up to date.")
