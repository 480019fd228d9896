"""The stress and fault suite: every test here is marked ``stress``, and shares one folder for its
databases and server logs and one log of everything the app said, which are searched for callers'
numbers once the whole suite has run (tests/stress/sweep.py)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, settings

from tests.stress.sweep import APP_LOG, FOLDER

#: Hypothesis examples per fuzzed webhook: 10,000 in CI (CI=true, or HYPOTHESIS_PROFILE=ci), fewer here.
settings.register_profile(
    "stress-ci",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
#: Locally, STRESS_EXAMPLES=n runs n instead.
settings.register_profile(
    "stress-dev", settings.get_profile("stress-ci"), max_examples=int(os.environ.get("STRESS_EXAMPLES", "400"))
)
IN_CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci" or os.environ.get("CI", "").lower() in ("1", "true", "yes")
FUZZ = settings(settings.get_profile("stress-ci" if IN_CI else "stress-dev"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.stress)


@pytest.fixture(scope="session")
def stress_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the suite's databases and server logs go, to be searched once the suite has run."""
    return tmp_path_factory.mktemp(FOLDER, numbered=False)


@pytest.fixture(scope="session", autouse=True)
def app_log(stress_dir: Path) -> Iterator[Path]:
    """Everything the app logs during the suite, exceptions included, in one file."""
    path = stress_dir / APP_LOG
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    ivr_logger = logging.getLogger("ivr")
    level = ivr_logger.level
    ivr_logger.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield path
    finally:
        logging.getLogger().removeHandler(handler)
        ivr_logger.setLevel(level)
        handler.close()


@pytest.fixture
def records_url(stress_dir: Path, request: pytest.FixtureRequest) -> str:
    """A SQLite file of call records for one test, kept to be searched once the suite has run."""
    name = "".join(c if c.isalnum() else "-" for c in request.node.name)[:80]
    return f"sqlite:///{stress_dir / f'{name}.sqlite3'}"


@pytest.fixture
def stress_app(make_app: Callable[..., Flask], records_url: str) -> Flask:
    """The Botox line, open hours, with its call records where the search after the suite looks."""
    return make_app(DATABASE_URL=records_url)
