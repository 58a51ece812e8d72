"""Django strings that Django's own Dutch catalogue lacks; listed here so makemessages keeps them in ours."""

from django.utils.translation import ngettext


def _django_strings_without_dutch_translation():  # never called: only read by makemessages
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        0,
    )
