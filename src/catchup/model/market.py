"""Market segments and buyers' choice: pure functions over arrays of firms.

Buyers in each segment choose by a nested logit: first an origin (home or foreign
products), then a product within it, over attractiveness (quality, fit, price, the
installed base and complementors of the product's standard, policy terms). An origin's
attractiveness does not grow with the number of its firms. Market shares move part of
the way towards the choice shares each step, so installed bases give inertia and lock-in.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from catchup.model.cohorts import BuyerClass, Country

HOME, FOREIGN = "home", "foreign"
MAINSTREAM, NICHE, PROCURED = "mainstream", "niche", "procured"


@dataclass(frozen=True)
class Segment:
    """A slice of world demand with its own buyers."""

    name: str
    region: str  # HOME, FOREIGN or a third country's name: whose demand it is
    kind: str  # MAINSTREAM, NICHE or PROCURED
    home_fit: float = 0.0  # utility bonus of home firms (niches only)
    niche_index: int = -1
    buyer: BuyerClass | None = None  # the buyer class of a mainstream segment split by class

    @property
    def open_to_home(self) -> bool:
        """Foreign governments buy only from foreign firms."""
        return not (self.region == FOREIGN and self.kind == PROCURED)


def build_segments(
    niche_fits: list[float], countries: Sequence[Country] = (), buyers: Sequence[BuyerClass] = ()
) -> list[Segment]:
    """The fixed list of segments: home procured, home niches, home and foreign mainstream,
    then each third country's mainstream; with buyer classes, every mainstream segment is
    split into one segment per class."""
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
    segments += [Segment(f"{c.name}_mainstream", c.name, MAINSTREAM) for c in countries]
    if not buyers:
        return segments
    split: list[Segment] = []
    for seg in segments:
        if seg.kind != MAINSTREAM:
            split.append(seg)
            continue
        split += [replace(seg, name=f"{seg.name}_{b.name}", buyer=b) for b in buyers]
    return split


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
    country_weights: dict[str, float] | None = None,
) -> np.ndarray:
    """Share of world demand in each segment; sums to 1.

    Each region's government buys `publicness` of its demand; the rest of home demand is
    split between niches (`niche_market_size`, equally) and the home mainstream. A third
    country's market (`country_weights`, all private) is taken from the foreign one's (if
    the home market leaves less room than they ask, they share what is left in proportion);
    a buyer class takes its share of every mainstream segment.
    """
    n_niches = sum(1 for s in segments if s.kind == NICHE)
    home_private = home_market_weight * (1.0 - publicness)
    third = dict(country_weights or {})
    room = 1.0 - home_market_weight
    asked = sum(third.values())
    if asked > room:  # an event grew the home market: third ones shrink
        third = {name: w * room / asked for name, w in third.items()}
    foreign = max(0.0, room - sum(third.values()))
    weights = np.empty(len(segments))
    for i, seg in enumerate(segments):
        if seg.region == HOME:
            if seg.kind == PROCURED:
                weights[i] = home_market_weight * publicness
            elif seg.kind == NICHE:
                weights[i] = home_private * niche_market_size / n_niches
            else:
                weights[i] = home_private * (1.0 - niche_market_size)
        elif seg.region == FOREIGN:
            weights[i] = foreign * (publicness if seg.kind == PROCURED else 1.0 - publicness)
        else:
            weights[i] = third[seg.region]
        if seg.buyer is not None:
            weights[i] *= seg.buyer.share
    return weights


def eligibility(segments: list[Segment], is_home: np.ndarray) -> np.ndarray:
    """Which firm may sell in which segment (firms x segments)."""
    open_to_home = np.array([seg.open_to_home for seg in segments])
    return (~is_home)[:, None] | open_to_home[None, :]


def meets_requirements(
    segments: list[Segment], quality: np.ndarray, price: np.ndarray, cohort: Sequence[str]
) -> np.ndarray:
    """Which product a segment's buyers consider at all (firms x segments): a buyer class
    ignores products below its minimum quality, above its maximum price, or from cohorts it
    is closed to (everything passes in a segment without a buyer class)."""
    ok = np.ones((len(quality), len(segments)), dtype=bool)
    for j, seg in enumerate(segments):
        b = seg.buyer
        if b is None:
            continue
        ok[:, j] = (quality >= b.minimum_quality) & (price <= b.maximum_price)
        if b.sellers is not None:
            ok[:, j] &= np.array([c in b.sellers for c in cohort], dtype=bool)
    return ok


def market_attractiveness(
    quality: np.ndarray,
    price: np.ndarray,
    installed_base: np.ndarray,
    is_home: np.ndarray,
    eligible: np.ndarray,
    *,
    quality_sensitivity: float | np.ndarray,
    price_sensitivity: float | np.ndarray,
    home_fit: np.ndarray,
    network_weight: np.ndarray,
    complementors: np.ndarray | None = None,
    complementor_weight: np.ndarray | None = None,
    domestic_bonus: np.ndarray | None = None,
    network_floor: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Utility of each firm in each segment (firms x segments), without policy terms.

    V[i, s] = quality_sensitivity * ln(q_i / q_best,s) - price_sensitivity * ln(price_i)
              + home_fit_s * [i is home] + network_weight_s * installed_base[i, s]
              + complementor_weight_s * complement_variety(complementors_i)
              + domestic_bonus[i, s];
    -inf where firm i may not sell in segment s. q_best,s is the best eligible quality;
    installed_base is that of the firm's standard (see `standard_base`). The sensitivities
    may differ by segment (buyer classes): a scalar or one value per segment.
    """
    q = np.maximum(quality, 1e-12)[:, None]
    best = np.where(eligible, q, 0.0).max(axis=0, keepdims=True)
    # inf / inf only in a run whose capabilities overflowed: it is marked invalid afterwards
    with np.errstate(invalid="ignore"):
        relative = q / np.maximum(best, 1e-12)
    utility = (
        np.asarray(quality_sensitivity)[None, ...] * np.log(relative)
        - np.asarray(price_sensitivity)[None, ...] * np.log(price)[:, None]
        + home_fit[None, :] * is_home[:, None]
        + network_weight[None, :] * bandwagon(installed_base, network_floor)
    )
    if complementors is not None and complementor_weight is not None:
        utility = utility + complementor_weight[None, :] * complement_variety(complementors)[:, None]
    if domestic_bonus is not None:
        utility = utility + domestic_bonus
    return np.where(eligible, utility, -np.inf)


