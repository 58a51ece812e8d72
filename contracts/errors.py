"""The one error type the contracts services raise."""

from django.core.exceptions import ValidationError


class ContractsError(ValidationError):
    """A request the contracts services refuse; the message is safe to show to the person who asked.

    It is a ValidationError, so a form can attach it with ``form.add_error`` and field errors keep their field.
    """
