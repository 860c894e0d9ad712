"""Small SVG charts drawn on the server, for the admin's usage report: no script, no external file.

Each chart is one <svg role="img"> with a <title> and <desc> it is labelled by, both axes labelled, a
legend, and a <title> on every bar and point, so a screen reader (and a hover) gets the numbers. Values are
plotted oldest to newest, left to right. Everything put into the markup is escaped.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 56  # the plot area's margins: axis labels and the legend live there
# Okabe–Ito: told apart with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: no value that day (a gap in a line, no bar)


def bar_chart(*, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], y_label: str,
              unit: str = "", reference: tuple[float, str] | None = None, counts: bool = False) -> Chart:
    """Stacked bars, one per label; `reference` draws a dashed horizontal line (a budget) with its name.
    `counts`: whole numbers, so every tick is one."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = _nice_max(max([*totals, reference[0] if reference else 0, 0]))
    if counts:
        top = 4 * math.ceil(top / 4)
    plot = _Plot(labels=labels, top=top)
    parts = [plot.axes(y_label=y_label, unit=unit)]
    base = [0.0] * len(labels)
    for colour, each in zip(itertools.cycle(COLOURS), series):
        for i, value in enumerate(each.values):
            if not value:
                continue
            x, y, height = plot.bar_x(i), plot.y(base[i] + value), plot.y(base[i]) - plot.y(base[i] + value)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{plot.bar_width:.1f}" height="{max(height, 0.5):.1f}" '
                         f'fill="{colour}"><title>{escape(labels[i])}: {escape(each.name)} '
                         f'{_fmt(value, unit)}</title></rect>')
            base[i] += value
    if reference:
        y = plot.y(reference[0])
        parts.append(f'<line class="reference" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#B00020" stroke-width="2" stroke-dasharray="6 4"/>'
                     f'<text x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end" fill="#B00020" font-size="11">'
                     f'{escape(reference[1])} {_fmt(reference[0], unit)}</text>')
    if not any(totals):
        parts.append(_nothing())
    legend = [(s.name, c) for s, c in zip(series, itertools.cycle(COLOURS))]
    if reference:
        legend.append((reference[1], "#B00020"))
    return _svg(title=title, desc=desc, body=parts + [_legend(legend)])


def line_chart(*, title: str, desc: str, labels: Sequence[str], series: Sequence[Series], y_label: str,
               unit: str = "", y_max: float | None = None) -> Chart:
    """One line per series, a dot on each value; a None breaks the line."""
    values = [v for s in series for v in s.values if v is not None]
    top = y_max if y_max is not None else _nice_max(max([*values, 0]))
    plot = _Plot(labels=labels, top=top)
    parts = [plot.axes(y_label=y_label, unit=unit)] + ([] if values else [_nothing()])
    for colour, each in zip(itertools.cycle(COLOURS), series):
        points = [(plot.centre_x(i), plot.y(v), i, v) for i, v in enumerate(each.values) if v is not None]
        for run in _runs(each.values):
            if len(run) > 1:
                path = " ".join(f"{plot.centre_x(i):.1f},{plot.y(each.values[i]):.1f}" for i in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{escape(labels[i])}: '
                  f'{escape(each.name)} {_fmt(v, unit)}</title></circle>' for x, y, i, v in points]
    return _svg(title=title, desc=desc, body=parts + [_legend([(s.name, c) for s, c in
                                                              zip(series, itertools.cycle(COLOURS))])])


class _Plot:
    """Maps a label's index and a value to the plot area's coordinates."""

    def __init__(self, *, labels: Sequence[str], top: float) -> None:
        self.labels, self.top = labels, top or 1
        self.inner_w, self.inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.slot = self.inner_w / max(len(labels), 1)
        self.bar_width = max(self.slot * 0.7, 1)

    def y(self, value: float) -> float:
        return TOP + self.inner_h * (1 - min(value, self.top) / self.top)

    def centre_x(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def bar_x(self, index: int) -> float:
        return self.centre_x(index) - self.bar_width / 2

    def axes(self, *, y_label: str, unit: str) -> str:
        bottom = TOP + self.inner_h
        parts = [f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" stroke="#555"/>',
                 f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#555"/>']
        for tick in range(5):
            value = self.top * tick / 4
            y = self.y(value)
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                         f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
                         f'{_fmt(value, unit)}</text>')
        step = max(1, math.ceil(len(self.labels) / 10))  # at most about ten day labels fit under the axis
        for i in range(len(self.labels) - 1, -1, -step):  # counted from the newest day, which is always labelled
            parts.append(f'<text class="x-label" x="{self.centre_x(i):.1f}" y="{bottom + 16}" text-anchor="middle" '
                         f'font-size="11">{escape(self.labels[i])}</text>')
        parts.append(f'<text class="y-axis-label" transform="translate(14 {TOP + self.inner_h / 2:.0f}) rotate(-90)" '
                     f'text-anchor="middle" font-size="12">{escape(y_label)}</text>')
        return "".join(parts)


def _nothing() -> str:
    x, y = LEFT + (WIDTH - LEFT - RIGHT) / 2, TOP + (HEIGHT - TOP - BOTTOM) / 2
    return (f'<text class="empty" x="{x:.0f}" y="{y:.0f}" '
            'text-anchor="middle" font-size="13" fill="#666">Nothing in this period</text>')


def _legend(entries: list[tuple[str, str]]) -> str:
    parts, x = [], LEFT
    for name, colour in entries:
        parts.append(f'<rect x="{x}" y="{HEIGHT - 18}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{HEIGHT - 9}" font-size="11">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return f'<g class="legend">{"".join(parts)}</g>'


class Chart(SafeString):
    """The SVG markup, safe to put in a template as it is, with its title for a visible caption."""

    title: str


def _svg(*, title: str, desc: str, body: list[str]) -> Chart:
    uid = next(_ids)
    chart = Chart(  # every text put in above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="chart-{uid}-title chart-{uid}-desc" '
        f'font-family="sans-serif"><title id="chart-{uid}-title">{escape(title)}</title>'
        f'<desc id="chart-{uid}-desc">{escape(desc)}</desc>{"".join(body)}</svg>'
    )
    chart.title = title
    return chart


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indices of consecutive values that are not None."""
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(i)
    return [run for run in runs if run]


def _nice_max(value: float) -> float:
    """The axis top: the value rounded up to 1, 2, 2.5 or 5 times a power of ten (4 even ticks)."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float, unit: str = "") -> str:
    if value == int(value) or abs(value) >= 100:
        number = f"{value:.0f}"
    elif abs(value) >= 1:
        number = f"{value:.3g}"
    else:  # small dollar amounts: four places, never an exponent
        number = f"{value:.4f}".rstrip("0").rstrip(".")
    return escape(f"${number}" if unit == "$" else f"{number}{unit}")
