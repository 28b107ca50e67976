"""`catchup compare` and `catchup sensitivity`: tables from result folders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

import catchup.analysis as analysis
import catchup.results as results
from catchup.cli.common import (
    AsJson,
    cell,
    check_table_out,
    fail,
    handled,
    interval,
    out,
    print_records,
    write_table,
)

if TYPE_CHECKING:
    import pandas as pd

COMPARE_COLUMNS = (
    ("catch_up_probability", "P(catch-up)", "{:.2f}"),
    ("catch_up_year_median", "median year", "{:.1f}"),
    ("leadership_probability", "P(lead)", "{:.2f}"),
    ("final_home_share_home_market", "home share", "{:.2f}"),
    ("technological_opened", "tech win", "{:.2f}"),
    ("demand_opened", "demand win", "{:.2f}"),
    ("institutional_opened", "inst. win", "{:.2f}"),
)
Folders = Annotated[
    list[Path], typer.Argument(metavar="DIR...", help="Result folders (run, sweep, case...).")
]
OutFile = Annotated[Path | None, typer.Option("--out", help="Also write the table (.csv or .parquet).")]


def _emit(table: pd.DataFrame, out_file: Path | None, as_json: bool) -> bool:
    """Write the table if asked; print it as JSON if asked (then the caller prints nothing else)."""
    if out_file:
        write_table(table, out_file)
    if as_json:
        print_records(table)
    return as_json


def compare(
    folders: Folders,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full table as JSON records.")] = False,
    out_file: OutFile = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Counterfactual sweeps: the factor level to compare against."),
    ] = None,
) -> None:
    """Per scenario or sweep point: catch-up probability, years, shares, windows, cycles, 95% intervals.

    With --reference LEVEL (one sweep of counterfactuals): every level's outcomes and their
    change from LEVEL, with 95% bootstrap intervals; a calibrated case's dated facts too.
    """
    check_table_out(out_file)  # before the work
    if reference is not None:
        _compare_counterfactuals(folders, reference, as_json, out_file)
        return
    with handled():
        table = analysis.compare(folders)
    if _emit(table, out_file, as_json):
        return
    view = Table(title="comparison (95% bootstrap intervals)")
    several = table["source"].nunique() > 1  # rows of several folders must say which is which
    label_cols = [c for c in table.columns[: table.columns.get_loc("n_runs")] if several or c != "source"]
    for col in label_cols:
        view.add_column(col)
    view.add_column("runs", justify="right")
    for _, label, _ in COMPARE_COLUMNS:
        view.add_column(label, justify="right")
    cycles = [c for c in table.columns if c.startswith("cycle_")]
    if cycles:
        view.add_column("cycles (persist/abort/coexist/change/return)", justify="right")
    for _, row in table.iterrows():
        cells = [escape(cell(row[c])) for c in label_cols] + [str(row["n_runs"])]
        cells += [interval(row, key, fmt) for key, _, fmt in COMPARE_COLUMNS]
        if cycles:
            cells.append("/".join("-" if row[c] != row[c] else str(int(row[c])) for c in cycles))
        view.add_row(*cells)
    out.print(view)


def _compare_counterfactuals(
    folders: list[Path], reference: str, as_json: bool, out_file: Path | None
) -> None:
    if len(folders) != 1:
        fail("--reference compares the levels within one sweep folder (give exactly one DIR)")
    with handled():
        table = analysis.counterfactuals(folders[0], reference)
    if _emit(table, out_file, as_json):
        return
    factor = table.columns[0]
    view = Table(
        title=escape(f"{folders[0]}: counterfactuals against {reference!r} (95% bootstrap intervals)")
    )
    for col in (factor, "outcome", "value", "change from " + reference):
        view.add_column(col, justify="left" if col in (factor, "outcome") else "right")
    for r in table.itertuples(index=False):
        fmt = "{:.2f}" if ("year" in r.outcome) else "{:.3f}"
        value = f"{fmt.format(r.value)} [{fmt.format(r.value_low)}, {fmt.format(r.value_high)}]"
        change = (
            "-"
            if getattr(r, factor) == reference
            else f"{fmt.format(r.change)} [{fmt.format(r.change_low)}, {fmt.format(r.change_high)}]"
        )
        view.add_row(escape(str(getattr(r, factor))), r.outcome, value, change)
    out.print(view)


def sensitivity(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of a sweep with a sobol or morris design.")
    ],
    as_json: AsJson = False,
) -> None:
    """Sobol or Morris indices (SALib) of every outcome on every swept parameter (DIR/sensitivity.csv)."""
    with handled():
        sweep = results.ResultFolder.open(folder)
        table = analysis.sensitivity(sweep)
        sweep.add_table("sensitivity", table, "csv")
    if as_json:
        print_records(table)
        return
    mean = table[table["statistic"] == "mean"]
    wide = mean.pivot_table(index=["outcome", "parameter"], columns="index", values="value")
    conf = mean.pivot_table(index=["outcome", "parameter"], columns="index", values="conf", dropna=False)
    view = Table(
        title=escape(
            f"sensitivity of the mean over seeds, index ± 95% bootstrap half-width "
            f"({folder}/sensitivity.csv has all indices)"
        )
    )
    view.add_column("outcome")
    view.add_column("parameter")
    for col in wide.columns:
        view.add_column(col, justify="right")
    for key, row in wide.iterrows():
        half = conf.reindex(index=[key], columns=wide.columns).iloc[0]
        cells = [f"{v:.3f}" + (f" ± {h:.3f}" if h == h else "") for v, h in zip(row, half, strict=True)]
        view.add_row(*key, *cells)
    out.print(view)
