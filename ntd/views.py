"""The complainant's pages: the notice form, and the tracking page behind the private link."""

import time

from django.conf import settings
from django.contrib import messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView

from isimedia.http import rate_limit_key

from . import ratelimit, selectors, services, uploads
from .errors import NtdError
from .forms import NoticeForm, clean_reference
from .http import private_headers
from .models import REJECTED_STATES, NoticeEvent, State

# The session key that tells the tracking page, once, that its notice was just submitted from this browser.
JUST_SUBMITTED = "ntd_just_submitted"

# The blank form page is the same for every visitor without an account, message or query, in each language, except
# for the CSRF token: each web process renders it once per language with a placeholder, keeps it in memory, and gives
# each visitor the copy with their own token. Rendering the form is what made the page slow (issue 8: a flood of
# notices must not take the portal down, and the form is where a flood starts). Kept in the process rather than in
# Redis, because the round trip to Redis cost a third of the page's time under load; a deploy restarts the processes,
# and FORM_PAGE_SECONDS bounds how long a copy lives anyway.
FORM_PAGE_SECONDS = 300
FORM_PAGE_CSRF_PLACEHOLDER = "ntd-form-page-csrf-token-placeholder"
_form_pages: dict[str, tuple[float, str]] = {}


@receiver(setting_changed)
def _forget_form_pages(**kwargs):
    # Tests change settings the page shows (the staff address, languages): the next visitor sees the new page.
    _form_pages.clear()


def _form_page(language: str, render) -> str:
    now = time.monotonic()
    cached = _form_pages.get(language)
    if cached is None or cached[0] < now:
        cached = (now + FORM_PAGE_SECONDS, render())
        _form_pages[language] = cached
    return cached[1]


# What each state means for the complainant, in plain words.
STATE_EXPLANATIONS = {
    State.RECEIVED: _(
        "We have received your notice. We check that it is complete and that ISI Media hosts the website."
    ),
    State.REJECTED_INCOMPLETE: _(
        "Your notice was rejected because information was missing. You can file it again with the missing information."
    ),
    State.REJECTED_NOT_HOSTED: _(
        "ISI Media does not host this website, so we cannot act on this content. Contact the website's own hosting "
        "provider."
    ),
    State.AWAITING_CUSTOMER: _(
        "We have sent your notice to our client, who runs the website, and asked them to respond."
    ),
    State.RESOLVED_BY_CUSTOMER: _("Our client has removed the content. Your notice is resolved."),
    State.UNDER_ASSESSMENT: _(
        "Our client has not removed the content. ISI Media now assesses whether it is manifestly unlawful."
    ),
    State.TAKEN_DOWN: _("ISI Media has made the content inaccessible. Your notice is resolved."),
    State.REJECTED_NOT_UNLAWFUL: _(
        "ISI Media could not establish that the content is manifestly unlawful, so it stays online. We do not sit "
        "in the judge's chair: a court can still rule on it."
    ),
}

# What the next deadline is for, per state that has one.
DEADLINE_LABELS = {
    State.AWAITING_CUSTOMER: _("The client must respond by"),
    State.UNDER_ASSESSMENT: _("ISI Media decides by"),
}

# A step on the tracking page, named after the state it led to.
STEP_TITLES = {
    State.RECEIVED: _("Notice received"),
    State.REJECTED_INCOMPLETE: _("Notice rejected: incomplete"),
    State.REJECTED_NOT_HOSTED: _("Notice rejected: the website is not hosted by ISI Media"),
    State.AWAITING_CUSTOMER: _("Notice sent to the client"),
    State.RESOLVED_BY_CUSTOMER: _("The client removed the content"),
    State.UNDER_ASSESSMENT: _("Assessment by ISI Media started"),
    State.TAKEN_DOWN: _("Content taken down by ISI Media"),
    State.REJECTED_NOT_UNLAWFUL: _("Notice rejected: not manifestly unlawful"),
}

# Who took a step, as the complainant reads it.
ACTOR_LABELS = {
    NoticeEvent.Actor.COMPLAINANT: _("by you"),
    NoticeEvent.Actor.CUSTOMER: _("by the client"),
    NoticeEvent.Actor.STAFF: _("by ISI Media"),
    NoticeEvent.Actor.SYSTEM: _("deadline passed"),
}


