"""`catchup dock`: catchup configured as a published model, against that model's results."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

import catchup.analysis as analysis
import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results
import catchup.viz as viz
from catchup.cli.common import Jobs, Overwrite, Quiet, Sets, handled, interrupted, out, progress, say, warn
from catchup.files import write_text

if TYPE_CHECKING:
    import pandas as pd

DockArg = Annotated[
    str, typer.Argument(help="Docking name (llm2017, mnow_computers) or path to a docking TOML file.")
]
TABLES = {"statements": "csv", "counterfactuals": "csv", "paths": "csv"}


def default_target(name: str, overrides: dict[str, Any]) -> Path:
    """results/docking/<name>; with --set, a folder of its own, so a what-if never replaces the
    docking as its file defines it."""
    if not overrides:
        return Path("results") / "docking" / name
    digest = hashlib.sha256(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:8]
    return Path("results") / "docking" / f"{name}-set-{digest}"


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
        typer.Option(
            "--out", help="Result folder (default results/docking/<name>, or <name>-set-<hash> with --set)."
        ),
    ] = None,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Run a reference model's set-up and its counterfactuals; print each reported statement
    beside catchup's value (95% interval) and a verdict, and each counterfactual's paired change.

    Writes a result folder: statements.csv, counterfactuals.csv, paths.csv, docking.md,
    docking.png and .svg, and manifest.json (seeds, --set overrides, time taken)."""
    with handled():
        docking = config.load_docking(name)
        overrides = config.parse_assignments(sets)
        if overrides:
            docking = config.docking_with_overrides(docking, overrides)
        target = out_dir if out_dir is not None else default_target(docking.name, overrides)
        results.ResultFolder.check_target(target, "docking", docking.name, overwrite)  # before any run
        n = seeds or docking.seeds
        total = n * (1 + len(docking.variants))
        started = results.now()
        try:
            with progress(f"dock {docking.name}", total, quiet) as update:
                runs = experiments.dock(
                    docking, seeds=n, jobs=jobs, progress=lambda done, _: update(completed=done)
                )
            result = analysis.docking_tables(docking, runs)
            manifest = results.Manifest(
                kind="docking",
                name=docking.name,
                description=docking.reference,
                scenario=docking.baseline.to_dict(),
                seeds=[experiments.run_seed(docking.base_seed, i) for i in range(n)],
                n_runs=total,
                workers=jobs,
                started=started,
                finished=results.now(),
                versions=results.versions(),
                tables=TABLES,
                details={
                    "source": docking.source,
                    "overrides": overrides,
                    "seeds_per_variant": n,
                    "variants": list(docking.variants),
                    "seconds": round(result.seconds, 1),
                    "invalid_runs": result.invalid_runs,
                    "statements_held": int(result.statements["holds"].sum()),
                    "statements": len(result.statements),
                    "counterfactual_checks_moved": int(result.counterfactuals["holds"].sum())
                    if len(result.counterfactuals)
                    else 0,
                    "counterfactual_checks": len(result.counterfactuals),
                },
            )

            def extras(stage: Path) -> None:
                write_text(viz.docking_markdown(docking, result, overrides), stage / "docking.md")
                viz.style.save(viz.docking_figure(docking, result.paths, result.statements), stage, "docking")

            tables = {
                "statements": result.statements,
                "counterfactuals": result.counterfactuals,
                "paths": result.paths,
            }
            results.ResultFolder.write(target, manifest, tables, overwrite=overwrite, extras=extras)
        except KeyboardInterrupt:
            interrupted(f"nothing of this docking was written (any earlier result in {target} is as it was)")
    out.print(statement_view(result.statements, f"{docking.name}: {n} seeds per variant"))
    if len(result.counterfactuals):
        out.print(counterfactual_view(result.counterfactuals))
    if result.invalid_runs:
        warn(
            f"{result.invalid_runs} run(s) left the valid numeric range; they are left out of every "
            "statement, change and path they would enter (the runs column says how many count)"
        )
    details = manifest.details
    moved = f"{details['counterfactual_checks_moved']} of {details['counterfactual_checks']}"
    say(
        f"{details['statements_held']} of {details['statements']} statements hold; {moved} counterfactual "
        f"checks move as reported ({result.seconds:.0f} s for {total} runs on {jobs} worker(s))"
    )
    if overrides:
        say("with --set " + ", ".join(f"{k}={v}" for k, v in overrides.items()) + " on every variant")
    say(f"wrote {target}/ (statements.csv, counterfactuals.csv, paths.csv, docking.md, docking.png)")


def _value(row: Any, fmt: str = "{:.3f}") -> str:
    if row.catchup != row.catchup:
        return "never"
    return f"{fmt.format(row.catchup)} [{fmt.format(row.low)}-{fmt.format(row.high)}]"


def statement_view(table: pd.DataFrame, title: str) -> Table:
    view = Table(title=escape(title))
    for col in ("reference statement", "measured as", "reference", "catchup [95%]", "verdict"):
        view.add_column(col, justify="left" if col in ("reference statement", "measured as") else "right")
    for r in table.itertuples(index=False):
        view.add_row(
            escape(r.statement),
            escape(r.measure),
            analysis.reference_cell(r.relation, r.reference, r.tolerance),
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
