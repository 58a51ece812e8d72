"""Privacy in the admin: the queue of data-subject requests, the request page with only the steps that apply now,
staff entry of a request, the breach register with its 72-hour clock, and what retention removed.

Nothing a requester sent can be edited here: every change of a request goes through a service, started from a
small form of its own, so that it is checked, recorded as an event and announced by e-mail.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, F, IntegerField, Sum, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from isimedia import audit
from isimedia.forms import add_service_error
from isimedia.workdays import closing_days_loaded
from ntd.http import private_headers
from ntd.uploads import safe_name

from . import selectors, services
from .admin_forms import (
    DATETIME_INPUT,
    BreachForm,
    CompleteForm,
    EmptyStepForm,
    ExtendForm,
    ForwardForm,
    IdentityAskForm,
    IdentityCheckedForm,
    MessageForm,
    ProposeErasureForm,
    RefuseForm,
    RejectErasureForm,
    StaffRequestForm,
)
from .crypto import read_decrypted
from .errors import PrivacyError
from .models import (
    OPEN_STATES,
    PACKAGE_RIGHTS,
    Breach,
    DataSubjectRequest,
    RequesterFile,
    RetentionRecord,
    RetentionRun,
    State,
)
from .package import build_package
from .transitions import TRANSITIONS, allowed_transitions

CHANGE = "privacy.change_datasubjectrequest"
APPROVE = "privacy.approve_erasure"
VIEW_IDENTITY = "privacy.view_identity_document"
CHANGE_BREACH = "privacy.change_breach"

ACTION_LABELS = {
    "erased": gettext_lazy("erased"),
    "anonymised": gettext_lazy("anonymised"),
    "kept": gettext_lazy("kept"),
}


# --- the steps of a request ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What the admin needs for one step: its form, who may take it, the service call, what will happen."""

    form: type[forms.Form]
    perform: Callable[[forms.Form, DataSubjectRequest, object], object]
    explanation: Promise
    label: Promise | None = None
    permissions: tuple[str, ...] = (CHANGE,)
    # primary: moves the request on; secondary: sends it back or closes it another way; danger: cannot be undone.
    style: str = "primary"
    # Extra arguments for the form, from the request.
    form_kwargs: Callable[[DataSubjectRequest], dict] = field(default=lambda request: {})


def _forward_initial(privacy_request: DataSubjectRequest) -> dict:
    client = selectors.client_for_hosted_url(privacy_request.hosted_url) if privacy_request.hosted_url else None
    return {"initial": {"client": client.pk}} if client else {}


