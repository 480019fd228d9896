"""The speech-text step: what an offline voice is given to say, while callers' <Say> and the transcripts
keep the clinic's own words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from ivr.config import DEFAULT_LINE_FILE
from ivr.languages import key_name
from ivr.line.validate import load_line
from ivr.speech.spoken import SpeechRules
from ivr.speech.voicing import Voicing
from tests.calls import Caller
from tests.conftest import TOKEN
from tests.line_files import base_line, write_line

US = SpeechRules(language="en-US", region="US", emergency_number="911")
UK = SpeechRules(language="en-GB", region="GB", emergency_number="999")
US_SPANISH = SpeechRules(language="es-US", region="US", emergency_number="911")
SPAIN = SpeechRules(language="es-ES", region="ES", emergency_number="112")


@pytest.mark.parametrize(
    ("rules", "text", "spoken"),
    [
        (US, "hang up now and call 911.", "hang up now and call 9 1 1."),
        (US, "Call 911 or 112.", "Call 9 1 1 or 1 1 2."),
        (UK, "hang up now and call 999.", "hang up now and call 9 9 9."),
        (US, "It may spread up to 3 centimetres in 911 cases.", "It may spread up to 3 centimetres in 9 1 1 cases."),
        (US, "Take 200 or 1000 steps.", "Take 200 or 1000 steps."),
        (US, "Call us on (202) 555-0143.", "Call us on 2 0 2, 5 5 5, 0 1 4 3."),
        (US, "Call us on +1 202 555 0188 today.", "Call us on 2 0 2, 5 5 5, 0 1 8 8 today."),
        (UK, "Ring 020 7946 0123.", "Ring 0 2 0, 7 9 4 6, 0 1 2 3."),
        (US, "Open 9 AM to 5:30 pm.", "Open 9 AM to 5 30 PM."),
        (US, "Open 9 a.m. to 5 p.m. Closed Sundays.", "Open 9 AM to 5 PM. Closed Sundays."),
        (US, "Open 09:00-17:00.", "Open 9 AM-5 PM."),
        (US, "For the main menu, press #. To repeat, press *.",
         "For the main menu, press pound. To repeat, press star."),
        (UK, "For the main menu, press #.", "For the main menu, press hash."),
        # Spanish: espeak-ng reads "911" as "novecientos once" and "#" as "almohadilla"; its "nueve" is heard
        # over a phone line as "huele", and digits run together without a pause between them.
        (US_SPANISH, "Cuelgue ahora y llame al 911.", "Cuelgue ahora y llame al nu-eve, 1, 1."),
        (US_SPANISH, "llame al 9 1 1.", "llame al nu-eve, 1, 1."),
        (SPAIN, "Cuelgue y llame al 112.", "Cuelgue y llame al 1, 1, 2."),
        (US_SPANISH, "Para repetir, oprima *. Para el menú principal, oprima #.",
         "Para repetir, oprima asterisco. Para el menú principal, oprima numeral."),
        (SPAIN, "Para el menú principal, pulse #.", "Para el menú principal, pulse almohadilla."),
        (US_SPANISH, "Para regresar, oprima 9.", "Para regresar, oprima nu-eve."),
        (US_SPANISH, "Llame al (202) 555-0143.", "Llame al 2, 0, 2; 5, 5, 5; 0, 1, 4, 3."),
        (US_SPANISH, "Puede llamar al 2 0 2, 5 5 5, 0 1 4 3.", "Puede llamar al 2, 0, 2; 5, 5, 5; 0, 1, 4, 3."),
        (US_SPANISH, "Abrimos de 9:30 a. m. a 1 p. m. Cerramos los sábados.",
         "Abrimos de nu-eve y 30 de la mañana a una de la tarde. Cerramos los sábados."),
        (SPAIN, "De 08:00 a 21:00, y a las 12:00.", "De 8 de la mañana a nu-eve de la noche, y a las 12 del mediodía."),
        (US_SPANISH, "Hasta 3 centímetros en 2 días, o 200 veces.", "Hasta 3 centímetros en 2 días, o 200 veces."),
    ],
)
def test_numbers_times_and_keys_are_written_as_they_are_said(rules: SpeechRules, text: str, spoken: str) -> None:
    assert rules.spoken(text) == spoken


def test_key_names_follow_the_line_language() -> None:
    def names(tag: str) -> tuple[str, str]:
        return key_name("*", tag), key_name("#", tag)

    assert names("en-US") == ("star", "pound")
    assert names("en-AU") == ("star", "hash")
    assert names("es-US") == ("asterisco", "numeral")
    assert names("es-MX") == ("asterisco", "gato")
    assert names("es-ES") == ("asterisco", "almohadilla")
    assert names("fr-FR") == ("étoile", "dièse")
    assert names("xx-YY") == ("star", "hash")


def test_a_pronunciation_replaces_whole_words_and_phrases_in_any_case() -> None:
    rules = SpeechRules("en-US", "US", "911", (("how long swelling", "how long, swelling"), ("Botox", "Bo-tox")))
    assert rules.spoken("BOTOX and botox, but not Botoxes.") == "Bo-tox and Bo-tox, but not Botoxes."
    assert rules.spoken("For how long swelling lasts.") == "For how long, swelling lasts."


def test_the_line_speech_rules_come_from_its_file(tmp_path: Path) -> None:
    path = write_line(tmp_path, base_line() + "pronounce:\n  Riverside: River side\n")
    voicing = Voicing.of(load_line(path).line)
    assert voicing.rules.region == "US"
    assert voicing.spoken("Thank you for calling Riverside Clinic.") == "Thank you for calling River side Clinic."
    plain = Voicing.of(load_line(write_line(tmp_path, base_line(), "plain.yaml")).line)
    assert voicing.name("Riverside.", 140) != plain.name("Riverside.", 140), "a file is named by what it says"
    assert voicing.name("Hello.", 140) == plain.name("Hello.", 140), "and only by that"


def test_the_shipped_line_is_rendered_by_flite_rms_by_default() -> None:
    voicing = Voicing.of(load_line(DEFAULT_LINE_FILE).line)
    assert (voicing.engine, voicing.voice) == ("flite", "rms")
    assert "9 1 1" in voicing.spoken(load_line(DEFAULT_LINE_FILE).line.greeting)


def test_say_and_the_transcripts_keep_the_clinic_own_words(make_app: Callable[..., Flask]) -> None:
    """Nothing is rendered here, so every text is Twilio's <Say>: it reads the clinic's text as written."""
    answer = Caller(make_app().test_client(), TOKEN).dial_in()
    assert "hang up now and call 911." in answer.heard
    assert "9 1 1" not in answer.heard
