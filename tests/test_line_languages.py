"""A line file in several languages: one tree for all, every text in each, and every gap named where it is."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from ivr.commands.main import main
from ivr.line import all_prompts
from ivr.line.validate import (
    AmbiguousWord,
    LanguageSetting,
    MissingEmergencyAdvice,
    MissingTranslation,
    NoEmergencyUnderstanding,
    NotTranslated,
    UnknownLanguage,
    UnknownPlaceholder,
    load_line,
)
from ivr.speech.voicing import Voicing
from tests.calls import Caller
from tests.conftest import TOKEN
from tests.line_files import LineFile, edit

TWO_LANGUAGES = """\
name: Riverside Clinic information line
languages:
  en:
  es:
    speech_language: es-US
    voice:
      mode: say
      say_voice: Polly.Lupe-Neural
clinic:
  name: Riverside Clinic
  phone: "+12025550143"
  hours:
    timezone: America/New_York
    monday: "09:00-17:00"
greeting:
  en: If you have trouble breathing, hang up now and call 911. Welcome to Riverside Clinic.
  es: Si tiene dificultad para respirar, cuelgue ahora y llame al {emergency_number}. Bienvenido.
start: main
nodes:
  main:
    type: menu
    title: Main menu
    prompt:
      en: What would you like to hear about?
      es: ¿Sobre qué quiere información?
    options:
      - key: "1"
        label:
          en: For swelling after a treatment
          es: Para la hinchazón después de un tratamiento
        words:
          en: [swelling, swollen]
          es: [hinchazón, hinchado]
        goto: swelling
      - key: "2"
        label: {en: To speak to the front desk, es: Para hablar con la recepción}
        words: {en: [front desk], es: [mostrador]}
        goto: desk
  swelling:
    type: answer
    title: Swelling
    text:
      en: Some swelling is normal for up to three days after a treatment.
      es: Un poco de hinchazón es normal hasta tres días después de un tratamiento.
  desk:
    type: transfer
    title: Front desk
    text:
      en: I will put you through to the front desk.
      es: Le comunico con la recepción.
