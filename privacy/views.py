"""The requester's pages: the privacy request form, the request's own page behind the secret link, the data package.

The views only parse input and call ``privacy.services`` and ``privacy.selectors``. Pages behind a secret link are
never cached or indexed, and speak the requester's language unless the visitor chose one with the language switch.
"""

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView

from isimedia.http import rate_limit_key
from ntd import ratelimit, uploads
from ntd.http import private_headers

from . import selectors, services
from .errors import PrivacyError
from .forms import RIGHT_EXPLANATIONS, RequestForm, UploadForm
from .models import CLOSED_STATES, PACKAGE_RIGHTS, DataPackage, DataSubjectRequest, Right, State

# The session key that lets the "check your e-mail" page name the address that was just typed, once.
SUBMITTED_EMAIL = "privacy_submitted_email"

# Once the proof of identity arrived the pause is over: it is our turn.
PROOF_RECEIVED = _(
    "We received your file and are checking your identity. Our deadline runs again; you do not need to do anything."
)
# What each state means for the requester, in plain words.
STATE_EXPLANATIONS = {
    State.RECEIVED: _("Your e-mail address is confirmed and a privacy officer of ISI Media is handling your request."),
    State.AWAITING_IDENTITY: _(
        "We are not sure that this request comes from you, and have asked you for proof of identity. Below you can "
        "read how to send it safely."
    ),
    State.AWAITING_APPROVAL: _(
        "We have prepared what to erase. A second privacy officer checks it before we carry it out."
    ),
    State.COMPLETED: _("Your request has been handled. Our reply is below."),
    State.REFUSED: _("We have refused your request. Our reasons are below."),
    State.FORWARDED: _(
        "Your request is about data on a website of one of our clients. That client decides about the data, so we "
        "have forwarded your request to them."
    ),
}

# The part of the data package's file name after the reference, per language.
PACKAGE_FILE_WORD = {"nl": "gegevens", "en": "data"}


def _page_language(request, language: str | None) -> str:
    """The requester's language, unless the visitor chose one with the language switch."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or not language:
        return translation.get_language()
    return language


def _client_ip(request) -> str:
    return rate_limit_key(request)


class IndexView(TemplateView):
    """The landing page: which rights there are, how a request goes, and the button to the form."""

    template_name = "privacy/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rights"] = [(label, RIGHT_EXPLANATIONS[value]) for value, label in Right.choices]
        context["PRIVACY_EMAIL"] = settings.PRIVACY_EMAIL
        return context


class RequestCreateView(FormView):
    """The request form; a valid request is submitted and the requester is asked to confirm it by e-mail."""

    template_name = "privacy/request_form.html"
    form_class = RequestForm

    def form_valid(self, form):
        # Each request e-mails the address typed in the form: a limit per IP address keeps the form from being
        # used to send mail to strangers. Nothing is stored when the limit is reached; what was typed is kept.
        limit = settings.PRIVACY_FORM_RATE_LIMIT
        window = settings.PRIVACY_FORM_RATE_WINDOW
        if not ratelimit.hit(f"privacy-form:{_client_ip(self.request)}", limit, window):
            form.add_error(
                None,
                _("Too many requests were sent from your internet address in the last hour. Please try again later."),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(ratelimit.retry_after(window))
            return response
        try:
            # A duplicate returns the existing request and mails a fresh link; this page never says which it was.
            services.request_submit(data=form.request_input())
        except PrivacyError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        self.request.session[SUBMITTED_EMAIL] = form.cleaned_data["email"]
        return redirect("privacy:request_sent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["PRIVACY_EMAIL"] = settings.PRIVACY_EMAIL
        context["unconfirmed_days"] = settings.PRIVACY_UNCONFIRMED_DAYS
        return context


class RequestSentView(TemplateView):
    """The "check your e-mail" page: the same for a new request and for a duplicate."""

    template_name = "privacy/request_sent.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(
            email=request.session.pop(SUBMITTED_EMAIL, ""),
            unconfirmed_days=settings.PRIVACY_UNCONFIRMED_DAYS,
            PRIVACY_EMAIL=settings.PRIVACY_EMAIL,
        )
        # The page names the address just typed: never cache it.
        return private_headers(self.render_to_response(context))


class _SecretLinkPage(View):
    """A page found by a secret token: a friendly 404 for an unknown token, private headers on every answer."""

    http_method_names = ["get", "post"]
    unknown_template = "privacy/link_unknown.html"

    def find(self, token: str):
        raise NotImplementedError

    def language_of(self, found) -> str | None:
        raise NotImplementedError

    def dispatch(self, request, *args, token, **kwargs):
        found = self.find(token)
        self.token = token
        with translation.override(_page_language(request, self.language_of(found) if found else None)):
            if found is None:
                response = render(
                    request,
                    self.unknown_template,
                    {"PRIVACY_EMAIL": settings.PRIVACY_EMAIL, "unconfirmed_days": settings.PRIVACY_UNCONFIRMED_DAYS},
                    status=404,
                )
            else:
                self.found = found
                response = super().dispatch(request, *args, **kwargs)
            response["Content-Language"] = translation.get_language()
        # Pages keep "same-origin": under "no-referrer" browsers send "Origin: null" with their forms, which the
        # CSRF check refuses. A download carries no form, so it tells other sites nothing at all.
        return private_headers(
            response, referrer_policy="no-referrer" if isinstance(response, FileResponse) else "same-origin"
        )

    def render(self, template: str, context: dict | None = None, *, status: int = 200):
        base = {"token": self.token, "PRIVACY_EMAIL": settings.PRIVACY_EMAIL}
        return render(self.request, template, {**base, **(context or {})}, status=status)


class RequestFollowView(_SecretLinkPage):
    """The requester's own page: confirm the request first, then follow it, read messages and upload files."""

    def find(self, token: str) -> DataSubjectRequest | None:
        return selectors.request_for_token(token)

    def language_of(self, found: DataSubjectRequest) -> str:
        return found.language

    def confirmation_expired(self) -> bool:
        expires = self.found.confirm_expires_at
        return expires is not None and timezone.now() > expires

    def get(self, request, *args, **kwargs):
        # A GET never changes anything: mail scanners open every link in an e-mail.
        if self.found.state == State.UNCONFIRMED:
            return self.unconfirmed_page()
        return self.follow_page()

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "confirm":
            return self.confirm()
        return redirect("privacy:follow", token=self.token)

    def unconfirmed_page(self, *, status: int = 200):
        if self.confirmation_expired():
            return self.render(
                "privacy/confirm_expired.html",
                {"dsr": self.found, "unconfirmed_days": settings.PRIVACY_UNCONFIRMED_DAYS},
                status=410 if status == 200 else status,
            )
        return self.render("privacy/confirm.html", {"dsr": self.found}, status=status)

    def confirm(self):
        if self.found.state != State.UNCONFIRMED:
            # Confirmed already (a second click, another tab): nothing to do.
            return redirect("privacy:follow", token=self.token)
        try:
            services.request_confirm(request_id=self.found.pk)
        except PrivacyError:
            return self.render(
                "privacy/confirm_expired.html",
                {"dsr": self.found, "unconfirmed_days": settings.PRIVACY_UNCONFIRMED_DAYS},
                status=410,
            )
        messages.success(self.request, gettext("Thank you. Your request is confirmed and we are handling it."))
        return redirect("privacy:follow", token=self.token)

    def follow_page(self, *, upload_form: UploadForm | None = None, upload_refused: bool = False, status: int = 200):
        dsr = self.found
        context = {
            "dsr": dsr,
            "right_explanation": RIGHT_EXPLANATIONS.get(dsr.right, ""),
            "state_explanation": PROOF_RECEIVED
            if dsr.state == State.AWAITING_IDENTITY and not dsr.is_paused
            else STATE_EXPLANATIONS.get(dsr.state, ""),
            "is_closed": dsr.state in CLOSED_STATES,
            "is_package_right": dsr.right in PACKAGE_RIGHTS,
            "staff_messages": list(dsr.messages.all()),
            "files": list(dsr.files.all()),
            "erasure_result": dsr.erasure_result if dsr.state == State.COMPLETED else [],
            "forwarded_to": dsr.forwarded_to if dsr.state == State.FORWARDED else None,
            "upload_refused": upload_refused,
            "files_dropped": bool(upload_form is not None and self.request.FILES.getlist("files")),
            "upload_limits": {
                "count": uploads.MAX_FILES,
                "size": uploads.MAX_FILE_SIZE,
                "total": uploads.MAX_TOTAL_SIZE,
            },
        }
        if dsr.is_open:
            context["upload_form"] = upload_form or UploadForm()
        return self.render("privacy/follow.html", context, status=status)


