"""Counterfactual histories: every level of a sweep's factor against a reference level, on
every outcome and, for a calibrated case, on every dated fact it can be measured on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.analysis.statistics import mean, median, stat_interval
from catchup.analysis.validity import valid_runs
from catchup.config.history import Target, load_history, targets
from catchup.errors import AnalysisError
from catchup.experiments.fit import measure_tables
from catchup.results.folder import Results, open_results


def counterfactual_outcomes(
    runs: pd.DataFrame, end_year: float, targets: Sequence[Target] = ()
) -> pd.DataFrame:
    """Per-run outcomes compared across counterfactuals, one column each (name, statistic).

    Years of events that never happen are censored at end_year + 1, so a counterfactual
    that prevents an event shows up as a later year, not as a missing value.
    """
    table = pd.DataFrame(
        {
            "catch_up_probability": runs["catch_up_year"].notna().astype(float),
            "catch_up_year": runs["catch_up_year"].fillna(end_year + 1),
            "leadership_probability": runs["leadership_year"].notna().astype(float),
            "final_home_share_home_market": runs["final_home_share_home_market"],
        }
    )
    for t in targets:
        column = runs[t.name]
        table[t.name] = column.replace(np.inf, np.nan).fillna(end_year + 1) if t.is_event else column
    return table


def counterfactual_table(
    runs: pd.DataFrame, factor: str, reference: str, end_year: float, targets: Sequence[Target] = ()
) -> pd.DataFrame:
    """Every level of `factor` against the `reference` level: value and change, 95% intervals.

    Probabilities compare means; years and shares compare medians. Intervals are percentile
    bootstrap intervals (scipy), of the value and of the difference from the reference.
    """
    levels = list(dict.fromkeys(runs[factor]))
    if reference not in levels:
        raise AnalysisError(
            f"--reference {reference!r}: not a level of {factor} (allowed: {', '.join(levels)})"
        )
    outcomes = counterfactual_outcomes(runs, end_year, targets)
    ref = outcomes[runs[factor].to_numpy() == reference]
    rows = []
    for level in levels:
        part = outcomes[runs[factor].to_numpy() == level]
        for name in outcomes.columns:
            statistic = mean if name.endswith("probability") else median
            values, base = part[name].to_numpy(float), ref[name].to_numpy(float)
            low, high = stat_interval(values, statistic)
            row = {
                factor: level,
                "outcome": name,
                "value": float(statistic(values)),
                "value_low": low,
                "value_high": high,
                "change": float(statistic(values) - statistic(base)),
            }
            if level == reference:
                row["change_low"] = row["change_high"] = 0.0
            else:
                row["change_low"], row["change_high"] = stat_interval(values, statistic, base)
            rows.append(row)
    return pd.DataFrame(rows)


def case_targets(scenario: dict[str, Any]) -> list[Target]:
    """The history targets of a resolved scenario that is a calibrated case (else none)."""
    calibration = scenario.get("calibration")
    if not calibration or not Path(calibration["history"]).exists():
        return []
    return targets(load_history(calibration["history"]))


def counterfactual_factors(results: Results) -> list[str]:
    """The factors of a sweep's design (the levels a counterfactual table compares)."""
    experiment = results.manifest.experiment or {}
    return list(experiment.get("design", {}).get("factors", {}))


def counterfactuals(source: str | Path | Results, reference: str, factor: str | None = None) -> pd.DataFrame:
    """The counterfactual table of a sweep whose design has a factor of counterfactuals.

    When the base scenario is a calibrated case and the sweep kept the trajectory columns its
    targets read, each dated fact is an outcome too (e.g. the home share in 2013).
    """
    results = open_results(source)
    factors = counterfactual_factors(results)
    if not factors:
        raise AnalysisError(f"{results.location}: --reference needs a sweep whose design has [factors]")
    if factor is None:
        levels = (results.manifest.experiment or {})["design"]["factors"]
        owners = [f for f in factors if reference in levels[f]]
        if len(owners) != 1:
            known = "; ".join(f"{f}: {', '.join(levels[f])}" for f in factors)
            why = "is a level of several factors" if owners else "is not a level of any factor"
            raise AnalysisError(f"--reference {reference!r}: {why} (allowed: {known})")
        factor = owners[0]
    manifest = results.manifest
    kept = set((manifest.experiment or {}).get("trajectories", []))
    measured = [t for t in case_targets(manifest.scenario) if t.is_event or t.measure in kept]
    runs = valid_runs(results.table("runs"), str(results.location)).merge(
        results.table("points"), on="point_id", how="left", suffixes=("", "_point")
    )
    if measured:
        trajectories = results.table("trajectories") if kept else pd.DataFrame({"run_id": []})
        runs = runs.sort_values("run_id").reset_index(drop=True)
        values = measure_tables(measured, runs, trajectories)
        for j, t in enumerate(measured):
            runs[t.name] = values[:, j]
    return counterfactual_table(runs, factor, reference, manifest.end_year, measured)
