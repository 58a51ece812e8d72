"""Forms of the privacy admin: what each step of a request asks of a privacy officer, staff entry, the register.

The forms only parse input; the admin views hand the cleaned data to ``privacy.services``, and a ``PrivacyError``
from a service is shown next to the field it names.
"""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Client
from isimedia.forms import add_service_error

from . import services
from .errors import PrivacyError
from .models import Breach, Channel, Relation, Right

TEXTAREA = {"rows": 4, "cols": 80, "class": "vLargeTextField"}
# The browser's own picker; it sends and expects ISO values whatever the page's language.
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(label, *, required: bool = True, help_text="", **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs=TEXTAREA),
        **kwargs,
    )


# --- the steps of a request ------------------------------------------------------------------------------------


class IdentityAskForm(forms.Form):
    doubt = _text(
        _("the doubt about the identity"),
        help_text=_(
            "Why the confirmed e-mail address is not enough here, for example because the address does not match "
            "the name we know. Only for the record; the requester does not see it."
        ),
    )
    message = _text(
        _("message to the requester"),
        required=False,
        help_text=_(
            "Sent by e-mail with a link to the upload page, which explains how to mask the photo, the document "
            "number, the BSN and the machine-readable zone (KopieID). Leave it empty for the standard text. The "
            "deadline is paused until you record that the identity was checked."
        ),
    )


class IdentityCheckedForm(forms.Form):
    note = _text(
        _("note"),
        required=False,
        help_text=_("How you checked it. Every identity copy of this request is deleted when you save."),
    )


class EmptyStepForm(forms.Form):
    """A step that needs nothing but the click: what will happen is said beside the button."""


class ProposeErasureForm(forms.Form):
    note = _text(_("note for the second officer"), required=False)


class RejectErasureForm(forms.Form):
    reason = _text(
        _("why the proposal goes back"), help_text=_("The officer who proposed it sees this; nothing is erased.")
    )


class CompleteForm(forms.Form):
    reply = _text(
        _("reply to the requester"),
        help_text=_("What was corrected, completed or restricted, and where. Sent to the requester by e-mail."),
    )


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, client):
        return f"{client.name} ({client.kvk_number})"


class ForwardForm(forms.Form):
    client = ClientChoiceField(
        queryset=Client.objects.order_by("name", "pk"),
        label=_("client (the controller)"),
        help_text=_("Prefilled from the website the requester named. This client receives the request by e-mail."),
    )
    note = _text(_("note"), required=False, help_text=_("For the record only."))


class RefuseForm(forms.Form):
    reasons = _text(
        _("reasons"),
        help_text=_(
            "Why the request is manifestly unfounded or excessive. Sent to the requester, with the right to "
            "complain to the Autoriteit Persoonsgegevens and to go to court."
        ),
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("extend by"),
        choices=[(1, _("1 month")), (2, _("2 months"))],
        coerce=int,
        help_text=_("Only once, and only before the first due date."),
    )
    reason = _text(
        _("reason"),
        help_text=_("Why the request is complex or one of many. The requester is told at once, with this reason."),
    )


class MessageForm(forms.Form):
    text = _text(_("message"), help_text=_("Sent by e-mail with a link to the request's page, where it also shows."))
    asks_for_upload = forms.BooleanField(
        label=_("asks the requester for a file"),
        required=False,
        help_text=_("The e-mail then points to the upload page."),
    )


# --- staff entry -----------------------------------------------------------------------------------------------


class StaffRequestForm(forms.Form):
    """A request that reached staff by phone, letter or e-mail; field names are those of ``RequestInput``."""

    # No preselected choice: staff must pick what the caller asked for.
    right = forms.ChoiceField(label=_("right"), choices=[("", "---------"), *Right.choices])
    relation = forms.ChoiceField(label=_("relation to ISI Media"), choices=[("", "---------"), *Relation.choices])
    hosted_url = forms.URLField(
        label=_("website concerned"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_("Only when the data is on a website ISI Media hosts for a client."),
        widget=forms.URLInput(attrs={"class": "vURLField"}),
    )
    name = forms.CharField(label=_("name"), max_length=200, widget=forms.TextInput(attrs={"class": "vTextField"}))
    email = forms.EmailField(
        label=_("e-mail address"),
        help_text=_("The requester receives an e-mail with a link to follow the request here."),
        widget=forms.EmailInput(attrs={"class": "vTextField"}),
    )
    description = _text(_("what the request is about"))
    language = forms.ChoiceField(label=_("language of the requester"), choices=settings.LANGUAGES)
    channel = forms.ChoiceField(
        label=_("received by"),
        choices=[(channel.value, channel.label) for channel in (Channel.PHONE, Channel.LETTER, Channel.EMAIL)],
    )
    received_at = forms.DateTimeField(
        label=_("received at"),
        widget=DATETIME_INPUT,
        help_text=_("When the request reached ISI Media: the legal period runs from then."),
    )

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now():
            raise forms.ValidationError(_("A request cannot be received in the future."))
        return received_at

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relation") == Relation.HOSTED_SITE and not cleaned.get("hosted_url"):
            self.add_error("hosted_url", _("Give the address of the website the data is on."))
        return cleaned


# --- the breach register ---------------------------------------------------------------------------------------


class BreachForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label=_("kinds of personal data"),
        choices=Breach.DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Breach
        fields = [
            "title",
            "discovered_at",
            "occurred_at",
            "what_happened",
            "cause",
            "consequences",
            "remedy",
            "data_categories",
            "data_subjects_estimate",
            "affected_clients",
            "authority_notified_at",
            "authority_reference",
            "closed_at",
        ]
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField"}),
            "discovered_at": DATETIME_INPUT,
            "occurred_at": DATETIME_INPUT,
            "authority_notified_at": DATETIME_INPUT,
            "closed_at": DATETIME_INPUT,
            "what_happened": forms.Textarea(attrs=TEXTAREA),
            "cause": forms.Textarea(attrs=TEXTAREA),
            "consequences": forms.Textarea(attrs=TEXTAREA),
            "remedy": forms.Textarea(attrs=TEXTAREA),
        }
        help_texts = {
            "discovered_at": _("The 72 hours for telling the affected clients run from this moment."),
            "remedy": _("What ISI Media did to stop the breach and limit its consequences."),
            "affected_clients": _("The clients whose data is involved: they are the controllers and must be told."),
            "authority_notified_at": _("Only when ISI Media itself is the controller of the data."),
        }

    def breach_input(self) -> services.BreachInput:
        data = self.cleaned_data
        return services.BreachInput(
            title=data.get("title") or "",
            discovered_at=data.get("discovered_at"),
            occurred_at=data.get("occurred_at"),
            what_happened=data.get("what_happened") or "",
            cause=data.get("cause") or "",
            consequences=data.get("consequences") or "",
            remedy=data.get("remedy") or "",
            data_categories=list(data.get("data_categories") or []),
            data_subjects_estimate=data.get("data_subjects_estimate"),
            affected_clients=list(data.get("affected_clients") or []),
            authority_notified_at=data.get("authority_notified_at"),
            authority_reference=data.get("authority_reference") or "",
            closed_at=data.get("closed_at"),
        )

    def clean(self):
        cleaned = super().clean()
        # Only when every field parsed: the register's own checks then speak about the whole entry.
        if not self.errors:
            try:
                services.breach_validate(data=self.breach_input())
            except PrivacyError as error:
                add_service_error(self, error)
        return cleaned
