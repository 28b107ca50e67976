"""Scenario files (TOML): schema, validation with clear messages, and the resolved scenario.

A scenario file names itself, sets the calendar, the seeds and parameter overrides, and
lists dated events. Every parameter value goes through the one validator generated from
the parameter table (`catchup.config.parameters`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError, model_validator

from catchup.config.builtin import find
from catchup.config.messages import NAME_PATTERN, STRICT, format_validation_error
from catchup.config.parameters import ParametersSpec, bounds_problems, check_parameters, given_values
from catchup.config.population import (
    BuyerSpec,
    CohortSpec,
    CountrySpec,
    market_overflow,
    population_dict,
    population_problems,
)
from catchup.config.toml import read_extended
from catchup.errors import ParameterError, ScenarioError
from catchup.model.cohorts import BuyerClass, Cohort, Country
from catchup.model.events import DatedEvent, event_step
from catchup.model.parameters import BY_NAME, SETUP_ONLY, defaults


class EventSpec(BaseModel):
    """A dated event: parameter changes, the arrival of a new generation, home firms founded."""

    model_config = STRICT
    year: Annotated[float, Field(allow_inf_nan=False)]
    """When the event happens (a calendar year, decimals allowed); it acts from the first step
    starting at or after this year."""
    label: Annotated[str, Field(max_length=200)] = ""
    """A short name shown on figures and used by experiments' `drop_events` to remove the event."""
    new_generation: bool = False
    """A new technology generation arrives (a technological discontinuity)."""
    home_entrants: Annotated[int, Field(ge=0, le=200)] = 0
    """Home firms founded at this date."""
    generation_progress: float | None = Field(default=None, ge=0.01, le=0.9, allow_inf_nan=False)
    """How far the new generation's opportunity is already explored at arrival; overrides
    `new_generation_start` for this generation only."""
    home_standard: bool = False
    """The new generation is the home country's own standard (its adoption is measured apart)."""
    set: ParametersSpec = Field(default_factory=ParametersSpec)  # type: ignore[valid-type]
    """Parameter values that change at this date (any name from `catchup params` not read only at set-up)."""

    @model_validator(mode="after")
    def _check(self) -> EventSpec:
        if not self.new_generation and not self.set.model_fields_set and not self.home_entrants:
            raise ValueError("an event must set parameters, bring a new_generation or found home_entrants")
        if self.generation_progress is not None and not self.new_generation:
            raise ValueError("generation_progress is allowed only with new_generation = true")
        if self.home_standard and not self.new_generation:
            raise ValueError("home_standard is allowed only with new_generation = true")
        return self

    def resolve(self) -> DatedEvent:
        return DatedEvent(
            self.year,
            given_values(self.set),
            self.new_generation,
            self.label,
            self.home_entrants,
            self.generation_progress,
            self.home_standard,
        )


class CalibrationSpec(BaseModel):
    """How a historical case is calibrated: its dated facts and its free parameters."""

    model_config = STRICT
    history: Annotated[str, Field(min_length=1)]
    """The case's history file (CSV of dated facts), relative to this file."""
    seeds: Annotated[int, Field(ge=16, le=10_000)] = 32
    """Seeds per evaluation of the objective; every trial uses the same seeds."""
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    """The root of the calibration seeds."""
    trials: Annotated[int, Field(ge=1, le=100_000)] = 100
    """Trials `catchup calibrate` runs when `--trials` is not given."""
    free: Annotated[
        dict[str, Annotated[list[int | float], Field(min_length=2, max_length=2)]], Field(min_length=1)
    ]
    """The free parameters and their bounds, `name = [low, high]`."""
    prior: dict[str, Annotated[list[int | float], Field(min_length=2, max_length=2)]] = {}
    """A documented prior `name = [mean, sd]` per free parameter: the search pays ((value - mean) / sd)^2 for
    leaving it, so a parameter the facts cannot pin down is held by what is known of it."""


