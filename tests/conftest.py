"""Shared helpers: small scenarios built in code, one executor for the whole session, and every
test working in its own temporary folder (so the suite never writes into the repository)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import catchup
from catchup.config.scenario import parse_scenario
from catchup.experiments.executors import Executor
from catchup.results.manifest import Manifest

ROOT = Path(__file__).parents[1]
SHORT = ROOT / "tests" / "data" / "short.toml"
CASES = ROOT / "scenarios" / "cases"


@pytest.fixture(autouse=True)
def _work_in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths (results/, calibration databases) land in the test's own folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def ex() -> Iterator[Executor]:
    """One pool of two workers, shared by every test that runs in parallel."""
    with catchup.executor(jobs=2) as pool:
        yield pool


def make_scenario(
    parameters: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    *,
    seeds: int = 4,
    start_year: float = 1990,
    end_year: float = 2030,
    base_seed: int = 7,
    name: str = "test",
) -> catchup.Scenario:
    """A validated scenario from plain data, as if read from a TOML file."""
    return parse_scenario(
        {
            "name": name,
            "start_year": start_year,
            "end_year": end_year,
            "seeds": seeds,
            "base_seed": base_seed,
            "parameters": parameters or {},
            "events": events or [],
        }
    )


def censored_years(runs, column: str, end_year: float) -> np.ndarray:
    """Years with 'never' counted as one year after the end, so means compare fairly."""
    return runs[column].fillna(end_year + 1).to_numpy()


@pytest.fixture(scope="session")
def baseline_small(ex: Executor) -> catchup.RunResult:
    """Four baseline runs, shared by tests that only read tables."""
    return catchup.run(catchup.load_scenario("baseline"), seeds=4, executor=ex)


HISTORY_HEADER = "year,metric,value,low,high,source,note\n"


def write_history(folder: Path, rows: str) -> Path:
    """A history file with these rows (CSV lines after the header)."""
    path = folder / "h.csv"
    path.write_text(HISTORY_HEADER + rows)
    return path


TOY_CASE = """
name = "toy"
start_year = 1990
end_year = 1996
[parameters]
technology_maturity = 0.3
niche_market_size = 0.05
[calibration]
history = "toy.csv"
seeds = 16
base_seed = 5
trials = {trials}
[calibration.free]
niche_market_size = [0.0, 0.6]
# one target can identify no free parameter alone: a documented prior holds this one
[calibration.prior]
niche_market_size = [0.1, 0.3]
"""


def write_toy_case(folder: Path, low: float = 0.3, high: float = 0.5, trials: int = 4) -> Path:
    """A six-year case with one free parameter and one dated share in [low, high] (1995)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "toy.csv").write_text(
        "year,metric,value,low,high,source,note\n"
        f"1995,home_share_home_market,{(low + high) / 2},{low},{high},test,n\n"
    )
    path = folder / "toy.toml"
    path.write_text(TOY_CASE.format(trials=trials))
    return path


def hand_made_sweep_manifest(
    n_runs: int, chunk_size: int, tables: dict[str, str], design: dict[str, Any] | None = None
) -> Manifest:
    """The manifest of a sweep folder a test writes by hand (one run per point, status running)."""
    return Manifest(
        kind="sweep",
        name="s",
        scenario=catchup.load_scenario(SHORT).to_dict(),
        experiment={
            "design": design or {"type": "grid"},
            "n_points": n_runs,
            "replications": 1,
            "n_runs": n_runs,
            "chunk_size": chunk_size,
            "trajectories": [],
        },
        n_runs=n_runs,
        design_hash="hand-made",
        status="running",
        started="now",
        versions={},
        tables=tables,  # type: ignore[arg-type]
        details={"n_chunks": -(-n_runs // chunk_size)},
    )
