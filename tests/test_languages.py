"""The language packs (ivr/languages/<code>/): one source for what a language is, read the same way by the
line's script, its rendered audio and the audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.call.emergency import read_language
from ivr.languages import available, find, key_name, language, normaliser
from ivr.line import Line, Phrases, Script, spoken_key
from ivr.line.validate import load_line
from ivr.speech.spoken import SpeechRules
from tests.audio_lines import SPANISH_LINE
from tests.line_files import base_line, edit, write_line

#: Regional variants callers' lines are set to, beside those a pack names itself (a line's speech_language names
#: a country; es-419, Latin America, is a tag the speech-text step may be given, checked on its own below).
VARIANTS = ("en-US", "en-GB", "en-AU", "en-CA", "en-IE", "en-IN", "en-NZ", "es-US", "es-MX", "es-ES", "es-AR",
            "es-CO")


def _tags() -> list[str]:
    """Every language with a pack, each regional variant it names, and the usual variants of each."""
    tags = set(VARIANTS)
    for code in available():
        pack = language(code)
        tags |= {code, *(tag for tag in (*pack.key_names, *pack.voices) if tag != "default")}
    return sorted(tags)


def _line_in(tag: str, tmp_path: Path) -> Line:
    """A small valid line whose callers hear ``tag``, in the built-in sentences of its language."""
    if tag.startswith("es"):
        own_words = SPANISH_LINE[:SPANISH_LINE.index("phrases:\n")]
        text = edit(own_words, "  speech_language: es-US\n", f"  speech_language: {tag}\n")
    else:
        text = edit(base_line(), "start: main\n", f"call:\n  speech_language: {tag}\nstart: main\n")
    return load_line(write_line(tmp_path, text)).line


@pytest.mark.parametrize("tag", _tags())
def test_the_script_and_the_audio_name_every_key_the_same_way(tag: str, tmp_path: Path) -> None:
    """A caller told "press pound" by the line's sentences hears "pound" too where a clinic's own text writes
    "#": in every language and every regional variant, the key's name has one source."""
    line = _line_in(tag, tmp_path)
    navigation = Script(line).navigation()
    for key in ("*", "#"):
        said = spoken_key(line, key)
        assert said not in ("*", "#"), "a key is named in words"
        assert SpeechRules.of(line).spoken(f"({key})") == f"({said})"
    assert spoken_key(line, "#") in navigation and spoken_key(line, "*") in navigation


def test_the_names_of_the_hash_key_in_the_regions_that_differ() -> None:
    assert [key_name("#", tag) for tag in ("en-US", "en-CA", "en-GB", "en-AU")] == ["pound", "pound", "hash", "hash"]
    assert [key_name("#", tag) for tag in ("es-US", "es-419", "es-MX", "es-ES")] == [
        "numeral", "numeral", "gato", "almohadilla"
    ]
    latin_america = SpeechRules(language="es-419", region="US", emergency_number="911")
    assert latin_america.spoken("Oprima #.") == "Oprima numeral."


def test_a_regional_variant_reads_its_languages_pack_and_a_language_without_one_reads_english() -> None:
    assert [language(tag).code for tag in ("es-MX", "es-419", "ES-es", "en-AU", "en")] == ["es", "es", "es", "en",
                                                                                         "en"]
    assert find("fr-FR") is None and language("fr-FR").code == "en"
    assert normaliser("fr-FR")("À 9 h.") == "a 9 h", "no normaliser of its own: lower case, no accents or dots"


@pytest.mark.parametrize("code", available())
def test_every_pack_is_whole(code: str) -> None:
    """What a new language's folder must hold: every built-in phrase and command the line says, the names of the
    star and hash keys, and emergency data the understanding reads (the rest has defaults: ivr/languages/README.md)."""
    pack = language(code)
    assert set(pack.words.phrases) == set(Phrases.model_fields)
    assert set(pack.words.command_words) == {"repeat", "back", "main_menu", "clinic", "slower", "faster"}
    assert {"*", "#"} <= set(pack.key_names["default"])
    assert pack.emergency is not None
    assert read_language(pack.emergency, code).signs
