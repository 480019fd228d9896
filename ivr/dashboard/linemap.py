"""The line as a map: every node with what callers hear there, its keys and where they lead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ivr.line import END, AnswerNode, EmergencyNode, Line, MenuNode, Script, TransferNode, spoken_key

#: (text, rate) -> URL of its rendered audio, or None when there is none yet.
AudioFinder = Callable[[str, int], "str | None"]

KINDS = {
    MenuNode: "Menu",
    AnswerNode: "Answer",
    TransferNode: "Transfer to the clinic",
    EmergencyNode: "Emergency advice",
}
#: What the call records need to know of each kind of place (ivr.store.journeys.PlaceKinds).
PLACE_KINDS = {MenuNode: "menu", AnswerNode: "answer", TransferNode: "transfer", EmergencyNode: "emergency"}
LINE_KEYS = {
    "repeat": "Hear this again",
    "back": "Go back",
    "main_menu": "Main menu",
    "clinic": "Speak to the clinic",
    "slower": "Slower speech",
    "faster": "Faster speech",
}


@dataclass(frozen=True)
class Prompt:
    text: str
    audio_url: str | None


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    words: tuple[str, ...]
    goto: str
    goto_title: str


@dataclass(frozen=True)
class MapNode:
    id: str
    title: str
    kind: str
    is_start: bool
    prompts: tuple[Prompt, ...]
    choices: tuple[Choice, ...]
    #: (node id, title) of the nodes with a key that leads here.
    reached_from: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class LineKey:
    key: str
    spoken: str
    does: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class LineMap:
    name: str
    greeting: tuple[Prompt, ...]
    keys: tuple[LineKey, ...]
    nodes: tuple[MapNode, ...]


def line_map(line: Line, audio: AudioFinder) -> LineMap:
    """The map of ``line``, the start node first, then the others in the file's order."""
    script = Script(line)
    rate = line.voice.default_rate

    def prompts(*texts: str) -> tuple[Prompt, ...]:
        return tuple(Prompt(text, audio(text, rate)) for text in texts)

    sources: dict[str, list[tuple[str, str]]] = {}
    for node_id, node in line.nodes.items():
        for option in getattr(node, "options", []):
            sources.setdefault(option.goto, []).append((node_id, node.title))
    order = [line.start, *(node_id for node_id in line.nodes if node_id != line.start)]
    nodes = []
    for node_id in order:
        node = line.nodes[node_id]
        texts = list(script.node(node))
        if isinstance(node, TransferNode):
            texts.append(script.transferring())
        if isinstance(node, EmergencyNode):
            texts.append(script.emergency())
        choices = tuple(
            Choice(o.key, o.label, tuple(o.words), o.goto, place_title(line, o.goto))
            for o in getattr(node, "options", [])
        )
        nodes.append(
            MapNode(
                id=node_id,
                title=node.title,
                kind=KINDS[type(node)],
                is_start=node_id == line.start,
                prompts=prompts(*texts),
                choices=choices,
                reached_from=tuple(sources.get(node_id, [])),
            )
        )
    words = line.command_words.model_dump()
    keys = tuple(
        LineKey(key, spoken_key(line, key), LINE_KEYS[name], tuple(words.get(name, [])))
        for name, key in line.keys.model_dump().items()
    )
    return LineMap(line.name, prompts(script.greeting(), script.pace_help()), keys, tuple(nodes))


def place_kinds(line: Line) -> dict[str, str]:
    """Each node of the line by id, as the kind of place it is: "menu", "answer", "transfer", "emergency"."""
    return {node_id: PLACE_KINDS[type(node)] for node_id, node in line.nodes.items()}


def place_title(line: Line, node_id: str | None) -> str:
    """What to call a place in a call: its node's title, or what the pseudo-places mean."""
    if node_id in line.nodes:
        return line.nodes[node_id].title
    if node_id == END:
        return "How else to reach the clinic"
    if not node_id:
        return "Unknown place"
    return f"{node_id} (no longer in the line)"
