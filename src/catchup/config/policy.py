"""Policy problems (`catchup policy`): which levers a search may move, within which bounds, for
which objectives, over which seeds and which uncertain parameters; and the scenario a set of
lever values makes.

A policy problem is read from a policy file (TOML with a `[levers]` table) or built from a
scenario and command-line options. Lever values act on the scenario's raw data, so the scenario
file written for a chosen point is the very data its runs were made from.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from catchup.config.builtin import EXPERIMENTS, builtin_names, find
from catchup.config.levers import (
    INSTRUMENTS,
    OBJECTIVES,
    STRENGTH_OF,
    check_problem,
    instrument_of,
    replaced_parameters,
    strip_settings,
)
from catchup.config.messages import NAME_PATTERN, format_validation_error
from catchup.config.scenario import STRICT, Scenario, parse_scenario
from catchup.config.toml import read_extended, read_toml
from catchup.errors import ScenarioError

Number = int | float
MAX_ROBUSTNESS_SAMPLES = 64


class RobustnessSpec(BaseModel):
    """Uncertain non-policy parameters: every candidate is judged on a Latin hypercube sample
    of them (the same sample for all candidates)."""

    model_config = STRICT
    samples: Annotated[int, Field(ge=1, le=MAX_ROBUSTNESS_SAMPLES)] = 4
    """Latin hypercube points of the uncertain parameters every candidate is judged on."""
    parameters: Annotated[
        dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]], Field(min_length=1)
    ]
    """The uncertain parameters and their ranges, `name = [low, high]`."""


class PolicySpec(BaseModel):
    """The schema of a policy file."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=NAME_PATTERN, min_length=1, max_length=80)]
    """The policy problem's name; it names the results folder."""
    description: Annotated[str, Field(max_length=4000)] = ""
    """What the problem asks, in words."""
    scenario: Annotated[str, Field(min_length=1)]
    """The base scenario: a built-in name or a path relative to this file."""
    objectives: Annotated[list[str], Field(min_length=2, max_length=4)]
    """Two to four objectives to optimise (see `catchup policy --help`)."""
    levers: Annotated[
        dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]], Field(min_length=1)
    ]
    """The policy levers searched and their ranges, `name = [low, high]`."""
    seeds: Annotated[int, Field(ge=1, le=10_000)] = 32
    """Seeds every candidate is run on (the same for all)."""
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    """The root of those seeds."""
    trials: Annotated[int, Field(ge=1, le=100_000)] = 100
    """Candidates evaluated when `--trials` is not given."""
    population: Annotated[int, Field(ge=4, le=1000)] = 20
    """NSGA-II population per generation."""
    robustness: RobustnessSpec | None = None
    """Uncertain non-policy parameters every candidate is judged across (`[robustness]`)."""


@dataclass(frozen=True)
class PolicyProblem:
    """A checked policy problem: the base scenario (its raw data and resolved form), the levers
    with their bounds, the objectives, the seeds and the uncertain parameters."""

    name: str
    description: str
    scenario: Scenario
    data: dict[str, Any]  # the base scenario's data, `extends` merged in
    levers: dict[str, tuple[float, float]]
    objectives: tuple[str, ...]
    seeds: int
    base_seed: int
    trials: int
    population: int = 20
    uncertain: dict[str, tuple[float, float]] = field(default_factory=dict)
    samples: int = 1
    source: str = ""

    @property
    def runs_per_candidate(self) -> int:
        return self.seeds * self.samples

    @property
    def directions(self) -> list[str]:
        return [OBJECTIVES[name] for name in self.objectives]

    def key(self) -> dict[str, Any]:
        """Everything that changes a candidate's objective values: a study is resumed only when
        this is unchanged (its hash names the study)."""
        return {
            "scenario": self.data,
            "levers": {k: list(v) for k, v in self.levers.items()},
            "objectives": list(self.objectives),
            "seeds": self.seeds,
            "base_seed": self.base_seed,
            "uncertain": {k: list(v) for k, v in self.uncertain.items()},
            "samples": self.samples,
            "population": self.population,
        }

    def study_name(self, version: str) -> str:
        blob = json.dumps({**self.key(), "version": version}, sort_keys=True, default=str)
        return f"{self.name}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"

    def to_dict(self) -> dict[str, Any]:
        """What a policy result's manifest records about the problem."""
        return {
            "levers": {k: list(v) for k, v in self.levers.items()},
            "objectives": {k: OBJECTIVES[k] for k in self.objectives},
            "seeds": self.seeds,
            "base_seed": self.base_seed,
            "population": self.population,
            "uncertain": {k: list(v) for k, v in self.uncertain.items()},
            "samples": self.samples,
            "source": self.source,
        }


