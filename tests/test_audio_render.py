"""Rendering a line's prompts to telephone audio with each real speech engine (flite, and espeak-ng through pyttsx3)."""

from __future__ import annotations

import hashlib
import multiprocessing.util
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner
from flask import Flask

from ivr.commands.main import main
from ivr.line import Line, all_prompts
from ivr.line.validate import load_line
from ivr.speech.catalog import AudioCatalog, store
from ivr.speech.naming import FORMAT, audio_name, is_audio_name
from ivr.speech.render import UnknownVoice, plan_line, render_line, render_plan
from ivr.speech.telephone import IncompleteAudio, wait_until_complete, write_telephone_wav
from ivr.speech.voicing import Voicing
from tests.audio_lines import ENGINES, RATES, all_but_the_greeting, copy_audio, render_into, small_line
from tests.line_files import edit, write_line


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def rendered(engine: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Line, Path]:
    """The small line rendered once for this module and engine: (line file, line, audio directory)."""
    folder = tmp_path_factory.mktemp(f"rendered-{engine}")
    path, line = small_line(folder, engine=engine)
    return path, line, render_into(line, folder / "audio")


def _wav(directory: Path, line: Line, text: str, rate: int) -> Path:
    return directory / f"{Voicing.of(line).name(text, rate)}.wav"


def _durations(directory: Path, line: Line) -> dict[tuple[str, int], float]:
    return {
        (text, rate): soundfile.info(_wav(directory, line, text, rate)).duration
        for text in all_prompts(line)
        for rate in line.voice.rates
    }


def _digests(directory: Path) -> dict[str, str]:
    return {wav.name: hashlib.sha256(wav.read_bytes()).hexdigest() for wav in sorted(directory.glob("*.wav"))}


def test_every_prompt_is_rendered_at_every_rate_as_8khz_mono_mulaw_wav(rendered: tuple[Path, Line, Path]) -> None:
    _, line, directory = rendered
    wavs = sorted(directory.glob("*.wav"))
    assert len(wavs) == len(all_prompts(line)) * len(RATES)
    for wav in wavs:
        info = soundfile.info(wav)
        assert (info.format, info.subtype, info.samplerate, info.channels) == ("WAV", "ULAW", 8000, 1), wav
        assert info.duration > 0.3, f"{wav} is too short to hold speech"
        samples, _ = soundfile.read(wav)
        assert np.abs(samples).max() > 0.5, f"{wav} is nearly silent"


def test_each_file_is_named_by_what_it_says_and_how_and_has_its_text_beside_it(
    rendered: tuple[Path, Line, Path], engine: str
) -> None:
    _, line, directory = rendered
    catalog = AudioCatalog(directory)
    voicing = Voicing.of(line)
    assert (voicing.engine, voicing.voice) == (engine, line.voice.name)
    for text in all_prompts(line):
        for rate in RATES:
            name = voicing.name(text, rate)
            assert catalog.has(name)
            assert catalog.transcript(name) == text, "the transcript is the clinic's text, not the spoken form"


def test_each_rate_is_really_the_pace_of_its_audio(rendered: tuple[Path, Line, Path]) -> None:
    """A rate must change what is heard (pyttsx3 could keep the last prompt's rate)."""
    _, line, directory = rendered
    durations = _durations(directory, line)
    slow, fast = RATES
    for text in all_prompts(line):
        ratio = durations[text, slow] / durations[text, fast]
        assert ratio > 1.15, f"{text!r}: {slow} wpm is only {ratio:.2f} times as long as {fast} wpm"


def test_rendering_again_gives_the_same_audio_byte_for_byte(
    rendered: tuple[Path, Line, Path], tmp_path: Path
) -> None:
    _, line, directory = rendered
    again = render_into(line, all_but_the_greeting(directory, line, tmp_path / "again"))
    assert _digests(again) == _digests(directory)


