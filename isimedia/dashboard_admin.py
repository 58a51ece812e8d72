"""The staff dashboard on the admin's start page: what is due for the user's roles, and the last twelve months.

What a staff member sees follows their permissions, so a superuser sees everything and each group its own work:
NTD handlers the NTD cases, privacy officers the privacy requests and breaches, contract managers the satisfaction
figures; everyone the failed e-mails they may see in the outbox (its own per-role rule, through its ModelAdmin).
The figures come from ``isimedia.dashboard``; the badges are those of each app's own lists, so a case looks the same
here as in its queue. Each chart has its figures as a table beside it: the image is named by the card's heading and
described by the table.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.contrib.admin.exceptions import NotRegistered
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from isimedia import charts, dashboard, workdays
from isimedia.models import OutboxMessage
from ntd.admin import deadline_html, marks_html
from privacy.admin import clock_badge, deadline_badge
from privacy.selectors import deadline_status
from satisfaction import charts as satisfaction_charts
from satisfaction import selectors as satisfaction_selectors

PREFIX = "dashboard"

GROUP_TITLES = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Due today"),
    "soon": gettext_lazy("Due within two working days"),
}

OUTCOME_LABELS = {
    "resolved": gettext_lazy("removed by the client"),
    "taken_down": gettext_lazy("taken down"),
    "not_unlawful": gettext_lazy("rejected: not manifestly unlawful"),
    "rejected": gettext_lazy("rejected: incomplete or not hosted"),
    "open": gettext_lazy("still open"),
}
OUTCOME_COLOURS = {
    "resolved": "#2b7a3d",
    "taken_down": "#17365d",
    "not_unlawful": "#d9a21b",
    "rejected": "#8c96a5",
    "open": "#9fc3e8",
}
COUNT_COLOUR = "#9fb1c8"
SHARE_COLOUR = "#1f5a99"


@dataclass(frozen=True)
class Table:
    """A chart's figures: column headings, one row per month (its first cell the month), and a total row."""

    columns: list[str]
    rows: list[list[str]]
    total: list[str]


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    svg: SafeString
    table: Table
    note: str = ""


def dashboard_context(request, *, site, now: datetime | None = None) -> dict:
    """Everything the start page shows for ``request.user``, worked out with the closing days read once."""
    user = request.user
    now = now or timezone.now()
    today = now.astimezone(workdays.AMSTERDAM).date()
    months = dashboard.last_months(today)
    context = {"dashboard_today": today, "dashboard_cards": [], "dashboard_charts": []}
    cards, chart_list = context["dashboard_cards"], context["dashboard_charts"]
    with workdays.closing_days_loaded():
        if user.has_perm("ntd.view_notice"):
            cards.append(_ntd_card(dashboard.ntd_due(now=now), site))
            chart_list += [_ntd_outcomes_chart(months), _ntd_in_time_chart(months)]
        if user.has_perm("privacy.view_datasubjectrequest"):
            cards.append(_privacy_card(dashboard.privacy_due(now=now), site, now))
            chart_list.append(_privacy_in_time_chart(months))
        if user.has_perm("privacy.view_breach"):
            cards.append(_breach_card(dashboard.breaches_on_the_clock(now=now), site))
        if user.has_perm("satisfaction.view_feedback"):
            chart_list.append(_csat_chart(months, today))
        outbox = _outbox_admin(site)
        if outbox is not None and outbox.has_view_permission(request):
            cards.append(_email_card(dashboard.failed_emails(messages=outbox.get_queryset(request)), site))
    return context


def _url(site, name: str, *args, query: dict | None = None) -> str:
    url = reverse(f"{site.name}:{name}", args=args, current_app=site.name)
    return f"{url}?{urlencode(query)}" if query else url


def _outbox_admin(site):
    try:
        return site.get_model_admin(OutboxMessage)
    except NotRegistered:
        return None


# --- the cards -------------------------------------------------------------------------------------------------


def _groups(due: dashboard.Due, row, list_urls: dict[str, str]) -> list[dict]:
    return [
        {
            "key": group.key,
            "title": GROUP_TITLES[group.key],
            "count": group.count,
            "rows": [row(item) for item in group.items],
            "more": group.more,
            "list_url": list_urls[group.key],
        }
        for group in due.groups
    ]


