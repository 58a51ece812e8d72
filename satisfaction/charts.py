"""The trend charts of the satisfaction admin, drawn on the server as SVG: no JavaScript, nothing from a CDN.

Pure functions: figures in, SVG markup out. Every text is escaped; months are named in the active language. Each
chart is an image with a title and a description for screen readers (the page shows the same figures as a table),
and scales with its container through its viewBox. Colours are presentation attributes that the page's stylesheet
may override through the classes (the admin's dark theme); texts and axes take the page's text colour.
"""

import math
from collections.abc import Mapping, Sequence

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Score

WIDTH = 720
FONT_SIZE = 13
SMALL = 12
# Room around the plot area for the legend, the axes' labels and the months.
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 48, 46

ANSWERS_COLOUR = "#9fb1c8"
CSAT_COLOUR = "#1f5a99"
SCORE_COLOURS = {1: "#b83227", 2: "#e0674f", 3: "#e0a526", 4: "#5cb85c", 5: "#2b7a3d"}
# The badge of a score: 1-2 red, 3 amber, 4-5 green.
SCORE_LEVELS = {1: "red", 2: "red", 3: "amber", 4: "green", 5: "green"}
# No more month names than this under the chart; with more months, every second, third, ... is named.
MAX_MONTH_LABELS = 18


def axis_scale(value: int, *, ticks: int = 4) -> tuple[int, int]:
    """The top of an axis for values up to ``value``, and its step: ``ticks`` equal whole steps of a round size."""
    rough = max(value, 1) / ticks
    magnitude = 10 ** max(0, math.floor(math.log10(rough)))
    step = next(
        round(m * magnitude)
        for m in (1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10)
        if m * magnitude >= rough and m * magnitude == int(m * magnitude)
    )
    return step * ticks, step


def percent(value: float | None, *, digits: int = 0) -> str:
    """A percentage with the active language's decimal mark ("83,5%"), or a dash when there is no figure."""
    if value is None:
        return "-"
    return f"{number_format(round(value, digits), digits)}%"


def _number(value: float) -> str:
    """A coordinate: one decimal at most, and never in the active language's notation."""
    return f"{value:.1f}".removesuffix(".0")


def _attributes(**attrs) -> str:
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items() if value)


def _text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = FONT_SIZE, **attrs) -> str:
    """A text in the page's text colour; ``class_=`` and other attributes as keywords."""
    return (
        f'<text x="{_number(x)}" y="{_number(y)}" text-anchor="{anchor}" font-size="{size}" fill="currentColor"'
        f"{_attributes(**attrs)}>{escape(content)}</text>"
    )


def _text_width(content: str, size: int = FONT_SIZE) -> float:
    """About how wide a text is drawn: enough to place the next item of a legend after it."""
    return len(content) * size * 0.58


def _gridline(x1: float, x2: float, y: float, *, baseline: bool = False) -> str:
    return (
        f'<line x1="{_number(x1)}" x2="{_number(x2)}" y1="{_number(y)}" y2="{_number(y)}" stroke="currentColor" '
        f'stroke-opacity="{"0.6" if baseline else "0.15"}" stroke-width="1" />'
    )


def _rect(x: float, y: float, width: float, height: float, *, fill: str, css: str, tooltip: str) -> str:
    return (
        f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" height="{_number(height)}" '
        f'fill="{fill}" class="{css}"><title>{escape(tooltip)}</title></rect>'
    )


def _no_answers(x: float, y: float) -> str:
    return _text(x, y, _("No answers in this period."), size=15, class_="satisfaction-chart-empty")


