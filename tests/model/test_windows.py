"""Window detection rules on hand-made trajectories."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from catchup.model.windows import (
    DEMAND,
    INSTITUTIONAL,
    TECHNOLOGICAL,
    WindowRules,
    clean_signal,
    demand_signal,
    detect_windows,
    institutional_signal,
    technological_signal,
    windows_from_signal,
)

SPY = 4


def trajectory(n=80, **columns):
    years = 2000 + np.arange(n) / SPY
    base = {
        "year": years,
        "generation": np.zeros(n),
        "newest_generation_progress": np.full(n, 0.9),
        "relative_capability": np.full(n, 0.3),
        "relative_capability_newest_generation": np.full(n, 0.3),
        "demand_opening": np.zeros(n),
        "policy_channel": np.zeros(n),
        "policy_learning": np.zeros(n),
        "home_actors": np.ones(n),
        "home_share_home_market": np.zeros(n),
    }
    base.update({k: np.asarray(v, dtype=float) for k, v in columns.items()})
    return base


def test_emerging_first_generation_is_a_technological_window():
    progress = np.linspace(0.1, 0.9, 80)
    signal = technological_signal(np.zeros(80), progress, np.full(80, 0.3), np.full(80, 0.3))
    assert signal[progress < 0.5].all() and not signal[progress >= 0.5].any()


def test_new_generation_opens_a_window_only_when_its_gap_is_smaller():
    n = 80
    generation = np.r_[np.zeros(40), np.ones(40)]
    progress = np.r_[np.full(40, 0.9), np.linspace(0.1, 0.9, 40)]
    rel = np.full(n, 0.3)  # old gap 0.7
    small_gap = np.r_[np.full(40, 0.3), np.full(40, 0.8)]  # new gap 0.2
    same_gap = np.r_[np.full(40, 0.3), np.full(40, 0.35)]  # new gap 0.65 > 0.8 * 0.7
    open_ = technological_signal(generation, progress, rel, small_gap)
    closed = technological_signal(generation, progress, rel, same_gap)
    assert not open_[:40].any() and open_[40]
    assert not open_[40:][progress[40:] >= 0.75].any()
    assert not closed.any()
    # no window for a side already at parity in the old generation
    at_parity = technological_signal(generation, progress, np.full(n, 0.95), small_gap)
    assert not at_parity[40:].any()


def test_demand_and_institutional_signals_follow_their_thresholds():
    rules = WindowRules(demand_share=0.05, policy_share=0.05, policy_learning=0.03)
    assert list(demand_signal(np.array([0.0, 0.049, 0.05, 0.5, np.nan]), rules)) == [
        False,
        False,
        True,
        True,
        False,
    ]
    channel = np.array([0.0, 0.049, 0.05, 1.0, 0.0, 0.0])
    learning = np.array([0.0, 0.0, 0.0, 0.0, 0.029, 0.03])
    assert list(institutional_signal(channel, learning, rules)) == [False, False, True, True, False, True]


def test_clean_signal_merges_short_closures_and_drops_short_openings():
    s = np.zeros(40, bool)
    s[5:15] = True
    s[16:25] = True  # closed for one quarter: merged
    s[30:32] = True  # open for two quarters: dropped
    out = clean_signal(s, SPY)
    assert out[5:25].all()
    assert not out[30:32].any()
    assert not out[:5].any() and not out[25:].any()


def test_window_has_years_and_records_a_stated_rise():
    n = 40
    years = 2000 + np.arange(n) / SPY
    signal = np.zeros(n, bool)
    signal[8:20] = True
    rel = np.r_[np.full(8, 0.3), np.linspace(0.3, 0.6, 12), np.full(20, 0.6)]
    (w,) = windows_from_signal(DEMAND, signal, years, 1 / SPY, rel, np.zeros(n))
    assert (w.open_year, w.close_year) == (2002.0, 2005.0)
    assert w.rose and not w.still_open
    (flat,) = windows_from_signal(DEMAND, signal, years, 1 / SPY, np.full(n, 0.3), np.zeros(n))
    assert not flat.rose


def test_detect_windows_reads_every_type_from_a_trajectory():
    n = 80
    margin = np.where(np.arange(n) >= 20, 0.5, 0.0)
    channel = np.where(np.arange(n) >= 40, 0.1, 0.0)
    share = np.clip((np.arange(n) - 20) / 40, 0, 1)
    windows, signals = detect_windows(
        trajectory(n, demand_opening=margin, policy_channel=channel, home_share_home_market=share), SPY
    )
    kinds = {w.type: w for w in windows}
    assert set(kinds) == {DEMAND, INSTITUTIONAL}
    assert kinds[DEMAND].open_year == 2005.0 and kinds[DEMAND].still_open and kinds[DEMAND].rose
    assert kinds[INSTITUTIONAL].open_year == 2010.0
    assert signals[TECHNOLOGICAL].sum() == 0
    assert signals[DEMAND].sum() == 60


def test_no_window_is_open_while_no_home_actor_exists():
    n = 80
    actors = np.where(np.arange(n) >= 30, 1.0, 0.0)
    everything_open = trajectory(
        n,
        newest_generation_progress=np.full(n, 0.1),
        demand_opening=np.ones(n),
        policy_channel=np.ones(n),
        home_actors=actors,
    )
    windows, signals = detect_windows(everything_open, SPY)
    for kind in (TECHNOLOGICAL, DEMAND, INSTITUTIONAL):
        assert not signals[kind][:30].any() and signals[kind][30:].all()
    assert min(w.open_year for w in windows) == 2000 + 30 / SPY


@pytest.mark.parametrize("seed", range(3))
def test_random_signals_give_disjoint_ordered_windows(seed):
    rng = np.random.default_rng(seed)
    raw = rng.random(200) < 0.5
    cleaned = clean_signal(raw, SPY)
    years = 2000 + np.arange(200) / SPY
    found = windows_from_signal(DEMAND, cleaned, years, 1 / SPY, np.zeros(200), np.zeros(200))
    for a, b in itertools.pairwise(found):
        assert a.close_year <= b.open_year
    assert sum((w.close_year - w.open_year) * SPY for w in found) == pytest.approx(cleaned.sum())


@pytest.mark.parametrize("seed", range(6))
def test_in_a_run_no_window_opens_before_the_first_home_actor(seed):
    """An emerging technology with a home niche and procurement would open every kind of window
    from the start; with no home firm or institute until 2005, none opens before 2005."""
    from catchup.config.scenario import load_scenario
    from catchup.model.simulate import simulate
    from tests.conftest import ROOT

    scenario = load_scenario(ROOT / "tests" / "data" / "late_home.toml")
    out = simulate(scenario, seed, seed)
    assert out.windows, "the home firms should find some window once they exist"
    assert min(w["open_year"] for w in out.windows) >= 2005
