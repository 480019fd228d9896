"""The figures as the dashboard shows them: headline numbers beside the previous period's, then sections.

The safety figures come first (the emergency advice, transfers, calls dropped or given up),
then when people call, where they go on the line, how long calls take, and the rest. Each
section is some sentences, maybe a chart, and the tables behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from ivr.dashboard.charts import Bar, bar_chart, column_chart
from ivr.dashboard.linemap import place_title
from ivr.dashboard.words import call_language, day, duration, hour, plural, share
from ivr.line import Line
from ivr.store.events import DIAL_RESULTS, EMERGENCY_ROUTES, INPUTS, RESULT_ROWS, TARGETS, TRANSFER_REASONS
from ivr.store.figures import Figures, LanguageFigures
from ivr.store.journeys import ENDINGS, PLACE_COLUMNS

#: The longest chart; its table lists every row.
CHART_ROWS = 10
#: A call of a line of several languages whose language was not recorded (one that ended before its first answer).
NOT_RECORDED = "Not recorded"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "Nothing in this period."


@dataclass(frozen=True)
class Section:
    """One part of the figures page: a heading, sentences, maybe facts and a chart, and its tables."""

    id: str
    heading: str
    sentences: tuple[str, ...]
    tables: tuple[Table, ...] = ()
    chart: Markup = field(default_factory=Markup)
    facts: tuple[tuple[str, str], ...] = ()
    #: The first sections are the safety figures.
    safety: bool = False


@dataclass(frozen=True)
class Headline:
    """A headline number, with the same number over the previous period."""

    term: str
    value: str
    previous: str


def headlines(now: Figures, before: Figures) -> list[Headline]:
    """The numbers a clinic looks at first, each beside the period before."""
    length = plural(now.period.length, "day")
    items: list[tuple[str, Callable[[Figures], str]]] = [
        ("Calls", lambda f: f"{f.calls:,}"),
        ("Got the emergency advice", lambda f: f"{f.emergency_calls:,}"),
        ("Put through to the clinic", lambda f: f"{f.transfers:,}"),
        ("Transfers answered", lambda f: _of(f.transfers_answered, f.transfers)),
        ("Dropped or gave up", lambda f: f"{f.dropped_or_gave_up:,}"),
        ("Text conversations", lambda f: f"{_texts(f).calls:,}"),
    ]
    return [Headline(term, value(now), f"{value(before)} in the {length} before") for term, value in items]


def sections(figures: Figures, line: Line) -> list[Section]:
    title = _titles(line)
    return [
        _emergency(figures, title),
        _transfers(figures, title),
        _endings(figures),
        _text_conversations(figures, title),
        *_languages(figures, line),
        _when(figures),
        _places(figures, line, title),
        _lengths(figures),
        _calls_a_day(figures),
        _answers(figures, title),
        _no_input(figures, title),
        _inputs(figures),
    ]


# -- the safety figures ------------------------------------------------------------------


def _emergency(figures: Figures, title: Callable[[str | None], str]) -> Section:
    total = figures.emergency_calls
    if total:
        routes = [f"{figures.emergency[route]:,} {label.lower()}"
                  for route, label in EMERGENCY_ROUTES.items() if figures.emergency[route]]
        sentence = f"{plural(total, 'call')} got the emergency advice: {_and(routes)}."
    else:
        sentence = "No call got the emergency advice in this period."
    places = sorted({place for place, _ in figures.emergency_places}, key=lambda p: (title(p), p))
    rows = tuple(
        (title(place), *(f"{figures.emergency_places[(place, route)]:,}" for route in EMERGENCY_ROUTES),
         f"{sum(figures.emergency_places[(place, route)] for route in EMERGENCY_ROUTES):,}")
        for place in places
    )
    return Section(
        id="emergency",
        heading="Emergency advice",
        sentences=(sentence, "A caller gets it by choosing it at a menu, or by saying an emergency phrase anywhere."),
        tables=(Table("Emergency advice by place", ("Where the caller was", *EMERGENCY_ROUTES.values(), "Calls"),
                      rows, "No call got the emergency advice."),),
        safety=True,
    )


def _transfers(figures: Figures, title: Callable[[str | None], str]) -> Section:
    started, answered = figures.transfers, figures.transfers_answered
    if started:
        targets = _and([f"{figures.transfer_targets[t].started:,} to {TARGETS[t].lower()}"
                        for t in ("clinic", "after_hours") if t in figures.transfer_targets])
        sentences = [
            f"{plural(started, 'transfer')} ({targets}); somebody answered {_of(answered, started)}.",
            f"{plural(figures.reached_clinic, 'call')} reached somebody at the clinic.",
        ]
    else:
        sentences = ["No caller was put through in this period."]
    closed = figures.transfer_targets.get("none")
    if closed:
        sentences.append(f"{plural(closed.started, 'caller')} wanted the clinic while it was closed and had no "
                         "after-hours line: they heard how else to reach it.")
    reasons = tuple(
        (TRANSFER_REASONS[reason], f"{t.started:,}", f"{t.answered:,}", share(t.answered, t.started))
        for reason in TRANSFER_REASONS if (t := figures.transfer_reasons.get(reason))
    )
    results = figures.transfer_results
    targets_shown = [t for t in TARGETS if any(results[(row, t)] for row in RESULT_ROWS)]
    totals = {row: sum(results[(row, t)] for t in TARGETS) for row in RESULT_ROWS}
    shown = [row for row in RESULT_ROWS if totals[row]]
    result_rows = tuple(
        (DIAL_RESULTS[row], *(f"{results[(row, t)]:,}" for t in targets_shown), f"{totals[row]:,}") for row in shown
    )
    chart = bar_chart([Bar(DIAL_RESULTS[row], totals[row]) for row in shown],
                      name="Bar chart of how transfers ended; the table below has the figures.")
    return Section(
        id="transfers",
        heading="Transfers to the clinic",
        sentences=tuple(sentences),
        chart=chart,
        tables=(
            Table("Transfers by result", ("Result", *(TARGETS[t] for t in targets_shown), "All"), result_rows,
                  "No caller was put through."),
            Table("Transfers by reason", ("Why the caller was put through", "Transfers", "Answered", "Share answered"),
                  reasons, "No caller was put through."),
        ),
        safety=True,
    )


def _endings(figures: Figures) -> Section:
    lost = figures.dropped_or_gave_up
    rows = tuple(
        (kind.label, f"{figures.endings[key]:,}", share(figures.endings[key], figures.calls),
         {"dropped": "Dropped", "gave_up": "Gave up"}.get(kind.group, ""))
        for key, kind in ENDINGS.items() if figures.endings[key]
    )
    return Section(
        id="endings",
        heading="How calls ended",
        sentences=(
            f"{plural(lost, 'call')} of {figures.calls:,} ({share(lost, figures.calls)}) were dropped or the caller "
            "gave up: hung up before getting an answer, went silent, or was cut off.",
        ),
        tables=(Table("How calls ended", ("How the call ended", "Calls", "Share", "Dropped or gave up"), rows),),
        safety=True,
    )


def _text_conversations(figures: Figures, title: Callable[[str | None], str]) -> Section:
    """Text conversations beside calls: the same safety figures, and the places where texters gave up."""
    texts = _texts(figures)
    if texts.calls:
        sentences: tuple[str, ...] = (
            f"{plural(texts.calls, 'text conversation')}: {texts.emergency_calls:,} got the emergency advice, "
            f"{texts.transfers:,} were given the clinic's number to call, and {texts.dropped_or_gave_up:,} gave up "
            "(stopped replying before an answer, or texted STOP).",
            "A conversation is the messages of one number until it is quiet for the hours its place is kept.",
        )
    else:
        sentences = ("No text conversation in this period.",)
    beside = (
        ("Calls or conversations", figures.calls, texts.calls),
        ("Got the emergency advice", figures.emergency_calls, texts.emergency_calls),
        ("Put through, or given the clinic's number", figures.transfers, texts.transfers),
        ("Dropped or gave up", figures.dropped_or_gave_up, texts.dropped_or_gave_up),
    )
    gave_up = sorted(((place, found.ended["gave_up"]) for place, found in texts.places.items()
                      if found.ended["gave_up"]), key=lambda item: (-item[1], title(item[0])))
    return Section(
        id="texts",
        heading="Text messages",
        sentences=sentences,
        tables=(
            Table("Calls and text conversations", ("Figure", "Phone calls", "Text conversations"),
                  tuple((name, f"{calls:,}", f"{conversations:,}") for name, calls, conversations in beside)),
            Table("Where texters gave up", ("Where the texter was", "Conversations that reached it", "Gave up there"),
                  tuple((title(place), f"{texts.places[place].reached:,}", f"{count:,}") for place, count in gave_up),
                  "No texter gave up."),
        ),
        safety=True,
    )


def _texts(figures: Figures) -> Figures:
    return figures.texts if figures.texts is not None else Figures(figures.period)


def _languages(figures: Figures, line: Line) -> list[Section]:
    """Calls and their safety figures in each of the line's languages; nothing for a line of one language."""
    if len(line.language_codes) < 2:
        return []
    others = sorted(code for code in figures.languages if code not in line.language_codes)
    shown = [(code, call_language(code, line) or NOT_RECORDED, figures.languages.get(code, LanguageFigures()))
             for code in (*line.language_codes, *others)]
    heard = _and([f"{language.calls:,} in {name}" if code else f"{language.calls:,} with no language recorded"
                  for code, name, language in shown if language.calls])
    safety = [f"In {name}: {plural(language.emergency_calls, 'call')} got the emergency advice "
              f"({_by_keys(language):,} by a key, {_by_speech(language):,} by speech); {_put_through(language)}."
              for code, name, language in shown if code and language.calls]
    return [Section(
        id="languages",
        heading="Languages",
        sentences=(
            f"Of {plural(figures.calls, 'call')}, {heard}.",
            "A call is counted in the language it was answered in: callers choose it at the start of the call.",
            *safety,
        ),
        tables=(
            Table("Calls by language", ("Language", "Calls", "Share"),
                  tuple((name, f"{language.calls:,}", share(language.calls, figures.calls))
                        for _, name, language in shown)),
            Table("Emergency advice by language", ("Language", "Calls that got it", "By a key", "By speech"),
                  tuple((name, f"{language.emergency_calls:,}", f"{_by_keys(language):,}",
                         f"{_by_speech(language):,}") for _, name, language in shown)),
            # The share answered is in the sentences: a fourth column would not fit a phone's width.
            Table("Transfers by language", ("Language", "Transfers", "Somebody answered"),
                  tuple((name, f"{language.transfers.started:,}", f"{language.transfers.answered:,}")
                        for _, name, language in shown)),
        ),
        safety=True,
    )]


