"""`catchup run`, `check`, `params` and `scenarios`: one scenario's runs and the inputs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

import catchup.analysis as analysis
import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results
import catchup.viz as viz
from catchup.cli.common import (
    AsJson,
    Format,
    Jobs,
    Overwrite,
    Quiet,
    Sets,
    check_format,
    default_out,
    fail,
    handled,
    out,
    print_json,
    print_readable,
    print_records,
    progress,
    say,
)
from catchup.config.parameters import help_text
from catchup.model.parameters import PARAMETERS

PARAMETER_HELP = help_text()
ScenarioArg = Annotated[
    str, typer.Argument(metavar="SCENARIO", help="A scenario file, or a built-in name (`catchup scenarios`).")
]


def load(scenario: str, sets: list[str] | None, seeds: int | None, base_seed: int | None = None) -> Any:
    """A scenario by name or path with `--set`, `--seeds` and `--base-seed` applied."""
    loaded = config.load_scenario(scenario)
    loaded = config.with_overrides(loaded, config.parse_assignments(sets), seeds=seeds)
    return experiments.with_seeds(loaded, base_seed=base_seed)


def run(
    scenario: ScenarioArg,
    seeds: Annotated[
        int | None,
        typer.Option("--seeds", min=1, max=1_000_000, help="Number of runs (default: the scenario's)."),
    ] = None,
    sets: Sets = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/<scenario name>).")
    ] = None,
    jobs: Jobs = 1,
    base_seed: Annotated[
        int | None, typer.Option("--base-seed", min=0, help="Base seed (default: the scenario's).")
    ] = None,
    quiet: Quiet = False,
    as_json: AsJson = False,
    figure: Annotated[
        bool, typer.Option(help="Also draw figures/trajectories.png in the output folder.")
    ] = True,
    overwrite: Overwrite = False,
) -> None:
    """Run a scenario's seeds and write manifest.json, runs, trajectories and windows tables."""
    with handled(), experiments.executor(jobs) as ex:  # workers start while the scenario loads
        loaded = load(scenario, sets, seeds, base_seed)
        target = default_out(out_dir, loaded.name)
        # The folder is checked and locked before the work; tables and figure land in one move.
        with results.writing(target, "run", loaded.name, overwrite):
            with progress(f"{loaded.name}: runs", loaded.seeds, quiet) as update:
                result = experiments.run(
                    loaded, executor=ex, on_progress=lambda done, total: update(completed=done)
                )
            draw = (
                (lambda folder: viz.draw(result, ["trajectories"], ("png",), out=folder / "figures"))
                if figure
                else None
            )
            result.save(target, overwrite=overwrite, extras=draw)
        info = analysis.summary(result) | {"folder": str(target)}
    if as_json:
        print_json(info)
    else:
        print_summary(info, target)


def print_summary(info: dict[str, Any], target: Path | None = None) -> None:
    """A run or case folder's summary: the headline, the measures with their 95% intervals and
    units, and the windows table (the same cells as the report's; `--json` has the numbers)."""
    for line in analysis.headline(info):
        say(line)
    if info["runs"]:
        table = Table(title="summary (95% bootstrap intervals)")
        for col in ("measure", "value [95% interval]", "unit"):
            table.add_column(col, justify="right" if col.startswith("value") else "left")
        for row in analysis.summary_rows(info):
            table.add_row(escape(row["measure"]), row["value"], escape(row["unit"]))
        out.print(table)
        windows = analysis.window_rows(info)
        view = Table(title="windows of opportunity")
        for col in windows[0]:
            view.add_column(col, justify="left" if col == "window" else "right")
        for row in windows:
            view.add_row(*map(escape, row.values()))
        out.print(view)
    if target is not None:
        say(f"results written to {target}/")


def summarise(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A run or case result folder.")],
    as_json: AsJson = False,
    fit: Annotated[bool, typer.Option("--fit", help="A case's fit to its dated facts instead.")] = False,
    fmt: Format = None,
) -> None:
    """A run or case folder's summary: catch-up, when, leadership, windows and cycles, with 95%
    intervals (the numbers of its report; a sweep's points: `catchup compare`)."""
    check_format(fmt)
    if as_json and fmt is not None:
        fail("--json and --format: give one (--json prints the numbers, --format a readable table)")
    with handled():
        if fit:
            case = results.ResultFolder.open(folder)
            if not case.has_table("fit"):
                fail(f"{folder}: --fit needs a case folder (`catchup cases`), not a {case.manifest.kind}")
            table = case.table("fit")
            if as_json:
                print_records(table)
                return
            print_readable(analysis.fit_rows(table), f"{folder}: fit to the dated facts", fmt)
            return
        info = analysis.summary(folder)
    if as_json:
        print_json(info)
    elif fmt is not None:
        import pandas as pd  # only here: `catchup --help` loads no pandas

        print_readable(pd.DataFrame(analysis.summary_rows(info)), "", fmt)
    else:
        print_summary(info)


