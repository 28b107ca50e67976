"""Short summaries a command prints: a run's catch-up share and windows, a case's fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.analysis.validity import valid_runs
from catchup.errors import AnalysisError
from catchup.model.windows import WINDOW_TYPES
from catchup.results.folder import Results, open_results


def summary(source: str | Path | Results) -> dict[str, Any]:
    """Catch-up share, median catch-up year, leadership share, final values, windows by type,
    of one scenario's runs (a run or case result; a sweep or attribution has many: `compare`)."""
    results = open_results(source)
    if results.manifest.kind not in ("run", "case"):
        raise AnalysisError(
            f"{results.location or 'this result'}: a {results.manifest.kind} holds runs of many scenarios; "
            "summarise it per point or variant with compare"
        )
    return runs_summary(results.table("runs"))


def runs_summary(runs: pd.DataFrame) -> dict[str, Any]:
    """The summary of one scenario's runs table (see `summary`); invalid runs are left out."""
    runs = valid_runs(runs)
    caught = runs["catch_up_year"].notna()
    by_type = {}
    for kind in WINDOW_TYPES:
        opened = runs[f"{kind}_windows"] > 0
        rose = runs[f"{kind}_windows_rose"] > 0
        by_type[kind] = {
            "runs_with_window": float(opened.mean()),
            "runs_rising": float(rose.mean()),
            "windows": int(runs[f"{kind}_windows"].sum()),
            "rose": int(runs[f"{kind}_windows_rose"].sum()),
        }
    return {
        "runs": len(runs),
        "catch_up_share": float(caught.mean()),
        "median_catch_up_year": float(runs.loc[caught, "catch_up_year"].median()) if caught.any() else None,
        "leadership_share": float(runs["leadership_year"].notna().mean()),
        "median_final_relative_capability": float(runs["final_relative_capability"].median()),
        "median_final_home_share_home_market": float(runs["final_home_share_home_market"].median()),
        "windows": by_type,
    }


def _median_if_most(values: pd.Series) -> float | None:
    """The median of an event's year when more than half the runs have the event."""
    finite = values.dropna()
    return float(np.median(finite)) if len(finite) * 2 > len(values) else None


def case_summary(source: str | Path | Results) -> dict[str, Any]:
    """One replicated case: its fit (targets inside) and what its runs show."""
    results = open_results(source)
    manifest = results.manifest
    runs = results.table("runs")
    info = runs_summary(runs)
    fit = results.table("fit")
    use = fit["use"] if "use" in fit.columns else pd.Series("calibrate", index=fit.index)
    calibration, validation = fit[use == "calibrate"], fit[use == "validate"]
    return {
        "case": manifest.name,
        "description": manifest.description,
        "seeds": manifest.n_runs,
        "base_seed": manifest.details.get("base_seed", manifest.scenario["base_seed"]),
        "targets": len(calibration),
        "targets_inside": int(calibration["inside"].sum()),
        "validation_facts": len(validation),
        "validation_inside": int(validation["inside"].sum()),
        "distance": float(calibration["distance"].sum()),
        "catch_up_share": info["catch_up_share"],
        "median_catch_up_year": info["median_catch_up_year"],
        "leadership_share": info["leadership_share"],
        "median_mission_year": _median_if_most(runs["mission_year"]),
        "median_first_product_year": _median_if_most(runs["first_product_year"]),
        "median_final_home_share_home_market": info["median_final_home_share_home_market"],
        "fit": fit,
        "folder": results.location,
    }
