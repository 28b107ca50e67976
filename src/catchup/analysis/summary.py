"""The summary of one scenario's runs, as the command line, the report and the JSON output give
it: every measure of `compare`'s row with its 95% interval, windows by type, catch-up cycles,
and the headline in sentences. One function computes it, so all three show the same numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.analysis.compare import summarise_group
from catchup.analysis.measures import formatted, label, measure, record, with_interval
from catchup.analysis.validity import valid_runs
from catchup.errors import AnalysisError
from catchup.model.outcomes import CYCLES
from catchup.model.windows import WINDOW_TYPES
from catchup.results.folder import Results, open_results

# The measures a summary leads with, in order; windows and cycles have tables of their own.
HEADLINE = (
    "n_runs",
    "catch_up_probability",
    "catch_up_year_median",
    "catch_up_year_q25",
    "catch_up_year_q75",
    "leadership_probability",
    "leadership_year_median",
    "final_home_share_home_market",
    "final_home_share_world_market",
)
WINDOW_MEASURES = (
    "window_runs",
    "window_runs_rose",
    "window_count",
    "window_open_year_median",
    "window_close_year_median",
)
CYCLE_MEASURES = tuple(f"cycle_{c}" for c in CYCLES)


def summary(source: str | Path | Results) -> dict[str, Any]:
    """The summary of a run or case result (a sweep or attribution holds many scenarios:
    `compare`): JSON-ready records of every measure, windows by type and cycles."""
    results = open_results(source)
    if results.manifest.kind not in ("run", "case"):
        raise AnalysisError(
            f"{results.location or 'this result'}: a {results.manifest.kind} holds runs of many scenarios; "
            "summarise it per point or variant with compare"
        )
    scenario = results.manifest.scenario
    info = runs_summary(results.table("runs"), results.table("windows"))
    info["name"] = results.manifest.name
    info["folder"] = str(results.location) if results.location is not None else None
    info["catch_up_threshold"] = scenario["parameters"].get("catch_up_threshold")
    return info


def runs_summary(runs: pd.DataFrame, windows: pd.DataFrame) -> dict[str, Any]:
    """The summary of one scenario's runs and windows tables (see `summary`); invalid runs are
    left out, with their windows."""
    runs = valid_runs(runs)
    if runs.empty:
        return {"runs": 0, "measures": {}, "windows": {}, "cycles": {}}
    row = summarise_group(runs)
    windows = windows[windows["run_id"].isin(runs["run_id"])] if "run_id" in runs else windows
    by_type = {kind: _window_row(runs, windows, kind) for kind in WINDOW_TYPES}
    return {
        "runs": len(runs),
        "measures": {name: record(name, row) for name in row if not name.endswith(("_low", "_high"))},
        "windows": {kind: {n: record(n, r) for n in WINDOW_MEASURES} for kind, r in by_type.items()},
        "cycles": {c: record(c, row) for c in CYCLE_MEASURES if c in row},
    }


def _window_row(runs: pd.DataFrame, windows: pd.DataFrame, kind: str) -> dict[str, float]:
    of_kind = windows[windows["type"] == kind]
    return {
        "window_runs": int((runs[f"{kind}_windows"] > 0).sum()),
        "window_runs_rose": int((runs[f"{kind}_windows_rose"] > 0).sum()),
        "window_count": int(runs[f"{kind}_windows"].sum()),
        "window_open_year_median": float(of_kind["open_year"].median()) if len(of_kind) else float("nan"),
        "window_close_year_median": float(of_kind["close_year"].median()) if len(of_kind) else float("nan"),
    }


def _cell(rec: dict[str, Any], name: str) -> str:
    """A summary record written as a cell: the same text as `measures.cell` of the numbers."""
    return with_interval(name, rec["value"], rec.get("low"), rec.get("high"))


def summary_rows(info: dict[str, Any], names: tuple[str, ...] = HEADLINE) -> list[dict[str, str]]:
    """The measures of a summary as table rows: measure, value [95% interval], unit, meaning."""
    rows = []
    for name in names:
        if name in info["measures"]:
            m = measure(name)
            rows.append(
                {
                    "measure": m.label,
                    "value": _cell(info["measures"][name], name),
                    "unit": m.unit,
                    "meaning": m.meaning,
                }
            )
    return rows


def window_rows(info: dict[str, Any]) -> list[dict[str, str]]:
    """One row per window type, the columns headed with label and unit."""
    return [
        {"window": kind, **{measure(n).heading(): _cell(rec[n], n) for n in WINDOW_MEASURES}}
        for kind, rec in info["windows"].items()
    ]


def cycle_rows(info: dict[str, Any]) -> list[dict[str, str]]:
    """One row per catch-up cycle: runs (count and share of runs) and what the cycle means."""
    n = info["runs"]
    rows = []
    for name, rec in info["cycles"].items():
        count = rec["value"] or 0
        rows.append(
            {
                "catch-up cycle": label(name),
                "runs": f"{count} of {n} ({formatted('catch_up_probability', count / n)})",
                "meaning": measure(name).meaning,
            }
        )
    return rows


def headline(info: dict[str, Any]) -> list[str]:
    """The summary in sentences: catch-up (how often, when), leadership, windows, cycle."""
    n = info["runs"]
    if n == 0:
        return ["No valid run to summarise (see the warning)."]
    m = info["measures"]
    threshold = info.get("catch_up_threshold")
    lines = [
        f"Home firms caught up in {_cell(m['catch_up_probability'], 'catch_up_probability')} of {n} runs"
        + (f" (relative capability at least {threshold:g})" if threshold is not None else "")
        + (
            f"; median catch-up year {_cell(m['catch_up_year_median'], 'catch_up_year_median')}."
            if m["catch_up_year_median"]["value"] is not None
            else "."
        ),
        f"They led the home market (more than half of it) in "
        f"{_cell(m['leadership_probability'], 'leadership_probability')} of runs"
        + (
            f"; median year {_cell(m['leadership_year_median'], 'leadership_year_median')}."
            if m["leadership_year_median"]["value"] is not None
            else "."
        ),
    ]
    opened = [
        f"{kind} in {w['window_runs']['value']} of {n} runs (the home side rose in it in "
        f"{w['window_runs_rose']['value']})"
        for kind, w in info["windows"].items()
        if w["window_runs"]["value"]
    ]
    lines.append("Windows opened: " + ("; ".join(opened) if opened else "none") + ".")
    if info["cycles"]:
        most = max(rec["value"] or 0 for rec in info["cycles"].values())
        tied = [label(name) for name, rec in info["cycles"].items() if (rec["value"] or 0) == most]
        each = " each" if len(tied) > 1 else ""
        lines.append(
            f"Most frequent catch-up cycle{'s' if len(tied) > 1 else ''}: {' and '.join(tied)} "
            f"({most} of {n} runs{each})."
        )
    return lines


def _median_if_most(values: pd.Series) -> float | None:
    """The median of an event's year when more than half the runs have the event."""
    finite = values.dropna()
    return float(np.median(finite)) if len(finite) * 2 > len(values) else None


def case_summary(source: str | Path | Results) -> dict[str, Any]:
    """One replicated case: its fit (targets inside) and what its runs show."""
    results = open_results(source)
    manifest = results.manifest
    runs = results.table("runs")
    info = runs_summary(runs, results.table("windows"))["measures"]
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
        "catch_up_share": info["catch_up_probability"]["value"],
        "median_catch_up_year": info["catch_up_year_median"]["value"],
        "leadership_share": info["leadership_probability"]["value"],
        "median_mission_year": _median_if_most(runs["mission_year"]),
        "median_first_product_year": _median_if_most(runs["first_product_year"]),
        "median_final_home_share_home_market": float(
            valid_runs(runs)["final_home_share_home_market"].median()
        ),
        "fit": fit,
        "folder": results.location,
    }
