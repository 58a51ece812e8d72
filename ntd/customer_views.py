"""The hosting client's answer to a complaint: through the link in its e-mail, or from its account when logged in.

Both routes show the same page and take the same two answers; they differ only in how the case is found (by the
secret link, or by reference among the cases of the logged-in contact's client) and in the evidence links.
"""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views import View

from . import selectors, services, uploads
from .customer_forms import DISAGREES, REMOVED, DisagreeForm, RemovedForm
from .errors import NtdError
from .http import private_headers
from .models import Evidence, Notice, State

PAGE_TEMPLATE = "ntd/answer.html"
DONE_TEMPLATE = "ntd/answer_done.html"
GONE_TEMPLATE = "ntd/answer_gone.html"


def _page_language(request, notice: Notice | None) -> str:
    """The client's language, unless the visitor chose one with the language switch."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES or notice is None or notice.website_id is None:
        return translation.get_language()
    return notice.website.client.language


def _evidence_response(notice: Notice | None, evidence_id: int):
    """A file of the case as a download, never shown inline; anything not of this case is a 404."""
    if notice is None:
        raise Http404
    evidence = next((item for item in notice.evidence.all() if item.pk == evidence_id), None)
    if evidence is None:
        raise Http404
    response = uploads.evidence_download(evidence)
    return private_headers(response, referrer_policy="no-referrer")


class _AnswerPage(View):
    """The complaint, the deadline and, while the client may still answer, the two answer forms."""

    http_method_names = ["get", "post"]

    def find_notice(self) -> Notice | None:
        raise NotImplementedError

    def evidence_url(self, evidence: Evidence) -> str:
        raise NotImplementedError

    def not_found(self):
        raise Http404

    def dispatch(self, request, *args, **kwargs):
        notice = self.find_notice()
        with translation.override(_page_language(request, notice)):
            if notice is None:
                response = self.not_found()
            else:
                self.notice = notice
                response = super().dispatch(request, *args, **kwargs)
            # Rendered inside the language of the page (``render`` renders at once).
            response["Content-Language"] = translation.get_language()
        return private_headers(response)

    def get(self, request, *args, **kwargs):
        return self.page()

    def post(self, request, *args, **kwargs):
        notice = self.notice
        if notice.state != State.AWAITING_CUSTOMER:
            return self.page(refused=self.refusal(notice), status=409)
        answer = request.POST.get("answer")
        if answer == REMOVED:
            form = RemovedForm(request.POST, prefix=REMOVED)
            forms = {"removed_form": form}
        elif answer == DISAGREES:
            form = DisagreeForm(request.POST, request.FILES, prefix=DISAGREES)
            forms = {"disagree_form": form}
        else:
            return self.page(status=400)
        if not form.is_valid():
            return self.page(**forms)
        try:
            if answer == REMOVED:
                done = services.notice_customer_removed(notice_id=notice.pk, text=form.cleaned_data["note"])
                text, files = form.cleaned_data["note"], []
            else:
                done = services.notice_customer_disagrees(
                    notice_id=notice.pk, text=form.cleaned_data["reasons"], files=form.cleaned_data["files"]
                )
                text, files = form.cleaned_data["reasons"], form.cleaned_data["files"]
        except NtdError as error:
            # Someone answered, or the deadline passed, between loading the page and sending it.
            fresh = self.find_notice()
            if fresh is None:
                return self.not_found()
            if fresh.state != State.AWAITING_CUSTOMER:
                self.notice = fresh
                return self.page(refused=self.refusal(fresh), status=409)
            form.add_error(None, error)
            return self.page(**forms)
        # Shown here rather than after a redirect: once the material is removed the case is closed, and the link
        # stops working at once.
        return render(
            request,
            DONE_TEMPLATE,
            {
                "notice": done,
                "kind": answer,
                "text": text,
                "file_names": [upload.name for upload in files],
            },
        )

    def refusal(self, notice: Notice) -> str:
        if getattr(notice, "customer_response", None) is not None:
            return _(
                "You have already answered this complaint. Your answer is shown below and cannot be changed here; "
                "if something has changed since, reply to our e-mail."
            )
        if notice.state == State.UNDER_ASSESSMENT:
            return _(
                "The deadline for your answer has passed, so ISI Media is now assessing the complaint and it can no "
                "longer be answered here. If you have removed the material since, reply to our e-mail."
            )
        return _("This complaint is closed; it can no longer be answered.")

    def page(self, *, removed_form=None, disagree_form=None, refused: str = "", status: int = 200):
        notice = self.notice
        now = timezone.now()
        files = [
            {"evidence": item, "url": self.evidence_url(item)}
            for item in notice.evidence.all()  # prefetched with the case
        ]
        context = {
            "notice": notice,
            "website": notice.website,
            "answer": getattr(notice, "customer_response", None),
            "complainant_files": [f for f in files if f["evidence"].party == Evidence.Party.COMPLAINANT],
            "client_files": [f for f in files if f["evidence"].party == Evidence.Party.CUSTOMER],
            "can_answer": notice.state == State.AWAITING_CUSTOMER,
            "deadline_passed": bool(notice.customer_deadline and notice.customer_deadline <= now),
            "assessment_deadline_passed": bool(notice.assessment_deadline and notice.assessment_deadline <= now),
            "removed_form": removed_form or RemovedForm(prefix=REMOVED),
            "disagree_form": disagree_form or DisagreeForm(prefix=DISAGREES),
            "refused": refused,
            "REMOVED": REMOVED,
            "DISAGREES": DISAGREES,
        }
        return render(self.request, PAGE_TEMPLATE, context, status=status)


class CustomerAnswerView(_AnswerPage):
    """The page behind the link in the client's e-mail; it works without logging in until the case is closed."""

    def find_notice(self) -> Notice | None:
        return selectors.notice_for_customer_token(self.kwargs["token"])

    def evidence_url(self, evidence: Evidence) -> str:
        return reverse("ntd:answer_evidence", kwargs={"token": self.kwargs["token"], "evidence_id": evidence.pk})

    def not_found(self):
        return render(self.request, GONE_TEMPLATE, status=404)


def customer_evidence(request, token, evidence_id):
    """A file of the case, for whoever holds the client's link."""
    return _evidence_response(selectors.notice_for_customer_token(token), evidence_id)


class CustomerAnswerForContactView(LoginRequiredMixin, _AnswerPage):
    """The same page for a logged-in contact of the client, found from its account; open and closed cases."""

    def find_notice(self) -> Notice | None:
        return selectors.notice_for_client_contact(user=self.request.user, reference=self.kwargs["reference"])

    def evidence_url(self, evidence: Evidence) -> str:
        return reverse("ntd_account:evidence", kwargs={"reference": self.notice.reference, "evidence_id": evidence.pk})


def contact_evidence(request, reference, evidence_id):
    """A file of the case, for a logged-in contact of the client whose website it is about."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _evidence_response(selectors.notice_for_client_contact(user=request.user, reference=reference), evidence_id)
