"""NTD in the admin: the queue of cases, the case page with only the steps that apply now, API keys, the report.

Nothing a complainant or client sent can be edited here: every change of a case goes through a service, started
from a small form of its own, so that it is checked, recorded as an event and announced by e-mail.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import Website
from isimedia.forms import add_service_error
from isimedia.workdays import add_working_days

from . import reports, selectors, services, uploads
from .admin_forms import (
    ApiKeyIssueForm,
    DecisionForm,
    EmergencyDecisionForm,
    ForwardForm,
    NoteForm,
    ReferralForm,
    RejectIncompleteForm,
    RejectNotHostedForm,
    RejectNotUnlawfulForm,
    ReportPeriodForm,
    ResolveByCustomerForm,
    StartAssessmentForm,
)
from .errors import NtdError
from .models import ApiKey, Evidence, Notice, SourceType, State
from .transitions import TRANSITIONS, allowed_transitions

DECIDE = "ntd.decide_notice"
CHANGE = "ntd.change_notice"
# How many related cases the case page lists; more are counted, not shown.
RELATED_LIMIT = 20

URGENCY_LABELS = {
    "green": gettext_lazy("more than a day left"),
    "amber": gettext_lazy("less than a day left"),
    "red": gettext_lazy("less than 8 hours left"),
    "overdue": gettext_lazy("overdue"),
}


# --- the steps of a case ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What the admin needs for one transition: its form, who may take it, the service call, what will happen."""

    form: type[forms.Form]
    permission: str
    perform: Callable[[forms.Form, Notice, object], Notice]
    explanation: Promise
    # primary: moves the case on; secondary: closes it without a measure; danger: restricts the client's site.
    style: str = "primary"
    # Extra arguments for the form, from the case and its hosting check.
    form_kwargs: Callable[[Notice, list], dict] = lambda notice, hosting: {}


STEPS = {
    "forward": Step(
        ForwardForm,
        CHANGE,
        lambda form, notice, user: services.notice_forward(
            notice_id=notice.pk,
            website=form.cleaned_data["website"],
            allow_unmatched=form.cleaned_data["allow_unmatched"],
            user=user,
        ),
        gettext_lazy(
            "The client of the chosen website receives the complaint, including the complainant's name and e-mail "
            "address, with a link to answer. It has 2 working days to answer. The complainant is told the case was "
            "forwarded and the deadline."
        ),
        form_kwargs=lambda notice, hosting: {"candidates": _candidates(hosting)},
    ),
    "reject_incomplete": Step(
        RejectIncompleteForm,
        DECIDE,
        lambda form, notice, user: services.notice_reject_incomplete(
            notice_id=notice.pk, missing=form.cleaned_data["missing"], user=user
        ),
        gettext_lazy("The complainant receives an e-mail saying what is missing, and may file the notice again."),
        style="secondary",
    ),
    "reject_not_hosted": Step(
        RejectNotHostedForm,
        DECIDE,
        lambda form, notice, user: services.notice_reject_not_hosted(
            notice_id=notice.pk, note=form.cleaned_data["note"], user=user
        ),
        gettext_lazy("The complainant is told that ISI Media does not host this content. The case is closed."),
        style="secondary",
    ),
    "resolve_by_customer": Step(
        ResolveByCustomerForm,
        CHANGE,
        lambda form, notice, user: services.notice_customer_removed(
            notice_id=notice.pk, text=form.cleaned_data["text"], user=user
        ),
        gettext_lazy(
            "Record that the client removed the material, when it told you so by phone or e-mail rather than "
            "through its link. The case is closed; the complainant and the client are told."
        ),
    ),
    "start_assessment": Step(
        StartAssessmentForm,
        CHANGE,
        lambda form, notice, user: services.notice_customer_disagrees(
            notice_id=notice.pk, text=form.cleaned_data["text"], files=form.cleaned_data["files"], user=user
        ),
        gettext_lazy(
            "Record that the client disagrees, when it told you so by phone or e-mail rather than through its link. "
            "ISI Media then has 2 working days to decide; the complainant is told."
        ),
    ),
    "take_down": Step(
        DecisionForm,
        DECIDE,
        lambda form, notice, user: services.notice_take_down(notice_id=notice.pk, decision=form.decision(), user=user),
        gettext_lazy(
            "Only for manifestly unlawful content. The client receives a statement of reasons with these fields "
            "and its options for redress; the complainant is told the content was taken down."
        ),
        style="danger",
        form_kwargs=lambda notice, hosting: {"initial": _decision_initial(notice, hosting)},
    ),
    "emergency_take_down": Step(
        EmergencyDecisionForm,
        DECIDE,
        lambda form, notice, user: services.notice_emergency_take_down(
            notice_id=notice.pk,
            decision=form.decision(),
            reason=form.cleaned_data["reason"],
            website=form.cleaned_data.get("website"),
            user=user,
        ),
        gettext_lazy(
            "Only when someone's life or safety is threatened and there is no time to wait for the client. The "
            "content is taken down at once; the client receives a statement of reasons, the complainant is told. "
            "Consider referring the case to the police as well (DSA art. 18)."
        ),
        style="danger",
        form_kwargs=lambda notice, hosting: {
            "needs_website": notice.website_id is None,
            "candidates": _candidates(hosting),
            "initial": _decision_initial(notice, hosting),
        },
    ),
    "reject_not_unlawful": Step(
        RejectNotUnlawfulForm,
        DECIDE,
        lambda form, notice, user: services.notice_reject_not_unlawful(
            notice_id=notice.pk, reason=form.cleaned_data["reason"], user=user
        ),
        gettext_lazy(
            "ISI Media cannot establish that the content is manifestly unlawful. The complainant and the client "
            "receive the reason; the content stays online."
        ),
        style="secondary",
    ),
}
assert set(STEPS) == {name for name, t in TRANSITIONS.items() if t.staff_action}, "every staff transition has a step"


