"""Nobody is dropped: every transfer result, and every way a caller answers after it, in one table.

open/closed x who answers a transfer (the clinic; the after-hours line; nobody, when closed
without one) x how the transfer ended (completed, busy, no-answer, failed) x what the caller
does next (a key, silence, speech), reached both from a transfer node and by pressing 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from tests.calls import Answer, Caller
from tests.conftest import CLOSED, OPEN, TOKEN, Clock
from tests.line_files import edit

CLINIC = "+12025550143"
AFTER_HOURS = "+12025550188"
CLINIC_SPOKEN = "The number for Example Skin Clinic is 2 0 2, 5 5 5, 0 1 4 3."
AFTER_HOURS_SPOKEN = "You can call the after-hours line on 2 0 2, 5 5 5, 0 1 8 8."
ADVICE = "hang up now and call 9 1 1."
TOLD_WHY = "I will put you through to someone who can help you."
#: The prompts of the menus a transfer starts from, as the shipped line words them.
SYMPTOMS_PROMPT = load_line(DEFAULT_LINE_FILE).line.nodes["symptoms"].prompt
SWELLING_PROMPT = load_line(DEFAULT_LINE_FILE).line.nodes["swelling"].prompt


@dataclass(frozen=True)
class Setting:
    """When the call is made and which numbers the line has; ``answers`` is who a transfer goes to."""

    name: str
    open: bool
    after_hours_line: bool
    answers: str | None  # the number a transfer dials, or None

    def __str__(self) -> str:
        return self.name


SETTINGS = (
    Setting("open-clinic", open=True, after_hours_line=True, answers=CLINIC),
    Setting("open-clinic-only", open=True, after_hours_line=False, answers=CLINIC),
    Setting("closed-after-hours", open=False, after_hours_line=True, answers=AFTER_HOURS),
    Setting("closed-none", open=False, after_hours_line=False, answers=None),
)
FAILURES = ("busy", "no-answer", "failed")
NEXT = ("key", "silence", "speech")
#: How the caller asks for a person: the symptoms menu's "swelling to be checked" (a transfer node), or 0.
ENTRIES = {"transfer-node": (("1", "2"), SYMPTOMS_PROMPT), "zero-key": (("2", "0"), SWELLING_PROMPT)}


@pytest.fixture
def place_call(make_app: Callable[..., Flask], clock: Clock, tmp_path: Path) -> Callable[[Setting], Caller]:
    def place(setting: Setting) -> Caller:
        clock.now = OPEN if setting.open else CLOSED
        text = DEFAULT_LINE_FILE.read_text()
        if not setting.after_hours_line:
            text = edit(text, '  after_hours_phone: "+12025550188"\n', "")
        path = tmp_path / f"{setting.name}.yaml"
        path.write_text(text)
        caller = Caller(make_app(LINE_FILE=str(path)).test_client(), TOKEN)
        caller.dial_in()
        return caller

    return place


def _ask_for_a_person(caller: Caller, entry: str) -> Answer:
    keys, _ = ENTRIES[entry]
    for key in keys:
        answer = caller.press(key)
    return answer


def _numbers_offered(setting: Setting, failed: str | None) -> tuple[str, str | None]:
    """The number the caller should now hear, and the one they must not (the number that just failed)."""
    if failed == AFTER_HOURS:
        return CLINIC_SPOKEN, AFTER_HOURS_SPOKEN
    return (AFTER_HOURS_SPOKEN if setting.after_hours_line else CLINIC_SPOKEN), None


def _assert_alternatives(answer: Answer, setting: Setting, failed: str | None) -> None:
    offered, never = _numbers_offered(setting, failed)
    assert offered in answer.heard
    if never:
        assert never not in answer.heard, "the number that just failed is not offered again"
    assert ADVICE in answer.heard
    assert answer.verbs == ["Gather", "Redirect"], "the caller is listened to, not hung up on"


def _assert_final_goodbye(answer: Answer, setting: Setting, failed: str | None) -> None:
    offered, never = _numbers_offered(setting, failed)
    assert answer.heard.count(offered) == 2, "the numbers are said twice"
    assert answer.heard.count(ADVICE) == 2, "the emergency advice is said twice"
    if never:
        assert never not in answer.heard
    assert answer.heard.endswith("Goodbye.")
    assert answer.dial is None and answer.verbs[-1] == "Hangup"


def _transfer_cases() -> list[tuple[Setting, str | None, str, str]]:
    cases: list[tuple[Setting, str | None, str, str]] = []
    for setting in SETTINGS:
        statuses = (*FAILURES, "completed") if setting.answers else (None,)
        for status in statuses:
            for then in (NEXT if status != "completed" else ("nothing",)):
                cases += [(setting, status, then, entry) for entry in ENTRIES]
    return cases


@pytest.mark.parametrize(("setting", "status", "then", "entry"), _transfer_cases(), ids=str)
def test_after_a_transfer_every_caller_is_looked_after(
    place_call: Callable[[Setting], Caller], setting: Setting, status: str | None, then: str, entry: str
) -> None:
    caller = place_call(setting)
    asked = _ask_for_a_person(caller, entry)
    assert asked.dialled_number == setting.answers
    if setting.answers is None:
        assert "closed right now" in asked.heard
        after = asked
        failed = None
    else:
        after = caller.dial_ends(str(status))
        if status == "completed":
            assert after.heard == "Thank you for calling. Goodbye." and after.verbs[-1] == "Hangup"
            return
        assert "nobody at Example Skin Clinic could answer" in after.heard
        failed = setting.answers
    _assert_alternatives(after, setting, failed)

    _, before_prompt = ENTRIES[entry]
    if then in ("key", "speech"):
        back = caller.press("9") if then == "key" else caller.say("go back please")
        assert before_prompt in back.heard, "back returns to where the caller was before the transfer"
        assert back.dial is None, "back never dials again"
        assert back.verbs == ["Gather", "Redirect"]
        return
    for _ in range(2):
        again = caller.stay_silent()
        assert again.heard.startswith("I did not hear a choice. Take your time.")
        _assert_alternatives(again, setting, failed)
    _assert_final_goodbye(caller.stay_silent(), setting, failed)


GIVE_UP = {
    "silence": lambda caller: caller.stay_silent(),
    "wrong-key": lambda caller: caller.press("5"),
    "unclear-words": lambda caller: caller.say("purple elephants"),
}


@pytest.mark.parametrize("setting", SETTINGS, ids=str)
@pytest.mark.parametrize("how", GIVE_UP)
def test_a_caller_who_cannot_choose_is_put_through_told_why_or_given_the_numbers_twice(
    place_call: Callable[[Setting], Caller], setting: Setting, how: str
) -> None:
    caller = place_call(setting)
    for _ in range(2):
        assert GIVE_UP[how](caller).verbs == ["Gather", "Redirect"]
    last = GIVE_UP[how](caller)
    if setting.answers is None:
        assert "closed right now" in last.heard
        _assert_final_goodbye(last, setting, None)
        return
    assert last.heard.startswith(TOLD_WHY), "the caller is told why before being put through"
    assert last.dialled_number == setting.answers
    # Nobody answers the give-up transfer either: the caller is still not left in silence, and the
    # number that failed is not dialled again however long they stay silent.
    _assert_alternatives(caller.dial_ends("no-answer"), setting, setting.answers)
    for _ in range(2):
        assert caller.stay_silent().dial is None
    _assert_final_goodbye(caller.stay_silent(), setting, setting.answers)


def test_a_transfer_node_is_never_a_step_to_go_back_to(place_call: Callable[[Setting], Caller]) -> None:
    """Back twice after a failed transfer from the symptoms menu: symptoms, then the main menu."""
    caller = place_call(SETTINGS[0])
    _ask_for_a_person(caller, "transfer-node")
    caller.dial_ends("busy")
    assert SYMPTOMS_PROMPT in caller.press("9").heard
    assert "Main menu." in caller.press("9").heard
