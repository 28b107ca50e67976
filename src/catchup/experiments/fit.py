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
# A median over n runs moves between sets of seeds by about its standard error, 1.2533 sigma /
# sqrt(n), with sigma = IQR / 1.349 for a normal spread: 0.93 IQR / sqrt(n). The search keeps
# each median this far inside its range, so that a fit still holds on fresh seeds.
MEDIAN_SE_FACTOR = 0.93
# What one standard deviation away from a documented prior costs, in range widths: enough to
# hold a parameter the facts leave flat, far too little to buy a missed target.
PRIOR_WEIGHT = 0.05


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


def median_margin(values: np.ndarray) -> float:
    """About one standard error of the median of these run values (MEDIAN_SE_FACTOR)."""
    q25, q75 = np.quantile(values, [0.25, 0.75])
    return float(MEDIAN_SE_FACTOR * (q75 - q25) / np.sqrt(len(values)))


def robust_distance(value: float, low: float, high: float, width: float, margin: float) -> float:
    """Distance from `value` to [low + margin, high - margin] in range widths (to the middle when
    the margins meet): a median that close to an edge is as likely as not outside on fresh seeds."""
    if low + margin > high - margin:
        return abs(value - 0.5 * (low + high)) / width
    return range_distance(value, low + margin, high - margin, width)


def fit_table(target_list: Sequence[Target], values: np.ndarray, end_year: float) -> pd.DataFrame:
    """Each target with the simulated median and 10-90% interval over runs, inside or not.

    `values` is runs x targets (from `measure_run`). The distance of a missed target is in
    units of its range's width; an event that happens in fewer than half the runs is as far
    as an event one year after the end of the span. `robust_distance` is the distance from
    the range narrowed by one standard error of the median at each edge (what the search
    minimises); `distance` is the plain one (what `inside` reports).
    """
    values = np.asarray(values, dtype=float).reshape(-1, len(target_list))
    rows = []
    for j, t in enumerate(target_list):
        col = values[:, j]
        finite = col[np.isfinite(col)]
        if t.is_event:
            median = float(np.median(col))  # inf (never) sorts last: "never" when most runs never
        else:  # a share undefined in a run (nobody buys in the standard's generation any more)
            median = float(np.median(finite)) if len(finite) > len(col) / 2 else float("nan")
        # an event that never happens counts as happening a year after the span ends
        at = min(median, end_year + 1.0) if t.is_event else median
        distance = range_distance(at, t.low, t.high, t.width) if np.isfinite(at) else 1.0 / t.width
        basis = np.minimum(col, end_year + 1.0) if t.is_event else finite
        margin = median_margin(basis) if len(basis) and np.isfinite(basis).all() else 0.0
        robust = robust_distance(at, t.low, t.high, t.width, margin) if np.isfinite(at) else 1.0 / t.width
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
                "use": t.use,
                "inside": bool(t.low <= median <= t.high),
                "distance": distance,
                "robust_distance": robust,
                "median_margin": margin,
                "centring": centring,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def objective(
    fit: pd.DataFrame,
    values: Mapping[str, float] | None = None,
    prior: Mapping[str, tuple[float, float]] | None = None,
) -> float:
    """Sum of robust range distances (0 when every median is inside its range by one standard
    error of the median), the centring term, and the cost of leaving each documented prior."""
    misses = fit["robust_distance"].sum() + CENTRING_WEIGHT * fit["centring"].sum()
    return float(misses + prior_cost(values or {}, prior or {}))


def prior_cost(values: Mapping[str, float], prior: Mapping[str, tuple[float, float]]) -> float:
    """PRIOR_WEIGHT x the squared distance, in standard deviations, of each value from its prior."""
    return PRIOR_WEIGHT * sum(
        ((float(values[k]) - m) / sd) ** 2 for k, (m, sd) in prior.items() if k in values
    )


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
    case: Case,
    values: dict[str, Any],
    seeds: Sequence[int],
    *,
    executor: Executor | None = None,
    target_list: Sequence[Target] | None = None,
) -> pd.DataFrame:
    """The fit table of the case at these free-parameter values over these seeds: its
    calibration targets unless other targets are given (validation reports all of them)."""
    scenario = case.with_values(values)
    chosen = case.targets if target_list is None else tuple(target_list)
    return fit_table(chosen, measure(scenario, chosen, seeds, executor=executor), scenario.end_year)
