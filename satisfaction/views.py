"""The visitor's pages: the feedback form, the thank-you page, and the ALTCHA challenge the form's widget fetches.

Both pages invite every visitor to write a public review on Google or Facebook, whatever score they gave: asking
only satisfied clients ("review gating") is against Google's policy and the Dutch ACM's rules on reviews. The views
only parse input and call ``satisfaction.services``; the checks against bots are in the form, the rate limit here.
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from . import antispam, captcha, services
from .errors import SatisfactionError
from .forms import CAPTCHA_STRINGS, FeedbackForm

# The thank-you page may mention the contact wish once; the session holds only that flag, never the details.
THANKS_CONTACT = "satisfaction_wants_contact"

TOO_MANY = _(
    "We received too many answers from your internet address recently. Please try again later, or e-mail your "
    "feedback to %(email)s."
)

# The widget's settings: solve on a click (a person ticks the box), and nothing that reaches beyond the portal.
WIDGET_CONFIGURATION = {
    "auto": "off",
    "hideLogo": True,
    "hideFooter": True,
    "humanInteractionSignature": False,
}


def retention_text(days: int) -> str:
    """How long the details are kept, in words: "one year" for 365 days."""
    if days % 365 == 0:
        years = days // 365
        return ngettext("one year", "%(years)d years", years) % {"years": years}
    return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}


class _ReviewLinksMixin:
    """The review invitation on both pages."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["google_review_url"] = settings.SATISFACTION_GOOGLE_REVIEW_URL
        context["facebook_review_url"] = settings.SATISFACTION_FACEBOOK_REVIEW_URL
        return context


class FeedbackView(_ReviewLinksMixin, FormView):
    """The form; a good answer is stored and the visitor is sent on to the thank-you page (POST-redirect-GET)."""

    template_name = "satisfaction/feedback_form.html"
    form_class = FeedbackForm

    def form_valid(self, form):
        # Counted only for answers about to be stored, so a person correcting a typo is not held back.
        if not antispam.rate_limit_hit(self.request):
            form.add_error(None, TOO_MANY % {"email": settings.STAFF_EMAIL})
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(antispam.retry_after())
            return response
        try:
            feedback = services.feedback_submit(data=form.feedback_input())
        except SatisfactionError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        self.request.session[THANKS_CONTACT] = feedback.wants_contact
        return redirect("satisfaction:thanks")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.is_bot:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            # A fresh moment on every showing, also after an error: the minimum time counts from the page in view.
            started_token=antispam.started_token(),
            honeypot_field=antispam.HONEYPOT_FIELD,
            captcha_strings={key: str(value) for key, value in CAPTCHA_STRINGS.items()},
            captcha_configuration=json.dumps(WIDGET_CONFIGURATION),
            retention=retention_text(settings.SATISFACTION_RETENTION_DAYS),
        )
        return context


class ThanksView(_ReviewLinksMixin, TemplateView):
    template_name = "satisfaction/thanks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["wants_contact"] = self.request.session.pop(THANKS_CONTACT, False)
        return context


@method_decorator(never_cache, name="dispatch")
class ChallengeView(View):
    """A new ALTCHA challenge for the widget, as JSON; each one is fresh, so none is ever cached."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        return JsonResponse(captcha.challenge_create())
