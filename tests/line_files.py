"""Small line files for tests: a valid base line, and helpers to break it one rule at a time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ivr.line.validate import LineInvalid, LineProblem, load_line

_BASE_LINE = """\
# A small valid line. Tests copy it and break one thing at a time.
name: Riverside Clinic information line
clinic:
  name: Riverside Clinic
  phone: "+12025550143"
  hours:
    timezone: America/New_York
    monday: "09:00-17:00"
    tuesday: ["09:00-12:00", "13:00-17:00"]
    wednesday:
      - opens: "09:00"
        closes: "17:00"
    thursday: "09:00-17:00"
    friday: "09:00-16:00"
    saturday: closed
greeting: Thank you for calling Riverside Clinic. If you have trouble breathing, hang up now and call 911.
start: main
nodes:
  main:
    type: menu
    title: Main menu
    prompt: What would you like to hear about?
    options:
      - key: "1"
        label: For our opening hours
        words: [opening hours, hours]
        goto: opening-hours
      - key: "2"
        label: For swelling after a treatment
        words: [swelling, swollen]
        goto: swelling
      - key: "3"
        label: To speak to the front desk
        words: [front desk, reception]
        goto: desk
  opening-hours:
    type: answer
    title: Opening hours
    text: We are open from nine to five on weekdays, and until four on Fridays.
  swelling:
    type: answer
    title: Swelling
    text: Some swelling is normal for up to three days after a treatment.
    options:
      - key: "1"
        label: If the swelling is severe
        words: [severe, very swollen]
        goto: emergency
  desk:
    type: transfer
    title: Front desk
    text: I will put you through to the front desk.
  emergency:
    type: emergency
    title: Severe swelling
"""

#: The last line of the main menu's options, to add options after it.
END_OF_MAIN_MENU = "        goto: desk\n"


def base_line() -> str:
    """A small valid line: a main menu, two answers, a transfer and an emergency node."""
    return _BASE_LINE


def edit(text: str, old: str, new: str) -> str:
    """``text`` with ``old``, which must be there exactly once, replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} is in the text {text.count(old)} times"
    return text.replace(old, new)


def line_number(text: str, fragment: str) -> int:
    """The 1-based number of the one line of ``text`` that contains ``fragment``."""
    numbers = [number for number, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(numbers) == 1, f"{fragment!r} is on lines {numbers}"
    return numbers[0]


def option(key: str, word: str, goto: str = "opening-hours") -> str:
    """One more option for the main menu, as YAML."""
    return f'      - key: "{key}"\n        label: For {word}\n        words: [{word}]\n        goto: {goto}\n'


def write_line(directory: Path, text: str | bytes, name: str = "line.yaml") -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class LineFile:
    """A line file written for a test, and what loading it finds."""

    text: str
    path: Path

    @classmethod
    def write(cls, directory: Path, text: str) -> LineFile:
        return cls(text, write_line(directory, text))

    @classmethod
    def broken(cls, directory: Path, old: str, new: str) -> LineFile:
        """The base line with one edit."""
        return cls.write(directory, edit(base_line(), old, new))

    def line(self, fragment: str) -> int:
        return line_number(self.text, fragment)

    def at(self, fragment: str) -> str:
        """``file:line`` of the line holding ``fragment``, as a problem starts."""
        return f"{self.path}:{self.line(fragment)}"

    def problems(self) -> tuple[LineProblem, ...]:
        with pytest.raises(LineInvalid) as raised:
            load_line(self.path)
        return raised.value.problems

    def problem(self, kind: type[LineProblem]) -> LineProblem:
        """The one problem loading finds, which must be a ``kind``."""
        problems = self.problems()
        assert [type(problem) for problem in problems] == [kind], "\n".join(map(str, problems))
        return problems[0]
