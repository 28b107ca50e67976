"""The historical cases as the main job: replicate each calibrated case, draw it, summarise all.

Replication runs a calibrated case on fresh seeds (the validation seeds, never the
calibration's), writes the usual result tables, the case's fit table and figures, and one
summary of every case, so a reader can see at once which facts each case reproduces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.calibrate import CALIBRATED_SUFFIX, CASES_DIR, load_case, validation_seeds, write_fit
from catchup.history import fit_table, measure_tables
from catchup.report import draw
from catchup.run import atomic_path, run, write_json, write_results
from catchup.run import summary as run_summary

CASES = ("speech", "shield", "two_bombs", "td_scdma")


def calibrated_cases(cases_dir: Path = CASES_DIR) -> list[str]:
    """Cases with a calibrated file, the paper's four first, then any others by name."""
    found = sorted(p.name.removesuffix(CALIBRATED_SUFFIX) for p in cases_dir.glob(f"*{CALIBRATED_SUFFIX}"))
    return [c for c in CASES if c in found] + [c for c in found if c not in CASES]


def replicate(
    case_file: Path,
    out_root: Path,
    seeds: int,
    jobs: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Run one calibrated case on fresh seeds; write tables, fit.csv and figures under out_root/<case>/."""
    case = load_case(case_file)
    root, _ = validation_seeds(case, seeds)
    scenario = replace(case.scenario, base_seed=root, seeds=seeds)
    result = run(scenario, jobs=jobs, on_progress=on_progress)
    out = out_root / scenario.name
    write_results(result, out)
    fit = fit_table(
        case.targets, measure_tables(case.targets, result.runs, result.trajectories), scenario.end_year
    )
    write_fit(fit, out / "fit.csv")
    figures = draw(out, ["history", "trajectories"], formats=("png", "svg"))
    info = run_summary(result)
    runs = result.runs
    return {
        "case": scenario.name,
        "description": scenario.description,
        "seeds": seeds,
        "base_seed": root,
        "targets": len(fit),
        "targets_inside": int(fit["inside"].sum()),
        "distance": float(fit["distance"].sum()),
        "catch_up_share": info["catch_up_share"],
        "median_catch_up_year": info["median_catch_up_year"],
        "leadership_share": info["leadership_share"],
        "median_mission_year": _median(runs["mission_year"]),
        "median_first_product_year": _median(runs["first_product_year"]),
        "median_final_home_share_home_market": info["median_final_home_share_home_market"],
        "fit": fit,
        "folder": out,
        "figure": figures["history"][0],
    }


def _median(values: pd.Series) -> float | None:
    finite = values.dropna()
    return float(np.median(finite)) if len(finite) * 2 > len(values) else None


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def summary_markdown(results: list[dict[str, Any]]) -> str:
    """One table of every replicated case, then each case's fit table."""
    lines = [
        "# The historical cases, replicated on fresh seeds",
        "",
        "| case | targets inside | catch-up share | median catch-up year | leadership share "
        "| median first product | median mission year | final home share |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['targets_inside']}/{r['targets']} | {r['catch_up_share']:.0%} "
            f"| {_fmt(r['median_catch_up_year'], '.1f')} | {r['leadership_share']:.0%} "
            f"| {_fmt(r['median_first_product_year'], '.1f')} | {_fmt(r['median_mission_year'], '.2f')} "
            f"| {r['median_final_home_share_home_market']:.2f} |"
        )
    for r in results:
        lines += ["", f"## {r['case']} ({r['seeds']} seeds, base seed {r['base_seed']})", ""]
        lines += [fit_markdown(r["fit"]), "", f"Figure: `{r['figure']}`"]
    return "\n".join(lines) + "\n"


def fit_markdown(fit: pd.DataFrame) -> str:
    """A fit table as Markdown (target, range, history, median, 10-90% interval, inside)."""
    rows = [
        "| target | range | history | model median | model 10-90% | inside |",
        "|---|---|---|---|---|---|",
    ]
    for r in fit.itertuples(index=False):
        fmt = ".2f" if r.target.endswith("_year") else ".3f"
        median = "never" if np.isnan(r.median) else format(r.median, fmt)
        spread = "–" if np.isnan(r.q10) else f"{r.q10:{fmt}}–{r.q90:{fmt}}"
        rows.append(
            f"| {r.target} | {r.low:{fmt}}–{r.high:{fmt}} | {r.history:{fmt}} | {median} | {spread} "
            f"| {'yes' if r.inside else 'no'} |"
        )
    return "\n".join(rows)


def write_summary(results: list[dict[str, Any]], out_root: Path) -> Path:
    """summary.md and summary.json under out_root."""
    path = out_root / "summary.md"
    with atomic_path(path) as tmp:
        tmp.write_text(summary_markdown(results))
    write_json(
        {
            "cases": [
                {k: (str(v) if isinstance(v, Path) else v) for k, v in r.items() if k != "fit"}
                | {"fit": r["fit"].to_dict(orient="records")}
                for r in results
            ]
        },
        out_root / "summary.json",
    )
    return path
