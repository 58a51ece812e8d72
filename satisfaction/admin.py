"""Customer satisfaction in the admin: the feedback list with its badges, filters and CSV export, the feedback page
with its follow-up history and the steps that apply now, and the trends page with charts drawn by the portal.

What a visitor wrote cannot be changed here and staff cannot add feedback: it comes from the visitors. Every change
of the follow-up goes through a service, started from a small form of its own, so that it is checked and recorded
with who did it.
"""

import csv
from datetime import date, datetime, time, timedelta
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from isimedia.forms import add_service_error
from isimedia.workdays import AMSTERDAM
from ntd.http import private_headers

from . import charts, selectors, services
from .admin_forms import FollowUpForm, NoteForm, PeriodForm, twelve_months_back
from .errors import SatisfactionError
from .models import ALERT_SCORES, SATISFIED_SCORES, Feedback, FollowUp
from .transitions import TRANSITIONS, allowed_transitions

CHANGE = "satisfaction.change_feedback"
# The action that adds a note; the other names are those of ``satisfaction.transitions``.
NOTE = "note"
assert NOTE not in TRANSITIONS


def _start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in Amsterdam."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM)


def score_badge(feedback: Feedback) -> str:
    """The score as a number and in words, coloured: 1-2 red, 3 amber, 4-5 green; the words say what the colour does."""
    return format_html(
        '<span class="satisfaction-badge satisfaction-badge-{}">'
        '<span class="satisfaction-badge-score">{}</span> <span class="satisfaction-badge-words">{}</span></span>',
        charts.SCORE_LEVELS[feedback.score],
        feedback.score,
        feedback.get_score_display(),
    )


def follow_up_badge(feedback: Feedback) -> str:
    return format_html(
        '<span class="ntd-state satisfaction-follow-up-{}">{}</span>',
        feedback.follow_up,
        feedback.get_follow_up_display(),
    )


def mailto(feedback: Feedback) -> str:
    """A link that opens an e-mail to the visitor, with a subject in their language."""
    with translation.override(feedback.language):
        subject = _("Your feedback to ISI Media")
    return f"mailto:{quote(feedback.email, safe='@')}?subject={quote(subject)}"


# --- the list --------------------------------------------------------------------------------------------------


class PeriodFilter(admin.SimpleListFilter):
    """Periods in Amsterdam days up to now; "last 12 months" is that of the trends page (this month and 11 before)."""

    title = gettext_lazy("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [
            ("30d", _("last 30 days")),
            ("quarter", _("this quarter")),
            ("year", _("this year")),
            ("12m", _("last 12 months")),
        ]

    @staticmethod
    def start(value: str, today: date) -> date | None:
        if value == "30d":
            return today - timedelta(days=29)
        if value == "quarter":
            return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        if value == "year":
            return today.replace(month=1, day=1)
        if value == "12m":
            return twelve_months_back(today)
        return None

    def queryset(self, request, queryset):
        start = self.start(self.value(), timezone.localdate(timezone=AMSTERDAM))
        if start is None:
            return queryset
        return queryset.filter(submitted_at__gte=_start_of(start))


