"""Forms of the NTD admin: what each step of a case asks of staff, the referral, notes, API keys and the report.

The forms only parse input; the admin views hand the cleaned data to the services.
"""

from datetime import date

from django import forms
from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Website

from . import services, uploads
from .forms import MultipleFileField, MultipleFileInput
from .models import ApiKey, StatementOfReasons

TEXTAREA = {"rows": 4, "cols": 80, "class": "vLargeTextField"}
# The browser's own date picker; it sends and expects ISO dates whatever the page's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _sor_field(name: str, **kwargs) -> forms.Field:
    """A form field exactly like the statement-of-reasons model field (label, choices, length)."""
    field = StatementOfReasons._meta.get_field(name)
    if isinstance(field, models.TextField):
        kwargs.setdefault("widget", forms.Textarea(attrs=TEXTAREA))
    return field.formfield(**kwargs)


class WebsiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, website):
        return f"{website.display_host} ({website.client.name})"


def _website_field(**kwargs) -> WebsiteChoiceField:
    return WebsiteChoiceField(
        queryset=Website.objects.select_related("client"),
        label=_("hosted website"),
        **kwargs,
    )


def _with_candidates_first(field: WebsiteChoiceField, candidates: list[Website]) -> None:
    """Offer the websites the hosting check found before all others, so the right one is at hand."""
    ids = [website.pk for website in candidates]
    if ids:
        first = Case(When(pk__in=ids, then=Value(0)), default=Value(1), output_field=IntegerField())
        field.queryset = field.queryset.order_by(first, "host")
        field.initial = ids[0]
    else:
        field.queryset = field.queryset.order_by("host")


class ForwardForm(forms.Form):
    website = _website_field(
        help_text=_("Prefilled from the hosting check. The client of this website receives the complaint.")
    )
    allow_unmatched = forms.BooleanField(
        label=_("Forward even though none of the URLs is on this website"),
        required=False,
        help_text=_("Only when you checked that the content is on this client's website under another address."),
    )

    def __init__(self, *args, candidates: list[Website] = (), **kwargs):
        super().__init__(*args, **kwargs)
        _with_candidates_first(self.fields["website"], list(candidates))


class RejectIncompleteForm(forms.Form):
    missing = forms.CharField(
        label=_("what is missing"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Sent to the complainant, who may file the notice again with what is missing."),
    )


class RejectNotHostedForm(forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("For example: the website is hosted elsewhere, or the address does not exist."),
    )


class ResolveByCustomerForm(forms.Form):
    text = forms.CharField(
        label=_("what the client removed"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("As the client told you by phone or e-mail; the complainant and the client are told."),
    )


class StartAssessmentForm(forms.Form):
    text = forms.CharField(
        label=_("the client's reasons"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("As the client gave them by phone or e-mail."),
    )
    files = MultipleFileField(
        label=_("the client's files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": uploads.ACCEPT}),
        help_text=_("Optional: documents the client sent by e-mail."),
    )

    def clean_files(self):
        # The same checks (number, size, type by content) as for every other evidence file.
        return uploads.check_uploads(self.cleaned_data["files"])


class DecisionForm(forms.Form):
    """The contents of the DSA art. 17 statement of reasons sent to the client."""

    decision_visibility = _sor_field("decision_visibility")
    scope = _sor_field(
        "scope", help_text=_("What exactly was made unavailable: the pages, files or the whole website.")
    )
    end_date = _sor_field("end_date", widget=DATE_INPUT)
    decision_ground = _sor_field("decision_ground")
    legal_ground = _sor_field(
        "legal_ground", help_text=_("The article of law or of our general terms, such as “Auteurswet art. 1”.")
    )
    ground_explanation = _sor_field(
        "ground_explanation", help_text=_("Why the content is unlawful under that ground; sent to the client.")
    )
    decision_facts = _sor_field(
        "decision_facts", help_text=_("What the decision is based on, including that it followed a notice.")
    )
    content_date = _sor_field("content_date", widget=DATE_INPUT)
    territorial_scope = _sor_field("territorial_scope")

    def clean_end_date(self):
        end_date = self.cleaned_data.get("end_date")
        if end_date and end_date < timezone.localdate():
            raise forms.ValidationError(_("The measure cannot end in the past."))
        return end_date

    def decision(self) -> services.Decision:
        return services.Decision(**{name: self.cleaned_data[name] for name in DecisionForm.base_fields})


class EmergencyDecisionForm(DecisionForm):
    reason = forms.CharField(
        label=_("why this cannot wait"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("The threat to someone's life or safety that allows no delay."),
    )
    field_order = ["reason", "website"]

    def __init__(self, *args, needs_website: bool = False, candidates: list[Website] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if needs_website:
            self.fields["website"] = _website_field(help_text=_("The website the measure applies to."))
            _with_candidates_first(self.fields["website"], list(candidates))
            self.order_fields(self.field_order)


class RejectNotUnlawfulForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"),
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Why the content is not manifestly unlawful; sent to the complainant and the client."),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("new internal note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text=_("Only staff see internal notes."),
    )


# Proper names, stored as they are: the same in Dutch and English.
REFERRAL_CHOICES = [
    ("Politie", _("Police (Politie)")),
    ("Openbaar Ministerie", _("Public prosecutor (Openbaar Ministerie)")),
    ("Europol", _("Europol")),
    ("EOKM", _("EOKM, the Dutch child sexual abuse hotline")),
]


class ReferralForm(forms.Form):
    referred_to = forms.ChoiceField(label=_("referred to"), choices=[("", "---------"), *REFERRAL_CHOICES])
    reference = forms.CharField(
        label=_("their reference"), max_length=100, required=False, help_text=_("The case number they gave, if any.")
    )


class ApiKeyIssueForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "contact_email", "trusted_flagger"]
        widgets = {
            "name": forms.TextInput(attrs={"class": "vTextField"}),
            "contact_email": forms.EmailInput(attrs={"class": "vTextField"}),
        }


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=DATE_INPUT)
    end = forms.DateField(label=_("to"), widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        return cleaned

    @staticmethod
    def default_period(today: date) -> dict:
        """This year so far."""
        return {"start": date(today.year, 1, 1), "end": today}
