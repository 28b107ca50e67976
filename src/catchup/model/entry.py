"""Who enters: home latecomers (at the start, by entrepreneurship, by dated programmes) and
foreign entrants, more while the newest generation is young. Functions of the model, kept
apart from the schedule so the population rules read in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from catchup.model.agents import ForeignIncumbent, Latecomer

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


def new_latecomer(model: CatchUpModel, generation: int, capability: float) -> Latecomer:
    """A home firm with founders' cash, partnered with each institute by chance."""
    cash = founders_cash(model, model.p.home_initial_cash)
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
        new_latecomer(model, generation=newest.index, capability=max(base, spin_off))
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
        model.foreign_entrants += 1
    if founded:
        model.forget_firm_list()
    return founded
