"""Which window made the difference: paired differences between the scenario as given and
each variant with a window source closed (runs from `catchup.experiments.attribution`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from catchup.analysis.statistics import paired_interval
from catchup.analysis.validity import valid_runs
from catchup.errors import AnalysisError
from catchup.results.folder import Results, open_results

AS_GIVEN = "(none: as given)"


def paired_table(given: pd.DataFrame, variants: dict[str, pd.DataFrame], end_year: float) -> pd.DataFrame:
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
        "closed": AS_GIVEN,
        "catch_up_probability": float(base_p.mean()),
        "median_catch_up_year": float(given["catch_up_year"].median()),
    }
    return pd.DataFrame([head, *rows])


def attribution_table(source: str | Path | Results) -> pd.DataFrame:
    """The attribution table of an attribution result (folder or in memory)."""
    results = open_results(source)
    if results.manifest.kind != "attribution":
        raise AnalysisError(
            f"{results.location}: a {results.manifest.kind} folder, not an attribution "
            "(run `catchup attribute SCENARIO --out DIR` first)"
        )
    if results.has_table("attribution"):
        return results.table("attribution")
    runs = valid_runs(results.table("runs"), str(results.location), paired_by="run_id")
    groups = {name: part.drop(columns="closed") for name, part in runs.groupby("closed", sort=False)}
    given = groups.pop(AS_GIVEN)
    return paired_table(given, groups, results.manifest.end_year)
