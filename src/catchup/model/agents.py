"""The agents: foreign incumbents, home latecomers, research institutes, the government.

Each `step`-like method reads as a short list of named behaviours; the arithmetic lives
in the pure functions of technology.py, market.py and policy.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa import Agent

from catchup.model.cohorts import INCUMBENTS, LATECOMERS
from catchup.model.policy import (
    SPENDING_KINDS,
    discount_factor,
    institute_budget,
    procurement_cost,
    subsidy_per_firm,
)
from catchup.model.technology import carried_position, grow, growth_rate, imitation_access, saturating

if TYPE_CHECKING:
    from catchup.model.model import CatchUpModel


def absorb_science(model: CatchUpModel, generation: int, level: float, capacity: float) -> float:
    """New level after learning from the generation's public science this step.

    Closes `science_uptake_rate x capacity` of the gap to the science level per year. An
    embargo does not reach it: it stops technology transfer (imitation, licences, experts),
    not published science. Above the science level there is nothing public left to learn."""
    p = model.p
    gen = model.technology.generations[generation]
    if level >= gen.science:
        return level
    rate = min(p.science_uptake_rate * capacity * model.dt, 1.0)
    return level + rate * (gen.science - level)


class Firm(Agent):
    """A firm with a capability in one technology generation, patents, cash and market shares.

    Firms differ (`firm_heterogeneity`): in their R&D strategy (the share of R&D spent on
    innovation rather than imitation) and in their absorptive capacity; founders also raise
    different amounts of cash (set by the model when it founds the firm)."""

    is_home: bool = False
    cohort: str = INCUMBENTS  # the group it entered with (set by the model for others)
    country: int = 1  # index in the model's countries (0 home, 1 foreign, 2... third countries)
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
        spread = model.p.firm_heterogeneity
        self.innovation_share = 0.5 + 0.5 * spread * model.rng.uniform(-1.0, 1.0)
        self.absorptive_capacity = float(np.exp(spread * model.rng.normal()))
        self.shares = np.zeros(len(model.segments))
        self.revenue = 0.0  # last step's revenue
        self.sales = 0.0  # last step's sales volume, in world-demand units
        self.rd = 0.0  # this step's R&D spending
        self.subsidy = 0.0  # this step's R&D subsidy
        self.subsidised_gain = 0.0  # capability this step's subsidy bought (for the institutional window)
        self.licensed_share = 0.0  # share of knowledge used under licence this step
        self.partners: list[ResearchInstitute] = []
        self.perceived = 0  # newest generation the firm has perceived (with lock-in)

    # -- derived state --------------------------------------------------------
    @property
    def frontier(self) -> float:
        return self.model.technology.generations[self.generation].frontier

    @property
    def ceiling(self) -> float:
        return self.model.technology.generations[self.generation].ceiling

    @property
    def position(self) -> float:
        """Capability relative to the frontier of the firm's own generation."""
        return self.capability / self.frontier

    def potential_in(self, generation: int) -> float:
        """Capability the firm would have in `generation` if it moved there now: its carried
        position times what the generation offers (its opportunity, or its leader if ahead)."""
        if generation == self.generation:
            return self.capability
        p = self.model.p
        pos = carried_position(min(self.position, 1.0), p.knowledge_cumulativeness, p.generation_entry_level)
        return pos * self.model.technology.generations[generation].entry_base

    def rd_effort(self, share: float = 0.5) -> float:
        """Effort of the part `share` of R&D (relative to the reference level), with
        diminishing returns; an even split gives the effort of all R&D at half the reference."""
        return saturating(2.0 * share * self.rd / self.model.dt / self.model.rd_reference_per_year)

    # -- behaviour, in the order the model calls it --------------------------
    def learn(self) -> None:
        """Everything that changes capability this step."""
        self.adopt_new_generation()
        self.capability = absorb_science(
            self.model, self.generation, self.capability, self.absorptive_capacity
        )
        self.spend_on_rd()
        gain = self.innovate()
        self.imitate()
        self.learn_from_partners()
        self.learn_by_doing()
        self.file_patents(gain)

    def adopt_new_generation(self) -> None:
        """Move to the newest generation when it pays or when a rival there already beats us."""
        newest = self.model.technology.newest.index
        if self.generation == newest or not self.perceives(newest):
            return
        expected = self.potential_in(newest)
        rival_ahead = any(f.capability > self.capability for f in self.model.firms_in(newest))
        if expected >= self.capability * (1.0 + self.model.p.adoption_hurdle) or rival_ahead:
            self.capability = min(expected, self.model.technology.newest.ceiling)
            self.patent_coverage *= self.model.p.knowledge_cumulativeness
            self.generation = newest

    def perceives(self, newest: int) -> bool:
        """Whether the firm has seen the newest generation. Lock-in delays it: the hazard is
        perception_rate x (1 - lock_in x the share of world demand its country holds in older
        generations), so a country selling much of the old technology looks late (each firm
        on its own draw, as in Landini, Lee & Malerba 2017)."""
        m, p = self.model, self.model.p
        if p.lock_in <= 0 or self.perceived >= newest:
            return True
        old_share = m.old_generation_share.get(self.country, 0.0)
        hazard = p.perception_rate * max(0.0, 1.0 - p.lock_in * old_share)
        if m.rng.random() < 1.0 - np.exp(-hazard * m.dt):
            self.perceived = newest
            return True
        return False

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
        """Own R&D grows capability in proportion to what the firm knows (knowledge builds on
        knowledge); returns the gain, for patenting."""
        p = self.model.p
        noise = self.model.rng.lognormal(0.0, p.innovation_noise)
        effort = self.rd_effort(self.innovation_share)
        rate = growth_rate(
            p.innovation_rate * effort * noise,
            self.capability,
            self.frontier,
            self.ceiling,
            p.knowledge_returns,
        )
        before = self.capability
        self.capability = grow(before, rate, self.model.dt, self.ceiling)
        gain = self.capability - before
        if self.subsidy > 0 and self.rd > 0:
            self.subsidised_gain = gain * self.subsidy / self.rd
        else:
            self.subsidised_gain = 0.0
        return gain

    def imitate(self) -> None:
        """Copy part of the best accessible capability in the same generation."""
        p = self.model.p
        best_gain, best_licensed = 0.0, 0.0
        effort = self.rd_effort(1.0 - self.innovation_share)
        own = self.capability
        for other in self.model.all_firms:
            if other.capability <= own or other.generation != self.generation:
                continue  # (the firm itself is never above its own capability)
            access, licensed = imitation_access(
                self.is_home,
                other.is_home,
                other.patent_coverage,
                patent_barrier=p.patent_barrier,
                licensing=p.licensing,
                technology_embargo=p.technology_embargo,
                alliance=p.alliance,
            )
            # Absorptive capacity: own imitation effort and own knowledge relative to the holder's.
            absorptive = self.absorptive_capacity * (0.5 * effort + 0.5 * self.capability / other.capability)
            gain = min(absorptive, 1.0) * access * (other.capability - self.capability)
            if gain > best_gain:
                best_gain, best_licensed = gain, licensed
        rate = min(p.imitation_rate * self.model.dt, 1.0)
        self.capability += rate * best_gain
        self.licensed_share = best_licensed if best_gain > 0 else 0.0

    def learn_from_partners(self) -> None:
        """Knowledge spills from partner institutes working in the same generation."""
        p = self.model.p
        boost = 1.0 + p.mission * p.talent_concentration
        rate = min(p.spillover_rate * boost * self.absorptive_capacity * self.model.dt, 1.0)
        partners = self.model.institutes if (self.is_home and p.mission > 0) else self.partners
        best = max(
            (r.knowledge for r in partners if r.generation == self.generation),
            default=0.0,
        )
        if best > self.capability:
            self.capability += rate * (best - self.capability)

    def learn_by_doing(self) -> None:
        """Production experience with users grows capability in proportion to it, more with
        more output (saturating), and never past the generation's ceiling."""
        p = self.model.p
        per_year = self.sales / self.model.dt / self.model.rd_reference_per_year
        rate = growth_rate(
            p.learning_by_doing * saturating(per_year), self.capability, 1.0, self.ceiling, 0.0
        )
        self.capability = grow(self.capability, rate, self.model.dt, self.ceiling)

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
    """A foreign firm: an incumbent near the frontier with an installed base and patents, or
    a foreign entrant."""

    is_home = False
    entrant = False  # set for firms founded during the run
    country = 1  # FOREIGN_COUNTRY, or a third country's index

    def rd_out_of_cash(self) -> float:
        """An entrant, like a home start-up, spends part of its founders' cash on R&D before
        sales come, by the foreign side's entrepreneurship; so an entrant that wins no buyers
        runs out of cash and leaves."""
        if not self.entrant:
            return 0.0
        p = self.model.p
        return p.cash_burn_rate * p.foreign_entrepreneurship * self.model.dt * max(self.cash, 0.0)


