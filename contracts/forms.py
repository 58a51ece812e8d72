"""Forms of the client accounts and the admin; they parse input and leave every change to the services."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .hosts import normalise_host
from .models import Website


class EmailAuthenticationForm(AuthenticationForm):
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
