"""The client's objection to a scheduled version of the terms or the DPA, from its account."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from . import selectors, services
from .errors import ContractsError
from .models import DocumentVersion
from .objection_forms import ObjectionForm


class ObjectionView(LoginRequiredMixin, TemplateView):
    """A published version, the client's objections to it and their settlements, and the form while it may object."""

    template_name = "contracts/objections/objection.html"
    not_client_template_name = "contracts/account_not_client.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.contact = selectors.client_contact_for_user(user=request.user)
        if self.contact is None:
            return self.response_class(
                request=request, template=[self.not_client_template_name], context={}, status=403
            )
        # Drafts do not exist as far as clients are concerned.
        self.version = DocumentVersion.objects.filter(pk=kwargs["version_id"], published_at__isnull=False).first()
        if self.version is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.page(ObjectionForm())

    def post(self, request, *args, **kwargs):
        form = ObjectionForm(request.POST)
        if form.is_valid():
            try:
                services.objection_create(
                    client=self.contact.client, user=request.user, version=self.version, text=form.cleaned_data["text"]
                )
            except ContractsError as error:
                # Field errors stay beside the box; a refusal (too late, already objected) is shown above it.
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("We have received your objection. We will let you know by e-mail how we settle it.")
                )
                return redirect("contracts_objections:objection", version_id=self.version.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        objections = list(selectors.objections_for_client_and_version(client=self.contact.client, version=self.version))
        may_object = selectors.version_is_objectable(self.version) and not any(
            objection.settled_at is None for objection in objections
        )
        context = self.get_context_data(
            contact=self.contact,
            client=self.contact.client,
            version=self.version,
            objections=objections,
            may_object=may_object,
            is_objectable=selectors.version_is_objectable(self.version),
            form=form if may_object else None,
            refusals=form.non_field_errors(),
            version_url=_version_url(self.version),
        )
        return self.render_to_response(context, status=status)


def _version_url(version: DocumentVersion) -> str | None:
    """The version's public page, where its text and the changes can be read."""
    try:
        return reverse(f"documents:{version.kind}_version", kwargs={"label": version.label})
    except NoReverseMatch:
        # The public document pages are not part of this site's URLs (yet).
        return None
