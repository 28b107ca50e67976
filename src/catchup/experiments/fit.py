"""How far a scenario's runs are from a case's dated facts: pure functions, and the measurement
kernel that calibration and validation run on an executor.

A target's value in one run is read off the trajectory (a share at a dated year) or the
run's outcomes (the year of an event); the fit table compares the median over runs with the
target's range (docs/ODD.md, section 9.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from catchup.config.case import Case
from catchup.config.history import Target
from catchup.config.scenario import Scenario
from catchup.experiments.executors import Executor, borrowed
from catchup.model.simulate import simulate

# The centring term: a small pull towards the middle of each range, so that among settings
# that fit, the search prefers those that still fit on fresh seeds. It is at most this
# weight per target, far below the cost of any miss that matters.
CENTRING_WEIGHT = 0.01


def value_at(years: np.ndarray, values: np.ndarray, year: float) -> float:
    """The recorded value of the step whose period contains `year` (NaN before the first step)."""
    i = int(np.searchsorted(np.asarray(years), year + 1e-9, side="right")) - 1
    return float(values[i]) if i >= 0 else float("nan")


def measure_run(
    target_list: Sequence[Target], trajectory: Mapping[str, np.ndarray], row: Mapping[str, object]
) -> list[float]:
    """One run's value for every target (an event that never happened is +inf)."""
    out = []
    for t in target_list:
        if t.is_event:
            v = float(row[t.measure])  # type: ignore[arg-type]
            out.append(np.inf if np.isnan(v) else v)
        else:
            out.append(value_at(trajectory["year"], trajectory[t.measure], t.year))
    return out


def range_distance(value: float, low: float, high: float, width: float) -> float:
    """Distance from `value` to [low, high] in range widths; 0 inside."""
    return max(low - value, value - high, 0.0) / width


def fit_table(target_list: Sequence[Target], values: np.ndarray, end_year: float) -> pd.DataFrame:
    """Each target with the simulated median and 10-90% interval over runs, inside or not.

    `values` is runs x targets (from `measure_run`). The distance of a missed target is in
    units of its range's width; an event that happens in fewer than half the runs is as far
    as an event one year after the end of the span.
    """
    values = np.asarray(values, dtype=float).reshape(-1, len(target_list))
    rows = []
    for j, t in enumerate(target_list):
        col = values[:, j]
        median = float(np.median(col))
        finite = col[np.isfinite(col)]
        # an event that never happens counts as happening a year after the span ends
        at = min(median, end_year + 1.0) if t.is_event else median
        distance = range_distance(at, t.low, t.high, t.width) if np.isfinite(at) else 1.0 / t.width
        centring = min(abs(at - 0.5 * (t.low + t.high)) / t.width, 1.0)
        rows.append(
            {
                "target": t.name,
                "year": t.year,
                "low": t.low,
                "high": t.high,
                "history": t.value,
                "median": median if np.isfinite(median) else float("nan"),
                "q10": float(np.quantile(col, 0.1)) if len(finite) == len(col) else float("nan"),
                "q90": float(np.quantile(col, 0.9)) if len(finite) == len(col) else float("nan"),
                "share_of_runs_with_event": float(len(finite) / len(col)) if t.is_event else float("nan"),
                "inside": bool(t.low <= median <= t.high),
                "distance": distance,
                "centring": centring,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def objective(fit: pd.DataFrame) -> float:
    """Sum of range distances (0 when every median is inside its range) plus the centring term."""
    return float(fit["distance"].sum() + CENTRING_WEIGHT * fit["centring"].sum())


def measure_tables(
    target_list: Sequence[Target], runs: pd.DataFrame, trajectories: pd.DataFrame
) -> np.ndarray:
    """Runs x targets values from written result tables (same rules as `measure_run`)."""
    rows = []
    by_run = dict(tuple(trajectories.groupby("run_id", sort=True)))
    for row in runs.sort_values("run_id").to_dict("records"):
        traj = by_run.get(row["run_id"])  # event targets need no trajectory
        arrays = {} if traj is None else {c: traj[c].to_numpy() for c in traj.columns}
        rows.append(measure_run(target_list, arrays, row))
    return np.asarray(rows, dtype=float).reshape(len(rows), len(target_list))


def measure_task(task: tuple[Scenario, Sequence[Target], int, int]) -> list[float]:
    """One run's value of every target, as a task for an executor: (scenario, targets, run id, seed)."""
    scenario, target_list, run_id, seed = task
    out = simulate(scenario, run_id, seed)
    return measure_run(target_list, out.trajectory, out.row)


def measure(
    scenario: Scenario,
    target_list: Sequence[Target],
    seeds: Sequence[int],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
) -> np.ndarray:
    """Runs x targets values, in seed order whatever the executor does."""
    tasks = [(scenario, tuple(target_list), i, seed) for i, seed in enumerate(seeds)]
    with borrowed(executor, jobs) as ex:
        rows = ex.map(measure_task, tasks)
    return np.asarray(rows, dtype=float).reshape(len(seeds), len(target_list))


def evaluate(
    case: Case, values: dict[str, Any], seeds: Sequence[int], *, executor: Executor | None = None
) -> pd.DataFrame:
    """The fit table of the case at these free-parameter values over these seeds."""
    scenario = case.with_values(values)
    return fit_table(
        case.targets, measure(scenario, case.targets, seeds, executor=executor), scenario.end_year
    )
