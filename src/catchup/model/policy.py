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
