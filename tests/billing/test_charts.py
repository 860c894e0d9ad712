"""The usage report's SVG charts (billing/charts.py): what they draw, and that it is labelled and escaped."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from billing import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(chart) -> ET.Element:
    return ET.fromstring(str(chart))  # also proves it is well-formed XML


def _bars(root: ET.Element) -> dict[str, tuple[float, float]]:
    """{bar title: (top y, height)}"""
    return {rect.find(f"{SVG}title").text: (float(rect.get("y")), float(rect.get("height")))
            for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None}


def test_it_stacks_bars_in_proportion_to_their_values():
    chart = charts.bar_chart(title="Designs", desc="per day", labels=["Nov 01", "Nov 02"], y_label="designs",
                             series=[charts.Series("free", [2, 4]), charts.Series("premium", [2, 0])])
    bars = _bars(_parse(chart))

    assert set(bars) == {"Nov 01: free 2", "Nov 02: free 4", "Nov 01: premium 2"}  # no bar for a 0
    assert bars["Nov 02: free 4"][1] == pytest.approx(2 * bars["Nov 01: free 2"][1])
    free_top, free_height = bars["Nov 01: free 2"]
    premium_top, premium_height = bars["Nov 01: premium 2"]
    assert premium_top + premium_height == pytest.approx(free_top)  # stacked on top of free
    assert free_top + free_height == pytest.approx(charts.HEIGHT - charts.BOTTOM)  # from the x axis up


def test_it_is_labelled_for_screen_readers_with_both_axes():
    chart = charts.line_chart(title="Success rate", desc="Completed out of ended.", labels=["Nov 01", "Nov 02"],
                              series=[charts.Series("success", [50, 100])], y_label="completed / ended",
                              unit="%", y_max=100)
    root = _parse(chart)

    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id and root.find(f"{SVG}title").text == "Success rate"
    assert root.find(f"{SVG}desc").get("id") == desc_id and root.find(f"{SVG}desc").text == "Completed out of ended."
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "completed / ended" in texts  # the y axis
    assert {"Nov 01", "Nov 02"} <= set(texts)  # the x axis
    assert {"0%", "50%", "100%"} <= set(texts)  # ticks with their unit
    assert chart.title == "Success rate"


def test_it_breaks_a_line_where_a_day_has_no_value():
    chart = charts.line_chart(title="p95", desc="d", labels=list("abcde"), y_label="s", unit="s",
                              series=[charts.Series("p95", [1, 2, None, 4, 5])])
    root = _parse(chart)

    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    assert [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")] == [
        "a: p95 1s", "b: p95 2s", "d: p95 4s", "e: p95 5s"]


def test_it_draws_the_budget_line_at_its_value():
    chart = charts.bar_chart(title="Cost", desc="d", labels=["a"], y_label="US dollars", unit="$",
                             series=[charts.Series("GPU cost", [25])], reference=(50, "budget"))
    root = _parse(chart)
    line = next(el for el in root.iter(f"{SVG}line") if el.get("class") == "reference")
    top, height = _bars(root)["a: GPU cost $25"]

    assert float(line.get("y1")) == pytest.approx(top + height - 2 * height)  # twice the bar's height
    assert "budget $50" in [t.text for t in root.iter(f"{SVG}text")]


def test_it_escapes_what_it_is_given():
    chart = charts.bar_chart(title="<script>alert(1)</script>", desc="a & b", labels=["<b>"], y_label="x",
                             series=[charts.Series('plan"><script>', [1])])
    root = _parse(chart)

    assert "<script>" not in str(chart)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert 'plan"><script>' in " ".join(t.text for t in root.iter(f"{SVG}text"))


def test_it_draws_an_empty_period_without_dividing_by_zero():
    chart = charts.bar_chart(title="Cost", desc="d", labels=["a", "b"], y_label="$",
                             series=[charts.Series("GPU cost", [0, 0])])
    assert _bars(_parse(chart)) == {}
    assert re.search(r">1</text>", str(chart))  # an axis from 0 to 1, not NaN
    assert "Nothing in this period" in str(chart)


def test_it_keeps_count_ticks_whole_and_labels_the_newest_day():
    labels = [f"Nov {day:02d}" for day in range(1, 15)]
    chart = charts.bar_chart(title="Designs", desc="d", labels=labels, y_label="designs", counts=True,
                             series=[charts.Series("free", [1] + [0] * 13)])
    texts = [t.text for t in _parse(chart).iter(f"{SVG}text")]

    assert {"0", "1", "2", "3", "4"} <= set(texts)  # not 0.25 of a design
    assert "Nov 14" in texts
