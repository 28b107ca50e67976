"""Heterogeneous firms, entry on both sides, and a frontier the leaders push."""

from __future__ import annotations

import numpy as np
import pytest

from catchup.model import entry
from catchup.model.agents import ForeignIncumbent
from catchup.model.events import DatedEvent
from catchup.model.model import CatchUpModel


def test_firms_differ_in_strategy_and_absorptive_capacity_only_when_heterogeneous():
    alike = CatchUpModel({"firm_heterogeneity": 0.0, "n_home_firms": 6}, rng=1)
    varied = CatchUpModel({"firm_heterogeneity": 1.0, "n_home_firms": 6}, rng=1)
    for attribute in ("innovation_share", "absorptive_capacity", "cash"):
        assert len({getattr(f, attribute) for f in alike.home_firms}) == 1
        assert len({getattr(f, attribute) for f in varied.home_firms}) == 6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_foreign_firms_enter_by_foreign_entrepreneurship(seed):
    closed = CatchUpModel({"foreign_entrepreneurship": 0.0}, rng=seed)
    open_ = CatchUpModel({"foreign_entrepreneurship": 1.0, "max_entry_rate": 2.0}, rng=seed)
    for m in (closed, open_):
        m.run()
    assert closed.foreign_entrants == 0
    assert open_.foreign_entrants > 10


def test_a_young_generation_draws_more_entrants_than_a_mature_one():
    m = CatchUpModel({"technology_maturity": 0.9, "generation_entry_boost": 2.0}, rng=1)
    mature = entry.entry_boost(m)
    m.technology.add_generation(1990.0)
    young = entry.entry_boost(m)
    assert young > mature >= 1.0
    assert young == pytest.approx(1.0 + 2.0 * (1.0 - m.technology.new_generation_start))


def test_an_entrant_that_wins_no_buyers_runs_out_of_cash_and_leaves():
    m = CatchUpModel({"foreign_entrepreneurship": 1.0, "cash_burn_rate": 2.0}, rng=1)
    m.step()
    entry.found_foreign_firms(m, 1)
    entrant = next(f for f in m.foreign_firms if f.entrant)
    entrant.capability = 1e-6  # nobody buys from it
    for _ in range(m.n_steps - 1):
        m.step()
        if entrant not in m.foreign_firms:
            break
    assert entrant not in m.foreign_firms
    assert not any(isinstance(f, ForeignIncumbent) and not f.entrant and f.cash < 0 for f in m.foreign_firms)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_leaders_push_the_frontier_beyond_public_science(seed):
    m = CatchUpModel({"technology_maturity": 0.1}, rng=seed, events=[DatedEvent(2005, new_generation=True)])
    pushed = 0
    for _ in range(m.n_steps):
        m.step()
        gen = m.technology.generations[0]
        pushed += gen.frontier > gen.science * 1.2
        in_it = [f.capability for f in m.all_firms if f.generation == 0]
        assert gen.frontier >= max(in_it, default=0.0) - 1e-12  # nobody is beyond the frontier
    assert pushed > 0


def test_the_largest_home_firm_share_is_a_share_of_the_home_market():
    m = CatchUpModel({"niche_market_size": 0.5, "n_home_firms": 5}, rng=2)
    m.run()
    largest = np.asarray(m.trajectory["largest_home_firm_share"])
    total = np.asarray(m.trajectory["home_share_home_market"])
    assert (largest <= total + 1e-12).all() and (largest >= 0).all()
    assert largest.max() > 0
