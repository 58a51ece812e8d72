"""The admin site: every page needs a staff account that passed both factors in this session.

Signing in takes two steps under the admin's own path: the password (``login/``), then the code from the
authenticator app (``login/code/``), or, the first time, setting one up (``login/setup/``). See isimedia/twofactor.py.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from . import twofactor
from .forms import BoundedUsernameMixin

# The code pages: never cached, CSRF-checked (they are not wrapped in admin_view, which does both), and the code is
# left out of error reports.
sensitive_step = method_decorator([never_cache, csrf_protect, sensitive_post_parameters("code")])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "size": 8,
                "aria-describedby": "code-help",
            }
        ),
        error_messages={"required": gettext_lazy("Enter the six-digit code your app shows now.")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("A code is six digits, such as 123456."))
        return code


class StaffAuthenticationForm(BoundedUsernameMixin, AdminAuthenticationForm):
    pass


class PasswordStepView(auth_views.LoginView):
    """Django's admin login form (staff accounts only, one message for every refusal), but it logs no one in."""

    form_class = StaffAuthenticationForm
    template_name = "admin/login.html"

    def form_valid(self, form):
        twofactor.begin(self.request, form.get_user(), next_url=self.get_redirect_url())
        return HttpResponseRedirect(reverse("admin:login_code"))


class PortalAdminSite(admin.AdminSite):
    site_header = gettext_lazy("ISI Media administration")
    site_title = gettext_lazy("ISI Media administration")
    index_title = gettext_lazy("Portal administration")

    def has_permission(self, request):
        return twofactor.is_verified_staff(request.user)

    def index(self, request, extra_context=None):
        # The start page is the staff dashboard: what is due for the user's roles (isimedia/dashboard_admin.py).
        # Imported here: it uses the apps' admins, which register themselves on this site after it is made.
        from .dashboard_admin import dashboard_context

        return super().index(request, {**dashboard_context(request, site=self), **(extra_context or {})})

    def get_urls(self):
        own = [
            path("login/code/", self.login_code, name="login_code"),
            path("login/setup/", self.login_setup, name="login_setup"),
        ]
        return own + super().get_urls()

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
            **(extra_context or {}),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        return PasswordStepView.as_view(extra_context=context)(request)

    def _step_context(self, request, title, **extra):
        return {**self.each_context(request), "title": title, "subtitle": None, **extra}

    def _after_login(self, request, next_url):
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(next_url)
        return HttpResponseRedirect(reverse("admin:index", current_app=self.name))

    def _start_again(self, request):
        messages.info(request, _("Signing in took too long or was not started here. Please enter your password again."))
        return HttpResponseRedirect(reverse("admin:login", current_app=self.name))

    def _check_code(self, request, pending, form, *, setup):
        """Verify the code on a valid form; returns a response when done, or None to show the form again."""
        credentials = {"username": pending.user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return get_lockout_response(request, None, credentials)
        if not form.is_valid():
            return None
        try:
            twofactor.verify_code(request, pending, form.cleaned_data["code"], setup=setup)
        except twofactor.CodeRefused as refused:
            if getattr(request, "axes_locked_out", False):
                return get_lockout_response(request, None, credentials)
            retry_at = twofactor.throttled_until(refused.retry_at)
            if retry_at is not None:
                form.add_error(
                    "code",
                    _("Too many wrong codes in a row. Wait until %(time)s, then enter the code your app shows.")
                    % {"time": time_format(retry_at, "H:i:s")},
                )
            else:
                form.add_error(
                    "code",
                    _(
                        "This code is not right, or it has already been used. Enter the code your app shows now; "
                        "check that your phone's clock is set automatically."
                    ),
                )
            return None
        return self._after_login(request, pending.next_url)

    @sensitive_step
    def login_code(self, request):
        pending = twofactor.pending(request)
        if pending is None:
            return self._start_again(request)
        if twofactor.confirmed_device(pending.user) is None:
            return HttpResponseRedirect(reverse("admin:login_setup", current_app=self.name))
        form = CodeForm(request.POST or None)
        if request.method == "POST":
            response = self._check_code(request, pending, form, setup=False)
            if response is not None:
                return response
        context = self._step_context(request, _("Enter your code"), form=form, account=pending.user.get_username())
        return TemplateResponse(request, "admin/login_code.html", context)

    @sensitive_step
    def login_setup(self, request):
        pending = twofactor.pending(request)
        if pending is None:
            return self._start_again(request)
        if twofactor.confirmed_device(pending.user) is not None:
            return HttpResponseRedirect(reverse("admin:login_code", current_app=self.name))
        device = twofactor.setup_device(pending.user)
        form = CodeForm(request.POST or None)
        if request.method == "POST":
            response = self._check_code(request, pending, form, setup=True)
            if response is not None:
                messages.success(
                    request, _("Two-step sign-in is set up. From now on you sign in with your app's code.")
                )
                return response
        context = self._step_context(
            request,
            _("Set up two-step sign-in"),
            form=form,
            account=pending.user.get_username(),
            qr_code=twofactor.qr_code_data_uri(device),
            secret=twofactor.secret_for_typing(device),
        )
        return TemplateResponse(request, "admin/login_setup.html", context)
