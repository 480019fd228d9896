"""Counting SMS segments, and cutting a reply into parts that each fit three."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.messages import encoding, parts, plain, segments
from ivr.messages.segments import GSM7_BASIC, GSM7_EXTENDED


@pytest.mark.parametrize(("text", "count"), [
    ("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("a" * 459, 3), ("a" * 460, 4),
    ("€" * 80, 1), ("€" * 81, 2),  # two septets each
    ("a" * 152 + "€", 1), ("a" * 159 + "€", 2), ("a" * 152 + "€" + "a" * 152, 3),  # "€" never cut across two
    ("á" * 70, 1), ("á" * 71, 2), ("á" * 134, 2), ("á" * 135, 3),
    # An emoji is two UTF-16 units, never cut across two segments.
    ("😀" * 35, 1), ("😀" * 36, 2), ("a" * 69 + "😀", 2), ("a" * 66 + "😀" + "a" * 66, 3),
])
def test_a_text_takes_the_segments_a_phone_company_counts(text: str, count: int) -> None:
    assert segments(text) == count


def test_spanish_letters_need_ucs2_but_its_eñe_and_inverted_marks_do_not() -> None:
    assert encoding("¿Dónde?") == "UCS-2"
    assert encoding("¡ESPAÑOL! ¿mañana?") == "GSM-7"
    assert encoding("curly \u2019quotes\u2019 and \u2014 dashes") == "UCS-2"


def test_typography_is_made_plain_but_a_languages_letters_are_kept() -> None:
    typeset = "It\u2019s \u201cfine\u201d \u2014 really\u2026"
    assert plain(typeset) == "It's \"fine\" - really..."
    assert plain("información") == "información"
    assert encoding(plain(typeset)) == "GSM-7"


def test_a_long_answer_is_cut_at_sentence_ends_into_numbered_parts() -> None:
    sentences = [f"Sentence number {n} says something useful about swelling." for n in range(20)]
    cut = parts([" ".join(sentences)])
    assert len(cut) > 1
    assert [part.split(" ", 1)[0] for part in cut] == [f"({n}/{len(cut)})" for n in range(1, len(cut) + 1)]
    for part in cut:
        assert segments(part) <= 3
        assert part.endswith(".")
    assert " ".join(part.split(" ", 1)[1] for part in cut) == " ".join(sentences)


def test_a_list_is_cut_between_its_lines() -> None:
    menu = "\n".join(f"{n} Para la hinchazón y otras reacciones número {n}" for n in range(1, 9))
    cut = parts([menu])
    assert len(cut) > 1
    assert all(line.split(" ")[-1].isdigit() for part in cut for line in part.split("\n")[1:])


def test_what_fits_is_sent_as_it_is_one_block_a_line() -> None:
    assert parts(["Main menu.", "1 Swelling\n2 Pain"]) == ["Main menu.\n1 Swelling\n2 Pain"]
    assert parts(["", "  "]) == []


_CHARACTERS = [*sorted((GSM7_BASIC | GSM7_EXTENDED) - {"\r", "\n", "\f"}), "á", "ó", "😀", " ", ". ", "\n"]
_TEXT = st.lists(st.sampled_from(_CHARACTERS), max_size=900).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=4))
def test_every_part_fits_three_segments_and_no_word_is_lost(blocks: list[str]) -> None:
    cut = parts(blocks)
    for part in cut:
        assert segments(part) <= 3
    if len(cut) > 1:
        body = "".join(part.split(" ", 1)[1] if " " in part else "" for part in cut)
        kept = "".join(body.split())
    else:
        kept = "".join("".join(cut).split())
    assert kept == "".join("".join(blocks).split())
