"""Market: segments, logit choice, share dynamics and policy terms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from catchup.model.market import (
    FOREIGN,
    HOME,
    NICHE,
    PROCURED,
    adjust_shares,
    build_segments,
    complementor_attraction,
    demand_opening,
    eligibility,
    logit_shares,
    market_attractiveness,
    nested_shares,
    policy_bonus,
    segment_weights,
    standard_base,
)

SEGMENTS = build_segments([1.0, 2.0, 3.0])
IS_HOME = np.array([True, True, False, False])


def utilities(quality, base=None, **kw):
    opts = {
        "quality_sensitivity": 6.0,
        "price_sensitivity": 2.0,
        "home_fit": np.array([s.home_fit for s in SEGMENTS]),
        "network_weight": np.array([3.0 if s.kind == "mainstream" else 0.0 for s in SEGMENTS]),
    }
    opts.update(kw)
    price = np.where(IS_HOME, 0.9, 1.0)
    base = np.zeros((4, len(SEGMENTS))) if base is None else base
    return market_attractiveness(
        np.asarray(quality), price, base, IS_HOME, eligibility(SEGMENTS, IS_HOME), **opts
    )


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0.01, 0.99))
def test_segment_weights_cover_world_demand(publicness, niche, home_weight):
    w = segment_weights(SEGMENTS, home_weight, publicness, niche)
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()
    home = sum(wi for wi, s in zip(w, SEGMENTS, strict=True) if s.region == HOME)
    assert home == pytest.approx(home_weight)
    procured_home = sum(
        wi for wi, s in zip(w, SEGMENTS, strict=True) if s.region == HOME and s.kind == PROCURED
    )
    assert procured_home == pytest.approx(home_weight * publicness)


@given(arrays(float, (4,), elements=st.floats(0.001, 2.0)), arrays(float, (4, 7), elements=st.floats(0, 1)))
def test_shares_sum_to_one_in_every_segment(quality, base):
    target = logit_shares(utilities(quality, base))
    np.testing.assert_allclose(target.sum(axis=0), 1.0)
    moved = adjust_shares(base, target, 0.3)
    np.testing.assert_allclose(moved.sum(axis=0), 1.0)
    assert (moved >= 0).all()


def test_foreign_procurement_is_closed_to_home_firms():
    target = logit_shares(utilities([1.0, 1.0, 1.0, 1.0]))
    j = next(i for i, s in enumerate(SEGMENTS) if s.region == FOREIGN and s.kind == PROCURED)
    assert target[IS_HOME, j].sum() == 0.0


def test_home_fit_raises_home_shares_only_in_niches():
    base = utilities([0.8, 0.8, 1.0, 1.0], home_fit=np.zeros(len(SEGMENTS)))
    fit = utilities([0.8, 0.8, 1.0, 1.0])
    for j, seg in enumerate(SEGMENTS):
        gained = logit_shares(fit)[IS_HOME, j].sum() - logit_shares(base)[IS_HOME, j].sum()
        if seg.kind == NICHE:
            assert gained > 0
        else:
            assert gained == pytest.approx(0.0)


def test_installed_base_locks_in_the_incumbent():
    base = np.zeros((4, len(SEGMENTS)))
    base[2:, :] = 0.5  # foreign firms hold the installed base
    mainstream = next(i for i, s in enumerate(SEGMENTS) if s.region == HOME and s.kind == "mainstream")
    locked = logit_shares(utilities([1.0, 1.0, 1.0, 1.0], base))[IS_HOME, mainstream].sum()
    free = logit_shares(utilities([1.0, 1.0, 1.0, 1.0]))[IS_HOME, mainstream].sum()
    assert locked < free / 2


def test_procurement_preference_only_reaches_home_firms_above_the_threshold():
    qualifies = np.array([True, False, True, True])  # foreign flags are irrelevant
    bonus = policy_bonus(
        IS_HOME,
        qualifies,
        SEGMENTS,
        procurement_support=1.0,
        procurement_preference=5.0,
        home_market_protection=0.0,
        protection_strength=3.0,
    )
    j = next(i for i, s in enumerate(SEGMENTS) if s.region == HOME and s.kind == PROCURED)
    assert bonus[0, j] == 5.0  # qualifying home firm
    assert bonus[1, j] == 0.0  # home firm below the threshold
    assert (bonus[2:, :] == 0).all()  # foreign firms get nothing
    others = [i for i in range(len(SEGMENTS)) if i != j]
    assert (bonus[:, others] == 0).all()


def test_protection_penalises_foreign_firms_in_home_segments_only():
    bonus = policy_bonus(
        IS_HOME,
        np.zeros(4, bool),
        SEGMENTS,
        procurement_support=0.0,
        procurement_preference=5.0,
        home_market_protection=1.0,
        protection_strength=3.0,
    )
    for j, seg in enumerate(SEGMENTS):
        expected = -3.0 if seg.region == HOME else 0.0
        assert (bonus[2:, j] == expected).all()
        assert (bonus[:2, j] == 0.0).all()


def test_demand_opening_counts_segments_by_size_and_closes_where_home_leads():
    weights = segment_weights(SEGMENTS, 0.3, 0.1, 0.3)
    none = np.zeros((4, len(SEGMENTS)))
    strong_home = utilities([1.0, 0.5, 1.0, 1.0])
    opening = demand_opening(strong_home, IS_HOME, weights, none)
    assert 0.0 < opening <= 1.0
    assert demand_opening(utilities([0.1, 0.1, 1.0, 1.0]), IS_HOME, weights, none) < opening
    # where home firms already hold the segment, it is no opening any more
    led = none.copy()
    led[0, :] = 0.6
    assert demand_opening(strong_home, IS_HOME, weights, led) == 0.0
    # a bigger share of demand in the niches where home fits better is a bigger opening
    niche_heavy = segment_weights(SEGMENTS, 0.3, 0.1, 0.9)
    weak_home = utilities([0.7, 0.7, 1.0, 1.0])  # ahead only in the niches that fit best
    assert demand_opening(weak_home, IS_HOME, niche_heavy, none) > demand_opening(
        weak_home, IS_HOME, weights, none
    )


@pytest.mark.parametrize("scale", [0.05, 0.5, 1.0])
@pytest.mark.parametrize("n_foreign", [1, 3, 9])
def test_an_origin_share_does_not_depend_on_how_many_identical_firms_it_has(scale, n_foreign):
    is_home = np.array([True] + [False] * n_foreign)
    utility = np.array([[0.3, -1.0]] + [[0.0, 0.5]] * n_foreign)
    shares = nested_shares(utility, is_home, scale)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)
    one = nested_shares(np.array([[0.3, -1.0], [0.0, 0.5]]), np.array([True, False]), scale)
    np.testing.assert_allclose(shares[0], one[0])


def test_a_weak_entrant_hardly_changes_its_origin_share():
    utility = np.array([[0.3], [0.0]])
    with_entrant = np.array([[0.3], [0.0], [-4.0]])
    before = nested_shares(utility, np.array([True, False]), 0.5)
    after = nested_shares(with_entrant, np.array([True, False, False]), 0.5)
    assert abs(after[0, 0] - before[0, 0]) < 0.001


def test_nested_logit_at_scale_one_splits_within_an_origin_like_a_logit():
    utility = np.array([[1.0], [0.0], [0.5], [0.2]])
    shares = nested_shares(utility, IS_HOME, 1.0)
    within_home = shares[:2, 0] / shares[:2, 0].sum()
    np.testing.assert_allclose(within_home, logit_shares(utility[:2])[:, 0])


def test_foreign_firms_share_one_standard_and_home_firms_pool_only_in_an_alliance():
    shares = np.array([[0.1], [0.2], [0.3], [0.4]])
    alone = standard_base(shares, IS_HOME, 0.0)
    np.testing.assert_allclose(alone[:, 0], [0.1, 0.2, 0.7, 0.7])
    pooled = standard_base(shares, IS_HOME, 1.0)
    np.testing.assert_allclose(pooled[:, 0], [0.3, 0.3, 0.7, 0.7])


def test_a_patent_pool_draws_more_complementors_to_the_same_base():
    assert complementor_attraction(0.4, 0.0) > complementor_attraction(0.4, 0.6) > 0.0
    assert complementor_attraction(0.0, 0.0) == 0.0


def test_adjust_shares_starts_a_new_segment_at_its_target():
    target = np.array([[0.2], [0.8]])
    np.testing.assert_allclose(adjust_shares(np.zeros((2, 1)), target, 0.1), target)
