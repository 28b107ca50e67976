"""The manifest of a result folder: one schema for every kind of folder.

`manifest.json` says what the folder holds (its kind and tables), what was run (the
resolved scenario and, for sweeps, the experiment), with which seeds, by which versions,
and whether it is complete. It is parsed in one place, `ResultFolder.open`.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from catchup.model.parameters import BY_NAME

FORMAT_VERSION = 1
Kind = Literal["run", "sweep", "attribution", "case", "docking", "policy"]
KINDS: tuple[str, ...] = get_args(Kind)
# How a table is stored: one Parquet file, Parquet chunks in a folder (sweeps), or CSV (small
# derived tables a reader may open in a spreadsheet).
TableFormat = Literal["parquet", "chunks", "csv"]
Status = Literal["running", "complete"]


class _Record(BaseModel):
    """The keys readers of a manifest rely on; other keys are kept as they are."""

    model_config = ConfigDict(extra="allow")


class EventRecord(_Record):
    year: float
    label: str = ""
    new_generation: bool = False
    home_entrants: Annotated[int, Field(ge=0)] = 0
    generation_progress: Annotated[float, Field(ge=0.01, le=0.9)] | None = None
    set: dict[str, bool | int | float] = Field(default_factory=dict)


class CalibrationRecord(_Record):
    history: str


class ScenarioRecord(_Record):
    """A resolved scenario as a manifest holds it (`Scenario.to_dict`)."""

    name: str
    description: str
    start_year: float
    end_year: float
    steps_per_year: Annotated[int, Field(ge=1)]
    seeds: Annotated[int, Field(ge=1)]
    base_seed: Annotated[int, Field(ge=0)]
    parameters: dict[str, bool | int | float]
    events: list[EventRecord]
    source: str | None
    overrides: dict[str, bool | int | float]
    calibration: CalibrationRecord | None = None

    @field_validator("parameters")
    @classmethod
    def _every_parameter(cls, value: dict[str, Any]) -> dict[str, Any]:
        missing = [name for name in BY_NAME if name not in value]
        if missing:
            raise ValueError(
                f"lacks parameter(s) {', '.join(missing)} (written by another version of catchup? "
                "run the command that made it again)"
            )
        return value


class DesignRecord(_Record):
    type: str


class ExperimentRecord(_Record):
    """A resolved experiment as a sweep's manifest holds it (`Experiment.to_dict`)."""

    design: DesignRecord
    n_points: Annotated[int, Field(ge=1)]
    replications: Annotated[int, Field(ge=1)]
    n_runs: Annotated[int, Field(ge=1)]
    chunk_size: Annotated[int, Field(ge=1)]
    trajectories: list[str]


def _checked(record: type[_Record], value: dict[str, Any] | None) -> dict[str, Any] | None:
    """Check a nested dict against its record but keep it as the plain dict readers use."""
    if value is not None:
        record.model_validate(value)
    return value


class Manifest(BaseModel):
    """What a result folder holds and how it was made."""

    model_config = ConfigDict(extra="forbid")
    format_version: Literal[1] = FORMAT_VERSION
    kind: Kind
    name: str
    description: str = ""
    scenario: dict[str, Any]  # the resolved scenario (for a sweep: its base scenario)
    experiment: dict[str, Any] | None = None  # sweeps: the experiment as resolved
    design_hash: str | None = None  # sweeps: what --resume checks
    seeds: list[int] = Field(default_factory=list)  # runs, cases, attribution: the run seeds
    n_runs: Annotated[int, Field(ge=0)]
    workers: Annotated[int, Field(ge=1)] = 1
    status: Status = "complete"
    started: str
    finished: str | None = None
    resumed: list[str] = Field(default_factory=list)
    versions: dict[str, str]
    tables: dict[str, TableFormat]
    details: dict[str, Any] = Field(default_factory=dict)  # kind-specific facts (e.g. a case's fit)

    @field_validator("scenario")
    @classmethod
    def _scenario(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _checked(ScenarioRecord, value)  # type: ignore[return-value]

    @field_validator("experiment")
    @classmethod
    def _experiment(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _checked(ExperimentRecord, value)

    @model_validator(mode="after")
    def _consistent(self) -> Manifest:
        """A sweep's manifest carries its experiment, whose run count is the folder's."""
        if self.kind == "sweep":
            if self.experiment is None or self.design_hash is None:
                raise ValueError("a sweep's manifest needs its experiment and design_hash")
            if self.experiment["n_runs"] != self.n_runs:
                raise ValueError(
                    f"n_runs = {self.n_runs} but experiment.n_runs = {self.experiment['n_runs']}"
                )
        return self

    @property
    def end_year(self) -> float:
        return float(self.scenario["end_year"])


def runs_manifest(
    kind: Kind,
    scenario: dict[str, Any],
    seeds: list[int],
    *,
    n_runs: int,
    workers: int,
    started: str,
    finished: str,
    tables: dict[str, TableFormat],
    details: dict[str, Any] | None = None,
) -> Manifest:
    """The manifest of the runs of one scenario (a run, a case, an attribution)."""
    return Manifest(
        kind=kind,
        name=scenario["name"],
        description=scenario["description"],
        scenario=scenario,
        seeds=seeds,
        n_runs=n_runs,
        workers=workers,
        started=started,
        finished=finished,
        versions=versions(),
        tables=tables,
        details=details or {},
    )


def now() -> str:
    """The current time, as manifests record it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version_of(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def versions() -> dict[str, str]:
    """catchup, Mesa and Python versions, read without importing Mesa."""
    return {
        "catchup": _version_of("catchup"),
        "mesa": _version_of("mesa"),
        "python": platform.python_version(),
    }
