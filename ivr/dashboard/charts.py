"""Charts drawn on the server as inline SVG: no script, nothing fetched, the same in every browser.

Each chart is a picture with a short accessible name; the page puts a table of the same
figures beside it for screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
#: Bars are dark blue on white (contrast 7:1), values and labels near-black.
BAR = "#1f5f99"
INK = "#1a1a1a"
GRID = "#767676"
_LABEL_CHARS = 30


@dataclass(frozen=True)
class Bar:
    label: str
    value: int


def bar_chart(bars: Sequence[Bar], *, name: str) -> Markup:
    """Horizontal bars, one per row with its label on the left and its value at its end."""
    row, label_width, top = 30, 230, 8
    height = top * 2 + row * max(len(bars), 1)
    scale = (WIDTH - label_width - 60) / max([b.value for b in bars] + [1])
    parts = [_open(name, height)]
    for index, bar in enumerate(bars):
        y = top + index * row
        length = max(bar.value * scale, 1 if bar.value else 0)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 19}" text-anchor="end" fill="{INK}">'
            f"{escape(_short(bar.label))}</text>"
            f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" fill="{BAR}">'
            f"<title>{escape(bar.label)}: {bar.value}</title></rect>"
            f'<text x="{label_width + length + 6:.1f}" y="{y + 19}" fill="{INK}">{bar.value}</text>'
        )
    if not bars:
        parts.append(f'<text x="8" y="{top + 19}" fill="{INK}">Nothing in this period.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(days: Sequence[tuple[dt.date, int]], *, name: str) -> Markup:
    """One column a day, with the day of the month under every seventh column and the top value marked."""
    height, bottom, left, top = 220, 28, 40, 12
    plot = height - bottom - top
    most = max([n for _, n in days] + [1])
    step = (WIDTH - left - 8) / max(len(days), 1)
    parts = [
        _open(name, height),
        f'<line x1="{left}" y1="{top}" x2="{WIDTH - 8}" y2="{top}" stroke="{GRID}" stroke-dasharray="4 4"/>',
        f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" fill="{INK}">{most}</text>',
        f'<line x1="{left}" y1="{top + plot}" x2="{WIDTH - 8}" y2="{top + plot}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="{top + plot + 5}" text-anchor="end" fill="{INK}">0</text>',
    ]
    for index, (day, count) in enumerate(days):
        x = left + index * step
        tall = count / most * plot
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{top + plot - tall:.1f}" width="{step * 0.7:.1f}" '
            f'height="{tall:.1f}" fill="{BAR}"><title>{day:%a %d %b}: {count}</title></rect>'
        )
        if index % 7 == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="{INK}">'
                f"{day:%d %b}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(name: str, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(name)}" font-size="14" font-family="system-ui, sans-serif">'
    )


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"
