"""`catchup policy` and `catchup policy-point`: a multi-objective search over policy levers,
and the scenario file of a point on its Pareto front, checked on fresh seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import TextColumn
from rich.table import Table

import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results
import catchup.viz as viz
from catchup.cli.common import Jobs, Overwrite, Quiet, fail, handled, interrupted, out, progress, say, warn


def _split(values: list[str] | None) -> list[str]:
    """Repeatable options that also take comma-separated lists."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _bounds(values: list[str] | None, option: str) -> dict[str, tuple[float, float] | None]:
    """NAME or NAME=LOW:HIGH items of a repeatable option; a name given twice is an error."""
    out: dict[str, tuple[float, float] | None] = {}
    for text in _split(values):
        name, bounds = config.policy.parse_bounds(text, option)
        if name in out:
            fail(f"{option} {name}: given twice (give each once)")
        out[name] = bounds
    return out


def _other_study(folder: Path, study: str) -> str | None:
    """The study of a policy result already in `folder`, when it is another search's."""
    if not results.ResultFolder.holds_results(folder):
        return None
    found = results.ResultFolder.open(folder).manifest
    other = found.details.get("study") if found.kind == "policy" else None
    return other if other and other != study else None


def _number(name: str, value: float) -> str:
    """Years with one decimal, everything else with three significant digits."""
    return f"{value:.1f}" if name.endswith(("_year", "_start", "_years")) else f"{value:.3g}"


def front_view(front, objectives: list[str], levers: list[str], title: str) -> Table:
    """The front, sorted by the last objective (ascending): objectives with their intervals, then
    every lever's value."""
    view = Table(title=escape(title))
    for col in ("trial", *objectives, *levers):
        view.add_column(col, justify="right", overflow="fold")
    for _, row in front.sort_values(objectives[-1]).iterrows():
        cells = [str(int(row["trial"]))]
        for o in objectives:
            cells.append(
                f"{_number(o, row[o])} [{_number(o, row[f'{o}_low'])}-{_number(o, row[f'{o}_high'])}]"
            )
        cells += [_number(lever, row[lever]) for lever in levers]
        view.add_row(*cells)
    return view


