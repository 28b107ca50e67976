"""The `catchup` command line: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from catchup.experiment import is_experiment_file, load_experiment
from catchup.params import PARAMETERS, markdown_table, parse_assignment
from catchup.run import run as run_scenario
from catchup.run import summary, write_results
from catchup.scenario import ScenarioError, load_scenario, with_overrides

app = typer.Typer(
    help="catchup: simulate technological catch-up by latecomer firms and detect windows of opportunity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Wide tables stay readable when output goes to a file or a pipe.
out = Console() if sys.stdout.isatty() else Console(width=220)
err = Console(stderr=True)

EXIT_BAD_INPUT = 2
AnalysisLikeError = (ValueError, FileNotFoundError, KeyError)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _scenario_with_overrides(path: Path, assignments: list[str] | None, seeds: int | None):
    """Load a scenario and apply `--set` and `--seeds`, failing with a clear message."""
    try:
        scenario = load_scenario(path)
        overrides = dict(parse_assignment(s) for s in (assignments or []))
    except (ScenarioError, ValueError) as exc:
        _fail(str(exc))
    return with_overrides(scenario, overrides, seeds=seeds)


def _version(value: bool) -> None:
    if value:
        from catchup import __version__

        out.print(f"catchup {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """catchup: simulate technological catch-up by latecomer firms."""


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Scenario or experiment files to validate.")],
) -> None:
    """Validate scenario and experiment files without running them."""
    failed = False
    for path in files:
        try:
            if is_experiment_file(path):
                exp = load_experiment(path)
                out.print(
                    f"{path}: ok (experiment '{exp.name}' on scenario '{exp.scenario.name}', "
                    f"{len(exp.points)} points x {exp.replications} replications = {exp.n_runs} runs)",
                    highlight=False,
                )
                continue
            scenario = load_scenario(path)
        except ScenarioError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            failed = True
            continue
        out.print(
            f"{path}: ok (scenario '{scenario.name}', {scenario.start_year:g}-{scenario.end_year:g}, "
            f"{scenario.seeds} seeds, {len(scenario.events)} events)",
            highlight=False,
        )
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def params(
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the table as Markdown (as in docs/ODD.md).")
    ] = False,
) -> None:
    """Print the parameter table: name, type, default, range, unit, meaning, source."""
    if markdown:
        sys.stdout.write(markdown_table())
        return
    table = Table(title="catchup parameters", show_lines=False)
    for col in ("name", "type", "default", "range", "unit", "meaning"):
        table.add_column(col, overflow="fold")
    for p in PARAMETERS:
        table.add_row(
            p.name, p.type.__name__, f"{p.default:g}", f"[{p.low:g}, {p.high:g}]", p.unit, p.meaning
        )
    out.print(table)


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario TOML file.")],
    seeds: Annotated[
        int | None, typer.Option("--seeds", min=1, help="Number of runs (default: the scenario's).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a parameter: name=value (repeatable); see `catchup params`."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/<scenario name>).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    base_seed: Annotated[
        int | None, typer.Option("--base-seed", min=0, help="Base seed (default: the scenario's).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    figure: Annotated[
        bool, typer.Option(help="Also draw figures/trajectories.png in the output folder.")
    ] = True,
) -> None:
    """Run a scenario's seeds and write manifest.json, runs, trajectories and windows tables."""
    scenario = _scenario_with_overrides(scenario_file, set_, seeds)
    if base_seed is not None:
        scenario = replace(scenario, base_seed=base_seed)
    target = out_dir or Path("results") / scenario.name
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=quiet,
        transient=False,
    ) as progress:
        task = progress.add_task(f"{scenario.name}: runs", total=scenario.seeds)
        result = run_scenario(
            scenario, jobs=jobs, on_progress=lambda done, total: progress.update(task, completed=done)
        )
    write_results(result, target)
    if figure:
        from catchup.report import draw

        draw(target, ["trajectories"], formats=("png",))
    info = summary(result)
    if as_json:
        sys.stdout.write(json.dumps(info, indent=2) + "\n")
    else:
        _print_summary(info, scenario.name, target)


