"""Market segments and buyers' choice: pure functions over arrays of firms.

Buyers in each segment choose by a multinomial logit over attractiveness (quality,
fit, price, installed base, policy terms); market shares move part of the way towards
the logit shares each step, so installed bases give inertia and lock-in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOME, FOREIGN = "home", "foreign"
MAINSTREAM, NICHE, PROCURED = "mainstream", "niche", "procured"


@dataclass(frozen=True)
class Segment:
    """A slice of world demand with its own buyers."""

    name: str
    region: str  # HOME or FOREIGN: whose demand it is
    kind: str  # MAINSTREAM, NICHE or PROCURED
    home_fit: float = 0.0  # utility bonus of home firms (niches only)
    niche_index: int = -1

    @property
    def open_to_home(self) -> bool:
        """Foreign governments buy only from foreign firms."""
        return not (self.region == FOREIGN and self.kind == PROCURED)


def build_segments(niche_fits: list[float]) -> list[Segment]:
    """The fixed list of segments: home procured, home niches, home and foreign mainstream."""
    segments = [Segment("home_procured", HOME, PROCURED)]
    segments += [
        Segment(f"home_niche_{j}", HOME, NICHE, home_fit=fit, niche_index=j)
        for j, fit in enumerate(niche_fits)
    ]
    segments += [
        Segment("home_mainstream", HOME, MAINSTREAM),
        Segment("foreign_procured", FOREIGN, PROCURED),
        Segment("foreign_mainstream", FOREIGN, MAINSTREAM),
    ]
    return segments


def draw_niche_fits(
    rng: np.random.Generator, mean_fit: float, heterogeneity: float, count: int
) -> list[float]:
    """Home-fit advantage of each niche: heterogeneous around the mean, never negative."""
    draws = rng.uniform(-1.0, 1.0, size=count)
    return [max(0.0, mean_fit * (1.0 + heterogeneity * d)) for d in draws]


def segment_weights(
    segments: list[Segment],
    home_market_weight: float,
    publicness: float,
    niche_market_size: float,
) -> np.ndarray:
    """Share of world demand in each segment; sums to 1.

    Each region's government buys `publicness` of its demand; the rest of home demand is
    split between niches (`niche_market_size`, equally) and the home mainstream.
    """
    n_niches = sum(1 for s in segments if s.kind == NICHE)
    home_private = home_market_weight * (1.0 - publicness)
    weights = np.empty(len(segments))
    for i, seg in enumerate(segments):
        if seg.region == HOME:
            if seg.kind == PROCURED:
                weights[i] = home_market_weight * publicness
            elif seg.kind == NICHE:
                weights[i] = home_private * niche_market_size / n_niches
            else:
                weights[i] = home_private * (1.0 - niche_market_size)
        else:
            foreign = 1.0 - home_market_weight
            weights[i] = foreign * (publicness if seg.kind == PROCURED else 1.0 - publicness)
    return weights


def eligibility(segments: list[Segment], is_home: np.ndarray) -> np.ndarray:
    """Which firm may sell in which segment (firms x segments)."""
    open_to_home = np.array([seg.open_to_home for seg in segments])
    return (~is_home)[:, None] | open_to_home[None, :]


def market_attractiveness(
    quality: np.ndarray,
    price: np.ndarray,
    installed_base: np.ndarray,
    is_home: np.ndarray,
    eligible: np.ndarray,
    *,
    quality_sensitivity: float,
    price_sensitivity: float,
    home_fit: np.ndarray,
    network_weight: np.ndarray,
) -> np.ndarray:
    """Logit utility of each firm in each segment (firms x segments), without policy terms.

    V[i, s] = quality_sensitivity * ln(q_i / q_best,s) - price_sensitivity * ln(price_i)
              + home_fit_s * [i is home] + network_weight_s * installed_base[i, s];
    -inf where firm i may not sell in segment s. q_best,s is the best eligible quality.
    """
    q = np.maximum(quality, 1e-12)[:, None]
    best = np.where(eligible, q, 0.0).max(axis=0, keepdims=True)
    utility = (
        quality_sensitivity * np.log(q / np.maximum(best, 1e-12))
        - price_sensitivity * np.log(price)[:, None]
        + home_fit[None, :] * is_home[:, None]
        + network_weight[None, :] * installed_base
    )
    return np.where(eligible, utility, -np.inf)


def policy_bonus(
    is_home: np.ndarray,
    qualifies: np.ndarray,
    segments: list[Segment],
    *,
    procurement_support: float,
    procurement_preference: float,
    home_market_protection: float,
    protection_strength: float,
) -> np.ndarray:
    """Utility added by home policy (firms x segments).

    Qualifying home firms get `procurement_support * procurement_preference` in the home
    procured segment; foreign firms lose `home_market_protection * protection_strength`
    in every home segment.
    """
    home_seg = np.array([seg.region == HOME for seg in segments])
    procured = np.array([seg.region == HOME and seg.kind == PROCURED for seg in segments])
    preference = procurement_support * procurement_preference * (is_home & qualifies)
    penalty = home_market_protection * protection_strength * (~is_home)
    return preference[:, None] * procured[None, :] - penalty[:, None] * home_seg[None, :]


def logit_shares(utility: np.ndarray) -> np.ndarray:
    """Multinomial logit choice probabilities per column (numerically stable softmax).

    Columns where nobody is eligible (all -inf) get all-zero shares.
    """
    top = utility.max(axis=0, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    z = np.exp(utility - top)
    total = z.sum(axis=0, keepdims=True)
    return np.divide(z, total, out=np.zeros_like(z), where=total > 0)


def adjust_shares(current: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """Move each column's shares a fraction `rate` of the way to its target.

    Current shares are renormalised first (firms may have exited); a column with no
    installed base left starts at the target. Columns that sum to 1 stay so.
    """
    total = current.sum(axis=0, keepdims=True)
    normalised = np.divide(current, total, out=np.zeros_like(current), where=total > 0)
    moved = (1.0 - rate) * normalised + rate * target
    return np.where(total > 0, moved, target)


def per_step_rate(rate_per_year: float, dt: float) -> float:
    """Convert a yearly adjustment share into the share per step of `dt` years."""
    return 1.0 - (1.0 - rate_per_year) ** dt


def demand_margin(utility: np.ndarray, is_home: np.ndarray, active: np.ndarray) -> float:
    """Best home minus best foreign market utility, over segments with demand open to both.

    Non-negative means some segment exists where a home firm is at least as attractive as
    every foreign firm on market terms alone (the demand-window signal).
    """
    if not is_home.any() or is_home.all():
        return -np.inf
    home_best = utility[is_home].max(axis=0)
    foreign_best = utility[~is_home].max(axis=0)
    both = active & np.isfinite(home_best) & np.isfinite(foreign_best)
    if not both.any():
        return -np.inf
    return float((home_best - foreign_best)[both].max())


def policy_channel(
    target: np.ndarray,
    unaided_target: np.ndarray,
    is_home: np.ndarray,
    weights: np.ndarray,
    segment_is_home: np.ndarray,
) -> float:
    """Home demand that policy terms move to home firms, as a share of home demand.

    The difference between home firms' target shares with and without the policy terms,
    weighted by segment size, over home segments.
    """
    gain = target[is_home].sum(axis=0) - unaided_target[is_home].sum(axis=0)
    home_weight = weights[segment_is_home].sum()
    if home_weight <= 0:
        return 0.0
    return float((gain * weights)[segment_is_home].sum() / home_weight)
