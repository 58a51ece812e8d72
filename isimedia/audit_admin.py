"""The audit trail in the admin: who changed or opened what, when; read-only for everyone, exportable as CSV.

A staff member sees only the entries about the kinds of object they may view themselves (NTD handlers the NTD
cases, privacy officers the privacy requests, contract managers contracts and satisfaction; superusers everything),
so the log reveals nothing of a case its reader may not open. Nobody can add, change or delete an entry here.
"""

import csv
from datetime import UTC, datetime

from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from ntd.http import private_headers

from . import audit
from .spreadsheets import text_cell
from .workdays import AMSTERDAM

# The app's heading on the admin index; the model itself stays django-auditlog's.
apps.get_app_config("auditlog").verbose_name = gettext_lazy("Audit trail")
# django-auditlog ships no Dutch: its action names are marked here so that they are in the portal's catalogue.
AUDITLOG_ACTION_WORDS = (gettext_noop("create"), gettext_noop("update"), gettext_noop("delete"), gettext_noop("access"))

SYSTEM = "system"
# How many field names the list shows per entry before "…".
SUMMARY_FIELDS = 4


# --- who may see which entries ------------------------------------------------------------------------------------


def visible_content_type_ids(request) -> set[int] | None:
    """``audit.visible_content_type_ids`` for the request's user, worked out once per request."""
    if not hasattr(request, "_audit_visible_types"):
        request._audit_visible_types = audit.visible_content_type_ids(request.user)
    return request._audit_visible_types


def visible_entries(request, queryset):
    allowed = visible_content_type_ids(request)
    return queryset if allowed is None else queryset.filter(content_type_id__in=allowed)


# --- how an entry reads -------------------------------------------------------------------------------------------


def actor_label(entry: LogEntry) -> str:
    if entry.actor_email:
        return entry.actor_email
    if entry.actor_id:
        return f"#{entry.actor_id}"
    # Written outside a request by a logged-in user: a scheduled task, a management command, a public form.
    return _("system")


def model_of(entry: LogEntry):
    return entry.content_type.model_class()


def object_type(entry: LogEntry) -> str:
    model = model_of(entry)
    return capfirst(model._meta.verbose_name) if model else entry.content_type.model


def field_label(model, name: str) -> str:
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name)) if model else name
    except FieldDoesNotExist:
        return name


