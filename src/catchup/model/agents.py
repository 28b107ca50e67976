"""The agents: foreign incumbents, home latecomers, research institutes, the government.

Each `step`-like method reads as a short list of named behaviours; the arithmetic lives
in the pure functions of technology.py, market.py and policy.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from catchup.model.policy import institute_budget, subsidy_per_firm
from catchup.model.technology import carried_position, imitation_access, saturating

if TYPE_CHECKING:
    from catchup.model.model import CatchUpModel


def absorb_public_knowledge(model: CatchUpModel, generation: int, level: float, is_home: bool) -> float:
    """New level after taking up the public share of this step's frontier advance.

    Home actors reach only the part of foreign-made public knowledge not under embargo.
    """
    p = model.p
    gen = model.technology.generations[generation]
    share = p.public_knowledge * ((1.0 - p.technology_embargo) if is_home else 1.0)
    return min(level + share * gen.last_advance, gen.frontier)


class Firm(Agent):
    """A firm with a capability in one technology generation, patents, cash and market shares."""

    is_home: bool = False
    model: CatchUpModel

    def __init__(
        self,
        model: CatchUpModel,
        generation: int,
        capability: float,
        cash: float,
        patent_coverage: float = 0.0,
    ) -> None:
        super().__init__(model)
        self.generation = generation
        self.capability = capability
        self.cash = cash
        self.patent_coverage = patent_coverage
        self.shares = np.zeros(len(model.segments))
        self.revenue = 0.0  # last step's revenue
        self.sales = 0.0  # last step's sales volume, in world-demand units
        self.rd = 0.0  # this step's R&D spending
        self.subsidy = 0.0  # this step's R&D subsidy
        self.licensed_share = 0.0  # share of knowledge used under licence this step
        self.partners: list[ResearchInstitute] = []

    # -- derived state --------------------------------------------------------
    @property
    def frontier(self) -> float:
        return self.model.technology.frontier(self.generation)

    @property
    def position(self) -> float:
        """Capability relative to the frontier of the firm's own generation."""
        return self.capability / self.frontier

    def potential_in(self, generation: int) -> float:
        """Capability the firm would have in `generation` if it moved there now."""
        if generation == self.generation:
            return self.capability
        p = self.model.p
        pos = carried_position(self.position, p.knowledge_cumulativeness, p.generation_entry_level)
        return pos * self.model.technology.frontier(generation)

    def rd_effort(self) -> float:
        """R&D per year relative to the reference level, with diminishing returns."""
        return saturating(self.rd / self.model.dt / self.model.rd_reference_per_year)

    # -- behaviour, in the order the model calls it --------------------------
    def learn(self) -> None:
        """Everything that changes capability this step."""
        self.adopt_new_generation()
        self.absorb_public_knowledge()
        self.spend_on_rd()
        gain = self.innovate()
        self.imitate()
        self.learn_from_partners()
        self.learn_by_doing()
        self.file_patents(gain)

    def adopt_new_generation(self) -> None:
        """Move to the newest generation when it pays or when a rival there already beats us."""
        newest = self.model.technology.newest.index
        if self.generation == newest:
            return
        expected = self.potential_in(newest)
        rival_ahead = self.model.best_capability_in(newest) > self.capability
        if expected >= self.capability * (1.0 + self.model.p.adoption_hurdle) or rival_ahead:
            self.capability = expected
            self.patent_coverage *= self.model.p.knowledge_cumulativeness
            self.generation = newest

    def absorb_public_knowledge(self) -> None:
        """Part of each advance of the frontier becomes public (papers, textbooks) for everyone."""
        self.capability = absorb_public_knowledge(self.model, self.generation, self.capability, self.is_home)

    def spend_on_rd(self) -> None:
        """R&D out of last step's revenue, plus (home firms) out of cash, plus any subsidy."""
        p = self.model.p
        own = p.rd_intensity * self.revenue + self.rd_out_of_cash()
        self.cash -= own
        contracted = p.contract_research_share * own if self.partners else 0.0
        for institute in self.partners:
            institute.contract_funding += contracted / len(self.partners)
        self.rd = own - contracted + self.subsidy

    def rd_out_of_cash(self) -> float:
        return 0.0

    def innovate(self) -> float:
        """Close part of the gap to the frontier; returns the gain, for patenting."""
        p = self.model.p
        noise = self.model.rng.lognormal(0.0, p.innovation_noise)
        step = p.innovation_rate * self.model.dt * self.rd_effort() * noise
        gain = min(step, 1.0) * (self.frontier - self.capability)
        self.capability += max(gain, 0.0)
        return max(gain, 0.0)

    def imitate(self) -> None:
        """Copy part of the best accessible capability in the same generation."""
        p = self.model.p
        best_gain, best_licensed = 0.0, 0.0
        for other in self.model.firms_in(self.generation):
            if other is self or other.capability <= self.capability:
                continue
            access, licensed = imitation_access(
                self.is_home,
                other.is_home,
                other.patent_coverage,
                patent_barrier=p.patent_barrier,
                licensing=p.licensing,
                technology_embargo=p.technology_embargo,
                alliance=p.alliance,
            )
            # Absorptive capacity: own R&D effort and own knowledge relative to the holder's.
            absorptive = 0.5 * self.rd_effort() + 0.5 * self.capability / other.capability
            gain = absorptive * access * (other.capability - self.capability)
            if gain > best_gain:
                best_gain, best_licensed = gain, licensed
        rate = min(p.imitation_rate * self.model.dt, 1.0)
        self.capability += rate * best_gain
        self.licensed_share = best_licensed if best_gain > 0 else 0.0

    def learn_from_partners(self) -> None:
        """Knowledge spills from partner institutes working in the same generation."""
        p = self.model.p
        rate = min(p.spillover_rate * (1.0 + p.mission * p.talent_concentration) * self.model.dt, 1.0)
        partners = self.model.institutes if (self.is_home and p.mission > 0) else self.partners
        best = max(
            (r.knowledge for r in partners if r.generation == self.generation),
            default=0.0,
        )
        if best > self.capability:
            self.capability += rate * (best - self.capability)

    def learn_by_doing(self) -> None:
        """Production experience with users closes part of the gap to the frontier."""
        p = self.model.p
        per_year = self.sales / self.model.dt / self.model.rd_reference_per_year
        step = min(p.learning_by_doing * self.model.dt * saturating(per_year), 1.0)
        self.capability += step * (self.frontier - self.capability)

    def file_patents(self, innovation_gain: float) -> None:
        """Own innovation becomes patent coverage; old coverage expires."""
        p = self.model.p
        filed = min(p.patent_filing_rate * innovation_gain / self.frontier, 1.0)
        self.patent_coverage += filed * (1.0 - self.patent_coverage)
        self.patent_coverage *= 1.0 - self.model.dt / p.patent_life

    def settle_accounts(self) -> None:
        """Margin on sales minus royalties and fixed cost; a firm out of cash exits."""
        p = self.model.p
        royalty = p.royalty_rate * self.licensed_share * self.revenue
        self.cash += p.profit_margin * self.revenue - royalty - p.fixed_cost * self.model.dt
        if self.cash < 0.0:
            self.model.exit_firm(self)


