"""The dashboard's phone to try the line on: a call to the live line, an older version or a file not yet published,
through the same call flow as a real call, at any day and time, in any of its languages, from any place.

The trial's state travels in the page's form, signed, so any worker of any server takes the next step; nothing of
it is recorded as a call. A line is tried from its file's text (:func:`ivr.call.trial.trial_line`), so a draft's
text plugs in with one more source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeSerializer

from ivr.call import CallState
from ivr.call.flow import AnswerTexter
from ivr.call.trial import (
    KEYPAD,
    TRANSFER_RESULTS,
    WHEN_EXAMPLES,
    NotATime,
    Step,
    Trial,
    TrialLine,
    answer,
    begin,
    place_name,
    transfer_ended,
    trial_line,
    when_called,
)
from ivr.dashboard import auth
from ivr.dashboard.try_audio import audio_link, try_audio
from ivr.dashboard.views import LARGER_FORMS, bp, needs
from ivr.languages import language_name
from ivr.line.validate import LineInvalid, format_problems
from ivr.line.validate.limits import MAX_BYTES
from ivr.store import Store
from ivr.store.drafts import Draft, draft_text, drafts
from ivr.store.versions import history, version
from ivr.web import services

_registered: list[bool] = []
#: A line file is 256 kB at most; it travels in the page's form, with the trial.
_FORM_BYTES = 3 * MAX_BYTES + 64 * 1024
#: What a caller may say, at most, as the page takes it (Twilio's own transcripts are far shorter).
LONGEST_WORDS = 2000


def register() -> None:
    """Add the page to the dashboard's blueprint (once: the blueprint is shared by every app)."""
    if _registered:
        return
    _registered.append(True)
    bp.add_url_rule("/try", view_func=needs("editor")(try_it))
    bp.add_url_rule("/try/start", view_func=needs("editor")(try_start), methods=["POST"])
    bp.add_url_rule("/try/step", view_func=needs("editor")(try_step), methods=["POST"])
    bp.add_url_rule("/try/audio/<token>.wav", view_func=needs("editor")(try_audio))
    LARGER_FORMS.update({"dashboard.try_start": _FORM_BYTES, "dashboard.try_step": _FORM_BYTES})


@dataclass(frozen=True)
class Source:
    """Which line is tried: the live one, a published version, a draft as last saved, or a file's text sent with
    the form."""

    kind: str
    number: int | None = None

    @classmethod
    def read(cls, value: str) -> Source:
        kind, _, number = value.partition("-")
        if kind in ("version", "draft") and number.isdigit():
            return cls(kind, int(number))
        return cls("text") if value == "text" else cls("live")

    @property
    def value(self) -> str:
        return f"{self.kind}-{self.number}" if self.number is not None else self.kind


class NotTried(ValueError):
    """The line cannot be tried; the message says why, in plain words (with the file's problems, if any)."""

    def __init__(self, message: str, problems: str = "") -> None:
        super().__init__(message)
        self.problems = problems


def try_it() -> ResponseReturnValue:
    """The form that places a trial call."""
    return _start_page()


def try_start() -> ResponseReturnValue:
    """Place a trial call: the line chosen, at the day and time, in the language and at the place chosen."""
    form = request.form
    source = Source.read(form.get("line", "live"))
    text = _sent_text() if source.kind == "text" else ""
    when_text = form.get("when", "").strip()
    try:
        line = _line(source, text)
    except NotTried as refused:
        return _start_page(problem=str(refused), problems=refused.problems, status=400)
    try:
        when = when_called(when_text, _zone(line), services().clock()) if when_text else services().clock()
    except NotATime as error:
        return _start_page(errors={"when": f"{str(error)[0].upper()}{str(error)[1:]}."}, status=400)
    try:
        trial, step = begin(line, when, form.get("language", ""), form.get("place", ""), _texter(line))
    except KeyError as missing:
        return _start_page(problem=f"{_label(source)[0].upper()}{_label(source)[1:]} cannot be tried so: "
                           f"{missing.args[0]}.", status=400)
    return _trial_page(source, text, line, trial, step)


