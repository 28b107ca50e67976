"""Experiment files (TOML): a base scenario and a design (grid, factors or a sample).

The design is expanded into points by pure functions; sampling comes from SALib. Every
run's seed is `run_seed(base_seed, run_id)` with run_id = point_id * replications + r, so
a point's results never depend on workers or order.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from catchup.model import DatedEvent
from catchup.params import BY_NAME, SETUP_ONLY
from catchup.scenario import (
    EventSpec,
    Scenario,
    ScenarioError,
    format_validation_error,
    load_scenario,
    read_toml,
)

_STRICT = ConfigDict(extra="forbid", strict=True)
Number = int | float


class ExperimentError(ScenarioError):
    """An experiment that cannot be used; the message names the file, the key and what is allowed."""


class FactorLevel(BaseModel):
    """One level of a named factor: parameter values and dated events that go together, and
    the base scenario's events (by label) this level removes (a counterfactual history)."""

    model_config = _STRICT
    set: dict[str, Number] = Field(default_factory=dict)
    events: list[EventSpec] = Field(default_factory=list)
    drop_events: list[str] = Field(default_factory=list)


class SampleSpec(BaseModel):
    """A sampled design over parameter ranges (SALib)."""

    model_config = _STRICT
    method: Literal["latin", "sobol", "morris"]
    size: Annotated[int, Field(ge=1, le=1_000_000)]
    seed: Annotated[int, Field(ge=0)] | None = None
    levels: Annotated[int, Field(ge=2, le=100)] = 4  # Morris grid levels
    ranges: dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]]


class ExperimentSpec(BaseModel):
    """The schema of an experiment file."""

    model_config = _STRICT
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", min_length=1, max_length=80)]
    description: str = ""
    scenario: str
    replications: Annotated[int, Field(ge=1, le=100_000)] = 8
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    trajectories: bool | list[str] = False
    chunk_size: Annotated[int, Field(ge=1, le=100_000)] = 64
    set: dict[str, Number] = Field(default_factory=dict)
    factors: dict[str, dict[str, FactorLevel]] = Field(default_factory=dict)
    grid: dict[str, Annotated[list[Number], Field(min_length=1)]] = Field(default_factory=dict)
    sample: SampleSpec | None = None

    @model_validator(mode="after")
    def _one_design(self) -> ExperimentSpec:
        if self.sample is not None and (self.grid or self.factors):
            raise ValueError("use either [sample] or [grid]/[factors], not both")
        if self.sample is None and not (self.grid or self.factors):
            raise ValueError("an experiment needs a design: [grid], [factors] or [sample]")
        return self