def bandwagon(base: np.ndarray, floor: float | np.ndarray) -> np.ndarray:
    """How buyers weigh an installed base (0 for none, 1 for the whole segment): the base
    itself (floor 0), or, with a floor, 1 + ln(max(base, floor)) / ln(1 / floor), which is
    0 at the floor and below: the propensity share ** delta of Malerba et al. (1999) in
    logs, where doubling a small base counts as much as doubling a large one. `floor` is one
    value or one per segment (columns of `base`)."""
    if isinstance(floor, float | int) and floor <= 0:
        return base
    floor = np.asarray(floor, dtype=float)
    if not (floor > 0).any():
        return base
    safe = np.where(floor > 0, floor, 0.5)
    logged = 1.0 + np.log(np.maximum(base, safe)) / np.log(1.0 / safe)
    return np.where(floor > 0, logged, base)


# Stand-alone use of a standard without complements, as a share of a full ecosystem.
STAND_ALONE = 0.05


def complement_variety(complementors: np.ndarray) -> np.ndarray:
    """Value of a standard's complements: ln((m + a) / (1 + a)) for a share m of potential
    complementors on board (0 for a full ecosystem, about -3 for none). Logarithmic, as with
    love of variety in indirect network effects (Church, Gandal & Krause 2008): doubling a
    thin ecosystem is worth as much as doubling a rich one."""
    return np.log((np.asarray(complementors, dtype=float) + STAND_ALONE) / (1.0 + STAND_ALONE))


def standard_base(
    shares: np.ndarray,
    origin: np.ndarray,
    home_pooling: float,
    generation: np.ndarray | None = None,
    carryover: float = 1.0,
    shared: float = 1.0,
) -> np.ndarray:
    """Installed base of each firm's standard (firms x segments).

    `origin`: each firm's country (0 home, 1 foreign, 2... third countries) or, as booleans,
    whether it is a home firm. A standard is an origin's route in one generation. Foreign
    firms (and a third country's) build to one standard, so each counts its side's base
    (`shared` of the others' base: 0 makes every firm a standard, a brand, of its own); a
    home firm counts its own base plus `home_pooling` (the alliance) of the other home
    firms' base: without an alliance every home firm is a standard of its own. The base of
    the same origin in another generation counts `carryover` per generation apart (backward
    compatibility of the route): a new generation's standards start with part of the old
    base, not all of it."""
    origin = np.asarray(origin)
    n = len(origin)
    same_origin = origin[:, None] == origin[None, :]
    is_home = origin if origin.dtype == bool else origin == 0
    pooling = np.where(is_home[:, None], home_pooling, shared) * same_origin
    np.fill_diagonal(pooling, 1.0)
    if generation is not None and n:
        apart = np.abs(generation[:, None] - generation[None, :])
        pooling = pooling * carryover**apart
    return pooling @ shares


