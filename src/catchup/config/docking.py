"""Docking files (TOML): a published model's set-up as a catchup scenario, the statements its
authors report, and its counterfactuals, each with the measure that checks it.

A docking file names a scenario (the reference's configuration mapped onto catchup), the
reference's periods in steps, its baseline statements (a reference value and the tolerance
a match allows, fixed before any run) and its counterfactuals (parameter changes or another
scenario file, and the direction the reference reports). `catchup dock` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from catchup.config.builtin import EXPERIMENTS, find
from catchup.config.messages import NAME_PATTERN, STRICT, format_validation_error
from catchup.config.scenario import Scenario, load_scenario, with_overrides
from catchup.config.toml import read_toml
from catchup.errors import ParameterError, ScenarioError
from catchup.model.cohorts import BUILT_IN_COHORTS

DOCKING = EXPERIMENTS / "docking"  # the built-in docking files, found by name
DOCKING_KEYS = {"statements", "counterfactuals", "reference"}  # what only a docking file has


class CheckSpec(BaseModel):
    """One measured quantity of every run, over reference periods `from`..`to` (inclusive).

    mean: the column's mean over the periods; largest: 1 if the column's mean over the
    periods is the largest of `among`; lead: the mean over the periods of the largest of
    `among` minus the second largest (how clearly anyone leads; `column` is the first of
    them); below: 1 if its mean is below the mean of `than`; reaches: 1 if it reaches
    `at_least` within the periods; first: the first period it reaches `at_least` (runs that
    never do are left out and counted)."""

    model_config = STRICT
    measure: Literal["mean", "largest", "lead", "below", "reaches", "first"]
    """How the column is summarised: `mean`, `largest`, `lead`, `below`, `reaches` or `first` (see the
    docking page)."""
    column: Annotated[str, Field(min_length=1)]
    """The per-step column measured (a share, a cohort's `share_<name>`, ...)."""
    start: Annotated[int, Field(ge=1, le=100_000, alias="from")]
    """First reference period measured (key `from`; the reference's periods, counted from 1)."""
    end: Annotated[int, Field(ge=1, le=100_000, alias="to")]
    """Last reference period measured (key `to`, inclusive)."""
    among: list[Annotated[str, Field(min_length=1)]] | None = None
    """Columns compared (`largest`, `lead`)."""
    than: str | None = None
    """The column compared with (`below`)."""
    at_least: float | None = Field(default=None, allow_inf_nan=False)
    """The level to reach (`reaches`, `first`)."""

    @model_validator(mode="after")
    def _check(self) -> CheckSpec:
        if self.end < self.start:
            raise ValueError(f"to = {self.end} is before from = {self.start}")
        needs = {
            "largest": "among",
            "lead": "among",
            "below": "than",
            "reaches": "at_least",
            "first": "at_least",
        }
        key = needs.get(self.measure)
        if key is not None and getattr(self, key) is None:
            raise ValueError(f"measure = {self.measure!r} needs {key}")
        for other in ("among", "than", "at_least"):
            if other != key and getattr(self, other) is not None:
                raise ValueError(
                    f"{other} is not read by measure = {self.measure!r} (it reads: {key or 'column'})"
                )
        if self.among is not None and len(set(self.among)) < 2:
            raise ValueError("among must name at least two different columns")
        if self.measure == "largest" and self.column not in (self.among or []):
            raise ValueError(f"column {self.column!r} must be one of among")
        return self

    def columns(self) -> list[tuple[str, str]]:
        """Every column the check reads, with the key that names it."""
        named = [("column", self.column)] + [("among", c) for c in self.among or []]
        return named + ([("than", self.than)] if self.than else [])


class StatementSpec(CheckSpec):
    """A baseline statement of the reference: its text, value, and the tolerance of a match."""

    text: Annotated[str, Field(min_length=1, max_length=400)]
    """The reference's statement, in words."""
    reference: float = Field(allow_inf_nan=False)
    """The value the reference reports."""
    # about: within `tolerance` of the reference; above / below: beyond it (a bound the
    # reference states, "above 0.73")
    relation: Literal["about", "above", "below"] = "about"
    """`about` (within tolerance), `above` or `below` (a bound the reference states)."""
    tolerance: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    """How close a match must come (`about` only)."""

    @model_validator(mode="after")
    def _tolerance(self) -> StatementSpec:
        if self.relation != "about" and "tolerance" in self.model_fields_set:
            raise ValueError(
                f"tolerance is not read with relation = {self.relation!r} (a bound is met or not)"
            )
        if self.relation == "about" and "tolerance" not in self.model_fields_set:
            raise ValueError("relation = 'about' needs a tolerance (how close a match must come)")
        return self


class CounterfactualCheckSpec(CheckSpec):
    """What a counterfactual moves, and which way the reference says it moves."""

    direction: Literal["up", "down"]
    """Which way the reference says the counterfactual moves the measure: `up` or `down`."""


class CounterfactualSpec(BaseModel):
    """A counterfactual: parameter changes and/or another scenario file, and what it moves."""

    model_config = STRICT
    text: Annotated[str, Field(min_length=1, max_length=400)]
    """The counterfactual, in words."""
    scenario: str | None = None
    """Another scenario file, relative to the docking file (default: the baseline's)."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Parameter changes of the counterfactual."""
    checks: Annotated[list[CounterfactualCheckSpec], Field(min_length=1)]
    """What it moves and which way (`[[counterfactuals.NAME.checks]]`)."""

    @model_validator(mode="after")
    def _changes_something(self) -> CounterfactualSpec:
        if not self.set and self.scenario is None:
            raise ValueError("a counterfactual needs set (parameter changes) and/or scenario (another file)")
        return self


class DockingSpec(BaseModel):
    """The schema of a docking file."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=NAME_PATTERN, min_length=1, max_length=80)]
    """The docking's name; it names the results folder."""
    reference: Annotated[str, Field(min_length=1, max_length=400)]
    """The published model docked with (authors, year, title)."""
    scenario: Annotated[str, Field(min_length=1)]
    """The scenario reproducing the reference's set-up, relative to this file."""
    seeds: Annotated[int, Field(ge=2, le=100_000)] = 200
    """Runs per set-up."""
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    """The root of the run seeds."""
    steps_per_period: Annotated[int, Field(ge=1, le=52)] = 1
    """catchup steps per period of the reference."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Cohort names as the reference names them, `cohort = "name"`."""
    statements: Annotated[list[StatementSpec], Field(min_length=1)]
    """The reference's baseline statements (`[[statements]]`)."""
    counterfactuals: dict[Annotated[str, Field(pattern=NAME_PATTERN)], CounterfactualSpec] = Field(
        default_factory=dict
    )
    """The reference's counterfactuals by name (`[counterfactuals.NAME]`)."""


@dataclass(frozen=True)
class Docking:
    """A validated docking file with its scenarios resolved (same seeds for every variant)."""

    name: str
    reference: str
    source: str
    scenario_file: str  # as the docking file names it (relative to the docking file)
    baseline: Scenario
    variants: dict[str, Scenario]
    seeds: int
    base_seed: int
    steps_per_period: int
    labels: dict[str, str]
    statements: tuple[StatementSpec, ...]
    counterfactuals: dict[str, CounterfactualSpec]

    def label(self, cohort: str) -> str:
        """A cohort by the reference's name for it."""
        return self.labels.get(cohort, cohort)

    def column_label(self, column: str | None) -> str:
        """A recorded column in words: "B's world share", "startups' share of pcs", "pcs HHI"."""
        column = column or ""
        if column.startswith("share_"):
            return f"{self.label(column.removeprefix('share_'))} world share"
        for b in self.baseline.buyers:
            if column == f"{b.name}_hhi":
                return f"{b.name} HHI"
            if column == f"{b.name}_served":
                return f"{b.name} served"
            if column.startswith(f"{b.name}_share_"):
                return f"{self.label(column.removeprefix(f'{b.name}_share_'))} share of {b.name}"
        return column


def _scenario_of(source: str, key: str, path: Path) -> Scenario:
    """A scenario a docking file names, with a problem said for the docking file and its key."""
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        lines = str(exc).splitlines()
        raise ScenarioError("\n".join(f"{source}: {key}: {line}" for line in lines)) from None


def _known_cohorts(scenario: Scenario) -> list[str]:
    return [*BUILT_IN_COHORTS, *(c.name for c in scenario.cohorts)]


def _known_columns(scenario: Scenario) -> set[str]:
    """Per-step cohort and buyer-class columns a scenario records (see `simulate`)."""
    cohorts = _known_cohorts(scenario)
    known = {f"share_{c}" for c in cohorts}
    for b in scenario.buyers:
        known |= {f"{b.name}_hhi", f"{b.name}_served"} | {f"{b.name}_share_{c}" for c in cohorts}
    return known


def _column_problems(source: str, where: str, check: CheckSpec, known: set[str], steps: int) -> list[str]:
    problems = []
    for key, column in check.columns():
        if column not in known:
            problems.append(
                f"{source}: {where}.{key} {column!r}: not recorded by the scenario "
                f"(allowed: {', '.join(sorted(known))})"
            )
    if check.end > steps:
        problems.append(f"{source}: {where}.to = {check.end}: after the scenario's last period ({steps})")
    return problems


def load_docking(name_or_path: str | Path, first: dict[str, Any] | None = None) -> Docking:
    """Read, validate and resolve a docking file, or a built-in one by name (`first`: its data,
    when the caller has read it already: a file is read once, it may be a pipe)."""
    path = find(name_or_path, DOCKING, "docking file")
    data = first if first is not None else read_toml(path)[0]
    source = str(path)
    if not DOCKING_KEYS & set(data):
        raise ScenarioError(
            f"{source}: not a docking file (a docking file names a scenario and lists [[statements]]; "
            "see experiments/docking/)"
        )
    try:
        spec = DockingSpec.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(source, err, DockingSpec)) from None
    here = path.parent
    baseline = _scenario_of(source, "scenario", here / spec.scenario)
    variants: dict[str, Scenario] = {}
    problems: list[str] = []
    for key, cf in spec.counterfactuals.items():
        try:
            base = (
                _scenario_of(source, f"counterfactuals.{key}.scenario", here / cf.scenario)
                if cf.scenario
                else baseline
            )
        except ScenarioError as exc:
            problems.append(str(exc))
            continue
        try:
            variants[key] = with_overrides(base, cf.set)
        except ParameterError as exc:
            problems += [f"{source}: counterfactuals.{key}.set: {line}" for line in str(exc).splitlines()]
            continue
        for field in ("start_year", "end_year", "steps_per_year"):
            own, base_value = getattr(base, field), getattr(baseline, field)
            if own != base_value:
                problems.append(
                    f"{source}: counterfactuals.{key}.scenario: {field} = {own:g} differs from the "
                    f"baseline's {base_value:g} (allowed: the same calendar, so periods compare)"
                )
    cohorts = _known_cohorts(baseline)
    for label in spec.labels:
        if label not in cohorts:
            problems.append(
                f"{source}: labels.{label}: not a cohort of the scenario (allowed: {', '.join(cohorts)})"
            )
    n_periods = (
        round((baseline.end_year - baseline.start_year) * baseline.steps_per_year) // spec.steps_per_period
    )
    known = _known_columns(baseline)
    for i, st in enumerate(spec.statements):
        problems += _column_problems(source, f"statements[{i}]", st, known, n_periods)
    for key, cf in spec.counterfactuals.items():
        for i, check in enumerate(cf.checks):
            variant = variants.get(key, baseline)
            problems += _column_problems(
                source,
                f"counterfactuals.{key}.checks[{i}]",
                check,
                known & _known_columns(variant),
                n_periods,
            )
    if problems:
        raise ScenarioError("\n".join(problems))
    return Docking(
        name=spec.name,
        reference=spec.reference,
        source=source,
        scenario_file=spec.scenario,
        baseline=baseline,
        variants=variants,
        seeds=spec.seeds,
        base_seed=spec.base_seed,
        steps_per_period=spec.steps_per_period,
        labels=dict(spec.labels),
        statements=tuple(spec.statements),
        counterfactuals=dict(spec.counterfactuals),
    )


def docking_with_overrides(docking: Docking, overrides: dict[str, Any]) -> Docking:
    """The docking with parameter overrides on the baseline and every counterfactual (each
    counterfactual's own changes still on top): to see how a result depends on a value the
    reference does not state."""
    if not overrides:
        return docking
    variants = {
        key: with_overrides(with_overrides(scenario, overrides), docking.counterfactuals[key].set)
        for key, scenario in docking.variants.items()
    }
    return replace(docking, baseline=with_overrides(docking.baseline, overrides), variants=variants)