def _print_summary(info: dict, name: str, target: Path) -> None:
    median = info["median_catch_up_year"]
    out.print(
        f"[bold]{name}[/]: {info['runs']} runs, catch-up in {info['catch_up_share']:.0%}"
        f" (median year {median:.1f})"
        if median is not None
        else f"[bold]{name}[/]: {info['runs']} runs, catch-up in {info['catch_up_share']:.0%}",
        highlight=False,
    )
    table = Table(title="windows of opportunity")
    for col in ("type", "runs with window", "runs seizing it", "windows", "seized"):
        table.add_column(col, justify="right" if col != "type" else "left")
    for kind, w in info["windows"].items():
        table.add_row(
            kind,
            f"{w['runs_with_window']:.0%}",
            f"{w['runs_seizing']:.0%}",
            str(w["windows"]),
            str(w["seized"]),
        )
    out.print(table)
    out.print(f"results written to {target}/", highlight=False)


@app.command()
def sweep(
    experiment_file: Annotated[Path, typer.Argument(metavar="EXPERIMENT", help="Experiment TOML file.")],
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, help="Local worker processes (or LocalCluster workers).")
    ] = 1,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Dask scheduler: tcp://host:port, or 'local' for a LocalCluster here."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/<experiment name>).")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted sweep in --out.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Run every point x replication of an experiment, streaming results to disk in chunks."""
    from catchup.sweep import SweepError
    from catchup.sweep import sweep as run_sweep

    try:
        experiment = load_experiment(experiment_file)
    except ScenarioError as exc:
        _fail(str(exc))
    target = out_dir or Path("results") / experiment.name
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs · {task.fields[points]} points · {task.fields[rate]} runs/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    try:
        with Progress(*columns, console=err, disable=quiet) as progress:
            task = progress.add_task(experiment.name, total=experiment.n_runs, points="0/0", rate="-")

            def show(p) -> None:
                progress.update(
                    task,
                    completed=p.runs_done,
                    points=f"{p.points_done}/{p.points_total}",
                    rate=f"{p.runs_per_second:.1f}",
                )

            run_sweep(experiment, target, jobs=jobs, scheduler=scheduler, resume=resume, on_progress=show)
    except SweepError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        err.print(
            f"[bold yellow]interrupted:[/] finished chunks are kept in {target}/; "
            f"continue with: catchup sweep {experiment_file} --out {target} --resume",
            highlight=False,
        )
        raise typer.Exit(130) from None
    out.print(f"sweep '{experiment.name}': {experiment.n_runs} runs written to {target}/", highlight=False)


COMPARE_COLUMNS = (
    ("catch_up_probability", "P(catch-up)", "{:.2f}"),
    ("catch_up_year_median", "median year", "{:.1f}"),
    ("leadership_probability", "P(lead)", "{:.2f}"),
    ("final_home_share_home_market", "home share", "{:.2f}"),
    ("technological_opened", "tech win", "{:.2f}"),
    ("demand_opened", "demand win", "{:.2f}"),
    ("institutional_opened", "inst. win", "{:.2f}"),
)


def _label(value) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:g}"
    return str(value)


def _interval(row, key: str, fmt: str) -> str:
    value, low, high = row.get(key), row.get(f"{key}_low"), row.get(f"{key}_high")
    if value is None or value != value:
        return "-"
    text = fmt.format(value)
    if low is not None and low == low and high == high:
        text += f" [{fmt.format(low)}-{fmt.format(high)}]"
    return text


