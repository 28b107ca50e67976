"""Who enters: home latecomers (at the start, by entrepreneurship, by dated programmes) and
foreign entrants, more while the newest generation is young. Functions of the model, kept
apart from the schedule so the population rules read in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catchup.model.agents import Firm, ForeignIncumbent, Latecomer
from catchup.model.cohorts import FOREIGN_ENTRANTS, HOME_COUNTRY, HOME_ENTRANTS, Cohort
from catchup.model.events import event_step

if TYPE_CHECKING:
    from catchup.model.model import CatchUpModel


def latecomer_start_capability(model: CatchUpModel) -> float:
    """General engineering knowledge, but never above half the incumbents' level."""
    tech, p = model.technology, model.p
    newest = tech.newest
    scaled = p.home_initial_capability * newest.ceiling / tech.generations[0].ceiling
    return min(scaled, 0.5 * p.foreign_initial_position * newest.opportunity)


def founders_cash(model: CatchUpModel, mean: float) -> float:
    """Founders differ in how much money they raise: uniform within +-firm_heterogeneity of the mean."""
    spread = model.p.firm_heterogeneity
    return mean * model.rng.uniform(1.0 - spread, 1.0 + spread)


def new_latecomer(
    model: CatchUpModel, generation: int, capability: float, cash: float | None = None
) -> Latecomer:
    """A home firm with founders' cash, partnered with each institute by chance."""
    cash = founders_cash(model, model.p.home_initial_cash if cash is None else cash)
    firm = Latecomer(model, generation=generation, capability=capability, cash=cash)
    firm.partners = [
        r for r in model.institutes if model.random.random() < model.p.university_industry_linkage
    ]
    model.forget_firm_list()
    return firm


def entry_boost(model: CatchUpModel) -> float:
    """Entry multiplier: a young generation draws entrants (1 + boost x its remaining
    S-curve), a mature one hardly any extra."""
    return 1.0 + model.p.generation_entry_boost * (1.0 - model.technology.newest.progress)


def enter_new_firms(model: CatchUpModel) -> None:
    """New home firms enter at a rate set by entrepreneurship, spun off from institutes;
    new foreign firms by `foreign_entrepreneurship`; both more while the newest generation is young."""
    p = model.p
    boost = entry_boost(model)
    home_rate = p.entrepreneurship * p.max_entry_rate * boost * model.dt
    foreign_rate = p.foreign_entrepreneurship * p.max_entry_rate * boost * model.dt
    model.entrants_this_step = found_home_firms(model, int(model.rng.poisson(home_rate)))
    found_foreign_firms(model, int(model.rng.poisson(foreign_rate)))


def found_home_firms(model: CatchUpModel, n: int) -> int:
    """Found up to `n` home firms in the newest generation (room permitting); returns how many.

    A founder starts from general engineering knowledge or, if better, half of what the
    institutes know (a spin-off)."""
    room = model.p.max_home_firms - len(model.home_firms)
    newest = model.technology.newest
    base = latecomer_start_capability(model)
    spin_off = max((0.5 * r.knowledge for r in model.institutes if r.generation == newest.index), default=0.0)
    founded = max(0, min(n, room))
    for _ in range(founded):
        firm = new_latecomer(model, generation=newest.index, capability=max(base, spin_off))
        firm.cohort = HOME_ENTRANTS
        model.entrants += 1
    return founded


def found_foreign_firms(model: CatchUpModel, n: int) -> int:
    """Found up to `n` foreign entrants in the newest generation (room permitting): they start
    from the generation's public science or the entry level of its opportunity, whichever is
    higher, with founders' cash and no installed base or patents."""
    p = model.p
    room = p.max_foreign_firms - len(model.foreign_firms)
    newest = model.technology.newest
    capability = min(max(newest.science, p.generation_entry_level * newest.opportunity), newest.ceiling)
    founded = max(0, min(n, room))
    for _ in range(founded):
        firm = ForeignIncumbent(
            model,
            generation=newest.index,
            capability=capability,
            cash=founders_cash(model, p.foreign_entrant_cash),
        )
        firm.entrant = True
        firm.cohort = FOREIGN_ENTRANTS
        model.foreign_entrants += 1
    if founded:
        model.forget_firm_list()
    return founded


def found_cohort(model: CatchUpModel, cohort: Cohort) -> list[Firm]:
    """Found a declared cohort's firms in the newest generation, at `position` of its
    opportunity. Home firms are latecomers (policy, institutes and niches apply to them);
    other countries' firms are foreign firms of their country. A cohort founded after the
    start spends founders' cash on R&D like any entrant and has no patents yet."""
    p = model.p
    newest = model.technology.newest
    capability = min(cohort.position * newest.opportunity, newest.ceiling)
    at_start = model.steps == 0
    country = model.country_index[cohort.country]
    firms: list[Firm] = []
    for _ in range(cohort.firms):
        if country == model.country_index[HOME_COUNTRY]:
            firm: Firm = new_latecomer(model, newest.index, capability, cohort.cash)
        else:
            default = p.foreign_initial_cash if at_start else p.foreign_entrant_cash
            firm = ForeignIncumbent(
                model,
                generation=newest.index,
                capability=capability,
                cash=founders_cash(model, default if cohort.cash is None else cohort.cash),
                patent_coverage=p.technology_maturity if at_start else 0.0,
            )
            firm.entrant = not at_start
            firm.country = country
        firm.cohort = cohort.name
        firms.append(firm)
    model.forget_firm_list()
    return firms


class _CohortEntry:
    """Holds one dated cohort's founding for Mesa's event list (which keeps only weak references)."""

    def __init__(self, model: CatchUpModel, cohort: Cohort) -> None:
        self.model = model
        self.cohort = cohort

    def fire(self) -> None:
        found_cohort(self.model, self.cohort)
        self.model.event_log.append((self.cohort.year, f"cohort {self.cohort.name} enters"))


def schedule_cohorts(model: CatchUpModel, cohorts: tuple[Cohort, ...]) -> list[_CohortEntry]:
    """Put every cohort founded after the start on the event list, for the first step whose
    period starts at or after its year (as dated events); returns the holders to keep."""
    held = []
    for cohort in cohorts:
        if cohort.year > model.start_year:
            founding = _CohortEntry(model, cohort)
            at = max(1, event_step(cohort.year, model.start_year, model.steps_per_year))
            model.schedule_event(founding.fire, at=at)
            held.append(founding)
    return held