def _put_through(language: LanguageFigures) -> str:
    started, answered = language.transfers.started, language.transfers.answered
    if not started:
        return "nobody was put through"
    return f"{plural(started, 'transfer')}, and somebody answered {_of(answered, started)}"


def _by_keys(language: LanguageFigures) -> int:
    return language.emergency["keys"]


def _by_speech(language: LanguageFigures) -> int:
    """The words of the menu choice that leads to the advice, or an emergency phrase anywhere."""
    return language.emergency["words"] + language.emergency["phrase"]


# -- the rest --------------------------------------------------------------------------------


def _when(figures: Figures) -> Section:
    busiest = max(range(24), key=lambda h: (figures.per_hour[h], -h))
    chart = column_chart(
        [(hour(h), figures.per_hour[h]) for h in range(24)],
        name="Column chart of calls by the hour they started; the table below has the figures.",
        ticks=[hour(h) for h in (0, 6, 12, 18)],
    )
    return Section(
        id="when",
        heading="When people call",
        sentences=(
            f"{plural(figures.in_hours, 'call')} came while the clinic was open and "
            f"{plural(figures.out_of_hours, 'call')} while it was closed "
            f"({share(figures.out_of_hours, figures.calls)} out of hours).",
            f"The busiest hour was from {hour(busiest)} to {hour((busiest + 1) % 24)}, "
            f"with {plural(figures.per_hour[busiest], 'call')}.",
        ),
        chart=chart,
        tables=(
            Table("Calls by hour of the day", ("Hour", "Calls"),
                  tuple((f"{hour(h)} to {hour((h + 1) % 24)}", f"{figures.per_hour[h]:,}") for h in range(24))),
            Table("Calls by day of the week", ("Day", "Calls"),
                  tuple((name, f"{figures.per_weekday[n]:,}") for n, name in enumerate(WEEKDAYS))),
            Table("Calls in and out of opening hours", ("When", "Calls", "Share"), (
                ("While the clinic was open", f"{figures.in_hours:,}", share(figures.in_hours, figures.calls)),
                ("While it was closed", f"{figures.out_of_hours:,}", share(figures.out_of_hours, figures.calls)),
            )),
        ),
    )