def complementor_attraction(base_share: float, joining_cost: float) -> float:
    """Share of potential complementors (device makers, developers, suppliers) a standard
    draws in the long run: its share of the standardised market, less what joining costs
    them (the patent licences they need; a pool or open licensing lowers it)."""
    return max(0.0, base_share * (1.0 - joining_cost))


def nested_shares(utility: np.ndarray, origin: np.ndarray, nest_scale: float) -> np.ndarray:
    """Choice shares (firms x segments) of a nested logit with one nest per origin (country;
    `origin` as in `standard_base`).

    Within an origin, products share by a logit over V / nest_scale. Between origins, buyers
    compare each origin's value nest_scale * ln(sum_i w_i exp(V_i / nest_scale)), where w_i is
    product i's share within its origin: the attractiveness of the product a buyer would pick
    there. Unlike the usual log-sum it does not grow with the number of products, so splitting
    one firm into several identical ones leaves both origins' shares unchanged, and unlike a
    plain mean a weak entrant hardly lowers it (a crowding correction in the spirit of
    Ackerberg & Rysman 2005). nest_scale 1 is a logit within the origin, towards 0 buyers take
    the origin's best product. Columns where nobody is eligible get all-zero shares."""
    scale = max(nest_scale, 1e-6)
    shares = np.zeros_like(utility, dtype=float)
    values, within = [], []
    origin = np.asarray(origin)
    if origin.dtype == bool:  # home and foreign only
        nests = [origin, ~origin]
    else:
        nests = [origin == k for k in range(max(2, int(origin.max(initial=0)) + 1))]
    for rows in nests:
        v = utility[rows] / scale
        if v.shape[0] == 0:
            values.append(np.full(utility.shape[1], -np.inf))
            within.append(v)
            continue
        top = v.max(axis=0)
        finite = np.isfinite(top)
        top = np.where(finite, top, 0.0)
        z = np.exp(v - top)  # 0 where ineligible, 1 for the origin's best product
        total = z.sum(axis=0)
        weighted = (z * z).sum(axis=0) / np.where(finite, total, 1.0)
        values.append(np.where(finite, scale * (top + np.log(np.where(finite, weighted, 1.0))), -np.inf))
        within.append(np.divide(z, total, out=np.zeros_like(z), where=total > 0))
    between = logit_shares(np.vstack(values))
    for k, rows in enumerate(nests):
        shares[rows] = within[k] * between[k]
    return shares


@functools.cache
def _policy_masks(segments: tuple[Segment, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Home segments, and the home procured segment (fixed for a model: computed once)."""
    home_seg = np.array([seg.region == HOME for seg in segments])
    procured = np.array([seg.region == HOME and seg.kind == PROCURED for seg in segments])
    return home_seg, procured


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
    home_seg, procured = _policy_masks(tuple(segments))
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


def demand_opening(
    utility: np.ndarray, is_home: np.ndarray, weights: np.ndarray, shares: np.ndarray
) -> float:
    """Share of the demand open to both sides that is a demand window for home firms.

    A segment counts, by its size, when the best home product is at least as attractive as
    the best foreign one on market terms alone and home firms do not already hold half of
    it: a window is an opening not yet taken, so it closes where the home side leads.
    0 while no home firm exists.
    """
    if not is_home.any() or is_home.all():
        return 0.0
    home_best = utility[is_home].max(axis=0)
    foreign_best = utility[~is_home].max(axis=0)
    both = (weights > 0) & np.isfinite(home_best) & np.isfinite(foreign_best)
    contestable = weights[both].sum()
    if contestable <= 0:
        return 0.0
    home_share = shares[is_home].sum(axis=0)
    opening = both & (home_best >= foreign_best) & (home_share < 0.5)
    return float(weights[opening].sum() / contestable)


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
