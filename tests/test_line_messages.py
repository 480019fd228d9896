"""The mistakes clinic staff make in a line file, each answered in plain words at the line to fix.

Each case breaks the small base line one way and expects exactly one problem: its kind,
the line it points at, its node and its whole message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ivr.line.validate import (
    AmbiguousWord,
    BadPhoneNumber,
    DuplicateOptionKey,
    EmptyText,
    LineInvalid,
    LineProblem,
    MissingField,
    MissingNode,
    ReservedKeyUsed,
    ShapeProblem,
    UnknownField,
    UnreachableNode,
    WrongType,
    YamlSyntax,
    load_line,
)
from tests.line_files import LineFile, base_line, edit

KEYS_RULE = "options use keys 1 to 6; 0, 7, 8, 9, star and pound are the line's own"
DESK = '      - key: "3"\n        label: To speak to the front desk\n'
HOURS = 'monday: "09:00-17:00"'
PHONE = 'phone: "+12025550143"'


@dataclass(frozen=True)
class Mistake:
    """One edit of the base line, and the one problem it must give."""

    old: str
    new: str
    kind: type[LineProblem]
    #: A fragment of the line the problem must point at.
    at: str
    node: str | None
    message: str


MISTAKES = {
    # -- what YAML cannot read ---------------------------------------------------------------
    "a tab to indent": Mistake(
        "    title: Main menu\n", "\ttitle: Main menu\n", YamlSyntax, "title: Main menu", None,
        "a tab is used to indent this line: use spaces",
    ),
    "a quote never closed": Mistake(
        "label: To speak to the front desk", 'label: "To speak to the front desk', YamlSyntax,
        '"To speak to the front desk', None,
        'the text opened with " here is not closed on this line: end it with " too',
    ),
    "a line indented one space short": Mistake(
        "        words: [front desk, reception]", "       words: [front desk, reception]", YamlSyntax,
        "       words: [front desk", None,
        "this line is indented by 7 spaces, but the line it goes with ('label:' on line 33) by 8 spaces: "
        "line them up",
    ),
    "a line indented too far": Mistake(
        "    title: Main menu\n", "      title: Main menu\n", YamlSyntax, "title: Main menu", None,
        "this line is indented by 6 spaces, but the line it goes with ('type:' on line 20) by 4 spaces: line them up",
    ),
    "a colon left out": Mistake(
        "    title: Front desk", "    title Front desk", YamlSyntax, "title Front desk", None,
        'a colon is missing after "title": write "title: Front desk" (the name, a colon and a space, then the value)',
    ),
    "no space after the colon": Mistake(
        "start: main", "start:main", YamlSyntax, "start:main", None,
        'put a space after the colon: write "start: main"',
    ),
    "a colon inside a text": Mistake(
        "    title: Main menu\n", "    title: Main menu: the first one\n", YamlSyntax, "Main menu: the first", None,
        'the text has ": " in it, which YAML reads as the start of another field: put the whole text in quotes, '
        'as in title: "Main menu: the first one"',
    ),
    "an apostrophe inside single quotes": Mistake(
        "text: I will put you through to the front desk.", "text: 'I won't keep you waiting.'", YamlSyntax,
        "I won't", None,
        "the text goes on after its closing ': to use ' inside a text, put the whole text in double quotes "
        "instead, as in text: \"I won't keep you waiting.\"",
    ),
    "a list never closed": Mistake(
        "words: [swelling, swollen]", "words: [swelling, swollen", YamlSyntax, "[swelling, swollen", None,
        "the list opened with [ here is not closed: end it with ] on this line",
    ),
    "a text beginning with a brace": Mistake(
        "greeting: Thank you for calling Riverside Clinic. If you have trouble breathing, hang up now and call 911.",
        "greeting: {clinic} thanks you for calling.",
        YamlSyntax, "greeting:", None,
        "a text that begins with { is read as a section of fields: put the whole text in quotes, "
        'as in greeting: "{clinic} thanks you for calling."',
    ),
    "a star key without quotes": Mistake(
        '      - key: "3"', "      - key: *", YamlSyntax, "key: *", None,
        'in YAML a * alone means something else: write the key as "*", in quotes',
    ),
    "an option without its dash": Mistake(
        '      - key: "3"', '      key: "3"', YamlSyntax, 'key: "3"', None,
        'this line is at the level of the list items above it, which start with "- ": start it with "- " to '
        "begin a new item, or indent it to belong to the item above",
    ),
    # -- values --------------------------------------------------------------------------
    "a phone number written the national way": Mistake(
        PHONE, 'phone: "(202) 555-0143"', BadPhoneNumber, "phone:", None,
        "clinic.phone: '(202) 555-0143' is not in E.164 form (+, the country code, then the number): "
        'write "+12025550143"',
    ),
    "a phone number with spaces": Mistake(
        PHONE, 'phone: "+1 202 555 0143"', BadPhoneNumber, "phone:", None,
        "clinic.phone: '+1 202 555 0143' is not in E.164 form (+, the country code, then the number): "
        'write "+12025550143"',
    ),
    "a phone number cut short": Mistake(
        PHONE, 'phone: "+1555"', BadPhoneNumber, "phone:", None,
        "clinic.phone: '+1555' is not a complete phone number: write +, the country code, then the whole "
        'number, without spaces, such as "+12015550123"',
    ),
    "a phone number without quotes": Mistake(
        PHONE, "phone: +12025550143", WrongType, "phone:", None,
        'clinic.phone: write the number in quotes, "+12025550143", so that YAML keeps it as it is written',
    ),
    "a time zone as people say it": Mistake(
        "timezone: America/New_York", "timezone: Eastern", ShapeProblem, "timezone:", None,
        "clinic.hours.timezone: 'Eastern' is not a time zone: write \"America/New_York\"",
    ),
    "a time zone with a space for its underscore": Mistake(
        "timezone: America/New_York", "timezone: America/New York", ShapeProblem, "timezone:", None,
        "clinic.hours.timezone: 'America/New York' is not a time zone: write \"America/New_York\"",
    ),
    "a time zone without summer time": Mistake(
        "timezone: America/New_York", "timezone: EST", ShapeProblem, "timezone:", None,
        "clinic.hours.timezone: 'EST' keeps one offset all year, so the opening hours would be an hour out "
        'in summer: write "America/New_York" or the zone of the clinic\'s city',
    ),
    "hours on the 12-hour clock": Mistake(
        HOURS, 'monday: "9am-1pm"', ShapeProblem, "monday:", None,
        "clinic.hours.monday: '9am-1pm' is not written as opening hours: write \"09:00-13:00\" "
        "(24-hour clock, two digits for the hour)",
    ),
    "hours without two digits for the hour": Mistake(
        HOURS, 'monday: "9:00-17:00"', ShapeProblem, "monday:", None,
        "clinic.hours.monday: '9:00-17:00' is not written as opening hours: write \"09:00-17:00\" "
        "(24-hour clock, two digits for the hour)",
    ),
    "hours that close before they open": Mistake(
        HOURS, 'monday: "17:00-09:00"', ShapeProblem, "monday:", None,
        "clinic.hours.monday, 1st item: 17:00-09:00 closes before it opens: write the opening time first, on "
        "the 24-hour clock (a range ends on the day it starts; 23:59 is the latest)",
    ),
    "a closed day with a capital": Mistake(
        HOURS, "monday: Closed", ShapeProblem, "monday:", None,
        "clinic.hours.monday: 'Closed' is not a day's hours: write closed, in lower case, for a day the clinic "
        "is closed",
    ),
    "an opening time in a list of times": Mistake(
        'opens: "09:00"', 'opens: "9"', WrongType, 'opens: "9"', None,
        "clinic.hours.wednesday, 1st item, opens: '9' is not a time of day: write \"09:00\"",
    ),
    "an emergency number of another country": Mistake(
        PHONE, PHONE + '\n  emergency_number: "999"', ShapeProblem, "clinic:", None,
        "clinic: emergency_number '999' is not an emergency number in the United States, the country of the "
        "clinic's phone number: write '112' or '911'",
    ),
    "an emergency number with dashes": Mistake(
        PHONE, PHONE + '\n  emergency_number: "9-1-1"', ShapeProblem, "emergency_number:", None,
        'clinic.emergency_number: write only the digits of the emergency number, in quotes, such as "911"',
    ),
    "a speech language with an underscore": Mistake(
        "start: main\n", "start: main\ncall:\n  speech_language: en_GB\n", ShapeProblem, "speech_language:", None,
        "call.speech_language: 'en_GB' is not a language tag: write \"en-GB\"",
    ),
    "a silence shorter than callers need": Mistake(
        "start: main\n", "start: main\ncall:\n  no_input_timeout: 5\n", ShapeProblem, "no_input_timeout:", None,
        "call.no_input_timeout: is 5 seconds; it must be at least 8 seconds",
    ),
    "a number written in words": Mistake(
        "start: main\n", "start: main\ncall:\n  max_tries: three\n", WrongType, "max_tries:", None,
        "call.max_tries: 'three' is not a whole number: write one, such as 3 (tries)",
    ),
    "a misspelt field": Mistake(
        "label: To speak to the front desk", "lable: To speak to the front desk", UnknownField, "lable:", "main",
        "option on key 3, lable: unknown field (did you mean 'label'?)",
    ),
    "a field in the wrong section": Mistake(
        "  hours:\n    timezone: America/New_York\n", "  timezone: America/New_York\n  hours:\n", UnknownField,
        "  timezone:", None,
        "clinic.timezone: 'timezone' does not belong here: it goes in clinic.hours; check its indentation",
    ),
    "a dash without its space": Mistake(
        '      - key: "3"', '      -key: "3"', YamlSyntax, '-key: "3"', None,
        'put a space after the "-" that starts this list item: "- key: "3""',
    ),
    "a node type misspelt": Mistake(
        "    type: transfer\n", "    type: tranfser\n", WrongType, "type: tranfser", "desk",
        "type: 'tranfser' is not a kind of node (did you mean 'transfer'?): write menu, answer, transfer or emergency",
    ),
    "a menu without its type": Mistake(
        "    type: menu\n", "", MissingField, "  main:", "main",
        "type: required, but missing: say which kind of node this is with type: menu, answer, transfer or "
        "emergency (with a prompt and options, it is probably a menu)",
    ),
    "words as plain text": Mistake(
        "words: [front desk, reception]", "words: front desk", WrongType, "words: front desk", "main",
        "option on key 3, words: must be a list: write [front desk], in square brackets (with commas between "
        "several)",
    ),
    "an option without words": Mistake(
        "        words: [front desk, reception]\n", "", MissingField, DESK.splitlines()[0], "main",
        "option on key 3, words: required, but missing: add the words a caller may say for it, such as "
        "words: [swelling, swollen]",
    ),
    "an empty answer": Mistake(
        "text: We are open from nine to five on weekdays, and until four on Fridays.", 'text: ""', EmptyText,
        'text: ""', "opening-hours", "text: is empty: write what callers hear",
    ),
    "a hash key without quotes": Mistake(
        '      - key: "3"', "      - key: #", EmptyText, "key: #", "main",
        'the 3rd option, key: is empty: in YAML, # starts a comment, so write "#" and "*" in quotes',
    ),
    "an option on a key of two digits": Mistake(
        '      - key: "3"', '      - key: "10"', ShapeProblem, 'key: "10"', "main",
        f"option on key 10: '10' is not a key a caller can press: {KEYS_RULE}",
    ),
    "two of the line's keys the same": Mistake(
        "start: main\n", 'start: main\nkeys:\n  back: "*"\n', ShapeProblem, "keys:", None,
        "keys: repeat and back both use key '*': give each of the line's keys its own",
    ),
    # -- the tree ------------------------------------------------------------------------
    "a misspelt goto": Mistake(
        "goto: swelling", "goto: swellling", MissingNode, "goto: swellling", "main",
        "option on key 2, goto: there is no node 'swellling' (did you mean 'swelling'?)",
    ),
    "a start that names no node": Mistake(
        "start: main", "start: main-menu", MissingNode, "start:", None,
        "start: there is no node 'main-menu' (did you mean 'main'?)",
    ),
    "an option on the clinic's key": Mistake(
        '      - key: "3"', '      - key: "0"', ReservedKeyUsed, 'key: "0"', "main",
        f"option on key 0: 0 is the line's own key to speak to the clinic, from anywhere: {KEYS_RULE}",
    ),
    "two options on one key": Mistake(
        '      - key: "3"', '      - key: "2"  # the desk', DuplicateOptionKey, "# the desk", "main",
        "option on key 2: another option on line 28 uses this key too: give each option its own key",
    ),
    "one word for two options": Mistake(
        "words: [front desk, reception]", "words: [front desk, swollen]", AmbiguousWord, "[front desk, swollen]",
        "main",
        "option on key 3, words: 'swollen' is also a word of the option on key 2; a caller saying it could mean "
        "either, so keep it for one",
    ),
    "one of the line's own words for an option": Mistake(
        "words: [front desk, reception]", "words: [front desk, nurse]", AmbiguousWord, "[front desk, nurse]",
        "main",
        "option on key 3, words: 'nurse' is one of the line's own words, which callers say anywhere to speak to "
        "the clinic: choose another word (or change command_words)",
    ),
    "a node nothing leads to": Mistake(
        "  desk:\n", "  old-desk:\n    type: answer\n    title: Old\n    text: Old.\n  desk:\n", UnreachableNode,
        "old-desk:", "old-desk",
        "no option leads here from start ('main'), so no caller can hear it: add an option with goto: old-desk, "
        "or remove the node",
    ),
}


@pytest.mark.parametrize("mistake", MISTAKES.values(), ids=list(MISTAKES))
def test_each_mistake_gets_one_message_at_its_line(tmp_path: Path, mistake: Mistake) -> None:
    file = LineFile.broken(tmp_path, mistake.old, mistake.new)
    problem = file.problem(mistake.kind)
    assert (problem.line, problem.node, problem.message) == (file.line(mistake.at), mistake.node, mistake.message)


def test_there_are_many_mistakes_beyond_the_issue() -> None:
    assert len(MISTAKES) >= 40


def test_a_quote_left_open_is_reported_where_it_opens_not_where_yaml_gives_up(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "label: For swelling after a treatment", 'label: "For swelling after a treatment')
    problem = file.problem(YamlSyntax)
    assert problem.line == file.line('"For swelling')
    assert problem.column == file.text.splitlines()[problem.line - 1].index('"')


def test_every_line_indented_with_a_tab_is_reported(tmp_path: Path) -> None:
    text = edit(base_line(), "    title: Main menu\n", "\ttitle: Main menu\n")
    file = LineFile.write(tmp_path, edit(text, "    title: Front desk\n", "  \ttitle: Front desk\n"))
    problems = file.problems()
    assert [(problem.line, problem.column) for problem in problems] == [
        (file.line("title: Main menu"), 0),
        (file.line("title: Front desk"), 2),
    ]


def test_a_syntax_error_says_that_nothing_else_was_checked(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "start: main", "start main")
    with pytest.raises(LineInvalid) as invalid:
        load_line(file.path)
    assert str(invalid.value).splitlines()[-1] == (
        "1 error, 0 warnings (YAML could not read the file, so nothing else in it was checked: "
        "fix this, then check again)"
    )


def test_the_problem_quotes_its_line_and_points_at_the_column(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "goto: swelling", "goto: swellling")
    [problem] = file.problems()
    assert problem.described().splitlines()[1:] == [
        f"{problem.line:>5} |         goto: swellling",
        "      |               ^",
    ]


def test_a_tab_is_shown_in_the_quoted_line(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "    title: Main menu\n", "\ttitle: Main menu\n")
    [problem] = file.problems()
    assert problem.described().splitlines()[1:] == [f"{problem.line:>5} | \u2192   title: Main menu", "      | ^"]


def test_a_phone_number_is_read_in_the_country_of_the_clinics_time_zone(tmp_path: Path) -> None:
    text = edit(base_line(), PHONE, 'phone: "020 7946 0123"')
    file = LineFile.write(tmp_path, edit(text, "timezone: America/New_York", "timezone: Europe/London"))
    assert file.problem(BadPhoneNumber).message.endswith('write "+442079460123"')


def test_a_phone_number_is_read_in_the_country_of_the_clinics_other_number(tmp_path: Path) -> None:
    text = edit(base_line(), PHONE, 'phone: "+442079460123"\n  after_hours_phone: "020 7946 0999"')
    text = edit(text, "timezone: America/New_York", "timezone: Europe/London")
    file = LineFile.write(tmp_path, edit(text, "  hours:\n", '  emergency_number: "999"\n  hours:\n'))
    assert file.problem(BadPhoneNumber).message.endswith('write "+442079460999"')


def test_the_keys_options_may_use_follow_the_lines_own_keys(tmp_path: Path) -> None:
    text = edit(base_line(), "start: main\n", 'start: main\nkeys:\n  back: "3"\n')
    file = LineFile.write(tmp_path, edit(text, '      - key: "3"', '      - key: "12"'))
    assert file.problem(ShapeProblem).message == (
        "option on key 12: '12' is not a key a caller can press: "
        "options use keys 1, 2, 4, 5, 6 and 9; 0, 3, 7, 8, star and pound are the line's own"
    )


def test_a_node_id_with_capitals_and_a_space_is_named_where_it_is_and_where_it_is_used(tmp_path: Path) -> None:
    text = edit(base_line(), "goto: emergency", "goto: Severe Swelling")
    file = LineFile.write(tmp_path, edit(text, "  emergency:\n", "  Severe Swelling:\n"))
    advice = "'Severe Swelling' is not a node id: write 'severe-swelling' (lower-case letters, digits, - and _ only)"
    assert [(problem.line, problem.node, problem.message) for problem in file.problems()] == [
        (file.line("goto: Severe"), "swelling", f"option on key 1, goto: {advice}"),
        (file.line("  Severe Swelling:"), "Severe Swelling", advice),
    ]


#: An eye clinic's first try at its line, written from docs/line-file.md, with a mistake of every kind
#: that YAML can still read. Each mistake's line ends in a comment saying what the message must say.
EYE_CLINIC = """\
name: Lakeside Eye Clinic line
clinic:
  name: Lakeside Eye Clinic
  phone: "(312) 555-0142"  # write "+13125550142"
  after_hours_phone: "+13125550199"
  hours:
    timezone: Central  # write "America/Chicago"
    monday: 9-5  # write "09:00-17:00"
    tuesday: "09:00-17:00"
    thursday: "9:00-17:00"  # write "09:00-17:00"
    saturday: Closed  # write closed, in lower case
