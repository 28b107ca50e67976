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


def _number(name: str, value: float) -> str:
    """Years with one decimal, everything else with three significant digits."""
    return f"{value:.1f}" if name.endswith(("_year", "_start", "_years")) else f"{value:.3g}"


def front_view(front, objectives: list[str], levers: list[str], title: str) -> Table:
    """The front, cheapest first by the last objective: objectives with their intervals, then
    the levers (an instrument's start only when its level is searched and above zero)."""
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
        int | None, typer.Option("--base-seed", min=0, help="Root of the runs' seeds.")
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option("--storage", help="Optuna storage URL (default sqlite:///results/policy/<name>.db)."),
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
        wanted_levers = dict(config.policy.parse_bounds(text, "--levers") for text in _split(levers))
        spread = {}
        for text in _split(uncertain):
            name, bounds = config.policy.parse_bounds(text, "--uncertain")
            if bounds is None:
                fail(f"--uncertain {text!r}: give its range, NAME=LOW:HIGH")
            spread[name] = bounds
        problem = config.policy.load_policy(
            target,
            levers=wanted_levers,
            objectives=_split(objectives) or None,
            uncertain=spread,
            samples=samples,
            seeds=seeds,
            base_seed=base_seed,
            trials=trials,
        )
        folder = out_dir or experiments.policy.RESULTS / problem.name
        results.ResultFolder.check_target(folder, "policy", problem.name, overwrite)
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
                "finished candidates are kept in the study; the same command resumes"
                + (f" (with --storage {storage})" if storage else "")
            )
        except Exception as exc:  # storage URLs and database errors come from Optuna/SQLAlchemy
            if type(exc).__module__.split(".")[0] in ("optuna", "sqlalchemy"):
                fail(f"--storage {storage}: {exc}")
            raise

        def figures(stage: Path) -> None:
            viz.draw(result, ["pareto"], ("png", "svg"), out=stage / "figures")

        result.save(folder, overwrite=overwrite, extras=figures)
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
        int | None, typer.Option("--check-seeds", min=1, max=10_000, help="Fresh runs per sample point.")
    ] = None,
    jobs: Jobs = 1,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing --out file.")] = False,
) -> None:
    """Write the scenario file of a point on a policy search's Pareto front and re-run it on fresh
    seeds: each objective's fresh value against the search's 95% interval (exit 1 if one is outside)."""
    with handled():
        found = results.ResultFolder.open(folder)
        problem = experiments.policy_points.problem_of(found.manifest)
        front = found.table("pareto_front")
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
            point = experiments.policy_points.choose(front, names, wanted, prefer or names[-1])
            if point is None:
                fail(f"no point of the front of {folder} meets {', '.join(require or [])}")
        number = int(point["trial"])
        # beside the result folder, not in it: a new search replaces the folder whole
        target = out_file or Path(folder).parent / f"{Path(folder).name}.trial{number}.toml"
        if target.suffix != ".toml":
            fail(f"--out {target}: a scenario file ends in .toml")
        if target.exists() and not overwrite:
            fail(f"--out {target} exists (give --overwrite to replace it)")
        experiments.policy_points.point_file(problem, point, target, found.manifest.details.get("study", ""))
        check = experiments.policy_points.check_point(problem, point, target, seeds=check_seeds, jobs=jobs)
    view = Table(title=escape(f"trial {number}: the search's value and interval, and on fresh seeds"))
    for col in ("objective", "search [95%]", "fresh [95%]", "inside"):
        view.add_column(col, justify="left" if col == "objective" else "right")
    for r in check.itertuples(index=False):
        view.add_row(
            r.objective,
            f"{r.search:.3g} [{r.search_low:.3g}-{r.search_high:.3g}]",
            f"{r.fresh:.3g} [{r.fresh_low:.3g}-{r.fresh_high:.3g}]",
            "[green]yes[/]" if r.inside else "[red]no[/]",
        )
    out.print(view)
    say(f"wrote {target}")
    if not check["inside"].all():
        warn("an objective on fresh seeds is outside the search's interval")
        raise typer.Exit(1)
