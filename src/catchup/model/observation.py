"""What the model records each step: model-level summaries only, never per-agent data, so
runs stay cheap (columns documented in docs/ODD.md, "Observation")."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from catchup.model.cohorts import cohort_view
from catchup.model.market import demand_opening, policy_channel
from catchup.model.outcomes import FIRST_PRODUCT_SHARE

if TYPE_CHECKING:
    from catchup.model.model import CatchUpModel


# What market clearing leaves for observation each step (all 0 in an empty market).
MARKET_VIEW = (
    "home_share_home_market",
    "home_share_world_market",
    "largest_home_firm_share",
    "home_share_older_generations",
    "home_standard_share",
    "demand_opening",
    "policy_channel",
)


def standard_generation(
    home_by_firm: np.ndarray, is_home: np.ndarray, generation: np.ndarray, newest: int
) -> int | None:
    """The home standard: the newest generation at the first clearing at which home firms'
    products of that generation hold at least FIRST_PRODUCT_SHARE of the home market. A home
    product of an older generation does not count: a standard is set where the field is going
    (TD-SCDMA was a 3G standard, whatever its makers sold before)."""
    total = home_by_firm.sum()
    ours = home_by_firm[is_home & (generation == newest)].sum()
    return newest if total > 0 and ours / total >= FIRST_PRODUCT_SHARE else None


def standard_share(
    home_by_firm: np.ndarray, is_home: np.ndarray, generation: np.ndarray, standard: int
) -> float:
    """Home firms' share of the home market's demand within the standard's generation: what a
    count of subscribers per standard measures (TD-SCDMA's share of 3G users), not diluted by
    older generations before and carried on by home firms' newer products after. NaN when
    nobody buys in that generation any more: a standard without users has no share."""
    in_standard = generation == standard
    total = home_by_firm[in_standard].sum()
    return float(home_by_firm[in_standard & is_home].sum() / total) if total > 0 else math.nan


def market_view(
    demand: np.ndarray,
    shares: np.ndarray,
    weights: np.ndarray,
    is_home: np.ndarray,
    generation: np.ndarray,
    newest: int,
    standard: int | None,
    v_market: np.ndarray,
    target: np.ndarray,
    unaided: np.ndarray,
    segment_is_home: np.ndarray,
    home_by_firm: np.ndarray,
) -> dict[str, float]:
    """What one market clearing shows of the home side (MARKET_VIEW), from the demand each
    firm holds per segment (share of world demand; `home_by_firm` its sum over home segments),
    each firm's generation, the shares, the market-only utilities and the choice with and
    without policy terms."""
    older = generation != newest
    home_demand = home_by_firm.sum()
    world_demand = demand.sum()
    share_of_home = home_by_firm / home_demand if home_demand > 0 else np.zeros(len(demand))
    return {
        "home_share_home_market": float(share_of_home[is_home].sum()),
        "home_share_world_market": demand[is_home].sum() / world_demand if world_demand > 0 else 0.0,
        "largest_home_firm_share": float(share_of_home[is_home].max()) if is_home.any() else 0.0,
        "home_share_older_generations": float(share_of_home[is_home & older].sum()),
        "home_standard_share": 0.0
        if standard is None or standard < 0  # none yet, or a declared one not yet arrived
        else standard_share(home_by_firm, is_home, generation, standard),
        "demand_opening": demand_opening(v_market, is_home, weights, shares),
        "policy_channel": policy_channel(target, unaided, is_home, weights, segment_is_home)
        if unaided is not target
        else 0.0,
    }


def observed_market(
    model: CatchUpModel,
    firms: list,
    demand: np.ndarray,
    home_by_firm: np.ndarray,
    generation: np.ndarray,
    choice: tuple[np.ndarray, ...],
) -> tuple[dict[str, float], dict[str, float]]:
    """What one clearing shows: per cohort and buyer class (when recorded) and of the home side.
    `choice`: which firms are home firms, shares, segment weights, market-only utilities, and the
    choice with and without policy terms. Sets the model's home standard once home firms sell."""
    is_home, shares, weights, v_market, target, unaided = choice
    newest = model.technology.newest.index
    if model.home_standard is None:  # not declared by an event: the first one home products reach
        model.home_standard = standard_generation(home_by_firm, is_home, generation, newest)
    cohorts = (
        cohort_view(
            model.cohort_names, model.buyers, model.market.buyer_class, [f.cohort for f in firms], demand
        )
        if model.records_cohorts
        else {}
    )
    view = market_view(
        demand,
        shares,
        weights,
        is_home,
        generation,
        newest,
        model.home_standard,
        v_market,
        target,
        unaided,
        model.market.is_home,
        home_by_firm,
    )
    return cohorts, view


def policy_learning(model: CatchUpModel) -> float:
    """Realised learning effect of policy this step, per year: capability that subsidies and
    mission money bought, relative to the home side's best level (budgets alone count nothing)."""
    home, institutes = model.home_firms, model.institutes
    gained = sum(f.subsidised_gain for f in home) + sum(r.policy_gain for r in institutes)
    level = max([f.capability for f in home] + [r.knowledge for r in institutes], default=0.0)
    return gained / level / model.dt if level > 0 else 0.0


def observe(model: CatchUpModel) -> None:
    """Append this step's summaries to `model.trajectory`."""
    view = model.market_view
    home, foreign, institutes = model.home_firms, model.foreign_firms, model.institutes
    newest = model.technology.newest
    best_home = max((f.capability for f in home), default=0.0)
    best_foreign = max((f.capability for f in foreign), default=0.0)
    home_potential = max((f.potential_in(newest.index) for f in home), default=0.0)
    foreign_potential = max((f.potential_in(newest.index) for f in foreign), default=0.0)
    home_best_anywhere = max(
        [f.capability for f in home if f.generation == newest.index]
        + [r.knowledge for r in institutes if r.generation == newest.index],
        default=0.0,
    )
    row = {
        "step": model.steps,
        "year": model.period_start_year,
        "relative_capability": best_home / best_foreign if best_foreign > 0 else math.nan,
        "home_share_home_market": view["home_share_home_market"],
        "home_share_world_market": view["home_share_world_market"],
        "home_firms_alive": len(home),
        "generation": newest.index,
        "newest_generation_progress": newest.progress,
        "relative_capability_newest_generation": home_potential / foreign_potential
        if foreign_potential > 0
        else math.nan,
        "demand_opening": view["demand_opening"],
        "policy_channel": view["policy_channel"],
        "policy_learning": policy_learning(model),
        "home_actors": len(home) + len(institutes),
        "foreign_firms_alive": len(foreign),
        "largest_home_firm_share": view["largest_home_firm_share"],
        "home_share_older_generations": view["home_share_older_generations"],
        "home_standard_share": view["home_standard_share"],
        "complementors_home": model.complementors["home"],
        "complementors_foreign": model.complementors["foreign"],
        # against the best known in the newest generation, and at least what its paradigm
        # already offers abroad: a generation that matured elsewhere is not mastered on arrival
        "mission_progress": home_best_anywhere / max(newest.frontier, newest.opportunity),
        "mission_active": float(model.p.mission > 0),
        "best_home_capability": best_home,
        "best_foreign_capability": best_foreign,
        "frontier": newest.frontier,
        "government_spending": model.government.spent_this_step / model.dt,  # per year, undiscounted
    }
    for name, value in row.items():
        model.trajectory[name].append(value)
    for name, value in model.cohort_market.items():  # declared cohorts and buyer classes only
        model.cohort_trajectory.setdefault(name, []).append(value)
