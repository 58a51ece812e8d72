"""Forms for objections: the client's objection on its account, and staff's settlement in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.objections import OBJECTION_MAX_LENGTH, SETTLEMENT_MAX_LENGTH


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection"),
        max_length=OBJECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Say which part of the new version you object to and why; we reply by e-mail."),
    )


class ObjectionSettleForm(forms.Form):
    settlement = forms.CharField(
        label=_("How it was settled"),
        max_length=SETTLEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("The client receives this text by e-mail and sees it on its account."),
    )
