"""Three claims from the catch-up literature whose answer the model does not fix in advance.

Each states the literature's hypothesis, then asserts what model 2 shows on the shipped
defaults over 24 seeds, with a margin; docs/ODD.md ("Measured properties") reports whether
the model agrees with the literature. A change of mechanism can flip any of them.
"""

from __future__ import annotations

import pytest

import catchup
from tests.conftest import make_scenario

SEEDS = 24
pytestmark = pytest.mark.slow
HOME_MARKET_WEIGHT = 0.3  # the default share of world demand at home


def runs(ex, parameters, events=None):
    return catchup.run(make_scenario(parameters, events, seeds=SEEDS, base_seed=11), executor=ex).runs


def foreign_market_share(runs) -> float:
    """Home firms' mean final share of the foreign region's demand (the world's mainstream)."""
    world, home = runs["final_home_share_world_market"], runs["final_home_share_home_market"]
    return float(((world - HOME_MARKET_WEIGHT * home) / (1 - HOME_MARKET_WEIGHT)).mean())


def test_time_limited_protection_leaves_no_lasting_market_position(ex):
    """Infant-industry argument: protection for a time builds firms that then hold their own.
    Model 2 has no complacency under protection and no lasting gain after it: protection until
    2005 leaves the 2030 home share near no protection at all, permanent protection keeps it."""
    base = {"technology_maturity": 0.7}
    permanent = runs(ex, {**base, "home_market_protection": 1.0})
    limited = runs(
        ex, {**base, "home_market_protection": 1.0}, [{"year": 2005, "set": {"home_market_protection": 0.0}}]
    )
    none = runs(ex, base)
    share = {
        k: v["final_home_share_home_market"].mean()
        for k, v in [("p", permanent), ("l", limited), ("n", none)]
    }
    assert share["p"] >= share["l"] + 0.3
    assert share["l"] <= share["n"] + 0.1
    # ...although the protected years did build some capability
    assert limited["final_relative_capability"].mean() >= none["final_relative_capability"].mean() - 0.02


def test_a_comfortable_niche_does_not_keep_home_firms_out_of_the_mainstream(ex):
    """Niche-trap hypothesis: a large, well-fitting home niche lets home firms live without
    ever competing in the world's mainstream. Model 2 says the opposite: niche revenue pays for
    R&D, and home firms with the larger niche take more of the foreign market."""
    base = {"technology_maturity": 0.7, "home_fit_advantage": 4.0}
    small = runs(ex, {**base, "niche_market_size": 0.3})
    comfortable = runs(ex, {**base, "niche_market_size": 0.9})
    assert foreign_market_share(comfortable) >= foreign_market_share(small) + 0.03


def test_a_slower_incumbent_adoption_hardly_changes_catch_up_at_a_paradigm_change(ex):
    """Incumbent-trap hypothesis: leaders who are slow to adopt a new paradigm hand the window
    to latecomers. In model 2 a higher adoption hurdle slows every firm, and a firm moves anyway
    once a rival in the new generation beats it, so the trap ends when anyone leads there: the
    hurdle moves the probability of catch-up by less than 0.15."""
    base = {"technology_maturity": 0.8, "knowledge_cumulativeness": 0.5, "niche_market_size": 0.2}
    new_generation = [{"year": 2000, "new_generation": True}]
    eager = runs(ex, {**base, "adoption_hurdle": 0.0}, new_generation)
    reluctant = runs(ex, {**base, "adoption_hurdle": 1.5}, new_generation)
    difference = reluctant["catch_up_year"].notna().mean() - eager["catch_up_year"].notna().mean()
    assert abs(difference) < 0.15


def test_stronger_increasing_returns_let_the_leader_keep_its_lead_after_a_paradigm_change(ex):
    """Knowledge builds on knowledge (Malerba, Nelson, Orsenigo & Winter 2016): the stronger
    the increasing returns, the less a latecomer closes the gap after a paradigm change. The
    leader's advantage is not built in: at knowledge_returns 0 relative positions are kept."""
    base = {
        "technology_maturity": 0.8,
        "knowledge_cumulativeness": 0.5,
        "patent_barrier": 0.7,
        "niche_market_size": 0.05,
    }
    new_generation = [{"year": 2000, "new_generation": True}]
    flat = runs(ex, {**base, "knowledge_returns": 0.0}, new_generation)
    steep = runs(ex, {**base, "knowledge_returns": 2.0}, new_generation)
    assert steep["final_relative_capability"].mean() <= flat["final_relative_capability"].mean() - 0.04
    assert steep["catch_up_year"].notna().mean() <= flat["catch_up_year"].notna().mean()
