"""Form helpers every app shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

# The longest e-mail address an account can have (the user model's field).
USERNAME_MAX_LENGTH = 254


class BoundedUsernameMixin:
    """For login forms: Django's AuthenticationForm only sets the username's maxlength attribute, so a longer address
    still reached authenticate() and the lockout records (a 255-character column), answering with a server error.
    Here it is refused at the field, in the page's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(USERNAME_MAX_LENGTH))


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's error next to the field it names, else above the form.

    A field that already has an error of its own keeps that one: the person sees one message per field.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.error_dict.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, messages)
        elif field not in form.fields:
            form.add_error(None, messages)