def policy_data(
    problem: PolicyProblem, values: dict[str, float], uncertain: dict[str, float] | None = None
) -> dict[str, Any]:
    """The scenario data of a candidate: the base data with the levers' instruments replaced.

    An instrument with a searched level, start or duration is on at its level (searched, or the
    base scenario's) from its start (or the start year) for its years (or to the end), and off
    otherwise; the base scenario's dated settings of it are dropped, so the candidate, not the
    history, decides it. Strengths are plain parameters. `uncertain`: non-policy values of one
    robustness sample."""
    data = copy.deepcopy(problem.data)
    data.pop("calibration", None)
    data.pop("calibrated", None)
    start, end = float(data.get("start_year", 1990)), float(data.get("end_year", 2030))
    steps = int(data.get("steps_per_year", 4))
    last = end - 1.0 / steps
    parameters = dict(data.get("parameters", {}))
    base = problem.scenario.parameters
    events = strip_settings(list(data.get("events", [])), replaced_parameters(problem.levers))
    for lever in problem.levers:
        if lever in STRENGTH_OF:
            parameters[lever] = float(values[lever])
    for instrument, switch in INSTRUMENTS.items():
        if not any(
            instrument_of(lever) == instrument for lever in problem.levers if lever not in STRENGTH_OF
        ):
            continue
        level = float(values.get(switch, base[switch]))
        on = float(values.get(f"{instrument}_start", start))
        off = on + float(values[f"{instrument}_years"]) if f"{instrument}_years" in values else math.inf
        parameters[switch] = level if on <= start else 0.0
        if start < on <= last:
            events.append({"year": round(on, 4), "set": {switch: level}, "label": f"policy: {instrument} on"})
        if on <= last and off <= last:
            events.append(
                {
                    "year": round(max(off, start), 4),
                    "set": {switch: 0.0},
                    "label": f"policy: {instrument} off",
                }
            )
    parameters.update(uncertain or {})
    data["parameters"] = parameters
    data["events"] = sorted(events, key=lambda e: float(e["year"]))
    return data


def policy_scenario(
    problem: PolicyProblem, values: dict[str, float], uncertain: dict[str, float] | None = None
) -> Scenario:
    """The resolved scenario of a candidate (checked by the scenario validator)."""
    return parse_scenario(policy_data(problem, values, uncertain), source=problem.source or "<policy>")


def parse_bounds(text: str, where: str) -> tuple[str, tuple[float, float] | None]:
    """`name` or `name=low:high` (a command-line lever or uncertain parameter)."""
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep:
        return name, None
    low, colon, high = rest.partition(":")
    try:
        if not colon:
            raise ValueError
        return name, (float(low), float(high))
    except ValueError:
        raise ScenarioError(
            f"{where} {text!r}: write NAME or NAME=LOW:HIGH (e.g. rd_subsidy=0:0.5)"
        ) from None


class PolicyDetails(BaseModel):
    """What a policy result's manifest records of its problem (`PolicyProblem.to_dict` and the
    study), checked when the result is read back."""

    model_config = ConfigDict(extra="allow", strict=False)
    levers: Annotated[
        dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]], Field(min_length=1)
    ]
    objectives: Annotated[dict[str, Literal["maximize", "minimize"]], Field(min_length=2, max_length=4)]
    seeds: Annotated[int, Field(ge=1, le=10_000)]
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    population: Annotated[int, Field(ge=4, le=1000)]
    uncertain: dict[str, Annotated[list[Number], Field(min_length=2, max_length=2)]]
    samples: Annotated[int, Field(ge=1, le=MAX_ROBUSTNESS_SAMPLES)]
    source: str = ""
    study: str = ""
    data: dict[str, Any]


