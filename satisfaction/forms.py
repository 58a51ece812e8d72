"""The visitor's feedback form: a score, optionally a comment and contact details, and the checks against bots.

The rules of an answer (a score on the scale, an e-mail address for a contact wish, lengths) are
``services.feedback_validate``'s; the form shows its errors next to their fields. The checks against bots are the
form's: the honeypot and the minimum time (``satisfaction.antispam``) and the ALTCHA captcha
(``satisfaction.captcha``). The rate limit per address is counted by the view, only for answers about to be stored.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from isimedia.forms import add_service_error

from . import antispam, captcha, services
from .models import Score

# The widget's own words, in the page's language (static/js/satisfaction-form.js hands them to the widget).
CAPTCHA_LABEL = _("I am not a robot")
CAPTCHA_VERIFIED = _("Verified")
CAPTCHA_STRINGS = {
    "label": CAPTCHA_LABEL,
    "verified": CAPTCHA_VERIFIED,
    "verifying": _("Checking…"),
    "waitAlert": _("Checking… please wait."),
    "verificationRequired": _("Tick the box first."),
    "error": _("The check did not work. Tick the box to try again."),
    "expired": _("The check has expired. Tick the box again."),
}

CAPTCHA_ERRORS = {
    captcha.Failure.MISSING: _("Tick the box “%(label)s” and wait until it says “%(verified)s”."),
    captcha.Failure.INVALID: _("The check against spam did not succeed. Tick the box again."),
    captcha.Failure.EXPIRED: _("The check against spam has expired. Tick the box again."),
    captcha.Failure.USED: _("This check against spam was used before. Tick the box again."),
}

# A bot is told no more than this; a person who somehow got here can still send the feedback by e-mail.
NOT_ACCEPTED = _("We could not accept your feedback. Please send the form again, or e-mail your feedback to %(email)s.")
STALE = _("We could not check when this page was opened. Please send the form again.")


def _too_fast_message(seconds: int) -> str:
    return ngettext(
        "You sent the form within %(seconds)d second of opening the page, faster than we expect from a person. "
        "Please check your answers and send the form again.",
        "You sent the form within %(seconds)d seconds of opening the page, faster than we expect from a person. "
        "Please check your answers and send the form again.",
        seconds,
    ) % {"seconds": seconds}


too_fast_message = lazy(_too_fast_message, str)


class FeedbackForm(forms.Form):
    """One answer to "How satisfied are you with ISI Media?"; field names are those of ``services.FeedbackInput``."""

    # Required, but the rule and its message are the service's.
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with ISI Media?"),
        choices=Score.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the five answers.")},
    )
    comment = forms.CharField(
        label=_("What should we do better?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": services.MAX_COMMENT}),
        help_text=_("Optional. What went well is welcome too."),
    )
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "maxlength": 200}),
    )
    email = forms.CharField(
        label=_("Your e-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false", "maxlength": 254}),
        help_text=_("Needed only if you would like us to contact you."),
    )
    wants_contact = forms.BooleanField(label=_("Please contact me about my feedback"), required=False)

    # Filled in by the page and its scripts, never typed by a person.
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    website = forms.CharField(required=False)
    altcha = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # True when the form was sent by something that is not a person: the view answers 400.
        self.is_bot = False

    def clean(self):
        cleaned = super().clean()
        # A hidden field's own error ("Null characters are not allowed.") means nothing to a person, who can neither
        # see nor fix the field: the checks below (STALE, the captcha's) say what went wrong in words they can act on.
        for name in (antispam.STARTED_FIELD, "altcha"):
            self.errors.pop(name, None)
        if cleaned.get(antispam.HONEYPOT_FIELD):
            self.is_bot = True
            raise ValidationError(NOT_ACCEPTED, code="honeypot", params={"email": settings.STAFF_EMAIL})
        seconds = antispam.seconds_since_start(cleaned.get(antispam.STARTED_FIELD))
        if seconds is None:
            self.add_error(None, ValidationError(STALE, code="stale"))
        elif antispam.too_fast(seconds):
            self.add_error(None, ValidationError(too_fast_message(settings.SATISFACTION_MIN_SECONDS), code="too_fast"))
        failure = captcha.payload_verify(self.data.get("altcha"))
        if failure is not None:
            self.add_error(
                "altcha",
                ValidationError(
                    CAPTCHA_ERRORS[failure],
                    code=f"captcha_{failure.value}",
                    params={"label": CAPTCHA_LABEL, "verified": CAPTCHA_VERIFIED},
                ),
            )
        # The answer's own rules, so that they are shown together with the rest in one round.
        try:
            services.feedback_validate(data=self.feedback_input())
        except ValidationError as error:
            self.add_service_error(error)
        return cleaned

    @property
    def score_options(self) -> list[dict]:
        """The five answers for the template: number, words, and whether it was chosen."""
        return [
            {
                "value": widget.data["value"],
                "label": widget.choice_label,
                "id": widget.id_for_label,
                "checked": widget.data["selected"],
            }
            for widget in self["score"]
        ]

    def add_service_error(self, error) -> None:
        """A ``SatisfactionError`` shown at the field it names, once, and any other message above the form."""
        add_service_error(self, error)

    def feedback_input(self) -> services.FeedbackInput:
        data = self.cleaned_data
        return services.FeedbackInput(
            score=data.get("score"),
            comment=data.get("comment", ""),
            name=data.get("name", ""),
            email=data.get("email", ""),
            wants_contact=bool(data.get("wants_contact")),
            language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
        )
