"""Experiment files (TOML): a base scenario and a design (grid, factors or a sample).

The design is expanded into points by the pure functions of `design.py`. Every run's seed
is `run_seed(base_seed, run_id)` with run_id = point_id * replications + r, so a point's
results never depend on workers or order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, Field, ValidationError, model_validator

from catchup.config.builtin import EXPERIMENTS, find
from catchup.config.design import (
    DEFAULT_MAX_RUNS,
    MAX_RUNS_LIMIT,
    Level,
    Point,
    conflict_problems,
    grid_points,
    sample_matrix,
    sample_points,
    size_problems,
)
from catchup.config.messages import format_validation_error
from catchup.config.parameters import ParametersSpec, bounds_problems, given_values, parameter_problems
from catchup.config.scenario import (
    NAME_PATTERN,
    STRICT,
    EventSpec,
    Scenario,
    event_problems,
    load_scenario,
    same_step_generations,
)
from catchup.config.toml import read_toml
from catchup.errors import ExperimentError, ScenarioError
from catchup.model.outcomes import TRAJECTORY_TABLE_COLUMNS
from catchup.model.parameters import BY_NAME

if TYPE_CHECKING:
    from catchup.config.docking import Docking
    from catchup.config.policy import PolicyProblem

Number = int | float
# Columns every sweep's tables already have: a factor may not take one of these names.
RESERVED_COLUMNS = ("point_id", "run_id", "seed", "replication", "group", "source", "closed")


class FactorLevel(BaseModel):
    """One level of a named factor: parameter values and dated events that go together, and
    the base scenario's events (by label) this level removes (a counterfactual history)."""

    model_config = STRICT
    set: ParametersSpec = Field(default_factory=ParametersSpec)  # type: ignore[valid-type]
    """Parameter values of this level."""
    events: list[EventSpec] = Field(default_factory=list)
    """Dated events this level adds to the base scenario."""
    drop_events: list[str] = Field(default_factory=list)
    """Labels of the base scenario's events this level removes (a counterfactual history)."""


class SampleSpec(BaseModel):
    """A sampled design over parameter ranges (SALib)."""

    model_config = STRICT
    method: Literal["latin", "sobol", "morris"]
    """The SALib sampler: `latin` (Latin hypercube), `sobol` (Saltelli, for Sobol indices) or `morris`
    (elementary effects)."""
    size: Annotated[int, Field(ge=1, le=1_000_000)]
    """Sample size (Sobol: a power of 2; Morris: trajectories)."""
    seed: Annotated[int, Field(ge=0)] | None = None
    """The sampler's seed (default: the experiment's base_seed)."""
    levels: Annotated[int, Field(ge=2, le=100)] = 4
    """Grid levels of the Morris design."""
    ranges: dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]]
    """The sampled parameters and their ranges, `name = [low, high]`."""


