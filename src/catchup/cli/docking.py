"""`catchup dock`: catchup configured as a published model, against that model's results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

import catchup.analysis as analysis
import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results
import catchup.viz as viz
from catchup.cli.common import Jobs, Quiet, Sets, default_out, handled, interrupted, out, progress, say
from catchup.files import write_text

if TYPE_CHECKING:
    import pandas as pd

DockArg = Annotated[
    str, typer.Argument(help="Docking name (llm2017, mnow_computers) or path to a docking TOML file.")
]


def dock(
    name: DockArg,
    seeds: Annotated[
        int | None,
        typer.Option("--seeds", min=2, max=100_000, help="Runs per variant (default: the file's)."),
    ] = None,
    sets: Sets = None,
    jobs: Jobs = 1,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the tables and figure (default results/docking/<name>)."),
    ] = None,
    quiet: Quiet = False,
) -> None:
    """Run a reference model's set-up and its counterfactuals; print each reported statement
    beside catchup's value (95% interval) and a verdict, and each counterfactual's paired change.

    Writes statements.csv, counterfactuals.csv, paths.csv, docking.md and docking.png|svg."""
    with handled():
        docking = config.load_docking(name)
        if sets:
            docking = config.docking_with_overrides(docking, config.parse_assignments(sets))
        target = default_out(out_dir, f"docking/{docking.name}")
        n = seeds or docking.seeds
        total = n * (1 + len(docking.variants))
        try:
            with progress(f"dock {docking.name}", total, quiet) as update:
                runs = experiments.dock(
                    docking, seeds=n, jobs=jobs, progress=lambda done, _: update(completed=done)
                )
        except KeyboardInterrupt:
            interrupted(f"nothing is written for an unfinished docking; run it again: catchup dock {name}")
        result = analysis.docking_tables(docking, runs)
        target.mkdir(parents=True, exist_ok=True)
        results.write_table(result.statements, target / "statements.csv", "csv")
        results.write_table(result.counterfactuals, target / "counterfactuals.csv", "csv")
        results.write_table(result.paths, target / "paths.csv", "csv")
        write_text(viz.docking_markdown(docking, result), target / "docking.md")
        figure = viz.docking_figure(docking, result.paths, result.statements)
        viz.style.save(figure, target, "docking")
    out.print(statement_view(result.statements, f"{docking.name}: {n} seeds per variant"))
    if len(result.counterfactuals):
        out.print(counterfactual_view(result.counterfactuals))
    held = int(result.statements["holds"].sum())
    moved = int(result.counterfactuals["holds"].sum()) if len(result.counterfactuals) else 0
    say(
        f"{held} of {len(result.statements)} statements hold; {moved} of {len(result.counterfactuals)} "
        f"counterfactual checks move as reported ({result.seconds:.0f} s for {total} runs)"
    )
    say(f"wrote {target}/statements.csv, counterfactuals.csv, paths.csv, docking.md, docking.png")


def _value(row, fmt: str = "{:.3f}") -> str:
    if row.catchup != row.catchup:
        return "never"
    return f"{fmt.format(row.catchup)} [{fmt.format(row.low)}-{fmt.format(row.high)}]"


def statement_view(table: pd.DataFrame, title: str) -> Table:
    view = Table(title=escape(title))
    for col in ("reference statement", "measured as", "reference", "catchup [95%]", "verdict"):
        view.add_column(col, justify="left" if col in ("reference statement", "measured as") else "right")
    for r in table.itertuples(index=False):
        bound = {"above": "> ", "below": "< "}.get(r.relation, "")
        tol = f" ± {r.tolerance:g}" if r.relation == "about" else ""
        view.add_row(
            escape(r.statement),
            escape(r.measure),
            f"{bound}{r.reference:g}{tol}",
            _value(r),
            "[green]holds[/]" if r.holds else "[red]misses[/]",
        )
    return view


def counterfactual_view(table: pd.DataFrame) -> Table:
    view = Table(title="counterfactuals: change against the baseline on the same seeds")
    for col in (
        "counterfactual",
        "reference says",
        "measured as",
        "baseline",
        "variant",
        "change [95%]",
        "verdict",
    ):
        view.add_column(col, justify="right" if col in ("baseline", "variant", "change [95%]") else "left")
    for r in table.itertuples(index=False):
        view.add_row(
            escape(r.counterfactual),
            escape(r.reference),
            escape(f"{r.measure} ({r.direction})"),
            f"{r.baseline:.3f}",
            f"{r.variant:.3f}",
            f"{r.change:+.3f} [{r.low:+.3f}, {r.high:+.3f}]",
            "[green]moves as reported[/]" if r.holds else "[red]does not[/]",
        )
    return view