@app.command()
def compare(
    folders: Annotated[
        list[Path], typer.Argument(metavar="DIR...", help="Folders of `catchup run` or `sweep`.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full table as JSON records.")] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write the table (.csv or .parquet).")
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option("--reference", help="Counterfactual sweeps: the factor level to compare against."),
    ] = None,
) -> None:
    """Per scenario or sweep point: catch-up probability, years, shares, windows, cycles, 95% intervals.

    With --reference LEVEL (one sweep of counterfactuals): every level's outcomes and their
    change from LEVEL, with 95% bootstrap intervals; a calibrated case's dated facts too.
    """
    from catchup.analysis import AnalysisError
    from catchup.analysis import compare as compare_folders

    if reference is not None:
        _compare_counterfactuals(folders, reference, as_json, out_file)
        return
    try:
        table = compare_folders(folders)
    except (AnalysisError, FileNotFoundError) as exc:
        _fail(str(exc))
    if _write_or_print_json(table, out_file, as_json):
        return
    view = Table(title="comparison (95% bootstrap intervals)")
    label_cols = [c for c in table.columns[: table.columns.get_loc("n_runs")] if c != "source"]
    for col in label_cols:
        view.add_column(col)
    view.add_column("runs", justify="right")
    for _, label, _ in COMPARE_COLUMNS:
        view.add_column(label, justify="right")
    cycles = [c for c in table.columns if c.startswith("cycle_")]
    if cycles:
        view.add_column("cycles (persist/abort/coexist/change/return)", justify="right")
    for _, row in table.iterrows():
        cells = [_label(row[c]) for c in label_cols] + [str(row["n_runs"])]
        cells += [_interval(row, key, fmt) for key, _, fmt in COMPARE_COLUMNS]
        if cycles:
            cells.append("/".join("-" if row[c] != row[c] else str(int(row[c])) for c in cycles))
        view.add_row(*cells)
    out.print(view)


def _compare_counterfactuals(
    folders: list[Path], reference: str, as_json: bool, out_file: Path | None
) -> None:
    from catchup.analysis import AnalysisError, counterfactuals

    if len(folders) != 1:
        _fail("--reference compares the levels within one sweep folder (give exactly one DIR)")
    try:
        table = counterfactuals(folders[0], reference)
    except (AnalysisError, FileNotFoundError) as exc:
        _fail(str(exc))
    if _write_or_print_json(table, out_file, as_json):
        return
    factor = table.columns[0]
    view = Table(title=f"{folders[0]}: counterfactuals against {reference!r} (95% bootstrap intervals)")
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
        view.add_row(str(getattr(r, factor)), r.outcome, value, change)
    out.print(view)


def _write_or_print_json(table, out_file: Path | None, as_json: bool) -> bool:
    """Write the table if asked; print it as JSON if asked (then the caller prints nothing else)."""
    if out_file:
        _write_table(table, out_file)
    if as_json:
        sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")
    return as_json


def _write_table(table, path: Path) -> None:
    from catchup.run import atomic_path

    with atomic_path(path) as tmp:
        if path.suffix == ".parquet":
            table.to_parquet(tmp, index=False)
        else:
            table.to_csv(tmp, index=False)


@app.command()
def sensitivity(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of a sweep with a sobol or morris design.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the indices as JSON records.")] = False,
) -> None:
    """Sobol or Morris indices (SALib) of every outcome on every swept parameter (DIR/sensitivity.csv)."""
    from catchup.analysis import AnalysisError
    from catchup.analysis import sensitivity as sensitivity_of

    try:
        table = sensitivity_of(folder)
    except (AnalysisError, FileNotFoundError) as exc:
        _fail(str(exc))
    _write_table(table, folder / "sensitivity.csv")
    if as_json:
        sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")
        return
    wide = table[table["statistic"] == "mean"].pivot_table(
        index=["outcome", "parameter"], columns="index", values="value"
    )
    view = Table(title=f"sensitivity of the mean over seeds ({folder}/sensitivity.csv has all indices)")
    view.add_column("outcome")
    view.add_column("parameter")
    for col in wide.columns:
        view.add_column(col, justify="right")
    for (outcome, parameter), row in wide.iterrows():
        view.add_row(outcome, parameter, *[f"{v:.3f}" for v in row])
    out.print(view)


