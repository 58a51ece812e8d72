"""The trend charts of the satisfaction admin, drawn on the server as SVG (isimedia/charts.py): no JavaScript,
nothing from a CDN.

Pure functions: figures in, SVG markup out. Every text is escaped; months are named in the active language. Each
chart is an image with a title and a description for screen readers (the page shows the same figures as a table).
The shared drawing lives in ``isimedia.charts``; here are the CSAT's words and the scores' colours.
"""

from collections.abc import Mapping, Sequence

from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from isimedia.charts import (
    BOTTOM,
    LEFT,
    SMALL,
    WIDTH,
    SharePoint,
    ShareStyle,
    axis_scale,
    bars_and_share_chart,
    empty_note,
    gridline,
    percent,
    rect,
    svg,
    text,
)

from .models import Score

__all__ = ["SCORE_COLOURS", "SCORE_LEVELS", "axis_scale", "csat_chart", "distribution_chart", "percent"]

PREFIX = "satisfaction"
ANSWERS_COLOUR = "#9fb1c8"
CSAT_COLOUR = "#1f5a99"
SCORE_COLOURS = {1: "#b83227", 2: "#e0674f", 3: "#e0a526", 4: "#5cb85c", 5: "#2b7a3d"}
# The badge of a score: 1-2 red, 3 amber, 4-5 green.
SCORE_LEVELS = {1: "red", 2: "red", 3: "amber", 4: "green", 5: "green"}


def _answers(count: int) -> str:
    return ngettext("%(count)s answer", "%(count)s answers", count) % {"count": number_format(count)}


# --- CSAT per month --------------------------------------------------------------------------------------------


def csat_chart(
    figures: Sequence,
    *,
    title: str,
    chart_id: str = "csat-chart",
    height: int = 330,
    labelledby: str = "",
    describedby: str = "",
) -> SafeString:
    """The number of answers per month as bars (right axis) and the CSAT, the share of 4 and 5, as a line (left axis,
    0-100%), from ``selectors.MonthFigure``s (month, answers, satisfied, csat in % or None), oldest first.

    A month without answers has no CSAT: the line breaks there rather than dropping to zero.
    """
    figures = list(figures)
    style = ShareStyle(
        prefix=PREFIX,
        kind="csat",
        bar_name="answers",
        line_name="csat",
        bar_colour=ANSWERS_COLOUR,
        line_colour=CSAT_COLOUR,
        bar_legend=_("answers (right axis)"),
        line_legend=_("CSAT: share of 4 and 5 (left axis)"),
        empty=_("No answers in this period."),
    )
    points = [
        SharePoint(
            month=figure.month,
            count=figure.answers,
            share=figure.csat,
            bar_tooltip=(
                f"{date_format(figure.month, 'F Y')}: {_answers(figure.answers)}, CSAT {percent(figure.csat, digits=1)}"
            ),
            dot_tooltip=f"{date_format(figure.month, 'F Y')}: CSAT {percent(figure.csat, digits=1)}",
        )
        for figure in figures
    ]
    if figures:
        description = _("%(first)s to %(last)s: %(answers)s.") % {
            "first": date_format(figures[0].month, "F Y"),
            "last": date_format(figures[-1].month, "F Y"),
            "answers": _answers(sum(figure.answers for figure in figures)),
        }
        answered = [figure for figure in figures if figure.answers]
        if answered:
            description += " " + _("CSAT per month: %(months)s.") % {
                "months": "; ".join(f"{date_format(f.month, 'F Y')} {percent(f.csat, digits=1)}" for f in answered)
            }
    else:
        description = _("No months to show.")
    return bars_and_share_chart(
        points,
        style=style,
        title=title,
        description=description,
        chart_id=chart_id,
        height=height,
        labelledby=labelledby,
        describedby=describedby,
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
        body.append(gridline(left, right, y, baseline=index == 0))
        body.append(text(left - 8, y + 4, number_format(step * index), anchor="end", size=SMALL))
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
                rect(
                    centre - bar_width / 2,
                    bottom - bar_height,
                    bar_width,
                    bar_height,
                    fill=SCORE_COLOURS[score],
                    css=f"satisfaction-bar-score satisfaction-bar-{SCORE_LEVELS[score]}",
                    tooltip=f"{score} {words}: {value}",
                )
            )
            body.append(text(centre, bottom - bar_height - 6, value, size=SMALL, class_="satisfaction-value"))
        body.append(text(centre, bottom + 18, str(score), size=14, font_weight="700"))
        body.append(text(centre, bottom + 34, words, size=SMALL))
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
        body.append(
            empty_note((left + right) / 2, top + plot_height / 2, _("No answers in this period."), prefix=PREFIX)
        )
        description = _("No answers in this period.")
    return svg(
        chart_id=chart_id,
        title=title,
        description=description,
        height=height,
        prefix=PREFIX,
        kind="distribution",
        body=body,
    )
