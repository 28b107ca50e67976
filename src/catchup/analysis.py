"""Analysis of result folders: comparisons with bootstrap intervals, sensitivity indices
(SALib) and window attribution. Pure functions over tables; reading folders is separate.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from catchup.model import DatedEvent
from catchup.outcomes import CYCLES
from catchup.scenario import Scenario
from catchup.windows import WINDOW_TYPES

CONFIDENCE = 0.95
N_RESAMPLES = 2000


class AnalysisError(ValueError):
    """A folder that lacks what an analysis needs."""


# -- reading result folders ----------------------------------------------------


def load_runs(folder: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The runs table of a `catchup run` or `catchup sweep` folder, and its manifest.

    Every row gets `source` (the folder) and `group` (scenario name, or `point <id>`).
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise AnalysisError(
            f"{folder}: no manifest.json (not a result folder of `catchup run` or `catchup sweep`)"
        )
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("kind") == "sweep":
        from catchup.sweep import read_table

        runs = read_table(folder, "runs")
        points = pd.read_parquet(folder / "points.parquet")
        runs = runs.merge(points, on="point_id", how="left", suffixes=("", "_point"))
        runs["group"] = "point " + runs["point_id"].astype(str)
        manifest["label_columns"] = list(points.columns)
        end_year = manifest["experiment"]["scenario"]["end_year"]
    else:
        path = folder / "runs.parquet"
        if not path.exists():
            raise AnalysisError(f"{folder}: no runs.parquet")
        runs = pd.read_parquet(path)
        runs["group"] = manifest["scenario"]["name"]
        manifest["label_columns"] = []
        end_year = manifest["scenario"]["end_year"]
    runs["source"] = str(folder)
    manifest["end_year"] = end_year
    return runs, manifest


# -- statistics ------------------------------------------------------------------


def bootstrap_interval(values: np.ndarray, statistic=np.mean, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of a statistic (scipy.stats.bootstrap); NaN if too few values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return float("nan"), float("nan")
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    return _percentile_bootstrap((values,), statistic, seed)


def _percentile_bootstrap(samples: tuple[np.ndarray, ...], statistic, seed: int) -> tuple[float, float]:
    """scipy's percentile bootstrap with this module's resamples and confidence level."""
    res = stats.bootstrap(
        samples,
        statistic,
        n_resamples=N_RESAMPLES,
        confidence_level=CONFIDENCE,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _median(x, axis=-1):
    return np.median(x, axis=axis)


def summarise_group(runs: pd.DataFrame) -> dict[str, Any]:
    """Catch-up probability, years, shares, windows and cycles of one group of runs, with intervals."""
    row: dict[str, Any] = {"n_runs": len(runs)}

    def add(name: str, values: np.ndarray, statistic=np.mean) -> None:
        values = np.asarray(values, dtype=float)
        finite = values[~np.isnan(values)]
        row[name] = float(statistic(finite)) if len(finite) else float("nan")
        row[f"{name}_low"], row[f"{name}_high"] = bootstrap_interval(values, statistic)

    add("catch_up_probability", runs["catch_up_year"].notna().to_numpy(float))
    for year in ("catch_up_year", "leadership_year"):
        values = runs[year].to_numpy(float)
        add(f"{year}_median", values, _median)
        finite = values[~np.isnan(values)]
        row[f"{year}_q25"] = float(np.quantile(finite, 0.25)) if len(finite) else float("nan")
        row[f"{year}_q75"] = float(np.quantile(finite, 0.75)) if len(finite) else float("nan")
    add("leadership_probability", runs["leadership_year"].notna().to_numpy(float))
    add("final_home_share_home_market", runs["final_home_share_home_market"].to_numpy(float))
    add("final_home_share_world_market", runs["final_home_share_world_market"].to_numpy(float))
    for kind in WINDOW_TYPES:
        add(f"{kind}_opened", (runs[f"{kind}_windows"] > 0).to_numpy(float))
        add(f"{kind}_seized", (runs[f"{kind}_windows_seized"] > 0).to_numpy(float))
    if "cycle" in runs:
        counts = runs["cycle"].value_counts()
        for cycle in CYCLES:
            row[f"cycle_{cycle}"] = int(counts.get(cycle, 0))
    return row


def compare(folders: list[str | Path]) -> pd.DataFrame:
    """One row per scenario (run folder) or per point (sweep folder), over all folders."""
    rows = []
    for folder in folders:
        runs, manifest = load_runs(folder)
        label_cols = manifest["label_columns"]  # a sweep point's id, factor labels and swept values
        for group, part in runs.groupby("group", sort=False):
            labels = {c: part[c].iloc[0] for c in label_cols}
            rows.append({"source": str(folder), "group": group, **labels, **summarise_group(part)})
    table = pd.DataFrame(rows)
    if "point_id" in table:
        table = table.sort_values(["source", "point_id"], kind="stable").reset_index(drop=True)
    return table


# -- sensitivity -----------------------------------------------------------------

SENSITIVITY_OUTCOMES = (
    "catch_up",
    "catch_up_year",
    "leadership",
    "final_relative_capability",
    "final_home_share_home_market",
    "final_home_share_world_market",
    "windows_seized",
)


def point_outcomes(runs: pd.DataFrame, end_year: float) -> pd.DataFrame:
    """Per-run outcome values for sensitivity: events as 0/1, years censored at end + 1."""
    return pd.DataFrame(
        {
            "point_id": runs["point_id"],
            "catch_up": runs["catch_up_year"].notna().astype(float),
            "catch_up_year": runs["catch_up_year"].fillna(end_year + 1),
            "leadership": runs["leadership_year"].notna().astype(float),
            "final_relative_capability": runs["final_relative_capability"],
            "final_home_share_home_market": runs["final_home_share_home_market"],
            "final_home_share_world_market": runs["final_home_share_world_market"],
            "windows_seized": runs["windows_seized"].astype(float),
        }
    )


def sensitivity_indices(
    design: dict[str, Any], points: pd.DataFrame, runs: pd.DataFrame, end_year: float, seed: int = 0
) -> pd.DataFrame:
    """Sobol (S1, ST) or Morris (mu_star, sigma) indices of every outcome on every swept
    parameter, on the mean over seeds and on the spread (standard deviation) over seeds.
    """
    from SALib.analyze import morris, sobol

    from catchup.experiment import salib_problem

    if design.get("type") != "sample" or design.get("method") not in ("sobol", "morris"):
        raise AnalysisError("sensitivity needs a sweep with a [sample] design of method 'sobol' or 'morris'")
    problem = salib_problem(design["ranges"])
    names = problem["names"]
    points = points.sort_values("point_id")
    x = points[names].to_numpy(float)
    values = point_outcomes(runs, end_year).groupby("point_id")
    per_point = {
        "mean": values.mean().reindex(points["point_id"]),
        "spread": values.std(ddof=1).reindex(points["point_id"]),
    }
    rows = []
    for statistic, table in per_point.items():
        for outcome in SENSITIVITY_OUTCOMES:
            y = table[outcome].to_numpy(float)
            if np.isnan(y).any() or np.allclose(y, y[0]):
                continue  # constant or undefined outcome: no indices
            if design["method"] == "sobol":
                res = sobol.analyze(problem, y, calc_second_order=False, print_to_console=False, seed=seed)
                pairs = (("S1", "S1_conf"), ("ST", "ST_conf"))
            else:
                res = morris.analyze(
                    problem, x, y, num_levels=design.get("levels", 4), print_to_console=False, seed=seed
                )
                pairs = (("mu_star", "mu_star_conf"), ("sigma", None))
            for i, name in enumerate(names):
                for index, conf in pairs:
                    rows.append(
                        {
                            "outcome": outcome,
                            "statistic": statistic,
                            "parameter": name,
                            "index": index,
                            "value": float(res[index][i]),
                            "conf": float(res[conf][i]) if conf else float("nan"),
                        }
                    )
    return pd.DataFrame(rows, columns=["outcome", "statistic", "parameter", "index", "value", "conf"])


def sensitivity(folder: str | Path) -> pd.DataFrame:
    """Sensitivity indices of a sweep folder (see `sensitivity_indices`)."""
    runs, manifest = load_runs(folder)
    if manifest.get("kind") != "sweep":
        raise AnalysisError(f"{folder}: sensitivity needs a sweep folder (from `catchup sweep`)")
    points = pd.read_parquet(Path(folder) / "points.parquet")
    design = manifest["experiment"]["design"]
    return sensitivity_indices(design, points, runs, manifest["end_year"])


# -- window attribution ------------------------------------------------------------

# What closing each window source means (the `attribute` command).
CLOSURES: dict[str, dict[str, Any]] = {
    "technological": {
        "set": {"knowledge_cumulativeness": 1.0, "generation_hazard": 0.0},
        "new_generations": False,
    },
    "niche": {"set": {"niche_market_size": 0.0}},
    "procurement_protection_subsidy": {
        "set": {"procurement_support": 0.0, "home_market_protection": 0.0, "rd_subsidy": 0.0}
    },
    "alliance": {"set": {"alliance": 0.0}},
    "mission": {"set": {"mission": 0.0}},
}


def close_window(scenario: Scenario, closures: list[str]) -> Scenario:
    """The scenario with the given window sources closed, in parameters and in dated events."""
    params = dict(scenario.parameters)
    closed: dict[str, Any] = {}
    keep_generations = True
    for name in closures:
        spec = CLOSURES[name]
        closed.update(spec["set"])
        keep_generations = keep_generations and spec.get("new_generations", True)
    params.update(closed)
    events = []
    for ev in scenario.events:
        kept = {k: v for k, v in ev.set.items() if k not in closed}
        new_generation = ev.new_generation and keep_generations
        if kept or new_generation or ev.home_entrants:
            events.append(DatedEvent(ev.year, kept, new_generation, ev.label, ev.home_entrants))
    label = "+".join(closures)
    return replace(
        scenario, parameters=params, events=tuple(events), overrides={**scenario.overrides, "closed": label}
    )


def paired_interval(given: np.ndarray, variant: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean of (given - variant) over paired runs with a percentile bootstrap interval."""
    diff = np.asarray(given, float) - np.asarray(variant, float)
    low, high = bootstrap_interval(diff, np.mean, seed)
    return float(diff.mean()), low, high