class RequestUploadView(RequestFollowView):
    """Where the upload form on the request's page posts; the e-mails asking for a file link here too."""

    def get(self, request, *args, **kwargs):
        return redirect(reverse("privacy:follow", kwargs={"token": self.token}) + "#upload")

    def post(self, request, *args, **kwargs):
        dsr = self.found
        if dsr.state == State.UNCONFIRMED:
            return self.unconfirmed_page(status=409)
        if not dsr.is_open:
            return self.follow_page(upload_refused=True, status=409)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.request_upload(
                    request_id=dsr.pk, files=form.cleaned_data["files"], note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, gettext("Thank you. We have received your files."))
                return redirect(reverse("privacy:follow", kwargs={"token": self.token}) + "#files")
        return self.follow_page(upload_form=form)


class PackageView(_SecretLinkPage):
    """The data package behind its single-use link: a page first, the download only on the button (a POST)."""

    def find(self, token: str) -> DataPackage | None:
        return selectors.package_for_token(token)

    def language_of(self, found: DataPackage) -> str:
        return found.request.language

    def gone(self):
        package = self.found
        return self.render(
            "privacy/package_gone.html",
            {"package": package, "dsr": package.request, "status": selectors.package_status(package)},
            status=410,
        )

    def get(self, request, *args, **kwargs):
        # Showing the page uses nothing up: only the button downloads (mail scanners open links too).
        if selectors.package_status(self.found) != "available":
            return self.gone()
        return self.render(
            "privacy/package.html",
            {"package": self.found, "dsr": self.found.request, "file_name": self.file_name()},
        )

    def post(self, request, *args, **kwargs):
        try:
            content = services.package_download(package_id=self.found.pk)
        except PrivacyError:
            self.found.refresh_from_db()
            return self.gone()
        return FileResponse(
            io.BytesIO(content), as_attachment=True, filename=self.file_name(), content_type="application/zip"
        )

    def file_name(self) -> str:
        word = PACKAGE_FILE_WORD.get(translation.get_language(), PACKAGE_FILE_WORD["en"])
        return f"{self.found.request.reference}-{word}.zip"