class AttentionFilter(admin.SimpleListFilter):
    """A score of 1 or 2, or a request for contact: what alerted the staff."""

    title = gettext_lazy("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("score 1-2 or wants contact")),
            ("open", _("the same, not yet closed")),
        ]

    def queryset(self, request, queryset):
        attention = Q(score__in=ALERT_SCORES) | Q(wants_contact=True)
        if self.value() == "yes":
            return queryset.filter(attention)
        if self.value() == "open":
            return queryset.filter(attention).exclude(follow_up=FollowUp.CLOSED)
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    # The comment last: it is the one column that wraps, so the others stay in view beside the filters.
    list_display = ["submitted", "score_label", "follow_up_label", "contact", "comment_excerpt"]
    list_display_links = ["submitted"]
    list_filter = ["score", PeriodFilter, "follow_up", AttentionFilter]
    date_hierarchy = "submitted_at"
    search_fields = ["comment", "name", "email"]
    search_help_text = gettext_lazy("Search the comments, names and e-mail addresses.")
    list_per_page = 50
    actions = ["export_csv"]
    change_list_template = "admin/satisfaction/feedback/change_list.html"
    change_form_template = "admin/satisfaction/feedback/change_form.html"
    # The feedback page lays the answer out itself; the admin's own form stays empty and read-only.
    fields = readonly_fields = ["submitted_at"]

    class Media:
        css = {"all": ["css/admin-ntd.css"]}

    def has_add_permission(self, request):
        # Feedback comes from the visitors, through the public page.
        return False

    def has_change_permission(self, request, obj=None):
        # What the visitor wrote is theirs: the page shows it read-only, and the follow-up has steps of its own.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        # The figures rely on every answer; retention anonymises old ones. Only a superuser removes one (spam).
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Customer feedback"), **(extra_context or {})})

    # Columns

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_at")
    def submitted(self, feedback):
        moment = timezone.localtime(feedback.submitted_at, AMSTERDAM)
        return format_html(
            '{}<span class="satisfaction-time">{}</span>', date_format(moment, "j M Y"), date_format(moment, "H:i")
        )

    @admin.display(description=gettext_lazy("score"), ordering="score")
    def score_label(self, feedback):
        return score_badge(feedback)

    @admin.display(description=gettext_lazy("comment"))
    def comment_excerpt(self, feedback):
        if feedback.comment:
            return format_html('<span title="{}">{}</span>', feedback.comment, Truncator(feedback.comment).chars(120))
        if feedback.anonymised_at:
            return format_html('<span class="ntd-muted">{}</span>', _("(anonymised)"))
        return "-"

    @admin.display(description=gettext_lazy("contact wish"), ordering="wants_contact")
    def contact(self, feedback):
        details = [value for value in (feedback.name, feedback.email) if value]
        wish = (
            format_html('<strong class="satisfaction-contact-wish">{}</strong>', _("yes"))
            if feedback.wants_contact
            else _("no")
        )
        if not details:
            return wish
        return format_html(
            '{}<span class="satisfaction-contact">{}</span>',
            wish,
            format_html('<span class="ntd-note-meta">{}</span>' * len(details), *details),
        )

    @admin.display(description=gettext_lazy("follow-up"), ordering="follow_up")
    def follow_up_label(self, feedback):
        if feedback.needs_attention and feedback.follow_up != FollowUp.CLOSED:
            return format_html(
                '{}<span class="ntd-mark satisfaction-attention">{}</span>',
                follow_up_badge(feedback),
                _("needs attention"),
            )
        return follow_up_badge(feedback)

    # The CSV export: the selected rows, or everything the list shows now with its filters and search

    @admin.action(description=gettext_lazy("Export the selected feedback as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self._csv(queryset)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:satisfaction_feedback_changelist"))
        return self._csv(changelist.queryset)

    def _csv(self, queryset) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"klanttevredenheid-{timezone.localdate(timezone=AMSTERDAM).isoformat()}.csv"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        csv.writer(response).writerows(selectors.feedback_csv_rows(queryset))
        return private_headers(response, referrer_policy="no-referrer")

    # Pages of their own

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("trends/", wrap(self.trends_view), name="satisfaction_feedback_trends"),
            path("export/", wrap(self.export_view), name="satisfaction_feedback_export"),
            path("<int:feedback_id>/stap/<str:name>/", wrap(self.step_view), name="satisfaction_feedback_step"),
            *super().get_urls(),
        ]

    def _change_url(self, feedback: Feedback) -> str:
        return reverse("admin:satisfaction_feedback_change", args=[feedback.pk])

    # The feedback page

    def _form(self, name: str, feedback: Feedback, data=None) -> forms.Form:
        # Field ids carry the step's name: the page shows several forms with a field "note".
        auto_id = f"id_{name}_%s"
        if name == NOTE:
            return NoteForm(data, auto_id=auto_id)
        return FollowUpForm(data, auto_id=auto_id, with_note=feedback.anonymised_at is None)

    def _panel(self, request, feedback: Feedback) -> list[dict]:
        """The follow-up steps that apply now and the note, each with its form; nothing for who may only look."""
        if not request.user.has_perm(CHANGE):
            return []
        items = [
            {
                "name": transition.name,
                "label": transition.label,
                "style": "secondary" if transition.target == FollowUp.NEW else "primary",
            }
            for transition in allowed_transitions(feedback.follow_up)
        ]
        if feedback.anonymised_at is None:
            items.append({"name": NOTE, "label": gettext_lazy("Add a note"), "style": "secondary"})
        for item in items:
            item["url"] = reverse("admin:satisfaction_feedback_step", args=[feedback.pk, item["name"]])
            item["form"] = self._form(item["name"], feedback)
        return items

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                {
                    "title": _("Feedback of %(date)s")
                    % {"date": date_format(timezone.localtime(obj.submitted_at, AMSTERDAM), "j F Y")},
                    # The title says it all; the feedback's str() ("2026-03-01 · 4") would only repeat it.
                    "subtitle": None,
                    "feedback": obj,
                    "score_html": score_badge(obj),
                    "follow_up_html": follow_up_badge(obj),
                    "events": list(obj.events.select_related("user")),
                    "panel": self._panel(request, obj),
                    "mailto": mailto(obj) if obj.wants_contact and obj.email else "",
                }
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def step_view(self, request, feedback_id, name):
        """A follow-up step or a note: the panel's forms post here; with an error, the form comes back with it."""
        if not (self.has_view_permission(request) and request.user.has_perm(CHANGE)):
            raise PermissionDenied
        feedback = Feedback.objects.filter(pk=feedback_id).first()
        if feedback is None:
            raise Http404
        transition = TRANSITIONS.get(name)
        if transition is None and name != NOTE:
            raise Http404
        label = transition.label if transition else _("Add a note")
        possible = transition in allowed_transitions(feedback.follow_up) if transition else not feedback.anonymised_at
        if not possible:
            self.message_user(
                request,
                _("This feedback is %(state)s: “%(action)s” is not possible now.")
                % {"state": feedback.get_follow_up_display(), "action": label},
                messages.ERROR,
            )
            return redirect(self._change_url(feedback))
        form = self._form(name, feedback, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data.get("note", "")
            try:
                if transition:
                    services.feedback_follow_up(
                        feedback_id=feedback.pk, to_state=transition.target, user=request.user, note=note
                    )
                else:
                    services.feedback_note(feedback_id=feedback.pk, user=request.user, text=note)
            except SatisfactionError as error:
                add_service_error(form, error)
            else:
                feedback.refresh_from_db()
                if transition:
                    message = _("“%(action)s” done: the follow-up is now %(state)s.") % {
                        "action": label,
                        "state": feedback.get_follow_up_display(),
                    }
                else:
                    message = _("Your note was added to the follow-up history.")
                self.message_user(request, message, messages.SUCCESS)
                return redirect(self._change_url(feedback) + "#history")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": feedback,
            "feedback": feedback,
            "title": label,
            "label": label,
            "form": form,
            "media": self.media + form.media,
            "change_url": self._change_url(feedback),
            "score_html": score_badge(feedback),
            "follow_up_html": follow_up_badge(feedback),
        }
        return TemplateResponse(request, "admin/satisfaction/feedback/step.html", context)

    # Trends

    def trends_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate(timezone=AMSTERDAM)
        data = request.GET if "start" in request.GET or "end" in request.GET else None
        form = PeriodForm(data or PeriodForm.default_period(today))
        months = selectors.csat_by_month(start=twelve_months_back(today), end=today)
        year_answers = sum(month.answers for month in months)
        year_satisfied = sum(month.satisfied for month in months)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Satisfaction trends"),
            "form": form,
            "months": months,
            "months_total": {
                "answers": year_answers,
                "satisfied": year_satisfied,
                "csat": round(year_satisfied / year_answers * 100, 1) if year_answers else None,
            },
            "csat_chart": charts.csat_chart(
                months, title=_("CSAT and number of answers per month, last 12 months"), chart_id="csat-chart"
            ),
            "changelist_url": reverse("admin:satisfaction_feedback_changelist"),
            "media": self.media,
        }
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            distribution = selectors.score_distribution(start=start, end=end)
            total = sum(distribution.values())
            satisfied = sum(distribution[score] for score in SATISFIED_SCORES)
            context.update(
                {
                    "period": {"start": start, "end": end},
                    "distribution": [
                        {
                            "score": score,
                            "label": score_badge(Feedback(score=score)),
                            "answers": count,
                            "share": round(count / total * 100, 1) if total else None,
                        }
                        for score, count in distribution.items()
                    ],
                    "distribution_total": {
                        "answers": total,
                        "satisfied": satisfied,
                        "csat": round(satisfied / total * 100, 1) if total else None,
                    },
                    "distribution_chart": charts.distribution_chart(
                        distribution,
                        title=_("Answers per score, %(start)s to %(end)s")
                        % {"start": date_format(start, "j F Y"), "end": date_format(end, "j F Y")},
                        chart_id="distribution-chart",
                    ),
                }
            )
        return TemplateResponse(request, "admin/satisfaction/feedback/trends.html", context)