STEPS = {
    "request_identity": Step(
        IdentityAskForm,
        lambda form, req, user: services.request_identity_ask(
            request_id=req.pk, doubt=form.cleaned_data["doubt"], message=form.cleaned_data["message"], user=user
        ),
        gettext_lazy(
            "Only when there is a real doubt that the requester is who they say: the confirmed e-mail address is the "
            "normal check. The requester is asked for a masked copy of an identity document; the deadline pauses."
        ),
        style="secondary",
    ),
    "identity_checked": Step(
        IdentityCheckedForm,
        lambda form, req, user: services.request_identity_checked(
            request_id=req.pk, user=user, note=form.cleaned_data["note"]
        ),
        gettext_lazy(
            "The pause ends and the due date moves by the days it lasted. Every identity copy of this request is "
            "deleted; the record keeps only that the identity was checked."
        ),
    ),
    "send_package": Step(
        EmptyStepForm,
        lambda form, req, user: services.request_send_package(request_id=req.pk, user=user),
        gettext_lazy(
            "The data package is made anew, stored encrypted, and the requester receives a single-use link that "
            "expires. Check the preview first. The request is then completed."
        ),
    ),
    "propose_erasure": Step(
        ProposeErasureForm,
        lambda form, req, user: services.request_propose_erasure(
            request_id=req.pk, user=user, note=form.cleaned_data["note"]
        ),
        gettext_lazy(
            "A plan of what would be erased, anonymised or kept is made without changing anything. A second privacy "
            "officer must approve it before anything is erased; the other officers are told."
        ),
    ),
    "approve_erasure": Step(
        EmptyStepForm,
        lambda form, req, user: services.request_approve_erasure(request_id=req.pk, user=user),
        gettext_lazy(
            "The plan is carried out across the portal and cannot be undone. The requester receives what was erased "
            "and what was kept, with the legal reason. Only an officer other than the one who proposed it may approve."
        ),
        permissions=(CHANGE, APPROVE),
        style="danger",
    ),
    "reject_erasure": Step(
        RejectErasureForm,
        lambda form, req, user: services.request_reject_erasure(
            request_id=req.pk, user=user, reason=form.cleaned_data["reason"]
        ),
        gettext_lazy("Nothing is erased; the request is back with the officers, who may propose again."),
        style="secondary",
    ),
    "complete": Step(
        CompleteForm,
        lambda form, req, user: services.request_complete(
            request_id=req.pk, reply=form.cleaned_data["reply"], user=user
        ),
        gettext_lazy(
            "After correcting or restricting the data yourself: the requester receives this reply and the request "
            "is completed."
        ),
    ),
    "forward": Step(
        ForwardForm,
        lambda form, req, user: services.request_forward(
            request_id=req.pk, client=form.cleaned_data["client"], user=user, note=form.cleaned_data["note"]
        ),
        gettext_lazy(
            "For data on a website ISI Media hosts for a client: the client is the controller. It receives the "
            "request with everything it needs, the requester is told to whom it went, and the request closes."
        ),
        style="secondary",
        form_kwargs=_forward_initial,
    ),
    "refuse": Step(
        RefuseForm,
        lambda form, req, user: services.request_refuse(
            request_id=req.pk, reasons=form.cleaned_data["reasons"], user=user
        ),
        gettext_lazy(
            "Only for a manifestly unfounded or excessive request. The requester receives your reasons and is told "
            "of the right to complain to the Autoriteit Persoonsgegevens and to go to court."
        ),
        style="danger",
    ),
}
assert set(STEPS) == {name for name, t in TRANSITIONS.items() if t.staff_action}, "every staff transition has a step"

# Actions on an open request that do not change its state.
ACTIONS = {
    "extend": Step(
        ExtendForm,
        lambda form, req, user: services.request_extend(
            request_id=req.pk, months=form.cleaned_data["months"], reason=form.cleaned_data["reason"], user=user
        ),
        gettext_lazy(
            "For a complex request or one of many: once, by one or two months, and only before the first due date. "
            "The requester is told the new due date and the reason at once."
        ),
        label=gettext_lazy("Extend the deadline"),
        style="secondary",
    ),
    "message": Step(
        MessageForm,
        lambda form, req, user: services.request_message(
            request_id=req.pk,
            text=form.cleaned_data["text"],
            user=user,
            asks_for_upload=form.cleaned_data["asks_for_upload"],
        ),
        gettext_lazy("The requester receives an e-mail with a link to the request's page, where the message shows."),
        label=gettext_lazy("Send a message"),
        style="secondary",
    ),
}


def _action_available(name: str, privacy_request: DataSubjectRequest, now=None) -> bool:
    """Whether an action that is not a state change applies now (the service checks again)."""
    if name == "extend":
        return selectors.extension_possible(privacy_request, now=now)
    return privacy_request.is_open


def _form(step: Step, name: str, privacy_request: DataSubjectRequest, data=None) -> forms.Form:
    # Field ids carry the step's name: the request page shows several step forms, some with the same field names.
    return step.form(data, auto_id=f"id_{name}_%s", **step.form_kwargs(privacy_request))


# --- the queue -------------------------------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    """By state; requests whose e-mail address was not confirmed are not yet a case, so hidden unless asked for."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("open", _("all open requests")),
            ("closed", _("all closed requests")),
            *State.choices,
            ("all", _("everything, unconfirmed requests included")),
        ]

    def choices(self, changelist):
        # The admin's own choices (with counts when asked), the first one named for what it shows.
        choices = super().choices(changelist)
        yield {**next(choices), "display": _("all confirmed requests")}
        yield from choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset.exclude(state=State.UNCONFIRMED)
        if value == "all":
            return queryset
        if value == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if value == "closed":
            return queryset.exclude(state__in=[*OPEN_STATES, State.UNCONFIRMED])
        return queryset.filter(state=value)


class DeadlineFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        days = settings.PRIVACY_REMINDER_WORKING_DAYS
        return [
            ("overdue", _("overdue")),
            (
                "soon",
                ngettext("due within %(days)d working day", "due within %(days)d working days", days) % {"days": days},
            ),
            ("paused", _("paused: waiting for proof of identity")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in ("overdue", "soon", "paused"):
            return queryset
        return selectors.requests_by_deadline(queryset, value)


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "right_label", "name", "state_label", "received", "deadline"]
    # The first column links to the request itself, so that the badges stay plain text.
    list_display_links = None
    list_filter = [StateFilter, DeadlineFilter, "right", "relation", "channel"]
    search_fields = ["reference", "name", "email"]
    search_help_text = gettext_lazy("Search by reference (AVG-2026-00042), name or e-mail address.")
    list_per_page = 50
    change_form_template = "admin/privacy/datasubjectrequest/case.html"
    change_list_template = "admin/privacy/datasubjectrequest/change_list.html"
    # The request page lays the request out itself (case.html); the admin's own form is left empty.
    fields = readonly_fields = ["reference"]

    class Media:
        css = {"all": ["css/admin-ntd.css"]}

    def has_delete_permission(self, request, obj=None):
        # Requests leave through retention, which anonymises them and keeps the record.
        return False

    def has_change_permission(self, request, obj=None):
        # The request page itself edits nothing (it is shown read-only); its steps check their own permissions.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def get_ordering(self, request):
        # Open requests first, nearest due date first; then the rest, newest first.
        open_first = Case(When(state__in=OPEN_STATES, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [open_first.asc(), F("due_on").asc(nulls_last=True), F("received_at").desc(), F("pk").desc()]

    def changelist_view(self, request, extra_context=None):
        # Every row's days-left badge counts working days: read the closing days once for the whole page, and
        # render inside the block (a TemplateResponse renders lazily).
        with closing_days_loaded():
            response = super().changelist_view(request, {"title": _("Privacy requests"), **(extra_context or {})})
            if hasattr(response, "render"):
                response.render()
        return response

    # Columns

    @admin.display(description=gettext_lazy("reference"), ordering="reference")
    def case(self, privacy_request):
        return format_html(
            '<a href="{}" class="privacy-reference">{}</a>', self._change_url(privacy_request), privacy_request
        )

    @admin.display(description=gettext_lazy("right"), ordering="right")
    def right_label(self, privacy_request):
        return privacy_request.get_right_display()

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_label(self, privacy_request):
        return format_html(
            '<span class="ntd-state privacy-state-{}">{}</span>',
            privacy_request.state,
            privacy_request.get_state_display(),
        )

    @admin.display(description=gettext_lazy("received"), ordering="received_at")
    def received(self, privacy_request):
        received = timezone.localtime(privacy_request.received_at)
        return format_html(
            '<span title="{}">{}</span>', date_format(received, "j F Y H:i"), date_format(received, "j M Y")
        )

    @admin.display(description=gettext_lazy("due / days left"), ordering="due_on")
    def deadline(self, privacy_request):
        return deadline_badge(privacy_request, selectors.deadline_status(privacy_request))

    # Pages of their own

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:request_id>/stap/<str:name>/", wrap(self.step_view), name="privacy_datasubjectrequest_step"),
            path(
                "<int:request_id>/bestand/<int:file_id>/",
                wrap(self.file_view),
                name="privacy_datasubjectrequest_file",
            ),
            path(
                "<int:request_id>/pakket-voorbeeld/",
                wrap(self.package_preview_view),
                name="privacy_datasubjectrequest_package_preview",
            ),
            *super().get_urls(),
        ]

    def _request(self, request, request_id: int) -> DataSubjectRequest:
        if not self.has_view_permission(request):
            raise PermissionDenied
        privacy_request = self.get_queryset(request).filter(pk=request_id).first()
        if privacy_request is None:
            raise Http404
        return privacy_request

    def _change_url(self, privacy_request: DataSubjectRequest) -> str:
        return reverse("admin:privacy_datasubjectrequest_change", args=[privacy_request.pk])

    def _step_url(self, privacy_request: DataSubjectRequest, name: str) -> str:
        return reverse("admin:privacy_datasubjectrequest_step", args=[privacy_request.pk, name])

    # The request page

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.case_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _available(self, request, privacy_request: DataSubjectRequest) -> list[tuple[str, Step, object]]:
        """The steps and actions this user may take on the request now, with their labels."""
        user = request.user
        available = [
            (transition.name, STEPS[transition.name], transition.label)
            for transition in allowed_transitions(privacy_request.state, privacy_request.right)
        ]
        available += [
            (name, step, step.label) for name, step in ACTIONS.items() if _action_available(name, privacy_request)
        ]
        return [(name, step, label) for name, step, label in available if user.has_perms(step.permissions)]

    def case_context(self, request, privacy_request: DataSubjectRequest) -> dict:
        user = request.user
        panel = [
            {
                "name": name,
                "label": label,
                "url": self._step_url(privacy_request, name),
                "form": _form(step, name, privacy_request),
                "style": step.style,
                "explanation": step.explanation,
                "is_action": name in ACTIONS,
            }
            for name, step, label in self._available(request, privacy_request)
        ]
        may_change = user.has_perm(CHANGE)
        return {
            "privacy_request": privacy_request,
            "status": selectors.deadline_status(privacy_request),
            "first_due_on": selectors.first_due_on(privacy_request),
            "events": list(privacy_request.events.select_related("user")),
            "request_messages": list(privacy_request.messages.select_related("author")),
            "files": list(privacy_request.files.all()),
            "may_download_files": user.has_perm(VIEW_IDENTITY),
            "packages": list(privacy_request.packages.select_related("created_by")),
            "erasure_plan": _outcome_rows(privacy_request.erasure_plan),
            "erasure_result": _outcome_rows(privacy_request.erasure_result),
            "transitions": [item for item in panel if not item["is_action"]],
            "actions": [item for item in panel if item["is_action"]],
            "preview_url": (
                reverse("admin:privacy_datasubjectrequest_package_preview", args=[privacy_request.pk])
                if may_change and privacy_request.right in PACKAGE_RIGHTS and privacy_request.is_open
                else ""
            ),
            "proposed_by_you": privacy_request.proposed_by_id == user.pk
            and privacy_request.state == State.AWAITING_APPROVAL,
            "is_closed": privacy_request.state not in OPEN_STATES and privacy_request.state != State.UNCONFIRMED,
            "may_change": may_change,
        }

    def step_view(self, request, request_id, name):
        privacy_request = self._request(request, request_id)
        step = STEPS.get(name) or ACTIONS.get(name)
        if step is None:
            raise Http404
        if not request.user.has_perms(step.permissions):
            raise PermissionDenied
        if name in STEPS:
            transition = TRANSITIONS[name]
            label = transition.label
            possible = transition in allowed_transitions(privacy_request.state, privacy_request.right)
        else:
            label = step.label
            possible = _action_available(name, privacy_request)
        if not possible:
            self.message_user(
                request,
                _("%(reference)s is %(state)s: “%(action)s” is not possible now.")
                % {
                    "reference": privacy_request.reference,
                    "state": privacy_request.get_state_display(),
                    "action": label,
                },
                messages.ERROR,
            )
            return redirect(self._change_url(privacy_request))
        form = _form(step, name, privacy_request, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                step.perform(form, privacy_request, request.user)
            except PrivacyError as error:
                add_service_error(form, error)
            else:
                privacy_request.refresh_from_db()
                self.message_user(
                    request,
                    _("%(reference)s: “%(action)s” done; the request is now %(state)s.")
                    % {
                        "reference": privacy_request.reference,
                        "action": label,
                        "state": privacy_request.get_state_display(),
                    },
                    messages.SUCCESS,
                )
                return redirect(self._change_url(privacy_request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": privacy_request,
            "privacy_request": privacy_request,
            "title": f"{privacy_request.reference}: {label}",
            "label": label,
            "name": name,
            "step": step,
            "form": form,
            "media": self.media + form.media,
            "change_url": self._change_url(privacy_request),
            "status": selectors.deadline_status(privacy_request),
            "erasure_plan": _outcome_rows(privacy_request.erasure_plan),
            "proposed_by_you": privacy_request.proposed_by_id == request.user.pk,
            "preview_url": (
                reverse("admin:privacy_datasubjectrequest_package_preview", args=[privacy_request.pk])
                if name == "send_package"
                else ""
            ),
        }
        return TemplateResponse(request, "admin/privacy/datasubjectrequest/step.html", context)

    def file_view(self, request, request_id, file_id):
        """A file from the requester, decrypted, as a download no browser renders; only for who may see IDs."""
        if not (self.has_view_permission(request) and request.user.has_perm(VIEW_IDENTITY)):
            raise PermissionDenied
        requester_file = RequesterFile.objects.filter(pk=file_id, request_id=request_id).first()
        if requester_file is None or not requester_file.encrypted_path or requester_file.deleted_at:
            raise Http404
        try:
            content = read_decrypted(requester_file.encrypted_path)
        except FileNotFoundError as error:
            raise Http404 from error
        audit.record_access(
            user=request.user,
            instance=requester_file.request,
            read="identity_copy" if requester_file.kind == RequesterFile.Kind.IDENTITY else "requester_file",
            file=requester_file.pk,
        )
        response = HttpResponse(content, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=safe_name(requester_file.original_name)
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Should a browser render it after all, it runs no script and loads nothing.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return private_headers(response, referrer_policy="no-referrer")

    def package_preview_view(self, request, request_id):
        """The data package as the requester would receive it, for staff to check before approving."""
        privacy_request = self._request(request, request_id)
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        if privacy_request.right not in PACKAGE_RIGHTS or not privacy_request.is_open:
            raise Http404
        content = build_package(privacy_request)
        audit.record_access(user=request.user, instance=privacy_request, read="package_preview")
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{privacy_request.reference}-voorbeeld.zip"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return private_headers(response, referrer_policy="no-referrer")

    # Staff entry of a request that came by phone, letter or e-mail

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffRequestForm(
            request.POST if request.method == "POST" else None,
            initial={"language": settings.LANGUAGE_CODE, "received_at": timezone.localtime().replace(second=0)},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            # Only to word the message: the service itself decides whether this is a duplicate.
            known = dict(
                DataSubjectRequest.objects.filter(email__iexact=data["email"].strip(), right=data["right"]).values_list(
                    "pk", "state"
                )
            )
            try:
                privacy_request = services.request_submit(
                    data=services.RequestInput(
                        right=data["right"],
                        relation=data["relation"],
                        name=data["name"],
                        email=data["email"],
                        description=data["description"],
                        hosted_url=data["hosted_url"],
                        language=data["language"],
                        channel=data["channel"],
                        received_at=data["received_at"],
                    ),
                    entered_by=request.user,
                )
            except PrivacyError as error:
                add_service_error(form, error)
            else:
                if known.get(privacy_request.pk) == State.UNCONFIRMED:
                    self.message_user(
                        request,
                        _(
                            "%(reference)s: this person had already sent this request through the website without "
                            "confirming it; it is now confirmed and being handled. No second case was made."
                        )
                        % {"reference": privacy_request.reference},
                        messages.WARNING,
                    )
                elif privacy_request.pk in known:
                    self.message_user(
                        request,
                        _(
                            "%(reference)s: this person already has a request for this right, so no new one was "
                            "made. They were sent a new link to it."
                        )
                        % {"reference": privacy_request.reference},
                        messages.WARNING,
                    )
                else:
                    self.log_addition(request, privacy_request, [{"added": {}}])
                    self.message_user(
                        request,
                        _(
                            "%(reference)s recorded; due %(due)s. The requester receives an e-mail with a link to "
                            "follow it."
                        )
                        % {
                            "reference": privacy_request.reference,
                            "due": date_format(privacy_request.due_on, "l j F Y") if privacy_request.due_on else "-",
                        },
                        messages.SUCCESS,
                    )
                return redirect(self._change_url(privacy_request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Enter a privacy request"),
            "form": form,
            "media": self.media + form.media,
            "changelist_url": reverse("admin:privacy_datasubjectrequest_changelist"),
        }
        return TemplateResponse(request, "admin/privacy/datasubjectrequest/add.html", context)


def deadline_badge(privacy_request: DataSubjectRequest, status) -> str:
    """The due date and the days left, coloured, with words beside the colour for who cannot tell colours apart."""
    if privacy_request.due_on is None:
        return "-"
    due, full = date_format(privacy_request.due_on, "D j M"), date_format(privacy_request.due_on, "l j F Y")
    if status.colour == "closed":
        return format_html('<span title="{}">{}</span>', full, due)
    return format_html(
        '<span class="privacy-badge privacy-badge-{}" title="{}">{}<span class="privacy-badge-words">{}</span></span>',
        status.colour,
        full,
        due,
        status.label,
    )


def _outcome_rows(outcomes) -> list[dict]:
    """An erasure plan or result (``privacy.registry.erase_all``) as rows of what, action and reason."""
    return [
        {
            "label": outcome.get("label") or outcome.get("entry", ""),
            "action": outcome.get("action", ""),
            "action_label": ACTION_LABELS.get(outcome.get("action"), outcome.get("action", "")),
            "reason": outcome.get("reason", ""),
        }
        for outcome in outcomes or []
        if isinstance(outcome, dict)
    ]


# --- the breach register ---------------------------------------------------------------------------------------


def _csv_response(rows: list[list[str]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    csv.writer(response).writerows(rows)
    return private_headers(response, referrer_policy="no-referrer")


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    form = BreachForm
    list_display = ["reference", "title", "discovered", "clock", "affected_count", "notified"]
    list_display_links = ["reference", "title"]
    search_fields = ["reference", "title", "what_happened", "affected_clients__name"]
    date_hierarchy = "discovered_at"
    autocomplete_fields = ["affected_clients"]
    # The browser's own date and time picker rather than the admin's split fields, as in the other privacy forms.
    formfield_overrides = {models.DateTimeField: {"form_class": forms.DateTimeField, "widget": DATETIME_INPUT}}
    readonly_fields = ["reference", "created_at", "created_by"]
    actions = ["notify_clients", "export_csv"]
    change_form_template = "admin/privacy/breach/change_form.html"
    change_list_template = "admin/privacy/breach/change_list.html"
    fieldsets = [
        (None, {"fields": ["reference", "title", "discovered_at", "occurred_at"]}),
        (
            gettext_lazy("What happened"),
            {"fields": ["what_happened", "cause", "consequences", "remedy"]},
        ),
        (
            gettext_lazy("Data and people"),
            {"fields": ["data_categories", "data_subjects_estimate", "affected_clients"]},
        ),
        (
            gettext_lazy("Autoriteit Persoonsgegevens and closing"),
            {"fields": ["authority_notified_at", "authority_reference", "closed_at", "created_at", "created_by"]},
        ),
    ]

    class Media:
        css = {"all": ["css/admin-ntd.css"]}

    def get_queryset(self, request):
        return selectors.breaches_with_counts(super().get_queryset(request)).select_related("created_by")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            # A new entry has no reference or registration yet: the service gives them.
            return [
                (title, {"fields": [f for f in o["fields"] if f not in self.readonly_fields]})
                for title, o in self.fieldsets
            ]
        return self.fieldsets

    def has_delete_permission(self, request, obj=None):
        # The register keeps every breach (GDPR art. 33(5)).
        return False

    # Columns

    @admin.display(description=gettext_lazy("discovered at"), ordering="discovered_at")
    def discovered(self, breach):
        return date_format(timezone.localtime(breach.discovered_at), "j M Y H:i")

    @admin.display(description=gettext_lazy("72-hour clock"))
    def clock(self, breach):
        return clock_badge(selectors.breach_clock(breach))

    @admin.display(description=gettext_lazy("affected clients"), ordering="affected_count")
    def affected_count(self, breach):
        return breach.affected_count

    @admin.display(description=gettext_lazy("notified"))
    def notified(self, breach):
        if not breach.affected_count:
            return "-"
        return _("%(notified)d of %(affected)d") % {
            "notified": breach.notified_count,
            "affected": breach.affected_count,
        }

    # Saving goes through the services: they give the reference and check the times.

    def save_model(self, request, obj, form, change):
        data = form.breach_input()
        if change:
            breach = services.breach_update(breach_id=obj.pk, data=data, user=request.user)
        else:
            breach = services.breach_register(data=data, user=request.user)
        obj.pk, obj.reference, obj.created_at, obj.created_by = (
            breach.pk,
            breach.reference,
            breach.created_at,
            breach.created_by,
        )

    def save_related(self, request, form, formsets, change):
        # The service set the affected clients; only inlines (none today) would be saved here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    # The breach page

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                {
                    "clock": selectors.breach_clock(obj),
                    "clock_html": clock_badge(selectors.breach_clock(obj)),
                    "notifications": selectors.breach_notifications(obj),
                    "to_notify": selectors.breach_clients_to_notify(obj),
                    "notify_url": reverse("admin:privacy_breach_notify", args=[obj.pk]),
                    "may_notify": request.user.has_perm(CHANGE_BREACH),
                }
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:breach_id>/klanten-informeren/", wrap(self.notify_view), name="privacy_breach_notify"),
            path("export/", wrap(self.export_view), name="privacy_breach_export"),
            *super().get_urls(),
        ]

    def _notify(self, request, breaches) -> None:
        for breach in breaches:
            try:
                notifications = services.breach_notify_clients(breach_id=breach.pk, user=request.user)
            except PrivacyError as error:
                self.message_user(request, f"{breach.reference}: {' '.join(error.messages)}", messages.ERROR)
                continue
            if notifications:
                self.message_user(
                    request,
                    ngettext(
                        "%(reference)s: %(count)d client was told: %(names)s.",
                        "%(reference)s: %(count)d clients were told: %(names)s.",
                        len(notifications),
                    )
                    % {
                        "reference": breach.reference,
                        "count": len(notifications),
                        "names": ", ".join(n.client.name for n in notifications),
                    },
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    _("%(reference)s: every affected client was told before; nobody was told again.")
                    % {"reference": breach.reference},
                    messages.INFO,
                )

    def notify_view(self, request, breach_id):
        if not request.user.has_perm(CHANGE_BREACH):
            raise PermissionDenied
        breach = Breach.objects.filter(pk=breach_id).first()
        if breach is None:
            raise Http404
        if request.method == "POST":
            self._notify(request, [breach])
        return redirect(reverse("admin:privacy_breach_change", args=[breach.pk]) + "#notifications")

    @admin.action(description=gettext_lazy("Notify the affected clients"), permissions=["change"])
    def notify_clients(self, request, queryset):
        self._notify(request, queryset.order_by("discovered_at", "pk"))

    @admin.action(description=gettext_lazy("Export as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return _csv_response(selectors.breach_register_csv_rows(queryset), "datalekkenregister.csv")

    def export_view(self, request):
        """The whole register as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _csv_response(selectors.breach_register_csv_rows(Breach.objects.all()), "datalekkenregister.csv")


def clock_badge(clock) -> str:
    return format_html(
        '<span class="privacy-badge privacy-badge-{}" title="{}">{}</span>',
        clock.colour,
        _("72 hours end %(when)s") % {"when": date_format(timezone.localtime(clock.deadline), "l j F Y H:i")},
        clock.label,
    )


# --- retention -------------------------------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the retention task did: staff may look, never change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RetentionRecordInline(admin.TabularInline):
    model = RetentionRecord
    fields = ["rule", "description", "count"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "removed"]
    date_hierarchy = "started_at"
    fields = ["started_at", "finished_at"]
    readonly_fields = fields
    inlines = [RetentionRecordInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(removed_total=Sum("records__count"))

    @admin.display(description=gettext_lazy("records removed or anonymised"), ordering="removed_total")
    def removed(self, run):
        return run.removed_total or 0


@admin.register(RetentionRecord)
class RetentionRecordAdmin(ReadOnlyAdmin):
    list_display = ["run_started", "rule", "description", "count"]
    list_filter = ["rule"]
    list_select_related = ["run"]
    fields = ["run", "rule", "description", "count"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("run"), ordering="run__started_at")
    def run_started(self, record):
        return date_format(timezone.localtime(record.run.started_at), "j M Y H:i")