class CalibratedSpec(BaseModel):
    """What `catchup calibrate` records about the search that produced a calibrated file."""

    model_config = STRICT
    objective: float
    """The search's objective at the best trial (range distances plus centring and prior terms)."""
    distance: float
    """The sum of range distances alone: 0 when every calibration fact's median is inside its range."""
    date: str
    """When the calibration ran."""
    trials: int
    """Trials the search ran."""
    seeds: int
    """Seeds per objective evaluation."""
    base_seed: int
    """The root of the calibration seeds."""
    study: str
    """The Optuna study (storage and name) that holds every trial."""
    case_sha256: str
    """Hash of the case file the search calibrated, so a changed case is noticed."""
    history_sha256: str
    """Hash of the history file the search fitted, so a changed history is noticed."""
    identification: list[dict[str, bool | float | str]] = []
    """How much the objective rises when each free parameter moves 20% down or up: a flat row is a parameter
    the facts do not identify."""


class ScenarioSpec(BaseModel):
    """The schema of a scenario file."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=NAME_PATTERN, min_length=1, max_length=80)]
    """The scenario's name; it names the results folder."""
    description: Annotated[str, Field(max_length=4000)] = ""
    """What the scenario represents, in words."""
    start_year: Annotated[float, Field(ge=1800, le=2200)] = 1990
    """The first simulated year."""
    end_year: Annotated[float, Field(ge=1800, le=2300)] = 2030
    """The year the simulation stops (at least one step after start_year)."""
    steps_per_year: Annotated[int, Field(ge=1, le=52)] = 4
    """Simulation steps per year."""
    seeds: Annotated[int, Field(ge=1, le=1_000_000)] = 16
    """Runs (random seeds) when the command line does not say."""
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    """The root of the run seeds: run i uses run_seed(base_seed, i)."""
    parameters: ParametersSpec = Field(default_factory=ParametersSpec)  # type: ignore[valid-type]
    """Parameter values that differ from the defaults (every name and range in the parameter reference)."""
    events: list[EventSpec] = Field(default_factory=list)
    """Dated events, `[[events]]` tables."""
    countries: list[CountrySpec] = Field(default_factory=list, max_length=10)
    """Third countries with their own markets, `[[countries]]` tables."""
    cohorts: list[CohortSpec] = Field(default_factory=list, max_length=20)
    """Groups of firms entering at a date, `[[cohorts]]` tables."""
    buyers: list[BuyerSpec] = Field(default_factory=list, max_length=10)
    """Classes of buyers with their own tastes, `[[buyers]]` tables."""
    calibration: CalibrationSpec | None = None
    """Only in a case file: its dated facts and free parameters."""
    calibrated: CalibratedSpec | None = None
    """Written by `catchup calibrate` into a calibrated file: what the search found and on what."""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with every parameter resolved (defaults included)."""

    name: str
    description: str
    start_year: float
    end_year: float
    steps_per_year: int
    seeds: int
    base_seed: int
    parameters: dict[str, Any]
    events: tuple[DatedEvent, ...] = ()
    source: str | None = None
    file_hash: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None  # history path (absolute), seeds, base_seed, trials, free
    calibrated: dict[str, Any] | None = None  # what the calibration search recorded
    cohorts: tuple[Cohort, ...] = ()
    countries: tuple[Country, ...] = ()
    buyers: tuple[BuyerClass, ...] = ()

    @property
    def last_event_year(self) -> float:
        """The start of the last step: an event must act on at least one step."""
        return self.end_year - 1.0 / self.steps_per_year

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as plain data (for manifests)."""
        return {
            "name": self.name,
            "description": self.description,
            "start_year": self.start_year,
            "end_year": self.end_year,
            "steps_per_year": self.steps_per_year,
            "seeds": self.seeds,
            "base_seed": self.base_seed,
            "parameters": dict(self.parameters),
            "events": [
                {
                    "year": e.year,
                    "label": e.label,
                    "new_generation": e.new_generation,
                    "home_entrants": e.home_entrants,
                    "generation_progress": e.generation_progress,
                    "set": dict(e.set),
                }
                for e in self.events
            ],
            "source": self.source,
            "file_sha256": self.file_hash,
            "overrides": dict(self.overrides),
            "calibration": self.calibration,
            "calibrated": self.calibrated,
            # only when declared, so the design hash of every other scenario is unchanged
            **population_dict(self),
        }


