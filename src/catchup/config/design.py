"""Experiment designs as pure functions: full factorials of factors and grids, SALib samples.

SALib is imported only when a sampled design is expanded.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catchup.model.events import DatedEvent

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
