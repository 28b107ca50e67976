"""Windows of opportunity, detected from a run's state by written rules.

Windows are never switched on in the model; they follow from the agents' state and are
read off afterwards by these pure functions (rules in docs/ODD.md, "Observation"). No
window is open while no home actor (firm or institute) exists. Whether a window was
*seized* is a causal question (the run against its paired run with the window's source
closed) answered in `catchup.experiments.seizure`; here each window only records whether
the home side *rose* while it was open, an association that is cheap to read off every run.
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
    behind: float = 0.9  # a paradigm change is a window only for a side behind this relative capability
    policy_share: float = 0.02  # policy must move this share of home demand to home firms
    policy_learning: float = 0.02  # ...or buy this much home capability growth per year
    demand_share: float = 0.05  # share of contestable demand that must be an opening
    min_years: float = 1.0  # shorter openings are noise; shorter closures are merged
    rise_margin: float = 0.1  # rise in relative capability or home share that counts as a rise


# What a window must add to a run's final home share or relative capability, against its paired
# run with the window's source closed, to count as seized (`catchup seizure`).
SEIZURE_MARGIN = 0.05


@dataclass(frozen=True)
class Window:
    """One detected window of opportunity."""

    type: str
    open_year: float
    close_year: float
    rose: bool  # the home side rose by the margin while it was open (association, not cause)
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
    (1 - gap_reduction) times the gap in the old generation just before it arrived, and
    the home side was behind then (relative capability below `rules.behind`): a paradigm
    change is no window for a side already at parity.
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
    was_behind = reference > 1.0 - rules.behind
    emerging = first & (newest_progress < rules.emerging_progress)
    paradigm = ~first & (newest_progress < rules.paradigm_progress) & smaller_gap & was_behind
    return emerging | paradigm


def demand_signal(demand_opening: np.ndarray, rules: WindowRules = WindowRules()) -> np.ndarray:
    """Steps where at least `rules.demand_share` of the demand open to both sides is a
    segment, counted by its size, where a home product is at least as attractive as every
    foreign one and home firms do not yet hold half of it."""
    return np.nan_to_num(demand_opening) >= rules.demand_share


def institutional_signal(
    policy_channel: np.ndarray, policy_learning: np.ndarray, rules: WindowRules = WindowRules()
) -> np.ndarray:
    """Steps where policy's realised effect is material: it moves at least `rules.policy_share`
    of home demand to home firms, or buys at least `rules.policy_learning` growth of the home
    side's best capability per year (budgets alone count for nothing)."""
    return (np.nan_to_num(policy_channel) >= rules.policy_share) | (
        np.nan_to_num(policy_learning) >= rules.policy_learning
    )


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
    """Turn a cleaned open/closed signal into windows with opening and closing year.

    A window records `rose` when relative capability or home share of the home market at its
    last open step exceeds the value just before it opened by `rules.rise_margin`.
    """
    rel = np.nan_to_num(relative_capability)
    share = np.nan_to_num(home_share)
    found = []
    for start, stop in _runs(signal, True):
        before = start - 1 if start > 0 else start
        last = stop - 1
        rose = (rel[last] - rel[before] >= rules.rise_margin) or (
            share[last] - share[before] >= rules.rise_margin
        )
        found.append(
            Window(
                type=kind,
                open_year=float(years[start]),
                close_year=float(years[last] + dt),
                rose=bool(rose),
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
        DEMAND: demand_signal(t["demand_opening"], rules),
        INSTITUTIONAL: institutional_signal(t["policy_channel"], t["policy_learning"], rules),
    }
    home_present = np.asarray(t["home_actors"]) > 0
    signals = {
        k: clean_signal(v & home_present, steps_per_year, rules) & home_present for k, v in raw.items()
    }
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