def check(
    files: Annotated[list[Path], typer.Argument(help="Scenario, experiment or docking files to validate.")],
) -> None:
    """Validate scenario, case, experiment, docking and policy files without running them."""
    failed = False
    for path in files:
        try:
            with handled():
                loaded = config.load_file(path)
                if isinstance(loaded, config.Docking):
                    say(
                        f"{path}: ok (docking '{loaded.name}' on scenario '{loaded.baseline.name}', "
                        f"{len(loaded.statements)} statements, {len(loaded.counterfactuals)} counterfactuals)"
                    )
                    continue
                if isinstance(loaded, config.policy.PolicyProblem):
                    say(
                        f"{path}: ok (policy search '{loaded.name}' on scenario '{loaded.scenario.name}', "
                        f"{len(loaded.levers)} levers, objectives {', '.join(loaded.objectives)}, "
                        f"{loaded.runs_per_candidate} runs per candidate)"
                    )
                    continue
                if isinstance(loaded, config.Experiment):
                    exp = loaded
                    say(
                        f"{path}: ok (experiment '{exp.name}' on scenario '{exp.scenario.name}', "
                        f"{len(exp.points)} points x {exp.replications} replications = {exp.n_runs} runs)"
                    )
                    continue
                scenario = loaded
                facts = ""
                if scenario.calibration is not None:  # a case: its history and free parameters too
                    case = config.load_case(path)
                    facts = f", {len(case.targets)} calibration and {len(case.validation)} validation facts"
                say(
                    f"{path}: ok (scenario '{scenario.name}', {scenario.start_year:g}-{scenario.end_year:g}, "
                    f"{scenario.seeds} seeds, {len(scenario.events)} events{facts})"
                )
        except typer.Exit:
            failed = True
    if failed:
        raise typer.Exit(2)


def params(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown (as in docs/ODD.md).")
    ] = False,
) -> None:
    """Print the parameter table: name, type, default, range, unit, meaning, source."""
    if markdown:
        sys.stdout.write(config.markdown_table())
        return
    table = Table(title="catchup parameters", show_lines=False)
    for col in ("name", "type", "default", "range", "unit", "meaning", "source"):
        table.add_column(col, overflow="fold")
    for p in PARAMETERS:
        cells = (
            p.name,
            p.type.__name__,
            f"{p.default:g}",
            f"[{p.low:g}, {p.high:g}]",
            p.unit,
            p.meaning,
            p.source,
        )
        table.add_row(*map(escape, cells))
    out.print(table)


def scenarios() -> None:
    """List the built-in scenarios, cases, experiments, policy searches and dockings, usable by
    name (`catchup run baseline`, `catchup policy policy/speech`).

    A calibrated case also answers to its bare name: `catchup run speech` runs
    cases/speech.calibrated.
    """
    docking, policies = config.DOCKING, config.EXPERIMENTS / "policy"
    for title, folder, describe in (
        (
            "scenarios and cases (catchup run NAME)",
            config.SCENARIOS,
            lambda p: config.load_scenario(p).description,
        ),
        (
            "experiments (catchup sweep NAME)",
            config.EXPERIMENTS,
            lambda p: config.load_experiment(p).description,
        ),
        (
            "policy searches (catchup policy NAME)",
            policies,
            lambda p: config.policy.load_policy(p).description,
        ),
        (
            "dockings with published models (catchup dock NAME)",
            docking,
            lambda p: config.load_docking(p).reference,
        ),
    ):
        table = Table(title=f"built-in {title}")
        for col in ("name", "description"):
            table.add_column(col, overflow="fold")
        for name, path in config.builtin_names(folder).items():
            if (folder != docking and path.is_relative_to(docking)) or (
                folder != policies and path.is_relative_to(policies)
            ):
                continue  # listed in their own table
            name = f"policy/{name}" if folder == policies else name  # the name `catchup policy` takes
            alias = config.short_name(path)
            table.add_row(f"{name} (or {alias})" if alias else name, describe(path))
        out.print(table)