@app.command()
def attribute(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario TOML file.")],
    seeds: Annotated[
        int | None, typer.Option("--seeds", min=2, help="Runs per variant (default: the scenario's).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Override a parameter: name=value (repeatable).")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for attribution.csv (default results/<name>).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the table as JSON records.")] = False,
) -> None:
    """Which window made the difference: close each window source in turn, with the same seeds."""
    from catchup.analysis import attribute as attribute_windows

    scenario = _scenario_with_overrides(scenario_file, set_, seeds)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task(f"{scenario.name}: variants", total=7)
        table = attribute_windows(scenario, jobs=jobs, on_progress=lambda name: progress.advance(task))
    target = out_dir or Path("results") / scenario.name
    target.mkdir(parents=True, exist_ok=True)
    _write_table(table, target / "attribution.csv")
    if as_json:
        sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")
        return
    view = Table(title=f"window attribution: {scenario.name} ({scenario.seeds} paired runs per variant)")
    for col in ("closed", "P(catch-up)", "drop in P [95%]", "delay, years [95%]", "median year"):
        view.add_column(col, justify="left" if col == "closed" else "right")
    for _, row in table.iterrows():
        view.add_row(
            row["closed"],
            f"{row['catch_up_probability']:.2f}",
            _interval(row, "probability_drop", "{:.2f}"),
            _interval(row, "catch_up_delay_years", "{:.1f}"),
            "-"
            if row["median_catch_up_year"] != row["median_catch_up_year"]
            else f"{row['median_catch_up_year']:.1f}",
        )
    out.print(view)
    out.print(f"table written to {target}/attribution.csv", highlight=False)


@app.command()
def plot(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of `catchup run`, `sweep` or `attribute`.")
    ],
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="trajectories, compare, sweep, window-map, sensitivity, attribution (repeatable)."
        ),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: png (300 dpi), svg, pdf.")
    ] = "png,svg",
    with_: Annotated[
        list[Path] | None, typer.Option("--with", help="More `catchup run` folders for --kind compare.")
    ] = None,
    x: Annotated[str | None, typer.Option("--x", help="Sweep heatmap: parameter on the x axis.")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Sweep heatmap: parameter on the y axis.")] = None,
    outcome: Annotated[
        str,
        typer.Option("--outcome", help="Sweep/window-map outcome (a runs column, or catch_up_probability)."),
    ] = "catch_up_probability",
    fix: Annotated[
        list[str] | None,
        typer.Option("--fix", help="Sweep heatmap: keep only points with name=value (repeatable)."),
    ] = None,
) -> None:
    """Draw figures into DIR/figures/ (every figure the folder allows when no --kind is given)."""
    from catchup.report import draw

    fixed = {}
    for item in fix or []:
        name, _, value = item.partition("=")
        try:
            fixed[name.strip()] = float(value)
        except ValueError:
            _fail(f"--fix expects name=value with a number, got {item!r}")
    try:
        written = draw(
            folder,
            kind,
            [f.strip() for f in formats.split(",") if f.strip()],
            with_ or [],
            x,
            y,
            outcome,
            fixed,
        )
    except AnalysisLikeError as exc:  # ReportError is a ValueError
        _fail(str(exc))
    if not written:
        _fail(f"{folder}: nothing to draw (no trajectories, sweep or attribution table found)")
    for name, paths in written.items():
        out.print(f"{name}: " + ", ".join(str(p) for p in paths), highlight=False)


@app.command()
def report(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of `catchup run` or `catchup sweep`.")
    ],
) -> None:
    """Write DIR/report.html: one self-contained file with the setup, tables and figures."""
    from catchup.report import report as write_report

    try:
        path = write_report(folder)
    except AnalysisLikeError as exc:  # ReportError is a ValueError
        _fail(str(exc))
    out.print(f"report written to {path}", highlight=False)