class ForeignIncumbent(Firm):
    """A foreign firm near the frontier with an installed base and patents."""

    is_home = False


class Latecomer(Firm):
    """A home firm that starts far below the frontier with little cash."""

    is_home = True

    def rd_out_of_cash(self) -> float:
        """Risk-taking: entrepreneurs spend part of their cash on R&D before sales come."""
        p = self.model.p
        return p.cash_burn_rate * p.entrepreneurship * self.model.dt * max(self.cash, 0.0)


class ResearchInstitute(Agent):
    """A home research institute: government-funded research in the newest generation."""

    model: CatchUpModel

    def __init__(self, model: CatchUpModel, knowledge: float) -> None:
        super().__init__(model)
        self.generation = 0
        self.knowledge = knowledge
        self.funding = 0.0  # this step's funding (government plus last step's contracts)
        self.contract_funding = 0.0  # paid by partner firms this step, spent next step

    def research(self) -> None:
        """Move to the newest generation, then close part of the gap to its frontier."""
        self.follow_newest_generation()
        self.knowledge = absorb_public_knowledge(self.model, self.generation, self.knowledge, True)
        p = self.model.p
        effort = saturating(self.funding / self.model.dt / self.model.rd_reference_per_year)
        productivity = p.research_productivity * (1.0 + p.mission * p.talent_concentration)
        noise = self.model.rng.lognormal(0.0, p.innovation_noise)
        step = min(productivity * self.model.dt * effort * noise, 1.0)
        frontier = self.model.technology.frontier(self.generation)
        self.knowledge += step * (frontier - self.knowledge)

    def follow_newest_generation(self) -> None:
        """Science moves to a new paradigm at once, carrying over what is cumulative."""
        tech = self.model.technology
        if self.generation == tech.newest.index:
            return
        p = self.model.p
        old_position = self.knowledge / tech.frontier(self.generation)
        pos = carried_position(old_position, p.knowledge_cumulativeness, p.generation_entry_level)
        self.generation = tech.newest.index
        self.knowledge = pos * tech.frontier(self.generation)


class Government(Agent):
    """The home government: funds institutes and R&D; its procurement and protection act in the market."""

    model: CatchUpModel

    def __init__(self, model: CatchUpModel) -> None:
        super().__init__(model)
        self.funds_to_home = 0.0  # this step's subsidies and mission money

    def act(self) -> None:
        """Hand out this step's R&D subsidies and institute funding."""
        m, p = self.model, self.model.p
        home_firms = m.home_firms
        subsidy = subsidy_per_firm(
            p.rd_subsidy, p.subsidy_scale, m.home_demand_per_year, len(home_firms), m.dt
        )
        for firm in home_firms:
            firm.subsidy = subsidy
        for firm in m.foreign_firms:
            firm.subsidy = 0.0
        budget = institute_budget(
            p.institute_funding, p.mission, p.mission_budget, m.world_demand_per_year, m.dt
        )
        for institute in m.institutes:
            institute.funding = budget / len(m.institutes) + institute.contract_funding
            institute.contract_funding = 0.0
        mission_money = p.mission * p.mission_budget * m.world_demand_per_year * m.dt
        self.funds_to_home = subsidy * len(home_firms) + (mission_money if m.institutes else 0.0)
