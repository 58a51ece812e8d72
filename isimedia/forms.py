"""Form helpers every app shares."""

from django import forms
from django.core.exceptions import ValidationError


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