@app.command()
def dashboard(
    host: Annotated[str, typer.Option("--host", help="Interface to serve on.")] = "localhost",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8765,
    scenarios: Annotated[
        Path, typer.Option("--scenarios", help="Folder of scenario files to pick from.")
    ] = Path("scenarios"),
) -> None:
    """Serve the interactive dashboard (Mesa SolaraViz) in the browser: `solara run` underneath."""
    import importlib.util
    import os
    import subprocess

    if importlib.util.find_spec("solara") is None:
        _fail("the dashboard needs the optional extra: pip install -e '.[dashboard]' (or `make dashboard`)")
    if not scenarios.is_dir():
        _fail(f"--scenarios {scenarios}: no such folder (allowed: a folder of scenario TOML files)")
    env = {**os.environ, "CATCHUP_SCENARIOS": str(scenarios.resolve())}
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "catchup.dashboard",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]
    out.print(f"serving the catchup dashboard on http://{host}:{port}/ (Ctrl-C stops it)", highlight=False)
    try:
        raise typer.Exit(subprocess.call(command, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


# -- historical cases ----------------------------------------------------------------

CasesDir = Annotated[Path, typer.Option("--cases-dir", help="Folder of case files.")]


def _fit_table_view(fit, title: str) -> Table:
    table = Table(title=title)
    for col in ("target", "range", "history", "median", "10-90% of runs", "inside"):
        table.add_column(col, justify="left" if col == "target" else "right")
    for r in fit.itertuples(index=False):
        is_share = not r.target.endswith("_year")
        fmt = "{:.3f}" if is_share else "{:.2f}"
        median = "never" if r.median != r.median else fmt.format(r.median)
        spread = "-" if r.q10 != r.q10 else f"{fmt.format(r.q10)}-{fmt.format(r.q90)}"
        table.add_row(
            r.target,
            f"{fmt.format(r.low)}-{fmt.format(r.high)}",
            fmt.format(r.history),
            median,
            spread,
            "[green]yes[/]" if r.inside else "[red]no[/]",
        )
    return table


@app.command()
def calibrate(
    case: Annotated[str, typer.Argument(help="Case name (speech, shield, ...) or path to a case TOML file.")],
    trials: Annotated[
        int | None,
        typer.Option("--trials", min=1, help="Finished trials the study should hold (default: the case's)."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes per trial's seeds.")] = 1,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="Optuna storage URL (default sqlite:///results/cases/<case>/calibration.db); share it to "
            "run several workers on one study.",
        ),
    ] = None,
    cases_dir: CasesDir = Path("scenarios/cases"),
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Fit a case's free parameters to its dated facts (Optuna); write <case>.calibrated.toml."""
    from catchup.calibrate import calibrate as run_calibration
    from catchup.calibrate import case_path, load_case, write_calibrated, write_fit

    try:
        path = case_path(case, cases_dir)
        loaded = load_case(path)
    except ScenarioError as exc:
        _fail(str(exc))
    n = trials or loaded.scenario.calibration["trials"]
    target_dir = Path("results/cases") / loaded.scenario.name
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("trials · best {task.fields[best]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=quiet,
        ) as progress:
            task = progress.add_task(f"calibrate {loaded.scenario.name}", total=n, best="-")
            result = run_calibration(
                loaded,
                n,
                jobs=jobs,
                storage=storage,
                on_trial=lambda done, total, best: progress.update(task, completed=done, best=f"{best:.4f}"),
            )
    except KeyboardInterrupt:
        err.print(
            f"[bold yellow]interrupted:[/] finished trials are kept in the study; continue with: "
            f"catchup calibrate {case}" + (f" --storage {storage}" if storage else ""),
            highlight=False,
        )
        raise typer.Exit(130) from None
    except Exception as exc:  # storage URLs and database errors come from Optuna/SQLAlchemy
        if type(exc).__module__.split(".")[0] in ("optuna", "sqlalchemy"):
            _fail(f"--storage {storage}: {exc}")
        raise
    written = write_calibrated(result, path)
    fit_file = write_fit(result.fit, target_dir / "calibration_fit.csv")
    out.print(_fit_table_view(result.fit, f"{loaded.scenario.name}: fit on the calibration seeds"))
    values = ", ".join(f"{k} = {v:.4g}" for k, v in result.values.items())
    out.print(f"best of {result.trials} trials (objective {result.objective:.4f}): {values}", highlight=False)
    out.print(f"wrote {written} and {fit_file}", highlight=False)


@app.command()
def validate(
    case: Annotated[str, typer.Argument(help="Case name or path to a (calibrated) case TOML file.")],
    seeds: Annotated[
        int | None, typer.Option("--seeds", min=1, help="Fresh runs (default: as many as calibration used).")
    ] = None,
    base_seed: Annotated[
        int | None,
        typer.Option("--base-seed", min=0, help="Root of the fresh seeds (default: calibration's + 1)."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit table as JSON.")] = False,
    cases_dir: CasesDir = Path("scenarios/cases"),
) -> None:
    """Re-run a calibrated case on fresh seeds and print its fit table; exit 1 if a target is missed."""
    from catchup.calibrate import case_path, fit_records, load_case, stale_reason
    from catchup.calibrate import validate as run_validation

    try:
        path = case_path(case, cases_dir, calibrated=True)
        loaded = load_case(path)
        if loaded.scenario.calibrated is None:
            _fail(f"{path}: not a calibrated file (no [calibrated] table); run `catchup calibrate` first")
        stale = stale_reason(loaded, path.with_name(path.name.replace(".calibrated", "")))
    except ScenarioError as exc:
        _fail(str(exc))
    if stale:
        err.print(f"[bold yellow]warning:[/] {path}: {stale}; re-run `catchup calibrate`", highlight=False)
    result = run_validation(loaded, seeds=seeds, base_seed=base_seed, jobs=jobs)
    if as_json:
        payload = {k: v for k, v in result.items() if k != "fit"} | {"fit": fit_records(result["fit"])}
        payload["stale"] = stale
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        title = f"{result['case']}: fit on {result['seeds']} fresh seeds (base seed {result['base_seed']})"
        out.print(_fit_table_view(result["fit"], title))
        verdict = "every target inside its range" if result["all_inside"] else "some targets missed"
        out.print(f"{result['case']}: {verdict}", highlight=False)
    if not result["all_inside"]:
        raise typer.Exit(1)


@app.command()
def cases(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CASE]...", help="Cases to replicate (default: every calibrated case)."),
    ] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Fresh runs per case.")] = 16,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("results/cases"),
    cases_dir: CasesDir = Path("scenarios/cases"),
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Replicate calibrated cases on fresh seeds: tables, fit and history figure per case, a summary."""
    from catchup.calibrate import case_path
    from catchup.cases import calibrated_cases, replicate, write_summary

    wanted = list(names or calibrated_cases(cases_dir))
    if not wanted:
        _fail(f"{cases_dir}: no calibrated cases (run `catchup calibrate CASE` first)")
    try:
        files = [case_path(name, cases_dir, calibrated=True) for name in wanted]
    except ScenarioError as exc:
        _fail(str(exc))
    results = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
    ) as progress:
        for name, path in zip(wanted, files, strict=True):
            task = progress.add_task(f"{name}: runs", total=seeds)
            try:
                results.append(
                    replicate(
                        path,
                        out_dir,
                        seeds,
                        jobs=jobs,
                        on_progress=lambda done, total, task=task: progress.update(task, completed=done),
                    )
                )
            except ScenarioError as exc:
                _fail(str(exc))
    summary_file = write_summary(results, out_dir)
    table = Table(title=f"historical cases on {seeds} fresh seeds each")
    for col in ("case", "targets inside", "catch-up", "median catch-up year", "history figure"):
        table.add_column(col)
    for r in results:
        year = r["median_catch_up_year"]
        table.add_row(
            r["case"],
            f"{r['targets_inside']}/{r['targets']}",
            f"{r['catch_up_share']:.0%}",
            "-" if year is None else f"{year:.1f}",
            str(r["figure"]),
        )
    out.print(table)
    for r in results:
        missed = r["targets"] - r["targets_inside"]
        if missed:
            err.print(
                f"[bold yellow]warning:[/] {r['case']}: {missed} target(s) outside their range "
                f"on these {seeds} seeds (see {r['folder']}/fit.csv)",
                highlight=False,
            )
    out.print(f"summary: {summary_file}; fit tables: {out_dir}/<case>/fit.csv", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()