def try_step() -> ResponseReturnValue:
    """The caller pressed a key, said words, stayed silent, or the clinic's phone answered or not."""
    form = request.form
    source = Source.read(form.get("line", "live"))
    text = form.get("text", "") if source.kind == "text" else ""
    try:
        line = _line(source, text)
    except NotTried as refused:
        return _start_page(problem=str(refused), problems=refused.problems, status=400)
    trial = _read_trial(form.get("trial", ""), line)
    if trial is None:
        return _start_page(problem="This trial call could not be read (it was changed, or made by another version "
                                   "of the dashboard). Place it again.", status=400)
    try:
        if "dial" in form:
            trial, step = transfer_ended(line, trial, form.get("dial", ""))
        elif "key" in form:
            trial, step = answer(line, trial, digits=form.get("key", ""), texter=_texter(line))
        else:
            words = "" if "silence" in form else form.get("words", "")
            if len(words) > LONGEST_WORDS:
                raise ValueError(f"that is {len(words):,} characters: a caller's words are {LONGEST_WORDS:,} at most "
                                 "here")
            trial, step = answer(line, trial, speech=words, texter=_texter(line))
    except ValueError as refused:
        return _trial_page(source, text, line, trial, None, problem=f"Not tried: {refused}.", status=400)
    return _trial_page(source, text, line, trial, step)


# -- the pages -------------------------------------------------------------------------------------


def _start_page(problem: str = "", problems: str = "", errors: dict[str, str] | None = None,
                status: int = 200) -> ResponseReturnValue:
    active = services().line.current()
    line = active.flow.line
    numbers = _versions()
    return render_template(
        "dashboard/try_it.html", trial=None, problem=problem, problems=problems, errors=errors or {},
        sources=[("live", f"The live line (version {active.published})" if active.published else "The live line"),
                 *((f"version-{n}", f"Version {n}") for n in numbers if n != active.published),
                 *((f"draft-{found.id}", f"Draft {found.id}, as {found.saved_by} last saved it")
                   for found in _drafts()),
                 ("text", "A line file (YAML) not yet published")],
        chosen=request.form.get("line", "live"), when=request.form.get("when", _now_text(line.clinic.hours.timezone)),
        languages=[(code, language_name(code)) for code in active.flow.languages],
        places=[(node_id, place_name(line, node_id)) for node_id in line.nodes], start=line.start,
        examples=WHEN_EXAMPLES,
    ), status


def _trial_page(source: Source, text: str, line: TrialLine, trial: Trial, step: Step | None, problem: str = "",
                status: int = 200) -> ResponseReturnValue:
    flow = line.flow
    heard = []
    if step is not None:
        for index, said in enumerate(step.turn.texts):
            code = step.turn.language_of(index) or flow.languages[0]
            heard.append((said, code, language_name(code),
                          audio_link(flow.line, code, said, step.turn.rate)))
    warnings = [problem.described() for problem in line.loaded.warnings]
    return render_template(
        "dashboard/try_it.html", trial=trial, step=step, heard=heard, problem=problem, warnings=warnings,
        label=_label(source), source=source.value, text=text, token=_dump_trial(trial, text),
        at=trial.when.astimezone(_zone_info(line)).strftime("%A %H:%M"), zone=_zone(line),
        path=[(did, place_name(flow.line, node)) for did, node in trial.path], keypad=KEYPAD,
        transfer_results=TRANSFER_RESULTS, place=place_name(flow.line, trial.state.node),
        languages=[(code, language_name(code)) for code in flow.languages],
        places=[(node_id, place_name(flow.line, node_id)) for node_id in flow.line.nodes], start=flow.line.start,
        chosen_language=trial.state.language or flow.languages[0], when=_when_text(trial, line),
        examples=WHEN_EXAMPLES, errors={},
    ), status


# -- the line tried --------------------------------------------------------------------------------


