"""History files (CSV): dated historical facts, as the targets a case must reproduce.

A case's history file (CSV: year, metric, value, low, high, use, source, note) holds two
kinds of rows. *Targets* are what the model must reproduce: shares at dated years (of the
home market, the world market, the largest home firm's share of the home market, the home
standard's share of its generation's home demand, e.g. of 3G subscribers) and
dated outcomes (the mission reaching its target, once per milestone; the first home
product). *Inputs* are dated decisions the scenario file sets as events (programme start,
embargo, mobilisation, policy, new generation); they are checked, not fitted.

A target's `use` says what it is for: `calibrate` (the search fits it) or `validate` (kept
out of every search, reported apart, so the case's fit can be told from its prediction).
An input's `use` is `input`. Files without the column are read as before: every target
calibrates.

How far a run is from its targets is measured in `catchup.experiments.fit`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from catchup.config.toml import read_input
from catchup.errors import ScenarioError
from catchup.model.outcomes import MISSION_MILESTONES

COLUMNS = ("year", "metric", "value", "low", "high", "source", "note")
USES = ("calibrate", "validate", "input")
SHARE_METRICS = (
    "home_share_home_market",
    "home_share_world_market",
    "largest_home_firm_share",
    "home_standard_share",
)
# Event rows the model must reproduce, and the run outcome that measures each.
OUTCOME_EVENTS = {"mission_target": "mission_year", "first_home_product": "first_product_year"}
# Successive mission_target rows are successive milestones: the mission reaching its target
# in its first, second, ... technology generation (MISSION_MILESTONES of them, model/outcomes.py).
# Event rows the scenario sets as dated events (inputs, not fitted).
INPUT_EVENTS = ("program_start", "embargo", "mobilisation", "policy", "new_generation")
# What each column and each metric means: the file reference (docs/reference/files.md) is
# generated from these, and a test fails if a column or metric has no meaning.
COLUMN_MEANINGS = {
    "year": "When the fact holds (a calendar year, decimals allowed); for an event, the year it happened.",
    "metric": "What was measured: a share (below) or `event`.",
    "value": "The share (0 to 1) or, for `event`, which event (below).",
    "low": "The lowest value (or year, for an event) the sources allow: the accepted range starts here.",
    "high": "The highest value (or year) the sources allow.",
    "source": "Where the fact comes from (publication, date, address): every row needs one.",
    "note": "How the number was read from the source, in words.",
    "use": "`calibrate` (the search fits it), `validate` (kept out of every search, reported apart) or "
    "`input` (a dated decision the scenario sets as an event; checked, not fitted). Optional: "
    "without it every target calibrates.",
}
METRIC_MEANINGS = {
    "home_share_home_market": "Home firms' share of the home market at the year.",
    "home_share_world_market": "Home firms' share of the world market at the year.",
    "largest_home_firm_share": "The largest home firm's share of the home market at the year.",
    "home_standard_share": "The home standard's share of its generation's home demand (e.g. 3G users).",
    "mission_target": "The mission reached its target (one row per milestone: first, second generation).",
    "first_home_product": "The first home product reached the market.",
    "program_start": "A state programme started (input).",
    "embargo": "Foreign suppliers were cut off (input).",
    "mobilisation": "Resources were mobilised for the mission (input).",
    "policy": "A policy decision (input).",
    "new_generation": "A new technology generation arrived (input).",
}
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
    use: str = "calibrate"  # or "validate": never read by a search

    @property
    def width(self) -> float:
        return max(self.high - self.low, MIN_WIDTH)


def load_history(path: str | Path) -> pd.DataFrame:
    """Read and check a history CSV; problems name the file, the row and what is allowed."""
    path = Path(path)
    raw = read_input(path, "history file", "a history file (CSV)")
    try:
        table = pd.read_csv(
            io.BytesIO(raw), dtype={"metric": str, "value": str, "use": str, "source": str, "note": str}
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: not a readable CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ScenarioError(f"{path}: missing columns {', '.join(missing)} (needed: {', '.join(COLUMNS)})")
    unknown = [str(c) for c in table.columns if c not in (*COLUMNS, "use")]
    if unknown:  # a misspelt `use` would silently turn validation facts into calibration facts
        raise ScenarioError(
            f"{path}: unknown columns {', '.join(repr(c) for c in unknown)} "
            f"(allowed: {', '.join((*COLUMNS, 'use'))})"
        )
    if "use" not in table.columns:  # files written before the column: every target calibrates
        table["use"] = [_default_use(m, v) for m, v in zip(table["metric"], table["value"], strict=True)]
    problems = []
    allowed_events = (*OUTCOME_EVENTS, *INPUT_EVENTS)
    for i, row in table.iterrows():
        where = f"{path}: row {int(i) + 2}"  # header is line 1
        expected = ("input",) if _default_use(row["metric"], row["value"]) == "input" else USES[:2]
        if row["use"] not in expected:
            problems.append(f"{where}: use = {row['use']!r} (allowed for this row: {', '.join(expected)})")
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
    facts = table[table["use"].isin(USES[:2])]
    twins = facts[facts.duplicated(["year", "metric", "value"], keep=False)]
    if len(twins):
        rows = ", ".join(str(int(i) + 2) for i in twins.index)
        problems.append(f"{path}: rows {rows} state the same fact twice (keep one row per fact)")
    if int((facts["value"] == "first_home_product").sum()) > 1:
        problems.append(f"{path}: more than one first_home_product row (a case has one first product)")
    milestones = int(((table["metric"] == "event") & (table["value"] == "mission_target")).sum())
    if milestones > MISSION_MILESTONES:
        problems.append(
            f"{path}: {milestones} mission_target rows (allowed: at most {MISSION_MILESTONES} milestones)"
        )
    if problems:
        raise ScenarioError("\n".join(problems))
    return table


def _default_use(metric: object, value: object) -> str:
    return "input" if metric == "event" and value in INPUT_EVENTS else "calibrate"


def targets(history: pd.DataFrame, use: str | None = None) -> list[Target]:
    """The rows the model must reproduce, in year order; only those of one `use` if given."""
    out = []
    milestone = 0
    for row in history.sort_values("year", kind="stable").itertuples(index=False):
        year = float(row.year)
        if row.metric in SHARE_METRICS:  # a share read at a dated year
            name, measure, value, is_event = f"{row.metric}@{year:g}", row.metric, float(row.value), False
        elif row.metric == "event" and row.value in OUTCOME_EVENTS:  # the year is the value
            name = measure = OUTCOME_EVENTS[row.value]
            if row.value == "mission_target":  # the n-th row is the n-th milestone
                milestone += 1
                name = measure = milestone_outcome(milestone)
            value, is_event = year, True
        else:
            continue  # an input event, set by the scenario
        use_of_row = getattr(row, "use", None) or _default_use(row.metric, row.value)
        target = Target(
            name, measure, year, float(row.low), float(row.high), value, str(row.source), is_event, use_of_row
        )
        if use is None or target.use == use:
            out.append(target)
    return out


def milestone_outcome(n: int) -> str:
    """The run outcome of the mission's n-th milestone (1: `mission_year`)."""
    return "mission_year" if n == 1 else f"mission_year_{n}"


def input_events(history: pd.DataFrame) -> pd.DataFrame:
    """The dated decisions a case's scenario must set as events (with their ranges)."""
    rows = history[(history["metric"] == "event") & history["value"].isin(INPUT_EVENTS)]
    return rows.reset_index(drop=True)