def _svg(*, chart_id: str, title: str, description: str, height: int, css: str, body: list[str]) -> SafeString:
    chart_id = escape(chart_id)
    return mark_safe(  # every text and attribute in it went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'class="satisfaction-chart {css}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _answers(count: int) -> str:
    return ngettext("%(count)s answer", "%(count)s answers", count) % {"count": number_format(count)}


# --- CSAT per month --------------------------------------------------------------------------------------------


def csat_chart(figures: Sequence, *, title: str, chart_id: str = "csat-chart", height: int = 330) -> SafeString:
    """The number of answers per month as bars (right axis) and the CSAT, the share of 4 and 5, as a line (left axis,
    0-100%), from ``selectors.MonthFigure``s (month, answers, satisfied, csat in % or None), oldest first.

    A month without answers has no CSAT: the line breaks there rather than dropping to zero.
    """
    figures = list(figures)
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, height - BOTTOM
    plot_width, plot_height = right - left, bottom - top
    axis_top, step = axis_scale(max((figure.answers for figure in figures), default=0))
    total = sum(figure.answers for figure in figures)

    # The legend: a bar and a line with a dot, each with its words.
    answers_words, csat_words = _("answers (right axis)"), _("CSAT: share of 4 and 5 (left axis)")
    line_x = left + 20 + _text_width(answers_words) + 24
    body = [
        '<g class="satisfaction-chart-legend">',
        f'<rect x="{left}" y="12" width="14" height="14" fill="{ANSWERS_COLOUR}" class="satisfaction-bar-answers" />',
        _text(left + 20, 24, answers_words, anchor="start"),
        f'<line x1="{_number(line_x)}" x2="{_number(line_x + 24)}" y1="19" y2="19" stroke="{CSAT_COLOUR}" '
        f'stroke-width="3" class="satisfaction-line-csat" />',
        f'<circle cx="{_number(line_x + 12)}" cy="19" r="4.5" fill="{CSAT_COLOUR}" class="satisfaction-dot-csat" />',
        _text(line_x + 30, 24, csat_words, anchor="start"),
        "</g>",
    ]

    # Both axes share the gridlines: 0-100% on the left, 0 to a round number of answers on the right.
    body.append('<g class="satisfaction-chart-axes">')
    for index in range(5):
        y = bottom - plot_height * index / 4
        body.append(_gridline(left, right, y, baseline=index == 0))
        body.append(_text(left - 8, y + 4, percent(index * 25), anchor="end", size=SMALL))
        body.append(_text(right + 8, y + 4, number_format(step * index), anchor="start", size=SMALL))
    body.append("</g>")

    if not figures:
        body.append(_no_answers((left + right) / 2, top + plot_height / 2))
        return _svg(
            chart_id=chart_id,
            title=title,
            description=_("No months to show."),
            height=height,
            css="satisfaction-chart-csat",
            body=body,
        )

    slot = plot_width / len(figures)
    bar_width = min(slot * 0.6, 48)
    label_every = math.ceil(len(figures) / MAX_MONTH_LABELS)
    bars, months, points = ['<g class="satisfaction-chart-bars">'], ['<g class="satisfaction-chart-months">'], []
    named_year = None
    for index, figure in enumerate(figures):
        centre = left + slot * (index + 0.5)
        tooltip = (
            f"{date_format(figure.month, 'F Y')}: {_answers(figure.answers)}, CSAT {percent(figure.csat, digits=1)}"
        )
        if figure.answers:
            bar_height = plot_height * figure.answers / axis_top
            bars.append(
                _rect(
                    centre - bar_width / 2,
                    bottom - bar_height,
                    bar_width,
                    bar_height,
                    fill=ANSWERS_COLOUR,
                    css="satisfaction-bar-answers",
                    tooltip=tooltip,
                )
            )
        points.append(None if figure.csat is None else (centre, bottom - plot_height * figure.csat / 100, figure))
        if index % label_every == 0:
            months.append(_text(centre, bottom + 18, date_format(figure.month, "M"), size=SMALL))
            # The year under the first month named, and under the first named month of every new year.
            if figure.month.year != named_year:
                months.append(_text(centre, bottom + 34, str(figure.month.year), size=11, class_="satisfaction-year"))
                named_year = figure.month.year
    body += [*bars, "</g>", *months, "</g>"]

    # The line, broken at every month without answers; a dot with its value on every month that has one.
    body.append('<g class="satisfaction-chart-line">')
    segment: list[str] = []
    for point in [*points, None]:
        if point is not None:
            segment.append(f"{_number(point[0])},{_number(point[1])}")
            continue
        if len(segment) > 1:
            body.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{CSAT_COLOUR}" stroke-width="3" '
                f'stroke-linejoin="round" class="satisfaction-line-csat" />'
            )
        segment = []
    for point in points:
        if point is None:
            continue
        x, y, figure = point
        body.append(
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="4.5" fill="{CSAT_COLOUR}" class="satisfaction-dot-csat">'
            f"<title>{escape(date_format(figure.month, 'F Y'))}: CSAT {escape(percent(figure.csat, digits=1))}</title>"
            "</circle>"
        )
        if label_every == 1:
            # Above the dot, or below it when the dot is at the top of the chart.
            label_y = y - 10 if y - 10 > top + 6 else y + 20
            body.append(
                _text(x, label_y, percent(figure.csat), size=11, class_="satisfaction-value", font_weight="600")
            )
    body.append("</g>")

    if not total:
        body.append(_no_answers((left + right) / 2, top + plot_height / 2))
    description = _("%(first)s to %(last)s: %(answers)s.") % {
        "first": date_format(figures[0].month, "F Y"),
        "last": date_format(figures[-1].month, "F Y"),
        "answers": _answers(total),
    }
    answered = [figure for figure in figures if figure.answers]
    if answered:
        description += " " + _("CSAT per month: %(months)s.") % {
            "months": "; ".join(f"{date_format(f.month, 'F Y')} {percent(f.csat, digits=1)}" for f in answered)
        }
    return _svg(
        chart_id=chart_id,
        title=title,
        description=description,
        height=height,
        css="satisfaction-chart-csat",
        body=body,
    )


