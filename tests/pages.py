"""Reading the dashboard's pages as a screen reader would: title, heading, tables by caption, terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask.testing import FlaskClient


@dataclass
class Page:
    title: str = ""
    h1: str = ""
    #: Each table's rows (header row included) by its caption.
    tables: dict[str, list[list[str]]] = field(default_factory=dict)
    #: Description-list terms and their values.
    terms: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def table(self, caption: str) -> list[list[str]]:
        assert caption in self.tables, f"no table captioned {caption!r}; there are {list(self.tables)}"
        return self.tables[caption]

    def column(self, caption: str, row: str) -> dict[str, str]:
        """One row of a table, by its first cell, as {column heading: cell}."""
        header, *rows = self.table(caption)
        for cells in rows:
            if cells[0] == row:
                return dict(zip(header, cells, strict=True))
        raise AssertionError(f"no row {row!r} in {caption!r}: {[r[0] for r in rows]}")


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return reader.page


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, password: str) -> None:
    token = csrf_token(client.get("/dashboard/login").get_data(as_text=True))
    response = client.post("/dashboard/login", data={"password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._stack: list[str] = []
        self._text: list[str] = []
        self._caption = ""
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._term = ""
        self._capture: list[str] | None = None
        self._in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self._in_svg += 1
        if tag in ("title", "h1", "caption", "dt", "dd") and not self._in_svg:
            self._capture = []
        elif tag == "table":
            self._rows = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg -= 1
        text = " ".join("".join(self._capture or []).split())
        if tag == "title" and not self._in_svg and self._capture is not None:
            self.page.title = text
        elif tag == "h1":
            self.page.h1 = text
        elif tag == "caption":
            self._caption = text
        elif tag == "dt":
            self._term = text
        elif tag == "dd":
            self.page.terms[self._term] = text
        elif tag in ("th", "td") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.page.tables[self._caption] = self._rows
            self._rows, self._caption = None, ""
        if tag in ("title", "h1", "caption", "dt", "dd"):
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._in_svg:
            return
        self.page.text += data
        if self._capture is not None:
            self._capture.append(data)
        if self._cell is not None:
            self._cell.append(data)
