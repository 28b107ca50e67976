"""Running a scenario's seeds on an executor, and the result tables of a run.

Every run's seed is derived from the scenario's base seed and the run's index through
`numpy.random.SeedSequence`, so results never depend on worker count or order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

import catchup.model as model
from catchup.config.scenario import Scenario
from catchup.experiments.executors import Executor, borrowed
from catchup.model.outcomes import TRAJECTORY_COLUMNS
from catchup.model.windows import WINDOW_TYPES
from catchup.results.folder import InMemoryResults
from catchup.results.manifest import Manifest, now, runs_manifest

if TYPE_CHECKING:
    from catchup.model.outcomes import RunOutput

WINDOW_COLUMNS = ("run_id", "seed", "type", "open_year", "close_year", "rose", "still_open")
RUN_TABLES = {"runs": "parquet", "trajectories": "parquet", "windows": "parquet"}


def run_seed(base_seed: int, run_id: int) -> int:
    """The seed of run `run_id`: a child of the base seed's SeedSequence, as a 63-bit integer."""
    state = np.random.SeedSequence(base_seed, spawn_key=(run_id,)).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def simulate_task(task: tuple[Scenario, int, int]) -> RunOutput:
    """One run as a task for an executor: (scenario, run id, seed).

    The model (and Mesa) is loaded where the task runs: a parent that only hands runs to
    workers never imports it, and does not delay them.
    """
    return model.simulate(*task)


def trajectory_table(outputs: Sequence[RunOutput]) -> pd.DataFrame:
    """Per-step rows of every run, in run order (columns joined once, not frame by frame)."""
    lengths = [len(o.trajectory["step"]) for o in outputs]
    cols: dict[str, Any] = {
        "run_id": np.repeat([int(o.row["run_id"]) for o in outputs], lengths).astype(np.int64),
        "seed": np.repeat([int(o.row["seed"]) for o in outputs], lengths).astype(np.int64),
    }
    for name in TRAJECTORY_COLUMNS:
        cols[name] = np.concatenate([o.trajectory[name] for o in outputs])
    for kind in WINDOW_TYPES:
        cols[f"window_{kind}"] = np.concatenate([o.trajectory[f"window_{kind}"] for o in outputs]).astype(
            bool
        )
    table = pd.DataFrame(cols)
    for name in ("step", "generation", "home_firms_alive"):
        table[name] = table[name].astype(np.int64)
    table["mission_active"] = table["mission_active"].astype(bool)
    return table


def window_table(outputs: Sequence[RunOutput]) -> pd.DataFrame:
    rows = [w for out in outputs for w in out.windows]
    table = pd.DataFrame(rows, columns=list(WINDOW_COLUMNS))
    return table.astype(
        {
            "run_id": np.int64,
            "seed": np.int64,
            "type": str,
            "open_year": float,
            "close_year": float,
            "rose": bool,
            "still_open": bool,
        }
    )


@dataclass
class RunResult(InMemoryResults):
    """The tables of a scenario's runs, sorted by run id, plus when and how they were made.

    It offers the same reading interface as a result folder (`table`, `manifest`), so every
    figure and analysis takes it as it is.
    """

    scenario: Scenario
    runs: pd.DataFrame
    trajectories: pd.DataFrame
    windows: pd.DataFrame
    seeds: list[int]
    started: str
    finished: str
    workers: int
    kind: str = "run"
    details: dict[str, Any] = field(default_factory=dict)
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def manifest(self) -> Manifest:
        return runs_manifest(
            self.kind,  # type: ignore[arg-type]
            self.scenario.to_dict(),
            self.seeds,
            n_runs=len(self.seeds),
            workers=self.workers,
            started=self.started,
            finished=self.finished,
            tables={**RUN_TABLES, **dict.fromkeys(self.extra_tables, "csv")},  # type: ignore[dict-item]
            details=self.details,
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "runs": self.runs,
            "trajectories": self.trajectories,
            "windows": self.windows,
            **self.extra_tables,
        }


def run(
    scenario: Scenario,
    seeds: int | None = None,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run `seeds` replications (default: the scenario's) and return the tables.

    Give `executor` to reuse workers across calls; otherwise `jobs` workers are started for
    this call. `on_progress(done, total)` is called after each run, for progress bars.
    """
    n = scenario.seeds if seeds is None else seeds
    if n < 1:
        raise ValueError("seeds must be at least 1")
    run_seeds = [run_seed(scenario.base_seed, i) for i in range(n)]
    started = now()
    outputs: list[RunOutput] = []
    with borrowed(executor, jobs) as ex:
        tasks = ((scenario, run_id, seed) for run_id, seed in enumerate(run_seeds))
        for out in ex.imap_unordered(simulate_task, tasks):
            outputs.append(out)
            if on_progress:
                on_progress(len(outputs), n)
        workers = ex.workers
    outputs.sort(key=lambda o: o.row["run_id"])
    return RunResult(
        scenario=scenario,
        runs=pd.DataFrame([o.row for o in outputs]),
        trajectories=trajectory_table(outputs),
        windows=window_table(outputs),
        seeds=run_seeds,
        started=started,
        finished=now(),
        workers=workers,
    )


def with_seeds(scenario: Scenario, seeds: int | None = None, base_seed: int | None = None) -> Scenario:
    """The scenario with another number of seeds and/or another base seed."""
    return replace(
        scenario,
        seeds=scenario.seeds if seeds is None else seeds,
        base_seed=scenario.base_seed if base_seed is None else base_seed,
    )
