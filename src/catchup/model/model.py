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

from catchup.model.agents import (
    Firm,
    ForeignIncumbent,
    Government,
    Latecomer,
    ResearchInstitute,
)
from catchup.model.events import DatedEvent, event_step
from catchup.model.market import (
    HOME,
    MAINSTREAM,
    adjust_shares,
    build_segments,
    demand_margin,
    draw_niche_fits,
    eligibility,
    logit_shares,
    market_attractiveness,
    per_step_rate,
    policy_bonus,
    policy_channel,
    segment_weights,
)
from catchup.model.outcomes import TRAJECTORY_COLUMNS
from catchup.model.parameters import defaults
from catchup.model.policy import qualifies_for_procurement
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
    ) -> None:
        super().__init__(rng=rng)
        self._all_firms: list[Firm] | None = None
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
        )
        fits = draw_niche_fits(self.rng, p.home_fit_advantage, p.niche_heterogeneity, p.niche_count)
        self.segments = build_segments(fits)
        self.segment_is_home = np.array([s.region == HOME for s in self.segments])
        self.segment_is_mainstream = np.array([s.kind == MAINSTREAM for s in self.segments])
        self.segment_fit = np.array([s.home_fit for s in self.segments])
        self._create_agents()
        self._schedule_events(events)
        self.event_log: list[tuple[float, str]] = []
        self.trajectory: dict[str, list[float]] = {c: [] for c in TRAJECTORY_COLUMNS}
        self.entrants = 0
        self.entrants_this_step = 0
        self._update_demand()

    # -- set-up ----------------------------------------------------------------
    def _create_agents(self) -> None:
        p = self.p
        frontier = self.technology.frontier(0)
        for _ in range(p.n_foreign_firms):
            firm = ForeignIncumbent(
                self,
                generation=0,
                capability=p.foreign_initial_position * frontier,
                cash=p.foreign_initial_cash,
                patent_coverage=p.technology_maturity,
            )
            firm.shares[:] = 1.0 / p.n_foreign_firms  # the installed base is foreign
        self.government = Government(self)
        for _ in range(p.n_institutes):
            ResearchInstitute(self, knowledge=self.latecomer_start_capability())
        for _ in range(p.n_home_firms):
            self._new_latecomer(generation=0, capability=self.latecomer_start_capability())
        # Latecomers start with no installed base; foreign shares already sum to 1.
        for firm in self.home_firms:
            firm.shares[:] = 0.0
        # Foreign procured segments were split among foreign firms above.

    def latecomer_start_capability(self) -> float:
        """General engineering knowledge, but never above half the incumbents' level."""
        newest = self.technology.newest
        scaled = self.p.home_initial_capability * newest.ceiling / self.technology.generations[0].ceiling
        return min(scaled, 0.5 * self.p.foreign_initial_position * newest.frontier)

    def _new_latecomer(self, generation: int, capability: float) -> Latecomer:
        # Founders differ in how much money they raise: uniform between half and 1.5 times the mean.
        cash = self.p.home_initial_cash * self.rng.uniform(0.5, 1.5)
        firm = Latecomer(self, generation=generation, capability=capability, cash=cash)
        firm.partners = [
            r for r in self.institutes if self.random.random() < self.p.university_industry_linkage
        ]
        self._all_firms = None
        return firm

    def _schedule_events(self, events) -> None:
        self._event_actions = []
        self._event_generation_step = -1  # the step a dated new generation last acted in
        for event in sorted(events, key=lambda e: e.year):
            action = _EventAction(self, event)
            self._event_actions.append(action)
            # The event takes effect from the first step whose period starts at or after its year.
            self.schedule_event(action.fire, at=event_step(event.year, self.start_year, self.steps_per_year))

    def apply_event(self, event: DatedEvent) -> None:
        """Apply a dated event: new parameter values and/or a new technology generation."""
        for name, value in event.set.items():
            setattr(self.p, name, value)
        if event.new_generation:
            self.technology.add_generation(event.year)
            # Events fire between steps, for the step that comes next (Mesa's event list).
            self._event_generation_step = self.steps + 1
        if event.home_entrants:
            self.found_home_firms(event.home_entrants)
        self.event_log.append((event.year, event.describe()))

    # -- views used by agents ----------------------------------------------------
    @property
    def firms(self):
        return self.agents.select(lambda a: isinstance(a, Firm))

    @property
    def home_firms(self) -> list[Latecomer]:
        return list(self.agents_by_type.get(Latecomer, []))

    @property
    def foreign_firms(self) -> list[ForeignIncumbent]:
        return list(self.agents_by_type.get(ForeignIncumbent, []))

    @property
    def institutes(self) -> list[ResearchInstitute]:
        return list(self.agents_by_type.get(ResearchInstitute, []))

    @property
    def all_firms(self) -> list[Firm]:
        """Home firms, then foreign firms; cached until a firm enters or exits."""
        if self._all_firms is None:
            self._all_firms = self.home_firms + self.foreign_firms
        return self._all_firms

    def firms_in(self, generation: int) -> list[Firm]:
        return [f for f in self.all_firms if f.generation == generation]

    def best_capability_in(self, generation: int) -> float:
        return max((f.capability for f in self.firms_in(generation)), default=0.0)

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
        self.technology.advance(self.dt)
        self.government.act()
        self.agents_by_type.get(ResearchInstitute, self.agents.select(lambda a: False)).shuffle_do("research")
        self.firms.shuffle_do("learn")
        self.clear_market()
        self.firms.shuffle_do("settle_accounts")
        self.enter_new_firms()
        self.observe()

    def _maybe_new_generation(self) -> None:
        hazard = self.p.generation_hazard
        arrives = hazard > 0 and self.rng.random() < 1.0 - math.exp(-hazard * self.dt)
        # At most one new generation per step: not on top of one a dated event brought (the
        # draw is made anyway, so the random stream does not depend on the events).
        if arrives and self._event_generation_step != self.steps:
            self.technology.add_generation(self.period_start_year)
            self.event_log.append((self.period_start_year, "new generation (hazard)"))

    def clear_market(self) -> None:
        """Buyers choose in every segment; shares adjust; firms book revenue and sales."""
        p = self.p
        firms = self.all_firms
        is_home = np.array([f.is_home for f in firms])
        quality = np.array([f.capability for f in firms])
        price = np.where(is_home, 1.0 - p.home_cost_advantage, 1.0)
        weights = segment_weights(self.segments, p.home_market_weight, p.publicness, p.niche_market_size)
        eligible = eligibility(self.segments, is_home)
        best_foreign = quality[~is_home].max() if (~is_home).any() else 0.0
        qualifies = np.array(
            [qualifies_for_procurement(q, best_foreign, p.procurement_threshold) for q in quality]
        )
        shares = np.array([f.shares for f in firms]).reshape(len(firms), len(self.segments))
        market_terms = {
            "quality_sensitivity": p.quality_sensitivity,
            "price_sensitivity": p.price_sensitivity,
            "home_fit": self.segment_fit,
            "network_weight": p.network_effect * p.standardization * self.segment_is_mainstream,
        }
        v_market = market_attractiveness(quality, price, shares, is_home, eligible, **market_terms)
        v_policy = v_market + policy_bonus(
            is_home,
            qualifies,
            self.segments,
            procurement_support=p.procurement_support,
            procurement_preference=p.procurement_preference,
            home_market_protection=p.home_market_protection,
            protection_strength=p.protection_strength,
        )
        if p.alliance > 0:  # alliance members count the home standard's whole installed base
            home_total = shares[is_home].sum(axis=0, keepdims=True)
            pooled = np.where(is_home[:, None], shares + p.alliance * (home_total - shares), shares)
            v_pooled = market_attractiveness(quality, price, pooled, is_home, eligible, **market_terms)
            with np.errstate(invalid="ignore"):  # ineligible cells are -inf - -inf; masked below
                v_policy = np.where(eligible, v_policy + (v_pooled - v_market), -np.inf)
        target = logit_shares(v_policy)
        shares = adjust_shares(shares, target, per_step_rate(p.share_adjustment_rate, self.dt))
        sales = shares @ weights * self.world_demand_per_year * self.dt
        for i, firm in enumerate(firms):
            firm.shares = shares[i]
            firm.sales = sales[i]
            firm.revenue = sales[i] * price[i]
        self.market_shares = shares  # firms x segments, as cleared this step (before exits)
        demand = shares * weights  # share of world demand per firm and segment
        home_demand = demand[:, self.segment_is_home].sum()
        world_demand = demand.sum()
        self._market_view = {
            "home_share_home_market": demand[is_home][:, self.segment_is_home].sum() / home_demand
            if home_demand > 0
            else 0.0,
            "home_share_world_market": demand[is_home].sum() / world_demand if world_demand > 0 else 0.0,
            "demand_margin": demand_margin(v_market, is_home, weights > 0),
            "policy_channel": policy_channel(
                target, logit_shares(v_market), is_home, weights, self.segment_is_home
            )
            + self.government.funds_to_home / (self.home_demand_per_year * self.dt),
        }

    def exit_firm(self, firm: Firm) -> None:
        """A firm out of cash leaves; its buyers are shared out among the rest next step."""
        firm.remove()
        self._all_firms = None

    def enter_new_firms(self) -> None:
        """New home firms enter at a rate set by entrepreneurship, spun off from institutes."""
        p = self.p
        rate = p.entrepreneurship * p.max_entry_rate * self.dt
        n = int(self.rng.poisson(rate)) if rate > 0 else 0
        self.entrants_this_step = self.found_home_firms(n)

    def found_home_firms(self, n: int) -> int:
        """Found up to `n` home firms in the newest generation (room permitting); returns how many.

        A founder starts from general engineering knowledge or, if better, half of what the
        institutes know (a spin-off)."""
        room = self.p.max_home_firms - len(self.home_firms)
        newest = self.technology.newest
        base = self.latecomer_start_capability()
        spin_off = max(
            (0.5 * r.knowledge for r in self.institutes if r.generation == newest.index), default=0.0
        )
        founded = max(0, min(n, room))
        for _ in range(founded):
            self._new_latecomer(generation=newest.index, capability=max(base, spin_off))
            self.entrants += 1
        return founded

    # -- observation -------------------------------------------------------------
    def observe(self) -> None:
        """Record this step's model-level summaries (no per-agent data)."""
        p = self.p
        view = self._market_view
        home, foreign = self.home_firms, self.foreign_firms
        newest = self.technology.newest
        best_home = max((f.capability for f in home), default=0.0)
        best_foreign = max((f.capability for f in foreign), default=0.0)
        rel = best_home / best_foreign if best_foreign > 0 else math.nan
        home_potential = max((f.potential_in(newest.index) for f in home), default=0.0)
        foreign_potential = max((f.potential_in(newest.index) for f in foreign), default=0.0)
        rel_newest = home_potential / foreign_potential if foreign_potential > 0 else math.nan
        home_best_anywhere = max(
            [f.capability for f in home if f.generation == newest.index]
            + [r.knowledge for r in self.institutes if r.generation == newest.index],
            default=0.0,
        )
        t = self.trajectory
        t["step"].append(self.steps)
        t["year"].append(self.period_start_year)
        t["relative_capability"].append(rel)
        t["home_share_home_market"].append(view["home_share_home_market"])
        t["home_share_world_market"].append(view["home_share_world_market"])
        t["home_firms_alive"].append(len(home))
        t["generation"].append(newest.index)
        t["newest_generation_progress"].append(newest.progress)
        t["relative_capability_newest_generation"].append(rel_newest)
        t["demand_margin"].append(view["demand_margin"] if home else -math.inf)
        t["policy_channel"].append(view["policy_channel"])
        t["mission_progress"].append(home_best_anywhere / newest.frontier)
        t["mission_active"].append(float(p.mission > 0))
        t["best_home_capability"].append(best_home)
        t["best_foreign_capability"].append(best_foreign)
        t["frontier"].append(newest.frontier)

    def run(self) -> None:
        """Run from start_year to end_year."""
        self.run_for(self.n_steps)
