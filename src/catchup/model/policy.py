"""Home policy instruments as pure functions: who qualifies, how budgets are split."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def qualifies_for_procurement(
    capability: ArrayLike, best_foreign_capability: float, threshold: float
) -> np.ndarray:
    """Which firms qualify: capability at least `threshold` of the best foreign one (every
    firm, when there is no foreign firm). Takes one capability or an array of them."""
    capability = np.asarray(capability, dtype=float)
    if best_foreign_capability <= 0.0:
        return np.ones_like(capability, dtype=bool)
    return capability >= threshold * best_foreign_capability


def subsidy_per_firm(
    rd_subsidy: float, subsidy_scale: float, home_demand_per_year: float, n_home_firms: int, dt: float
) -> float:
    """Each home firm's R&D subsidy this step: the budget split equally among live firms."""
    if n_home_firms == 0:
        return 0.0
    return rd_subsidy * subsidy_scale * home_demand_per_year * dt / n_home_firms


def institute_budget(
    institute_funding: float,
    mission: float,
    mission_budget: float,
    world_demand_per_year: float,
    dt: float,
) -> float:
    """Government money for all institutes this step: base funding plus the mission budget."""
    return (institute_funding + mission * mission_budget) * world_demand_per_year * dt


# What the government's spending is recorded under (docs/ODD.md 7.22): R&D subsidies to home
# firms, institutes' base funding, mission money, and the money-equivalent of procurement
# preference. Protection and the alliance have no outlay: their cost falls on buyers.
SPENDING_KINDS = ("rd_subsidy", "institutes", "mission", "procurement")


def discount_factor(years_since_start: float, discount_rate: float) -> float:
    """What one unit spent `years_since_start` after the start is worth at the start: money spent
    late is cheaper for the budget that decides today, so policies are compared in present value."""
    return (1.0 + discount_rate) ** -years_since_start


def procurement_cost(
    demand: np.ndarray, price: np.ndarray, bonus: np.ndarray, price_sensitivity: float | np.ndarray
) -> float:
    """The money-equivalent of procurement preference on this step's purchases (firms x segments
    of demand; `bonus` the policy utility terms, its positive cells the preference).

    A preference worth b in utility moves buyers as much as a price cut to exp(-b / β) of the
    price would (utility falls by β ln price, β = price_sensitivity): the state buying from a
    preferred firm pays, in effect, the share 1 - exp(-b / β) of that price for the preference
    (the whole price when β = 0). A measurable cost for an instrument without an outlay, so a
    search cannot take it as free."""
    preference = np.maximum(bonus, 0.0)
    if not preference.any():
        return 0.0
    beta = np.broadcast_to(np.asarray(price_sensitivity, dtype=float), (preference.shape[1],))
    share = np.where(beta > 0, -np.expm1(-preference / np.where(beta > 0, beta, 1.0)), 1.0)
    share = np.where(preference > 0, share, 0.0)
    return float((demand * price[:, None] * share).sum())