class ExperimentSpec(BaseModel):
    """The schema of an experiment file."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=NAME_PATTERN, min_length=1, max_length=80)]
    """The experiment's name; it names the results folder."""
    description: Annotated[str, Field(max_length=4000)] = ""
    """What the experiment asks, in words."""
    scenario: str
    """The base scenario: a built-in name or a path relative to this file."""
    replications: Annotated[int, Field(ge=1, le=100_000)] = 8
    """Runs (seeds) per design point."""
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    """The root of the run seeds: run i of the design uses run_seed(base_seed, i)."""
    trajectories: bool | list[str] = False
    """Per-step tables to keep: false, true (all columns) or a list of columns."""
    chunk_size: Annotated[int, Field(ge=1, le=100_000)] = 64
    """Runs written to disk together; an interrupted sweep resumes from the last whole chunk."""
    max_runs: Annotated[int, Field(ge=1, le=MAX_RUNS_LIMIT)] = DEFAULT_MAX_RUNS
    """A guard against typos: a larger design is refused unless this is raised."""
    set: ParametersSpec = Field(default_factory=ParametersSpec)  # type: ignore[valid-type]
    """Parameter values applied at every design point."""
    factors: dict[str, dict[str, FactorLevel]] = Field(default_factory=dict)
    """Named factors, each with named levels (`[factors.NAME.LEVEL]`); the design is every combination."""
    grid: dict[str, Annotated[list[Number], Field(min_length=1)]] = Field(default_factory=dict)
    """Parameter values to cross, `name = [v1, v2, ...]`; crossed with the factors."""
    sample: SampleSpec | None = None
    """A sampled design instead of a grid (`[sample]`)."""

    @model_validator(mode="after")
    def _one_design(self) -> ExperimentSpec:
        if self.sample is not None and (self.grid or self.factors):
            raise ValueError("use either [sample] or [grid]/[factors], not both")
        if self.sample is None and not (self.grid or self.factors):
            raise ValueError("an experiment needs a design: [grid], [factors] or [sample]")
        return self


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
        return pd.DataFrame([{"point_id": p.point_id, **p.labels, **p.values} for p in self.points])

    def design_hash(self) -> str:
        """Fingerprint of everything that determines the tables (for safe --resume)."""
        blob = json.dumps(
            {
                "scenario": self.scenario.to_dict() | {"source": None},
                "points": self.points_table().to_dict(orient="list"),
                "events": [
                    [
                        (e.year, e.label, e.new_generation, e.set, e.home_entrants, e.generation_progress)
                        for e in p.events
                    ]
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


def trajectory_columns(problems: list[str], source: str, wanted: bool | list[str]) -> tuple[str, ...]:
    """The per-step columns a sweep keeps: all, none, or a chosen list (always with step and year)."""
    if wanted is True:
        return TRAJECTORY_TABLE_COLUMNS
    if wanted is False:
        return ()
    for i, name in enumerate(wanted):
        if name not in TRAJECTORY_TABLE_COLUMNS:
            problems.append(
                f"{source}: trajectories[{i}] = {name!r}: unknown column (allowed: true, false or a list of "
                f"{', '.join(TRAJECTORY_TABLE_COLUMNS)})"
            )
    return tuple(["step", "year"] + [c for c in wanted if c not in ("step", "year")])


def _sample_design(problems: list[str], source: str, s: SampleSpec, base_seed: int) -> dict[str, Any]:
    for name, bounds in s.ranges.items():
        where = f"{source}: sample.ranges.{name}"
        param = BY_NAME.get(name)
        if param is not None and param.type is int:
            problems.append(
                f"{where} = {bounds!r}: integer parameters cannot be sampled "
                f"(allowed: {param.allowed()} only in [grid])"
            )
        else:
            problems += bounds_problems(where, name, bounds)
    if not s.ranges:
        problems.append(f"{source}: sample.ranges: empty (allowed: at least one parameter with [low, high])")
    if s.method == "sobol" and s.size & (s.size - 1):
        problems.append(
            f"{source}: sample.size = {s.size}: Sobol sampling needs a power of 2 (allowed: 2, 4, 8, ...)"
        )
    return {
        "type": "sample",
        "method": s.method,
        "size": s.size,
        "seed": base_seed if s.seed is None else s.seed,
        "levels": s.levels,
        "ranges": {k: list(map(float, v)) for k, v in s.ranges.items()},
    }


def _factor_levels(
    problems: list[str], source: str, spec: ExperimentSpec, scenario: Scenario
) -> dict[str, dict[str, Level]]:
    known = [e.label for e in scenario.events if e.label]
    factors: dict[str, dict[str, Level]] = {}
    for fname, levels in spec.factors.items():
        if fname in BY_NAME or fname in RESERVED_COLUMNS:
            taken = "a parameter" if fname in BY_NAME else "a column of the result tables"
            problems.append(
                f"{source}: factors.{fname}: the name of {taken} (allowed: any other name, "
                f"not {', '.join(RESERVED_COLUMNS)} or a parameter name)"
            )
        if not levels:
            problems.append(f"{source}: factors.{fname}: no levels (allowed: one table per level)")
        factors[fname] = {}
        for label, level in levels.items():
            where = f"factors.{fname}.{label}."
            problems += event_problems(
                source, where, level.events, scenario.start_year, scenario.last_event_year
            )
            for i, dropped in enumerate(level.drop_events):
                if dropped not in known:
                    problems.append(
                        f"{source}: {where}drop_events[{i}] = {dropped!r}: no event of the base scenario has "
                        f"this label (allowed: {', '.join(map(repr, known)) or 'none'})"
                    )
            events = tuple(ev.resolve() for ev in level.events)
            factors[fname][label] = (given_values(level.set), events, tuple(level.drop_events))
    return factors


def point_generation_problems(source: str, scenario: Scenario, points: list[Point]) -> list[str]:
    """A point's events together with the base scenario's may bring at most one new generation
    per step (a scenario file is held to the same rule on its own)."""
    problems: list[str] = []
    for point in points:
        kept = [e for e in scenario.events if e.label not in point.dropped]
        events = sorted([*kept, *point.events], key=lambda e: e.year)
        names = [ev.label or f"the event of {ev.year:g}" for ev in events]
        levels = ", ".join(f"{k} = {v}" for k, v in point.labels.items())
        for i, j in same_step_generations(events, scenario.start_year, scenario.steps_per_year):
            problem = (
                f"{source}: factors ({levels}): {names[i]!r} brings a new generation in the same step as "
                f"{names[j]!r} (allowed: at most one new generation per step of "
                f"1/{scenario.steps_per_year} year, the base scenario's events included)"
            )
            if problem not in problems:
                problems.append(problem)
    return problems


def parse_experiment(
    data: dict[str, Any], source: str, base_dir: Path, file_hash: str | None = None
) -> Experiment:
    """Validate experiment data and expand its design into points."""
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as err:
        raise ExperimentError(format_validation_error(source, err, ExperimentSpec)) from None
    relative = base_dir / spec.scenario
    by_path = relative.is_file() or Path(spec.scenario).suffix == ".toml"
    try:
        scenario = load_scenario(relative.resolve() if by_path else spec.scenario)
    except ScenarioError as exc:
        raise ExperimentError(f"{source}: scenario = {spec.scenario!r}: {exc}") from None
    problems = size_problems(source, spec) + conflict_problems(source, spec)
    if problems:
        raise ExperimentError("\n".join(problems))
    fixed = given_values(spec.set)
    keep = trajectory_columns(problems, source, spec.trajectories)
    if spec.sample is not None:
        design = _sample_design(problems, source, spec.sample, spec.base_seed)
        if problems:
            raise ExperimentError("\n".join(problems))
        matrix = sample_matrix(
            design["method"], spec.sample.ranges, spec.sample.size, design["seed"], design["levels"]
        )
        points = sample_points(matrix, list(spec.sample.ranges), fixed)
    else:
        factors = _factor_levels(problems, source, spec, scenario)
        grid = {}
        for name, values in spec.grid.items():
            grid[name] = []
            for i, value in enumerate(values):
                checked, found = parameter_problems({name: value}, lambda n, i=i: f"{source}: grid.{n}[{i}]")
                problems += found
                grid[name].append(checked.get(name, value))
        if problems:
            raise ExperimentError("\n".join(problems))
        points = grid_points(factors, grid, fixed)
        problems += point_generation_problems(source, scenario, points)
        if problems:
            raise ExperimentError("\n".join(problems))
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


def load_experiment(name_or_path: str | Path) -> Experiment:
    """Read, validate and expand an experiment file, or a built-in one by name."""
    try:
        path = find(name_or_path, EXPERIMENTS, "experiment")
        data, digest = read_toml(path)
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None
    return parse_experiment(data, str(path), path.parent, digest)


def load_file(path: str | Path) -> Scenario | Experiment | Docking | PolicyProblem:
    """A scenario, an experiment (it names a base scenario), a docking file (it lists
    statements) or a policy file (it lists levers), read once (it may be a pipe); a name that is
    no file is looked up among the built-in scenarios, then experiments."""
    given = Path(path)
    if not given.exists() and given.suffix != ".toml" and not given.is_absolute():
        try:
            return load_scenario(given)
        except ScenarioError:  # a built-in experiment or policy file: read it as any file below
            try:
                path = find(given, EXPERIMENTS, "experiment")
            except ScenarioError as exc:
                raise ExperimentError(str(exc)) from None
    data, digest = read_toml(path)
    from catchup.config.docking import DOCKING_KEYS, load_docking

    if DOCKING_KEYS & set(data):  # a docking file: a reference's set-up, statements, counterfactuals
        return load_docking(path, first=data)
    if "levers" in data:  # a policy file: a scenario and the levers a search may move
        from catchup.config.policy import load_policy

        return load_policy(path, first=(data, digest))
    if "scenario" in data:
        return parse_experiment(data, str(path), Path(path).parent, digest)
    return load_scenario(path, first=(data, digest))
