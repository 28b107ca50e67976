"""The summary vocabulary, read from `measures.toml`: each measure's readable name, unit and
meaning, and how its values are written. The command line, the report, `catchup compare` and
the JSON output name and format measures only through here, so they cannot drift apart.

Standard library only (and no pandas): `catchup run` prints its summary through it.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

TABLE = Path(__file__).with_name("measures.toml")
KINDS = ("share_of_runs", "market_share", "points_of_runs", "year", "count", "ratio", "money")
SHARES = ("share_of_runs", "market_share")  # written as percentages, given in JSON as 0 to 1
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
        return f"{_half_up(100 * value, 0)}%"
    if kind == "market_share":
        return f"{_half_up(100 * value, 1)}%"
    if kind == "points_of_runs":
        return f"{_half_up(100 * value, 0)} pp"
    if kind == "year":
        return _half_up(value, 1)
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "money" and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 0.01 or value == 0 else f"{value:.4f}"


def _half_up(value: float, decimals: int) -> str:
    """Rounded half away from zero, as a reader rounds (2018.25 to 2018.3, not 2018.2), and
    never "-0"."""
    text = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def change(kind: str, value: Any) -> str:
    """A difference between two values of a kind: percentage points for shares, years for years."""
    if _missing(value):
        return MISSING
    value = float(value)
    if kind in SHARES or kind == "points_of_runs":
        return f"{'+' if value > 0 else ''}{_half_up(100 * value, 0 if kind == 'share_of_runs' else 1)} pp"
    if kind == "year":
        return f"{'+' if value > 0 else ''}{_half_up(value, 1)} years"
    return f"{'+' if value > 0 else ''}{value:.2f}"


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

    unit = m.unit.replace("% of", "share of") + " (0 to 1)" if m.kind in SHARES else m.unit
    out = {"label": m.label, "unit": unit, "value": plain(row.get(name))}
    if f"{name}_low" in row:
        out["low"], out["high"] = plain(row.get(f"{name}_low")), plain(row.get(f"{name}_high"))
    return out
