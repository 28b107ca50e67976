"""Figure kinds as a registry: each kind says when a result can give it (and why not) and how
to draw it. `catchup plot`, `catchup report` and the Python API all list kinds from here.

A figure is drawn from any `Results`: a result folder on disk or a result in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import catchup.analysis as analysis
import catchup.config as config
import catchup.experiments as experiments
import catchup.results as results_layer
import catchup.viz as viz
from catchup.errors import FigureError

if TYPE_CHECKING:  # the registry is read by `catchup --help`: nothing heavy at import
    from matplotlib.figure import Figure

    from catchup.results.folder import Results

# The grid of experiments/window_map.toml: the paper's market, product and institution dimensions.
WINDOW_MAP_GRID = ("niche_market_size", "standardization", "publicness", "procurement_support")
FORMATS = ("png", "svg", "pdf")
MAX_LEVELS = 12  # more distinct values than this on a heatmap axis are binned
BINS = 5


@dataclass(frozen=True)
class Options:
    """What a figure may be asked for beyond its results: other runs to compare, heatmap axes."""

    others: Sequence[Any] = ()  # more Results, for `compare`
    x: str | None = None
    y: str | None = None
    outcome: str = "catch_up_probability"
    fix: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FigureKind:
    """One kind of figure: what it shows, what it needs, and how it is drawn."""

    name: str
    shows: str
    needs: str  # said to the user when a result cannot give this kind
    available: Callable[[Results, Options], bool]
    draw: Callable[[Results, Options], Figure]


# -- what results hold -------------------------------------------------------------


def title_of(results: Results) -> str:
    m = results.manifest
    return f"{m.name}: {m.description}".rstrip(": ")


def events_of(results: Results) -> list[tuple[float, str]]:
    """Dated events with their labels; an unlabelled one says what it does."""
    return [(e["year"], e["label"] or viz.style.event_text(e)) for e in results.manifest.scenario["events"]]


def history_path(results: Results) -> Path | None:
    """The history file of a case scenario (one with a [calibration] table), if it exists."""
    calibration = results.manifest.scenario.get("calibration")
    path = Path(calibration["history"]) if calibration else None
    return path if path is not None and path.exists() else None


def design_of(results: Results) -> dict:
    return (results.manifest.experiment or {}).get("design", {})


def swept_parameters(results: Results) -> list[str]:
    """Numeric columns of the points table that take more than one value, design order first."""
    points = results.table("points")
    swept = [
        c
        for c in points.columns
        if c != "point_id" and points[c].dtype.kind in "iuf" and points[c].nunique() > 1
    ]
    design = design_of(results)
    first = [c for c in [*design.get("grid", {}), *design.get("ranges", {})] if c in swept]
    return first + [c for c in swept if c not in first]


def is_sweep(results: Results) -> bool:
    return results.manifest.kind == "sweep"


def _kept_for_counterfactual(results: Results) -> bool:
    kept = set((results.manifest.experiment or {}).get("trajectories", []))
    return "home_share_home_market" in kept and bool({"mission_progress", "relative_capability"} & kept)


def has_trajectories(results: Results) -> bool:
    return not is_sweep(results) and results.has_table("trajectories")


# -- drawing each kind ---------------------------------------------------------------


def _trajectories(results: Results, options: Options) -> Figure:
    threshold = results.manifest.scenario["parameters"].get("catch_up_threshold", 0.9)
    tables = (results.table("trajectories"), results.table("windows"))
    return viz.timelines.trajectories_figure(*tables, events_of(results), title_of(results), threshold)


def _history(results: Results, options: Options) -> Figure:
    path = history_path(results)
    assert path is not None
    return viz.timelines.history_figure(
        results.table("trajectories"),
        results.table("windows"),
        results.table("runs"),
        config.targets(config.load_history(path)),
        events_of(results),
        title_of(results),
        mission_target=results.manifest.scenario["parameters"]["mission_target"],
    )


def _compare(results: Results, options: Options) -> Figure:
    named = [(r.manifest.name, r.table("trajectories")) for r in (results, *options.others)]
    return viz.timelines.compare_figure(named, events_of(results))


def _counterfactual(results: Results, options: Options) -> Figure:
    factor = analysis.counterfactual_factors(results)[0]
    points = results.table("points", ["point_id", factor])
    runs = results.table("runs", ["run_id", "point_id"]).merge(points, on="point_id")
    trajectories = results.table("trajectories").merge(runs, on="run_id")
    experiment = results.manifest.experiment or {}
    return viz.timelines.counterfactual_figure(
        trajectories,
        factor,
        analysis.case_targets(results.manifest.scenario),
        events_of(results),
        f"{experiment.get('name', '')}: {experiment.get('description', '')}".rstrip(": "),
        mission_target=results.manifest.scenario["parameters"]["mission_target"],
    )


def _sweep(results: Results, options: Options) -> Figure:
    swept = swept_parameters(results)
    free = [p for p in swept if p not in options.fix]  # the default axes are the first two not fixed
    x = options.x or (free[0] if free else swept[0])
    y = options.y or next((p for p in free if p != x), x)
    for name in (x, y, *options.fix):
        if name not in swept:
            raise FigureError(
                f"{name!r} is not a swept parameter of {results.location} (allowed: {', '.join(swept)})"
            )
    if x == y or x in options.fix or y in options.fix:
        raise FigureError(f"--x {x} and --y {y}: need two different swept parameters, neither fixed")
    runs, _ = analysis.labelled_runs(results)
    allowed = viz.grids.outcomes_of(runs)
    if options.outcome not in allowed:
        raise FigureError(
            f"--outcome {options.outcome}: not an outcome of the runs (allowed: {', '.join(allowed)})"
        )
    for name, value in options.fix.items():
        runs = runs[runs[name] == value]
        if runs.empty:
            raise FigureError(f"--fix {name}={value:g}: no point has that value in {results.location}")
    binned = []
    for name in (x, y):
        if runs[name].nunique() > MAX_LEVELS:  # a sampled design: bin into equal-width classes
            runs = runs.assign(**{name: viz.grids.bin_centres(runs[name], BINS)})
            binned.append(name)
    fixed = ", ".join(f"{k} = {v:g}" for k, v in options.fix.items())
    rest = [p for p in swept if p not in (x, y, *options.fix)]
    pooled = ", ".join(viz.style.label(r) for r in rest)
    note = (f"fixed {fixed}; " if fixed else "") + (f"pooled over {pooled}" if rest else "")
    if binned:
        note += f"; {' and '.join(binned)} in {BINS} bins (centres shown)"
    title = f"{viz.style.label(options.outcome)} ({note})" if note else ""
    return viz.grids.sweep_heatmap(runs, x, y, options.outcome, title=title)


def _window_map(results: Results, options: Options) -> Figure:
    return viz.grids.window_map_figure(analysis.labelled_runs(results)[0], WINDOW_MAP_GRID, options.outcome)


def _sensitivity(results: Results, options: Options) -> Figure:
    table = (
        results.table("sensitivity") if results.has_table("sensitivity") else analysis.sensitivity(results)
    )
    return viz.grids.sensitivity_figure(table)


def _discovery(results: Results, options: Options) -> Figure:
    return viz.grids.discovery_figure(results.table("discovery_peeling"), results.table("discovery_features"))


def _pareto(results: Results, options: Options) -> Figure:
    problem = experiments.policy_points.problem_of(results)
    trials = experiments.policy_points.policy_table(results, "policy_trials", problem)
    directions = dict(zip(problem.objectives, problem.directions, strict=True))
    return viz.policy.pareto_figure(trials, directions, title_of(results))


def _attribution(results: Results, options: Options) -> Figure:
    return viz.grids.attribution_figure(analysis.attribution_table(results))


KINDS: dict[str, FigureKind] = {
    kind.name: kind
    for kind in (
        FigureKind(
            "trajectories",
            "median trajectories with 50% and 90% bands, single runs, windows and dated events",
            "a run or case result (from `catchup run` or `catchup cases`)",
            lambda r, o: has_trajectories(r),
            _trajectories,
        ),
        FigureKind(
            "history",
            "a calibrated case's runs against its dated facts",
            "a run of a case scenario whose history file exists",
            lambda r, o: has_trajectories(r) and history_path(r) is not None,
            _history,
        ),
        FigureKind(
            "compare",
            "several scenarios' median trajectories on shared axes",
            "this run and one or more run or case results given with --with (sweeps and attributions "
            "have no trajectories to compare)",
            lambda r, o: (
                has_trajectories(r) and bool(o.others) and all(has_trajectories(x) for x in o.others)
            ),
            _compare,
        ),
        FigureKind(
            "counterfactual",
            "each counterfactual's median path against the dated facts",
            "a sweep with [factors] that kept the trajectories home_share_home_market and "
            "relative_capability or mission_progress",
            lambda r, o: (
                is_sweep(r) and bool(analysis.counterfactual_factors(r)) and _kept_for_counterfactual(r)
            ),
            _counterfactual,
        ),
        FigureKind(
            "sweep",
            "an outcome over two swept parameters, pooled over the rest",
            "a sweep (`catchup sweep`) with at least two swept parameters",
            lambda r, o: is_sweep(r) and len(swept_parameters(r)) >= 2,
            _sweep,
        ),
        FigureKind(
            "window-map",
            "the paper's window-of-opportunity map in four dimensions",
            "a sweep of experiments/window_map.toml (factor technology_stage and grid "
            + ", ".join(WINDOW_MAP_GRID)
            + ")",
            lambda r, o: (
                is_sweep(r) and {"technology_stage", *WINDOW_MAP_GRID} <= set(r.table("points").columns)
            ),
            _window_map,
        ),
        FigureKind(
            "sensitivity",
            "Sobol or Morris indices of every outcome on every sampled parameter",
            "a sweep with a [sample] design of method sobol or morris",
            lambda r, o: is_sweep(r) and analysis.is_sensitivity_design(design_of(r)),
            _sensitivity,
        ),
        FigureKind(
            "discovery",
            "PRIM's peeling trajectories and the inputs that matter, per discovered outcome",
            "a sweep on which `catchup discover` has run",
            lambda r, o: (
                is_sweep(r) and r.has_table("discovery_peeling") and r.has_table("discovery_features")
            ),
            _discovery,
        ),
        FigureKind(
            "pareto",
            "a policy search's candidates and Pareto front, with 95% intervals",
            "a policy search (run `catchup policy SCENARIO --levers ... --objectives ...` first)",
            lambda r, o: r.manifest.kind == "policy",
            _pareto,
        ),
        FigureKind(
            "attribution",
            "the drop in catch-up probability and the delay when each window source is closed",
            "an attribution result (run `catchup attribute SCENARIO --out DIR` first)",
            lambda r, o: r.manifest.kind == "attribution",
            _attribution,
        ),
    )
}


def figure_kinds() -> list[str]:
    """Every figure kind, in the order reports show them."""
    return list(KINDS)


def why_not(kind: str, results: Results, options: Options = Options()) -> str | None:
    """Why a result cannot give a figure kind, or None if it can."""
    if kind not in KINDS:
        return f"unknown figure kind {kind!r} (allowed: {', '.join(KINDS)})"
    if KINDS[kind].available(results, options):
        return None
    where = results.location or f"the {results.manifest.kind} result in memory"
    return f"--kind {kind}: needs {KINDS[kind].needs}; {where} does not have it"


def available_kinds(
    source: str | Path | Results, *, others: Sequence[str | Path | Results] = ()
) -> list[str]:
    """The figure kinds a result allows (with `others`, the kinds that compare several results)."""
    results = results_layer.open_results(source)
    options = _options(others)
    return [name for name, kind in KINDS.items() if kind.available(results, options)]


def _options(others: Sequence[str | Path | Results], **kwargs: object) -> Options:
    return Options(others=tuple(results_layer.open_results(o) for o in others), **kwargs)  # type: ignore[arg-type]


def figure(
    kind: str,
    source: str | Path | Results,
    *,
    others: Sequence[str | Path | Results] = (),
    x: str | None = None,
    y: str | None = None,
    outcome: str = "catch_up_probability",
    fix: Mapping[str, float] | None = None,
) -> Figure:
    """One figure of a result (folder or in memory), as a matplotlib Figure."""
    results = results_layer.open_results(source)
    options = _options(others, x=x, y=y, outcome=outcome, fix=dict(fix or {}))
    problem = why_not(kind, results, options)
    if problem:
        raise FigureError(problem)
    return KINDS[kind].draw(results, options)


def draw(
    source: str | Path | Results,
    kinds: Sequence[str] | None = None,
    formats: Sequence[str] = ("png", "svg"),
    *,
    out: str | Path | None = None,
    others: Sequence[str | Path | Results] = (),
    x: str | None = None,
    y: str | None = None,
    outcome: str = "catch_up_probability",
    fix: Mapping[str, float] | None = None,
    size: str | None = None,
    on_collision: Callable[[str, list[str]], None] | None = None,
) -> dict[str, list[Path]]:
    """Draw the asked figures (default: every one the result allows) into `out`, by default the
    result folder's `figures/`; each file is written atomically. With `size` (a journal column,
    `sizes.SIZES`) each figure is `<kind>-<size>.<format>` at that exact width, checked for
    colliding texts (`on_collision` hears of any)."""
    results = results_layer.open_results(source)
    options = _options(others, x=x, y=y, outcome=outcome, fix=dict(fix or {}))
    if isinstance(kinds, str):
        kinds = [kinds]
    if isinstance(formats, str):
        formats = [formats]
    if not formats:
        raise FigureError(f"--format: none given (allowed: {', '.join(FORMATS)})")
    wanted = list(kinds) if kinds else [k for k, kind in KINDS.items() if kind.available(results, options)]
    for kind in wanted:
        problem = why_not(kind, results, options)
        if problem:
            raise FigureError(problem)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise FigureError(f"--format {','.join(bad)}: unknown (allowed: {', '.join(FORMATS)})")
    if size is not None and size not in viz.sizes.SIZES:
        raise FigureError(f"--size {size}: unknown (allowed: {', '.join(viz.sizes.SIZES)})")
    if out is None:
        if results.location is None:
            raise FigureError("a result in memory has no folder: give `out` to write its figures")
        out = results.location / "figures"
    return {
        kind: viz.style.save(KINDS[kind].draw(results, options), Path(out), kind, formats)
        if size is None
        else viz.sizes.save_at(
            KINDS[kind].draw(results, options), Path(out), kind, size, formats, on_collision
        )
        for kind in wanted
    }