@dataclass(frozen=True)
class Point:
    """One design point: its parameter overrides, extra events and factor labels."""

    point_id: int
    values: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    events: tuple[DatedEvent, ...] = ()
    dropped: tuple[str, ...] = ()  # labels of base-scenario events this point removes


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: the base scenario and every design point."""

    name: str
    description: str
    scenario: Scenario
    points: tuple[Point, ...]
    replications: int
    base_seed: int
    trajectories: tuple[str, ...]  # per-step columns kept; empty = no trajectory tables
    chunk_size: int
    design: dict[str, Any]
    source: str | None = None
    file_hash: str | None = None

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def point_scenario(self, point: Point) -> Scenario:
        """The base scenario with this point's overrides and events."""
        params = dict(self.scenario.parameters)
        params.update(point.values)
        kept = tuple(e for e in self.scenario.events if e.label not in point.dropped)
        events = tuple(sorted(kept + point.events, key=lambda e: e.year))
        return replace(self.scenario, parameters=params, events=events, overrides=dict(point.values))

    def points_table(self) -> pd.DataFrame:
        """One row per point: point_id, factor labels and swept parameter values."""
        rows = [{"point_id": p.point_id, **p.labels, **p.values} for p in self.points]
        return pd.DataFrame(rows)

    def design_hash(self) -> str:
        """Fingerprint of everything that determines the tables (for safe --resume)."""
        blob = json.dumps(
            {
                "scenario": self.scenario.to_dict() | {"source": None},
                "points": self.points_table().to_dict(orient="list"),
                "events": [
                    [(e.year, e.label, e.new_generation, e.set, e.home_entrants) for e in p.events]
                    for p in self.points
                ],
                "dropped": [list(p.dropped) for p in self.points if p.dropped],
                "replications": self.replications,
                "base_seed": self.base_seed,
                "trajectories": self.trajectories,
                "chunk_size": self.chunk_size,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "scenario": self.scenario.to_dict(),
            "design": self.design,
            "n_points": len(self.points),
            "replications": self.replications,
            "n_runs": self.n_runs,
            "base_seed": self.base_seed,
            "trajectories": self.trajectories,
            "chunk_size": self.chunk_size,
            "source": self.source,
            "file_sha256": self.file_hash,
        }


# -- design generation: pure functions ------------------------------------------


def grid_points(
    factors: dict[str, dict[str, tuple[dict[str, Any], tuple[DatedEvent, ...], tuple[str, ...]]]],
    grid: dict[str, list[Any]],
    fixed: dict[str, Any] | None = None,
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
    from SALib.sample import latin, morris, sobol

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


# -- loading and validation -----------------------------------------------------


def _check_value(problems: list[str], where: str, name: str, value: Any) -> Any:
    if name not in BY_NAME:
        problems.append(f"{where}: unknown parameter (allowed: a parameter name from `catchup params`)")
        return value
    try:
        return BY_NAME[name].check(value)
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return value


def _events(problems, source, where, specs: list[EventSpec], scenario: Scenario) -> tuple[DatedEvent, ...]:
    last = scenario.end_year - 1.0 / scenario.steps_per_year
    out = []
    for i, ev in enumerate(specs):
        if not (scenario.start_year <= ev.year <= last):
            problems.append(
                f"{source}: {where}.events[{i}].year = {ev.year:g}: outside the base scenario's span "
                f"(allowed: {scenario.start_year:g} <= year <= {last:g})"
            )
        checked = {}
        for key, value in ev.set.items():
            spot = f"{source}: {where}.events[{i}].set.{key} = {value!r}"
            if key in SETUP_ONLY:
                problems.append(f"{spot}: is read only at set-up and cannot change during a run")
            checked[key] = _check_value(problems, spot, key, value)
        out.append(DatedEvent(ev.year, checked, ev.new_generation, ev.label, ev.home_entrants))
    return tuple(out)


def trajectory_columns(problems: list[str], source: str, wanted: bool | list[str]) -> tuple[str, ...]:
    """The per-step columns a sweep keeps: all, none, or a chosen list (always with step and year)."""
    from catchup.model import TRAJECTORY_COLUMNS
    from catchup.windows import WINDOW_TYPES

    available = list(TRAJECTORY_COLUMNS) + [f"window_{k}" for k in WINDOW_TYPES]
    if wanted is True:
        return tuple(available)
    if wanted is False:
        return ()
    for i, name in enumerate(wanted):
        if name not in available:
            problems.append(
                f"{source}: trajectories[{i}] = {name!r}: unknown column (allowed: true, false or a list of "
                f"{', '.join(available)})"
            )
    return tuple(["step", "year"] + [c for c in wanted if c not in ("step", "year")])


def parse_experiment(
    data: dict[str, Any], source: str, base_dir: Path, file_hash: str | None = None
) -> Experiment:
    """Validate experiment data and expand its design into points."""
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as err:
        raise ExperimentError(format_validation_error(source, err, schema=ExperimentSpec)) from None
    scenario_path = (base_dir / spec.scenario).resolve()
    try:
        scenario = load_scenario(scenario_path)
    except ScenarioError as exc:
        raise ExperimentError(f"{source}: scenario = {spec.scenario!r}: {exc}") from None
    problems: list[str] = []
    fixed = {k: _check_value(problems, f"{source}: set.{k} = {v!r}", k, v) for k, v in spec.set.items()}
    keep = trajectory_columns(problems, source, spec.trajectories)
    design: dict[str, Any]
    if spec.sample is not None:
        s = spec.sample
        for name, (low, high) in s.ranges.items():
            where = f"{source}: sample.ranges.{name} = [{low!r}, {high!r}]"
            param = BY_NAME.get(name)
            if param is None:
                problems.append(
                    f"{where}: unknown parameter (allowed: a parameter name from `catchup params`)"
                )
            elif param.type is int:
                problems.append(
                    f"{where}: integer parameters cannot be sampled "
                    f"(allowed: {param.allowed()} only in [grid])"
                )
            elif not (param.low <= low < high <= param.high):
                problems.append(
                    f"{where}: need low < high within the allowed range (allowed: {param.allowed()})"
                )
        if not s.ranges:
            problems.append(
                f"{source}: sample.ranges: empty (allowed: at least one parameter with [low, high])"
            )
        if s.method == "sobol" and s.size & (s.size - 1):
            problems.append(
                f"{source}: sample.size = {s.size}: Sobol sampling needs a power of 2 (allowed: 2, 4, 8, ...)"
            )
        if problems:
            raise ExperimentError("\n".join(problems))
        seed = spec.base_seed if s.seed is None else s.seed
        matrix = sample_matrix(s.method, s.ranges, s.size, seed, s.levels)
        points = sample_points(matrix, list(s.ranges), fixed)
        design = {
            "type": "sample",
            "method": s.method,
            "size": s.size,
            "seed": seed,
            "levels": s.levels,
            "ranges": {k: list(map(float, v)) for k, v in s.ranges.items()},
        }
    else:
        factors = {}
        for fname, levels in spec.factors.items():
            if not levels:
                problems.append(f"{source}: factors.{fname}: no levels (allowed: one table per level)")
            factors[fname] = {}
            for label, level in levels.items():
                values = {
                    k: _check_value(problems, f"{source}: factors.{fname}.{label}.set.{k} = {v!r}", k, v)
                    for k, v in level.set.items()
                }
                events = _events(problems, source, f"factors.{fname}.{label}", level.events, scenario)
                known = [e.label for e in scenario.events if e.label]
                allowed = ", ".join(map(repr, known)) or "none"
                for i, dropped in enumerate(level.drop_events):
                    if dropped not in known:
                        problems.append(
                            f"{source}: factors.{fname}.{label}.drop_events[{i}] = {dropped!r}: no event of "
                            f"the base scenario has this label (allowed: {allowed})"
                        )
                factors[fname][label] = (values, events, tuple(level.drop_events))
        grid = {
            name: [
                _check_value(problems, f"{source}: grid.{name}[{i}] = {v!r}", name, v)
                for i, v in enumerate(vals)
            ]
            for name, vals in spec.grid.items()
        }
        if problems:
            raise ExperimentError("\n".join(problems))
        points = grid_points(factors, grid, fixed)
        design = {"type": "grid", "grid": grid, "factors": {f: list(levels) for f, levels in factors.items()}}
    design["fixed"] = fixed
    return Experiment(
        name=spec.name,
        description=spec.description,
        scenario=scenario,
        points=tuple(points),
        replications=spec.replications,
        base_seed=spec.base_seed,
        trajectories=keep,
        chunk_size=spec.chunk_size,
        design=design,
        source=source,
        file_hash=file_hash,
    )


def load_experiment(path: str | Path) -> Experiment:
    """Read, validate and expand an experiment file."""
    path = Path(path)
    try:
        data, digest = read_toml(path)
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    return parse_experiment(data, str(path), path.parent, digest)


def is_experiment_file(path: str | Path) -> bool:
    """Experiments name a base scenario; scenario files do not."""
    try:
        data, _ = read_toml(path)
    except ScenarioError:
        return False
    return "scenario" in data
