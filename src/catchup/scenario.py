"""Scenario files (TOML): schema, validation with clear messages, and the resolved scenario.

A scenario file names itself, sets the calendar, the seeds and parameter overrides, and
lists dated events. Everything is checked against the parameter table in params.py.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from catchup.model import DatedEvent
from catchup.params import BY_NAME, PARAMETERS, SETUP_ONLY, defaults


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, the key and what is allowed."""


def _parameter_field(p) -> tuple[Any, Any]:
    kind = int if p.type is int else float
    return (
        Annotated[kind, Field(ge=p.low, le=p.high, description=p.meaning)],
        p.default,
    )


_STRICT = ConfigDict(extra="forbid", strict=True)

ParametersSpec = create_model(
    "ParametersSpec",
    __config__=_STRICT,
    **{p.name: _parameter_field(p) for p in PARAMETERS},
)


class EventSpec(BaseModel):
    """A dated event: parameter changes and/or the arrival of a new generation."""

    model_config = _STRICT
    year: float
    label: str = ""
    new_generation: bool = False
    home_entrants: Annotated[int, Field(ge=0, le=200)] = 0
    set: dict[str, int | float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> EventSpec:
        if not self.new_generation and not self.set and not self.home_entrants:
            raise ValueError("an event must set parameters, bring a new_generation or found home_entrants")
        return self


class CalibrationSpec(BaseModel):
    """How a historical case is calibrated: its dated facts and its free parameters."""

    model_config = _STRICT
    history: Annotated[str, Field(min_length=1)]  # CSV of dated facts, relative to this file
    seeds: Annotated[int, Field(ge=16, le=10_000)] = 32  # seeds per objective evaluation
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    trials: Annotated[int, Field(ge=1, le=100_000)] = 100  # default for `catchup calibrate`
    free: dict[str, Annotated[list[int | float], Field(min_length=2, max_length=2)]]


class CalibratedSpec(BaseModel):
    """What `catchup calibrate` records about the search that produced a calibrated file."""

    model_config = _STRICT
    objective: float  # the search's objective at the best trial (range distances + centring)
    distance: float  # the sum of range distances alone: 0 when every median is inside its range
    date: str
    trials: int
    seeds: int
    base_seed: int
    study: str
    case_sha256: str
    history_sha256: str


class ScenarioSpec(BaseModel):
    """The schema of a scenario file."""

    model_config = _STRICT
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", min_length=1, max_length=80)]
    description: str = ""
    start_year: Annotated[float, Field(ge=1800, le=2200)] = 1990
    end_year: Annotated[float, Field(ge=1800, le=2300)] = 2030
    steps_per_year: Annotated[int, Field(ge=1, le=52)] = 4
    seeds: Annotated[int, Field(ge=1, le=1_000_000)] = 16
    base_seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    parameters: ParametersSpec = Field(default_factory=ParametersSpec)  # type: ignore[valid-type]
    events: list[EventSpec] = Field(default_factory=list)
    calibration: CalibrationSpec | None = None
    calibrated: CalibratedSpec | None = None


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
                    "set": dict(e.set),
                }
                for e in self.events
            ],
            "source": self.source,
            "file_sha256": self.file_hash,
            "overrides": dict(self.overrides),
            "calibration": self.calibration,
            "calibrated": self.calibrated,
        }


