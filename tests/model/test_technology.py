"""Technology: S-curves, carry-over between generations, access to others' knowledge."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catchup.model.technology import (
    Technology,
    carried_position,
    grow,
    growth_rate,
    imitation_access,
    initial_progress,
    logistic_step,
    saturating,
)

unit = st.floats(0.0, 1.0)


@given(st.floats(0.01, 0.99), st.floats(0.0, 2.0), st.floats(0.0, 5.0))
def test_logistic_step_stays_on_the_s_curve_and_never_falls(progress, rate, dt):
    after = logistic_step(progress, rate, dt)
    assert progress - 1e-12 <= after < 1.0


@given(st.floats(0.01, 0.99), st.floats(0.01, 2.0))
def test_logistic_step_is_exact_so_step_size_does_not_matter(progress, rate):
    one_year = logistic_step(progress, rate, 1.0)
    four_quarters = progress
    for _ in range(4):
        four_quarters = logistic_step(four_quarters, rate, 0.25)
    assert four_quarters == pytest.approx(one_year, rel=1e-9)


def test_maturity_places_the_first_generation_on_its_s_curve():
    assert initial_progress(0.0) == pytest.approx(0.05)
    assert initial_progress(1.0) == pytest.approx(0.95)
    assert initial_progress(0.2) < initial_progress(0.8)


@given(unit, unit, unit)
def test_carry_over_interpolates_between_old_position_and_entry_level(old, cumulativeness, entry):
    new = carried_position(old, cumulativeness, entry)
    assert min(old, entry) - 1e-12 <= new <= max(old, entry) + 1e-12


def test_cumulativeness_decides_whether_leaders_keep_their_lead():
    leader, laggard, entry = 0.95, 0.3, 0.3
    high = carried_position(leader, 0.9, entry) - carried_position(laggard, 0.9, entry)
    low = carried_position(leader, 0.1, entry) - carried_position(laggard, 0.1, entry)
    assert high == pytest.approx(0.9 * (leader - laggard))
    assert low == pytest.approx(0.1 * (leader - laggard))


def test_new_generation_has_a_higher_ceiling_and_starts_early_on_its_curve():
    tech = Technology(0.9, 0.3, 2.0, 0.1, start_year=1990)
    old_frontier = tech.frontier(0)
    gen = tech.add_generation(2000)
    assert gen.index == 1 and tech.newest is gen
    assert gen.ceiling == pytest.approx(2.0)
    assert gen.opportunity == pytest.approx(0.2)
    assert gen.science == pytest.approx(0.5 * 0.2)  # public_knowledge 0.5 of it is public
    assert gen.frontier < old_frontier
    for _ in range(200):
        tech.advance(0.25, 0.5)
    assert tech.frontier(1) > tech.frontier(0)  # the new paradigm overtakes the old
    # a generation that matured abroad first arrives further along its curve
    assert tech.add_generation(2030, 0.4).opportunity == pytest.approx(0.4 * 4.0)


def test_the_frontier_is_the_best_actor_once_it_passes_science():
    tech = Technology(0.5, 0.3, 2.0, 0.1, start_year=1990)
    science = tech.frontier(0)
    tech.record_best({0: science * 1.5})
    assert tech.frontier(0) == pytest.approx(science * 1.5)
    tech.record_best({0: science})  # knowledge once reached stays known
    assert tech.frontier(0) == pytest.approx(science * 1.5)


@given(st.floats(0.01, 1.0), st.floats(0.01, 1.0), st.floats(0.0, 4.0))
def test_with_increasing_returns_the_leader_grows_faster_than_a_laggard(leader, laggard_share, returns):
    ceiling = 2.0
    laggard = leader * laggard_share
    lead = growth_rate(1.0, leader, leader, ceiling, returns) / (1 - leader / ceiling)
    lag = growth_rate(1.0, laggard, leader, ceiling, returns) / (1 - laggard / ceiling)
    # before the paradigm's exhaustion, the proportional rate falls with distance to the frontier
    assert lag <= lead + 1e-12
    if returns == 0.0:
        assert lag == pytest.approx(lead)


def test_growth_never_passes_the_ceiling():
    assert grow(1.9, 5.0, 1.0, 2.0) == 2.0
    assert growth_rate(1.0, 2.0, 2.0, 2.0, 1.0) == 0.0


def _access(learner_home, holder_home, coverage, **kw):
    opts = {"patent_barrier": 0.5, "licensing": 0.0, "technology_embargo": 0.0, "alliance": 0.0}
    opts.update(kw)
    return imitation_access(learner_home, holder_home, coverage, **opts)


def test_embargo_blocks_all_foreign_knowledge_for_home_learners():
    access, licensed = _access(True, False, 0.5, technology_embargo=1.0, licensing=1.0)
    assert access == 0.0 and licensed == 0.0
    # ...but not what home firms learn from each other
    assert _access(True, True, 0.5, technology_embargo=1.0)[0] > 0.0


@given(unit, unit, unit)
def test_patents_reduce_imitation_and_licensing_reopens_it(coverage, barrier, licensing):
    weak = _access(True, False, coverage, patent_barrier=0.0)[0]
    strong = _access(True, False, coverage, patent_barrier=barrier)[0]
    licensed = _access(True, False, coverage, patent_barrier=barrier, licensing=licensing)[0]
    assert strong <= weak + 1e-12
    assert strong - 1e-12 <= licensed <= weak + 1e-12
    assert 0.0 <= strong <= 1.0


def test_licensed_share_is_what_a_royalty_is_paid_on():
    access, licensed = _access(True, False, 0.8, patent_barrier=1.0, licensing=0.5)
    assert access == pytest.approx(1.0 - 0.8 * 0.5)
    assert licensed == pytest.approx(0.8 * 0.5)
    assert _access(True, False, 0.8, patent_barrier=0.0, licensing=0.5)[1] == 0.0


def test_alliance_pools_home_patents_free_of_royalty():
    blocked, _ = _access(True, True, 1.0, patent_barrier=1.0)
    pooled, royalty = _access(True, True, 1.0, patent_barrier=1.0, alliance=1.0)
    assert blocked == 0.0 and pooled == 1.0 and royalty == 0.0


@given(st.floats(0.0, 1e6), st.floats(0.0, 1e6))
def test_effort_has_diminishing_returns_below_one(x, y):
    assert 0.0 <= saturating(x) < 1.0
    if x < y:
        assert saturating(x) <= saturating(y)
