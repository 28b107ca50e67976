"""Firm cohorts, third countries and buyer classes: plain data and pure functions.

A cohort is a group of firms from one country that enters at one date (the incumbents at
the start, latecomers, a third country's firms later, start-ups with a new technology). A
country other than home and foreign brings its own market, whose buyers favour its products
(`home_bias`). A buyer class splits every mainstream market into buyers with their own tastes
and minimum requirements (Malerba et al. 1999's mainframe and PC users). Outputs per cohort
let a run say which cohort leads, even when none holds half the market.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

HOME_COUNTRY, FOREIGN_COUNTRY = "home", "foreign"
# Cohorts every model has: the two groups the parameters set up at the start, and the firms
# that enter during a run (by entrepreneurship or dated programmes).
INCUMBENTS, LATECOMERS = "incumbents", "latecomers"
HOME_ENTRANTS, FOREIGN_ENTRANTS = "home_entrants", "foreign_entrants"
BUILT_IN_COHORTS = (INCUMBENTS, LATECOMERS, HOME_ENTRANTS, FOREIGN_ENTRANTS)


@dataclass(frozen=True)
class Country:
    """A third country: its firms form their own nest of buyers' choice and their own
    standard, and its market takes `market_weight` of world demand from the foreign market."""

    name: str
    market_weight: float


@dataclass(frozen=True)
class Cohort:
    """Firms of one country entering at one date.

    `position`: capability relative to the newest generation's opportunity at entry;
    `cash`: founders' cash per firm (None: the country's default)."""

    name: str
    country: str
    year: float
    firms: int
    position: float
    cash: float | None = None


@dataclass(frozen=True)
class BuyerClass:
    """Buyers with their own tastes and requirements, a `share` of every mainstream market.

    Products below `minimum_quality` (capability units: the first generation's ceiling is 1)
    or above `maximum_price` are not considered at all; `sellers` limits who may sell to
    them (cohort names; None: everyone)."""

    name: str
    share: float
    quality_sensitivity: float
    price_sensitivity: float
    network_effect: float
    minimum_quality: float = 0.0
    maximum_price: float = math.inf
    sellers: tuple[str, ...] | None = None
    network_floor: float | None = None  # the bandwagon's form for this class (None: the parameter)


def country_index(countries: Sequence[Country]) -> dict[str, int]:
    """Home is 0, foreign 1, third countries 2, 3, ... in the order declared."""
    index = {HOME_COUNTRY: 0, FOREIGN_COUNTRY: 1}
    for k, country in enumerate(countries):
        index[country.name] = 2 + k
    return index


def unit_cost(generation: int | np.ndarray, cost_ratio: float) -> float | np.ndarray:
    """Unit cost of a product of a generation, relative to the first: each generation costs
    `cost_ratio` times the one before (below 1: a cheaper technology, the microprocessor);
    never below 1e-300, so a long run of cheaper generations cannot make a price 0."""
    return np.maximum(np.power(cost_ratio, generation, dtype=float), 1e-300)


def concentration(demand: np.ndarray) -> float:
    """Herfindahl-Hirschman index of sellers' demand (1 for one seller; 0 if nobody sells)."""
    total = float(demand.sum())
    if total <= 0:
        return 0.0
    shares = demand / total
    return float((shares * shares).sum())


def smoothed(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average over `window` steps (shorter at the start)."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) == 0:
        return values
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (cumulative[ends] - cumulative[starts]) / (ends - starts)


def leader_spells(shares: Mapping[str, np.ndarray], window: int, min_spell: int) -> list[str]:
    """The sequence of leading cohorts: at each step the cohort with the largest share (a
    `window`-step moving average, so a tie's noise does not count as a change), with spells
    shorter than `min_spell` steps dropped. Steps when nobody sells have no leader."""
    names = list(shares)
    if not names:
        return []
    stacked = np.vstack([smoothed(np.nan_to_num(shares[n]), window) for n in names])
    leaders = np.where(stacked.max(axis=0) > 0, stacked.argmax(axis=0), -1)
    spells: list[tuple[int, int]] = []
    for leader in leaders.tolist():
        if spells and spells[-1][0] == leader:
            spells[-1] = (leader, spells[-1][1] + 1)
        else:
            spells.append((leader, 1))
    kept: list[str] = []
    for leader, length in spells:
        if leader < 0 or length < min_spell:
            continue
        if not kept or kept[-1] != names[leader]:
            kept.append(names[leader])
    return kept


def cohort_cycle(
    shares: Mapping[str, np.ndarray], window: int, min_spell: int, clear_lead: float = 0.05
) -> str:
    """Classify a run by which cohort led when (after Landini, Lee & Malerba 2017).

    persistent_leadership: the first leader never lost the lead; leadership_change: the
    final leader never led before it (B overtaken by C is a change, not a return);
    return_of_old_leader: the final leader had led, lost the lead and took it back;
    coexistence: at the end no cohort leads the next by `clear_lead` (shares averaged over
    the last `window` steps), whatever came before."""
    final = sorted(
        (float(smoothed(np.nan_to_num(s), window)[-1]) for s in shares.values() if len(s)), reverse=True
    )
    if len(final) >= 2 and final[0] - final[1] < clear_lead:
        return "coexistence"
    spells = leader_spells(shares, window, min_spell)
    if len(spells) <= 1:
        return "persistent_leadership"
    if spells[-1] in spells[:-1]:
        return "return_of_old_leader"
    return "leadership_change"


def cohort_view(
    cohorts: Sequence[str],
    buyers: Sequence[BuyerClass],
    segment_class: Sequence[str],
    firm_cohorts: Sequence[str],
    demand: np.ndarray,
) -> dict[str, float]:
    """Each cohort's share of world demand and, per buyer class, each cohort's share of the
    class, its concentration (HHI over firms) and whether anyone sells to it. `demand`: share
    of world demand per firm (rows, cohort `firm_cohorts`) and segment (class `segment_class`)."""
    view: dict[str, float] = {}
    cohort = np.array(firm_cohorts, dtype=object)
    world = float(demand.sum())
    by_firm = demand.sum(axis=1)
    for name in cohorts:
        view[f"share_{name}"] = float(by_firm[cohort == name].sum() / world) if world > 0 else 0.0
    for b in buyers:
        in_class = np.array([c == b.name for c in segment_class], dtype=bool)
        sold = demand[:, in_class].sum(axis=1)
        total = float(sold.sum())
        view[f"{b.name}_hhi"] = concentration(sold)
        view[f"{b.name}_served"] = float(total > 1e-9)
        for name in cohorts:
            view[f"{b.name}_share_{name}"] = float(sold[cohort == name].sum() / total) if total > 0 else 0.0
    return view