def _line(source: Source, text: str) -> TrialLine:
    """The line ``source`` names; raises :class:`NotTried`."""
    if source.kind == "live":
        active = services().line.current()
        return TrialLine(active.loaded, active.flow)
    if source.kind == "version":
        found = version(_store(), services().line.current().loaded.line.name, source.number or 0)
        if found is None:
            raise NotTried(f"The line has no version {source.number}.")
        text, name = found.text, f"version {source.number}"
    elif source.kind == "draft":
        saved = draft_text(_store(), source.number or 0)
        if saved is None:
            raise NotTried(f"The line has no draft {source.number}.")
        text, name = saved, f"draft {source.number}"
    else:
        name = "the file sent"
    return line_from_text(text, name)


def line_from_text(text: str, name: str) -> TrialLine:
    """The line in a file's text (a version's, an upload's, a draft's), ready to try; raises :class:`NotTried`."""
    if not text.strip():
        raise NotTried("Choose a line file to try: the one sent was empty.")
    try:
        return trial_line(text, name)
    except LineInvalid as invalid:
        count = len(invalid.errors)
        raise NotTried(f"{name[0].upper()}{name[1:]} cannot be tried: it has {count} mistake"
                       f"{'' if count == 1 else 's'}, shown below.", format_problems(invalid.problems)) from None


def _texter(line: TrialLine) -> AnswerTexter | None:
    """Where this server could send answers by text during a call, a trial is offered them as a caller is; it
    sends nothing, and hears what a caller sent one hears."""
    if line.line.messaging is None or services().texts is None:
        return None
    return lambda language, node: "sent"


def _sent_text() -> str:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        raw = upload.read(MAX_BYTES + 1)
    else:
        raw = request.form.get("text", "").encode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "\0"  # the checker says what is wrong with it


def _label(source: Source) -> str:
    if source.kind in ("version", "draft"):
        return f"{source.kind} {source.number}"
    return "the line file sent" if source.kind == "text" else "the live line"


def _versions() -> list[int]:
    gate = auth.gate()
    if gate is None or gate.store is None:
        return []
    return [found.number for found in history(gate.store, services().line.current().loaded.line.name)]


def _drafts() -> list[Draft]:
    gate = auth.gate()
    if gate is None or gate.store is None:
        return []
    return drafts(gate.store, services().line.current().loaded.line.name)


def _store() -> Store:
    gate = auth.gate()
    if gate is None or gate.store is None:
        raise NotTried("There is no database that keeps the line's versions.")
    return gate.store


# -- the trial in the form -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key), salt="ivr-try-it")


def _dump_trial(trial: Trial, text: str) -> str:
    state = dataclasses.asdict(trial.state)
    state["trail"] = list(trial.state.trail)
    return _serializer().dumps({
        "when": trial.when.isoformat(), "state": state, "waiting": trial.waiting, "target": trial.target,
        "path": [list(step) for step in trial.path], "text": hashlib.sha256(text.encode()).hexdigest()[:16]})


def _read_trial(token: str, line: TrialLine) -> Trial | None:
    """The trial the form carries, if it is ours and was made with the text sent with it."""
    try:
        data = _serializer().loads(token)
        state = CallState(**{**data["state"], "trail": tuple(data["state"]["trail"])})
        text = request.form.get("text", "") if request.form.get("line") == "text" else ""
        if data["text"] != hashlib.sha256(text.encode()).hexdigest()[:16]:
            return None
        return Trial(dt.datetime.fromisoformat(data["when"]), state, data["waiting"], data["target"],
                     tuple((str(did), str(node)) for did, node in data["path"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def _zone(line: TrialLine) -> str:
    return line.line.clinic.hours.timezone


def _zone_info(line: TrialLine) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(_zone(line))


def _when_text(trial: Trial, line: TrialLine) -> str:
    return trial.when.astimezone(_zone_info(line)).strftime("%A %H:%M")


def _now_text(zone: str) -> str:
    return services().clock().astimezone(zoneinfo.ZoneInfo(zone)).strftime("%A %H:%M")
