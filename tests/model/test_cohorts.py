"""Firm cohorts, third countries, buyer classes, lock-in and the bandwagon's form: the
mechanisms the docking with published models asked for, each tested where it could fail."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from catchup.model.cohorts import (
    BuyerClass,
    Cohort,
    Country,
    cohort_cycle,
    concentration,
    leader_spells,
    unit_cost,
)
from catchup.model.events import DatedEvent
from catchup.model.market import bandwagon, nested_shares, standard_base
from catchup.model.model import CatchUpModel
from catchup.model.simulate import simulate
from tests.conftest import make_scenario


def shares(*paths: list[float]) -> dict[str, np.ndarray]:
    return {name: np.array(p, dtype=float) for name, p in zip("ABC", paths, strict=False)}


# -- cycles by cohort --------------------------------------------------------------------
def test_a_leader_that_never_loses_is_persistent():
    assert cohort_cycle(shares([0.9] * 20, [0.1] * 20), window=1, min_spell=2) == "persistent_leadership"


def test_a_latecomer_overtaken_by_a_third_cohort_is_a_change_not_a_return():
    a = [0.8] * 10 + [0.2] * 10 + [0.1] * 10
    b = [0.2] * 10 + [0.7] * 10 + [0.2] * 10
    c = [0.0] * 10 + [0.1] * 10 + [0.7] * 10
    assert leader_spells(shares(a, b, c), window=1, min_spell=2) == ["A", "B", "C"]
    assert cohort_cycle(shares(a, b, c), window=1, min_spell=2) == "leadership_change"


def test_an_old_leader_that_takes_the_lead_back_returns():
    a = [0.8] * 10 + [0.2] * 10 + [0.8] * 10
    b = [0.2] * 10 + [0.8] * 10 + [0.2] * 10
    assert cohort_cycle(shares(a, b), window=1, min_spell=2) == "return_of_old_leader"


def test_a_blip_shorter_than_a_spell_is_not_a_change_of_leader():
    a = [0.6] * 10 + [0.4] + [0.6] * 10
    b = [0.4] * 10 + [0.6] + [0.4] * 10
    assert leader_spells(shares(a, b), window=1, min_spell=2) == ["A"]


def test_no_clear_leader_at_the_end_is_coexistence_whatever_came_before():
    a = [0.9] * 10 + [0.34] * 10
    b = [0.1] * 10 + [0.33] * 10
    c = [0.0] * 10 + [0.33] * 10
    assert cohort_cycle(shares(a, b, c), window=4, min_spell=2) == "coexistence"


def test_concentration_is_the_herfindahl_index():
    assert concentration(np.array([1.0, 0.0, 0.0])) == 1.0
    assert concentration(np.array([1.0, 1.0, 1.0, 1.0])) == pytest.approx(0.25)
    assert concentration(np.zeros(3)) == 0.0


# -- market functions ---------------------------------------------------------------------
def test_a_logarithmic_bandwagon_values_doubling_a_small_base_as_a_large_one():
    base = np.array([[0.05], [0.1], [0.4], [0.8]])
    v = bandwagon(base, 0.01)[:, 0]
    assert v[1] - v[0] == pytest.approx(v[3] - v[2])
    assert bandwagon(np.array([[1.0]]), 0.01)[0, 0] == pytest.approx(1.0)
    assert bandwagon(np.array([[0.001]]), 0.01)[0, 0] == pytest.approx(0.0)  # below the floor: the floor
    assert np.array_equal(bandwagon(base, 0.0), base)  # floor 0: linear, as before


def test_a_bandwagon_floor_per_segment_leaves_other_segments_linear():
    base = np.array([[0.2, 0.2]])
    v = bandwagon(base, np.array([0.0, 0.05]))
    assert v[0, 0] == 0.2 and v[0, 1] == pytest.approx(1 + math.log(0.2) / math.log(20))


@pytest.mark.parametrize("split", [1, 2, 5])
def test_country_shares_do_not_depend_on_how_a_third_countrys_firms_are_counted(split):
    """Nests by country: splitting C's one firm into identical copies leaves each country's share."""
    rng = np.random.default_rng(3)
    utility = rng.normal(size=(3, 4))
    country = np.array([0, 1, 2])
    one = nested_shares(utility, country, 0.5)
    many_u = np.vstack([utility[:2], np.repeat(utility[2:], split, axis=0)])
    many_c = np.array([0, 1] + [2] * split)
    many = nested_shares(many_u, many_c, 0.5)
    np.testing.assert_allclose(many[many_c == 2].sum(axis=0), one[2], rtol=1e-12)
    np.testing.assert_allclose(many[:2], one[:2], rtol=1e-12)


def test_a_standard_per_firm_counts_only_the_firms_own_base():
    shares_ = np.array([[0.5], [0.3], [0.2]])
    country = np.array([1, 1, 1])
    shared = standard_base(shares_, country, 0.0, shared=1.0)
    own = standard_base(shares_, country, 0.0, shared=0.0)
    np.testing.assert_allclose(shared[:, 0], [1.0, 1.0, 1.0])
    np.testing.assert_allclose(own, shares_)


def test_a_cheaper_generation_costs_the_ratio_per_generation():
    assert unit_cost(0, 0.2) == 1.0 and unit_cost(2, 0.5) == 0.25


# -- the model ------------------------------------------------------------------------------
def run_cohort_shares(model: CatchUpModel) -> dict[str, np.ndarray]:
    model.run()
    return {k: np.asarray(v) for k, v in model.cohort_trajectory.items()}


def test_a_dated_cohort_enters_at_its_year_and_only_then():
    cohort = Cohort("late", "foreign", 2000.0, 3, 0.5)
    m = CatchUpModel({"foreign_entrepreneurship": 0.0}, rng=1, cohorts=(cohort,))
    first_year = None
    while m.steps < m.n_steps:
        present = [f for f in m.foreign_firms if f.cohort == "late"]
        m.step()
        if present and first_year is None:
            first_year = m.period_start_year  # the first step the cohort's firms act in
            assert len(present) == 3
    assert first_year == 2000.0
    late = [f for f in m.foreign_firms if f.cohort == "late"]
    assert late and all(f.entrant and f.country == 1 for f in late)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cohort_world_shares_add_up_to_the_whole_market(seed):
    c = Country("C", 0.2)
    m = CatchUpModel(
        {"home_bias": 0.5},
        rng=seed,
        countries=(c,),
        cohorts=(Cohort("third", "C", 1995.0, 2, 0.4),),
    )
    traj = run_cohort_shares(m)
    total = sum(v for k, v in traj.items() if k.startswith("share_"))
    np.testing.assert_allclose(total, 1.0, atol=1e-9)


def third_country_shares(seed: int, bias: float) -> tuple[float, float]:
    """C's share of its own market and of the rest of the world at the end."""
    m = CatchUpModel(
        # a level field: C's firms as good as the incumbents, no installed base or complements
        {"home_bias": bias, "home_market_weight": 0.2, "network_effect": 0.0, "complementor_value": 0.0},
        rng=seed,
        countries=(Country("C", 0.3),),
        cohorts=(Cohort("third", "C", 1990.0, 3, 0.9),),
    )
    m.run()
    own = m.segments.index(next(s for s in m.segments if s.region == "C"))
    held = np.array([f.shares for f in m.all_firms if f.cohort == "third"]).sum(axis=0)
    in_own = held[own]
    rest = [j for j, s in enumerate(m.segments) if s.region != "C" and s.open_to_home]
    weights = m.market.weights[rest]
    elsewhere = (held[rest] * weights).sum() / weights.sum()
    return float(in_own), float(elsewhere)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_home_bias_makes_a_third_countrys_own_market_its_stronghold(seed):
    biased_own, biased_elsewhere = third_country_shares(seed, 1.0)
    neutral_own, neutral_elsewhere = third_country_shares(seed, 0.0)
    assert biased_own > biased_elsewhere + 0.1
    assert biased_own > neutral_own + 0.05
    assert abs(neutral_own - neutral_elsewhere) < 0.1  # without bias a market is a market


