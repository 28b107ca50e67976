"""Sensitivity indices (SALib) of every outcome on every sampled parameter of a sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from catchup.config.design import salib_problem
from catchup.errors import AnalysisError
from catchup.results.folder import Results, open_results

SENSITIVITY_OUTCOMES = (
    "catch_up",
    "catch_up_year",
    "leadership",
    "final_relative_capability",
    "final_home_share_home_market",
    "final_home_share_world_market",
    "windows_rose",
)
COLUMNS = ["outcome", "statistic", "parameter", "index", "value", "conf"]
# The seed of SALib's bootstrap of confidence intervals. Not 0: SALib takes 0 for "no seed"
# and then draws fresh intervals on every call.
SALIB_SEED = 1


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
            "windows_rose": runs["windows_rose"].astype(float),
        }
    )


# The smallest samples whose indices and bootstrap intervals mean anything: Sobol base samples
# (N; the sweep has N x (D + 2) points) and Morris trajectories.
MINIMUM_SIZE = {"sobol": 16, "morris": 4}


def is_sensitivity_design(design: dict[str, Any]) -> bool:
    return design.get("type") == "sample" and design.get("method") in ("sobol", "morris")


def sensitivity_indices(
    design: dict[str, Any], points: pd.DataFrame, runs: pd.DataFrame, end_year: float, seed: int = SALIB_SEED
) -> pd.DataFrame:
    """Sobol (S1, ST) or Morris (mu_star, sigma) indices of every outcome on every swept
    parameter, on the mean over seeds and on the spread (standard deviation) over seeds.
    """
    if not is_sensitivity_design(design):
        raise AnalysisError("sensitivity needs a sweep with a [sample] design of method 'sobol' or 'morris'")
    problem = salib_problem(design["ranges"])
    method, minimum = design["method"], MINIMUM_SIZE[design["method"]]
    size = len(points) // (problem["num_vars"] + (2 if method == "sobol" else 1))  # from the points there
    if size < minimum:
        raise AnalysisError(
            f"sensitivity: a {method} sample of size {size} is too small for indices "
            f"(allowed: size >= {minimum}; below it the estimates are noise, e.g. Sobol S1 above 1)"
        )
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
                pairs: tuple[tuple[str, str | None], ...] = (("S1", "S1_conf"), ("ST", "ST_conf"))
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
    return pd.DataFrame(rows, columns=COLUMNS)


def sensitivity(source: str | Path | Results) -> pd.DataFrame:
    """Sensitivity indices of a sweep (see `sensitivity_indices`)."""
    results = open_results(source)
    manifest = results.manifest
    if manifest.kind != "sweep" or manifest.experiment is None:
        raise AnalysisError(f"{results.location}: sensitivity needs a sweep folder (from `catchup sweep`)")
    design = manifest.experiment["design"]
    if not is_sensitivity_design(design):
        raise AnalysisError(
            f"{results.location}: sensitivity needs a sweep with a [sample] design "
            "of method 'sobol' or 'morris'"
        )
    runs = results.table("runs")
    if len(runs) != manifest.n_runs:
        raise AnalysisError(
            f"{results.location}: {len(runs)} of {manifest.n_runs} runs are there; Sobol and Morris indices "
            "need every point (finish the sweep with `catchup sweep ... --resume`)"
        )
    if "valid" in runs and not runs["valid"].all():
        raise AnalysisError(
            f"{results.location}: {int((~runs['valid']).sum())} runs left the valid numeric range "
            f"({runs.loc[~runs['valid'], 'problem'].iloc[0]}); Sobol and Morris indices need every run"
        )
    return sensitivity_indices(design, results.table("points"), runs, manifest.end_year)
