"""The hosting client's two possible answers to a complaint: it removed the material, or it disagrees."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import uploads
from .forms import MultipleFileField, MultipleFileInput

# The value of the submit button that says which of the two forms on the page was sent.
REMOVED = "removed"
DISAGREES = "disagrees"


class RemovedForm(forms.Form):
    """The client removed the material or took the site offline."""

    note = forms.CharField(
        label=_("What did you remove or change?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example: which page or file you removed, or that you took the website offline. Only ISI Media "
            "reads your note; we tell the complainant that the material was removed."
        ),
        error_messages={"required": _("Say what you removed, so we can tell the complainant.")},
    )


class DisagreeForm(forms.Form):
    """The client keeps the material online and says why; ISI Media then assesses it."""

    reasons = forms.CharField(
        label=_("Why do you believe the material is not unlawful?"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "For example: you have a licence or permission, the statement is true, or the complainant is mistaken "
            "about the page. Refer to your attachments where that helps."
        ),
        error_messages={"required": _("Give your reasons, so we can assess the complaint.")},
    )
    files = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": uploads.ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Made here, in the language of the page, because of the numbers in it.
        self.fields["files"].help_text = gettext(
            "A licence, a permission or other evidence. At most %(count)d files of at most %(size)d MB each and "
            "%(total)d MB together: PDF, PNG, JPEG, GIF, WebP, text files (.txt) or saved e-mails (.eml)."
        ) % {
            "count": uploads.MAX_FILES,
            "size": uploads.MAX_FILE_SIZE // (1024 * 1024),
            "total": uploads.MAX_TOTAL_SIZE // (1024 * 1024),
        }

    def clean_files(self):
        return uploads.check_uploads(self.cleaned_data.get("files") or [])