def adoption_steps(seed: int, lock_in: float) -> dict[str, float]:
    """Step at which each cohort's firms are all in the new generation (NaN if never)."""
    m = CatchUpModel(
        {"lock_in": lock_in, "perception_rate": 1.0, "knowledge_cumulativeness": 0.3},
        rng=seed,
        events=[DatedEvent(2000.0, new_generation=True, generation_progress=0.9)],
    )
    done: dict[str, float] = {}
    while m.steps < m.n_steps:
        m.step()
        for name, firms in (("incumbents", m.foreign_firms), ("latecomers", m.home_firms)):
            if name not in done and firms and all(f.generation == 1 for f in firms):
                done[name] = m.steps
    return done


def test_lock_in_delays_the_incumbents_that_sell_the_old_generation():
    free = [adoption_steps(s, 0.0).get("incumbents", math.inf) for s in range(1, 7)]
    locked = [adoption_steps(s, 1.0).get("incumbents", math.inf) for s in range(1, 7)]
    assert np.median(locked) >= np.median(free) + 2  # at least half a year later, on the median


def test_lock_in_delays_the_side_selling_the_old_generation_more_than_the_side_selling_little():
    """Without lock-in the latecomers move first anyway (by expectation): the test is the delay
    lock-in adds to each side, which depends on what each sells of the old generation."""
    extra = {"incumbents": [], "latecomers": []}
    for seed in range(1, 9):
        free, locked = adoption_steps(seed, 0.0), adoption_steps(seed, 1.0)
        for side in extra:
            extra[side].append(locked.get(side, 200) - free.get(side, 200))
    assert np.median(extra["incumbents"]) > np.median(extra["latecomers"]) + 4


MAINFRAMES = BuyerClass("mainframes", 0.5, 2.0, 0.5, 2.0, minimum_quality=0.2)


def pc_scenario(minimum_quality: float):
    pc = BuyerClass("pcs", 0.5, 1.0, 3.0, 1.0, minimum_quality=minimum_quality, maximum_price=0.5)
    scenario = make_scenario(
        {"generation_cost_ratio": 0.3, "foreign_entrepreneurship": 0.0, "entrepreneurship": 0.0},
        [{"year": 1995, "new_generation": True}],
        seeds=1,
        end_year=2020,
    )
    micro = Cohort("micro", "foreign", 1996.0, 4, 0.05, cash=2.0)
    return replace(scenario, cohorts=(micro,), buyers=(MAINFRAMES, pc))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_a_class_with_a_price_ceiling_opens_only_to_the_cheaper_generation_and_later_for_higher_needs(seed):
    opened = []
    for minimum in (0.2, 0.6):
        out = simulate(pc_scenario(minimum), 0, seed)
        served = np.asarray(out.trajectory["pcs_served"]) > 0
        years = np.asarray(out.trajectory["year"])
        assert not served[years < 1996].any()  # first-generation products cost too much
        opened.append(years[served][0] if served.any() else math.inf)
    assert opened[0] < opened[1]  # a demanding class waits for products to get good enough
