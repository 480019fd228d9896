"""Small lines with rendered audio, for the audio tests: rendering once per module is what takes time."""

from __future__ import annotations

import shutil
from pathlib import Path

from ivr.line import Line
from ivr.line.validate import load_line
from ivr.speech.catalog import AudioCatalog
from ivr.speech.render import render_line
from ivr.speech.voicing import Voicing
from tests.line_files import base_line, write_line

#: Two rates, so that a caller can slow down; the faster one is the default.
RATES = (120, 160)
#: Every offline engine, and a voice of each.
ENGINES = ("flite", "pyttsx3")
VOICES = {"flite": "rms", "pyttsx3": "en-us"}


def with_voice(text: str, mode: str = "play", name: str | None = None, rates: tuple[int, ...] = RATES,
               engine: str = "pyttsx3") -> str:
    """A line file's text with a ``voice:`` section."""
    listed = ", ".join(str(rate) for rate in rates)
    return text + (
        f"voice:\n  mode: {mode}\n  engine: {engine}\n  name: {name or VOICES[engine]}\n"
        f"  rates: [{listed}]\n  default_rate: {rates[-1]}\n"
    )


def small_line(folder: Path, mode: str = "play", name: str | None = None, engine: str = "pyttsx3") -> tuple[Path, Line]:
    """The small test line in ``folder``, spoken by the given engine and voice at :data:`RATES`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_line(folder, with_voice(base_line(), mode=mode, name=name, engine=engine))
    return path, load_line(path).line


def render_into(line: Line, directory: Path) -> Path:
    report = render_line(line, directory)
    assert report.ok, report.failed
    return directory


def copy_audio(source: Path, destination: Path) -> Path:
    """A test's own copy of rendered audio, to delete from or add to."""
    shutil.copytree(source, destination)
    return destination


def all_but_the_greeting(source: Path, line: Line, destination: Path) -> Path:
    """A copy of a line's rendered audio without its greeting (at every rate): rendering it again renders
    one prompt, which tells as much about a render as the whole line does, in a fraction of the time."""
    copy_audio(source, destination)
    catalog = AudioCatalog(destination)
    for rate in line.voice.rates:
        name = Voicing.of(line).name(line.greeting, rate)
        catalog.wav_path(name).unlink()
        catalog.text_path(name).unlink()
    return destination


#: A small line in Spanish only, valid today (`call.speech_language: es-US`, every text in Spanish). Its
#: sentences about keys write the keys themselves ("oprima *"), which the speech-text step names in Spanish.
SPANISH_LINE = """\
name: Línea de información de Riverside Clinic
clinic:
  name: Riverside Clinic
  phone: "+12025550143"
  hours:
    timezone: America/New_York
    monday: "09:00-17:00"
    tuesday: "09:00-17:00"
    wednesday: "09:00-17:00"
    thursday: "09:00-17:00"
    friday: "09:00-16:00"
call:
  speech_language: es-US
greeting: >-
  Si tiene dificultad para respirar, tragar o hablar, cuelgue ahora y llame al 911.
  Gracias por llamar a Riverside Clinic.
start: main
nodes:
  main:
    type: menu
    title: Menú principal
    prompt: ¿Sobre qué quiere información?
    options:
      - key: "1"
        label: Para saber nuestro horario
        words: [horario, horas]
        goto: opening-hours
      - key: "2"
        label: Para la hinchazón después de un tratamiento
        words: [hinchazón, hinchado]
        goto: swelling
      - key: "3"
        label: Para hablar con la recepción
        words: [recepción]
        goto: desk
  opening-hours:
    type: answer
    title: Horario
    text: Abrimos de lunes a jueves de 9 a. m. a 5 p. m., y los viernes hasta las 4 de la tarde.
  swelling:
    type: answer
    title: Hinchazón
    text: Es normal tener un poco de hinchazón hasta tres días después de un tratamiento.
    options:
      - key: "1"
        label: Si la hinchazón es muy fuerte
        words: [muy fuerte, muy hinchado]
        goto: emergency
  desk:
    type: transfer
    title: Recepción
    text: Le comunico con la recepción.
  emergency:
    type: emergency
    title: Hinchazón muy fuerte
phrases:
  emergency: Si tiene dificultad para respirar, tragar o hablar, cuelgue ahora y llame al {emergency_number}.
  option: "{label}, oprima {key}."
  navigation: >-
    Para oír esto otra vez, oprima *. Para regresar, oprima 9. Para el menú principal, oprima #.
    Para hablar con la clínica, oprima 0.
  pace: Para que hable más despacio, oprima 7. Para que hable más rápido, oprima 8.
  say_or_press: O diga lo que necesita.
  opening_keys: Para que hable más despacio, oprima 7. Para hablar con la clínica, oprima 0.
  closed_now: La clínica está cerrada en este momento.
  pace_changed: Desde ahora voy a hablar a este ritmo.
  pace_limit: Ya no puedo cambiar más el ritmo.
  no_input: No escuché ninguna opción. Tómese su tiempo.
  invalid: Perdón, esa no es una de las opciones.
  not_understood: Perdón, no le entendí.
  closed: La clínica está cerrada en este momento. Abrimos de lunes a viernes a las 9 de la mañana.
  hours: La clínica abre de lunes a viernes, de 9 a. m. a 5 p. m.
  transferring: Por favor, espere mientras le comunico con {clinic}.
  after_hours: Le voy a comunicar con la línea de atención fuera de horario.
  clinic_unavailable: Lo siento, nadie en {clinic} pudo contestar en este momento.
  putting_through: Le voy a comunicar con alguien que le puede ayudar.
  once_more: Se lo repito una vez más.
  after_hours_number: Puede llamar a la línea de atención fuera de horario al {number}.
  clinic_number: Puede llamar a {clinic} al {number}.
  main_menu_offer: "Para volver al menú principal, oprima #."
  goodbye: Gracias por llamar. Adiós.
  apology: Perdón, algo falló en esta línea.
command_words:
  repeat: [repetir, otra vez, de nuevo]
  back: [atrás, regresar, anterior]
  main_menu: [menú principal, al principio]
  clinic: [clínica, una persona, enfermera, recepcionista]
  slower: [más despacio, despacio]
  faster: [más rápido]
"""


def spanish_line(folder: Path, engine: str | None = "pyttsx3", name: str | None = None, mode: str = "play",
                 rates: tuple[int, ...] = RATES, say_voice: str | None = None) -> tuple[Path, Line]:
    """The small Spanish line in ``folder``, with this voice section (no engine or name: the defaults)."""
    listed = ", ".join(str(rate) for rate in rates)
    voice = f"voice:\n  mode: {mode}\n  rates: [{listed}]\n  default_rate: {rates[-1]}\n"
    voice += f"  engine: {engine}\n" if engine else ""
    voice += f"  name: {name}\n" if name else ""
    voice += f"  say_voice: {say_voice}\n" if say_voice else ""
    folder.mkdir(parents=True, exist_ok=True)
    path = write_line(folder, SPANISH_LINE + voice, "linea-es.yaml")
    return path, load_line(path).line
