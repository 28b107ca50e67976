"""The replicated historical cases as Markdown and JSON: one table of every case, then each
case's fit table, so a reader sees at once which dated facts each case reproduces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.files import write_json, write_text


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def summary_markdown(results: list[dict[str, Any]]) -> str:
    """One table of every replicated case, then each case's fit table."""
    lines = [
        "# The historical cases, replicated on fresh seeds",
        "",
        "| case | calibration facts inside | validation facts inside | catch-up share | median catch-up year "
        "| leadership share | median first product | median mission year | final home share |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['targets_inside']}/{r['targets']} "
            f"| {r.get('validation_inside', 0)}/{r.get('validation_facts', 0)} | {r['catch_up_share']:.0%} "
            f"| {_fmt(r['median_catch_up_year'], '.1f')} | {r['leadership_share']:.0%} "
            f"| {_fmt(r['median_first_product_year'], '.1f')} | {_fmt(r['median_mission_year'], '.2f')} "
            f"| {r['median_final_home_share_home_market']:.2f} |"
        )
    for r in results:
        lines += ["", f"## {r['case']} ({r['seeds']} seeds, base seed {r['base_seed']})", ""]
        lines += [fit_markdown(r["fit"]), "", f"Figure: `{r['figure']}`"]
    return "\n".join(lines) + "\n"


def fit_markdown(fit: pd.DataFrame) -> str:
    """A fit table as Markdown (target, use, range, history, median, 10-90% interval, inside)."""
    rows = [
        "| target | use | range | history | model median | model 10-90% | inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in fit.itertuples(index=False):
        fmt = ".2f" if r.target.endswith("_year") else ".3f"
        median = "never" if np.isnan(r.median) else format(r.median, fmt)
        spread = "–" if np.isnan(r.q10) else f"{r.q10:{fmt}}–{r.q90:{fmt}}"
        rows.append(
            f"| {r.target} | {getattr(r, 'use', 'calibrate')} | {r.low:{fmt}}–{r.high:{fmt}} "
            f"| {r.history:{fmt}} | {median} | {spread} "
            f"| {'yes' if r.inside else 'no'} |"
        )
    return "\n".join(rows)


def write_summary(results: list[dict[str, Any]], out_root: Path) -> Path:
    """summary.md and summary.json under out_root."""
    path = write_text(summary_markdown(results), out_root / "summary.md")
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