def _places(figures: Figures, line: Line, title: Callable[[str | None], str]) -> Section:
    order = [line.start, *(n for n in line.nodes if n != line.start)]
    rows = tuple(
        (title(node), f"{found.reached:,}", *(f"{found.count(column):,}" for column in PLACE_COLUMNS))
        for node in order if (found := figures.places.get(node)) and found.reached
    )
    return Section(
        id="places",
        heading="Where callers go",
        sentences=(
            "For each place of the line: how many calls reached it, how many moved on to another place, and how "
            "the others ended there. The line map shows the same figures beside each place.",
        ),
        tables=(Table("Calls at each place", ("Place", "Reached", *PLACE_COLUMNS.values()), rows),),
    )


def _lengths(figures: Figures) -> Section:
    lengths, answers = figures.durations, figures.to_answer
    return Section(
        id="lengths",
        heading="How long calls take",
        sentences=(
            f"Lengths come from Twilio's report of each call's end ({plural(lengths.count, 'call')} reported); "
            f"the time to an answer is from the start of a call to the first answer it heard "
            f"({plural(answers.count, 'call')} heard one).",
        ),
        facts=(
            ("Median call length", duration(lengths.median)),
            ("9 in 10 calls were no longer than", duration(lengths.p90)),
            ("Median time to an answer", duration(answers.median)),
            ("9 in 10 callers heard an answer within", duration(answers.p90)),
        ),
    )