class NoticeCreateView(FormView):
    """The notice form; a valid notice is submitted and the complainant is sent to its tracking page."""

    template_name = "ntd/index.html"
    form_class = NoticeForm

    def get(self, request, *args, **kwargs):
        if request.GET or request.user.is_authenticated or len(messages.get_messages(request)):
            return super().get(request, *args, **kwargs)
        page = _form_page(get_language(), self._render_form_page)
        # get_token also makes the CSRF middleware set the cookie the token belongs to.
        return HttpResponse(page.replace(FORM_PAGE_CSRF_PLACEHOLDER, get_token(request)))

    def _render_form_page(self) -> str:
        context = self.get_context_data(csrf_token=FORM_PAGE_CSRF_PLACEHOLDER)
        return self.render_to_response(context).render().content.decode()

    def get_initial(self):
        return {"previous_reference": clean_reference(self.request.GET.get("opnieuw", ""))}

    def form_valid(self, form):
        # Each notice e-mails the address typed in the form: a limit per IP address keeps the form from being
        # used to send mail to strangers. The form and what was typed are shown again with the message.
        if not ratelimit.hit(
            f"ntd-form:{rate_limit_key(self.request)}",
            settings.NTD_FORM_RATE_LIMIT,
            settings.NTD_API_RATE_WINDOW,
        ):
            form.add_error(
                None,
                _("Too many notices were sent from your internet address in the last hour. Please try again later."),
            )
            return self.form_invalid(form)
        try:
            submitted = services.notice_submit(data=form.notice_input())
        except NtdError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        self.request.session[JUST_SUBMITTED] = submitted.notice.reference
        return redirect("ntd:track", token=submitted.tracking_token)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        if form.is_bound:
            context["previous_reference"] = getattr(form, "cleaned_data", {}).get("previous_reference", "")
            # Browsers never send chosen files again with a page that comes back with errors.
            context["files_dropped"] = bool(self.request.FILES.getlist("evidence"))
        else:
            context["previous_reference"] = form.initial.get("previous_reference", "")
        context["upload_limits"] = {
            "count": uploads.MAX_FILES,
            "size": uploads.MAX_FILE_SIZE,
            "total": uploads.MAX_TOTAL_SIZE,
        }
        return context


class NoticeTrackView(TemplateView):
    """The complainant's view of their case, behind the private link from the confirmation e-mail."""

    template_name = "ntd/track.html"

    def get(self, request, *args, token, **kwargs):
        notice = selectors.notice_for_tracking_token(token)
        if notice is None:
            raise Http404
        # Shown once, right after submitting, in the browser that submitted.
        just_submitted = JUST_SUBMITTED in request.session and request.session.pop(JUST_SUBMITTED) == notice.reference
        events = [
            {
                "event": step.event,
                "title": STEP_TITLES.get(step.event.to_state, step.event.get_to_state_display()),
                "actor": ACTOR_LABELS.get(step.event.actor, step.event.get_actor_display()),
                "note": step.note,
            }
            for step in selectors.public_steps(notice=notice)
        ]
        context = self.get_context_data(
            notice=notice,
            token=token,
            events=events,
            state_explanation=STATE_EXPLANATIONS.get(notice.state, ""),
            deadline_label=DEADLINE_LABELS.get(notice.state, ""),
            is_rejected=notice.state in REJECTED_STATES,
            refile_url=f"{reverse('ntd:index')}?opnieuw={notice.reference}",
            just_submitted=just_submitted,
            tracking_url=services.tracking_url(token),
        )
        return private_headers(self.render_to_response(context))


def complainant_evidence(request, token, evidence_id):
    """One of the complainant's own files, as a download; anything else is a 404."""
    notice = selectors.notice_for_tracking_token(token)
    if notice is None:
        raise Http404
    # The selector prefetches the complainant's files only, so the client's files are never found here.
    evidence = next((item for item in notice.evidence.all() if item.pk == evidence_id), None)
    if evidence is None:
        raise Http404
    response = uploads.evidence_download(evidence)
    return private_headers(response)
