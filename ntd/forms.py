"""The complainant's notice form: it parses what was typed into a ``NoticeInput`` and leaves the rest to services."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from isimedia.forms import add_service_error

from . import services, uploads
from .errors import NtdError
from .models import Capacity, Category, OwnerContact

MAX_URLS = 20
MIN_EXPLANATION = 30
REFERENCE_PATTERN = re.compile(r"^NTD-\d{4}-\d{5}$")
URL_MAX_LENGTH = 2000
# The hidden reference of a refiled notice was changed on the way (or the link was cut short): the person cannot
# see or fix the field, so the message says what happened and what to do; the page comes back without it.
REFERENCE_UNREADABLE = _(
    "We could not read the reference of your earlier notice, so this notice would not refer to it. Send the form "
    "again to file it as a new notice, or open the link in our e-mail once more."
)


def clean_reference(value: str) -> str:
    """An NTD reference as people copy it, or "" when it is not one."""
    value = (value or "").strip().upper()
    return value if REFERENCE_PATTERN.match(value) else ""


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one ``<input type=file multiple>``; the limits are checked by ``check_uploads``."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single_clean = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        files = [single_clean(item, initial) for item in items if item]
        # FileField's own "required" check looks at a single file and never sees an empty list: made here, so a
        # missing file is reported together with the form's other errors, not only once they are put right.
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


class UrlListField(forms.CharField):
    """One web address per line; each wrong line is named in its own message."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off", "inputmode": "url"})

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if line.strip()]

    def validate(self, value):
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        lines = self.to_python(value)
        self.validate(lines)
        check = URLValidator(schemes=["http", "https"])
        errors = []
        for number, line in lines:
            if not is_web_address(line, check):
                shown = line if len(line) <= 80 else line[:77] + "…"
                errors.append(
                    ValidationError(
                        _(
                            "Line %(number)d is not a complete web address: “%(line)s”. It must start with https:// or http://."
                        )
                        % {"number": number, "line": shown},
                        code="invalid_url",
                    )
                )
        if errors:
            raise ValidationError(errors)
        return distinct_urls(line for _number, line in lines)


def is_web_address(url: str, check: URLValidator) -> bool:
    """An http(s) address of at most URL_MAX_LENGTH characters."""
    try:
        # URLValidator lets a NUL through in the path; PostgreSQL cannot store one in a text column.
        if len(url) > URL_MAX_LENGTH or "\x00" in url:
            return False
        check(url)
    except ValidationError:
        return False
    return True


def distinct_urls(urls) -> list[str]:
    """The addresses without repeats (the same address twice is one location), at most MAX_URLS of them."""
    urls = list(dict.fromkeys(urls))
    if len(urls) > MAX_URLS:
        raise ValidationError(
            ngettext(
                "Give at most %(max)d web addresses; you gave %(count)d. Send the others in a second notice.",
                "Give at most %(max)d web addresses; you gave %(count)d. Send the others in a second notice.",
                MAX_URLS,
            )
            % {"max": MAX_URLS, "count": len(urls)},
            code="too_many_urls",
        )
    return urls


