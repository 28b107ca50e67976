"""Experiment designs as pure functions: full factorials of factors and grids, SALib samples,
and the checks made before a design is built (its size, parameters set twice).

SALib is imported only when a sampled design is expanded.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from catchup.config.parameters import given_values
from catchup.model.events import DatedEvent

if TYPE_CHECKING:
    from catchup.config.experiment import ExperimentSpec

# A design is counted before it is built: over max_runs runs (default 1e6, days of computing)
# is refused unless the file raises max_runs; nothing is allocated first.
DEFAULT_MAX_RUNS = 1_000_000
MAX_RUNS_LIMIT = 100_000_000

# A factor level: its parameter values, its extra dated events, the base events it drops.
Level = tuple[dict[str, Any], tuple[DatedEvent, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Point:
    """One design point: its parameter overrides, extra events and factor labels."""

    point_id: int
    values: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    events: tuple[DatedEvent, ...] = ()
    dropped: tuple[str, ...] = ()  # labels of base-scenario events this point removes


def grid_points(
    factors: dict[str, dict[str, Level]], grid: dict[str, list[Any]], fixed: dict[str, Any] | None = None
) -> list[Point]:
    """Full factorial of factor levels and grid values, factors first, in file order."""
    factor_names = list(factors)
    grid_names = list(grid)
    level_lists = [list(factors[f].items()) for f in factor_names]
    points = []
    for i, combo in enumerate(itertools.product(*level_lists, *[grid[g] for g in grid_names])):
        levels, values = combo[: len(factor_names)], combo[len(factor_names) :]
        merged: dict[str, Any] = dict(fixed or {})
        events: list[DatedEvent] = []
        dropped: list[str] = []
        labels = {}
        for name, (label, (level_set, level_events, level_dropped)) in zip(factor_names, levels, strict=True):
            labels[name] = label
            merged.update(level_set)
            events.extend(level_events)
            dropped.extend(level_dropped)
        merged.update(dict(zip(grid_names, values, strict=True)))
        points.append(Point(i, merged, labels, tuple(events), tuple(dropped)))
    return points


def salib_problem(ranges: dict[str, list[float]]) -> dict[str, Any]:
    """SALib's description of the inputs: names and bounds."""
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [list(map(float, b)) for b in ranges.values()],
    }


def sample_matrix(
    method: str, ranges: dict[str, list[float]], size: int, seed: int, levels: int = 4
) -> np.ndarray:
    """Sample points with SALib: Latin hypercube (size points), Sobol/Saltelli (size x (D+2),
    first and total order) or Morris (size trajectories x (D+1))."""
    from SALib.sample import latin, morris, sobol  # heavy: only for sampled designs

    problem = salib_problem(ranges)
    if method == "latin":
        return latin.sample(problem, size, seed=seed)
    if method == "sobol":
        return sobol.sample(problem, size, calc_second_order=False, scramble=True, seed=seed)
    if method == "morris":
        return morris.sample(problem, size, num_levels=levels, seed=seed)
    raise ValueError(f"unknown sampling method {method!r}")


def sample_points(matrix: np.ndarray, names: list[str], fixed: dict[str, Any] | None = None) -> list[Point]:
    """One point per sample row, in the sampler's order (SALib's analysers rely on it)."""
    return [
        Point(i, {**(fixed or {}), **{n: float(v) for n, v in zip(names, row, strict=True)}})
        for i, row in enumerate(matrix)
    ]


def design_size(spec: ExperimentSpec) -> int:
    """How many points the design has, counted without building it."""
    if spec.sample is not None:
        per_row = {"latin": 1, "sobol": len(spec.sample.ranges) + 2, "morris": len(spec.sample.ranges) + 1}
        return spec.sample.size * per_row[spec.sample.method]
    return math.prod(len(levels) for levels in spec.factors.values()) * math.prod(
        len(values) for values in spec.grid.values()
    )


def size_problems(source: str, spec: ExperimentSpec) -> list[str]:
    points = design_size(spec)
    runs = points * spec.replications
    if runs <= spec.max_runs:
        return []
    return [
        f"{source}: the design has {points:,} points x {spec.replications:,} replications = "
        f"{runs:,} runs, more than max_runs = {spec.max_runs:,} (allowed: reduce the design, or set "
        f"max_runs = {runs} in the file, at most {MAX_RUNS_LIMIT:,}, if you mean it)"
    ]


def conflict_problems(source: str, spec: ExperimentSpec) -> list[str]:
    """Parameters set by two parts of a design: one value would silently win, so refuse."""
    setters: dict[str, list[str]] = {}
    for name in given_values(spec.set):
        setters.setdefault(name, []).append(f"set.{name}")
    for fname, levels in spec.factors.items():
        touched = {name for level in levels.values() for name in given_values(level.set)}
        for name in sorted(touched):
            setters.setdefault(name, []).append(f"factors.{fname}")
    for name in spec.grid:
        setters.setdefault(name, []).append(f"grid.{name}")
    for name in spec.sample.ranges if spec.sample is not None else {}:
        setters.setdefault(name, []).append(f"sample.ranges.{name}")
    return [
        f"{source}: parameter {name!r} is set by {' and '.join(where)}: one would silently override the "
        "other (allowed: each parameter in one place of the design)"
        for name, where in setters.items()
        if len(where) > 1
    ]