call:
  speech_language: en_US  # write "en-US"
  no_input_timeout: 5  # at least 8 seconds
greeting: If your sight suddenly changes, hang up now and call 911.
start: main
nodes:
  main:
    type: menu
    title: Main menu
    prompt: Main menu.
    options:
      - key: "1"
        label: For care after cataract surgery
        words: [cataract, after surgery]
        goto: aftercare
      - key: "2"
        label: For eye drops
        words: drops  # write [drops]
        goto: drops
      - key: "10"  # options use keys 1 to 6
        label: To speak to a nurse
        words: [nurse, appointment]  # 'nurse' is one of the line's own words
        goto: see-nurse
      - key: "3"
        lable: If your eye is red or painful  # did you mean 'label'?
        words: [red, painful, cataract]  # 'cataract' is also a word of the option on key 1
        goto: see-nures  # did you mean 'see-nurse'?
  aftercare:
    type: answer
    title: Care after surgery
    text: Wear the eye shield at night for the first week.
  drops:
    type: answer
    title: Eye drops
    text: ""  # write what callers hear
  see-nurse:
    type: transfer
    title: See a nurse
    text: A nurse will help you now.
  old-menu:  # no caller can hear it
    type: menus  # did you mean 'menu'?
    title: Old menu
    prompt: Nothing here.
"""


def test_a_clinics_line_with_a_mistake_of_every_kind_gets_all_of_them_at_once(tmp_path: Path) -> None:
    file = LineFile.write(tmp_path, EYE_CLINIC)
    expected = [
        (number, line.split("  # ", 1)[1])
        for number, line in enumerate(EYE_CLINIC.splitlines(), 1)
        if "  # " in line
    ]
    problems = file.problems()
    assert [problem.line for problem in problems] == [line for line, _ in expected], "\n".join(map(str, problems))
    for problem, (_, said) in zip(problems, expected, strict=True):
        assert said in problem.message, str(problem)
    assert len(problems) == 16
