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

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1
Kind = Literal["run", "sweep", "attribution", "case"]
KINDS: tuple[str, ...] = get_args(Kind)
# How a table is stored: one Parquet file, Parquet chunks in a folder (sweeps), or CSV (small
# derived tables a reader may open in a spreadsheet).
TableFormat = Literal["parquet", "chunks", "csv"]
Status = Literal["running", "complete"]


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
