"""The SVG charts of the trends page: well-formed images with a title and a description, for no data, one month
and twelve, in the admin's language, with every text escaped."""

import re
from datetime import date
from xml.etree import ElementTree

import pytest
from django.utils import translation

from satisfaction import charts
from satisfaction.selectors import MonthFigure

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def parse(markup: str) -> ElementTree.Element:
    """The chart as XML: it must be well-formed, whatever text went into it."""
    return ElementTree.fromstring(str(markup))  # noqa: S314 - our own markup, made in the test


def texts(svg: ElementTree.Element) -> list[str]:
    return [element.text for element in svg.iter(f"{SVG}text")]


def figure(month: date, answers: int, satisfied: int) -> MonthFigure:
    return MonthFigure(
        month=month,
        answers=answers,
        satisfied=satisfied,
        csat=round(satisfied / answers * 100, 1) if answers else None,
    )


def year_of_figures() -> list[MonthFigure]:
    """Twelve months from March 2025 to February 2026, June without answers."""
    months = [date(2025, month, 1) for month in range(3, 13)] + [date(2026, 1, 1), date(2026, 2, 1)]
    answers = [10, 12, 8, 0, 5, 20, 15, 9, 11, 4, 30, 6]
    satisfied = [8, 9, 4, 0, 5, 14, 15, 3, 10, 1, 24, 6]
    return [figure(m, a, s) for m, a, s in zip(months, answers, satisfied, strict=True)]


def assert_accessible_image(svg: ElementTree.Element, title: str) -> None:
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+", svg.get("viewBox"))
    assert svg.get("width") == "100%" and svg.get("height") is None
    title_element, description = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title_element.text == title
    assert svg.get("aria-labelledby") == f"{title_element.get('id')} {description.get('id')}"
    assert description.text


# --- CSAT per month --------------------------------------------------------------------------------------------


def test_the_csat_chart_without_months_says_so():
    svg = parse(charts.csat_chart([], title="CSAT"))

    assert_accessible_image(svg, "CSAT")
    assert "No answers in this period." in texts(svg)
    assert not list(svg.iter(f"{SVG}polyline")) and not list(svg.iter(f"{SVG}circle"))[1:]


def test_the_csat_chart_for_months_without_answers_draws_no_line():
    svg = parse(charts.csat_chart([figure(date(2026, 1, 1), 0, 0), figure(date(2026, 2, 1), 0, 0)], title="CSAT"))

    assert "No answers in this period." in texts(svg)
    assert "Jan" in texts(svg) and "Feb" in texts(svg)
    assert not list(svg.iter(f"{SVG}polyline"))
    assert not [
        rect
        for rect in svg.iter(f"{SVG}rect")
        if "satisfaction-bar-answers" in rect.get("class") and rect.find(f"{SVG}title") is not None
    ]


def test_the_csat_chart_of_one_month():
    svg = parse(charts.csat_chart([figure(date(2026, 2, 1), 3, 2)], title="CSAT"))

    assert_accessible_image(svg, "CSAT")
    labels = texts(svg)
    assert "Feb" in labels and "2026" in labels
    assert "67%" in labels
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["February 2026: 3 answers, CSAT 66.7%"]
    # One point makes no line, only its dot.
    assert not list(svg.iter(f"{SVG}polyline"))
    assert "February 2026 66.7%" in svg.find(f"{SVG}desc").text