def policy(
    target: Annotated[
        str,
        typer.Argument(
            metavar="SCENARIO",
            help="A scenario (name or file), or a policy file "
            "(TOML with a levers table, see experiments/policy/).",
        ),
    ],
    levers: Annotated[
        list[str] | None,
        typer.Option(
            "--levers",
            help="Levers to search, NAME or NAME=LOW:HIGH, comma-separated or repeated: "
            + ", ".join(config.levers.LEVERS)
            + " (a policy file's levers are kept; these add to or replace them).",
        ),
    ] = None,
    objectives: Annotated[
        list[str] | None,
        typer.Option(
            "--objectives",
            help="Two to four of: " + ", ".join(config.levers.OBJECTIVES) + " (comma-separated or repeated).",
        ),
    ] = None,
    uncertain: Annotated[
        list[str] | None,
        typer.Option(
            "--uncertain",
            help="Non-policy parameter to judge every candidate over, NAME=LOW:HIGH "
            "(robustness; repeatable).",
        ),
    ] = None,
    samples: Annotated[
        int | None, typer.Option("--samples", min=1, max=64, help="Latin hypercube points of --uncertain.")
    ] = None,
    trials: Annotated[
        int | None, typer.Option("--trials", min=1, help="Finished candidates the study should hold.")
    ] = None,
    seeds: Annotated[
        int | None, typer.Option("--seeds", min=1, max=10_000, help="Runs per candidate.")
    ] = None,
    base_seed: Annotated[
        int | None, typer.Option("--base-seed", min=0, max=2**63 - 1, help="Root of the runs' seeds.")
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="Optuna storage URL (default: sqlite:///<out>.db, a file beside the result folder).",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Result folder (default results/policy/<name>).")
    ] = None,
    jobs: Jobs = 1,
    overwrite: Overwrite = False,
    quiet: Quiet = False,
) -> None:
    """Search policy levers for the best trade-offs between objectives (Optuna NSGA-II); write the
    candidates and the Pareto front (tables and figure) to a result folder. Interrupted, the
    finished candidates stay in the study: the same command resumes."""
    with handled():
        wanted_levers = _bounds(levers, "--levers")
        spread = _bounds(uncertain, "--uncertain")
        if missing := [name for name, bounds in spread.items() if bounds is None]:
            fail(f"--uncertain {missing[0]}: give its range, NAME=LOW:HIGH")
        problem = config.policy.load_policy(
            target,
            levers=wanted_levers,
            objectives=_split(objectives) or None,
            uncertain=spread,  # type: ignore[arg-type]
            samples=samples,
            seeds=seeds,
            base_seed=base_seed,
            trials=trials,
        )
        folder = out_dir or experiments.policy.RESULTS / problem.name
        storage = experiments.policy.storage_for(folder, storage)
        study = problem.study_name(experiments.policy.VERSION)
        with results.writing(folder, "policy", problem.name, overwrite):  # one writer, from the start
            if not overwrite and (other := _other_study(folder, study)):
                fail(
                    f"--out {folder}: holds another search's result (study {other}; this one is {study}): "
                    "--overwrite replaces it, or choose another --out"
                )
            columns = (TextColumn("candidates · front {task.fields[front]}"),)
            try:
                with (
                    experiments.executor(jobs) as ex,
                    progress(f"policy {problem.name}", problem.trials, quiet, columns, front="-") as update,
                ):
                    result = experiments.policy.search(
                        problem,
                        executor=ex,
                        storage=storage,
                        on_trial=lambda done, total, front: update(completed=done, front=str(front)),
                    )
            except KeyboardInterrupt:
                interrupted(
                    f"finished candidates are kept in the study ({storage}); the same command resumes"
                )
            except Exception as exc:  # storage URLs and database errors come from Optuna/SQLAlchemy
                if type(exc).__module__.split(".")[0] in ("optuna", "sqlalchemy"):
                    fail(f"--storage {storage}: {str(exc).splitlines()[0]}")
                raise

            def figures(stage: Path) -> None:
                viz.draw(result, ["pareto"], ("png", "svg"), out=stage / "figures")

            result.save(folder, overwrite=True, extras=figures)  # checked above, under the lock
    names = list(problem.objectives)
    out.print(
        front_view(
            result.front,
            names,
            list(problem.levers),
            f"{problem.name}: Pareto front of {len(result.trials)} candidates "
            f"({problem.runs_per_candidate} runs each; 95% intervals)",
        )
    )
    say(f"wrote {folder} (tables policy_trials, pareto_front; figures/pareto.png); study {result.study}")


