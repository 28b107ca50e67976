"""The policy levers a search may move: the catalogue (instrument switches, strengths, start
years and durations), each lever's bounds and what is wrong with them, and which of a scenario's
dated settings a policy on them takes over. Pure functions over plain data."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from catchup.errors import ScenarioError
from catchup.model.parameters import BY_NAME

if TYPE_CHECKING:
    from catchup.config.scenario import Scenario

# Instruments whose timing a search may move: the parameter that switches each on.
INSTRUMENTS = {
    "procurement": "procurement_support",
    "rd_subsidy": "rd_subsidy",
    "protection": "home_market_protection",
    "alliance": "alliance",
    "mission": "mission",
}
# Level levers: parameters, with the bounds a search uses unless told others. The strengths
# (procurement_preference, mission_budget) act only while their instrument is on.
LEVEL_BOUNDS: dict[str, tuple[float, float]] = {
    "procurement_support": (0.0, 1.0),
    "procurement_preference": (0.0, 10.0),
    "rd_subsidy": (0.0, 1.0),
    "home_market_protection": (0.0, 1.0),
    "alliance": (0.0, 1.0),
    "mission": (0.0, 1.0),
    "mission_budget": (0.0, 1.0),
}
# Which instrument a strength belongs to (searching it replaces that instrument's history).
STRENGTH_OF = {"procurement_preference": "procurement", "mission_budget": "mission"}
TIMING = ("start", "years")
LEVERS: tuple[str, ...] = (
    *LEVEL_BOUNDS,
    *(f"{instrument}_{part}" for instrument in INSTRUMENTS for part in TIMING),
)
# Objectives: what each measures over a candidate's runs, and which way is better.
OBJECTIVES: dict[str, Literal["maximize", "minimize"]] = {
    "p_catch_up": "maximize",  # share of runs whose home firms catch up (catch_up_year)
    "p_leadership": "maximize",  # share of runs whose home firms lead the home market
    "catch_up_year": "minimize",  # median catch-up year, a run that never catches up at end_year
    "leadership_year": "minimize",  # median leadership year, likewise
    "home_share": "maximize",  # mean final home share of the home market
    "government_spending": "minimize",  # mean discounted government spending (ODD 7.22)
}


def instrument_of(lever: str) -> str | None:
    """The instrument a lever belongs to (None for a lever outside the catalogue)."""
    for instrument, parameter in INSTRUMENTS.items():
        if lever == parameter or lever in (f"{instrument}_{part}" for part in TIMING):
            return instrument
    return STRENGTH_OF.get(lever)


def default_bounds(lever: str, start_year: float, end_year: float) -> tuple[float, float]:
    """A lever's bounds when none are given: a level's from LEVEL_BOUNDS; a start anywhere in
    the span; a duration from one year to the whole span."""
    if lever in LEVEL_BOUNDS:
        return LEVEL_BOUNDS[lever]
    if lever.endswith("_start"):
        return (start_year, end_year - 1.0)
    return (1.0, end_year - start_year)


def lever_problem(
    where: str, lever: str, bounds: tuple[float, float], start: float, end: float
) -> str | None:
    """What is wrong with a lever and its bounds (None if nothing): an unknown name lists the
    allowed ones; bounds must be ordered and inside the parameter's range or the span."""
    if lever not in LEVERS:
        return f"{where}: unknown lever {lever!r} (allowed: {', '.join(LEVERS)})"
    low, high = bounds
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        return f"{where}: bounds [{low:g}, {high:g}]: need two finite numbers, low < high"
    if lever in LEVEL_BOUNDS:
        allowed = (BY_NAME[lever].low, BY_NAME[lever].high)
    elif lever.endswith("_start"):
        allowed = (start, end - 1.0)
    else:
        allowed = (0.25, end - start)
    if low < allowed[0] or high > allowed[1]:
        return f"{where}: bounds [{low:g}, {high:g}] outside the allowed [{allowed[0]:g}, {allowed[1]:g}]"
    return None