def test_rendering_leaves_no_temporary_folder_behind(
    rendered: tuple[Path, Line, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, line, directory = rendered
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    multiprocessing.util.get_temp_dir()  # multiprocessing's own folder, for its fork server, is not the renderer's
    audio = all_but_the_greeting(directory, line, tmp_path / "audio")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    render_into(line, audio)
    assert list(scratch.iterdir()) == []


def test_a_second_render_renders_nothing(rendered: tuple[Path, Line, Path], tmp_path: Path) -> None:
    _, line, directory = rendered
    audio = copy_audio(directory, tmp_path / "audio")
    before = {wav.name: wav.stat().st_mtime_ns for wav in audio.glob("*.wav")}
    report = render_line(line, audio)
    assert (report.rendered, report.reused, report.failed) == (0, len(before), ())
    assert {wav.name: wav.stat().st_mtime_ns for wav in audio.glob("*.wav")} == before


def test_a_changed_prompt_is_rendered_again_and_nothing_else(rendered: tuple[Path, Line, Path], tmp_path: Path) -> None:
    path, line, directory = rendered
    audio = copy_audio(directory, tmp_path / "audio")
    changed = write_line(
        tmp_path, edit(path.read_text(), "greeting: Thank you for calling", "greeting: Thanks for calling")
    )
    new_line = load_line(changed).line
    report = render_line(new_line, audio)
    assert report.rendered == len(RATES), "the new greeting, at each rate"
    assert report.reused == len(all_prompts(new_line)) * len(RATES) - len(RATES)
    assert _wav(audio, line, line.greeting, RATES[0]).exists(), "the old greeting's file is left for calls in progress"


def test_a_pronunciation_renders_only_the_prompts_it_changes_and_keeps_their_text(
    rendered: tuple[Path, Line, Path], tmp_path: Path
) -> None:
    path, line, directory = rendered
    audio = copy_audio(directory, tmp_path / "audio")
    changed = load_line(write_line(tmp_path, path.read_text() + "pronounce:\n  Riverside: River side\n")).line
    affected = [text for text in all_prompts(line) if "Riverside" in text]
    assert affected, "the small line names its clinic"
    report = render_line(changed, audio)
    assert report.rendered == len(affected) * len(RATES)
    for text in affected:
        name = Voicing.of(changed).name(text, RATES[0])
        assert AudioCatalog(audio).transcript(name) == text, "the transcript keeps the clinic's spelling"


def test_only_missing_prompts_are_planned(rendered: tuple[Path, Line, Path], tmp_path: Path) -> None:
    _, line, directory = rendered
    audio = copy_audio(directory, tmp_path / "audio")
    _wav(audio, line, line.greeting, RATES[1]).unlink()
    plan = plan_line(line, audio)
    assert [(job.text, job.rate) for job in plan.jobs] == [(line.greeting, RATES[1])]
    assert render_line(line, audio).rendered == 1


@pytest.mark.parametrize(
    ("engine", "voice", "suggestion"),
    [
        ("pyttsx3", "en-uss", "en-us"),
        ("pyttsx3", "english-america", "english (america)"),
        ("pyttsx3", "en-us+nosuch", None),
        ("flite", "rmss", "rms"),
        ("flite", "en-us", None),
    ],
)
def test_an_unknown_voice_fails_loudly_before_anything_is_written(
    tmp_path: Path, engine: str, voice: str, suggestion: str | None
) -> None:
    _, line = small_line(tmp_path, name=voice, engine=engine)
    with pytest.raises(UnknownVoice) as raised:
        render_line(line, tmp_path / "audio")
    assert voice in str(raised.value) and engine in str(raised.value)
    if suggestion:
        assert suggestion in raised.value.suggestions
    assert not list((tmp_path / "audio").glob("*.wav"))


def test_a_pyttsx3_voice_may_be_named_by_its_language_name_or_id(tmp_path: Path) -> None:
    for number, name in enumerate(["en-gb", "English (America)", "gmw/en-us+m3"]):
        _, line = small_line(tmp_path / str(number), name=name)
        plan = plan_line(line, tmp_path / str(number) / "audio", rates=[160])
        one_prompt = replace(plan, jobs=tuple(job for job in plan.jobs if job.text == line.greeting))
        assert render_plan(one_prompt).ok


def test_ivr_render_shows_counts_and_renders_nothing_the_second_time(
    rendered: tuple[Path, Line, Path], tmp_path: Path
) -> None:
    path, line, directory = rendered
    audio = all_but_the_greeting(directory, line, tmp_path / "audio")
    total = len(all_prompts(line)) * len(RATES)
    runner = CliRunner()
    first = runner.invoke(main, ["render", "--line", str(path), "--audio-dir", str(audio)])
    assert first.exit_code == 0, first.output
    assert f"{len(RATES)} rendered, {total - len(RATES)} already there, 0 failed" in first.output
    second = runner.invoke(main, ["render", "--line", str(path), "--audio-dir", str(audio)])
    assert second.exit_code == 0, second.output
    assert f"0 rendered, {total} already there, 0 failed" in second.output


def test_ivr_render_fails_on_an_unknown_voice(tmp_path: Path) -> None:
    path, _ = small_line(tmp_path, name="klingon-x")
    result = CliRunner().invoke(main, ["render", "--line", str(path), "--audio-dir", str(tmp_path / "audio")])
    assert result.exit_code == 1
    assert "no voice 'klingon-x'" in result.output


def test_the_app_can_render_missing_audio_when_it_starts(
    rendered: tuple[Path, Line, Path], make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    path, line, directory = rendered
    audio = all_but_the_greeting(directory, line, tmp_path / "fresh-audio")
    make_app(LINE_FILE=str(path), AUDIO_DIR=str(audio), RENDER_ON_START=True)
    assert len(list(audio.glob("*.wav"))) == len(all_prompts(line)) * len(RATES)


def test_by_default_the_app_renders_nothing_when_it_starts(
    rendered: tuple[Path, Line, Path], make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    path, _, _ = rendered
    make_app(LINE_FILE=str(path), AUDIO_DIR=str(tmp_path / "audio"))
    assert not (tmp_path / "audio").exists()


# -- names, files and the catalog, without the engine ------------------------------------


def test_a_name_changes_with_the_text_the_engine_the_voice_the_rate_and_the_volume() -> None:
    name = audio_name("Hello.", "flite", "rms", 140, 1.0)
    assert is_audio_name(name)
    assert name == audio_name("Hello.", "flite", "rms", 140, 1.0)
    others = {
        audio_name("Hello!", "flite", "rms", 140, 1.0),
        audio_name("Hello.", "pyttsx3", "rms", 140, 1.0),
        audio_name("Hello.", "flite", "slt", 140, 1.0),
        audio_name("Hello.", "flite", "rms", 120, 1.0),
        audio_name("Hello.", "flite", "rms", 140, 0.8),
    }
    assert len(others) == 5 and name not in others
    assert FORMAT.startswith("wav-mulaw-8000-mono")


@pytest.mark.parametrize("name", ["", "0" * 31, "0" * 33, "A" * 32, "g" * 32, "../" + "0" * 29, "0" * 32 + ".wav"])
def test_only_32_lower_case_hex_digits_are_a_name(name: str) -> None:
    assert not is_audio_name(name)


def test_a_half_written_wav_is_waited_for_then_refused(tmp_path: Path) -> None:
    whole = tmp_path / "whole.wav"
    write_telephone_wav(whole, np.zeros(8000, dtype=np.float32))
    wait_until_complete(whole, timeout=1.0)
    half = tmp_path / "half.wav"
    half.write_bytes(whole.read_bytes()[:3000])
    started = time.monotonic()
    with pytest.raises(IncompleteAudio):
        wait_until_complete(half, timeout=0.2)
    assert time.monotonic() - started < 2
    with pytest.raises(IncompleteAudio, match="does not exist"):
        wait_until_complete(tmp_path / "missing.wav", timeout=0.05)


def test_the_catalog_sees_files_come_and_go(tmp_path: Path) -> None:
    catalog = AudioCatalog(tmp_path / "audio")
    name = audio_name("Hello.", "flite", "rms", 140, 1.0)
    assert not catalog.has(name), "no directory yet is no audio"
    (tmp_path / "audio").mkdir()
    store(catalog.wav_path(name), lambda path: write_telephone_wav(path, np.zeros(800, dtype=np.float32)))
    assert catalog.has(name)
    catalog.wav_path(name).unlink()
    assert not catalog.has(name)
    assert not [entry for entry in os.listdir(tmp_path / "audio") if entry.endswith(".tmp")]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    def fail(path: Path) -> None:
        path.write_bytes(b"RIFF")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store(tmp_path / "a.wav", fail)
    assert list(tmp_path.iterdir()) == []
