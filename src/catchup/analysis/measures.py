"""The summary vocabulary, read from `measures.toml`: each measure's readable name, unit and
meaning, and how its values are written. The command line, the report, `catchup compare` and
the JSON output name and format measures only through here, so they cannot drift apart.

Standard library only (and no pandas): `catchup run` prints its summary through it.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("measures.toml")
KINDS = ("share_of_runs", "market_share", "year", "count", "ratio", "money")
MISSING = "–"  # a statistic that has no value (e.g. the median year when no run caught up)


@dataclass(frozen=True)
class Measure:
    """One reported measure: the name readers see, its unit, what it means, how it is written."""

    name: str
    label: str
    unit: str
    kind: str
    meaning: str

    def heading(self) -> str:
        """A table heading: the label with its unit, unless the label already says it
        ("median opening year", "runs with such a window")."""
        return self.label if self.unit in self.label.split() else f"{self.label} ({self.unit})"


@cache
def measures() -> dict[str, Measure]:
    """Every measure of the table, in file order."""
    with TABLE.open("rb") as f:
        raw = tomllib.load(f)
    table = {name: Measure(name=name, **row) for name, row in raw.items()}
    wrong = [m.name for m in table.values() if m.kind not in KINDS]
    if wrong:  # the table ships with the package: a wrong kind is a bug, caught by the tests
        raise ValueError(f"{TABLE}: unknown kind in {wrong}; kinds are {', '.join(KINDS)}")
    return table


def measure(name: str) -> Measure:
    """The measure called `name` (KeyError names the table if it is not there)."""
    try:
        return measures()[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the measure table {TABLE.name}") from None


def label(name: str) -> str:
    """The readable name of a measure, or of any other column, in words."""
    found = measures().get(name)
    return found.label if found else name.replace("_", " ")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(kind: str, value: Any) -> str:
    """A value written as its kind asks: percentages for shares, calendar years with one
    decimal, whole counts, plain decimals (never scientific notation)."""
    if _missing(value):
        return MISSING
    value = float(value)
    if kind == "share_of_runs":
        return f"{100 * value:.0f}%"
    if kind == "market_share":
        return f"{100 * value:.1f}%"
    if kind == "year":
        return f"{value:.1f}"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "money" and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"{value:.4f}"


def formatted(name: str, value: Any) -> str:
    """One value of the measure `name`, written for a reader."""
    return number(measure(name).kind, value)


def with_interval(name: str, value: Any, low: Any = None, high: Any = None) -> str:
    """Value and 95% interval in one cell: "81% [63%, 100%]" (no interval if it has none)."""
    kind = measure(name).kind
    text = number(kind, value)
    if _missing(low) or _missing(high) or _missing(value):
        return text
    return f"{text} [{number(kind, low)}, {number(kind, high)}]"


def cell(name: str, row: Any) -> str:
    """The cell of measure `name` in a numeric row (a mapping with `name`, `name_low`,
    `name_high` when it has an interval): a dict or a pandas row."""
    return with_interval(name, row.get(name), row.get(f"{name}_low"), row.get(f"{name}_high"))


def record(name: str, row: Any) -> dict[str, Any]:
    """The measure `name` of a numeric row as a JSON record: numbers with the label and unit."""
    m = measure(name)

    def plain(value: Any) -> Any:
        return None if _missing(value) else (int(value) if m.kind == "count" else float(value))

    out = {"label": m.label, "unit": m.unit, "value": plain(row.get(name))}
    if f"{name}_low" in row:
        out["low"], out["high"] = plain(row.get(f"{name}_low")), plain(row.get(f"{name}_high"))
    return out
