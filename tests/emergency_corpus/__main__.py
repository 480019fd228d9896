"""Print the emergency corpus figures of the shipped line and the README line, place by place."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ivr.call.flow import CallFlow
from ivr.config import DEFAULT_LINE_FILE
from ivr.line.load import load_line
from tests.emergency_corpus import EMERGENCIES, NEAR_MISSES, figures, listening_places
from tests.test_clinic_lines import readme_example


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        readme = Path(folder) / "knee.yaml"
        readme.write_text(readme_example())
        for name, path in (("shipped line", DEFAULT_LINE_FILE), ("README line", readme)):
            flow = CallFlow(load_line(path).line)
            print(f"{name}: {len(EMERGENCIES)} emergencies, {len(NEAR_MISSES)} near-misses")
            for place in listening_places(flow.line):
                found = figures(flow, place)
                print(f"  {place:22} emergencies reached {len(EMERGENCIES) - len(found.missed):3}/{len(EMERGENCIES)}"
                      f"  near-misses reached {len(found.false_alarms):2}/{len(NEAR_MISSES)}"
                      f" ({found.false_alarm_rate:.1%})")
                for words in (*found.missed, *found.false_alarms):
                    print(f"      {'missed' if words in found.missed else 'alarm '}: {words}")


if __name__ == "__main__":
    main()
