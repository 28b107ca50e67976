"""Agent behaviours, each checked on a small model."""

from __future__ import annotations

import pytest

from catchup.model.agents import ForeignIncumbent, Latecomer, ResearchInstitute
from catchup.model.events import DatedEvent
from catchup.model.model import CatchUpModel
from catchup.model.technology import carried_position


def model(**params) -> CatchUpModel:
    return CatchUpModel(params, rng=3)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "params",
    [{}, {"innovation_noise": 2.0, "innovation_rate": 5.0, "rd_subsidy": 1.0}, {"technology_maturity": 0.0}],
)
def test_innovation_never_passes_the_frontier(seed, params):
    m = CatchUpModel(params, rng=seed, events=[DatedEvent(2000, new_generation=True)])
    for _ in range(m.n_steps):
        m.step()
        for firm in m.home_firms + m.foreign_firms:
            assert 0.0 <= firm.capability <= firm.frontier * (1 + 1e-9)
            assert 0.0 <= firm.patent_coverage <= 1.0
        for inst in m.institutes:
            assert inst.knowledge <= m.technology.frontier(inst.generation) * (1 + 1e-9)


def _imitation_gain(**params) -> float:
    m = model(**params)
    m.step()
    firm = m.home_firms[0]
    for other in m.home_firms[1:]:  # only foreign firms are ahead
        other.capability = min(other.capability, firm.capability)
    firm.rd = 1.0  # strong absorptive effort
    before = firm.capability
    firm.imitate()
    return firm.capability - before


def test_embargo_blocks_imitation_of_foreign_firms():
    assert _imitation_gain(patent_barrier=0.0) > 0
    assert _imitation_gain(patent_barrier=0.0, technology_embargo=1.0) == 0.0


def test_patents_reduce_imitation():
    free = _imitation_gain(patent_barrier=0.0, technology_maturity=0.9)
    blocked = _imitation_gain(patent_barrier=1.0, technology_maturity=0.9)
    assert 0 < blocked < free


def test_procurement_only_reaches_firms_above_the_threshold():
    """Unreachable threshold: the procured segment channels nothing to home firms."""
    reachable = model(publicness=0.5, procurement_support=1.0, procurement_threshold=0.0, rd_subsidy=0.0)
    unreachable = model(publicness=0.5, procurement_support=1.0, procurement_threshold=1.0, rd_subsidy=0.0)
    for m in (reachable, unreachable):
        m.run_for(40)
    assert reachable.trajectory["policy_channel"][-1] > 0.01
    assert unreachable.trajectory["policy_channel"][-1] == pytest.approx(0.0, abs=1e-12)


def test_firm_exits_when_its_cash_runs_out():
    m = model()
    m.step()
    firm = m.home_firms[0]
    firm.cash = -1.0
    firm.revenue = 0.0
    firm.settle_accounts()
    assert firm not in m.home_firms
    survivor = m.foreign_firms[0]
    survivor.settle_accounts()
    assert survivor in m.foreign_firms


@pytest.mark.parametrize("cumulativeness", [0.1, 0.5, 0.9])
def test_generation_change_transfers_capability_by_cumulativeness(cumulativeness):
    m = model(knowledge_cumulativeness=cumulativeness, adoption_hurdle=0.0, generation_entry_level=0.3)
    m.step()
    m.technology.add_generation(1990.25)
    for _ in range(20):
        m.technology.advance(0.25, m.p.public_knowledge)
    firm = m.home_firms[0]
    old_position = firm.position
    firm.adopt_new_generation()
    assert firm.generation == 1
    expected = carried_position(old_position, cumulativeness, 0.3) * m.technology.newest.entry_base
    assert firm.capability == pytest.approx(expected)


def test_incumbents_wait_for_the_new_generation_but_latecomers_move_early():
    """The incumbent trap follows from the adoption rule, not from a case branch (foreign
    entrants, born in the newest generation, are kept out: the rule is about incumbents)."""
    params = {
        "technology_maturity": 0.8,
        "home_initial_cash": 1.0,
        "entrepreneurship": 0.0,
        "foreign_entrepreneurship": 0.0,
    }
    for seed in (1, 2, 3):
        m = CatchUpModel(params, rng=seed, events=[DatedEvent(2000, new_generation=True)])
        first = {"home": None, "foreign": None}
        for _ in range(m.n_steps):
            m.step()
            for side, firms in (("home", m.home_firms), ("foreign", m.foreign_firms)):
                if first[side] is None and any(f.generation == 1 for f in firms):
                    first[side] = m.period_start_year
        assert first["home"] is not None and first["foreign"] is not None
        assert first["home"] + 0.5 <= first["foreign"]


def test_mission_funds_institutes_and_talent_speeds_research():
    slow, fast = model(mission=0.0), model(mission=1.0)
    for m in (slow, fast):
        m.run_for(20)
    best = lambda m: max(r.knowledge for r in m.institutes)  # noqa: E731
    assert best(fast) > best(slow)


def test_agent_types_are_mesa_agent_sets():
    m = model(n_home_firms=5, n_foreign_firms=2, n_institutes=3)
    assert len(m.agents_by_type[Latecomer]) == 5
    assert len(m.agents_by_type[ForeignIncumbent]) == 2
    assert len(m.agents_by_type[ResearchInstitute]) == 3