def problem_from_details(details: dict[str, Any], name: str, description: str, where: str) -> PolicyProblem:
    """The policy problem a result was searched on, from its manifest's details, every key checked
    as a policy file's would be (`where` names the manifest in messages)."""
    try:
        d = PolicyDetails.model_validate(details)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(f"{where}: details", err, PolicyDetails)) from None
    if list(d.objectives.values()) != [OBJECTIVES.get(k) for k in d.objectives]:
        raise ScenarioError(f"{where}: details.objectives: {d.objectives} (allowed: {OBJECTIVES})")
    scenario = parse_scenario(d.data, source=f"{where}: details.data")
    levers = {k: (float(v[0]), float(v[1])) for k, v in d.levers.items()}
    uncertain = {k: (float(v[0]), float(v[1])) for k, v in d.uncertain.items()}
    full, objectives = check_problem(
        f"{where}: details", scenario, dict(levers), list(d.objectives), uncertain
    )
    return PolicyProblem(
        name=name,
        description=description,
        scenario=scenario,
        data=d.data,
        levers=full,
        objectives=tuple(objectives),
        seeds=d.seeds,
        base_seed=d.base_seed,
        trials=0,
        population=d.population,
        uncertain=uncertain,
        samples=d.samples if uncertain else 1,
        source=d.source,
    )


def _base(
    path: Path, first: tuple[dict[str, Any], str] | None = None
) -> tuple[Path, dict[str, Any], Scenario]:
    """The base scenario's path, its merged data and its resolved form (`first`: the file's data
    and hash, when read already)."""
    data, digest, _ = read_extended(path, first=first)
    return path, data, parse_scenario(data, source=str(path), file_hash=digest)


def _referenced(source: Path, reference: str) -> Path:
    """A policy file's scenario: a path relative to the file, or a built-in name."""
    relative = source.parent / reference
    return (
        relative.resolve() if (relative.is_file() or Path(reference).suffix == ".toml") else find(reference)
    )


def _find(target: str | Path) -> Path:
    """A file, a built-in scenario, or a built-in policy file (`policy/speech`)."""
    try:
        return find(target)
    except ScenarioError as exc:
        try:
            return find(target, EXPERIMENTS, "policy file")
        except ScenarioError:
            policies = [f"policy/{n}" for n in builtin_names(EXPERIMENTS / "policy")]
            raise ScenarioError(f"{exc}; built-in policy files: {', '.join(policies) or 'none'}") from None


def load_policy(
    target: str | Path,
    *,
    levers: dict[str, tuple[float, float] | None] | None = None,
    objectives: list[str] | None = None,
    uncertain: dict[str, tuple[float, float]] | None = None,
    samples: int | None = None,
    seeds: int | None = None,
    base_seed: int | None = None,
    trials: int | None = None,
    first: tuple[dict[str, Any], str] | None = None,
) -> PolicyProblem:
    """A policy problem from a policy file (path or built-in name), or from a scenario (name or
    file) and the options; options given override the file's. Every problem is named with file
    and key. `first`: the file's data and hash, when read already."""
    path = _find(target)
    data, digest = first if first is not None else read_toml(path)  # read once: it may be a pipe
    spec = None
    if "levers" in data:
        try:
            spec = PolicySpec.model_validate(data)
        except ValidationError as err:
            raise ScenarioError(format_validation_error(str(path), err, PolicySpec)) from None
        try:
            scenario_path, scenario_data, scenario = _base(_referenced(path, spec.scenario))
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: scenario = {spec.scenario!r}: {exc}") from None
    else:
        scenario_path, scenario_data, scenario = _base(path, (data, digest))
    source = str(path)
    file_levers = {k: (float(v[0]), float(v[1])) for k, v in spec.levers.items()} if spec else {}
    wanted = dict(file_levers) | dict(levers or {})
    if not wanted:
        raise ScenarioError(
            f"{source}: no levers (give --levers, e.g. --levers rd_subsidy,procurement_support)"
        )
    chosen = objectives or (spec.objectives if spec else [])
    robust = spec.robustness if spec else None
    spread = {k: (float(v[0]), float(v[1])) for k, v in (robust.parameters if robust else {}).items()}
    spread |= dict(uncertain or {})
    if samples is not None and not spread:
        raise ScenarioError(
            f"{source}: --samples {samples}: no uncertain parameters to sample (give --uncertain)"
        )
    full, chosen = check_problem(source, scenario, wanted, list(chosen), spread)
    n_samples = (samples or (robust.samples if robust else 4)) if spread else 1
    return PolicyProblem(
        name=spec.name if spec else f"{scenario.name}_policy",
        description=spec.description if spec else f"Policy search on {scenario.name}",
        scenario=scenario,
        data=scenario_data,
        levers=full,
        objectives=tuple(chosen),
        seeds=seeds or (spec.seeds if spec else 32),
        base_seed=base_seed if base_seed is not None else (spec.base_seed if spec else scenario.base_seed),
        trials=trials or (spec.trials if spec else 100),
        population=spec.population if spec else 20,
        uncertain=spread,
        samples=n_samples,
        source=str(scenario_path),
    )