def same_step_generations(
    events: Sequence[EventSpec | DatedEvent], start: float, steps_per_year: int
) -> list[tuple[int, int]]:
    """(i, j) for every event i that brings a new generation in the step of an earlier one j:
    at most one may, since a second would replace the first before any firm could see it."""
    first: dict[int, int] = {}
    clashes = []
    for i, ev in enumerate(events):
        if not ev.new_generation or not math.isfinite(ev.year):
            continue
        step = event_step(ev.year, start, steps_per_year)
        if step in first:
            clashes.append((i, first[step]))
        first.setdefault(step, i)
    return clashes


def generation_problems(source: str, events: list[EventSpec], start: float, steps_per_year: int) -> list[str]:
    """At most one new generation per step, said for the file's events by their index."""
    return [
        f"{source}: events[{i}].year = {events[i].year:g}: brings a new generation in the same step as "
        f"events[{j}] (allowed: at most one new generation per step of 1/{steps_per_year} year)"
        for i, j in same_step_generations(events, start, steps_per_year)
    ]


def event_problems(source: str, where: str, events: list[EventSpec], start: float, last: float) -> list[str]:
    """Events must lie inside the span and may not change set-up parameters."""
    problems = []
    for i, ev in enumerate(events):
        if not (start <= ev.year <= last):
            problems.append(
                f"{source}: {where}events[{i}].year = {ev.year:g}: outside the scenario's span "
                f"(allowed: {start:g} <= year <= {last:g}, the start of the last step)"
            )
        for key, value in given_values(ev.set).items():
            if key in SETUP_ONLY:
                problems.append(
                    f"{source}: {where}events[{i}].set.{key} = {value!r}: is read only at set-up and "
                    f"cannot change during a run (not allowed in events: {', '.join(sorted(SETUP_ONLY))})"
                )
    return problems


def _calibration_problems(source: str, spec: ScenarioSpec) -> list[str]:
    """Free parameters must be parameters, with bounds inside their range, low < high."""
    problems: list[str] = []
    assert spec.calibration is not None
    for name, bounds in spec.calibration.free.items():
        problems += bounds_problems(f"{source}: calibration.free.{name}", name, bounds)
        if name not in BY_NAME:
            continue
        low, high = bounds
        given = getattr(spec.parameters, name)
        if name in spec.parameters.model_fields_set and not low <= given <= high:
            problems.append(
                f"{source}: parameters.{name} = {given!r}: the starting value of a free parameter must lie "
                f"within its bounds in calibration.free.{name} (allowed: {low:g} <= value <= {high:g})"
            )
    for name, (mean, sd) in spec.calibration.prior.items():
        where = f"{source}: calibration.prior.{name}"
        if name not in spec.calibration.free:
            allowed = ", ".join(spec.calibration.free)
            problems.append(f"{where}: a prior needs a free parameter (allowed: {allowed})")
        elif not (sd > 0 and math.isfinite(sd)):
            problems.append(f"{where} = [{mean!r}, {sd!r}]: [mean, sd] needs a finite sd > 0")
        elif not spec.calibration.free[name][0] <= mean <= spec.calibration.free[name][1]:
            low, high = spec.calibration.free[name]
            problems.append(f"{where}: mean = {mean!r} must lie within the bounds [{low:g}, {high:g}]")
    return problems


