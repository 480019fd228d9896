"""Charts drawn on the server: no script, nothing fetched, the same in every browser.

Every word and number of a chart is HTML text, so it is as large as the page's text at any
width and zoom; only the bars are drawn, each as a small SVG with no text in it, stretched to
the space it has. Each chart is one picture with a short accessible name; the page puts a
table of the same figures beside it for screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart(bars: Sequence[Bar], *, name: str) -> Markup:
    """Horizontal bars, one a row: its label, its value, then the bar."""
    if not bars:
        return Markup("")
    most = max([bar.value for bar in bars] + [1])
    rows = "".join(
        '<div class="bar-row">'
        f'<span class="bar-label">{escape(bar.label)}</span>'
        f'<span class="bar-value">{bar.value}</span>'
        f"{_bar(bar.value / most * 100)}"
        "</div>"
        for bar in bars
    )
    return Markup(f'<div class="chart bar-chart" role="img" aria-label="{escape(name)}">{rows}</div>')


def column_chart(columns: Sequence[tuple[str, int]], *, name: str, ticks: Sequence[str] = ()) -> Markup:
    """One column for each (label, value), the largest value marked, and labels under the columns.

    ``ticks`` are labels of equal groups of columns (four labels for 24 hours: one every six);
    without them, or when they do not divide the columns evenly, the first and last labels are shown.
    """
    if not columns:
        return Markup("")
    most = max([value for _, value in columns] + [1])
    count = len(columns)
    rects = "".join(
        f'<rect x="{index + 0.15:.2f}" y="{100 - tall:.2f}" width="0.7" height="{tall:.2f}"/>'
        for index, tall in enumerate(value / most * 100 for _, value in columns)
        if tall
    )
    if not ticks or count % len(ticks):
        ticks = (columns[0][0], columns[-1][0]) if count > 1 else (columns[0][0],)
        tick_class = "column-ticks column-ticks-ends"
    else:
        tick_class = "column-ticks"
    labels = "".join(f"<span>{escape(tick)}</span>" for tick in ticks)
    return Markup(
        f'<div class="chart column-chart" role="img" aria-label="{escape(name)}">'
        f'<div class="column-scale"><span>{most}</span><span>0</span></div>'
        f'<svg class="column-plot" viewBox="0 0 {count} 100" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false">{rects}</svg>'
        f'<div class="{tick_class}">{labels}</div>'
        "</div>"
    )


def _bar(percent: float) -> str:
    width = max(percent, 0.5) if percent else 0
    return (
        '<svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect width="{width:.1f}" height="1"/></svg>'
    )