class Latecomer(Firm):
    """A home firm that starts far below the frontier with little cash."""

    is_home = True
    cohort = LATECOMERS
    country = 0  # HOME_COUNTRY

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
        self.policy_funding = 0.0  # the part of it that is mission money
        self.contract_funding = 0.0  # paid by partner firms this step, spent next step
        self.policy_gain = 0.0  # knowledge this step's mission money bought

    def research(self) -> None:
        """Move to the newest generation, learn its public science, then grow by research in
        proportion to what the institute knows."""
        self.follow_newest_generation()
        self.knowledge = absorb_science(self.model, self.generation, self.knowledge, 1.0)
        p = self.model.p
        effort = saturating(self.funding / self.model.dt / self.model.rd_reference_per_year)
        productivity = p.research_productivity * (1.0 + p.mission * p.talent_concentration)
        noise = self.model.rng.lognormal(0.0, p.innovation_noise)
        gen = self.model.technology.generations[self.generation]
        rate = growth_rate(
            productivity * effort * noise, self.knowledge, gen.frontier, gen.ceiling, p.knowledge_returns
        )
        before = self.knowledge
        self.knowledge = grow(before, rate, self.model.dt, gen.ceiling)
        share = self.policy_funding / self.funding if self.funding > 0 else 0.0
        self.policy_gain = (self.knowledge - before) * share

    def follow_newest_generation(self) -> None:
        """Science moves to a new paradigm at once, carrying over what is cumulative."""
        tech = self.model.technology
        if self.generation == tech.newest.index:
            return
        p = self.model.p
        old_position = min(self.knowledge / tech.frontier(self.generation), 1.0)
        pos = carried_position(old_position, p.knowledge_cumulativeness, p.generation_entry_level)
        self.generation = tech.newest.index
        self.knowledge = min(pos * tech.newest.entry_base, tech.newest.ceiling)


