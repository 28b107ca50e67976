"""Per-run outcomes (MODEL.md, "Outcomes every run reports") from a trajectory: pure functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from catchup.model.cohorts import cohort_cycle, leader_spells, smoothed
from catchup.model.windows import WINDOW_TYPES, Window

# Columns recorded every step, in order; documented in docs/ODD.md (observation).
TRAJECTORY_COLUMNS = (
    "step",
    "year",
    "relative_capability",
    "home_share_home_market",
    "home_share_world_market",
    "home_firms_alive",
    "generation",
    "newest_generation_progress",
    "relative_capability_newest_generation",
    "demand_opening",
    "policy_channel",
    "policy_learning",
    "home_actors",
    "foreign_firms_alive",
    "largest_home_firm_share",
    "home_share_older_generations",
    "home_standard_share",
    "complementors_home",
    "complementors_foreign",
    "mission_progress",
    "mission_active",
    "best_home_capability",
    "best_foreign_capability",
    "frontier",
    "government_spending",
)
# Per-step columns of a run's trajectory table: the recorded ones and the cleaned window signals.
TRAJECTORY_TABLE_COLUMNS = (*TRAJECTORY_COLUMNS, *(f"window_{k}" for k in WINDOW_TYPES))


@dataclass
class RunOutput:
    """One run: its outcome row, its per-step trajectory columns and its windows.

    Defined here, not beside the Mesa model, so that a process receiving runs from workers
    can read them without importing Mesa."""

    row: dict[str, Any]
    trajectory: dict[str, np.ndarray]
    windows: list[dict[str, Any]]


def first_year(years: np.ndarray, condition: np.ndarray) -> float:
    """First year at which `condition` holds, NaN if never."""
    hits = np.flatnonzero(condition)
    return float(years[hits[0]]) if len(hits) else float("nan")


# A home product counts as on the market once home firms hold this share of the home market:
# below it, the logit choice gives a product buyers hardly ever pick.
FIRST_PRODUCT_SHARE = 0.01

CYCLES = (
    "persistent_foreign_leadership",
    "aborted_catch_up",
    "coexistence",
    "leadership_change",
    "return_of_old_leader",
)


# Milestones a mission can reach: its target in its first, second and third technology
# generation (Two Bombs, One Satellite had several), each an outcome `mission_year[_n]`.
MISSION_MILESTONES = 3


def milestone_years(
    years: np.ndarray, generation: np.ndarray, reached: np.ndarray, n: int = MISSION_MILESTONES
) -> list[float]:
    """The year the mission first reaches its target in each generation, in order; NaN for
    milestones not reached. A later generation's target is a new milestone because the
    frontier it is measured against moved: what was learnt must be learnt again in it."""
    found = sorted(first_year(years, reached & (generation == g)) for g in np.unique(generation[reached]))
    return (found + [float("nan")] * n)[:n]


def catch_up_cycle(home_share: np.ndarray, significant: float = 0.2, fall_back: float = 0.5) -> str:
    """Classify a run's catch-up cycle from home firms' share of the home market.

    After Landini, Lee & Malerba (2017): home firms that took leadership (share > 1/2)
    either keep it (leadership change) or lose it again (return of the old leader); home
    firms that never led either reached a significant share (`significant`) and fell back
    to at most `fall_back` of their peak (aborted catch-up), hold a significant share at
    the end (coexistence), or never mattered (persistent foreign leadership).
    """
    share = np.nan_to_num(np.asarray(home_share, dtype=float))
    final, peak = float(share[-1]), float(share.max())
    if peak > 0.5:
        return "leadership_change" if final > 0.5 else "return_of_old_leader"
    if peak >= significant and final <= fall_back * peak:
        return "aborted_catch_up"
    if final >= significant:
        return "coexistence"
    return "persistent_foreign_leadership"


def run_outcomes(
    trajectory: Mapping[str, np.ndarray],
    windows: list[Window],
    *,
    catch_up_threshold: float,
    mission_target: float,
) -> dict[str, float | int | str]:
    """The outcome row of one run.

    catch-up year: relative capability first >= threshold; leadership year: home share
    of the home market first > 1/2 (above the foreign share); mission year: while a
    mission is active, best home capability first >= mission_target x frontier; first
    product year: home share of the home market first >= FIRST_PRODUCT_SHARE.
    """
    years = np.asarray(trajectory["year"])
    rel = np.nan_to_num(np.asarray(trajectory["relative_capability"]))
    share_home = np.asarray(trajectory["home_share_home_market"])
    mission = np.asarray(trajectory["mission_active"]) > 0
    progress = np.asarray(trajectory["mission_progress"])
    milestones = milestone_years(
        years, np.asarray(trajectory["generation"]), mission & (progress >= mission_target)
    )
    row: dict[str, float | int | str] = {
        "catch_up_year": first_year(years, rel >= catch_up_threshold),
        "leadership_year": first_year(years, share_home > 0.5),
        "mission_year": milestones[0],
        **{f"mission_year_{n}": milestones[n - 1] for n in range(2, MISSION_MILESTONES + 1)},
        "first_product_year": first_year(years, share_home >= FIRST_PRODUCT_SHARE),
        "final_relative_capability": float(rel[-1]),
        "final_home_share_home_market": float(share_home[-1]),
        "final_home_share_world_market": float(np.asarray(trajectory["home_share_world_market"])[-1]),
        "final_home_firms_alive": int(np.asarray(trajectory["home_firms_alive"])[-1]),
        "max_relative_capability": float(rel.max()),
        "cycle": catch_up_cycle(share_home),
        "leadership_lost_year": leadership_lost_year(years, share_home),
        "final_largest_home_firm_share": float(np.asarray(trajectory["largest_home_firm_share"])[-1]),
        "max_largest_home_firm_share": float(np.max(trajectory["largest_home_firm_share"])),
        "windows_opened": len(windows),
        "windows_rose": sum(w.rose for w in windows),
    }
    for kind in WINDOW_TYPES:
        of_kind = [w for w in windows if w.type == kind]
        row[f"{kind}_windows"] = len(of_kind)
        row[f"{kind}_windows_rose"] = sum(w.rose for w in of_kind)
    return row


def cohort_outcomes(
    trajectory: Mapping[str, np.ndarray], cohorts: list[str], steps_per_year: int
) -> dict[str, float | str]:
    """Which cohort leads the world market at the end (by a one-year average, even below
    one half), the order in which cohorts led, and the cohort cycle (`cohort_cycle`: a spell
    of leadership counts from two years on)."""
    shares = {name: np.asarray(trajectory[f"share_{name}"]) for name in cohorts}
    entered = {name: s for name, s in shares.items() if np.nan_to_num(s).max() > 0}
    window = max(1, steps_per_year)
    final = {name: float(smoothed(np.nan_to_num(s), window)[-1]) for name, s in entered.items()}
    row: dict[str, float | str] = {
        "final_leading_cohort": max(final, key=final.__getitem__) if final else "",
        "leading_cohorts": " > ".join(leader_spells(entered, window, 2 * window)),
        "cohort_cycle": cohort_cycle(entered, window, 2 * window),
    }
    for name in cohorts:
        row[f"final_share_{name}"] = float(np.nan_to_num(shares[name])[-1])
    return row


def leadership_lost_year(years: np.ndarray, home_share: np.ndarray) -> float:
    """First year home firms fall back to at most half the home market after having led it
    (NaN if they never led, or never lost the lead)."""
    share = np.nan_to_num(np.asarray(home_share, dtype=float))
    led = np.flatnonzero(share > 0.5)
    if not len(led):
        return float("nan")
    after = share[led[0] :] <= 0.5
    return first_year(np.asarray(years)[led[0] :], after)


# A run is valid while every capability stays a finite number well inside the float range.
# Capabilities scale with generation ceilings (generation_ceiling_ratio ** generations), so a
# long span with frequent generations can overflow; such a run is marked, never read as 0.
CAPABILITY_COLUMNS = ("frontier", "best_home_capability", "best_foreign_capability")
LARGEST_CAPABILITY = 1e300


def numeric_problem(trajectory: Mapping[str, np.ndarray]) -> str | None:
    """Why a run's numbers left the valid range (None if they did not): the first year and
    the column that overflowed or became NaN."""
    years = np.asarray(trajectory["year"])
    for name in CAPABILITY_COLUMNS:
        values = np.asarray(trajectory[name], dtype=float)
        bad = ~np.isfinite(values) | (np.abs(values) > LARGEST_CAPABILITY)
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            generations = int(np.asarray(trajectory["generation"])[at]) + 1
            return (
                f"{name} left the floating-point range in {years[at]:.2f} after {generations} generations "
                "(generation_ceiling_ratio ** generations overflows: shorten the span, or lower "
                "generation_hazard or generation_ceiling_ratio)"
            )
    return None


def invalidated(row: dict[str, Any], problem: str) -> dict[str, Any]:
    """The outcome row of a run whose numbers left the valid range: every number NaN, the
    cycle "invalid", and the reason; analyses leave such runs out and say so."""
    marked = {key: (float("nan") if isinstance(value, float) else value) for key, value in row.items()}
    marked["cycle"] = "invalid"
    marked["valid"] = False
    marked["problem"] = problem
    return marked
