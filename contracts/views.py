"""The client's account pages and the log-in, password and invitation pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from isimedia import twofactor
from isimedia.http import rate_limit_key
from ntd import ratelimit
from ntd import selectors as ntd_selectors

from . import selectors
from .forms import EmailAuthenticationForm, OutboxPasswordResetForm


class AccountView(LoginRequiredMixin, TemplateView):
    """A client contact's overview: their company, its websites and the complaints about them."""

    template_name = "contracts/account.html"
    not_client_template_name = "contracts/account_not_client.html"

    def get(self, request, *args, **kwargs):
        contact = selectors.client_contact_for_user(user=request.user)
        if contact is None:
            # Staff and accounts without a client are logged in correctly but have nothing to see here.
            return self.response_class(
                request=request, template=[self.not_client_template_name], context={}, status=403
            )
        context = self.get_context_data(
            contact=contact,
            client=contact.client,
            websites=selectors.website_list(client=contact.client),
            notices=list(ntd_selectors.notices_for_client(client=contact.client)),
            dpa_status=selectors.dpa_status_for_client(contact.client),
            objectable_versions=selectors.objectable_versions_for_client(contact.client),
            now=timezone.now(),
        )
        return self.render_to_response(context)


class LoginView(auth_views.LoginView):
    """Clients go to their account, staff to the admin; a safe ``next`` wins for both (Django checks it)."""

    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # Used only when there is no (safe) ``next``; the account page has nothing for staff.
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()

    def form_valid(self, form):
        user = form.get_user()
        if user.is_staff:
            # Staff are not logged in by a password alone: they continue with the admin's code step.
            next_url = self.get_redirect_url() or reverse("admin:index")
            twofactor.begin(self.request, user, next_url=next_url)
            return HttpResponseRedirect(reverse("admin:login_code"))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        # Each request may e-mail the address typed: a limit per IP address keeps the page from being used to flood
        # someone's mailbox. The message says nothing about whether the address has an account.
        window = settings.PASSWORD_RESET_RATE_WINDOW
        if not ratelimit.hit(
            f"password-reset:{rate_limit_key(self.request)}", settings.PASSWORD_RESET_RATE_LIMIT, window
        ):
            form.add_error(
                None,
                _("Too many password links were asked for from your internet address. Please try again later."),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(ratelimit.retry_after(window))
            return response
        return super().form_valid(form)


class _PasswordLinkMixin:
    """Shared by the password-reset and invitation links: Dutch URLs, and no use for a deactivated account."""

    # The URL segment that replaces the token once it is in the session; not a secret.
    reset_url_token = "wachtwoord-kiezen"  # noqa: S105

    def get_user(self, uidb64):
        # A link for an account deactivated after it was sent is treated as an invalid link.
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class PasswordResetConfirmView(_PasswordLinkMixin, auth_views.PasswordResetConfirmView):
    pass


class InviteAcceptView(_PasswordLinkMixin, auth_views.PasswordResetConfirmView):
    """The link in an invitation: the contact chooses a password and is logged in straight away."""

    template_name = "contracts/invite_accept.html"
    post_reset_login = True
    # django-axes adds a backend that only watches sign-ins; the account is logged in by Django's own.
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("contracts:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been saved. Welcome to the ISI Media portal."))
        return response
