"""A line file changed a value at a time: only the lines of what changed differ, as staff wrote the rest."""

from __future__ import annotations

import difflib

from ivr.config import DEFAULT_LINE_FILE
from ivr.line import editing
from ivr.line.validate import load_line_text


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


def test_a_changed_title_and_a_longer_answer_change_only_their_own_lines() -> None:
    text = DEFAULT_LINE_FILE.read_text(encoding="utf-8")
    data = editing.read(text)
    editing.put_text(data, ("nodes", "main", "title"), "The main menu")
    longer = ("Botox stays where it was injected. It does not travel through the body, and it does not act on the "
              "whole body, though it may move up to three centimetres.")
    editing.put_text(data, ("nodes", "spread", "text", "en"), longer)
    after = editing.write(data, text)
    removed, added = _changed_lines(text, after)
    assert removed[0] == "    title: Main menu" and added[0] == "    title: The main menu"
    assert all(line.startswith("        ") and len(line) <= 84 for line in added[1:]), "folded as the file folds"
    assert " ".join(" ".join(line.split()) for line in added[1:]) == longer
    assert len(removed) == 1 + 3, "the title and the old answer's three lines, nothing else"
    loaded = load_line_text(after.encode("utf-8"), "edited")
    assert loaded.line.nodes["spread"].text == longer


def test_a_choice_moved_down_and_one_added_keep_every_comment() -> None:
    text = DEFAULT_LINE_FILE.read_text(encoding="utf-8")
    data = editing.read(text)
    assert editing.move(data, ("nodes", "main", "options", 0), 1)
    assert not editing.move(data, ("nodes", "main", "options", 3), 1), "the last choice cannot go further down"
    assert editing.add_choice(data, "body", ["en", "es"], "main") == 3
    after = editing.write(data, text)
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in after.splitlines() if line.lstrip().startswith("#")] == comments
    options = editing.read(after)["nodes"]["body"]["options"]
    assert [str(option["key"]) for option in options] == ["1", "2", "3", "4"]
    assert editing.read(after)["nodes"]["main"]["options"][0]["goto"] == "swelling"
