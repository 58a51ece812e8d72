"""Signing the DPA from the client's account, downloading the sealed PDF, and the public verification page.

No view here renders a PDF: the download serves the bytes the worker stored, or says they are being prepared, and
the verification page only reads the uploaded file.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView

from isimedia import audit
from isimedia.http import rate_limit_key
from ntd import ratelimit

from . import sealing, selectors
from .errors import ContractsError
from .markdown import render_markdown
from .selectors.signing import Verdict, acceptance_for_download, dpa_status_for_client, dpa_verify
from .services.signing import client_ip_address, dpa_sign, signed_pdf_filename
from .signing_forms import VERIFY_MAX_BYTES, DpaSignForm, VerifyForm

# A multipart request carries some bytes besides the file itself.
_MULTIPART_OVERHEAD = 64 * 1024


class _ContactMixin(LoginRequiredMixin):
    """Pages for a client contact; staff and accounts without a client get the page that says so."""

    not_client_template_name = "contracts/account_not_client.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.contact = selectors.client_contact_for_user(user=request.user)
        if self.contact is None:
            return self.response_class(
                request=request, template=[self.not_client_template_name], context={}, status=403
            )
        return super().dispatch(request, *args, **kwargs)


class DpaStatusView(_ContactMixin, TemplateView):
    """The client's DPA: what is signed, what waits, and the signed PDFs."""

    template_name = "contracts/signing/status.html"

    def get(self, request, *args, **kwargs):
        client = self.contact.client
        context = self.get_context_data(contact=self.contact, client=client, dpa_status=dpa_status_for_client(client))
        return self.render_to_response(context)


class DpaSignView(_ContactMixin, TemplateView):
    """One DPA version, its text, and the form that signs it."""

    template_name = "contracts/signing/sign.html"
    http_method_names = ["get", "post"]

    def _load(self, label: str):
        status = dpa_status_for_client(self.contact.client)
        version = next((v for v in status.signable if v.label == label), None)
        if version is None:
            # Drafts, superseded and unknown versions cannot be signed; as far as this page goes they do not exist.
            raise Http404
        return status, version

    def get(self, request, *args, **kwargs):
        status, version = self._load(kwargs["label"])
        if status.acceptance_of(version) is not None:
            return self._already_signed(status.acceptance_of(version))
        return self.page(status, version, DpaSignForm(company_name=self.contact.client.name))

    def post(self, request, *args, **kwargs):
        status, version = self._load(kwargs["label"])
        client = self.contact.client
        form = DpaSignForm(request.POST, company_name=client.name)
        if form.is_valid():
            try:
                acceptance = dpa_sign(
                    client=client,
                    user=request.user,
                    version=version,
                    signer_name=form.cleaned_data["signer_name"],
                    signer_title=form.cleaned_data["signer_title"],
                    authorised=form.cleaned_data["authorised"],
                    ip_address=client_ip_address(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except ContractsError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: %(company)s has signed the data processing agreement %(label)s. We are preparing "
                        "the signed PDF; it appears here in a moment."
                    )
                    % {"label": acceptance.version_label, "company": acceptance.company_name},
                )
                return redirect("contracts_signing:dpa")
        return self.page(status, version, form, status_code=400)

    def _already_signed(self, acceptance):
        messages.info(
            self.request,
            _("Version %(label)s was already signed for %(company)s on %(date)s by %(name)s.")
            % {
                "label": acceptance.version_label,
                "company": acceptance.company_name,
                "date": formats.date_format(timezone.localtime(acceptance.accepted_at), "DATE_FORMAT"),
                "name": acceptance.signer_name,
            },
        )
        return redirect("contracts_signing:dpa")

    def page(self, status, version, form, status_code=200):
        context = self.get_context_data(
            contact=self.contact,
            client=self.contact.client,
            version=version,
            is_in_force=version == status.in_force,
            body_html=render_markdown(version.body).html,
            version_url=reverse("documents:dpa_version", kwargs={"label": version.label}),
            pdf_url=reverse("documents:dpa_pdf", kwargs={"label": version.label}) if version.pdf else "",
            form=form,
            refusals=form.non_field_errors(),
        )
        return self.render_to_response(context, status=status_code)


class SignedPdfView(LoginRequiredMixin, View):
    """The sealed PDF of one signature, for a contact of its client or staff who may view signatures."""

    preparing_template_name = "contracts/signing/preparing.html"

    def get(self, request, acceptance_id: int):
        acceptance = acceptance_for_download(user=request.user, acceptance_id=acceptance_id)
        if acceptance is None:
            raise Http404
        if not acceptance.signed_pdf:
            # Made by a worker within a minute or so of signing; never here, while someone waits.
            response = render(request, self.preparing_template_name, {"acceptance": acceptance})
            response["Cache-Control"] = "private, no-store"
            return response
        try:
            handle = acceptance.signed_pdf.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        if request.user.is_staff:
            # A client's contact reads their own company's signature; a staff member's read is on the record.
            audit.record_access(user=request.user, instance=acceptance, read="signed_dpa")
        response = FileResponse(
            handle, as_attachment=True, filename=signed_pdf_filename(acceptance), content_type="application/pdf"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


@method_decorator(csrf_exempt, name="dispatch")
class VerifyView(View):
    """Anyone uploads a PDF and learns whether ISI Media's seal on it holds and what it belongs to.

    The CSRF check runs in ``post`` itself, after the request's size is checked: Django's middleware would read (and
    store) the whole upload before the view could refuse it.
    """

    template_name = "contracts/signing/verify.html"

    def get(self, request):
        return self.page(request, VerifyForm())

    def post(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > VERIFY_MAX_BYTES + _MULTIPART_OVERHEAD:
            refusal = _("This file is too large to be a signed agreement of ours.")
            return self.page(request, VerifyForm(), refusal=refusal, status=413)
        return self._checked_post(request)

    @method_decorator(csrf_protect)
    def _checked_post(self, request):
        window = settings.CONTRACTS_VERIFY_RATE_WINDOW
        if not ratelimit.hit(f"verify:{rate_limit_key(request)}", settings.CONTRACTS_VERIFY_RATE_LIMIT, window):
            refusal = _("Too many files were checked from your internet address. Please try again later.")
            response = self.page(request, VerifyForm(), refusal=refusal, status=429)
            response["Retry-After"] = str(ratelimit.retry_after(window))
            return response
        form = VerifyForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.page(request, form, status=400)
        verification = dpa_verify(form.cleaned_data["pdf"])
        return self.page(request, VerifyForm(), verification=verification)

    def page(self, request, form, verification=None, refusal="", status=200):
        try:
            identity = sealing.sealing_identity()
        except sealing.SealingNotConfigured:
            identity = None
        context = {
            "form": form,
            "refusal": refusal,
            "verification": verification,
            "Verdict": Verdict,
            "identity": identity,
            "upload_name": getattr(request.FILES.get("pdf"), "name", "") if verification else "",
        }
        response = TemplateResponse(request, self.template_name, context, status=status)
        response["Cache-Control"] = "private, no-store"
        return response


def certificate_pem(request):
    """ISI Media's public sealing certificate, for checking a signed PDF with pyHanko or a PDF reader."""
    try:
        identity = sealing.sealing_identity()
    except sealing.SealingNotConfigured as error:
        raise Http404 from error
    response = HttpResponse(identity.pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="isimedia-certificaat.pem"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
