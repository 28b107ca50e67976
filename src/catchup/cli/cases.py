"""`catchup calibrate`, `validate` and `cases`: the historical cases against their dated facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import TextColumn
from rich.table import Table

import catchup.analysis as analysis
import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results
import catchup.viz as viz
from catchup.cli.common import (
    Jobs,
    Overwrite,
    Quiet,
    fail,
    handled,
    interrupted,
    out,
    print_json,
    progress,
    say,
    warn,
)

if TYPE_CHECKING:
    import pandas as pd

CasesDir = Annotated[
    Path, typer.Option("--cases-dir", help="Folder of case files (default: the built-in cases).")
]
CaseArg = Annotated[str, typer.Argument(help="Case name (speech, shield, ...) or path to a case TOML file.")]


def fit_view(fit: pd.DataFrame, title: str) -> Table:
    """A fit table in the report's words and formats, inside or not in colour."""
    rows = analysis.fit_rows(fit).drop(columns="source")
    table = Table(title=escape(title))
    for col in rows.columns:
        table.add_column(col, justify="left" if col in ("dated fact", "used for") else "right")
    for row in rows.itertuples(index=False):
        *cells, inside = (escape(str(v)) for v in row)
        table.add_row(*cells, "[green]yes[/]" if inside == "yes" else "[red]no[/]")
    return table


def identification_view(table: pd.DataFrame, title: str) -> Table:
    """Each free parameter's rise of the objective at -20% and +20%: flat means not identified."""
    view = Table(title=escape(title))
    for col in ("parameter", "value", "bounds", "rise at -20%", "rise at +20%", "note"):
        view.add_column(col, justify="left" if col in ("parameter", "note") else "right")
    for r in table.itertuples(index=False):
        notes = [n for n, on in (("within 5% of a bound", r.at_bound), ("prior", r.prior)) if on]
        notes += ["step clipped to the bounds"] if r.clipped else []
        view.add_row(
            r.parameter,
            f"{r.value:.4g}",
            f"{r.low:g}-{r.high:g}",
            f"{r.rise_minus:+.4f}",
            f"{r.rise_plus:+.4f}",
            ", ".join(notes),
        )
    return view