# --- the distribution of scores --------------------------------------------------------------------------------


def distribution_chart(
    distribution: Mapping[int, int], *, title: str, chart_id: str = "distribution-chart", height: int = 300
) -> SafeString:
    """One bar per score 1-5 with its number of answers and share, coloured red (1-2), amber (3) and green (4-5),
    with the score and its words under each bar, so that the colour is never the only sign."""
    counts = {score: int(distribution.get(score, 0)) for score in Score.values}
    total = sum(counts.values())
    left, right, top, bottom = LEFT, WIDTH - 16, 24, height - BOTTOM
    plot_width, plot_height = right - left, bottom - top
    axis_top, step = axis_scale(max(counts.values()))

    body = ['<g class="satisfaction-chart-axes">']
    for index in range(5):
        y = bottom - plot_height * index / 4
        body.append(_gridline(left, right, y, baseline=index == 0))
        body.append(_text(left - 8, y + 4, number_format(step * index), anchor="end", size=SMALL))
    body.append("</g>")

    slot = plot_width / len(counts)
    bar_width = min(slot * 0.6, 80)
    body.append('<g class="satisfaction-chart-bars">')
    for index, (score, count) in enumerate(counts.items()):
        centre = left + slot * (index + 0.5)
        words = str(Score(score).label)
        value = f"{number_format(count)} ({percent(count * 100 / total)})" if total else number_format(count)
        if count:
            bar_height = plot_height * count / axis_top
            body.append(
                _rect(
                    centre - bar_width / 2,
                    bottom - bar_height,
                    bar_width,
                    bar_height,
                    fill=SCORE_COLOURS[score],
                    css=f"satisfaction-bar-score satisfaction-bar-{SCORE_LEVELS[score]}",
                    tooltip=f"{score} {words}: {value}",
                )
            )
            body.append(_text(centre, bottom - bar_height - 6, value, size=SMALL, class_="satisfaction-value"))
        body.append(_text(centre, bottom + 18, str(score), size=14, font_weight="700"))
        body.append(_text(centre, bottom + 34, words, size=SMALL))
    body.append("</g>")

    if total:
        description = _("%(answers)s: %(scores)s.") % {
            "answers": _answers(total),
            "scores": "; ".join(
                f"{score} {Score(score).label}: {number_format(count)} ({percent(count * 100 / total)})"
                for score, count in counts.items()
            ),
        }
    else:
        body.append(_no_answers((left + right) / 2, top + plot_height / 2))
        description = _("No answers in this period.")
    return _svg(
        chart_id=chart_id,
        title=title,
        description=description,
        height=height,
        css="satisfaction-chart-distribution",
        body=body,
    )
