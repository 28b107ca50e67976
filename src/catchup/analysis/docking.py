"""Docking tables: each reference statement against catchup's value, each counterfactual's
paired change, with bootstrap intervals and a verdict. Pure functions of per-run
trajectories (a mapping of column -> per-step array per run)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from catchup.analysis.statistics import bootstrap_interval, paired_interval

if TYPE_CHECKING:
    from catchup.config.docking import CheckSpec, Docking
    from catchup.experiments.docking import DockingRuns

Trajectory = Mapping[str, np.ndarray]


def window(values: np.ndarray, start: int, end: int, steps_per_period: int) -> np.ndarray:
    """The steps of reference periods `start`..`end` (1-based, inclusive)."""
    return np.asarray(values, dtype=float)[(start - 1) * steps_per_period : end * steps_per_period]


def measure(trajectory: Trajectory, check: CheckSpec, steps_per_period: int) -> float:
    """One run's value of a check (see `CheckSpec`); NaN for `first` when never reached, and
    for any check of a run whose numbers left the valid range (its columns are NaN): such a
    run is left out, never read as 0."""
    if any(
        np.isnan(window(trajectory[c], check.start, check.end, steps_per_period)).any()
        for _, c in check.columns()
    ):
        return float("nan")

    def mean_of(column: str) -> float:
        return float(np.mean(window(trajectory[column], check.start, check.end, steps_per_period)))

    if check.measure == "mean":
        return mean_of(check.column)
    if check.measure == "largest":
        own = mean_of(check.column)
        return float(all(own > mean_of(c) for c in check.among or [] if c != check.column))
    if check.measure == "lead":
        means = sorted((mean_of(c) for c in check.among or []), reverse=True)
        return means[0] - means[1] if len(means) > 1 else float("nan")
    if check.measure == "below":
        assert check.than is not None
        return float(mean_of(check.column) < mean_of(check.than))
    assert check.at_least is not None
    values = window(trajectory[check.column], check.start, check.end, steps_per_period)
    hits = np.flatnonzero(values >= check.at_least)
    if check.measure == "reaches":
        return float(len(hits) > 0)
    return float(check.start + hits[0] // steps_per_period) if len(hits) else float("nan")


def describe(check: CheckSpec, label: Any = str) -> str:
    """What a check measures, in words (cohort names as the reference calls them)."""
    span = f"t = {check.start}-{check.end}" if check.end > check.start else f"t = {check.start}"
    column = label(check.column)
    if check.measure == "mean":
        return f"mean {column}, {span}"
    if check.measure == "largest":
        return f"P({column} largest of {', '.join(label(c) for c in check.among or [])}), {span}"
    if check.measure == "lead":
        return f"largest minus second of {', '.join(label(c) for c in check.among or [])}, {span}"
    if check.measure == "below":
        return f"P({column} < {label(check.than)}), {span}"
    if check.measure == "reaches":
        return f"P({column} >= {check.at_least:g}), {span}"
    return f"first t with {column} >= {check.at_least:g}, {span}"


def matches(value: float, reference: float, relation: str, tolerance: float) -> bool:
    """Whether catchup's value matches a statement: within the tolerance of its value, or
    beyond the bound it states."""
    if relation == "above":
        return value > reference
    if relation == "below":
        return value < reference
    return abs(value - reference) <= tolerance


def reference_cell(relation: str, reference: float, tolerance: float) -> str:
    """A statement's reference as a table shows it: "0.6 ± 0.1", "> 0.73" or "< 0.2"."""
    if relation == "about":
        return f"{reference:g} ± {tolerance:g}"
    return f"{'>' if relation == 'above' else '<'} {reference:g}"


