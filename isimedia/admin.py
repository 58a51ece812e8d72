"""Admin for the shared models: staff users, company closing days and the e-mail outbox."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import outbox, twofactor
from .models import ClosingDay, OutboxMessage, User

# The device admin of django-otp shows each secret key; staff never need it. A lost phone is handled by the reset
# action on the user list, after which the staff member sets up a new app at their next sign-in.
admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "two_factor", "last_login"]
    actions = ["reset_two_factor"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "language", "password1", "password2")}),)

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(confirmed))

    @admin.display(description=_("two-step sign-in"), boolean=True, ordering="has_two_factor")
    def two_factor(self, user):
        return user.has_two_factor

    @admin.action(description=_("Reset two-step sign-in (lost phone)"))
    def reset_two_factor(self, request, queryset):
        if not request.user.is_superuser:
            self.message_user(request, _("Only a superuser may reset two-step sign-in."), messages.ERROR)
            return
        users = list(queryset)
        for user in users:
            twofactor.remove_devices(user)
        self.message_user(
            request,
            ngettext(
                "Two-step sign-in reset for %(count)d account: it sets up a new app at its next sign-in.",
                "Two-step sign-in reset for %(count)d accounts: each sets up a new app at its next sign-in.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason"]
    date_hierarchy = "date"
    search_fields = ["reason"]


HIDDEN = _(
    "Hidden: this message contains a personal link (password, invitation or tracking) that only its recipient may see."
)


# Template prefix -> the permission that lets a staff member read those e-mails in the outbox.
OUTBOX_OWNERS = {
    "ntd_": "ntd.view_notice",
    "privacy_": "privacy.view_datasubjectrequest",
    "satisfaction_": "satisfaction.view_feedback",
}


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry_messages", "cancel_messages"]
    list_per_page = 50
    # The message is a record of what was (or will be) sent: nothing in it may be edited.
    readonly_fields = [*(f.name for f in OutboxMessage._meta.fields), "preview", "text"]
    fieldsets = (
        (None, {"fields": ("to", "reply_to", "subject", "template", "language", "created_at", "sensitive")}),
        (
            _("Delivery"),
            {"fields": ("status", "attempts", "last_attempt_at", "next_attempt_at", "sent_at", "last_error")},
        ),
        (_("Content"), {"fields": ("preview", "text")}),
    )

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # An app's e-mails name the people of its cases (a complainant, a privacy requester, an unhappy client):
        # staff who may not see those cases do not even see that such e-mails exist (recipient and subject included).
        for prefix, permission in OUTBOX_OWNERS.items():
            if not request.user.has_perm(permission):
                queryset = queryset.exclude(template__startswith=prefix)
        return queryset

    @admin.display(description=_("as the recipient sees it"))
    def preview(self, obj):
        if obj.sensitive:
            return HIDDEN
        if not obj.body_html:
            return "-"
        # A sandboxed frame: the message's HTML can neither run script nor reach the admin's page or cookies.
        return format_html(
            '<iframe sandbox srcdoc="{}" title="{}" width="640" height="480"></iframe>', obj.body_html, obj.subject
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("plain text"))
    def text(self, obj):
        return HIDDEN if obj.sensitive else obj.body_text

    # Only people who may change outgoing e-mail (superusers) retry or cancel it: a cancelled message may be a
    # notice the law requires.
    @admin.action(description=_("Try failed messages again"), permissions=["change"])
    def retry_messages(self, request, queryset):
        count = sum(outbox.outbox_retry(message_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%d message queued again.", "%d messages queued again.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )

    @admin.action(description=_("Cancel messages that were not sent"), permissions=["change"])
    def cancel_messages(self, request, queryset):
        count = sum(outbox.outbox_cancel(message_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%d message cancelled.", "%d messages cancelled.", count) % count,
            messages.SUCCESS if count else messages.WARNING,
        )


from . import audit_admin  # noqa: E402, F401  (the audit trail, in a file of its own)
