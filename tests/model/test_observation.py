"""What observation reads off a market clearing: the home standard and its share."""

from __future__ import annotations

import numpy as np
import pytest

from catchup.config.scenario import load_scenario
from catchup.model.observation import standard_generation, standard_share
from catchup.model.simulate import simulate

HOME = np.array([True, True, False, False])


def test_the_standard_is_the_newest_generation_once_home_products_of_it_sell():
    generation = np.array([0, 1, 1, 0])
    # home firms hold 5% of the home market, but only in the old generation: no standard yet
    assert standard_generation(np.array([0.05, 0.0, 0.5, 0.45]), HOME, generation, newest=1) is None
    assert standard_generation(np.array([0.0, 0.02, 0.5, 0.48]), HOME, generation, newest=1) == 1
    assert standard_generation(np.zeros(4), HOME, generation, newest=1) is None  # an empty market


def test_the_standard_share_counts_its_generation_only():
    demand = np.array([0.1, 0.2, 0.3, 0.4])
    generation = np.array([1, 1, 1, 0])  # the last foreign firm still sells the old generation
    assert standard_share(demand, HOME, generation, 1) == pytest.approx(0.3 / 0.6)
    assert np.isnan(standard_share(demand, HOME, generation, 2))  # nobody buys there: no share
    moved = np.array([2, 1, 1, 0])  # a home firm moved to a newer generation: no longer counted
    assert standard_share(demand, HOME, moved, 1) == pytest.approx(0.2 / 0.5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_before_a_newer_generation_the_standard_share_is_at_least_the_home_share(seed):
    """A consistency check of two measures computed apart (it holds by their definitions, so it
    fails only on a bookkeeping error): while the standard's generation is the newest, the home
    share of it is at least the home share of all demand less home sales of older ones."""
    scenario = load_scenario("baseline")
    out = simulate(scenario, 0, seed)
    t = out.trajectory
    share = np.asarray(t["home_standard_share"], dtype=float)
    sold = np.flatnonzero(share > 0)
    assert len(sold), "the baseline's home firms never sold in the newest generation"
    first_gen = np.asarray(t["generation"])[sold[0]]
    same = (np.arange(len(t["year"])) >= sold[0]) & (np.asarray(t["generation"]) == first_gen)
    standard = share[same]
    home = np.asarray(t["home_share_home_market"])[same]
    older = np.asarray(t["home_share_older_generations"])[same]
    # home sales outside the standard's generation are older ones: the standard's share of its
    # generation's demand is at least the home share of all demand, less those older sales
    assert np.all(standard >= home - older - 1e-12)
