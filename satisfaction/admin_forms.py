"""Forms of the satisfaction admin: a follow-up step, a staff note, and the period of the trends page.

The forms only parse input; the admin views hand the cleaned data to ``satisfaction.services``, and a
``SatisfactionError`` from a service is shown next to the field it names.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import MAX_NOTE

TEXTAREA = {"rows": 3, "cols": 60, "class": "vLargeTextField"}
# The browser's own date picker; it sends and expects ISO dates whatever the page's language.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FollowUpForm(forms.Form):
    """A follow-up step: the click, and what was done or agreed if there is something to say."""

    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Optional: what was done or agreed. Only staff see it."),
    )

    def __init__(self, *args, with_note: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_note:
            # Anonymised feedback takes no new notes: what is written there would stay for good.
            del self.fields["note"]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("note"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("For the follow-up history, e.g. a call that was not answered. The state stays as it is."),
    )


def twelve_months_back(today: date) -> date:
    """The first day of the month eleven months before ``today``'s: with this month, twelve months."""
    month = today.replace(day=1)
    for _month in range(11):
        month = (month - timedelta(days=1)).replace(day=1)
    return month


class PeriodForm(forms.Form):
    """The period of the score distribution on the trends page, both days included."""

    start = forms.DateField(label=_("from"), widget=DATE_INPUT)
    end = forms.DateField(label=_("to"), widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        # Feedback exists only from the portal's start up to today; far-off dates would also overflow the arithmetic.
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value and not date(2000, 1, 1) <= value <= timezone.localdate():
                self.add_error(name, _("Choose a date between 2000 and today."))
        return cleaned
        return cleaned

    @staticmethod
    def default_period(today: date) -> dict:
        """The last twelve months: from the first day of the month eleven months ago up to and including today."""
        return {"start": twelve_months_back(today), "end": today}