def _ntd_card(due: dashboard.Due, site) -> dict:
    def row(notice):
        website = notice.website
        return {
            "url": _url(site, "ntd_notice_change", notice.pk),
            "reference": notice.reference,
            "marks": marks_html(notice),
            "about": f"{website.display_host} ({website.client.name})" if website else "",
            "badge": deadline_html(notice),
        }

    overdue = _url(site, "ntd_notice_changelist", query={"state": "open", "overdue": "yes"})
    coming = _url(site, "ntd_notice_changelist", query={"state": "open", "overdue": "no"})
    return {
        "key": "ntd",
        "title": _("NTD cases"),
        "count": due.count,
        "groups": _groups(due, row, {"overdue": overdue, "today": coming, "soon": coming}),
        "empty": _("No NTD case is overdue or due within two working days."),
        "list_url": _url(site, "ntd_notice_changelist", query={"state": "open"}),
        "list_words": _("Open the NTD queue"),
    }


def _privacy_card(due: dashboard.Due, site, now: datetime) -> dict:
    def row(privacy_request):
        return {
            "url": _url(site, "privacy_datasubjectrequest_change", privacy_request.pk),
            "reference": privacy_request.reference,
            "about": privacy_request.get_right_display(),
            "badge": deadline_badge(privacy_request, deadline_status(privacy_request, now)),
        }

    overdue = _url(site, "privacy_datasubjectrequest_changelist", query={"deadline": "overdue"})
    coming = _url(site, "privacy_datasubjectrequest_changelist", query={"deadline": "soon"})
    return {
        "key": "privacy",
        "title": _("Privacy requests"),
        "count": due.count,
        "groups": _groups(due, row, {"overdue": overdue, "today": coming, "soon": coming}),
        "empty": _("No privacy request is overdue or due within two working days."),
        "list_url": _url(site, "privacy_datasubjectrequest_changelist", query={"state": "open"}),
        "list_words": _("Open the privacy requests"),
    }


def _breach_card(running: list, site) -> dict:
    return {
        "key": "breaches",
        "title": _("Breaches: the 72-hour clock runs"),
        "count": len(running),
        "rows": [
            {
                "url": _url(site, "privacy_breach_change", breach.pk),
                "reference": breach.reference,
                "about": breach.title,
                "badge": clock_badge(clock),
            }
            for breach, clock in running
        ],
        "empty": _("No breach is waiting to be reported."),
        "list_url": _url(site, "privacy_breach_changelist"),
        "list_words": _("Open the breach register"),
    }


def _email_card(failed: dashboard.FailedEmails, site) -> dict:
    return {
        "key": "emails",
        "title": _("E-mails that failed"),
        "count": failed.count,
        "rows": [
            {
                "url": _url(site, "isimedia_outboxmessage_change", message.pk),
                "reference": message.subject,
                "about": _("to %(address)s, %(when)s")
                % {
                    "address": message.to,
                    "when": date_format(timezone.localtime(message.last_attempt_at or message.created_at), "j M H:i"),
                },
            }
            for message in failed.items
        ],
        "more": failed.more,
        "empty": _("No e-mail failed."),
        "list_url": _url(site, "isimedia_outboxmessage_changelist", query={"status__exact": "failed"}),
        "list_words": _("Show the failed e-mails in the outbox"),
    }


# --- the charts ------------------------------------------------------------------------------------------------


def _month_name(month) -> str:
    return date_format(month, "F Y")


def _range(months) -> str:
    return _("%(first)s to %(last)s") % {"first": _month_name(months[0]), "last": _month_name(months[-1])}


def _aria(chart_id: str) -> dict:
    return {"labelledby": f"{chart_id}-heading", "describedby": f"{chart_id}-table"}


def _ntd_outcomes_chart(months) -> Chart:
    chart_id = "dashboard-ntd-outcomes"
    figures = dashboard.ntd_outcomes_by_month(months=months)
    series = [
        charts.Series(outcome.key, str(OUTCOME_LABELS[outcome.key]), OUTCOME_COLOURS[outcome.key])
        for outcome in dashboard.NTD_OUTCOMES
    ]
    title = _("NTD notices per month by outcome")
    total = sum(figure.total for figure in figures)
    description = _("%(range)s: %(count)s notices.") % {"range": _range(months), "count": number_format(total)}
    svg = charts.stacked_bars_chart(
        months,
        [figure.counts for figure in figures],
        series=series,
        title=title,
        description=description,
        chart_id=chart_id,
        prefix=PREFIX,
        kind="outcomes",
        empty=_("No notices in this period."),
        **_aria(chart_id),
    )
    keys = [outcome.key for outcome in dashboard.NTD_OUTCOMES]
    table = Table(
        columns=[_("month"), *(str(OUTCOME_LABELS[key]) for key in keys), _("total")],
        rows=[
            [_month_name(f.month), *(number_format(f.counts[key]) for key in keys), number_format(f.total)]
            for f in figures
        ],
        total=[
            _("last 12 months"),
            *(number_format(sum(f.counts[key] for f in figures)) for key in keys),
            number_format(total),
        ],
    )
    return Chart(chart_id, title, svg, table, _("By the month the notice came in; its outcome so far."))