def test_the_csat_chart_of_twelve_months_breaks_its_line_at_a_month_without_answers():
    figures = year_of_figures()
    svg = parse(charts.csat_chart(figures, title="CSAT"))

    labels = texts(svg)
    assert [label for label in labels if label in {"Mar", "Jun", "Dec", "Jan", "Feb"}] == [
        "Mar",
        "Jun",
        "Dec",
        "Jan",
        "Feb",
    ]
    # The year under the first month and under January.
    assert "2025" in labels and "2026" in labels
    bars = [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert len(bars) == 11
    # The tallest bar (30 answers) reaches the top of its axis, which runs to a round number above it.
    heights = {bar.find(f"{SVG}title").text.split(":")[0]: float(bar.get("height")) for bar in bars}
    assert max(heights, key=heights.get) == "January 2026"
    assert "40" in labels and "0%" in labels and "100%" in labels
    # March-May and July-February: two pieces of line, eleven dots.
    lines = list(svg.iter(f"{SVG}polyline"))
    assert [len(line.get("points").split()) for line in lines] == [3, 8]
    dots = [circle for circle in svg.iter(f"{SVG}circle") if circle.find(f"{SVG}title") is not None]
    assert len(dots) == 11
    assert "80%" in labels and "100%" in labels
    # The higher the CSAT, the higher the dot: 100% in July (y smallest) against 25% in December.
    by_month = {dot.find(f"{SVG}title").text.split(":")[0]: float(dot.get("cy")) for dot in dots}
    assert by_month["July 2025"] < by_month["March 2025"] < by_month["December 2025"]
    description = svg.find(f"{SVG}desc").text
    assert description.startswith("March 2025 to February 2026: 130 answers.")
    assert "June 2025" not in description


def test_months_are_named_in_the_admin_language():
    figures = [figure(date(2026, 3, 1), 4, 3), figure(date(2026, 5, 1), 4, 3)]
    with translation.override("nl"):
        svg = parse(charts.csat_chart(figures, title="CSAT"))
    labels = texts(svg)
    assert "Mrt" in labels and "Mei" in labels
    assert "75%" in labels
    assert "maart 2026" in svg.find(f"{SVG}desc").text


def test_a_long_range_names_only_some_months():
    figures = [figure(date(2020 + index // 12, index % 12 + 1, 1), 1, 1) for index in range(36)]
    svg = parse(charts.csat_chart(figures, title="CSAT"))
    month_names = [
        label
        for label in texts(svg)
        if label in {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
    ]
    assert len(month_names) == 18


# --- the distribution of scores --------------------------------------------------------------------------------


def test_the_distribution_without_answers_says_so():
    svg = parse(charts.distribution_chart({1: 0, 2: 0, 3: 0, 4: 0, 5: 0}, title="Scores"))

    assert_accessible_image(svg, "Scores")
    labels = texts(svg)
    assert "No answers in this period." in labels
    # Every score is still named, in number and words.
    words = [label for label in labels if label in {"very dissatisfied", "neutral", "very satisfied"}]
    assert words == ["very dissatisfied", "neutral", "very satisfied"]
    assert not list(svg.iter(f"{SVG}rect"))


def test_the_distribution_of_scores():
    svg = parse(charts.distribution_chart({1: 1, 2: 0, 3: 2, 4: 3, 5: 4}, title="Scores"))

    labels = texts(svg)
    assert "1 (10%)" in labels and "4 (40%)" in labels and "2 (20%)" in labels
    bars = {rect.find(f"{SVG}title").text: rect for rect in svg.iter(f"{SVG}rect")}
    assert set(bars) == {
        "1 very dissatisfied: 1 (10%)",
        "3 neutral: 2 (20%)",
        "4 satisfied: 3 (30%)",
        "5 very satisfied: 4 (40%)",
    }
    # Red for 1-2, amber for 3, green for 4-5, with the words below each bar.
    assert "satisfaction-bar-red" in bars["1 very dissatisfied: 1 (10%)"].get("class")
    assert "satisfaction-bar-amber" in bars["3 neutral: 2 (20%)"].get("class")
    assert "satisfaction-bar-green" in bars["5 very satisfied: 4 (40%)"].get("class")
    assert float(bars["5 very satisfied: 4 (40%)"].get("height")) == 2 * float(bars["3 neutral: 2 (20%)"].get("height"))
    assert svg.find(f"{SVG}desc").text.startswith("10 answers: 1 very dissatisfied: 1 (10%); 2 dissatisfied: 0 (0%)")


# --- escaping --------------------------------------------------------------------------------------------------


def test_every_text_is_escaped():
    title = '<script>alert("x")</script> & "quotes"'
    for markup in [
        charts.csat_chart(year_of_figures(), title=title, chart_id='x" onload="alert(1)'),
        charts.distribution_chart({5: 1}, title=title, chart_id='x" onload="alert(1)'),
    ]:
        assert "<script" not in markup and 'onload="' not in markup
        svg = parse(markup)
        assert svg.find(f"{SVG}title").text == title
        assert all(not name.startswith("on") for element in svg.iter() for name in element.attrib)


def test_axis_scale_gives_round_steps():
    assert charts.axis_scale(0) == (4, 1)
    assert charts.axis_scale(3) == (4, 1)
    assert charts.axis_scale(9) == (12, 3)
    assert charts.axis_scale(30) == (40, 10)
    assert charts.axis_scale(45) == (60, 15)
    assert charts.axis_scale(1234) == (1600, 400)
