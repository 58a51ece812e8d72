"""Values every public template needs."""

from django.conf import settings


def portal(request):
    return {"STAFF_EMAIL": settings.STAFF_EMAIL}