"""


def write(tmp_path: Path, old: str = "", new: str = "") -> LineFile:
    return LineFile.write(tmp_path, edit(TWO_LANGUAGES, old, new) if old else TWO_LANGUAGES)


def test_a_line_in_two_languages_loads_with_one_tree_seen_in_each(tmp_path: Path) -> None:
    line = load_line(write(tmp_path).path).line
    assert line.language_codes == ("en", "es")
    spanish = line.in_language("es")
    assert spanish.nodes["main"].prompt == "¿Sobre qué quiere información?"  # type: ignore[union-attr]
    assert spanish.call.speech_language == "es-US" and spanish.voice.say_voice == "Polly.Lupe-Neural"
    assert line.nodes["main"].prompt == "What would you like to hear about?"  # type: ignore[union-attr]
    assert spanish.phrases.goodbye == "Gracias por llamar. Adiós.", "the built-in Spanish sentences"
    assert "repetir" in spanish.command_words.repeat
    assert line.in_language("es") is spanish, "each view is made once"


def test_rendering_gets_every_text_of_each_language_and_its_voice(tmp_path: Path) -> None:
    line = load_line(write(tmp_path).path).line
    spanish, english = all_prompts(line, "es"), all_prompts(line, "en")
    assert "Para español, oprima 9." in spanish and "Gracias por llamar. Adiós." in spanish
    assert not set(spanish) & set(english)
    assert "If you have trouble breathing, hang up now and call 911." in english, "the greeting's first part"
    assert Voicing.of(line, "es") is Voicing.of(line.in_language("es"))
    assert Voicing.of(line, "es").voice != Voicing.of(line, "en").voice


def test_every_missing_translation_is_refused_with_file_line_node_and_language(tmp_path: Path) -> None:
    text = edit(TWO_LANGUAGES, "      es: ¿Sobre qué quiere información?\n", "")
    text = edit(text, "      es: Le comunico con la recepción.\n", "")
    text = edit(text, "        words: {en: [front desk], es: [mostrador]}\n", "        words: {en: [front desk]}\n")
    found = LineFile.write(tmp_path, text)
    problems = found.problems()
    assert [type(problem) for problem in problems] == [MissingTranslation] * 3
    prompt, words, desk = problems
    assert str(prompt) == (f"{found.at('    prompt:')}: error: node 'main': prompt.es: has no Spanish: "
                           "add es: under it, with the text in Spanish")
    assert words.node == "main" and "option on key 2, words.es: has no Spanish" in words.message
    assert desk.node == "desk" and desk.line == found.line("I will put you through") - 1, "at its text:"


def test_a_text_written_once_in_a_line_of_two_languages_is_refused(tmp_path: Path) -> None:
    found = write(tmp_path, "    title: Swelling\n    text:\n", "    title: Swelling\n    text: Swelling is normal.\n"
                  "    old_text:\n")
    kinds = {type(problem) for problem in found.problems()}
    assert NotTranslated in kinds


def test_a_safety_sentence_reworded_in_one_language_only_is_refused(tmp_path: Path) -> None:
    found = write(tmp_path, "start: main\n",
                  "phrases:\n  emergency: If you cannot breathe, call {emergency_number} now.\nstart: main\n")
    problem = found.problem(NotTranslated)
    assert problem.line == found.line("  emergency: If you cannot")
    assert "reworded in each of its languages" in problem.message


def test_a_translation_for_a_language_the_line_does_not_have_is_refused(tmp_path: Path) -> None:
    found = write(tmp_path, "      es: Le comunico con la recepción.\n",
                  "      es: Le comunico con la recepción.\n      fr: Je vous passe l'accueil.\n")
    problem = found.problem(UnknownLanguage)
    assert problem.line == found.line("fr: Je vous") and "'fr' is not one of the line's languages" in problem.message


def test_translations_in_a_line_of_one_language_are_refused(tmp_path: Path) -> None:
    text = edit(TWO_LANGUAGES, TWO_LANGUAGES[TWO_LANGUAGES.index("languages:"):TWO_LANGUAGES.index("clinic:")], "")
    problems = LineFile.write(tmp_path, text).problems()
    assert problems and all(isinstance(problem, UnknownLanguage) for problem in problems)
    assert "the line names none" in problems[0].message


def test_the_spanish_greeting_must_name_the_emergency_number_too(tmp_path: Path) -> None:
    found = write(tmp_path, "cuelgue ahora y llame al {emergency_number}", "cuelgue ahora")
    problem = found.problem(MissingEmergencyAdvice)
    assert problem.line == found.line("  es: Si tiene dificultad") and problem.message.startswith("greeting.es:")


def test_a_misspelt_name_in_a_spanish_text_is_found_where_it_is(tmp_path: Path) -> None:
    found = write(tmp_path, "es: Le comunico con la recepción.", "es: Le comunico con {clinc}.")
    problem = found.problem(UnknownPlaceholder)
    assert problem.line == found.line("Le comunico con {clinc}") and problem.node == "desk"


def test_a_spanish_option_word_that_is_a_spanish_command_word_is_refused(tmp_path: Path) -> None:
    found = write(tmp_path, "es: [hinchazón, hinchado]", "es: [hinchazón, repetir]")
    problem = found.problem(AmbiguousWord)
    assert problem.line == found.line("es: [hinchazón, repetir]") and "'repetir'" in problem.message


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("    speech_language: es-US\n", "", "needs its speech_language"),
        ("    speech_language: es-US\n", "    speech_language: en-US\n", "'en-US' is not Spanish"),
        ("  en:\n", "  en:\n    voice: {mode: say}\n", None),
        ("start: main\n", "start: desk\n", "starts at a menu or an answer"),
        ("  es:\n", "  fr:\n    speech_language: fr-FR\n  de:\n    speech_language: de-DE\n"
         "  it:\n    speech_language: it-IT\n  es:\n", "at most 2 languages besides its first"),
    ],
    ids=["no speech language", "another language's", "a voice for the first language (allowed)", "a transfer first",
         "too many"],
)
def test_the_languages_are_set_up_right(tmp_path: Path, old: str, new: str, says: str | None) -> None:
    found = write(tmp_path, old, new)
    if says is None:
        assert load_line(found.path).line.voice.mode == "say"
        return
    problems = [problem for problem in found.problems() if isinstance(problem, LanguageSetting)]
    assert any(says in problem.message for problem in problems), [str(problem) for problem in problems]


def test_a_voice_written_twice_for_the_first_language_is_refused(tmp_path: Path) -> None:
    found = write(tmp_path, "  en:\n", "  en:\n    voice: {mode: say}\n")
    found = LineFile.write(tmp_path, found.text.replace("start: main\n", "voice: {mode: play}\nstart: main\n"))
    problem = found.problem(LanguageSetting)
    assert "English's voice is written twice" in problem.message


def test_a_language_without_built_in_words_must_write_them_all(tmp_path: Path) -> None:
    found = write(tmp_path, "  es:\n", "  fr:\n    speech_language: fr-FR\n  es:\n")
    problems = found.problems()
    assert any(isinstance(problem, MissingTranslation) and "no built-in phrases in fr" in problem.message
               for problem in problems)
    assert any(isinstance(problem, NoEmergencyUnderstanding) for problem in problems)


def test_ivr_validate_prints_every_missing_translation_and_exits_1(tmp_path: Path) -> None:
    text = edit(TWO_LANGUAGES, "      es: ¿Sobre qué quiere información?\n", "")
    found = LineFile.write(tmp_path, edit(text, "      es: Le comunico con la recepción.\n", ""))
    result = CliRunner().invoke(main, ["validate", str(found.path)])
    assert result.exit_code == 1
    assert re.search(rf"{re.escape(found.at('    prompt:'))}: error: node 'main': prompt\.es: has no Spanish",
                     result.output)
    assert "2 errors" in result.output


def test_a_running_server_keeps_its_last_good_line_when_a_translation_goes_missing(
    make_app: Callable[..., Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    found = write(tmp_path)
    app = make_app(LINE_FILE=str(found.path))
    caller = Caller(app.test_client(), TOKEN)
    label = "Para la hinchazón después de un tratamiento, oprima 1."
    caller.dial_in()
    assert label in caller.press("9").heard
    found.path.write_text(edit(TWO_LANGUAGES, "          es: Para la hinchazón después de un tratamiento\n", ""))
    later = time.time() + 5
    os.utime(found.path, (later, later))
    app.extensions["ivr"].line.look()  # what the line's watcher does when the file changes
    caller.dial_in()
    assert label in caller.press("9").heard, "the last good line goes on serving"
    assert "option on key 1, label.es: has no Spanish" in caplog.text