def _candidates(hosting) -> list[Website]:
    """The websites the hosting check found, each once, in the order of the URLs."""
    return list(dict.fromkeys(website for _url, website in hosting if website))


def _decision_initial(notice: Notice, hosting) -> dict:
    """A start for the statement of reasons, from the case: which pages, and that a notice led to it."""
    pages = "\n".join(notice_url.url for notice_url, _website in hosting)
    facts = _("Notice %(reference)s, received on %(date)s (DSA art. 16).") % {
        "reference": notice.reference,
        "date": date_format(timezone.localtime(notice.received_at), "j F Y"),
    }
    return {"scope": _("These pages were made unavailable:") + "\n" + pages, "decision_facts": facts}


# --- the queue -------------------------------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("all open cases")), ("closed", _("all closed cases")), *State.choices]

    def queryset(self, request, queryset):
        return selectors.notices_in_state(notices=queryset, state=self.value())


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("not overdue"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return selectors.notices_by_overdue(notices=queryset, overdue=self.value() == "yes")
        return queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["case", "state_label", "deadline", "website_label", "received"]
    # The first column links to the case itself, so that the marks beside the reference stay plain text.
    list_display_links = None
    list_filter = [StateFilter, OverdueFilter, "category", "is_emergency", "source_type"]
    search_fields = ["reference", "urls__url", "complainant_email"]
    search_help_text = gettext_lazy("Search by reference (NTD-2026-00042), part of a URL or the complainant's e-mail.")
    list_select_related = ["website__client"]
    list_per_page = 50
    change_form_template = "admin/ntd/notice/case.html"
    change_list_template = "admin/ntd/notice/change_list.html"
    # The case page lays the case out itself (case.html); the admin's own form is left empty.
    fields = readonly_fields = ["reference"]

    class Media:
        css = {"all": ["css/admin-ntd.css"]}

    # Notices come in through the form and the API only, and every notice keeps its record and outcome.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The case page itself edits nothing (it is shown read-only); its steps check their own permissions.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def get_ordering(self, request):
        return selectors.queue_ordering()

    # Columns

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_label(self, notice):
        return format_html('<span class="ntd-state ntd-state-{}">{}</span>', notice.state, notice.get_state_display())

    @admin.display(description=gettext_lazy("next deadline"), ordering="next_deadline")
    def deadline(self, notice):
        return deadline_html(notice)

    @admin.display(description=gettext_lazy("reference"), ordering="reference")
    def case(self, notice):
        return format_html(
            '<a href="{}" class="ntd-reference">{}</a>{}',
            self._change_url(notice),
            notice.reference,
            marks_html(notice),
        )

    @admin.display(description=gettext_lazy("received"), ordering="received_at")
    def received(self, notice):
        received = timezone.localtime(notice.received_at)
        return format_html(
            '<span title="{}">{}</span>', date_format(received, "j F Y H:i"), date_format(received, "j M Y")
        )

    @admin.display(description=gettext_lazy("website (client)"), ordering="website__host")
    def website_label(self, notice):
        if notice.website_id is None:
            return "-"
        return format_html(
            '{}<br><span class="ntd-muted">{}</span>', notice.website.display_host, notice.website.client.name
        )

    # Pages of their own

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("NTD queue"), **(extra_context or {})})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("rapport/", wrap(self.report_view), name="ntd_notice_report"),
            path(
                "<int:notice_id>/bestand/<int:evidence_id>/",
                wrap(self.evidence_view),
                name="ntd_notice_evidence",
            ),
            path("<int:notice_id>/stap/<str:name>/", wrap(self.transition_view), name="ntd_notice_transition"),
            path("<int:notice_id>/notitie/", wrap(self.note_view), name="ntd_notice_note"),
            path("<int:notice_id>/doorverwijzing/", wrap(self.referral_view), name="ntd_notice_refer"),
            *super().get_urls(),
        ]

    def _notice(self, request, notice_id: int) -> Notice:
        if not self.has_view_permission(request):
            raise PermissionDenied
        notice = selectors.notice_with_client(notice_id=notice_id, notices=self.get_queryset(request))
        if notice is None:
            raise Http404
        return notice

    def _change_url(self, notice: Notice) -> str:
        return reverse("admin:ntd_notice_change", args=[notice.pk])

    # The case page

    def get_object(self, request, object_id, from_field=None):
        if from_field is not None:
            return super().get_object(request, object_id, from_field)
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            return None
        return selectors.notice_for_case_page(notice_id=pk, notices=self.get_queryset(request))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.case_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def case_context(self, request, notice: Notice) -> dict:
        hosting = selectors.notice_hosting_check(notice=notice)
        related = selectors.related_open_notices(notice=notice, hosting=hosting, limit=RELATED_LIMIT)
        same_complainant = selectors.notices_from_same_complainant(notice=notice, limit=RELATED_LIMIT)
        evidence = list(notice.evidence.all())
        user = request.user
        steps = [
            {
                "transition": transition,
                "url": reverse("admin:ntd_notice_transition", args=[notice.pk, transition.name]),
                "style": STEPS[transition.name].style,
            }
            for transition in allowed_transitions(notice.state)
            if user.has_perm(STEPS[transition.name].permission)
        ]
        may_change = user.has_perm(CHANGE)
        return {
            "notice": notice,
            "urgency": selectors.urgency(notice),
            "deadline_html": deadline_html(notice),
            "marks_html": marks_html(notice),
            "hosting": hosting,
            "complainant_evidence": [e for e in evidence if e.party == Evidence.Party.COMPLAINANT],
            "customer_evidence": [e for e in evidence if e.party == Evidence.Party.CUSTOMER],
            "response": getattr(notice, "customer_response", None),
            "statement": getattr(notice, "statement_of_reasons", None),
            "events": list(notice.events.all()),
            "notes": list(notice.internal_notes.all()),
            "refiled_as": list(notice.refiled_as.all()),
            "related": related[:RELATED_LIMIT],
            "related_more": len(related) > RELATED_LIMIT,
            "same_complainant": same_complainant[:RELATED_LIMIT],
            "same_complainant_more": len(same_complainant) > RELATED_LIMIT,
            "steps": steps,
            "is_closed": not notice.is_open,
            "note_form": NoteForm() if may_change else None,
            "referral_form": ReferralForm() if may_change else None,
            "report_url": reverse("admin:ntd_notice_report"),
        }

    def evidence_view(self, request, notice_id, evidence_id):
        """A file of the case, as a download that the browser never renders in the admin's origin."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        evidence = selectors.evidence_of_notice(notice_id=notice_id, evidence_id=evidence_id)
        if evidence is None:
            raise Http404
        response = uploads.evidence_download(evidence)
        return response

    def transition_view(self, request, notice_id, name):
        notice = self._notice(request, notice_id)
        step = STEPS.get(name)
        if step is None:
            raise Http404
        if not request.user.has_perm(step.permission):
            raise PermissionDenied
        transition = TRANSITIONS[name]
        if transition not in allowed_transitions(notice.state):
            self.message_user(
                request,
                _("%(reference)s is %(state)s: “%(action)s” is not possible now.")
                % {"reference": notice.reference, "state": notice.get_state_display(), "action": transition.label},
                messages.ERROR,
            )
            return redirect(self._change_url(notice))
        hosting = selectors.notice_hosting_check(notice=notice)
        form = step.form(request.POST or None, request.FILES or None, **step.form_kwargs(notice, hosting))
        if request.method == "POST" and form.is_valid():
            try:
                notice = step.perform(form, notice, request.user)
            except NtdError as error:
                add_service_error(form, error)
            else:
                self.message_user(request, _done_message(notice, transition), messages.SUCCESS)
                return redirect(self._change_url(notice))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": notice,
            "notice": notice,
            "title": f"{notice.reference}: {transition.label}",
            "transition": transition,
            "step": step,
            "form": form,
            "hosting": hosting,
            "candidates": _candidates(hosting),
            "media": self.media + form.media,
            "change_url": self._change_url(notice),
            "deadline_preview": _deadline_preview(name),
        }
        return TemplateResponse(request, "admin/ntd/notice/transition.html", context)

    def note_view(self, request, notice_id):
        notice = self._notice(request, notice_id)
        if request.method != "POST":
            return redirect(self._change_url(notice))
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.notice_add_note(notice_id=notice.pk, text=form.cleaned_data["text"], user=request.user)
            except NtdError as error:
                form.add_error(None, error)
            else:
                self.message_user(request, _("The note was added."), messages.SUCCESS)
                return redirect(self._change_url(notice) + "#notes")
        self.message_user(request, _form_errors(form), messages.ERROR)
        return redirect(self._change_url(notice) + "#notes")

    def referral_view(self, request, notice_id):
        notice = self._notice(request, notice_id)
        if request.method != "POST":
            return redirect(self._change_url(notice))
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        form = ReferralForm(request.POST)
        if form.is_valid():
            try:
                services.notice_refer(
                    notice_id=notice.pk,
                    referred_to=form.cleaned_data["referred_to"],
                    reference=form.cleaned_data["reference"],
                    user=request.user,
                )
            except NtdError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("The referral to %(to)s was recorded.") % {"to": form.cleaned_data["referred_to"]},
                    messages.SUCCESS,
                )
                return redirect(self._change_url(notice) + "#referral")
        self.message_user(request, _form_errors(form), messages.ERROR)
        return redirect(self._change_url(notice) + "#referral")

    # The transparency report

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = request.GET if "start" in request.GET or "end" in request.GET else None
        form = ReportPeriodForm(data or ReportPeriodForm.default_period(timezone.localdate()))
        report = reports.transparency_report(**form.cleaned_data) if form.is_valid() else None
        if report is not None and request.GET.get("format") == "csv":
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="ntd-transparency-{report.start.isoformat()}-{report.end.isoformat()}.csv"'
            )
            csv.writer(response).writerows(reports.csv_rows(report))
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Transparency report"),
            "form": form,
            "report": report,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/ntd/notice/report.html", context)


def deadline_html(notice: Notice) -> str:
    """The next deadline, coloured by urgency and said in words, so the colour is never the only sign."""
    if notice.next_deadline is None:
        return "-"
    now = timezone.now()
    level = selectors.urgency(notice, now=now)
    when = date_format(timezone.localtime(notice.next_deadline), "D j M H:i")
    if level == "overdue":
        words = _("%(time)s overdue") % {"time": timesince(notice.next_deadline, now, depth=1)}
    else:
        words = _("%(time)s left") % {"time": timeuntil(notice.next_deadline, now, depth=1)}
    return format_html(
        '<span class="ntd-deadline ntd-urgency-{}" title="{}">{}<span class="ntd-deadline-words">{}</span></span>',
        level,
        URGENCY_LABELS[level],
        when,
        words,
    )


def marks_html(notice: Notice) -> str:
    marks = []
    if notice.is_emergency:
        marks.append(("ntd-mark-emergency", _("emergency")))
    if notice.source_type == SourceType.TRUSTED_FLAGGER:
        marks.append(("ntd-mark-trusted", _("trusted flagger")))
    if not marks:
        return ""
    return format_html_join("", '<span class="ntd-mark {}">{}</span>', marks)


def _done_message(notice: Notice, transition) -> str:
    message = _("%(reference)s: “%(action)s” done; the case is now %(state)s.") % {
        "reference": notice.reference,
        "action": transition.label,
        "state": notice.get_state_display(),
    }
    if notice.next_deadline:
        deadline = date_format(timezone.localtime(notice.next_deadline), "l j F H:i")
        message += " " + _("Next deadline: %(deadline)s.") % {"deadline": deadline}
    return message


def _deadline_preview(name: str):
    """The deadline a step would set if taken now, to show on its form."""
    if name == "forward":
        return add_working_days(timezone.now(), services.CUSTOMER_DAYS)
    if name == "start_assessment":
        return add_working_days(timezone.now(), services.ASSESSMENT_DAYS)
    return None


def _form_errors(form: forms.Form) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


# --- API keys --------------------------------------------------------------------------------------------------


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix_label",
        "trusted_flagger",
        "is_active",
        "contact_email",
        "notice_count",
        "last_used_at",
        "created_at",
    ]
    list_filter = ["trusted_flagger", "is_active"]
    search_fields = ["name", "contact_email", "prefix"]
    fields = [
        "name",
        "contact_email",
        "trusted_flagger",
        "is_active",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
    ]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at"]
    list_select_related = ["created_by"]

    class Media:
        css = {"all": ["css/admin-ntd.css"]}

    def get_queryset(self, request):
        return selectors.api_keys_with_notice_count(api_keys=super().get_queryset(request))

    # Issuing a key, or making its holder a trusted flagger, takes the custom permission.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and request.user.has_perm("ntd.issue_api_key")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.has_perm("ntd.issue_api_key")

    def has_delete_permission(self, request, obj=None):
        # Notices keep the key they came with; a key that must stop working is made inactive.
        return False

    @admin.display(description=gettext_lazy("key prefix"), ordering="prefix")
    def prefix_label(self, api_key):
        return format_html("<code>{}…</code>", api_key.prefix)

    @admin.display(description=gettext_lazy("notices"), ordering="notice_count")
    def notice_count(self, api_key):
        return api_key.notice_count

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApiKeyIssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            api_key, key = services.api_key_issue(**form.cleaned_data, user=request.user)
            self.log_addition(request, api_key, [{"added": {}}])
            # The key exists only in this message: the database keeps its hash.
            self.message_user(
                request,
                format_html(
                    '{} <code class="ntd-api-key">{}</code> {}',
                    _("The API key for %(name)s is:") % {"name": api_key.name},
                    key,
                    _("Copy it now and pass it on securely: it is not shown again."),
                ),
                messages.SUCCESS,
            )
            return redirect("admin:ntd_apikey_change", api_key.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Issue an API key"),
            "form": form,
            "media": self.media + form.media,
            "changelist_url": reverse("admin:ntd_apikey_changelist"),
        }
        return TemplateResponse(request, "admin/ntd/apikey/issue.html", context)