def value_label(model, name: str, value) -> str:
    """A recorded value as staff read it: choices by their label, times in Amsterdam, hidden values said so."""
    if value is None or value in audit.EMPTY:
        return "—"
    if value == audit.HIDDEN:
        return _("(not kept in the log)")
    try:
        field = model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return str(value)
    if field.choices:
        return str({str(key): label for key, label in field.flatchoices}.get(str(value), value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value == "True" else _("no")
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        # auditlog compares and stores date-times as naive UTC.
        moment = moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)
        return formats.date_format(timezone.localtime(moment, AMSTERDAM), "Y-m-d H:i:s")
    if field.is_relation:
        return f"#{value}"
    return str(value)


def change_rows(entry: LogEntry) -> list[tuple[str, str, str]]:
    """(field, before, after) for every field the entry records, in readable form."""
    model = model_of(entry)
    rows = []
    for name, values in sorted((entry.changes or {}).items()):
        label = field_label(model, name)
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(str(item) for item in values.get("objects", []))
            if values.get("operation") == "add":
                rows.append((label, "", _("added: %(objects)s") % {"objects": objects}))
            else:
                rows.append((label, _("removed: %(objects)s") % {"objects": objects}, ""))
            continue
        before, after = [*values, None, None][:2]
        rows.append((label, value_label(model, name, before), value_label(model, name, after)))
    return rows


def read_label(entry: LogEntry) -> str:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    label = audit.READS.get(data.get("read"))
    if label is None:
        return ""
    # The details are ids (of the file read, for instance).
    details = ", ".join(f"#{value}" for key, value in sorted(data.items()) if key != "read")
    return f"{label} ({details})" if details else str(label)


def summary(entry: LogEntry) -> str:
    if entry.action == LogEntry.Action.ACCESS:
        return _("read: %(what)s") % {"what": read_label(entry)}
    if entry.action == LogEntry.Action.DELETE:
        return ""
    model = model_of(entry)
    # The id of a new object says nothing the object column does not.
    skip = field_label(model, model._meta.pk.name) if model else None
    labels = [label for label, _before, _after in change_rows(entry) if label != skip]
    shown = ", ".join(labels[:SUMMARY_FIELDS])
    return f"{shown}, …" if len(labels) > SUMMARY_FIELDS else shown


def changes_text(entry: LogEntry) -> str:
    """The changes on one line, for the CSV: "field: before → after; …"."""
    if entry.action == LogEntry.Action.ACCESS:
        return _("read: %(what)s") % {"what": read_label(entry)}
    return "; ".join(f"{label}: {before} → {after}" for label, before, after in change_rows(entry))


def csv_rows(entries) -> list[list[str]]:
    """The entries as CSV rows, a header first; times as ISO 8601 in Amsterdam time."""
    rows = [
        [
            _("time"),
            _("by"),
            _("action"),
            _("object type"),
            _("object id"),
            _("object"),
            _("changes"),
        ]
    ]
    for entry in entries:
        rows.append(
            [
                text_cell(value)
                for value in (
                    timezone.localtime(entry.timestamp, AMSTERDAM).isoformat(timespec="seconds"),
                    actor_label(entry),
                    entry.get_action_display(),
                    object_type(entry),
                    entry.object_pk,
                    entry.object_repr,
                    changes_text(entry),
                )
            ]
        )
    return rows


# --- filters ------------------------------------------------------------------------------------------------------


class ObjectTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("object type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        allowed = visible_content_type_ids(request)
        types = ContentType.objects.get_for_models(*audit.logged_models())
        return sorted(
            (
                (str(content_type.pk), capfirst(model._meta.verbose_name))
                for model, content_type in types.items()
                if allowed is None or content_type.pk in allowed
            ),
            key=lambda item: str(item[1]),
        )

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(content_type_id=int(self.value()))
        return queryset


class ActorFilter(admin.SimpleListFilter):
    title = gettext_lazy("by")
    parameter_name = "by"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("email").values_list("pk", "email")
        return [(SYSTEM, _("system")), *((str(pk), email) for pk, email in staff)]

    def queryset(self, request, queryset):
        if self.value() == SYSTEM:
            return queryset.filter(Q(actor_email__isnull=True) | Q(actor_email=""), actor__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(actor_id=int(self.value()))
        return queryset


# --- the admin ----------------------------------------------------------------------------------------------------


if admin.site.is_registered(LogEntry):
    # django-auditlog's own admin shows every entry to whoever may view the model, and lets some be deleted.
    admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditTrailAdmin(admin.ModelAdmin):
    list_display = ["when", "by", "action", "kind", "target", "changed"]
    list_display_links = ["when"]
    list_filter = ["action", ObjectTypeFilter, ActorFilter, ("timestamp", admin.DateFieldListFilter)]
    list_select_related = ["content_type"]
    search_fields = ["object_repr", "actor_email", "=object_pk"]
    search_help_text = gettext_lazy("Search by object (a reference, a name), the staff member's e-mail or an id.")
    date_hierarchy = "timestamp"
    ordering = ["-timestamp", "-pk"]
    list_per_page = 50
    actions = None
    fields = ["when", "by", "action", "kind", "target", "read", "changes_table"]
    readonly_fields = fields
    change_list_template = "admin/auditlog/logentry/change_list.html"

    # Read-only for everyone, superusers included: the log is evidence.

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        allowed = visible_content_type_ids(request)
        if allowed is None:
            return True
        if obj is not None:
            return obj.content_type_id in allowed
        return bool(allowed)

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        # A read has no changes, a change no "what was read".
        unused = "changes_table" if obj.action == LogEntry.Action.ACCESS else "read"
        return [name for name in self.fields if name != unused]

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_queryset(self, request):
        return visible_entries(request, super().get_queryset(request))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An entry the reader may not see does not exist for them: no redirect that would confirm it does.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().change_view(
            request, object_id, form_url, extra_context={**(extra_context or {}), "title": _("Audit trail entry")}
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context={**(extra_context or {}), "title": _("Audit trail")})

    # Columns and fields

    @admin.display(description=gettext_lazy("when"), ordering="timestamp")
    def when(self, entry):
        return formats.date_format(timezone.localtime(entry.timestamp, AMSTERDAM), "Y-m-d H:i:s")

    @admin.display(description=gettext_lazy("by"))
    def by(self, entry):
        return actor_label(entry)

    @admin.display(description=gettext_lazy("object type"))
    def kind(self, entry):
        return object_type(entry)

    @admin.display(description=gettext_lazy("object"))
    def target(self, entry):
        model = model_of(entry)
        if entry.action == LogEntry.Action.DELETE or model is None or not self.admin_site.is_registered(model):
            return entry.object_repr
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                args=[entry.object_id if entry.object_id is not None else entry.object_pk],
            )
        except NoReverseMatch:
            return entry.object_repr
        return format_html('<a href="{}">{}</a>', url, entry.object_repr)

    @admin.display(description=gettext_lazy("changed"))
    def changed(self, entry):
        return summary(entry)

    @admin.display(description=gettext_lazy("read"))
    def read(self, entry):
        return read_label(entry) or "—"

    @admin.display(description=gettext_lazy("changes"))
    def changes_table(self, entry):
        rows = change_rows(entry)
        if not rows:
            return "—"
        return format_html(
            '<table class="audit-changes"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("field"),
            _("before"),
            _("after"),
            format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>", rows),
        )

    # The CSV export: everything the list shows now, with its filters and search, on all pages

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("export/", wrap(self.export_view), name="auditlog_logentry_export"), *super().get_urls()]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(reverse("admin:auditlog_logentry_changelist"))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"audittrail-{timezone.localdate(timezone=AMSTERDAM).isoformat()}.csv"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        csv.writer(response).writerows(csv_rows(changelist.queryset.iterator(chunk_size=2000)))
        return private_headers(response, referrer_policy="no-referrer")