def attribution_table(
    given: pd.DataFrame, variants: dict[str, pd.DataFrame], end_year: float
) -> pd.DataFrame:
    """How much closing each window source lowers catch-up probability and delays catch-up.

    Runs are paired by run id (same seeds), so intervals are on paired differences. The
    delay counts runs that never catch up as catching up one year after the end.
    """
    base_p = given["catch_up_year"].notna().to_numpy(float)
    base_y = given["catch_up_year"].fillna(end_year + 1).to_numpy(float)
    rows = []
    for name, runs in variants.items():
        runs = runs.set_index("run_id").loc[given["run_id"]]
        p = runs["catch_up_year"].notna().to_numpy(float)
        y = runs["catch_up_year"].fillna(end_year + 1).to_numpy(float)
        drop, drop_low, drop_high = paired_interval(base_p, p)
        delay, delay_low, delay_high = paired_interval(y, base_y)
        rows.append(
            {
                "closed": name,
                "catch_up_probability": float(p.mean()),
                "probability_drop": drop,
                "probability_drop_low": drop_low,
                "probability_drop_high": drop_high,
                "catch_up_delay_years": delay,
                "catch_up_delay_years_low": delay_low,
                "catch_up_delay_years_high": delay_high,
                "median_catch_up_year": float(runs["catch_up_year"].median()),
            }
        )
    head = {
        "closed": "(none: as given)",
        "catch_up_probability": float(base_p.mean()),
        "median_catch_up_year": float(given["catch_up_year"].median()),
    }
    return pd.DataFrame([head, *rows])


