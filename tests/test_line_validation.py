"""A line file is checked like a program: every problem, with its file, line and node, at once."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import (
    AmbiguousWord,
    BadPhoneNumber,
    DuplicateOptionKey,
    DuplicateYamlKey,
    EmptyText,
    FileTooLarge,
    LineInvalid,
    MissingField,
    MissingNode,
    NotAMapping,
    ReservedKeyUsed,
    TooManyOptions,
    UnknownField,
    UnreachableNode,
    UnreadableFile,
    WrongType,
    YamlAlias,
    YamlSyntax,
    line_json_schema,
    load_line,
    schema_text,
)
from tests.line_files import END_OF_MAIN_MENU, LineFile, base_line, edit, option, write_line

COMMITTED_SCHEMA = Path(__file__).parent.parent / "prompts" / "line.schema.json"
#: The main menu's prompt; its ``options:`` is on the next line.
MAIN_PROMPT = "prompt: What would you like to hear about?"
#: The first line of the main menu's third option, the one to the front desk.
DESK_OPTION = '      - key: "3"'


def kinds_lines_nodes(file: LineFile) -> list[tuple[type, int | None, str | None]]:
    return [(type(problem), problem.line, problem.node) for problem in file.problems()]


# The format people and editors read.


def test_a_problem_reads_file_line_severity_node_then_message() -> None:
    problem = DuplicateOptionKey("prompts/x.yaml", 42, "swelling", "options[1].key: key '1' is used")
    assert str(problem) == "prompts/x.yaml:42: error: node 'swelling': options[1].key: key '1' is used"


def test_a_problem_of_the_whole_file_has_no_line_or_node() -> None:
    assert str(NotAMapping("x.yaml", None, None, "empty")) == "x.yaml: error: empty"


def test_line_invalid_lists_every_problem_and_counts_them() -> None:
    invalid = LineInvalid(
        [
            MissingNode("x.yaml", 3, "main", "options[0].goto: there is no node 'a'"),
            TooManyOptions("x.yaml", 5, "main", "options: 6 options"),
        ]
    )
    assert str(invalid) == (
        "x.yaml:3: error: node 'main': options[0].goto: there is no node 'a'\n"
        "x.yaml:5: warning: node 'main': options: 6 options\n"
        "1 error, 1 warning"
    )
    assert [type(problem) for problem in invalid.errors] == [MissingNode]
    assert [type(problem) for problem in invalid.warnings] == [TooManyOptions]


# A valid line.


def test_the_base_line_loads_without_warnings(tmp_path: Path) -> None:
    path = write_line(tmp_path, base_line())
    loaded = load_line(path)
    assert loaded.path == path
    assert loaded.warnings == ()
    assert list(loaded.line.nodes) == ["main", "opening-hours", "swelling", "desk", "emergency"]
    assert loaded.digest == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_digest_changes_when_the_file_does(tmp_path: Path) -> None:
    before = load_line(write_line(tmp_path, base_line())).digest
    after = load_line(write_line(tmp_path, base_line() + "# reviewed\n")).digest
    assert before != after


def test_control_characters_in_text_are_removed_at_load_time(tmp_path: Path) -> None:
    file = LineFile.broken(
        tmp_path,
        "greeting: Thank you for calling Riverside Clinic. If you have trouble breathing, hang up now and call 911.",
        r'greeting: "Thank you\a for calling\x1b Riverside\tClinic.\u0085 Call 911."',
    )
    assert load_line(file.path).line.greeting == "Thank you for calling Riverside Clinic. Call 911."


def test_a_key_written_without_quotes_is_the_digit(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, DESK_OPTION, "      - key: 3")
    assert [option.key for option in load_line(file.path).line.nodes["main"].options] == ["1", "2", "3"]


# Reading the file.


def test_a_file_that_cannot_be_read_is_one_problem(tmp_path: Path) -> None:
    file = LineFile("", tmp_path / "missing.yaml")
    problem = file.problem(UnreadableFile)
    assert str(problem) == f"{file.path}: error: cannot read the file: No such file or directory"


def test_a_raw_control_character_in_the_file_names_its_line(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "Thank you for calling", "Thank you\x07 for calling")
    problem = file.problem(YamlSyntax)
    assert str(problem).startswith(f"{file.at('Thank you')}: error: character U+0007 is not allowed")


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    text = edit(base_line(), "Severe swelling", "Severe swelling caf\xe9")
    file = LineFile(text, write_line(tmp_path, text.encode("latin-1")))
    problem = file.problem(YamlSyntax)
    assert str(problem).startswith(f"{file.at('caf')}: error: byte 0xe9 is not UTF-8")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "- a list\n- of things\n", "just words\n"])
def test_a_file_that_is_not_a_mapping_is_one_clear_problem(tmp_path: Path, text: str) -> None:
    problem = LineFile.write(tmp_path, text).problem(NotAMapping)
    assert "a line file must be a mapping of fields" in problem.message


def test_yaml_aliases_are_refused_before_they_are_expanded(tmp_path: Path) -> None:
    """A few hundred bytes of anchors and aliases would stand for a billion texts."""
    bomb = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 10))
    file = LineFile.write(tmp_path, 'l0: &l0 "lol"\n' + bomb + base_line())
    problems = file.problems()
    assert {type(problem) for problem in problems} == {YamlAlias}
    assert str(problems[0]) == (f"{file.at('l0: &l0')}: error: YAML anchors (&name) and aliases (*name) are not "
                                "allowed in a line file: write each text out in full")


def test_a_file_far_larger_than_a_line_is_refused_unread(tmp_path: Path) -> None:
    problem = LineFile.write(tmp_path, base_line() + "# padding\n" * 30_000).problem(FileTooLarge)
    assert "the file is over 256 kB, far more than any line needs" in problem.message


def test_a_duplicated_yaml_key_is_named_with_its_line_and_node(tmp_path: Path) -> None:
    file = LineFile.broken(
        tmp_path, "    title: Swelling\n", "    title: Swelling\n    title: Swollen face\n"
    )
    problem = file.problem(DuplicateYamlKey)
    assert str(problem) == (
        f"{file.at('title: Swollen face')}: error: node 'swelling': "
        f"title: appears twice in this section (first on line {file.line('title: Swelling')}): keep one"
    )


def test_every_duplicated_yaml_key_is_reported(tmp_path: Path) -> None:
    text = edit(base_line(), "start: main\n", "start: main\nstart: desk\n")
    file = LineFile.write(
        tmp_path, edit(text, "    title: Front desk\n", "    title: Front desk\n    title: Desk\n")
    )
    assert kinds_lines_nodes(file) == [
        (DuplicateYamlKey, file.line("start: desk"), None),
        (DuplicateYamlKey, file.line("title: Desk"), "desk"),
    ]


# Pass 1: the shape of each value.


def test_an_unknown_field_is_named_with_its_line_and_node(tmp_path: Path) -> None:
    file = LineFile.broken(
        tmp_path, "        goto: swelling\n", "        goto: swelling\n        colour: blue\n"
    )
    assert str(file.problem(UnknownField)) == (
        f"{file.at('colour')}: error: node 'main': "
        "option on key 2, colour: unknown field (check its spelling and indentation); "
        "the fields here are key, label, words, goto, examples"
    )


def test_a_missing_field_points_at_the_option_that_lacks_it(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "        goto: desk\n", "")
    missing, cut_off = file.problems()
    assert str(missing) == (
        f"{file.at(DESK_OPTION)}: error: node 'main': "
        "option on key 3, goto: required, but missing: add goto: and the id of the node it leads to"
    )
    assert (type(cut_off), cut_off.node) == (UnreachableNode, "desk")


def test_a_node_without_a_type_is_a_missing_field(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "    type: transfer\n", "")
    assert str(file.problem(MissingField)).startswith(
        f"{file.at('  desk:')}: error: node 'desk': type: required, but missing: say which kind of node"
    )


def test_a_node_of_an_unknown_type_is_a_wrong_type_at_its_type_line(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "    type: transfer\n", "    type: phone\n")
    assert str(file.problem(WrongType)).startswith(
        f"{file.at('type: phone')}: error: node 'desk': type: 'phone' is not a kind of node: write menu, answer"
    )


@pytest.mark.parametrize("empty", ['"   "', r'"\a\x1b"', ""])
def test_empty_text_is_named_with_its_line_and_node(tmp_path: Path, empty: str) -> None:
    file = LineFile.broken(tmp_path, MAIN_PROMPT, f"prompt: {empty}")
    assert str(file.problem(EmptyText)).startswith(f"{file.at('prompt:')}: error: node 'main': prompt: ")


@pytest.mark.parametrize("number", ["202-555-0143", "+1555", "+1 202 555 0143", "12025550143"])
def test_a_phone_number_not_in_e164_form_is_an_error_at_its_line(tmp_path: Path, number: str) -> None:
    file = LineFile.broken(tmp_path, 'phone: "+12025550143"', f'phone: "{number}"')
    assert str(file.problem(BadPhoneNumber)).startswith(
        f"{file.at('phone:')}: error: clinic.phone: {number!r} is not"
    )


def test_several_shape_errors_are_reported_at_once_in_file_order(tmp_path: Path) -> None:
    text = edit(base_line(), 'phone: "+12025550143"', 'phone: "202-555-0143"')
    text = edit(text, MAIN_PROMPT, 'prompt: ""')
    file = LineFile.write(tmp_path, edit(text, "goto: emergency\n", "goto: emergency\n        colour: red\n"))
    assert kinds_lines_nodes(file) == [
        (BadPhoneNumber, file.line("phone:"), None),
        (EmptyText, file.line("prompt:"), "main"),
        (UnknownField, file.line("colour: red"), "swelling"),
    ]
    with pytest.raises(LineInvalid) as raised:
        load_line(file.path)
    described = [problem.described() for problem in file.problems()]
    assert str(raised.value) == "\n".join([*described, "3 errors, 0 warnings"])


# Both passes together.


def test_the_tree_is_checked_even_when_values_are_wrong(tmp_path: Path) -> None:
    text = edit(base_line(), 'phone: "+12025550143"', 'phone: "202-555-0143"')
    file = LineFile.write(tmp_path, edit(text, "goto: desk", "goto: dsek"))
    assert kinds_lines_nodes(file) == [
        (BadPhoneNumber, file.line("phone:"), None),
        (MissingNode, file.line("goto: dsek"), "main"),
    ]


def test_an_option_with_a_wrong_value_is_still_checked_in_the_tree(tmp_path: Path) -> None:
    text = edit(base_line(), "label: To speak to the front desk", 'label: ""')
    file = LineFile.write(tmp_path, edit(text, "goto: desk", "goto: dsek"))
    assert kinds_lines_nodes(file) == [
        (EmptyText, file.line('label: ""'), "main"),
        (MissingNode, file.line("goto: dsek"), "main"),
    ]


# Pass 2: the menu tree.


def test_a_goto_to_a_missing_node_is_reported_at_its_line_in_its_node(tmp_path: Path) -> None:
    extra = option("4", "swollen lips", goto="swollen")
    file = LineFile.broken(tmp_path, END_OF_MAIN_MENU, END_OF_MAIN_MENU + extra)
    assert str(file.problem(MissingNode)) == (
        f"{file.at('goto: swollen')}: error: node 'main': "
        "option on key 4, goto: there is no node 'swollen' (did you mean 'swelling'?)"
    )


def test_a_typo_in_a_goto_is_one_problem_not_also_the_nodes_it_meant_to_reach(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "goto: swelling", "goto: swollen")
    assert kinds_lines_nodes(file) == [(MissingNode, file.line("goto: swollen"), "main")]


def test_a_goto_like_no_node_leaves_what_it_cut_off_unreachable(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "goto: swelling", "goto: nowhere")
    assert kinds_lines_nodes(file) == [
        (MissingNode, file.line("goto: nowhere"), "main"),
        (UnreachableNode, file.line("  swelling:"), "swelling"),
        (UnreachableNode, file.line("  emergency:"), "emergency"),
    ]


def test_a_start_naming_a_missing_node_is_reported_at_its_line(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "start: main", "start: welcome")
    assert str(file.problem(MissingNode)) == f"{file.at('start:')}: error: start: there is no node 'welcome'"


def test_two_options_on_one_key_are_a_duplicate_option_key(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, DESK_OPTION, '      - key: "2"  # the desk')
    assert str(file.problem(DuplicateOptionKey)) == (
        f"{file.at('# the desk')}: error: node 'main': "
        "option on key 2: another option on line 28 uses this key too: give each option its own key"
    )


def test_a_word_two_options_share_is_ambiguous_whatever_its_case(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "words: [front desk, reception]", "words: [front desk, Swelling]")
    assert str(file.problem(AmbiguousWord)) == (
        f"{file.at('Swelling]')}: error: node 'main': option on key 3, words: "
        "'Swelling' is also a word of the option on key 2; a caller saying it could mean either, so keep it for one"
    )


def test_an_option_word_that_is_a_line_wide_command_word_is_ambiguous(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "words: [front desk, reception]", "words: [front desk, Operator]")
    assert str(file.problem(AmbiguousWord)) == (
        f"{file.at('Operator]')}: error: node 'main': option on key 3, words: 'Operator' is one of the line's own "
        "words, which callers say anywhere to speak to the clinic: choose another word (or change command_words)"
    )


def test_an_option_on_a_line_wide_key_is_reserved(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, DESK_OPTION, '      - key: "0"  # the desk')
    assert str(file.problem(ReservedKeyUsed)) == (
        f"{file.at('# the desk')}: error: node 'main': option on key 0: 0 is the line's own key to speak to the "
        "clinic, from anywhere: options use keys 1 to 6; 0, 7, 8, 9, star and pound are the line's own"
    )


def test_the_reserved_keys_are_the_ones_the_line_sets(tmp_path: Path) -> None:
    file = LineFile.broken(tmp_path, "start: main\n", 'start: main\nkeys:\n  back: "3"\n')
    assert str(file.problem(ReservedKeyUsed)).startswith(
        f"{file.at(DESK_OPTION)}: error: node 'main': option on key 3: 3 is the line's own key to go back"
    )


def test_a_node_no_option_leads_to_is_unreachable(tmp_path: Path) -> None:
    aftercare = "  aftercare:\n    type: answer\n    title: Aftercare\n    text: Keep the area clean.\n"
    file = LineFile.write(tmp_path, base_line() + aftercare)
    assert str(file.problem(UnreachableNode)) == (
        f"{file.at('aftercare:')}: error: node 'aftercare': "
        "no option leads here from start ('main'), so no caller can hear it: "
        "add an option with goto: aftercare, or remove the node"
    )


def _main_menu_with(tmp_path: Path, count: int) -> LineFile:
    """The base line with ``count`` options in its main menu."""
    extra = "".join(option(str(key), f"topic {key}") for key in range(4, count + 1))
    return LineFile.broken(tmp_path, END_OF_MAIN_MENU, END_OF_MAIN_MENU + extra)


def test_five_options_are_fine(tmp_path: Path) -> None:
    assert load_line(_main_menu_with(tmp_path, 5).path).warnings == ()


def test_more_than_five_options_is_a_warning_and_the_line_still_loads(tmp_path: Path) -> None:
    file = _main_menu_with(tmp_path, 6)
    loaded = load_line(file.path)
    assert len(loaded.line.nodes["main"].options) == 6
    [warning] = loaded.warnings
    assert isinstance(warning, TooManyOptions)
    assert str(warning) == (
        f"{file.path}:{file.line(MAIN_PROMPT) + 1}: warning: node 'main': "
        "options: 6 options; callers remember about 5, so consider splitting this menu"
    )


def test_several_tree_errors_are_reported_at_once_with_the_warnings(tmp_path: Path) -> None:
    text = edit(_main_menu_with(tmp_path, 6).text, "goto: swelling", "goto: nowhere")
    text = edit(text, "goto: emergency\n", "goto: emergency\n" + option("1", "aftercare", "desk"))
    file = LineFile.write(tmp_path, edit(text, '      - key: "6"', '      - key: "9"'))
    assert kinds_lines_nodes(file) == [
        (TooManyOptions, file.line(MAIN_PROMPT) + 1, "main"),
        (MissingNode, file.line("goto: nowhere"), "main"),
        (ReservedKeyUsed, file.line('key: "9"'), "main"),
        (UnreachableNode, file.line("  swelling:"), "swelling"),
        (DuplicateOptionKey, file.line("label: For aftercare") - 1, "swelling"),
        (UnreachableNode, file.line("  emergency:"), "emergency"),
    ]


# The published JSON schema.


def test_the_committed_schema_is_what_the_model_generates() -> None:
    assert COMMITTED_SCHEMA.read_text(encoding="utf-8") == schema_text(), (
        "prompts/line.schema.json is stale: run `ivr schema prompts/line.schema.json`"
    )


def test_the_schema_is_draft_2020_12_with_an_id_and_a_title() -> None:
    schema = line_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]


def _schema_errors(text: str) -> list[str]:
    """What the schema finds wrong with ``text``, including inside each node type it tried."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(COMMITTED_SCHEMA.read_text(encoding="utf-8")))
    errors = validator.iter_errors(YAML(typ="safe").load(text))
    return [message for error in errors for message in _messages(error)]


def _messages(error: Any) -> list[str]:
    return [error.message] + [message for cause in error.context for message in _messages(cause)]


def test_the_base_line_validates_against_the_schema() -> None:
    assert _schema_errors(base_line()) == []


def test_the_shipped_line_validates_against_the_schema() -> None:
    assert _schema_errors(DEFAULT_LINE_FILE.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('monday: "09:00-17:00"', "monday: closed"),
        ('monday: "09:00-17:00"', "monday:"),
        ('monday: "09:00-17:00"', 'monday: ["09:00-12:00", {opens: "13:00", closes: "17:00"}]'),
        (DESK_OPTION, "      - key: 3"),
    ],
)
def test_the_schema_accepts_what_the_loader_accepts(tmp_path: Path, old: str, new: str) -> None:
    file = LineFile.broken(tmp_path, old, new)
    load_line(file.path)
    assert _schema_errors(file.text) == []


def test_the_schema_refuses_an_unknown_field() -> None:
    text = edit(base_line(), "        goto: desk\n", "        goto: desk\n        colour: blue\n")
    assert "Additional properties are not allowed ('colour' was unexpected)" in _schema_errors(text)