def _in_time_chart(
    figures, months, *, chart_id: str, title: str, count_legend: str, count_words, empty: str, note: str
) -> Chart:
    style = charts.ShareStyle(
        prefix=PREFIX,
        kind="in-time",
        bar_name="count",
        line_name="share",
        bar_colour=COUNT_COLOUR,
        line_colour=SHARE_COLOUR,
        bar_legend=count_legend,
        line_legend=_("share in time (left axis)"),
        empty=empty,
    )
    points = [
        charts.SharePoint(
            month=f.month,
            count=f.closed,
            share=f.share,
            bar_tooltip=_("%(month)s: %(count)s, %(share)s in time")
            % {
                "month": _month_name(f.month),
                "count": count_words(f.closed),
                "share": charts.percent(f.share, digits=1),
            },
            dot_tooltip=_("%(month)s: %(share)s in time")
            % {"month": _month_name(f.month), "share": charts.percent(f.share, digits=1)},
        )
        for f in figures
    ]
    closed, in_time = sum(f.closed for f in figures), sum(f.in_time for f in figures)
    share = round(in_time / closed * 100, 1) if closed else None
    description = _("%(range)s: %(count)s, %(share)s in time.") % {
        "range": _range(months),
        "count": count_words(closed),
        "share": charts.percent(share, digits=1),
    }
    svg = charts.bars_and_share_chart(
        points, style=style, title=title, description=description, chart_id=chart_id, **_aria(chart_id)
    )
    table = Table(
        columns=[_("month"), _("closed"), _("in time"), _("late"), _("share in time")],
        rows=[
            [
                _month_name(f.month),
                number_format(f.closed),
                number_format(f.in_time),
                number_format(f.late),
                charts.percent(f.share, digits=1),
            ]
            for f in figures
        ],
        total=[
            _("last 12 months"),
            number_format(closed),
            number_format(in_time),
            number_format(closed - in_time),
            charts.percent(share, digits=1),
        ],
    )
    return Chart(chart_id, title, svg, table, note)


def _ntd_in_time_chart(months) -> Chart:
    return _in_time_chart(
        dashboard.ntd_decisions_in_time_by_month(months=months),
        months,
        chart_id="dashboard-ntd-in-time",
        title=_("NTD cases decided within their deadline, per month"),
        count_legend=_("cases decided (right axis)"),
        count_words=lambda count: (
            ngettext("%(count)s case decided", "%(count)s cases decided", count) % {"count": number_format(count)}
        ),
        empty=_("No case was decided in this period."),
        note=_(
            "By the month of the decision, against the deadline that ran then: ISI Media's 2 working days to assess, "
            "or the client's 2 working days to answer. Notices decided before they were forwarded had no deadline yet."
        ),
    )


def _privacy_in_time_chart(months) -> Chart:
    return _in_time_chart(
        dashboard.privacy_answered_in_time_by_month(months=months),
        months,
        chart_id="dashboard-privacy-in-time",
        title=_("Privacy requests answered on time, per month"),
        count_legend=_("requests answered (right axis)"),
        count_words=lambda count: (
            ngettext("%(count)s request answered", "%(count)s requests answered", count)
            % {"count": number_format(count)}
        ),
        empty=_("No request was answered in this period."),
        note=_(
            "By the month the request was completed, refused or forwarded, against its due date (extended, if it was)."
        ),
    )


def _csat_chart(months, today) -> Chart:
    chart_id = "dashboard-csat"
    figures = satisfaction_selectors.csat_by_month(start=months[0], end=today)
    title = _("CSAT per month")
    svg = satisfaction_charts.csat_chart(figures, title=title, chart_id=chart_id, **_aria(chart_id))
    answers, satisfied = sum(f.answers for f in figures), sum(f.satisfied for f in figures)
    table = Table(
        columns=[_("month"), _("answers"), _("satisfied (4 or 5)"), _("CSAT")],
        rows=[
            [
                _month_name(f.month),
                number_format(f.answers),
                number_format(f.satisfied),
                charts.percent(f.csat, digits=1),
            ]
            for f in figures
        ],
        total=[
            _("last 12 months"),
            number_format(answers),
            number_format(satisfied),
            charts.percent(round(satisfied / answers * 100, 1) if answers else None, digits=1),
        ],
    )
    return Chart(
        chart_id, title, svg, table, _("CSAT is the share of answers with a 4 (satisfied) or 5 (very satisfied).")
    )
