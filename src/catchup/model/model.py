"""The catch-up model: one Mesa model holding firms, institutes, a government and the environment.

Parameters come from the parameter table (validated by `catchup.config`); dated events
are put on Mesa's event list; the model records model-level summaries each step and
nothing per agent, so runs stay cheap.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
from mesa import Model

from catchup.model import entry
from catchup.model.agents import (
    Firm,
    ForeignIncumbent,
    Government,
    Latecomer,
    ResearchInstitute,
)
from catchup.model.cohorts import (
    BUILT_IN_COHORTS,
    FOREIGN_COUNTRY,
    HOME_COUNTRY,
    BuyerClass,
    Cohort,
    Country,
    cohort_view,
    country_index,
    unit_cost,
)
from catchup.model.events import DatedEvent, event_step
from catchup.model.market import (
    adjust_shares,
    complementor_attraction,
    draw_niche_fits,
    market_attractiveness,
    nested_shares,
    per_step_rate,
    policy_bonus,
    standard_base,
)
from catchup.model.observation import MARKET_VIEW, observe, observed_market
from catchup.model.outcomes import TRAJECTORY_COLUMNS
from catchup.model.parameters import defaults
from catchup.model.policy import qualifies_for_procurement
from catchup.model.segments import Segments, old_generation_shares, origin_bases
from catchup.model.technology import Technology


class _EventAction:
    """Holds one dated event for Mesa's event list (which keeps only weak references)."""

    def __init__(self, model: CatchUpModel, event: DatedEvent) -> None:
        self.model = model
        self.event = event

    def fire(self) -> None:
        self.model.apply_event(self.event)