def strip_settings(events: list[dict[str, Any]], parameters: set[str]) -> list[dict[str, Any]]:
    """The events without their settings of `parameters`; an event left with nothing to do goes."""
    kept = []
    for event in events:
        rest = {k: v for k, v in event.items() if k != "set"}
        settings = {k: v for k, v in dict(event.get("set", {})).items() if k not in parameters}
        if settings:
            kept.append(rest | {"set": settings})
        elif rest.get("new_generation") or rest.get("home_entrants"):
            kept.append(rest)
    return kept


def replaced_parameters(levers: set[str] | dict[str, Any]) -> set[str]:
    """The parameters a policy on these levers takes over from the scenario's own history: each
    instrument's switch and any strength searched (its dated settings are dropped)."""
    out = {INSTRUMENTS[i] for i in (instrument_of(lever) for lever in levers) if i in INSTRUMENTS}
    return out | {lever for lever in levers if lever in STRENGTH_OF}


def check_problem(
    source: str,
    scenario: Scenario,
    levers: dict[str, tuple[float, float] | None],
    objectives: list[str],
    uncertain: dict[str, tuple[float, float]],
) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Every lever, objective and uncertain parameter checked at once; the levers' bounds
    completed. Raises one ScenarioError listing every problem, each naming the source and key."""
    problems = []
    start, end = scenario.start_year, scenario.end_year
    full: dict[str, tuple[float, float]] = {}
    for lever, bounds in levers.items():
        given = bounds if bounds is not None else default_bounds(lever, start, end)
        if problem := lever_problem(f"{source}: levers.{lever}", lever, given, start, end):
            problems.append(problem)
        full[lever] = (float(given[0]), float(given[1]))
    for lever in full:
        instrument = STRENGTH_OF.get(lever)
        if instrument and not any(instrument_of(other) == instrument for other in full if other != lever):
            switch = INSTRUMENTS[instrument]
            if scenario.parameters[switch] == 0 and not any(switch in e.set for e in scenario.events):
                problems.append(
                    f"{source}: levers.{lever}: acts only while {switch} > 0, which this scenario never sets "
                    f"(add {switch} to the levers)"
                )
        timed = instrument_of(lever) if lever.endswith(("_start", "_years")) else None
        if timed and INSTRUMENTS[timed] not in full and scenario.parameters[INSTRUMENTS[timed]] == 0:
            switch = INSTRUMENTS[timed]
            problems.append(
                f"{source}: levers.{lever}: times {switch}, which the scenario's parameters leave at 0 "
                f"(its dated settings are the search's to replace): add {switch} to the levers"
            )
    if not 2 <= len(objectives) <= 4:
        problems.append(
            f"{source}: objectives: {len(objectives)} given; a policy search takes two to four "
            f"(allowed: {', '.join(OBJECTIVES)})"
        )
    for name in objectives:
        if name not in OBJECTIVES:
            problems.append(
                f"{source}: objectives: unknown objective {name!r} (allowed: {', '.join(OBJECTIVES)})"
            )
    if len(set(objectives)) != len(objectives):
        problems.append(f"{source}: objectives: {objectives} names one twice")
    taken = replaced_parameters(full) | set(full)
    for name, (low, high) in uncertain.items():
        where = f"{source}: robustness.parameters.{name}"
        if name not in BY_NAME:
            problems.append(f"{where}: unknown parameter (see `catchup params`)")
            continue
        if name in taken:
            problems.append(
                f"{where}: is a lever or set by one; an uncertain parameter must be outside the policy"
            )
        allowed = (BY_NAME[name].low, BY_NAME[name].high)
        if BY_NAME[name].type is bool or not (allowed[0] <= low < high <= allowed[1]):
            problems.append(f"{where}: bounds [{low:g}, {high:g}]: need low < high inside {list(allowed)}")
        if any(name in e.set for e in scenario.events):
            problems.append(f"{where}: the scenario's events set it; an uncertain value would be overwritten")
    if problems:
        raise ScenarioError("\n".join(problems))
    return full, objectives
