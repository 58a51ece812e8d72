"""Admin for the client registry; inviting contacts goes through the service, so the e-mail is never forgotten."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import selectors, services
from .document_admin import ClientAcceptanceInline  # also registers the version, signature and objection admins
from .errors import ContractsError
from .forms import ClientContactInviteForm, ClientForm, WebsiteForm
from .models import Client, ClientContact, Website


class WebsiteInline(admin.TabularInline):
    model = Website
    form = WebsiteForm
    fields = ["host", "created_at"]
    readonly_fields = ["created_at"]
    extra = 0


class ClientContactInline(admin.TabularInline):
    """Shown for reference; contacts are added with "Invite contact" so they always get their invitation."""

    model = ClientContact
    fields = ["name", "email", "phone", "invited_at", "has_password"]
    readonly_fields = ["email", "invited_at", "has_password"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("e-mail address"))
    def email(self, contact):
        return contact.user.email

    @admin.display(description=gettext_lazy("has chosen a password"), boolean=True)
    def has_password(self, contact):
        return contact.user.has_usable_password()


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    form = ClientForm
    list_display = ["name", "kvk_number", "website_count", "contact_count", "language", "created_at"]
    list_filter = ["language", "created_at"]
    search_fields = ["name", "kvk_number", "contact_email", "websites__host"]
    readonly_fields = ["created_at"]
    fields = ["name", "kvk_number", "contact_email", "language", "created_at"]
    inlines = [WebsiteInline, ClientContactInline, ClientAcceptanceInline]

    def get_queryset(self, request):
        # Counted in the changelist query itself, so the page costs the same for 1 client or 100.
        return selectors.client_annotate_counts(super().get_queryset(request))

    @admin.display(description=gettext_lazy("websites"), ordering="website_count")
    def website_count(self, client):
        return client.website_count

    @admin.display(description=gettext_lazy("contacts"), ordering="contact_count")
    def contact_count(self, client):
        return client.contact_count

    def get_urls(self):
        return [
            path(
                "<path:object_id>/invite/",
                self.admin_site.admin_view(self.invite_contact_view),
                name="contracts_client_invite",
            ),
            *super().get_urls(),
        ]

    def invite_contact_view(self, request, object_id):
        client = self.get_object(request, unquote(object_id))
        if client is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_change_permission(request, client) and request.user.has_perm("contracts.add_clientcontact")):
            raise PermissionDenied
        form = ClientContactInviteForm(request.POST or None, initial={"language": client.language})
        if request.method == "POST" and form.is_valid():
            try:
                services.client_contact_invite(client=client, invited_by=request.user, **form.cleaned_data)
            except ContractsError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("The invitation to %(email)s is on its way.") % {"email": form.cleaned_data["email"]},
                    messages.SUCCESS,
                )
                return redirect("admin:contracts_client_change", client.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": client,
            "title": _("Invite a contact for %(client)s") % {"client": client.name},
            "form": form,
            "change_url": reverse("admin:contracts_client_change", args=[client.pk]),
        }
        return TemplateResponse(request, "admin/contracts/client/invite_contact.html", context)


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    form = WebsiteForm
    list_display = ["host", "client", "created_at"]
    list_select_related = ["client"]
    search_fields = ["host", "client__name", "client__kvk_number"]
    fields = ["client", "host", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["client"]


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "client", "phone", "invited_at", "has_password", "last_login"]
    list_select_related = ["user", "client"]
    list_filter = ["invited_at", "user__last_login"]
    search_fields = ["name", "user__email", "client__name", "client__kvk_number"]
    fields = ["client", "user", "name", "phone", "invited_at", "invited_by"]
    readonly_fields = ["client", "user", "invited_at", "invited_by"]
    actions = ["send_invitation"]

    def has_add_permission(self, request):
        # A contact without an invitation could never log in; use "Invite contact" on the client instead.
        return False

    @admin.display(description=gettext_lazy("e-mail address"), ordering="user__email")
    def email(self, contact):
        return contact.user.email

    @admin.display(description=gettext_lazy("has chosen a password"), boolean=True)
    def has_password(self, contact):
        return contact.user.has_usable_password()

    @admin.display(description=gettext_lazy("last login"), ordering="user__last_login")
    def last_login(self, contact):
        return contact.user.last_login

    @admin.action(description=gettext_lazy("(Re)send invitation"), permissions=["change"])
    def send_invitation(self, request, queryset):
        sent = 0
        for contact in queryset.select_related("user", "client"):
            try:
                services.client_contact_invite(
                    client=contact.client,
                    email=contact.user.email,
                    name=contact.name,
                    language=contact.user.language,
                    invited_by=request.user,
                )
            except ContractsError as error:
                self.message_user(request, f"{contact.user.email}: {' '.join(error.messages)}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", sent) % {"count": sent},
                messages.SUCCESS,
            )
