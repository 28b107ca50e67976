"""The replicated historical cases as Markdown and JSON: one table of every case, then each
case's fit table, so a reader sees at once which dated facts each case reproduces."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from catchup.analysis.measures import formatted
from catchup.analysis.tables import fit_rows, heading, render_table
from catchup.files import write_json, write_text


def summary_markdown(results: list[dict[str, Any]]) -> str:
    """One table of every replicated case, then each case's fit table, in the report's words,
    units and formats (analysis.measures)."""
    table = pd.DataFrame(
        {
            "case": r["case"],
            "calibration facts inside": f"{r['targets_inside']} of {r['targets']}",
            "validation facts inside": f"{r.get('validation_inside', 0)} of {r.get('validation_facts', 0)}",
            heading("catch_up_probability"): formatted("catch_up_probability", r["catch_up_share"]),
            heading("catch_up_year_median"): formatted("catch_up_year_median", r["median_catch_up_year"]),
            heading("leadership_probability"): formatted("leadership_probability", r["leadership_share"]),
            "median year of the first home product": formatted(
                "first_product_year", r["median_first_product_year"]
            ),
            "median year the mission reached its target": formatted("mission_year", r["median_mission_year"]),
            "median home share of the home market at the end": formatted(
                "final_home_share_home_market", r["median_final_home_share_home_market"]
            ),
        }
        for r in results
    )
    lines = ["# The historical cases, replicated on fresh seeds", "", render_table(table, "markdown")]
    for r in results:
        lines += [f"## {r['case']} ({r['seeds']} seeds, base seed {r['base_seed']})", ""]
        lines += [fit_markdown(r["fit"]), "", f"Figure: `{r['figure']}`", ""]
    return "\n".join(lines)


def fit_markdown(fit: pd.DataFrame) -> str:
    """A fit table as Markdown: each dated fact in words, history's value and range, the model's
    median and 10-90% of runs, inside or not, the source."""
    return render_table(fit_rows(fit), "markdown")


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
