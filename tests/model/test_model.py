"""Model-level behaviour: calendar, dated events, determinism, observation."""

from __future__ import annotations

import numpy as np
import pytest

from catchup.model.events import DatedEvent
from catchup.model.model import CatchUpModel
from catchup.model.outcomes import TRAJECTORY_COLUMNS


def test_every_step_has_a_calendar_year():
    m = CatchUpModel(rng=1, start_year=2000, end_year=2010, steps_per_year=4)
    m.run()
    years = np.array(m.trajectory["year"])
    assert len(years) == 40
    assert years[0] == 2000.0 and years[-1] == 2009.75
    np.testing.assert_allclose(np.diff(years), 0.25)
    assert set(m.trajectory) == set(TRAJECTORY_COLUMNS)


@pytest.mark.parametrize("year", [2000.0, 2003.0, 2004.5, 2009.75])
def test_dated_event_takes_effect_from_the_step_of_its_year(year):
    m = CatchUpModel(
        rng=1,
        start_year=2000,
        end_year=2010,
        events=[DatedEvent(year, set={"mission": 1.0}, label="mission")],
    )
    m.run()
    years = np.array(m.trajectory["year"])
    active = np.array(m.trajectory["mission_active"]) > 0
    assert years[active].min() == year
    assert not active[years < year].any()
    assert m.event_log == [(year, "mission")]


def test_new_generation_event_adds_a_generation_in_its_year():
    m = CatchUpModel(rng=1, events=[DatedEvent(2000, new_generation=True)])
    m.run()
    gen = np.array(m.trajectory["generation"])
    years = np.array(m.trajectory["year"])
    assert gen[years < 2000].max() == 0 and gen[years >= 2000].min() == 1
    assert m.technology.newest.arrival_year == 2000


def test_generation_hazard_brings_generations_by_itself():
    m = CatchUpModel({"generation_hazard": 0.5}, rng=2)
    m.run()
    assert m.technology.newest.index >= 5


def test_same_seed_same_trajectory_and_different_seed_differs():
    a, b, c = CatchUpModel(rng=9), CatchUpModel(rng=9), CatchUpModel(rng=10)
    for m in (a, b, c):
        m.run()
    assert a.trajectory == b.trajectory
    assert a.trajectory["relative_capability"] != c.trajectory["relative_capability"]


def test_market_shares_are_consistent_shares():
    m = CatchUpModel({"niche_market_size": 0.3, "publicness": 0.3}, rng=4)
    exits = 0
    for _ in range(60):
        alive = len(m.home_firms)
        m.step()
        exits += alive + (m.entrants_this_step) - len(m.home_firms)
        np.testing.assert_allclose(m.market_shares.sum(axis=0), 1.0)
        for key in ("home_share_home_market", "home_share_world_market"):
            assert 0.0 <= m.trajectory[key][-1] <= 1.0
    assert exits > 0  # shares stayed consistent through exits


def test_entry_follows_entrepreneurship():
    none = CatchUpModel({"entrepreneurship": 0.0}, rng=1)
    many = CatchUpModel({"entrepreneurship": 1.0, "max_entry_rate": 2.0}, rng=1)
    for m in (none, many):
        m.run()
    assert none.entrants == 0
    assert many.entrants > 20


def test_at_most_one_new_generation_arrives_in_a_step():
    # With a hazard of 1/year and yearly steps a generation arrives by itself in 63% of steps;
    # on the step of a dated generation it must not come on top of it.
    jumps = []
    for seed in range(8):
        model = CatchUpModel(
            {"generation_hazard": 1.0},
            rng=seed,
            start_year=2000,
            end_year=2012,
            steps_per_year=1,
            events=[DatedEvent(2003, {}, True, "g", 0), DatedEvent(2008, {}, True, "h", 0)],
        )
        model.run()
        jumps.append(np.diff(model.trajectory["generation"]).max())
    assert max(jumps) == 1
    assert sum(np.asarray(jumps) == 1) == 8  # generations did arrive


@pytest.mark.parametrize("params", [{"fixed_cost": 5.0}, {"rd_intensity": 1.0, "fixed_cost": 1.0}])
def test_a_market_with_every_firm_gone_is_empty_not_an_error(params):
    m = CatchUpModel({**params, "entrepreneurship": 0.0, "foreign_entrepreneurship": 0.0}, rng=1)
    m.run()
    assert not m.all_firms
    assert m.trajectory["home_share_home_market"][-1] == 0.0
    assert m.trajectory["home_firms_alive"][-1] == 0
