"""History files (CSV): dated historical facts, as the targets a case must reproduce.

A case's history file (CSV: year, metric, value, low, high, source, note) holds two kinds
of rows. *Targets* are what the model must reproduce: home market shares at dated years
and dated outcomes (the mission reaching its target, the first home product). *Inputs*
are dated decisions the scenario file sets as events (programme start, embargo,
mobilisation, policy, new generation); they are checked, not fitted.

How far a run is from its targets is measured in `catchup.experiments.fit`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from catchup.config.toml import read_input
from catchup.errors import ScenarioError

COLUMNS = ("year", "metric", "value", "low", "high", "source", "note")
SHARE_METRICS = ("home_share_home_market", "home_share_world_market")
# Event rows the model must reproduce, and the run outcome that measures each.
OUTCOME_EVENTS = {"mission_target": "mission_year", "first_home_product": "first_product_year"}
# Event rows the scenario sets as dated events (inputs, not fitted).
INPUT_EVENTS = ("program_start", "embargo", "mobilisation", "policy", "new_generation")
# A range narrower than this (in the target's unit) is widened to it when normalising.
MIN_WIDTH = 0.01


@dataclass(frozen=True)
class Target:
    """One dated fact the model must reproduce: `measure` within [low, high]."""

    name: str  # e.g. "home_share_home_market@2013" or "mission_year"
    measure: str  # trajectory column (shares) or run outcome (events)
    year: float  # the dated year (shares: where the trajectory is read)
    low: float
    high: float
    value: float
    source: str
    is_event: bool

    @property
    def width(self) -> float:
        return max(self.high - self.low, MIN_WIDTH)


def load_history(path: str | Path) -> pd.DataFrame:
    """Read and check a history CSV; problems name the file, the row and what is allowed."""
    path = Path(path)
    raw = read_input(path, "history file", "a history file (CSV)")
    try:
        table = pd.read_csv(io.BytesIO(raw), dtype={"metric": str, "value": str, "source": str, "note": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not a readable CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)} (needed: {', '.join(COLUMNS)})")
    problems = []
    allowed_events = (*OUTCOME_EVENTS, *INPUT_EVENTS)
    for i, row in table.iterrows():
        where = f"{path}: row {int(i) + 2}"  # header is line 1
        try:
            low, high, year = float(row["low"]), float(row["high"]), float(row["year"])
        except (TypeError, ValueError):
            problems.append(f"{where}: year, low and high must be numbers")
            continue
        if not low <= high:
            problems.append(f"{where}: low = {low:g} must not exceed high = {high:g}")
        if row["metric"] in SHARE_METRICS:
            try:
                share = float(row["value"])
            except ValueError:
                problems.append(f"{where}: value = {row['value']!r}: a share needs a number in [0, 1]")
                continue
            if not (0 <= low <= high <= 1 and 0 <= share <= 1):
                problems.append(f"{where}: shares and their range must lie in [0, 1]")
        elif row["metric"] == "event":
            if row["value"] not in allowed_events:
                problems.append(
                    f"{where}: value = {row['value']!r}: unknown event (allowed: {', '.join(allowed_events)})"
                )
            elif not low <= year <= high and row["value"] in OUTCOME_EVENTS:
                problems.append(f"{where}: year = {year:g} lies outside its own range [{low:g}, {high:g}]")
        else:
            problems.append(
                f"{where}: metric = {row['metric']!r}: unknown metric "
                f"(allowed: {', '.join((*SHARE_METRICS, 'event'))})"
            )
    if problems:
        raise ScenarioError("\n".join(problems))
    return table


def targets(history: pd.DataFrame) -> list[Target]:
    """The rows the model must reproduce, in year order."""
    out = []
    for row in history.itertuples(index=False):
        year = float(row.year)
        if row.metric in SHARE_METRICS:  # a share read at a dated year
            name, measure, value, is_event = f"{row.metric}@{year:g}", row.metric, float(row.value), False
        elif row.metric == "event" and row.value in OUTCOME_EVENTS:  # the year is the value
            name = measure = OUTCOME_EVENTS[row.value]
            value, is_event = year, True
        else:
            continue  # an input event, set by the scenario
        out.append(
            Target(name, measure, year, float(row.low), float(row.high), value, str(row.source), is_event)
        )
    return sorted(out, key=lambda t: t.year)


def input_events(history: pd.DataFrame) -> pd.DataFrame:
    """The dated decisions a case's scenario must set as events (with their ranges)."""
    rows = history[(history["metric"] == "event") & history["value"].isin(INPUT_EVENTS)]
    return rows.reset_index(drop=True)
