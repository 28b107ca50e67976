"""Windows of opportunity, detected from a run's trajectory by written rules.

Windows are never switched on in the model; they follow from the environment and are
read off afterwards by these pure functions (rules in docs/ODD.md, "Observation").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

TECHNOLOGICAL, DEMAND, INSTITUTIONAL = "technological", "demand", "institutional"
WINDOW_TYPES = (TECHNOLOGICAL, DEMAND, INSTITUTIONAL)


@dataclass(frozen=True)
class WindowRules:
    """The thresholds of the detection rules; defaults are the documented ones."""

    emerging_progress: float = 0.5  # the first generation is emerging below this S-curve progress
    paradigm_progress: float = 0.75  # a new generation's window lasts until this progress
    gap_reduction: float = 0.2  # new-generation gap must be this much smaller than the old
    policy_share: float = 0.02  # policy must move this share of home demand (or funds)
    min_years: float = 1.0  # shorter openings are noise; shorter closures are merged
    seize_margin: float = 0.1  # rise in relative capability or home share that seizes it


@dataclass(frozen=True)
class Window:
    """One detected window of opportunity."""

    type: str
    open_year: float
    close_year: float
    seized: bool
    still_open: bool


def technological_signal(
    generation: np.ndarray,
    newest_progress: np.ndarray,
    relative_capability: np.ndarray,
    relative_capability_newest: np.ndarray,
    rules: WindowRules = WindowRules(),
) -> np.ndarray:
    """Steps where a technological window is open.

    Open while the first generation is still emerging (progress below
    `rules.emerging_progress`, the S-curve's inflection), or, after a new generation has
    arrived, while its progress is below `rules.paradigm_progress` and home's gap to the
    foreign leader in it (1 - relative capability, floored at 0) is at most
    (1 - gap_reduction) times the gap in the old generation just before it arrived.
    """
    first = generation == 0
    gap_new = 1.0 - np.minimum(np.nan_to_num(relative_capability_newest), 1.0)
    gap_rel = 1.0 - np.minimum(np.nan_to_num(relative_capability), 1.0)
    reference = np.empty_like(gap_new)
    current_ref = np.nan
    for i in range(len(generation)):
        if i == 0 or generation[i] != generation[i - 1]:
            current_ref = gap_rel[i - 1] if i > 0 else gap_rel[0]
        reference[i] = current_ref
    smaller_gap = gap_new <= (1.0 - rules.gap_reduction) * reference
    emerging = first & (newest_progress < rules.emerging_progress)
    paradigm = ~first & (newest_progress < rules.paradigm_progress) & smaller_gap
    return emerging | paradigm


def demand_signal(demand_margin: np.ndarray) -> np.ndarray:
    """Steps where some segment has a home firm at least as attractive as every foreign one."""
    return np.nan_to_num(demand_margin, nan=-np.inf, neginf=-np.inf) >= 0.0


def institutional_signal(policy_channel: np.ndarray, rules: WindowRules = WindowRules()) -> np.ndarray:
    """Steps where policy channels at least `rules.policy_share` of home demand to home firms."""
    return np.nan_to_num(policy_channel) >= rules.policy_share


def clean_signal(signal: np.ndarray, steps_per_year: int, rules: WindowRules = WindowRules()) -> np.ndarray:
    """Merge closures shorter than `min_years`, then drop openings shorter than it."""
    n = max(1, round(rules.min_years * steps_per_year))
    out = signal.astype(bool).copy()
    for value, replace in ((False, True), (True, False)):
        for start, stop in _runs(out, value):
            interior = start > 0 and stop < len(out)
            if stop - start < n and (interior or value):
                out[start:stop] = replace
    return out


def _runs(signal: np.ndarray, value: bool) -> list[tuple[int, int]]:
    """[start, stop) index ranges where `signal == value`."""
    padded = np.concatenate(([False], signal == value, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2], strict=True))


def windows_from_signal(
    kind: str,
    signal: np.ndarray,
    years: np.ndarray,
    dt: float,
    relative_capability: np.ndarray,
    home_share: np.ndarray,
    rules: WindowRules = WindowRules(),
) -> list[Window]:
    """Turn a cleaned open/closed signal into windows with opening/closing year and seizure.

    A window is seized when relative capability or home share of the home market at its
    last open step exceeds the value just before it opened by `rules.seize_margin`.
    """
    rel = np.nan_to_num(relative_capability)
    share = np.nan_to_num(home_share)
    found = []
    for start, stop in _runs(signal, True):
        before = start - 1 if start > 0 else start
        last = stop - 1
        seized = (rel[last] - rel[before] >= rules.seize_margin) or (
            share[last] - share[before] >= rules.seize_margin
        )
        found.append(
            Window(
                type=kind,
                open_year=float(years[start]),
                close_year=float(years[last] + dt),
                seized=bool(seized),
                still_open=bool(stop == len(signal)),
            )
        )
    return found


def detect_windows(
    trajectory: Mapping[str, np.ndarray],
    steps_per_year: int,
    rules: WindowRules = WindowRules(),
) -> tuple[list[Window], dict[str, np.ndarray]]:
    """All windows of one run, and the cleaned per-step open/closed signal of each type."""
    t = {k: np.asarray(v) for k, v in trajectory.items()}
    raw = {
        TECHNOLOGICAL: technological_signal(
            t["generation"],
            t["newest_generation_progress"],
            t["relative_capability"],
            t["relative_capability_newest_generation"],
            rules,
        ),
        DEMAND: demand_signal(t["demand_margin"]),
        INSTITUTIONAL: institutional_signal(t["policy_channel"], rules),
    }
    signals = {k: clean_signal(v, steps_per_year, rules) for k, v in raw.items()}
    dt = 1.0 / steps_per_year
    windows: list[Window] = []
    for kind in WINDOW_TYPES:
        windows += windows_from_signal(
            kind,
            signals[kind],
            t["year"],
            dt,
            t["relative_capability"],
            t["home_share_home_market"],
            rules,
        )
    return windows, signals