def attribute(scenario: Scenario, seeds: int | None = None, jobs: int = 1, on_progress=None) -> pd.DataFrame:
    """Run the scenario as given and with each window source closed in turn, then all at once."""
    from catchup.run import run

    variants = {name: close_window(scenario, [name]) for name in CLOSURES}
    variants["all"] = close_window(scenario, list(CLOSURES))
    given = run(scenario, seeds=seeds, jobs=jobs).runs
    if on_progress:
        on_progress("as given")
    results = {}
    for name, variant in variants.items():
        results[name] = run(variant, seeds=seeds, jobs=jobs).runs
        if on_progress:
            on_progress(name)
    return attribution_table(given, results, scenario.end_year)


# -- counterfactuals -------------------------------------------------------------------


def _stat_interval(
    values: np.ndarray, statistic, reference: np.ndarray | None = None, seed: int = 0
) -> tuple[float, float]:
    """Bootstrap interval of a statistic, or of its difference from a reference sample."""
    if reference is None:
        return bootstrap_interval(values, statistic, seed)
    if np.all(values == values[0]) and np.all(reference == reference[0]):
        d = float(values[0] - reference[0])
        return d, d
    return _percentile_bootstrap(
        (values, reference), lambda a, b, axis=-1: statistic(a, axis=axis) - statistic(b, axis=axis), seed
    )


