"""A trial call: staff try a line (live, an older version, a file not yet published, a draft) without a phone.

It runs the same :class:`~ivr.call.flow.CallFlow` as a real call, at a day and time of the tester's choosing and
from any place of the line, and says how each key or word was understood. It records nothing: whoever runs it
keeps its :class:`Trial` (the dashboard's try-it page keeps it, signed, in its form).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz

from ivr.call.flow import AnswerTexter, CallFlow, CallState, Connect, Listen, Target, Turn
from ivr.call.matching import Chose, Commanded, Invalid, Silence, normalise
from ivr.languages import language_name
from ivr.line import END, AnswerNode, Line, MenuNode
from ivr.line.validate import LoadedLine, load_line_text

#: The keys of a telephone's keypad.
KEYPAD = "0123456789*#"
#: The most steps a trial's path keeps (the newest): the path travels in the page's form.
MAX_PATH = 40
#: How a transfer went, as Twilio's DialCallStatus says it, and in plain words.
TRANSFER_RESULTS = {"completed": "answered", "busy": "busy", "no-answer": "did not answer", "failed": "failed"}

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WHEN = re.compile(rf"^\s*(?P<day>{'|'.join(_WEEKDAYS)})?\s*(?:at\s+)?(?P<time>\d{{1,2}}:\d{{2}})?\s*$", re.I)
WHEN_EXAMPLES = '"saturday 20:00", "monday", "13:30" or 2026-11-28T20:00-05:00'

Waiting = Literal["listen", "connect", "ended"]


class NotATime(ValueError):
    """A day and time that cannot be read; the message says what was given and how to write one."""


@dataclass(frozen=True)
class TrialLine:
    """A line ready to be tried: as loaded (with its warnings) and its call flow."""

    loaded: LoadedLine
    flow: CallFlow

    @property
    def line(self) -> Line:
        return self.flow.line


def trial_line(text: str, name: str = "the line tried") -> TrialLine:
    """The line a file's text (a version's, a draft's, an upload's) holds, checked as ``ivr validate`` checks it;
    raises :class:`~ivr.line.validate.LineInvalid`. The last few are kept: each step of a trial asks again."""
    return _trial_line(text, name)


@functools.lru_cache(maxsize=8)
def _trial_line(text: str, name: str) -> TrialLine:
    loaded = load_line_text(text.encode("utf-8"), name)
    return TrialLine(loaded, CallFlow(loaded.line))


@dataclass(frozen=True)
class Trial:
    """Where a trial call is: the caller's state, what the line waits for, the time it is made, the path so far."""

    when: dt.datetime
    state: CallState
    waiting: Waiting
    #: The number being dialled, while a transfer is waited for.
    target: Target | None = None
    #: Each step so far: what the caller did, and the place they reached.
    path: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Step:
    """One turn of a trial: what the caller did, how the line understood it, and what the caller hears."""

    did: str
    understood: str
    turn: Turn


def begin(line: TrialLine, when: dt.datetime, language: str = "", place: str = "",
          texter: AnswerTexter | None = None) -> tuple[Trial, Step]:
    """A call placed at ``when``, in ``language`` (the line's first when empty), starting at ``place`` (the start of
    the call when empty or the line's start); raises KeyError, in plain words, for a language or place the line
    has not got. With a ``texter``, answers are offered by text, as on a server that can send them."""
    flow = line.flow
    code = language or flow.languages[0]
    if code not in flow.languages:
        raise KeyError(f"it has no language {language_name(code)} ({code}); its languages: "
                       + ", ".join(f"{language_name(c)} ({c})" for c in flow.languages))
    if not place or place == flow.line.start:
        turn = flow.start(when, code, texter)
        return _after(Trial(when, CallState(flow.line.start), "listen"), turn, "Called the line", "The call started")
    if place not in flow.line.nodes:
        raise KeyError(f"it has no place {place!r}")
    view = flow.flow_in(code).line
    state = CallState(node=place, rate=view.voice.default_rate, language=code if len(flow.languages) > 1 else "")
    # Arriving at a place is what a caller there hears on pressing "repeat".
    turn = flow.respond(state, view.keys.repeat, "", when, texter)
    return _after(Trial(when, state, "listen"), turn, f"Started at {place_name(flow.line, place)}",
                  "The call started there")


def answer(line: TrialLine, trial: Trial, digits: str = "", speech: str = "",
           texter: AnswerTexter | None = None) -> tuple[Trial, Step]:
    """The caller pressed ``digits`` or said ``speech`` (neither: silence) where the line listens."""
    flow = line.flow
    if trial.waiting != "listen":
        raise ValueError("the line is not listening")
    digits, speech = digits.strip(), speech.strip()
    if digits and any(key not in KEYPAD for key in digits):
        raise ValueError(f"{digits[:20]!r} is not a key of a telephone's keypad (0-9, * and #)")
    understood = _understood(flow, trial.state, digits, speech)
    turn = flow.respond(trial.state, digits, speech, trial.when, texter)
    did = f"Pressed {digits}" if digits else f"Said \u201c{_short(speech)}\u201d" if speech else "Stayed silent"
    return _after(trial, turn, did, _with_outcome(understood, turn))


