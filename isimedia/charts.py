"""Charts drawn on the server as SVG, for the admin's pages: no JavaScript, nothing from a CDN.

Pure functions: figures in, SVG markup out. Every text is escaped; months are named in the active language. Each
chart is an image with a title and a description for screen readers (the page shows the same figures as a table),
and scales with its container through its viewBox. Colours are presentation attributes that the page's stylesheet
may override through the classes (the admin's dark theme); texts and axes take the page's text colour.

Every class name starts with a ``prefix`` chosen by the page (``satisfaction``, ``dashboard``), so that each page's
stylesheet styles its own charts. Two kinds are shared: bars with a percentage line (``bars_and_share_chart``: the
CSAT, the share of cases decided in time) and stacked bars per month (``stacked_bars_chart``: notices by outcome).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
FONT_SIZE = 13
SMALL = 12
# Room around the plot area for the legend, the axes' labels and the months.
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 48, 46
LEGEND_LINE = 22
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


def coordinate(value: float) -> str:
    """A coordinate: one decimal at most, and never in the active language's notation."""
    return f"{value:.1f}".removesuffix(".0")


def _attributes(**attrs) -> str:
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attrs.items() if value)


def text(x: float, y: float, content: str, *, anchor: str = "middle", size: int = FONT_SIZE, **attrs) -> str:
    """A text in the page's text colour; ``class_=`` and other attributes as keywords."""
    return (
        f'<text x="{coordinate(x)}" y="{coordinate(y)}" text-anchor="{anchor}" font-size="{size}" fill="currentColor"'
        f"{_attributes(**attrs)}>{escape(content)}</text>"
    )


def text_width(content: str, size: int = FONT_SIZE) -> float:
    """About how wide a text is drawn: enough to place the next item of a legend after it."""
    return len(content) * size * 0.58


def gridline(x1: float, x2: float, y: float, *, baseline: bool = False) -> str:
    return (
        f'<line x1="{coordinate(x1)}" x2="{coordinate(x2)}" y1="{coordinate(y)}" y2="{coordinate(y)}" '
        f'stroke="currentColor" stroke-opacity="{"0.6" if baseline else "0.15"}" stroke-width="1" />'
    )


def rect(x: float, y: float, width: float, height: float, *, fill: str, css: str, tooltip: str) -> str:
    return (
        f'<rect x="{coordinate(x)}" y="{coordinate(y)}" width="{coordinate(width)}" height="{coordinate(height)}" '
        f'fill="{escape(fill)}" class="{escape(css)}"><title>{escape(tooltip)}</title></rect>'
    )


def empty_note(x: float, y: float, words: str, *, prefix: str) -> str:
    """The words across an empty plot ("No answers in this period.")."""
    return text(x, y, words, size=15, class_=f"{prefix}-chart-empty")


