"""The parameter table, read from `parameters.toml`: one record per model parameter.

The table is data, so a parameter is added in one place. This module only reads it
(standard library only, so the model layer stays numpy and Mesa); the validator of
scenario files, the `--set` help and the ODD table are generated from it in
`catchup.config.parameters`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("parameters.toml")
TYPES: dict[str, type] = {"float": float, "int": int}


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its type, default, allowed range, unit, meaning and source."""

    name: str
    type: type
    default: Any
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    group: str
    setup_only: bool

    def allowed(self) -> str:
        """Human-readable allowed values, used in error messages and docs."""
        kind = "integer" if self.type is int else "number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"


def read_table(path: Path = TABLE) -> tuple[Parameter, ...]:
    """Every parameter of the table file, in file order."""
    with path.open("rb") as f:
        raw = tomllib.load(f)
    return tuple(
        Parameter(
            name=name,
            type=TYPES[row["type"]],
            default=row["default"],
            low=row["range"][0],
            high=row["range"][1],
            unit=row["unit"],
            meaning=row["meaning"],
            source=row["source"],
            group=row["group"],
            setup_only=row["setup_only"],
        )
        for name, row in raw.items()
    )


PARAMETERS: tuple[Parameter, ...] = read_table()
BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
# Read only when the model is set up (or, for the observation thresholds, when the run is
# summarised), so a dated event may not change them.
SETUP_ONLY: frozenset[str] = frozenset(p.name for p in PARAMETERS if p.setup_only)
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(p.group for p in PARAMETERS))


def defaults() -> dict[str, Any]:
    """Every parameter at its default, the starting point of every scenario."""
    return {p.name: p.default for p in PARAMETERS}