def transfer_ended(line: TrialLine, trial: Trial, status: str) -> tuple[Trial, Step]:
    """The clinic's phone, dialled by the line, answered or not (Twilio's DialCallStatus ``status``)."""
    if trial.waiting != "connect" or trial.target is None:
        raise ValueError("no transfer is waited for")
    if status not in TRANSFER_RESULTS:
        raise ValueError(f"{status[:20]!r} is not how a transfer ends")
    turn = line.flow.dial_finished(trial.state, trial.target, status, trial.when)
    said = TRANSFER_RESULTS[status]
    return _after(trial, turn, f"The phone dialled {said}", f"The transfer: the phone {said}")


def when_called(text: str, zone: str, now: dt.datetime) -> dt.datetime:
    """When a trial call is made: a full ISO time, or a day and time in the clinic's zone ``zone``.

    "saturday 20:00" is the next Saturday at 20:00 (today, if today is Saturday); "monday" is next Monday at
    10:00; "13:30" is today. Raises :class:`NotATime`.
    """
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is not None:
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    match = _WHEN.match(text)
    if not match or not (match.group("day") or match.group("time")):
        raise NotATime(f"{text[:40]!r} is not a time: write, for example, {WHEN_EXAMPLES}")
    local = now.astimezone(zoneinfo.ZoneInfo(zone))
    hour, minute = (int(part) for part in (match.group("time") or "10:00").split(":"))
    if hour > 23 or minute > 59:
        raise NotATime(f"{text[:40]!r} is not a time of day: use the 24-hour clock")
    days_ahead = (_WEEKDAYS.index(match.group("day").lower()) - local.weekday()) % 7 if match.group("day") else 0
    day = local.date() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local.tzinfo)


def place_name(line: Line, place: str) -> str:
    """A place as staff know it: its title, and its name in the file."""
    node = line.nodes.get(place)
    if node is None:
        return "the end of the choices (how else to reach the clinic)" if place == END else repr(place)
    return f"\u2018{node.title}\u2019 ({place})"


# -- helpers ---------------------------------------------------------------------------------------


def _after(trial: Trial, turn: Turn, did: str, understood: str) -> tuple[Trial, Step]:
    then = turn.then
    if isinstance(then, Listen):
        moved = replace(trial, state=then.state, waiting="listen", target=None)
    elif isinstance(then, Connect):
        moved = replace(trial, state=then.state, waiting="connect", target=then.target)
    else:
        moved = replace(trial, waiting="ended", target=None)
    moved = replace(moved, path=(*trial.path, (did, turn.node))[-MAX_PATH:])
    return moved, Step(did, understood, turn)


def _understood(flow: CallFlow, state: CallState, digits: str, speech: str) -> str:
    """How the line takes a key or words at ``state``, in plain words: the choice or command that matched, and
    by which of its words."""
    view = flow.flow_in(state.language)
    node = view.line.nodes.get(state.node)
    options = list(node.options) if isinstance(node, MenuNode | AnswerNode) else []
    choice = view.matcher.interpret(options, digits, speech, emergency_checked=True)
    if isinstance(choice, Chose):
        option = choice.option
        how = f"key {option.key}"
        if not digits and view.matcher.key_said(speech) != option.key:
            said = normalise(speech)
            word = max(option.words, key=lambda w: fuzz.token_set_ratio(said, normalise(w)), default="")
            how = f"its words \u201c{word}\u201d"
        return (f"Understood as the choice \u201c{option.label}\u201d, by {how}; it goes to "
                f"{place_name(view.line, option.goto)}")
    if isinstance(choice, Commanded):
        key = view.line.keys.model_dump()[choice.command]
        return f"Understood as the line's command \u201c{choice.command.replace('_', ' ')}\u201d (key {key})"
    if isinstance(choice, Invalid):
        if choice.spoken:
            return "Not understood: no choice or command here has words like these"
        return f"Key {digits} is not a choice here"
    if isinstance(choice, Silence):
        return "Nothing pressed or said: the line hears silence"
    return "Understood as an emergency"


#: What some turns did, beside how the key or words were understood.
_OUTCOMES = {
    "emergency_phrase": "Heard as an emergency: the emergency advice is said, then the call ends",
    "language": "Heard as the choice of another language: the call starts again in it",
    "gave_up": "After too many tries, the line stops asking",
    "text_me": "Heard as asking for the answer by text message",
}


def _with_outcome(understood: str, turn: Turn) -> str:
    outcome = _OUTCOMES.get(turn.event.name)
    if turn.event.name == "language":
        return f"Heard as the choice of {language_name(turn.language)}: the call starts again in it"
    if outcome is None or outcome.startswith(understood):
        return understood
    return outcome if turn.event.name in ("emergency_phrase", "text_me") else f"{understood}. {outcome}"


def _short(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[: most - 1] + "\u2026"