def policy_point(
    folder: Annotated[Path, typer.Argument(metavar="POLICY_DIR", help="Folder of a policy search.")],
    trial: Annotated[
        int | None, typer.Option("--trial", help="The front point of this trial number.")
    ] = None,
    require: Annotated[
        list[str] | None,
        typer.Option("--require", help="OBJECTIVE>=X or OBJECTIVE<=X the point must meet (repeatable)."),
    ] = None,
    prefer: Annotated[
        str | None,
        typer.Option(
            "--prefer",
            help="Among points meeting --require, the best on this objective "
            "(default: the last objective searched).",
        ),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Scenario file to write (.toml; default beside POLICY_DIR).")
    ] = None,
    check_seeds: Annotated[
        int | None,
        typer.Option(
            "--check-seeds",
            min=1,
            max=10_000,
            help="Fresh runs per sample point (default: 4 x the search's).",
        ),
    ] = None,
    no_confirm: Annotated[
        bool,
        typer.Option(
            "--no-confirm",
            help="Take the best point meeting --require on the search's seeds, without asking it to "
            "meet them again on fresh seeds.",
        ),
    ] = False,
    jobs: Jobs = 1,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing --out file.")] = False,
) -> None:
    """Write the scenario file of a point on a policy search's Pareto front and re-run it on fresh
    seeds: each objective's fresh value against the search's 95% interval (exit 1 if one is outside).

    With --require, the point is the best on --prefer among those meeting the requirements on the
    search's seeds that meet them again on a second set of fresh seeds (the best of many on one
    set of seeds is the one those seeds favoured most); the check runs on a third set."""
    if out_file is not None and out_file.suffix != ".toml":
        fail(f"--out {out_file}: a scenario file ends in .toml")
    with handled(), experiments.executor(jobs) as ex:  # one pool for the confirmation and the check
        found = results.ResultFolder.open(folder)
        problem = experiments.policy_points.problem_of(found)
        front = experiments.policy_points.policy_table(found, "pareto_front", problem)
        names = list(problem.objectives)
        if trial is not None:
            if require:
                fail("give --trial or --require, not both")
            chosen = front[front["trial"] == trial]
            if chosen.empty:
                fail(
                    f"--trial {trial}: not on the front of {folder} (front trials: "
                    f"{', '.join(map(str, front['trial'].astype(int)))})"
                )
            point = chosen.iloc[0]
        else:
            wanted = [experiments.policy_points.parse_requirement(text) for text in require or []]
            best = prefer or names[-1]
            if wanted and not no_confirm:
                point, tried = experiments.policy_points.confirmed(problem, front, wanted, best, executor=ex)
            else:
                point, tried = experiments.policy_points.choose(front, names, wanted, best), 0
            if point is None and not tried:
                fail(f"no point of the front of {folder} meets {', '.join(require or [])}")
            if point is None:
                fail(
                    f"none of the {tried} front point(s) meeting {', '.join(require or [])} on the "
                    "search's seeds meets them again on fresh seeds (--no-confirm takes the best anyway)"
                )
            if tried:
                say(
                    f"trial {int(point['trial'])}: the best of {tried} tried that meets the "
                    "requirements on fresh seeds too"
                )
        number = int(point["trial"])
        where = Path(folder).resolve()
        # beside the result folder, not in it: a new search replaces the folder whole
        target = out_file or where.parent / f"{where.name}.trial{number}.toml"
        inside = next((p for p in target.resolve().parents if results.ResultFolder.holds_results(p)), None)
        if inside is not None:
            fail(f"--out {target}: inside the result folder {inside}, which a new run replaces whole")
        if target.exists() and not overwrite:
            fail(f"--out {target} exists (give --overwrite to replace it)")
        experiments.policy_points.point_file(problem, point, target, found.manifest.details.get("study", ""))
        try:
            check = experiments.policy_points.check_point(
                problem, point, target, seeds=check_seeds, executor=ex
            )
        except KeyboardInterrupt:
            interrupted(f"{target} is written; its check on fresh seeds was not finished")
    view = Table(title=escape(f"trial {number}: the search's value and interval, and on fresh seeds"))
    for col in ("objective", "search [95%]", "fresh [95%]", "inside"):
        view.add_column(col, justify="left" if col == "objective" else "right")
    for r in check.itertuples(index=False):
        n = r.objective  # years as years (`_number`), not 2e+03
        view.add_row(
            n,
            f"{_number(n, r.search)} [{_number(n, r.search_low)}-{_number(n, r.search_high)}]",
            f"{_number(n, r.fresh)} [{_number(n, r.fresh_low)}-{_number(n, r.fresh_high)}]",
            "[green]yes[/]" if r.inside else "[red]no[/]",
        )
    out.print(view)
    say(f"wrote {target}")
    if not check["inside"].all():
        warn("an objective on fresh seeds is outside the search's interval")
        raise typer.Exit(1)
