"""Forms for signing the DPA and for uploading a PDF to verify."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .services.signing import NAME_MAX_LENGTH, authorisation_statement

# The largest PDF the verification page accepts; signed DPAs are far smaller.
VERIFY_MAX_BYTES = 20 * 1024 * 1024


class DpaSignForm(forms.Form):
    signer_name = forms.CharField(
        label=_("Full name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    signer_title = forms.CharField(
        label=_("Job title"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        help_text=_("For example director, owner or office manager."),
    )
    authorised = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick this box to confirm that you may sign for your company.")},
    )

    def __init__(self, *args, company_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The very wording stored with the signature, in the language of the page.
        self.fields["authorised"].label = authorisation_statement(company_name)


class VerifyForm(forms.Form):
    pdf = forms.FileField(
        label=_("Signed PDF"),
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pdf"].help_text = _(
            "At most %(size)s. The file is checked and then discarded; it is not stored."
        ) % {"size": filesizeformat(VERIFY_MAX_BYTES)}

    def clean_pdf(self) -> bytes:
        upload = self.cleaned_data["pdf"]
        if upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is larger than %(size)s; a signed agreement is much smaller.")
                % {"size": filesizeformat(VERIFY_MAX_BYTES)}
            )
        data = b"".join(upload.chunks())
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(_("This is not a PDF file."))
        return data