def _calls_a_day(figures: Figures) -> Section:
    days = figures.days()
    busiest = max(days, key=lambda d: (d[1], d[0]))
    sentences = [f"{plural(figures.calls, 'call')} in {plural(len(days), 'day')}."]
    if len(days) > 1 and busiest[1]:
        sentences.append(f"The busiest day was {day(busiest[0])}, with {plural(busiest[1], 'call')}.")
    sentences.append(f"{plural(figures.callers, 'different caller')}; {plural(figures.repeat_callers, 'caller')} "
                     "called more than once. Withheld numbers are not counted as callers.")
    return Section(
        id="calls-a-day",
        heading="Calls a day",
        sentences=tuple(sentences),
        chart=column_chart([(day(d), n) for d, n in days],
                           name="Column chart of calls a day; the table below has the figures."),
        tables=(Table("Calls a day", ("Day", "Calls"), tuple((day(d), f"{n:,}") for d, n in days)),),
    )


def _answers(figures: Figures, title: Callable[[str | None], str]) -> Section:
    heard = sorted(figures.heard.values(), key=lambda h: (-h.times, h.node))
    return Section(
        id="answers",
        heading="Most-heard answers",
        sentences=(
            f"{plural(len(heard), 'answer')} of the line {'was' if len(heard) == 1 else 'were'} heard. "
            "Times heard counts repeats and returns." if heard else "No answer was heard in this period.",
        ),
        chart=bar_chart([Bar(title(h.node), h.times) for h in heard[:CHART_ROWS]],
                        name="Bar chart of the most-heard answers; the table below has the figures."),
        tables=(Table("Most-heard answers", ("Answer", "Times heard", "Calls that heard it"),
                      tuple((title(h.node), f"{h.times:,}", f"{h.calls:,}") for h in heard)),),
    )


def _no_input(figures: Figures, title: Callable[[str | None], str]) -> Section:
    answers = figures.responses
    places = sorted(figures.node_inputs.values(), key=lambda n: (-(n.no_input + n.invalid), -n.responses, n.node))
    return Section(
        id="no-input",
        heading="Silences and answers that are not a choice",
        sentences=(
            f"Of {plural(answers, 'answer')} to prompts, {figures.no_input:,} "
            f"{'was' if figures.no_input == 1 else 'were'} silence ({share(figures.no_input, answers)}) and "
            f"{figures.invalid:,} a key or words that are not a choice there ({share(figures.invalid, answers)}).",
        ),
        tables=(Table(
            "Silences and answers that are not a choice, by place",
            ("Place", "Answers", "Silence", "Silence rate", "Not a choice", "Not a choice rate"),
            tuple((title(n.node), f"{n.responses:,}", f"{n.no_input:,}", share(n.no_input, n.responses),
                   f"{n.invalid:,}", share(n.invalid, n.responses)) for n in places),
        ), Table(
            "Understood by meaning, by place: asked back, said no to the question, and out of scope",
            ("Place", "Answers", "Asked back", "Said no", "Out of scope"),
            tuple((title(n.node), f"{n.responses:,}", f"{n.asked_back:,}", f"{n.said_no:,}", f"{n.out_of_scope:,}")
                  for n in sorted(places, key=lambda n: (-(n.asked_back + n.out_of_scope), n.node))),
        )),
    )


def _inputs(figures: Figures) -> Section:
    answers = figures.responses
    kinds = [(label, figures.inputs[kind]) for kind, label in INPUTS.items()]
    return Section(
        id="speech-and-keys",
        heading="Speech and keys",
        sentences=(
            f"Callers answered {plural(figures.inputs['key'], 'time')} with a key and "
            f"{plural(figures.inputs['speech'], 'time')} in words.",
        ),
        tables=(Table("How callers answered", ("How callers answered", "Answers", "Share"),
                      tuple((label, f"{n:,}", share(n, answers)) for label, n in kinds)),),
    )


# -- helpers ---------------------------------------------------------------------------------


def _titles(line: Line) -> Callable[[str | None], str]:
    return lambda node: place_title(line, node)


def _and(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, [", ".join(parts[:-1]), parts[-1]])) if parts else ""


def _of(part: int, whole: int) -> str:
    """ "9 of 12 (75%)"."""
    return f"{part:,} of {whole:,} ({share(part, whole)})" if whole else "none"