class CatchUpModel(Model):
    """Latecomer firms, foreign incumbents, research institutes and a government over time.

    Args:
        params: parameter overrides by name (see `catchup params`); the rest take defaults.
        rng: seed of the model's random generators (numpy `self.rng` and `self.random`).
        start_year, end_year, steps_per_year: the calendar the steps map onto.
        events: dated events (parameter changes, new generations).
        cohorts: further groups of firms by country and entry date (beyond the incumbents
            and latecomers the parameters set up); countries: third countries with their own
            markets; buyers: buyer classes splitting every mainstream market.
        record_cohorts: record per-cohort and per-class summaries each step (default: when
            the scenario declares cohorts, countries or buyer classes).
    """

    def __init__(
        self,
        params: dict[str, Any] | None = None,
        *,
        rng: int | None = None,
        start_year: float = 1990,
        end_year: float = 2030,
        steps_per_year: int = 4,
        events: list[DatedEvent] | tuple[DatedEvent, ...] = (),
        cohorts: tuple[Cohort, ...] = (),
        countries: tuple[Country, ...] = (),
        buyers: tuple[BuyerClass, ...] = (),
        record_cohorts: bool | None = None,
    ) -> None:
        super().__init__(rng=rng)
        self._all_firms: list[Firm] | None = None
        self._home_firms: list[Latecomer] | None = None
        self._foreign_firms: list[ForeignIncumbent] | None = None
        self._institutes: list[ResearchInstitute] | None = None
        values = defaults()
        values.update(params or {})
        self.p = SimpleNamespace(**values)
        p = self.p
        self.start_year = float(start_year)
        self.end_year = float(end_year)
        self.steps_per_year = int(steps_per_year)
        self.dt = 1.0 / self.steps_per_year
        self.n_steps = round((self.end_year - self.start_year) * self.steps_per_year)

        self.technology = Technology(
            p.technology_maturity,
            p.frontier_growth_rate,
            p.generation_ceiling_ratio,
            p.new_generation_start,
            self.start_year,
            p.public_knowledge,
        )
        fits = draw_niche_fits(self.rng, p.home_fit_advantage, p.niche_heterogeneity, p.niche_count)
        self.countries = tuple(countries)
        self.country_index = country_index(self.countries)
        self.country_names = list(self.country_index)
        self.cohorts = tuple(cohorts)
        self.cohort_names = list(dict.fromkeys([*BUILT_IN_COHORTS, *(c.name for c in self.cohorts)]))
        self.buyers = tuple(buyers)
        # Per-cohort and per-class summaries: recorded when a scenario declares a population,
        # or when asked (a docking of a plain scenario).
        declared = bool(self.cohorts or self.countries or self.buyers)
        self.records_cohorts = declared if record_cohorts is None else record_cohorts
        self.cohort_trajectory: dict[str, list[float]] = {}
        self.cohort_market: dict[str, float] = {}
        self.old_generation_share: dict[int, float] = {}
        self.home_standard = -1 if any(e.home_standard for e in events) else None  # observation.py
        self.market = Segments(fits, self.countries, self.buyers)
        self.segments = self.market.list
        self._create_agents()
        self._schedule_events(events)
        self.event_log: list[tuple[float, str]] = []
        self.trajectory: dict[str, list[float]] = {c: [] for c in TRAJECTORY_COLUMNS}
        self.entrants = 0
        self.foreign_entrants = 0
        self.entrants_this_step = 0
        self._update_demand()

    # -- set-up ----------------------------------------------------------------
    def _create_agents(self) -> None:
        p = self.p
        opportunity = self.technology.generations[0].opportunity
        for _ in range(p.n_foreign_firms):
            firm = ForeignIncumbent(
                self,
                generation=0,
                capability=p.foreign_initial_position * opportunity,
                cash=p.foreign_initial_cash,
                patent_coverage=p.technology_maturity,
            )
            firm.shares[:] = 1.0 / p.n_foreign_firms  # the installed base is foreign
        self.government = Government(self)
        for _ in range(p.n_institutes):
            ResearchInstitute(self, knowledge=entry.latecomer_start_capability(self))
        self._institutes = None  # read the full list from here on
        for _ in range(p.n_home_firms):
            entry.new_latecomer(self, generation=0, capability=entry.latecomer_start_capability(self))
        # Latecomers start with no installed base; foreign shares already sum to 1.
        for firm in self.home_firms:
            firm.shares[:] = 0.0
        # Foreign procured segments were split among foreign firms above.
        for cohort in self.cohorts:
            if cohort.year <= self.start_year:
                entry.found_cohort(self, cohort)
        self._record_best()
        # Complementors start where the foreign standard's base holds them; home and third
        # countries have none yet.
        self.complementors = dict.fromkeys(self.country_names, 0.0)
        self.complementors[FOREIGN_COUNTRY] = complementor_attraction(1.0, self._joining_cost(home=False))

    def _schedule_events(self, events) -> None:
        self._event_actions = []
        self._event_generation_step = -1  # the step a dated new generation last acted in
        for event in sorted(events, key=lambda e: e.year):
            action = _EventAction(self, event)
            self._event_actions.append(action)
            # The event takes effect from the first step whose period starts at or after its year.
            self.schedule_event(action.fire, at=event_step(event.year, self.start_year, self.steps_per_year))
        self._event_actions += entry.schedule_cohorts(self, self.cohorts)

    def apply_event(self, event: DatedEvent) -> None:
        """Apply a dated event: new parameter values and/or a new technology generation."""
        for name, value in event.set.items():
            setattr(self.p, name, value)
        if event.new_generation:
            self.technology.add_generation(event.year, event.generation_progress)
            self.home_standard = self.technology.newest.index if event.home_standard else self.home_standard
            # Events fire between steps, for the step that comes next (Mesa's event list).
            self._event_generation_step = self.steps + 1
        if event.home_entrants:
            entry.found_home_firms(self, event.home_entrants)
        self.event_log.append((event.year, event.describe()))

    # -- views used by agents ----------------------------------------------------
    @property
    def home_firms(self) -> list[Latecomer]:
        """Home firms alive; cached until a firm enters or exits (do not modify)."""
        if self._home_firms is None:
            self._home_firms = list(self.agents_by_type.get(Latecomer, []))
        return self._home_firms

    @property
    def foreign_firms(self) -> list[ForeignIncumbent]:
        """Foreign firms alive; cached until a firm enters or exits (do not modify)."""
        if self._foreign_firms is None:
            self._foreign_firms = list(self.agents_by_type.get(ForeignIncumbent, []))
        return self._foreign_firms

    @property
    def institutes(self) -> list[ResearchInstitute]:
        """The institutes (fixed at set-up: they neither enter nor exit)."""
        if self._institutes is None:
            self._institutes = list(self.agents_by_type.get(ResearchInstitute, []))
        return self._institutes

    @property
    def all_firms(self) -> list[Firm]:
        """Home firms, then foreign firms; cached until a firm enters or exits."""
        if self._all_firms is None:
            self._all_firms = self.home_firms + self.foreign_firms
        return self._all_firms

    def firms_in(self, generation: int) -> list[Firm]:
        return [f for f in self.all_firms if f.generation == generation]

    @property
    def period_start_year(self) -> float:
        """Calendar year at the start of the current step's period (what `year` records)."""
        return self.start_year + max(self.steps - 1, 0) * self.dt

    def _update_demand(self) -> None:
        """World demand grows from 1 at the start year; cached once per step."""
        self.world_demand_per_year = (1.0 + self.p.demand_growth) ** (
            self.period_start_year - self.start_year
        )
        self.home_demand_per_year = self.p.home_market_weight * self.world_demand_per_year
        self.rd_reference_per_year = self.p.rd_reference * self.world_demand_per_year

    # -- the schedule ------------------------------------------------------------
    def step(self) -> None:
        """One quarter (by default): technology, policy, research, learning, market, accounts, entry."""
        self._update_demand()
        self._maybe_new_generation()
        self.technology.advance(self.dt, self.p.public_knowledge)
        self.government.act()
        for institute in self._in_random_order(self.institutes):
            institute.research()
        for firm in self._in_random_order(self.all_firms):
            firm.learn()
        self._record_best()
        self.clear_market()
        self.update_complementors()
        for firm in self._in_random_order(self.all_firms):
            firm.settle_accounts()  # may exit: the list is a copy
        entry.enter_new_firms(self)
        observe(self)

    def _in_random_order(self, agents: list) -> list:
        """A shuffled copy: agents act in a new random order every step (Mesa's shuffle_do,
        without building an AgentSet each time)."""
        order = list(agents)
        self.random.shuffle(order)
        return order

    def _record_best(self) -> None:
        """The frontier each generation's actors have pushed to, read by all in the next step."""
        best: dict[int, float] = {}
        for firm in self.all_firms:
            best[firm.generation] = max(best.get(firm.generation, 0.0), firm.capability)
        for institute in self.institutes:
            best[institute.generation] = max(best.get(institute.generation, 0.0), institute.knowledge)
        self.technology.record_best(best)
        for older in self.technology.generations[:-1]:
            older.latent = 0.0  # knowledge carries forward only: into the newest generation
        newest = self.technology.newest
        newest.latent = max(
            (f.potential_in(newest.index) for f in self.all_firms if f.generation != newest.index),
            default=0.0,
        )

    def _joining_cost(self, home: bool) -> float:
        """What a complementor pays to join a side's standard: the patent licences it needs.
        The home standard's are pooled by the alliance; the foreign one's open to licence."""
        p = self.p
        return p.patent_barrier * (1.0 - (p.alliance if home else p.licensing))

    def update_complementors(self) -> None:
        """Complementors move towards each standard's attraction (its share of standardised
        demand, less the cost of joining it) at `complementor_entry_rate` per year."""
        p = self.p
        rate = 1.0 - math.exp(-p.complementor_entry_rate * self.dt)
        for side in self.country_names:
            target = complementor_attraction(
                self._standard_base[side], self._joining_cost(side == HOME_COUNTRY)
            )
            self.complementors[side] += rate * (target - self.complementors[side])

    def _maybe_new_generation(self) -> None:
        hazard = self.p.generation_hazard
        # The draw is made whatever the hazard, so closing the hazard (a paired run in
        # `catchup seizure`) leaves the random stream as it was.
        draw = self.rng.random()
        arrives = hazard > 0 and draw < 1.0 - math.exp(-hazard * self.dt)
        # At most one new generation per step: not on top of one a dated event brought (the
        # draw is made anyway, so the random stream does not depend on the events).
        if arrives and self._event_generation_step != self.steps:
            self.technology.add_generation(self.period_start_year)
            self.event_log.append((self.period_start_year, "new generation (hazard)"))

    def clear_market(self) -> None:
        """Buyers choose in every segment; shares adjust; firms book revenue and sales."""
        p = self.p
        firms = self.all_firms
        if not firms:  # every firm has left: no one sells, nothing is bought
            self.market_shares = np.zeros((0, len(self.segments)))
            self._standard_base = dict.fromkeys(self.country_names, 0.0)
            self.market_view = dict.fromkeys(MARKET_VIEW, 0.0)
            self.cohort_market = cohort_view(self.cohort_names, self.buyers, [], [], np.zeros((0, 0)))
            return
        is_home = np.array([f.is_home for f in firms], dtype=bool)
        country = np.array([f.country for f in firms], dtype=int)
        quality = np.array([f.capability for f in firms], dtype=float)
        generation = np.array([f.generation for f in firms])
        price = np.where(is_home, 1.0 - p.home_cost_advantage, 1.0)
        if p.generation_cost_ratio != 1.0:
            price = price * unit_cost(generation, p.generation_cost_ratio)
        weights = self.market.current_weights(p.home_market_weight, p.publicness, p.niche_market_size)
        eligible = self.market.eligible(is_home, quality, price, firms)
        best_foreign = quality[~is_home].max() if (~is_home).any() else 0.0
        qualifies = qualifies_for_procurement(quality, best_foreign, p.procurement_threshold)
        shares = np.array([f.shares for f in firms]).reshape(len(firms), len(self.segments))
        if self.countries:
            complementors = np.array([self.complementors[name] for name in self.country_names])[country]
        else:
            complementors = np.where(is_home, self.complementors["home"], self.complementors["foreign"])
        market_terms = self.market.tastes(p, country, complementors)
        # countries as nests and standards: booleans while there are only home and foreign (faster)
        origin = country if self.countries else is_home
        base = standard_base(shares, origin, 0.0, generation, p.standard_carryover, p.shared_standard)
        v_market = market_attractiveness(quality, price, base, is_home, eligible, **market_terms)
        bonus = policy_bonus(
            is_home,
            qualifies,
            self.segments,
            procurement_support=p.procurement_support,
            procurement_preference=p.procurement_preference,
            home_market_protection=p.home_market_protection,
            protection_strength=p.protection_strength,
        )
        policy_acts = bool(bonus.any()) or p.alliance > 0
        v_policy = v_market + bonus
        if p.alliance > 0:  # alliance members count the home standard's whole installed base
            pooled = standard_base(
                shares, origin, p.alliance, generation, p.standard_carryover, p.shared_standard
            )
            v_pooled = market_attractiveness(quality, price, pooled, is_home, eligible, **market_terms)
            with np.errstate(invalid="ignore"):  # ineligible cells are -inf - -inf; masked below
                v_policy = np.where(eligible, v_policy + (v_pooled - v_market), -np.inf)
        target = nested_shares(v_policy, origin, p.nest_scale)
        shares = adjust_shares(shares, target, per_step_rate(p.share_adjustment_rate, self.dt))
        if self.buyers:  # buyers drop a product at once when it stops meeting their requirements
            shares = np.where(eligible, shares, 0.0)
        sales = shares @ weights * self.world_demand_per_year * self.dt
        revenue = (sales * price).tolist()
        for i, (firm, sold) in enumerate(zip(firms, sales.tolist(), strict=True)):
            firm.shares = shares[i]
            firm.sales = sold
            firm.revenue = revenue[i]
        self.market_shares = shares  # firms x segments, as cleared this step (before exits)
        demand = shares * weights  # share of world demand per firm and segment
        self.government.book_procurement(demand, price, bonus, market_terms["price_sensitivity"])
        home_by_firm = demand[:, self.market.is_home].sum(axis=1)
        self._standard_base = origin_bases(demand, country, home_by_firm, self.country_names)
        if self.p.lock_in > 0:  # what each country sells of older generations, read next step
            older = generation != self.technology.newest.index
            self.old_generation_share = old_generation_shares(demand, country, older, len(self.country_names))
        # Without policy terms the unaided choice is the choice itself: no second logit.
        unaided = nested_shares(v_market, origin, p.nest_scale) if policy_acts else target
        choice = (is_home, shares, weights, v_market, target, unaided)
        self.cohort_market, self.market_view = observed_market(
            self, firms, demand, home_by_firm, generation, choice
        )

    def exit_firm(self, firm: Firm) -> None:
        """A firm out of cash leaves; its buyers are shared out among the rest next step."""
        firm.remove()
        self.forget_firm_list()

    def forget_firm_list(self) -> None:
        """A firm entered or left: the cached lists of firms are rebuilt when next asked for."""
        self._all_firms = self._home_firms = self._foreign_firms = None

    def run(self) -> None:
        """Run from start_year to end_year."""
        self.run_for(self.n_steps)
