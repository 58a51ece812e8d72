"""The requester's forms: the privacy request, and the upload on the request's own page.

They parse what was typed and leave the rules of the procedure to ``privacy.services``; a ``PrivacyError`` from a
service is shown next to the field it names.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from isimedia.forms import add_service_error
from ntd import uploads
from ntd.forms import MultipleFileField, MultipleFileInput

from . import services
from .models import Relation, Right

# One sentence per right, in the words of the requester rather than of the GDPR article.
RIGHT_EXPLANATIONS = {
    Right.ACCESS: _("See which personal data ISI Media holds about you, why we use it and where it came from."),
    Right.RECTIFICATION: _("Have personal data about you corrected or completed when it is wrong or incomplete."),
    Right.ERASURE: _("Have your personal data deleted when we no longer need it or may no longer keep it."),
    Right.RESTRICTION: _(
        "Have us keep your data but stop using it for a while, for example while we check whether it is correct."
    ),
    Right.PORTABILITY: _(
        "Receive the data you gave us in a machine-readable file, to keep or to take to another organisation."
    ),
    Right.OBJECTION: _("Object to the way we use your data, for example for direct marketing."),
    Right.WITHDRAWAL: _(
        "Withdraw consent you gave us earlier, for example for a newsletter; what we did before stays lawful."
    ),
}

RELATION_EXPLANATIONS = {
    Relation.CLIENT: _("For example because your organisation has a website or hosting with us."),
    Relation.VISITOR: _("For example because you filed a complaint, gave feedback or sent us a message."),
    Relation.HOSTED_SITE: _(
        "The client who owns that website decides about that data: we forward your request to them and tell you so."
    ),
}


def _options(bound_field, explanations) -> list[dict]:
    """The radio buttons of a choice field, each with its one-sentence explanation, for the template."""
    return [
        {
            "widget": widget,
            "value": widget.data["value"],
            "label": widget.choice_label,
            "id": widget.id_for_label,
            "checked": widget.data["selected"],
            "help": explanations.get(widget.data["value"], ""),
        }
        for widget in bound_field
    ]


class RequestForm(forms.Form):
    """Everything a data-subject request needs; field names are those of ``services.RequestInput``."""

    right = forms.ChoiceField(
        label=_("Which right do you want to use?"),
        choices=Right.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the right you want to use."),
            "invalid_choice": _("Choose one of the rights in the list."),
        },
    )
    description = forms.CharField(
        label=_("What is your request about?"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "For example which data, which website or which period. If something is wrong, say what it should be. "
            "The more precise you are, the faster we can help."
        ),
        error_messages={
            "required": _("Describe briefly what your request is about."),
            "max_length": _("Describe your request in at most %(limit_value)d characters (you wrote %(show_value)d)."),
        },
    )
    relation = forms.ChoiceField(
        label=_("How are you connected to ISI Media?"),
        choices=Relation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose how you are connected to ISI Media."),
            "invalid_choice": _("Choose one of the options in the list."),
        },
    )
    hosted_url = forms.URLField(
        label=_("Web address of that website"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"inputmode": "url", "autocapitalize": "off", "spellcheck": "false"}),
        help_text=_("Needed only for this choice. For example: https://www.example.nl/team"),
        error_messages={"invalid": _("Give a web address like https://www.example.nl.")},
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": _("Give your name."),
            "max_length": _("Give a shorter name (at most %(limit_value)d characters)."),
        },
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        help_text=_(
            "We send a link to confirm your request to this address. That is how we check that the request is yours."
        ),
        error_messages={
            "required": _("Give your e-mail address."),
            "invalid": _("Give an e-mail address like name@example.nl."),
        },
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("relation") == Relation.HOSTED_SITE:
            if not cleaned.get("hosted_url") and "hosted_url" not in self.errors:
                self.add_error(
                    "hosted_url",
                    ValidationError(
                        _("Give the web address of the website where your data is."), code="hosted_url_required"
                    ),
                )
        else:
            # An address typed before another option was chosen is not part of the request.
            cleaned["hosted_url"] = ""
        # The procedure's own rules, so that they are shown together with the form's errors in one round.
        try:
            services.request_validate(data=self.request_input())
        except ValidationError as error:
            self.add_service_error(error)
        return cleaned

    @property
    def right_options(self) -> list[dict]:
        return _options(self["right"], RIGHT_EXPLANATIONS)

    @property
    def relation_options(self) -> list[dict]:
        return _options(self["relation"], RELATION_EXPLANATIONS)

    def add_service_error(self, error: ValidationError) -> None:
        """Put the service's messages next to their fields, once, and any other message above the form."""
        add_service_error(self, error)

    def request_input(self) -> services.RequestInput:
        data = self.cleaned_data
        return services.RequestInput(
            right=data.get("right", ""),
            relation=data.get("relation", ""),
            name=data.get("name", ""),
            email=data.get("email", ""),
            description=data.get("description", ""),
            hosted_url=data.get("hosted_url", ""),
            language=(get_language() or "nl").split("-")[0],
        )


class UploadForm(forms.Form):
    """What the requester sends when staff ask for it: files, and a note if they like."""

    files = MultipleFileField(
        label=_("Files"),
        widget=MultipleFileInput(attrs={"accept": uploads.ACCEPT}),
        error_messages={"required": _("Choose at least one file.")},
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = gettext(
            "At most %(count)d files of at most %(size)d MB each: PDF, PNG, JPEG, GIF, WebP or text files."
        ) % {"count": uploads.MAX_FILES, "size": uploads.MAX_FILE_SIZE // (1024 * 1024)}

    def clean_files(self):
        return uploads.check_uploads(self.cleaned_data.get("files") or [])

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error)