def _mean(x, axis=-1):
    return np.mean(x, axis=axis)


def counterfactual_outcomes(runs: pd.DataFrame, end_year: float, targets: list | None = None) -> pd.DataFrame:
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
    for t in targets or []:
        column = runs[t.name]
        table[t.name] = column.replace(np.inf, np.nan).fillna(end_year + 1) if t.is_event else column
    return table


def counterfactual_table(
    runs: pd.DataFrame, factor: str, reference: str, end_year: float, targets: list | None = None
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
            statistic = _mean if name.endswith("probability") else _median
            values, base = part[name].to_numpy(float), ref[name].to_numpy(float)
            low, high = _stat_interval(values, statistic)
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
                row["change_low"], row["change_high"] = _stat_interval(values, statistic, base)
            rows.append(row)
    return pd.DataFrame(rows)


def case_targets(manifest: dict[str, Any]) -> list:
    """The history targets of a result folder whose scenario is a calibrated case (else none)."""
    from catchup.history import load_history, targets

    scenario = manifest["experiment"]["scenario"] if manifest.get("kind") == "sweep" else manifest["scenario"]
    calibration = scenario.get("calibration")
    if not calibration or not Path(calibration["history"]).exists():
        return []
    return targets(load_history(calibration["history"]))


def counterfactuals(folder: str | Path, reference: str, factor: str | None = None) -> pd.DataFrame:
    """The counterfactual table of a sweep folder whose design has a factor of counterfactuals.

    When the base scenario is a calibrated case and the sweep kept the trajectory columns its
    targets read, each dated fact is an outcome too (e.g. the home share in 2013).
    """
    from catchup.history import measure_tables

    runs, manifest = load_runs(folder)
    factors = list(manifest.get("experiment", {}).get("design", {}).get("factors", {}))
    if not factors:
        raise AnalysisError(f"{folder}: --reference needs a sweep whose design has [factors]")
    factor = factor or factors[0]
    targets = case_targets(manifest)
    kept = set(manifest["experiment"].get("trajectories", []))
    measured = [t for t in targets if t.is_event or t.measure in kept]
    if measured:
        from catchup.sweep import read_table

        trajectories = read_table(folder, "trajectories") if kept else pd.DataFrame({"run_id": []})
        runs = runs.sort_values("run_id").reset_index(drop=True)
        values = measure_tables(measured, runs, trajectories)
        for j, t in enumerate(measured):
            runs[t.name] = values[:, j]
    return counterfactual_table(runs, factor, reference, manifest["end_year"], measured)