def parse_scenario(
    data: dict[str, Any], source: str = "<scenario>", file_hash: str | None = None, label: str | None = None
) -> Scenario:
    """Validate scenario data (as read from TOML) and resolve it; messages name `label`
    (by default the source)."""
    source_path, source = source, label or source
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(source, err, ScenarioSpec)) from None
    problems = []
    if (spec.end_year - spec.start_year) * spec.steps_per_year < 1:
        problems.append(
            f"{source}: end_year = {spec.end_year:g}: must be at least one step "
            f"(1/{spec.steps_per_year} year) after start_year = {spec.start_year:g}"
        )
    problems += event_problems(
        source, "", spec.events, spec.start_year, spec.end_year - 1 / spec.steps_per_year
    )
    problems += generation_problems(source, spec.events, spec.start_year, spec.steps_per_year)
    if spec.calibration is not None:
        problems += _calibration_problems(source, spec)
    home_weight = (
        spec.parameters.home_market_weight
        if "home_market_weight" in spec.parameters.model_fields_set
        else defaults()["home_market_weight"]
    )
    span = (spec.start_year, spec.end_year - 1 / spec.steps_per_year)
    problems += population_problems(source, spec.countries, spec.cohorts, spec.buyers, span, home_weight)
    for i, ev in enumerate(spec.events):
        later = given_values(ev.set).get("home_market_weight")
        key = f"{source}: events[{i}].set.home_market_weight"
        if later is not None and (problem := market_overflow(key, later, spec.countries)):
            problems.append(problem)
    if problems:
        raise ScenarioError("\n".join(problems))
    params = defaults()
    params.update(spec.parameters.model_dump())
    calibration = None
    if spec.calibration is not None:
        calibration = spec.calibration.model_dump()
        base = Path(source_path).resolve().parent if not source_path.startswith("<") else Path()
        calibration["history"] = str((base / spec.calibration.history).resolve())
        calibration["free"] = {k: (float(v[0]), float(v[1])) for k, v in spec.calibration.free.items()}
        calibration["prior"] = {k: (float(v[0]), float(v[1])) for k, v in spec.calibration.prior.items()}
    return Scenario(
        name=spec.name,
        description=spec.description,
        start_year=spec.start_year,
        end_year=spec.end_year,
        steps_per_year=spec.steps_per_year,
        seeds=spec.seeds,
        base_seed=spec.base_seed,
        parameters=params,
        events=tuple(ev.resolve() for ev in sorted(spec.events, key=lambda e: e.year)),
        source=source_path,
        file_hash=file_hash,
        calibration=calibration,
        calibrated=spec.calibrated.model_dump() if spec.calibrated is not None else None,
        cohorts=tuple(c.resolve() for c in spec.cohorts),
        countries=tuple(c.resolve() for c in spec.countries),
        buyers=tuple(b.resolve() for b in spec.buyers),
    )


def load_scenario(name_or_path: str | Path, first: tuple[dict[str, Any], str] | None = None) -> Scenario:
    """Read, validate and resolve a scenario file (following `extends`), or a built-in one by name.
    `first`: the file's data and hash, when the caller has read it already."""
    path = find(name_or_path)
    data, digest, chain = read_extended(path, first=first)
    label = str(path) + (f" (extending {', '.join(map(str, chain[1:]))})" if len(chain) > 1 else "")
    return parse_scenario(data, source=str(path), file_hash=digest, label=label)


def with_overrides(scenario: Scenario, overrides: dict[str, Any], seeds: int | None = None) -> Scenario:
    """The scenario with parameter overrides (checked by the one validator, as `--set` is) and
    optionally another seed count."""
    overrides = check_parameters(overrides, lambda name: f"overrides of {scenario.name}: {name}")
    params = dict(scenario.parameters)
    params.update(overrides)
    key = f"overrides of {scenario.name}: home_market_weight"
    if problem := market_overflow(key, params["home_market_weight"], scenario.countries):
        raise ParameterError(problem)
    return replace(
        scenario,
        parameters=params,
        seeds=seeds if seeds is not None else scenario.seeds,
        overrides={**scenario.overrides, **overrides},
    )