class Government(Agent):
    """The home government: funds institutes and R&D; its procurement and protection act in the market."""

    model: CatchUpModel

    def __init__(self, model: CatchUpModel) -> None:
        super().__init__(model)
        self.spent = dict.fromkeys(SPENDING_KINDS, 0.0)  # discounted to the start year
        self.spent_this_step = 0.0  # undiscounted, for the trajectory

    def book(self, kind: str, amount: float) -> None:
        """Record money the government spent this step, in present value at the start year."""
        m = self.model
        self.spent[kind] += amount * discount_factor(m.period_start_year - m.start_year, m.p.discount_rate)
        self.spent_this_step += amount

    def book_procurement(
        self, demand: np.ndarray, price: np.ndarray, bonus: np.ndarray, price_sensitivity: float | np.ndarray
    ) -> None:
        """Book the money-equivalent of this clearing's procurement preference (`procurement_cost`;
        `demand` in shares of world demand, firms x segments)."""
        m = self.model
        cost = procurement_cost(demand, price, bonus, price_sensitivity) * m.world_demand_per_year * m.dt
        if cost:
            self.book("procurement", cost)

    def act(self) -> None:
        """Hand out this step's R&D subsidies and institute funding, and book them."""
        m, p = self.model, self.model.p
        self.spent_this_step = 0.0
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
        mission_money = p.mission * p.mission_budget * m.world_demand_per_year * m.dt
        for institute in m.institutes:
            institute.funding = budget / len(m.institutes) + institute.contract_funding
            institute.policy_funding = mission_money / len(m.institutes)
            institute.contract_funding = 0.0
        if home_firms:  # a subsidy or budget without a recipient is not paid
            self.book("rd_subsidy", subsidy * len(home_firms))
        if m.institutes:
            self.book("institutes", budget - mission_money)
            self.book("mission", mission_money)

    def spending_outcomes(self) -> dict[str, float]:
        """The run's spending, discounted to the start year: the total and each kind."""
        return {"government_spending": sum(self.spent.values())} | {
            f"spending_{kind}": value for kind, value in self.spent.items()
        }