def svg(
    *,
    chart_id: str,
    title: str,
    description: str,
    height: int,
    prefix: str,
    kind: str,
    body: list[str],
    labelledby: str = "",
    describedby: str = "",
) -> SafeString:
    """The chart as an image: its own title and description name it, unless the page names it by ``labelledby`` and
    describes it by ``describedby`` (ids of the page's own caption and table); the title stays as its tooltip."""
    chart_id = escape(chart_id)
    if labelledby or describedby:
        aria = _attributes(aria_labelledby=labelledby or f"{chart_id}-title", aria_describedby=describedby)
    else:
        aria = f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
    return mark_safe(  # every text and attribute in it went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'class="{escape(prefix)}-chart {escape(prefix)}-chart-{escape(kind)}" role="img"{aria}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def month_labels(months: Sequence[date], centres: Sequence[float], bottom: float, *, prefix: str) -> list[str]:
    """The months under the plot, short and in the active language; the year under the first named month and under
    the first named month of every new year. With many months only every n-th is named."""
    label_every = math.ceil(len(months) / MAX_MONTH_LABELS) if months else 1
    labels = [f'<g class="{prefix}-chart-months">']
    named_year = None
    for index, (month, centre) in enumerate(zip(months, centres, strict=True)):
        if index % label_every:
            continue
        labels.append(text(centre, bottom + 18, date_format(month, "M"), size=SMALL))
        if month.year != named_year:
            labels.append(text(centre, bottom + 34, str(month.year), size=11, class_=f"{prefix}-year"))
            named_year = month.year
    labels.append("</g>")
    return labels


# --- bars with a percentage line -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharePoint:
    """One month of a bars-and-line chart: the bar's count, the line's share in % (None: no point), their tooltips."""

    month: date  # the first day of the month
    count: int
    share: float | None
    bar_tooltip: str
    dot_tooltip: str


@dataclass(frozen=True)
class ShareStyle:
    """How a bars-and-line chart names and colours its parts; classes are ``<prefix>-bar-<bar_name>`` and so on."""

    prefix: str
    kind: str
    bar_name: str
    line_name: str
    bar_colour: str
    line_colour: str
    bar_legend: str
    line_legend: str
    empty: str  # said across the plot when no month has a count


def bars_and_share_chart(
    points: Sequence[SharePoint],
    *,
    style: ShareStyle,
    title: str,
    description: str,
    chart_id: str,
    height: int = 330,
    labelledby: str = "",
    describedby: str = "",
) -> SafeString:
    """A count per month as bars (right axis) and a share in % as a line (left axis, 0-100%), oldest month first.

    A month without a share (nothing counted) has no point: the line breaks there rather than dropping to zero.
    """
    points = list(points)
    prefix = style.prefix
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, height - BOTTOM
    plot_width, plot_height = right - left, bottom - top
    axis_top, step = axis_scale(max((point.count for point in points), default=0))
    total = sum(point.count for point in points)
    bar_css, line_css, dot_css = (
        f"{prefix}-bar-{style.bar_name}",
        f"{prefix}-line-{style.line_name}",
        f"{prefix}-dot-{style.line_name}",
    )

    # The legend: a bar and a line with a dot, each with its words.
    line_x = left + 20 + text_width(style.bar_legend) + 24
    body = [
        f'<g class="{prefix}-chart-legend">',
        f'<rect x="{left}" y="12" width="14" height="14" fill="{style.bar_colour}" class="{bar_css}" />',
        text(left + 20, 24, style.bar_legend, anchor="start"),
        f'<line x1="{coordinate(line_x)}" x2="{coordinate(line_x + 24)}" y1="19" y2="19" stroke="{style.line_colour}" '
        f'stroke-width="3" class="{line_css}" />',
        f'<circle cx="{coordinate(line_x + 12)}" cy="19" r="4.5" fill="{style.line_colour}" class="{dot_css}" />',
        text(line_x + 30, 24, style.line_legend, anchor="start"),
        "</g>",
    ]

    # Both axes share the gridlines: 0-100% on the left, 0 to a round number on the right.
    body.append(f'<g class="{prefix}-chart-axes">')
    for index in range(5):
        y = bottom - plot_height * index / 4
        body.append(gridline(left, right, y, baseline=index == 0))
        body.append(text(left - 8, y + 4, percent(index * 25), anchor="end", size=SMALL))
        body.append(text(right + 8, y + 4, number_format(step * index), anchor="start", size=SMALL))
    body.append("</g>")

    chart = {
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "height": height,
        "prefix": prefix,
        "kind": style.kind,
        "labelledby": labelledby,
        "describedby": describedby,
    }
    if not points:
        body.append(empty_note((left + right) / 2, top + plot_height / 2, style.empty, prefix=prefix))
        return svg(body=body, **chart)

    slot = plot_width / len(points)
    bar_width = min(slot * 0.6, 48)
    centres = [left + slot * (index + 0.5) for index in range(len(points))]
    bars, dots = [f'<g class="{prefix}-chart-bars">'], []
    for point, centre in zip(points, centres, strict=True):
        if point.count:
            bar_height = plot_height * point.count / axis_top
            bars.append(
                rect(
                    centre - bar_width / 2,
                    bottom - bar_height,
                    bar_width,
                    bar_height,
                    fill=style.bar_colour,
                    css=bar_css,
                    tooltip=point.bar_tooltip,
                )
            )
        dots.append(None if point.share is None else (centre, bottom - plot_height * point.share / 100, point))
    body += [*bars, "</g>", *month_labels([p.month for p in points], centres, bottom, prefix=prefix)]

    # The line, broken at every month without a share; a dot with its value on every month that has one.
    body.append(f'<g class="{prefix}-chart-line">')
    segment: list[str] = []
    for dot in [*dots, None]:
        if dot is not None:
            segment.append(f"{coordinate(dot[0])},{coordinate(dot[1])}")
            continue
        if len(segment) > 1:
            body.append(
                f'<polyline points="{" ".join(segment)}" fill="none" stroke="{style.line_colour}" stroke-width="3" '
                f'stroke-linejoin="round" class="{line_css}" />'
            )
        segment = []
    label_values = len(points) <= MAX_MONTH_LABELS
    for dot in dots:
        if dot is None:
            continue
        x, y, point = dot
        body.append(
            f'<circle cx="{coordinate(x)}" cy="{coordinate(y)}" r="4.5" fill="{style.line_colour}" class="{dot_css}">'
            f"<title>{escape(point.dot_tooltip)}</title></circle>"
        )
        if label_values:
            # Above the dot, or below it when the dot is at the top of the chart.
            label_y = y - 10 if y - 10 > top + 6 else y + 20
            body.append(text(x, label_y, percent(point.share), size=11, class_=f"{prefix}-value", font_weight="600"))
    body.append("</g>")

    if not total:
        body.append(empty_note((left + right) / 2, top + plot_height / 2, style.empty, prefix=prefix))
    return svg(body=body, **chart)


# --- stacked bars per month ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """One part of a stacked bar: its key (for the class ``<prefix>-series-<key>``), its words and its colour."""

    key: str
    label: str
    colour: str


def stacked_bars_chart(
    months: Sequence[date],
    values: Sequence[Mapping[str, int]],
    *,
    series: Sequence[Series],
    title: str,
    description: str,
    chart_id: str,
    prefix: str,
    kind: str,
    empty: str,
    height: int = 330,
    labelledby: str = "",
    describedby: str = "",
) -> SafeString:
    """One bar per month, stacked from the bottom in the order of ``series``, with its total above it.

    ``values[i]`` holds the counts of ``months[i]`` by series key. The legend names every series with its colour,
    on as many lines as it needs; the table beside the chart gives the numbers, so colour is never the only sign.
    """
    months, values = list(months), list(values)
    left, right = LEFT, WIDTH - 16

    # The legend first: it decides where the plot starts.
    legend, x, y = [f'<g class="{prefix}-chart-legend">'], float(left), 12
    for part in series:
        width = 20 + text_width(part.label) + 24
        if x + width > right and x > left:
            x, y = float(left), y + LEGEND_LINE
        legend.append(
            f'<rect x="{coordinate(x)}" y="{y}" width="14" height="14" fill="{escape(part.colour)}" '
            f'class="{prefix}-series {prefix}-series-{escape(part.key)}" />'
        )
        legend.append(text(x + 20, y + 12, part.label, anchor="start"))
        x += width
    legend.append("</g>")
    top = y + 14 + 24
    height = max(height, int(top) + 200)
    bottom = height - BOTTOM
    plot_width, plot_height = right - left, bottom - top

    totals = [sum(month_values.get(part.key, 0) for part in series) for month_values in values]
    axis_top, step = axis_scale(max(totals, default=0))
    body = [*legend, f'<g class="{prefix}-chart-axes">']
    for index in range(5):
        y_line = bottom - plot_height * index / 4
        body.append(gridline(left, right, y_line, baseline=index == 0))
        body.append(text(left - 8, y_line + 4, number_format(step * index), anchor="end", size=SMALL))
    body.append("</g>")

    chart = {
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "height": height,
        "prefix": prefix,
        "kind": kind,
        "labelledby": labelledby,
        "describedby": describedby,
    }
    if not months:
        body.append(empty_note((left + right) / 2, top + plot_height / 2, empty, prefix=prefix))
        return svg(body=body, **chart)

    slot = plot_width / len(months)
    bar_width = min(slot * 0.6, 40)
    centres = [left + slot * (index + 0.5) for index in range(len(months))]
    body.append(f'<g class="{prefix}-chart-bars">')
    for month, month_values, total, centre in zip(months, values, totals, centres, strict=True):
        base = bottom
        for part in series:
            count = month_values.get(part.key, 0)
            if not count:
                continue
            part_height = plot_height * count / axis_top
            base -= part_height
            body.append(
                rect(
                    centre - bar_width / 2,
                    base,
                    bar_width,
                    part_height,
                    fill=part.colour,
                    css=f"{prefix}-series {prefix}-series-{part.key}",
                    tooltip=f"{date_format(month, 'F Y')}: {part.label} {number_format(count)}",
                )
            )
        if total and len(months) <= MAX_MONTH_LABELS:
            body.append(text(centre, base - 6, number_format(total), size=SMALL, class_=f"{prefix}-value"))
    body.append("</g>")
    body += month_labels(months, centres, bottom, prefix=prefix)
    if not any(totals):
        body.append(empty_note((left + right) / 2, top + plot_height / 2, empty, prefix=prefix))
    return svg(body=body, **chart)
