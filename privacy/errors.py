from django.core.exceptions import ValidationError


class PrivacyError(ValidationError):
    """A privacy request or breach step the procedure does not allow; views show its message next to the form."""
