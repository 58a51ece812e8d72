from django.core.exceptions import ValidationError


class SatisfactionError(ValidationError):
    """Feedback that breaks the form's rules, or a follow-up step not allowed now; views show it next to the form."""
