"""Admin for the terms and DPA versions, the DPA signatures and the objections.

Drafts are edited here; publishing goes through ``version_publish`` after a confirmation page that shows the notice
period. A published version is shown read-only (the database would refuse a change anyway), signatures are evidence
and are never changed, and objections are settled through ``objection_settle`` so the client is always told.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from isimedia.forms import add_service_error

from . import services
from .errors import ContractsError
from .models import Acceptance, DocumentKind, DocumentVersion, Objection
from .objection_forms import ObjectionSettleForm
from .selectors.documents import version_annotate_status, version_signatures_overview
from .services import documents as document_services

Status = DocumentVersion.Status

# CSS classes per status, borrowed from the NTD admin's stylesheet (css/admin-ntd.css, loaded by AdminMedia); the
# words say the same for who cannot tell the colours apart.
STATUS_CLASSES = {
    Status.DRAFT: "ntd-state",
    Status.SCHEDULED: "ntd-deadline ntd-urgency-amber",
    Status.IN_FORCE: "ntd-deadline ntd-urgency-green",
    Status.SUPERSEDED: "ntd-muted",
}

# How many clients the "signed / not signed" lists of a version show; the counts are always complete.
CLIENT_LIST_LIMIT = 200

DRAFT_FIELDS = ["label", "title", "body", "summary", "effective_on"]


def _download(field_file, filename: str) -> FileResponse:
    """A stored PDF as an attachment; nothing is rendered here, ever."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _status_html(status: str, label) -> str:
    return format_html('<span class="{}">{}</span>', STATUS_CLASSES.get(status, "ntd-state"), label)


class AdminMedia:
    css = {"all": ["css/admin-ntd.css"]}


# --- Document versions ----------------------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class DocumentVersionForm(forms.ModelForm):
    """A draft's fields, checked as ``version_create_draft`` and ``version_update_draft`` check them."""

    class Meta:
        model = DocumentVersion
        fields = ["kind", *DRAFT_FIELDS]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 30, "cols": 100, "class": "vLargeTextField"}),
            "summary": forms.Textarea(attrs={"rows": 4, "cols": 100}),
        }

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or getattr(self.instance, "kind", None)
        values = {name: cleaned[name] for name in DRAFT_FIELDS if name in cleaned and name in self.fields}
        if kind and values:
            try:
                cleaned.update(
                    document_services.version_clean_draft_values(
                        kind=kind, values=values, instance=self.instance if self.instance.pk else None
                    )
                )
            except ContractsError as error:
                add_service_error(self, error)
        return cleaned

    def validate_unique(self):
        # The label's uniqueness is checked with the service's words in clean().
        pass