def calibrate(
    case: CaseArg,
    trials: Annotated[
        int | None,
        typer.Option("--trials", min=1, help="Finished trials the study should hold (default: the case's)."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes per trial's seeds.")] = 1,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="Optuna storage URL (default sqlite:///results/calibration/<case>/calibration.db); share "
            "it to run several workers on one study.",
        ),
    ] = None,
    cases_dir: CasesDir = config.CASES,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace <case>.calibrated.toml even if it has a better objective than this search.",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Fit a case's free parameters to its dated facts (Optuna); write <case>.calibrated.toml.

    The result is written first as results/calibration/<case>/candidate.calibrated.toml, and
    replaces <case>.calibrated.toml only when that file is missing, stale or has a worse
    objective (or with --overwrite)."""
    with handled():
        path = config.case_path(case, cases_dir)
        loaded = config.load_case(path)
        n = trials or loaded.calibration["trials"]
        columns = (TextColumn("trials · best {task.fields[best]}"),)
        try:
            with (
                experiments.executor(jobs) as ex,
                progress(f"calibrate {loaded.scenario.name}", n, quiet, columns, best="-") as update,
            ):
                result = experiments.calibrate(
                    loaded,
                    n,
                    executor=ex,
                    storage=storage,
                    on_trial=lambda done, total, best: update(completed=done, best=f"{best:.4f}"),
                )
        except KeyboardInterrupt:
            interrupted(
                f"finished trials are kept in the study; continue with: catchup calibrate {case}"
                + (f" --storage {storage}" if storage else "")
            )
        except Exception as exc:  # storage URLs and database errors come from Optuna/SQLAlchemy
            if type(exc).__module__.split(".")[0] in ("optuna", "sqlalchemy"):
                fail(f"--storage {storage}: {exc}")
            raise
        where = experiments.RESULTS / loaded.scenario.name
        candidate = config.write_calibrated(
            loaded, path, result.values, result.search(), target=where / "candidate.calibrated.toml"
        )
        kept = None if overwrite else config.keep_reason(path, result.objective)
        written = candidate if kept else config.write_calibrated(loaded, path, result.values, result.search())
        fit_file = results.write_table(result.fit, where / "calibration_fit.csv", "csv")
        results.write_table(result.identification, where / "identification.csv", "csv")
    out.print(fit_view(result.fit, f"{loaded.scenario.name}: fit on the calibration seeds"))
    out.print(identification_view(result.identification, f"{loaded.scenario.name}: identification"))
    values = ", ".join(f"{k} = {v:.4g}" for k, v in result.values.items())
    say(f"best of {result.trials} trials (objective {result.objective:.4f}): {values}")
    for name in result.near_bounds():
        warn(
            f"{name} = {result.values[name]:.4g} ended within 5% of a bound {list(loaded.free[name])}: "
            "the bound, not the facts, may be holding it (say why in the case file, or widen the bound)"
        )
    if kept:
        warn(f"kept it: {kept}; this search's result is in {written} (--overwrite replaces it)")
    say(f"wrote {written} and {fit_file}")


def validate(
    case: Annotated[str, typer.Argument(help="Case name or path to a (calibrated) case TOML file.")],
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds", min=1, max=1_000_000, help="Fresh runs (default: as many as calibration used)."
        ),
    ] = None,
    base_seed: Annotated[
        int | None,
        typer.Option("--base-seed", min=0, help="Root of the fresh seeds (default: calibration's + 1)."),
    ] = None,
    roots: Annotated[
        int,
        typer.Option(
            "--roots",
            min=1,
            max=100,
            help="Seed roots, each with --seeds runs (base seed, base seed + 1, ...); the case fits only "
            "when every calibration target is inside on all of them.",
        ),
    ] = 1,
    jobs: Jobs = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the fit tables as JSON.")] = False,
    cases_dir: CasesDir = config.CASES,
) -> None:
    """Re-run a calibrated case on fresh seeds and print its fit tables, calibration and validation
    facts apart; exit 1 if a calibration target is missed on any root (validation misses are reported,
    not failed)."""
    with handled():
        path = config.case_path(case, cases_dir, calibrated=True)
        loaded = config.load_case(path)
        if loaded.scenario.calibrated is None:
            fail(f"{path}: not a calibrated file (no [calibrated] table); run `catchup calibrate` first")
        stale = config.stale_reason(loaded, config.base_case_file(path))
        if stale:
            warn(f"{path}: {stale}; re-run `catchup calibrate`")
        result = experiments.validate(loaded, seeds=seeds, base_seed=base_seed, roots=roots, jobs=jobs)
    if as_json:
        fit = result["fit"]
        payload: dict[str, Any] = {k: v for k, v in result.items() if k != "fit"}
        payload["fit"] = json.loads(fit.to_json(orient="records"))
        payload["stale"] = stale
        print_json(payload)
    else:
        for root, fit in result["fit"].groupby("root", sort=False):
            for use, label in (("calibrate", "calibration facts"), ("validate", "validation facts")):
                part = fit[fit["use"] == use]
                if len(part):
                    title = f"{result['case']}: {label}, {result['seeds']} fresh seeds (root {root})"
                    out.print(fit_view(part, title))
        verdict = (
            "every calibration target inside its range"
            if result["all_inside"]
            else "calibration targets missed"
        )
        share = result["validation_inside"]
        said = (
            f"{share:.0%} of validation facts inside (over {roots} root(s))"
            if result["validation_facts"]
            else "no validation facts"
        )
        say(f"{result['case']}: {verdict} on {roots} root(s); {said}")
    if not result["all_inside"]:
        raise typer.Exit(1)


def cases(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CASE]...", help="Cases to replicate (default: every calibrated case)."),
    ] = None,
    seeds: Annotated[
        int | None,
        typer.Option(
            "--seeds",
            min=1,
            max=1_000_000,
            help="Fresh runs per case (default: as many as its calibration used, so the fit is the "
            "one `catchup validate` reports on its first root).",
        ),
    ] = None,
    jobs: Jobs = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("results/cases"),
    cases_dir: CasesDir = config.CASES,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Replicate calibrated cases on fresh seeds: tables, fit and history figure per case, a summary."""
    folder = cases_dir
    with handled(), experiments.executor(jobs) as ex:
        wanted = list(names or config.calibrated_cases(folder))
        if not wanted:
            fail(f"{folder}: no calibrated cases (run `catchup calibrate CASE` first)")
        files = [config.case_path(name, folder, calibrated=True) for name in wanted]
        names = [config.load_scenario(path).name for path in files]
        twins = sorted({n for n in names if names.count(n) > 1})
        if twins:
            fail(
                f"cases {', '.join(twins)}: given more than once, or two case files share a scenario name "
                f"(each case is written to {out_dir}/<name>/; give each case file its own name)"
            )
        for name in names:
            results.ResultFolder.check_target(out_dir / name, "case", name, overwrite)
        rows = []
        for name, path in zip(wanted, files, strict=True):
            n = seeds or config.load_case(path).calibration["seeds"]
            with progress(f"{name}: runs", n, quiet) as update:
                result = experiments.replicate(
                    path,
                    out_dir,
                    n,
                    executor=ex,
                    overwrite=overwrite,
                    on_progress=lambda done, total: update(completed=done),
                )
            figures = viz.draw(result, ["history", "trajectories"], ("png", "svg"))
            rows.append(analysis.case_summary(result) | {"figure": figures["history"][0]})
        summary_file = viz.write_summary(rows, out_dir)
    table = Table(title="historical cases on fresh seeds (the first validation root)")
    for col in (
        "case",
        "seeds",
        "calibration facts",
        "validation facts",
        "catch-up",
        "median catch-up year",
        "history figure",
    ):
        table.add_column(col)
    for r in rows:
        year = r["median_catch_up_year"]
        table.add_row(
            r["case"],
            str(r["seeds"]),
            f"{r['targets_inside']}/{r['targets']}",
            f"{r['validation_inside']}/{r['validation_facts']}",
            f"{r['catch_up_share']:.0%}",
            "-" if year is None else f"{year:.1f}",
            escape(str(r["figure"])),
        )
    out.print(table)
    for r in rows:
        missed = r["targets"] - r["targets_inside"]
        if missed:
            warn(
                f"{r['case']}: {missed} calibration target(s) outside their range on these "
                f"{r['seeds']} seeds (see {r['folder']}/fit.csv)"
            )
    say(f"summary: {summary_file}; fit tables: {out_dir}/<case>/fit.csv")
