"""Dated historical facts as calibration targets, and how far a scenario's runs are from them.

A case's history file (CSV: year, metric, value, low, high, source, note) holds two kinds
of rows. *Targets* are what the model must reproduce: home market shares at dated years
and dated outcomes (the mission reaching its target, the first home product). *Inputs*
are dated decisions the scenario file sets as events (programme start, embargo,
mobilisation, policy, new generation); they are checked, not fitted.

Everything here is a pure function of tables, so the objective is easy to test and to
document (docs/ODD.md, "Calibration").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from catchup.scenario import ScenarioError

COLUMNS = ("year", "metric", "value", "low", "high", "source", "note")
SHARE_METRICS = ("home_share_home_market", "home_share_world_market")
# Event rows the model must reproduce, and the run outcome that measures each.
OUTCOME_EVENTS = {"mission_target": "mission_year", "first_home_product": "first_product_year"}
# Event rows the scenario sets as dated events (inputs, not fitted).
INPUT_EVENTS = ("program_start", "embargo", "mobilisation", "policy", "new_generation")
# The centring term: a small pull towards the middle of each range, so that among settings
# that fit, the search prefers those that still fit on fresh seeds. It is at most this
# weight per target, far below the cost of any miss that matters.
CENTRING_WEIGHT = 0.01
# A range narrower than this (in the target's unit) is widened to it when normalising.
MIN_WIDTH = 0.01


@dataclass(frozen=True)
class Target:
    """One dated fact the model must reproduce: `measure` within [low, high]."""

    name: str  # e.g. "home_share_home_market@2013" or "mission_year"
    measure: str  # trajectory column (shares) or run outcome (events)
    year: float  # the dated year (shares: where the trajectory is read)
    low: float
    high: float
    value: float
    source: str
    is_event: bool

    @property
    def width(self) -> float:
        return max(self.high - self.low, MIN_WIDTH)


def load_history(path: str | Path) -> pd.DataFrame:
    """Read and check a history CSV; problems name the file, the row and what is allowed."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"metric": str, "value": str, "source": str, "note": str})
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such history file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not a readable CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)} (needed: {', '.join(COLUMNS)})")
    problems = []
    allowed_events = (*OUTCOME_EVENTS, *INPUT_EVENTS)
    for i, row in table.iterrows():
        where = f"{path}: row {int(i) + 2}"  # header is line 1
        try:
            low, high, year = float(row["low"]), float(row["high"]), float(row["year"])
        except (TypeError, ValueError):
            problems.append(f"{where}: year, low and high must be numbers")
            continue
        if not low <= high:
            problems.append(f"{where}: low = {low:g} must not exceed high = {high:g}")
        if row["metric"] in SHARE_METRICS:
            try:
                share = float(row["value"])
            except ValueError:
                problems.append(f"{where}: value = {row['value']!r}: a share needs a number in [0, 1]")
                continue
            if not (0 <= low <= high <= 1 and 0 <= share <= 1):
                problems.append(f"{where}: shares and their range must lie in [0, 1]")
        elif row["metric"] == "event":
            if row["value"] not in allowed_events:
                problems.append(
                    f"{where}: value = {row['value']!r}: unknown event (allowed: {', '.join(allowed_events)})"
                )
            elif not low <= year <= high and row["value"] in OUTCOME_EVENTS:
                problems.append(f"{where}: year = {year:g} lies outside its own range [{low:g}, {high:g}]")
        else:
            problems.append(
                f"{where}: metric = {row['metric']!r}: unknown metric "
                f"(allowed: {', '.join((*SHARE_METRICS, 'event'))})"
            )
    if problems:
        raise ScenarioError("\n".join(problems))
    return table


def targets(history: pd.DataFrame) -> list[Target]:
    """The rows the model must reproduce, in year order."""
    out = []
    for row in history.itertuples(index=False):
        year = float(row.year)
        if row.metric in SHARE_METRICS:  # a share read at a dated year
            name, measure, value, is_event = f"{row.metric}@{year:g}", row.metric, float(row.value), False
        elif row.metric == "event" and row.value in OUTCOME_EVENTS:  # the year is the value
            name = measure = OUTCOME_EVENTS[row.value]
            value, is_event = year, True
        else:
            continue  # an input event, set by the scenario
        out.append(
            Target(name, measure, year, float(row.low), float(row.high), value, str(row.source), is_event)
        )
    return sorted(out, key=lambda t: t.year)


def input_events(history: pd.DataFrame) -> pd.DataFrame:
    """The dated decisions a case's scenario must set as events (with their ranges)."""
    rows = history[(history["metric"] == "event") & history["value"].isin(INPUT_EVENTS)]
    return rows.reset_index(drop=True)


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
