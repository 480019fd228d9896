"""Print the emergency corpus figures of the shipped line and the example line, place by place, in each language.

For each line: the English corpus heard in English, the Spanish corpus heard in Spanish, and each heard in
the other language (callers who switch languages).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ivr.call import CallFlow
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.validate import load_line
from tests.emergency_corpus import CORPUS, figures, listening_places
from tests.test_clinic_lines import example_line

#: (corpus, the language the line is heard in): in each language, then switching.
RUNS = (("en", "en"), ("es", "es"), ("en", "es"), ("es", "en"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        readme = Path(folder) / "knee.yaml"
        readme.write_text(example_line())
        for name, path in (("shipped line", DEFAULT_LINE_FILE), ("example line", readme)):
            flow = CallFlow(load_line(path).line)
            for corpus, heard_in in RUNS:
                if heard_in not in flow.languages:
                    continue
                emergencies, near_misses = CORPUS[corpus]
                print(f"{name}, the {corpus} corpus heard in {heard_in}: {len(emergencies)} emergencies, "
                      f"{len(near_misses)} near-misses")
                for place in listening_places(flow.line):
                    found = figures(flow, place, corpus, heard_in)
                    print(f"  {place:22} emergencies reached {len(emergencies) - len(found.missed):3}/"
                          f"{len(emergencies)}  near-misses reached {len(found.false_alarms):2}/{len(near_misses)}"
                          f" ({found.false_alarm_rate:.1%})")
                    for words in (*found.missed, *found.false_alarms):
                        print(f"      {'missed' if words in found.missed else 'alarm '}: {words}")


if __name__ == "__main__":
    main()
