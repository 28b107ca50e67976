"""Comparing scenarios and sweep points: catch-up probability, years, shares, windows and
cycles per group of runs, with 95% bootstrap intervals. Reads results only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.analysis.statistics import bootstrap_interval, median
from catchup.analysis.validity import valid_runs
from catchup.errors import AnalysisError
from catchup.model.outcomes import CYCLES
from catchup.model.windows import WINDOW_TYPES
from catchup.results.folder import Results, open_results


def source_of(results: Results) -> str:
    """How a result is named in tables: its folder, or the scenario name for one in memory."""
    return str(results.location) if results.location is not None else f"<{results.manifest.name}>"


def labelled_runs(results: Results) -> tuple[pd.DataFrame, list[str]]:
    """The runs table with a `group` column, and the columns that label each group.

    A run folder is one group (its scenario); a sweep has one group per point, labelled by
    its point id, factor levels and swept values; an attribution folder one per variant.
    """
    kind = results.manifest.kind
    runs = valid_runs(results.table("runs"), source_of(results), "run_id" if kind == "attribution" else None)
    if runs.empty:
        raise AnalysisError(f"{source_of(results)}: no valid run to compare (see the warning above)")
    if kind == "sweep":
        points = results.table("points")
        runs = runs.merge(points, on="point_id", how="left", suffixes=("", "_point"))
        runs["group"] = "point " + runs["point_id"].astype(str)
        return runs, list(points.columns)
    if kind == "attribution":
        runs["group"] = runs["closed"]
        return runs, ["closed"]
    runs["group"] = results.manifest.name
    return runs, []


def summarise_group(runs: pd.DataFrame) -> dict[str, Any]:
    """Catch-up probability, years, shares, windows and cycles of one group of runs, with intervals."""
    row: dict[str, Any] = {"n_runs": len(runs)}

    def add(name: str, values: np.ndarray, statistic: Any = np.mean) -> None:
        values = np.asarray(values, dtype=float)
        finite = values[~np.isnan(values)]
        row[name] = float(statistic(finite)) if len(finite) else float("nan")
        row[f"{name}_low"], row[f"{name}_high"] = bootstrap_interval(values, statistic)

    add("catch_up_probability", runs["catch_up_year"].notna().to_numpy(float))
    for year in ("catch_up_year", "leadership_year"):
        values = runs[year].to_numpy(float)
        add(f"{year}_median", values, median)
        finite = values[~np.isnan(values)]
        row[f"{year}_q25"] = float(np.quantile(finite, 0.25)) if len(finite) else float("nan")
        row[f"{year}_q75"] = float(np.quantile(finite, 0.75)) if len(finite) else float("nan")
    add("leadership_probability", runs["leadership_year"].notna().to_numpy(float))
    add("final_home_share_home_market", runs["final_home_share_home_market"].to_numpy(float))
    add("final_home_share_world_market", runs["final_home_share_world_market"].to_numpy(float))
    for kind in WINDOW_TYPES:
        add(f"{kind}_opened", (runs[f"{kind}_windows"] > 0).to_numpy(float))
        add(f"{kind}_rose", (runs[f"{kind}_windows_rose"] > 0).to_numpy(float))
    if "cycle" in runs:
        counts = runs["cycle"].value_counts()
        for cycle in CYCLES:
            row[f"cycle_{cycle}"] = int(counts.get(cycle, 0))
    return row


def compare(sources: str | Path | Results | Sequence[str | Path | Results]) -> pd.DataFrame:
    """One row per scenario (run folder) or per point (sweep folder), over all sources."""
    if isinstance(sources, (str, Path)) or not isinstance(sources, Sequence):
        sources = [sources]  # one folder or result given as it is, not as a sequence of characters
    rows, labels_met = [], {"source": None, "group": None}
    for source in sources:
        results = open_results(source)
        runs, label_cols = labelled_runs(results)
        labels_met.update(dict.fromkeys(label_cols))
        for group, part in runs.groupby("group", sort=False):
            labels = {c: part[c].iloc[0] for c in label_cols}
            rows.append({"source": source_of(results), "group": group, **labels, **summarise_group(part)})
    table = pd.DataFrame(rows)
    # Every folder's labels before the measures, also those only a later folder has.
    table = table[[*labels_met, *(c for c in table.columns if c not in labels_met)]]
    if "point_id" in table:
        table = table.sort_values(["source", "point_id"], kind="stable").reset_index(drop=True)
    return table
