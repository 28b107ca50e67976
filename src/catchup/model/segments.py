"""The model's market as segments of buyers: their fixed attributes, their weights in world
demand (recomputed only when an event changes what they depend on) and the tastes each
segment's buyers bring to market clearing, by buyer class where one is declared. Plain
numpy over the segment list; no agent behaviour."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np

from catchup.model.cohorts import BuyerClass, Country, country_index
from catchup.model.market import (
    HOME,
    MAINSTREAM,
    NICHE,
    Segment,
    build_segments,
    eligibility,
    meets_requirements,
    segment_weights,
)


class Segments:
    """Every segment of a model and what its buyers weigh, as arrays over segments."""

    def __init__(
        self, niche_fits: list[float], countries: Sequence[Country], buyers: Sequence[BuyerClass]
    ) -> None:
        self.countries = tuple(countries)
        self.buyers = tuple(buyers)
        self.country_weights = {c.name: c.market_weight for c in self.countries}
        self.list: list[Segment] = build_segments(niche_fits, self.countries, self.buyers)
        segs = self.list
        self.is_home = np.array([s.region == HOME for s in segs])
        self.is_mainstream = np.array([s.kind == MAINSTREAM for s in segs])
        # Standardised products are used with complements (devices, software, services) in the
        # mainstream and by public buyers; niche products are fitted to their users instead.
        self.uses_complements = np.array([s.kind != NICHE for s in segs])
        self.fit = np.array([s.home_fit for s in segs])
        self.has_buyer = np.array([s.buyer is not None for s in segs])
        self.buyer_class = [s.buyer.name if s.buyer is not None else "" for s in segs]
        countries_at = country_index(self.countries)
        self.region = np.array([countries_at[s.region] for s in segs])  # whose demand, as a country index
        self._weights_key: tuple[float, float, float] | None = None
        self.weights = np.zeros(len(segs))

    def __len__(self) -> int:
        return len(self.list)

    def current_weights(self, home_market_weight: float, publicness: float, niche: float) -> np.ndarray:
        """Each segment's share of world demand, recomputed only when an event changes what
        it depends on."""
        key = (home_market_weight, publicness, niche)
        if self._weights_key != key:
            self._weights_key = key
            self.weights = segment_weights(self.list, *key, self.country_weights)
        return self.weights

    def by_class(self, default: float, field: str) -> np.ndarray | float:
        """A taste per segment: the buyer class's where it declares one, else the parameter."""
        if not self.buyers:
            return default
        values = [getattr(s.buyer, field) if s.buyer is not None else None for s in self.list]
        return np.array([default if v is None else v for v in values])

    def eligible(
        self, is_home: np.ndarray, quality: np.ndarray, price: np.ndarray, firms: Sequence[Any]
    ) -> np.ndarray:
        """Who may sell where (firms x segments): foreign governments buy foreign, and a buyer
        class considers only products that meet its requirements (`firms`: for their cohorts)."""
        eligible = eligibility(self.list, is_home)
        if self.buyers:
            cohorts = [f.cohort for f in firms]
            eligible = eligible & meets_requirements(self.list, quality, price, cohorts)
        return eligible

    def tastes(self, p: SimpleNamespace, country: np.ndarray, complementors: np.ndarray) -> dict[str, Any]:
        """The keyword terms of `market_attractiveness` for this step's parameters."""
        network = p.network_effect * self.is_mainstream
        if self.buyers:
            network = np.where(self.has_buyer, self.by_class(0.0, "network_effect"), network)
        return {
            "quality_sensitivity": self.by_class(p.quality_sensitivity, "quality_sensitivity"),
            "price_sensitivity": self.by_class(p.price_sensitivity, "price_sensitivity"),
            "home_fit": self.fit,
            "network_weight": network * p.standardization,
            "complementors": complementors,
            "complementor_weight": p.complementor_value * p.standardization * self.uses_complements,
            # home bias acts where a firm's country is the segment's
            "domestic_bonus": p.home_bias * (country[:, None] == self.region[None, :])
            if p.home_bias > 0
            else None,
            "network_floor": self.by_class(p.network_floor, "network_floor"),
        }


def origin_bases(
    demand: np.ndarray, country: np.ndarray, home_by_firm: np.ndarray, country_names: list[str]
) -> dict[str, float]:
    """Each standard's base, for complementors: the home standard's share of the home market
    (`home_by_firm`: each firm's demand in home segments), the foreign one's (and a third
    country's) share of the world."""
    world = demand.sum()
    bases = {
        name: float(demand[country == k].sum() / world) if world > 0 else 0.0
        for k, name in enumerate(country_names)
    }
    total = home_by_firm.sum()
    bases[country_names[0]] = float(home_by_firm[country == 0].sum() / total) if total > 0 else 0.0
    return bases


def old_generation_shares(
    demand: np.ndarray, country: np.ndarray, older: np.ndarray, n_countries: int
) -> dict[int, float]:
    """Each country's share of world demand sold in generations older than the newest (what
    locks it in)."""
    world = demand.sum()
    return {
        k: float(demand[(country == k) & older].sum() / world) if world > 0 else 0.0
        for k in range(n_countries)
    }
