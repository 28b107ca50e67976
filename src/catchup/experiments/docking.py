"""Docking runs: the reference configuration and each counterfactual on the same seeds.

Every run keeps only the per-step columns the docking file's checks and figure read, so 200
seeds of several variants stay small; seeds come from the docking file's base seed and the
run's index (`run_seed`), the same for every variant, so counterfactual changes are paired.
The tables are built from them in `catchup.analysis.docking`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

import catchup.model as model
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.runs import run_seed
from catchup.model.cohorts import INCUMBENTS, LATECOMERS

if TYPE_CHECKING:
    from catchup.config.docking import Docking
    from catchup.config.scenario import Scenario

Columns = tuple[str, ...]


def dock_task(task: tuple[int, Scenario, int, int, Columns]) -> tuple[int, dict[str, np.ndarray]]:
    """One run, reduced to the columns asked for (a task for an executor), with its index.
    A run whose numbers left the valid range keeps NaN columns: left out, never read as 0."""
    index, scenario, run_id, seed, columns = task
    out = model.simulate(scenario, run_id, seed, record_cohorts=True)
    if not out.row.get("valid", True):
        return index, {c: np.full(len(out.trajectory["step"]), np.nan) for c in columns}
    return index, {c: np.asarray(out.trajectory[c], dtype=float) for c in columns}


def figure_columns(docking: Docking) -> Columns:
    """What the docking figure draws: every named or declared cohort's world share and, per
    buyer class, each such cohort's share of it and its concentration."""
    names = [c.name for c in docking.baseline.cohorts]
    names = [*(n for n in docking.labels if n not in names), *names] or [INCUMBENTS, LATECOMERS]
    columns = [f"share_{n}" for n in names]
    for b in docking.baseline.buyers:
        columns += [f"{b.name}_share_{n}" for n in names] + [f"{b.name}_hhi"]
    return tuple(columns)


def needed_columns(docking: Docking, variant: str = "baseline") -> Columns:
    """What a variant's runs must keep: the baseline everything its statements, the
    counterfactuals' checks and the figure read; a counterfactual its own checks."""
    if variant == "baseline":
        checks = [*docking.statements, *(c for cf in docking.counterfactuals.values() for c in cf.checks)]
        wanted = [*figure_columns(docking), *(col for check in checks for _, col in check.columns())]
    else:
        wanted = [col for check in docking.counterfactuals[variant].checks for _, col in check.columns()]
    return tuple(dict.fromkeys(wanted))


@dataclass
class DockingRuns:
    """Every run of a docking, reduced to the columns it reads: the baseline's and each
    counterfactual's, on the same seeds (run i of every variant has the same seed)."""

    baseline: list[dict[str, np.ndarray]]
    variants: dict[str, list[dict[str, np.ndarray]]]
    seeds: int
    seconds: float
    figure_columns: Columns


def dock(
    docking: Docking,
    seeds: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DockingRuns:
    """Run the baseline and every counterfactual on `seeds` seeds."""
    n = seeds if seeds is not None else docking.seeds
    variants: dict[str, Scenario] = {"baseline": docking.baseline, **docking.variants}
    tasks = [
        (
            k * n + run_id,
            replace(scenario, seeds=n),
            run_id,
            run_seed(docking.base_seed, run_id),
            needed_columns(docking, key),
        )
        for k, (key, scenario) in enumerate(variants.items())
        for run_id in range(n)
    ]
    started = time.perf_counter()
    outputs: list[dict[str, np.ndarray]] = [{} for _ in tasks]
    with borrowed(executor, jobs) as ex:
        for done, (index, result) in enumerate(ex.imap_unordered(dock_task, tasks), start=1):
            outputs[index] = result
            if progress is not None:
                progress(done, len(tasks))
    runs = {key: outputs[k * n : (k + 1) * n] for k, key in enumerate(variants)}
    baseline = runs.pop("baseline")
    return DockingRuns(baseline, runs, n, time.perf_counter() - started, figure_columns(docking))
