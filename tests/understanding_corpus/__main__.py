"""Print the size of each class in each half and language: ``python -m tests.understanding_corpus``."""

from __future__ import annotations

from collections import Counter

from tests.understanding_corpus import CONCERNING, LANGUAGES, corpus


def main() -> None:
    for language in LANGUAGES:
        utterances = corpus(language)
        sizes = Counter((u.label, u.target, u.half) for u in utterances)
        labels = dict.fromkeys((u.label, u.target) for u in utterances)
        print(f"{language}: {len(utterances)} utterances")
        print(f"  {'class':20} {'target':20} {'tune':>5} {'held':>5}")
        for label, target in labels:
            print(f"  {label:20} {target:20} {sizes[label, target, 'tune']:5} {sizes[label, target, 'heldout']:5}")
        others = [u for u in utterances if u.label not in CONCERNING]
        print(f"  other classes: {len(others)} ({sum(u.half == 'heldout' for u in others)} held out)")


if __name__ == "__main__":
    main()
