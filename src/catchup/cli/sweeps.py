"""`catchup sweep` and `catchup attribute`: many runs, written as one result folder each."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import TextColumn
from rich.table import Table

import catchup.analysis as analysis
import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results
from catchup.cli.common import (
    AsJson,
    Jobs,
    Overwrite,
    Quiet,
    Scheduler,
    Sets,
    check_table_out,
    default_out,
    handled,
    interrupted,
    out,
    print_readable,
    print_records,
    progress,
    say,
    write_table,
)
from catchup.cli.runs import ScenarioArg, load
from catchup.model.windows import SEIZURE_MARGIN


def sweep(
    experiment: Annotated[
        str, typer.Argument(metavar="EXPERIMENT", help="An experiment file, or a built-in name.")
    ],
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, help="Local worker processes (or LocalCluster workers).")
    ] = 1,
    scheduler: Scheduler = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/<experiment name>).")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted sweep in --out.")] = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Run every point x replication of an experiment, streaming results to disk in chunks."""
    with handled():
        loaded = config.load_experiment(experiment)
        target = default_out(out_dir, loaded.name)
        columns = (TextColumn("runs · {task.fields[points]} points · {task.fields[rate]} runs/s"),)
        try:
            with (
                experiments.executor(jobs, scheduler) as ex,
                progress(loaded.name, loaded.n_runs, quiet, columns, points="0/0", rate="-") as update,
            ):

                def show(p: experiments.SweepProgress) -> None:
                    update(
                        completed=p.runs_done,
                        points=f"{p.points_done}/{p.points_total}",
                        rate=f"{p.runs_per_second:.1f}",
                    )

                experiments.sweep(
                    loaded, target, executor=ex, resume=resume, overwrite=overwrite, on_progress=show
                )
        except KeyboardInterrupt:
            where = (f" --scheduler {scheduler}" if scheduler else "") + (
                f" --jobs {jobs}" if jobs > 1 else ""
            )
            interrupted(
                f"finished chunks are kept in {target}/; continue with: "
                f"catchup sweep {experiment} --out {target}{where} --resume"
            )
    say(f"sweep '{loaded.name}': {loaded.n_runs} runs written to {target}/")


def attribute(
    scenario: ScenarioArg,
    seeds: Annotated[
        int | None,
        typer.Option("--seeds", min=2, max=1_000_000, help="Runs per variant (default: the scenario's)."),
    ] = None,
    sets: Sets = None,
    jobs: Jobs = 1,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/<name>_attribution).")
    ] = None,
    as_json: AsJson = False,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Which window made the difference: close each window source in turn, with the same seeds."""
    with handled(), experiments.executor(jobs) as ex:
        loaded = load(scenario, sets, seeds)
        target = default_out(out_dir, f"{loaded.name}_attribution")
        with results.writing(target, "attribution", loaded.name, overwrite):
            n_variants = 2 + len(experiments.CLOSURES)
            with progress(f"{loaded.name}: variants", n_variants, quiet) as update:
                done = []
                result = experiments.attribute(
                    loaded,
                    executor=ex,
                    on_progress=lambda name: (done.append(name), update(completed=len(done))),
                )
            table = analysis.attribution_table(result)
            result.with_table("attribution", table).save(target, overwrite=overwrite)
    if as_json:
        print_records(table)
        return
    title = f"window attribution: {loaded.name} ({loaded.seeds} paired runs per variant, 95% intervals)"
    print_readable(analysis.attribution_rows(table), title, None)
    say(f"results written to {target}/")


def seizure(
    scenario: ScenarioArg,
    seeds: Annotated[
        int | None,
        typer.Option("--seeds", min=1, max=1_000_000, help="Runs (default: the scenario's)."),
    ] = None,
    sets: Sets = None,
    jobs: Jobs = 1,
    margin: Annotated[
        float,
        typer.Option(
            "--margin",
            min=0.001,
            max=0.999,
            help="What a window must add to the final home share or relative capability to count as seized.",
        ),
    ] = SEIZURE_MARGIN,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write every window with its effect (.csv or .parquet).")
    ] = None,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Which windows were seized: every run against its paired run with the window's source closed
    from the year it opened (one extra run per window)."""
    with handled(), experiments.executor(jobs) as ex:
        if out_file:
            check_table_out(out_file)
        loaded = load(scenario, sets, seeds)
        with progress(f"{loaded.name}: paired runs", None, quiet) as update:
            result, windows = experiments.seizure(
                loaded,
                margin=margin,
                executor=ex,
                on_progress=lambda done, total: update(completed=done, total=total),
            )
        summary = experiments.seizure_summary(windows, len(result.runs))
        if out_file:
            write_table(windows, out_file)
    if as_json:
        print_records(summary)
        return
    view = Table(title=escape(f"windows seized: {loaded.name} ({len(result.runs)} runs, margin {margin:g})"))
    for col in ("type", "runs with window", "rose while open", "seized", "effect on share", "on capability"):
        view.add_column(col, justify="left" if col == "type" else "right")
    for _, row in summary.iterrows():
        view.add_row(
            row["type"],
            f"{row['runs_with_window']:.0%}",
            f"{row['runs_rose']:.0%}",
            f"{row['runs_seized']:.0%}",
            *(
                "-" if value != value else f"{value:+.3f}"
                for value in (row["mean_effect_home_share"], row["mean_effect_relative_capability"])
            ),
        )
    out.print(view)
    if not windows["decided"].any():
        say("no window was decided: no run opened one (or every pair left the valid range)")