class PublishForm(forms.Form):
    short_notice_reason = forms.CharField(
        label=gettext_lazy("Reason for the short notice"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text=gettext_lazy("Recorded with the version; it can never be changed afterwards."),
    )

    def __init__(self, *args, short_notice: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.short_notice = short_notice
        if short_notice:
            self.fields["short_notice_reason"].required = True
        else:
            del self.fields["short_notice_reason"]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    form = DocumentVersionForm
    list_display = ["label", "kind", "title", "status_label", "effective_on", "published_at", "pdf_ready"]
    list_display_links = ["label"]
    list_filter = ["kind", StatusFilter]
    search_fields = ["label", "title"]
    ordering = ["kind", "-effective_on", "-id"]
    actions = ["publish_action"]
    change_form_template = "admin/contracts/documentversion/change_form.html"
    Media = AdminMedia

    PUBLISHED_FIELDS = [
        "kind",
        "label",
        "title",
        "status_label",
        "effective_on",
        "summary",
        "body",
        "published_at",
        "published_by",
        "short_notice_reason",
        "text_sha256",
        "pdf_link",
        "pdf_sha256",
    ]

    def get_queryset(self, request):
        return version_annotate_status(super().get_queryset(request)).select_related("published_by")

    # Drafts are edited, published versions only viewed: the database refuses any change to them.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["kind", *DRAFT_FIELDS]
        if obj.is_published:
            return self.PUBLISHED_FIELDS
        return ["kind", "status_label", *DRAFT_FIELDS, "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_published:
            return self.PUBLISHED_FIELDS
        return ["kind", "status_label", "created_at"]

    def get_actions(self, request):
        # No bulk deletion: a published version among the selection would be refused by the database. A draft is
        # deleted from its own page.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in DRAFT_FIELDS}
        if change:
            saved = document_services.version_update_draft(
                version_id=obj.pk, **{name: values[name] for name in form.changed_data if name in values}
            )
        else:
            saved = document_services.version_create_draft(kind=form.cleaned_data["kind"], **values)
        obj.pk = saved.pk
        obj.refresh_from_db()

    # Columns and read-only fields

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_label(self, version):
        status = getattr(version, "status", None) or (Status.SCHEDULED if version.is_published else Status.DRAFT)
        return _status_html(status, Status(status).label)

    @admin.display(description=gettext_lazy("PDF ready"), boolean=True)
    def pdf_ready(self, version):
        if not version.is_published:
            return None
        return bool(version.pdf)

    @admin.display(description=gettext_lazy("PDF"))
    def pdf_link(self, version):
        if not version.pdf:
            return _("The PDF is being rendered; reload this page in a minute.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:contracts_documentversion_pdf", args=[version.pk]),
            _("Download the PDF"),
        )

    # Pages of their own

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:version_id>/publiceren/",
                wrap(self.publish_view),
                name="contracts_documentversion_publish",
            ),
            path("<int:version_id>/pdf/", wrap(self.pdf_view), name="contracts_documentversion_pdf"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["version"] = obj
            context["may_publish"] = not obj.is_published and self._may_publish(request)
            if obj.is_published:
                context["signatures"] = (
                    version_signatures_overview(obj, limit=CLIENT_LIST_LIMIT) if obj.kind == DocumentKind.DPA else None
                )
                context["objections"] = list(
                    Objection.objects.filter(version=obj).select_related("client").order_by("-created_at", "-id")
                )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _may_publish(self, request) -> bool:
        return super().has_change_permission(request)

    def _change_url(self, version: DocumentVersion) -> str:
        return reverse("admin:contracts_documentversion_change", args=[version.pk])

    @admin.action(description=gettext_lazy("Publish or schedule the selected draft"), permissions=["change"])
    def publish_action(self, request, queryset):
        versions = list(queryset[:2])
        if len(versions) != 1 or versions[0].is_published:
            self.message_user(request, _("Select one draft to publish."), messages.ERROR)
            return None
        return redirect("admin:contracts_documentversion_publish", versions[0].pk)

    def publish_view(self, request, version_id):
        if not self._may_publish(request):
            raise PermissionDenied
        version = get_object_or_404(self.get_queryset(request), pk=version_id)
        if version.is_published:
            self.message_user(
                request, _("Version %(label)s is already published.") % {"label": version.label}, messages.ERROR
            )
            return redirect(self._change_url(version))
        today = timezone.localdate()
        deadline = document_services.notice_deadline(version.kind, today)
        short_notice = version.effective_on < deadline
        # Bound on a POST even without fields: with the full notice the form has none.
        form = PublishForm(request.POST if request.method == "POST" else None, short_notice=short_notice)
        if request.method == "POST" and form.is_valid():
            try:
                version = document_services.version_publish(
                    version_id=version.pk,
                    user=request.user,
                    short_notice_reason=form.cleaned_data.get("short_notice_reason", ""),
                )
            except ContractsError as error:
                add_service_error(form, error)
            else:
                if version.effective_on > today:
                    message = _("%(version)s is published and takes effect on %(date)s.")
                else:
                    message = _("%(version)s is published and in force from today, %(date)s.")
                self.message_user(
                    request,
                    message % {"version": version, "date": date_format(version.effective_on, "j F Y")},
                    messages.SUCCESS,
                )
                return redirect(self._change_url(version))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": version,
            "version": version,
            "title": _("Publish %(version)s") % {"version": version},
            "form": form,
            "media": self.media + form.media,
            "notice_months": document_services.notice_months(version.kind),
            "notice_deadline": deadline,
            "short_notice": short_notice,
            "in_the_past": version.effective_on < today,
            "takes_effect_today": version.effective_on == today,
            "change_url": self._change_url(version),
        }
        return TemplateResponse(request, "admin/contracts/documentversion/publish.html", context)

    def pdf_view(self, request, version_id):
        version = get_object_or_404(DocumentVersion, pk=version_id, published_at__isnull=False)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        return _download(version.pdf, f"{version.kind}-{version.label}.pdf")


# --- DPA signatures -------------------------------------------------------------------------------------------------


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    """Signatures are evidence: shown, searched and downloaded, never added, changed or deleted here."""

    list_display = ["company_name", "kvk_number", "version_label", "signer_name", "signer_title", "accepted_at", "pdf"]
    list_select_related = ["version"]
    list_filter = [("client", admin.RelatedOnlyFieldListFilter), ("version", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company_name", "kvk_number", "signer_name", "client__name", "client__kvk_number"]
    date_hierarchy = "accepted_at"
    fields = [
        "client",
        "company_name",
        "kvk_number",
        "version",
        "version_label",
        "text_sha256",
        "signer_name",
        "signer_title",
        "user",
        "statement",
        "accepted_at",
        "ip_address",
        "user_agent",
        "evidence_sha256",
        "pdf",
        "signed_pdf_sha256",
    ]
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("signed PDF"))
    def pdf(self, acceptance):
        return signed_pdf_link(acceptance)


def signed_pdf_link(acceptance: Acceptance) -> str:
    """A link to the signed PDF's one download view (staff who may view signatures may download any)."""
    if not acceptance.signed_pdf:
        return _("being made")
    try:
        url = reverse("contracts_signing:dpa_pdf", args=[acceptance.pk])
    except NoReverseMatch:
        # The signing pages are not part of this site's URLs (yet).
        return _("ready")
    return format_html('<a href="{}">{}</a>', url, _("Download"))


class ClientAcceptanceInline(admin.TabularInline):
    """The client's DPA signatures on its own page; read-only, like the signatures themselves."""

    model = Acceptance
    fields = ["version", "signer_name", "signer_title", "accepted_at", "pdf"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = gettext_lazy("DPA signatures")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("signed PDF"))
    def pdf(self, acceptance):
        return signed_pdf_link(acceptance)


# --- Objections -----------------------------------------------------------------------------------------------------


class SettledFilter(admin.SimpleListFilter):
    title = gettext_lazy("settled")
    parameter_name = "settled"

    def lookups(self, request, model_admin):
        return [("no", _("Open")), ("yes", _("Settled"))]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(settled_at__isnull=self.value() == "no")
        return queryset


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["client", "version", "created_at", "is_settled", "settled_at"]
    list_select_related = ["client", "version"]
    list_filter = [SettledFilter, "version__kind"]
    search_fields = ["client__name", "client__kvk_number", "text"]
    fields = ["client", "version", "user", "created_at", "text", "settled_at", "settled_by", "settlement"]
    readonly_fields = fields
    change_form_template = "admin/contracts/objection/change_form.html"
    actions = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("client", "version", "user", "settled_by")

    # Objections are made by clients and settled with "Settle"; the record itself is never edited or removed.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("settled"), boolean=True, ordering="settled_at")
    def is_settled(self, objection):
        return objection.settled_at is not None

    def _may_settle(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_urls(self):
        return [
            path(
                "<int:objection_id>/afhandelen/",
                self.admin_site.admin_view(self.settle_view),
                name="contracts_objection_settle",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["may_settle"] = obj.settled_at is None and self._may_settle(request)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def settle_view(self, request, objection_id):
        if not self._may_settle(request):
            raise PermissionDenied
        objection = get_object_or_404(self.get_queryset(request), pk=objection_id)
        change_url = reverse("admin:contracts_objection_change", args=[objection.pk])
        if objection.settled_at is not None:
            self.message_user(request, _("This objection has already been settled."), messages.ERROR)
            return redirect(change_url)
        form = ObjectionSettleForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.objection_settle(
                    objection_id=objection.pk, settlement=form.cleaned_data["settlement"], user=request.user
                )
            except ContractsError as error:
                add_service_error(form, error)
            else:
                self.message_user(
                    request,
                    _("The objection of %(client)s is settled; the contact has been told by e-mail.")
                    % {"client": objection.client.name},
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": objection,
            "objection": objection,
            "title": _("Settle the objection of %(client)s") % {"client": objection.client.name},
            "form": form,
            "media": self.media + form.media,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/contracts/objection/settle.html", context)