def _where(loc: tuple[Any, ...]) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _allowed(loc: tuple[Any, ...], error_type: str, schema: type[BaseModel]) -> str:
    """What would have been accepted at this key, from the parameter table or the schema."""
    if error_type == "extra_forbidden":
        if loc[:1] == ("parameters",):
            close = difflib.get_close_matches(str(loc[-1]), list(BY_NAME), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            return f"a parameter name from `catchup params`{hint}"
        if "events" in loc:
            return "year, label, new_generation, home_entrants, set"
        if loc[0] == "sample":
            return "method, size, seed, levels, ranges"
        if loc[0] == "factors":
            return "set, events, drop_events"
        if len(loc) > 1:
            return "see README.md for the keys of this table"
        return ", ".join(schema.model_fields)
    name = str(loc[-1]) if loc else ""
    if loc[:1] == ("parameters",) and name in BY_NAME:
        return BY_NAME[name].allowed()
    if len(loc) >= 3 and loc[0] == "events" and loc[2] == "set" and len(loc) > 3:
        key = str(loc[3])
        if key in BY_NAME:
            return BY_NAME[key].allowed()
    fld = schema.model_fields.get(name)
    if fld is not None:
        bounds = [m for m in fld.metadata if hasattr(m, "ge") or hasattr(m, "le")]
        ge = next((m.ge for m in bounds if getattr(m, "ge", None) is not None), None)
        le = next((m.le for m in bounds if getattr(m, "le", None) is not None), None)
        kind = getattr(fld.annotation, "__name__", str(fld.annotation))
        if ge is not None or le is not None:
            return f"{kind} in [{ge:g}, {le:g}]" if ge is not None and le is not None else kind
        return kind
    return "see docs/ODD.md and README.md (Scenario files)"


def format_validation_error(source: str, err: ValidationError, schema: type[BaseModel] | None = None) -> str:
    """One line per problem: file, key path, bad value, message, allowed values."""
    lines = []
    for e in err.errors():
        loc = tuple(e["loc"])
        value = e.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        allowed = _allowed(loc, e["type"], schema or ScenarioSpec)
        lines.append(f"{source}: {_where(loc)} = {shown}: {msg} (allowed: {allowed})")
    return "\n".join(lines)


def unknown_parameter(where: str, name: str) -> str:
    """The message for a name that is not a parameter, with the closest names as a hint."""
    close = difflib.get_close_matches(name, list(BY_NAME), n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"{where}: unknown parameter (allowed: a parameter name from `catchup params`{hint})"


def _check_semantics(source: str, spec: ScenarioSpec) -> None:
    """Rules that span keys: calendar order, events inside the span, event parameters."""
    problems = []
    if spec.end_year <= spec.start_year:
        problems.append(
            f"{source}: end_year = {spec.end_year:g}: must be after start_year = {spec.start_year:g}"
        )
    last = spec.end_year - 1.0 / spec.steps_per_year  # an event must act on at least one step
    for i, ev in enumerate(spec.events):
        if not (spec.start_year <= ev.year <= last):
            problems.append(
                f"{source}: events[{i}].year = {ev.year:g}: outside the scenario's span "
                f"(allowed: {spec.start_year:g} <= year <= {last:g}, the start of the last step)"
            )
        for key, value in ev.set.items():
            where = f"{source}: events[{i}].set.{key} = {value!r}"
            if key not in BY_NAME:
                problems.append(unknown_parameter(where, key))
            elif key in SETUP_ONLY:
                problems.append(
                    f"{where}: is read only at set-up and cannot change during a run (not allowed in "
                    f"events: {', '.join(sorted(SETUP_ONLY))})"
                )
            else:
                try:
                    BY_NAME[key].check(value)
                except ValueError as exc:
                    problems.append(f"{where}: {exc}")
    if spec.calibration is not None:
        problems.extend(_calibration_problems(source, spec))
    if problems:
        raise ScenarioError("\n".join(problems))


def _calibration_problems(source: str, spec: ScenarioSpec) -> list[str]:
    """Free parameters must be parameters, with bounds inside their range, low < high."""
    problems = []
    assert spec.calibration is not None
    for name, bounds in spec.calibration.free.items():
        where = f"{source}: calibration.free.{name} = {bounds!r}"
        if name not in BY_NAME:
            problems.append(unknown_parameter(where, name))
            continue
        low, high = bounds
        for value in bounds:
            try:
                BY_NAME[name].check(value)
            except ValueError as exc:
                problems.append(f"{where}: bound {exc}")
        if not low < high:
            problems.append(f"{where}: needs [low, high] with low < high")
        given = spec.parameters.model_dump().get(name)
        if name in spec.parameters.model_fields_set and not low <= given <= high:
            problems.append(
                f"{source}: parameters.{name} = {given!r}: the starting value of a free parameter must lie "
                f"within its bounds in calibration.free.{name} (allowed: {low:g} <= value <= {high:g})"
            )
    return problems


def parse_scenario(
    data: dict[str, Any], source: str = "<scenario>", file_hash: str | None = None
) -> Scenario:
    """Validate scenario data (as read from TOML) and resolve it."""
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(source, err)) from None
    _check_semantics(source, spec)
    params = defaults()
    params.update(spec.parameters.model_dump())
    events = tuple(
        DatedEvent(
            year=ev.year,
            set={k: BY_NAME[k].check(v) for k, v in ev.set.items()},
            new_generation=ev.new_generation,
            label=ev.label,
            home_entrants=ev.home_entrants,
        )
        for ev in sorted(spec.events, key=lambda e: e.year)
    )
    calibration = None
    if spec.calibration is not None:
        calibration = spec.calibration.model_dump()
        base = Path(source).parent if source and not source.startswith("<") else Path()
        calibration["history"] = str((base / spec.calibration.history).resolve())
        calibration["free"] = {k: (float(v[0]), float(v[1])) for k, v in spec.calibration.free.items()}
    return Scenario(
        name=spec.name,
        description=spec.description,
        start_year=spec.start_year,
        end_year=spec.end_year,
        steps_per_year=spec.steps_per_year,
        seeds=spec.seeds,
        base_seed=spec.base_seed,
        parameters=params,
        events=events,
        source=source,
        file_hash=file_hash,
        calibration=calibration,
        calibrated=spec.calibrated.model_dump() if spec.calibrated is not None else None,
    )


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a TOML file; a missing or malformed file is a ScenarioError naming it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, not a TOML file") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None
    return data, hashlib.sha256(raw).hexdigest()


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and resolve a scenario file (following `extends`)."""
    data, digest = _read_extended(Path(path), seen=())
    return parse_scenario(data, source=str(path), file_hash=digest)


def _read_extended(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], str]:
    """A scenario file's data with its `extends` chain merged in.

    A calibrated file extends its case file: its [parameters] override the base's, its
    events are added, and any other key replaces the base's. Paths inside the base (the
    calibration history) are made relative to the extending file, so they keep pointing
    at the same file. The hash covers every file in the chain.
    """
    data, digest = read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, digest
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends = {parent!r}: must be a path to a scenario file (a string)")
    base_path = (path.parent / parent).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ScenarioError(f"{path}: extends = {parent!r}: a cycle of scenario files extending each other")
    base, base_digest = _read_extended(base_path, (*seen, path.resolve()))
    merged = {**base, **data}
    for table in ("parameters",):
        if isinstance(base.get(table), dict) and isinstance(data.get(table), dict):
            merged[table] = {**base[table], **data[table]}
    if isinstance(base.get("events"), list) and isinstance(data.get("events"), list):
        merged["events"] = base["events"] + data["events"]
    calibration = merged.get("calibration")
    if "calibration" not in data and isinstance(calibration, dict) and "history" in calibration:
        history = (base_path.parent / str(calibration["history"])).resolve()
        merged["calibration"] = {**calibration, "history": os.path.relpath(history, path.parent)}
    return merged, hashlib.sha256((base_digest + digest).encode()).hexdigest()


def with_overrides(scenario: Scenario, overrides: dict[str, Any], seeds: int | None = None) -> Scenario:
    """The scenario with `--set` overrides (already checked) and optionally another seed count."""
    params = dict(scenario.parameters)
    params.update(overrides)
    return replace(
        scenario,
        parameters=params,
        seeds=seeds if seeds is not None else scenario.seeds,
        overrides={**scenario.overrides, **overrides},
    )