class NoticeForm(forms.Form):
    """Everything DSA art. 16 and the procedure ask of a complainant; field names are those of ``NoticeInput``."""

    urls = UrlListField(
        label=_("Web addresses of the content"),
        error_messages={"required": _("Give at least one exact web address of the content.")},
    )
    category = forms.ChoiceField(
        label=_("What kind of unlawful content is it?"),
        choices=[("", _("Choose the kind that fits best")), *Category.choices],
        error_messages={"required": _("Choose the kind of unlawful content.")},
    )
    explanation = forms.CharField(
        label=_("Why is this content unlawful?"),
        min_length=MIN_EXPLANATION,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Explain which law or which of your rights the content breaks, and how. For example: which photo or text "
            "is yours and since when, what is untrue about a statement and why it harms you, or which personal data "
            "is shown without your consent. Refer to your evidence where that helps."
        ),
        error_messages={
            "required": _("Explain why the content is unlawful."),
            "min_length": _(
                "Explain in a few sentences why the content is unlawful (at least %(limit_value)d characters; you "
                "wrote %(show_value)d)."
            ),
        },
    )

    owner_contact = forms.ChoiceField(
        label=_("Did you contact the owner of the website first?"),
        choices=OwnerContact.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Our procedure asks you to contact the owner of the website before you report to us: often they remove "
            "the content themselves. A notice without that contact is rejected."
        ),
        error_messages={"required": _("Say whether you contacted the owner of the website.")},
    )
    owner_contacted_on = forms.DateField(
        label=_("When did you contact the owner?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        help_text=_("Only if you contacted the owner."),
    )
    owner_contact_how = forms.CharField(
        label=_("How did you contact the owner?"),
        max_length=300,
        required=False,
        help_text=_("For example: by e-mail to info@example.nl, or through the contact form on the website."),
    )
    owner_contact_result = forms.CharField(
        label=_("What came of it?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The owner's answer, or that there was none. If the website gives no way to contact its owner, say where "
            "you looked."
        ),
    )

    evidence = MultipleFileField(
        label=_("Evidence (optional)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": uploads.ACCEPT}),
    )

    complainant_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Give your name.")},
    )
    complainant_email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send the confirmation and every step of the procedure to this address."),
        error_messages={
            "required": _("Give your e-mail address."),
            "invalid": _("Give an e-mail address like name@example.nl."),
        },
    )
    complainant_phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    complainant_organisation = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    capacity = forms.ChoiceField(
        label=_("On whose behalf do you make this notice?"),
        choices=Capacity.choices,
        initial=Capacity.SELF,
        widget=forms.RadioSelect,
    )
    on_behalf_of = forms.CharField(
        label=_("Name of the person or organisation you act for"),
        max_length=200,
        required=False,
        help_text=_("Only if you do not report for yourself."),
    )

    is_emergency = forms.BooleanField(
        label=_("This content threatens someone's life or safety"),
        required=False,
    )
    emergency_reason = forms.CharField(
        label=_("Why is this an emergency?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only if you ticked the box above."),
    )

    good_faith = forms.BooleanField(
        label=_("I declare that this notice is accurate and complete, and that I make it in good faith."),
        error_messages={"required": _("Tick this box: we can only handle a notice with this declaration.")},
    )
    identity_disclosure_accepted = forms.BooleanField(
        label=_("I understand that ISI Media passes my name and contact details to the owner of the website."),
        error_messages={
            "required": _("Tick this box: the procedure passes your identity to the owner of the website.")
        },
    )

    previous_reference = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Help texts with numbers in them are made here, in the language of the request.
        self.fields["urls"].help_text = gettext(
            "Copy the exact address of each page or file from your browser's address bar, one per line (at most "
            "%(max)d). The home page of a site is not enough if the content is on another page."
        ) % {"max": MAX_URLS}
        self.fields["evidence"].help_text = gettext(
            "Screenshots, your original photo or document, or the e-mail you sent the owner. At most %(count)d files "
            "of at most %(size)d MB each and %(total)d MB together: PDF, PNG, JPEG, GIF, WebP, text files (.txt) or "
            "saved e-mails (.eml)."
        ) % {
            "count": uploads.MAX_FILES,
            "size": uploads.MAX_FILE_SIZE // (1024 * 1024),
            "total": uploads.MAX_TOTAL_SIZE // (1024 * 1024),
        }

    def clean_owner_contacted_on(self):
        day = self.cleaned_data.get("owner_contacted_on")
        if day and day > timezone.localdate():
            raise ValidationError(_("This date is in the future."), code="future")
        return day

    def clean_evidence(self):
        return uploads.check_uploads(self.cleaned_data.get("evidence") or [])

    def clean_previous_reference(self):
        value = self.cleaned_data.get("previous_reference", "")
        if value.strip() and not clean_reference(value):
            raise ValidationError(REFERENCE_UNREADABLE, code="previous_reference")
        return clean_reference(value)

    def clean(self):
        cleaned = super().clean()
        # A hidden field's error (too long, a NUL byte, not a reference) is shown nowhere near the field: it goes
        # above the form, in words the person can act on. (The API's field is not hidden: its error stays there.)
        if self.fields["previous_reference"].widget.is_hidden and self.errors.pop("previous_reference", None):
            self.add_error(None, ValidationError(REFERENCE_UNREADABLE, code="previous_reference"))
            # The page comes back without the unreadable value, so that sending it again files a new notice.
            self.data = self.data.copy()
            self.data["previous_reference"] = ""
        # The procedure's own rules (declarations, contact with the owner, on whose behalf, emergency reason), so
        # that they are shown together with the form's errors in one round rather than after them.
        try:
            services.notice_validate(data=self.notice_input())
        except NtdError as error:
            self.add_service_error(error)
        return cleaned

    def add_service_error(self, error) -> None:
        """Put the service's messages next to their fields, once, and any other message above the form."""
        add_service_error(self, error)

    def notice_input(self) -> services.NoticeInput:
        data = self.cleaned_data
        return services.NoticeInput(
            urls=data.get("urls") or [],
            category=data.get("category", ""),
            explanation=data.get("explanation", ""),
            complainant_name=data.get("complainant_name", ""),
            complainant_email=data.get("complainant_email", ""),
            complainant_phone=data.get("complainant_phone", ""),
            complainant_organisation=data.get("complainant_organisation", ""),
            capacity=data.get("capacity") or Capacity.SELF,
            on_behalf_of=data.get("on_behalf_of", ""),
            owner_contact=data.get("owner_contact", ""),
            owner_contacted_on=data.get("owner_contacted_on"),
            owner_contact_how=data.get("owner_contact_how", ""),
            owner_contact_result=data.get("owner_contact_result", ""),
            good_faith=bool(data.get("good_faith")),
            identity_disclosure_accepted=bool(data.get("identity_disclosure_accepted")),
            is_emergency=bool(data.get("is_emergency")),
            emergency_reason=data.get("emergency_reason", ""),
            previous_reference=data.get("previous_reference", ""),
            files=data.get("evidence") or [],
            language=(get_language() or "nl").split("-")[0],
        )