def statement_table(docking: Docking, runs: Sequence[Trajectory]) -> pd.DataFrame:
    """One row per reference statement: reference value, catchup's mean with a 95% interval
    over runs, and whether it matches within the statement's stated tolerance."""
    rows = []
    for i, st in enumerate(docking.statements):
        values = np.array([measure(run, st, docking.steps_per_period) for run in runs])
        valid = values[~np.isnan(values)]
        value = float(valid.mean()) if len(valid) else float("nan")
        low, high = bootstrap_interval(valid, np.mean, seed=i)
        rows.append(
            {
                "statement": st.text,
                "measure": describe(st, docking.column_label),
                "reference": st.reference,
                "relation": st.relation,
                "tolerance": st.tolerance,
                "catchup": value,
                "low": low,
                "high": high,
                "runs": len(valid),
                "holds": bool(len(valid)) and matches(value, st.reference, st.relation, st.tolerance),
            }
        )
    return pd.DataFrame(rows)


def counterfactual_table(
    docking: Docking, baseline: Sequence[Trajectory], variants: Mapping[str, Sequence[Trajectory]]
) -> pd.DataFrame:
    """One row per counterfactual check: the baseline's and the variant's means and their
    paired difference (same seeds) with a 95% interval; it moves as the reference reports
    when the interval excludes no change on the reported side."""
    rows = []
    for key, cf in docking.counterfactuals.items():
        for j, check in enumerate(cf.checks):
            base = np.array([measure(run, check, docking.steps_per_period) for run in baseline])
            alt = np.array([measure(run, check, docking.steps_per_period) for run in variants[key]])
            both = ~(np.isnan(base) | np.isnan(alt))
            change, low, high = paired_interval(alt[both], base[both], seed=j)
            moves = low > 0 if check.direction == "up" else high < 0
            rows.append(
                {
                    "counterfactual": key,
                    "reference": cf.text,
                    "measure": describe(check, docking.column_label),
                    "direction": check.direction,
                    "baseline": float(base[both].mean()) if both.any() else float("nan"),
                    "variant": float(alt[both].mean()) if both.any() else float("nan"),
                    "change": change,
                    "low": low,
                    "high": high,
                    "runs": int(both.sum()),
                    "holds": bool(both.sum() >= 2) and bool(moves),
                }
            )
    return pd.DataFrame(rows)


def mean_paths(runs: Sequence[Trajectory], columns: Sequence[str]) -> pd.DataFrame:
    """Per-step mean and 10-90% band of each column over the valid runs (for the docking
    figure; a run whose numbers left the valid range is left out)."""
    steps = len(next(iter(runs[0].values()))) if runs and runs[0] else 0
    out: dict[str, Any] = {"step": np.arange(1, steps + 1)}
    valid = [run for run in runs if not is_invalid(run)]
    for column in columns:
        if not valid:
            out[column] = out[f"{column}_q10"] = out[f"{column}_q90"] = np.full(steps, np.nan)
            continue
        stacked = np.vstack([np.asarray(run[column], dtype=float) for run in valid])
        out[column] = stacked.mean(axis=0)
        out[f"{column}_q10"] = np.quantile(stacked, 0.1, axis=0)
        out[f"{column}_q90"] = np.quantile(stacked, 0.9, axis=0)
    return pd.DataFrame(out)


@dataclass
class DockingResult:
    """The docking tables and the baseline's mean paths per step."""

    statements: pd.DataFrame
    counterfactuals: pd.DataFrame
    paths: pd.DataFrame
    seeds: int
    seconds: float
    invalid_runs: int = 0  # runs (of every variant) whose numbers left the valid range


def is_invalid(run: Trajectory) -> bool:
    """Whether a run's numbers left the valid range (`dock_task` gives it NaN columns)."""
    return bool(run) and all(np.isnan(v).all() for v in run.values())


def invalid(runs: Sequence[Trajectory]) -> int:
    """How many runs left the valid range."""
    return sum(is_invalid(run) for run in runs)


def docking_tables(docking: Docking, runs: DockingRuns) -> DockingResult:
    """Both tables and the figure's paths from a docking's runs."""
    return DockingResult(
        statements=statement_table(docking, runs.baseline),
        counterfactuals=counterfactual_table(docking, runs.baseline, runs.variants),
        paths=mean_paths(runs.baseline, runs.figure_columns),
        seeds=runs.seeds,
        seconds=runs.seconds,
        invalid_runs=invalid(runs.baseline) + sum(invalid(v) for v in runs.variants.values()),
    )
