from django.core.exceptions import ValidationError


class NtdError(ValidationError):
    """A notice or a transition that the procedure does not allow; views show its message next to the form."""
