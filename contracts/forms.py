"""Forms of the client accounts and the admin; they parse input and leave every change to the services."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from isimedia.forms import BoundedUsernameMixin

from . import services
from .hosts import normalise_host
from .models import Client, Website, validate_kvk_number


class EmailAuthenticationForm(BoundedUsernameMixin, AuthenticationForm):
    """Log in with an e-mail address; the error for a wrong address or password is the same, on purpose."""

    username = UsernameField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password-reset form, sending through the outbox in the account's own language."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def save(self, **kwargs):
        services.password_reset_request(email=self.cleaned_data["email"])


class KvKNumberField(forms.CharField):
    """A KvK number as people copy it ("1234 5678"), cleaned by the same function as ``services.client_create``."""

    # Room for the spaces: the model's 8 would make the browser cut a pasted "1234 5678" to "1234 567".
    input_max_length = 20
    # The model's own check, here so that 9 digits give one message rather than a length error besides.
    default_validators = [validate_kvk_number]

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=self.input_max_length, **kwargs)

    def to_python(self, value):
        # Validators then see the cleaned number, and so does the model's unique check.
        return services.normalise_kvk_number(super().to_python(value))


class ClientForm(forms.ModelForm):
    """The admin's client form; it saves through the ModelForm but cleans input as the services do."""

    class Meta:
        model = Client
        fields = ["name", "kvk_number", "contact_email", "language"]
        field_classes = {"kvk_number": KvKNumberField}
        # The same words as services.client_create, instead of Django's "Client with this KvK number ...".
        error_messages = {"kvk_number": {"unique": _("A client with this KvK number already exists.")}}


class WebsiteForm(forms.ModelForm):
    """Accepts a host name or any web address and shows the normalised host."""

    class Meta:
        model = Website
        fields = ["host"]

    def clean_host(self):
        try:
            return normalise_host(self.cleaned_data["host"])
        except ValidationError as error:
            raise ValidationError(error.messages, code="invalid_host") from error


class ClientContactInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=200)
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=settings.LANGUAGES)
