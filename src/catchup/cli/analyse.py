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
    Format,
    check_format,
    check_table_out,
    fail,
    handled,
    out,
    print_readable,
    print_records,
    say,
    write_table,
)

if TYPE_CHECKING:
    import pandas as pd

# The measures `catchup compare` shows in a terminal (--format and --json give them all).
TERMINAL_MEASURES = (
    "n_runs",
    "catch_up_probability",
    "catch_up_year_median",
    "leadership_probability",
    "final_home_share_home_market",
    "technological_opened",
    "demand_opened",
    "institutional_opened",
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
    fmt: Format = None,
) -> None:
    """Per scenario or sweep point: catch-up probability, years, shares, windows, cycles, 95% intervals.

    With --reference LEVEL (one sweep of counterfactuals): every level's outcomes and their
    change from LEVEL, with 95% bootstrap intervals; a calibrated case's dated facts too.
    """
    check_table_out(out_file)  # before the work
    check_format(fmt)
    if as_json and fmt is not None:
        fail("--json and --format: give one (--json prints the numbers, --format a readable table)")
    if reference is not None:
        _compare_counterfactuals(folders, reference, as_json, out_file, fmt)
        return
    with handled():
        table = analysis.compare(folders)
    if _emit(table, out_file, as_json):
        return
    names = None if fmt is not None else TERMINAL_MEASURES  # a terminal holds fewer columns than a paper
    print_readable(
        analysis.readable_compare(table, *([names] if names else [])),
        "comparison (95% bootstrap intervals)",
        fmt,
    )
    cycles = [c for c in table.columns if c.startswith("cycle_")]
    if cycles and fmt is None:
        counts = analysis.readable_compare(table, cycles)
        print_readable(counts, "catch-up cycles (runs)", None)


def _compare_counterfactuals(
    folders: list[Path], reference: str, as_json: bool, out_file: Path | None, fmt: str | None = None
) -> None:
    if len(folders) != 1:
        fail("--reference compares the levels within one sweep folder (give exactly one DIR)")
    with handled():
        table = analysis.counterfactuals(folders[0], reference)
    if _emit(table, out_file, as_json):
        return
    print_readable(
        analysis.counterfactual_rows(table, reference),
        f"{folders[0]}: counterfactuals against {reference!r} (95% bootstrap intervals)",
        fmt,
    )


def sensitivity(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of a sweep with a sobol or morris design.")
    ],
    as_json: AsJson = False,
    fmt: Format = None,
) -> None:
    """Sobol or Morris indices (SALib) of every outcome on every swept parameter (DIR/sensitivity.csv)."""
    check_format(fmt)
    with handled():
        sweep = results.ResultFolder.open(folder)
        table = analysis.sensitivity(sweep)
        sweep.add_table("sensitivity", table, "csv")
    if as_json:
        print_records(table)
        return
    title = f"sensitivity of the mean over seeds, index ± 95% half-width ({folder}/sensitivity.csv has all)"
    print_readable(analysis.sensitivity_rows(table), title, fmt)


SweepFolder = Annotated[
    Path, typer.Argument(metavar="SWEEP_DIR", help="Folder of a sweep (`catchup sweep`).")
]


def discover(
    folder: SweepFolder,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="catch_up, leadership, <window>_opened, <window>_rose (window: technological, demand, "
            "institutional), or a numeric runs column with --threshold.",
        ),
    ],
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="A numeric outcome's case of interest: value >= this.")
    ] = None,
    below: Annotated[bool, typer.Option("--below", help="With --threshold: value <= threshold.")] = False,
    min_coverage: Annotated[
        float,
        typer.Option(
            "--min-coverage", help="Smallest share of the cases of interest a chosen box covers (0 to 1]."
        ),
    ] = 0.5,
    boxes: Annotated[int, typer.Option("--boxes", min=1, help="Boxes to look for, one after another.")] = 3,
    as_json: AsJson = False,
) -> None:
    """Where an outcome becomes likely: PRIM boxes (EMA Workbench) over a sweep's runs, with
    coverage, density and quasi-p-values, and feature scores; tables into SWEEP_DIR."""
    with handled():
        sweep = results.ResultFolder.open(folder)
        if sweep.partial:  # its sweep may still write the manifest: adding tables could be lost
            fail(f"discover writes into finished sweeps only: {sweep.partial}")
        found = analysis.discover(sweep, outcome, threshold, below, min_coverage, boxes)
        for name, table in zip(
            analysis.DISCOVERY_TABLES, (found.peeling, found.boxes, found.features), strict=True
        ):
            existing = sweep.table(name) if sweep.has_table(name) else None
            sweep.add_table(name, analysis.merged_discovery(existing, table), "csv")
    if as_json:
        print_records(found.boxes)
        return
    view = Table(
        title=escape(
            f"{folder}: boxes where {found.outcome} (later boxes: in the runs earlier ones left)"
            f"\n (base rate {found.base_rate:.2f}; "
            f"tables {', '.join(analysis.DISCOVERY_TABLES)})"
        )
    )
    for col in ("box", "coverage", "density", "runs", "parameter", "restriction", "quasi-p"):
        view.add_column(col, justify="left" if col in ("parameter", "restriction") else "right")
    for r in found.boxes.itertuples(index=False):
        kept = r.levels or f"{r.low:.3g} to {r.high:.3g}"
        sides = [q for q in (r.qp_low, r.qp_high) if q == q]
        qp = f"{min(sides):.1e}" if sides else "-"
        cells = (r.box, f"{r.coverage:.2f}", f"{r.density:.2f}", int(r.n), r.parameter, escape(kept), qp)
        view.add_row(*map(str, cells))
    out.print(view)
    weak = sorted(set(found.boxes.loc[~found.boxes["significant"], "box"]))
    if weak:
        out.print(f"box {', '.join(map(str, weak))}: a restriction with quasi-p >= 0.05, which may be chance")
    scores = ", ".join(
        f"{p} {s:.2f}" for p, s in zip(found.features["parameter"], found.features["score"], strict=True)
    )
    out.print(escape(f"feature scores (extra trees): {scores}"))


def export(
    folder: SweepFolder,
    out_file: Annotated[Path, typer.Option("--out", help="EMA Workbench archive to write (.tar.gz).")],
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file.")] = False,
) -> None:
    """A sweep as EMA Workbench's (experiments, outcomes) pair, saved with its save_results:
    read it back with ema_workbench.load_results for the workbench's other analyses."""
    if not out_file.name.endswith(".tar.gz"):
        fail(f"--out {out_file}: EMA Workbench archives end in .tar.gz")
    if out_file.exists() and not overwrite:
        fail(f"--out {out_file} exists (give --overwrite to replace it)")
    with handled():
        experiments, outcomes = analysis.ema_results(results.ResultFolder.open(folder))
        analysis.save_ema(experiments, outcomes, out_file)
    say(f"wrote {out_file}: {len(experiments)} experiments, outcomes {', '.join(outcomes)}")
