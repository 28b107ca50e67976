"""Technology generations: what a paradigm offers, what is public, and the frontier firms push.

Each generation has a ceiling (what the paradigm can ever give) and an *opportunity* that
moves along an S-curve towards it (what a firm entering the generation now could build on).
Its *science level* is the codified, public share of the opportunity (`public_knowledge`).
Its *frontier* is the highest of the science level, the best capability any actor has reached
in it, and (for the newest generation) what a firm still in an older one would carry into it:
firms push the frontier by their own innovation, it is not handed to them.
Kept free of agents so the growth and carry-over rules can be tested on their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def initial_progress(technology_maturity: float) -> float:
    """Progress of the first generation's opportunity on its S-curve at the start.

    Maturity 0 puts it at 5% of the ceiling (emerging), 1 at 95% (mature).
    """
    return 0.05 + 0.9 * technology_maturity


def logistic_step(progress: float, rate: float, dt: float) -> float:
    """Advance a logistic S-curve by `dt` years (exact solution, so any step size works).

    A fast curve rounds to exactly 1 in floating point: it stays there (the ceiling is reached)."""
    if progress >= 1.0:
        return 1.0
    odds = progress / (1.0 - progress) * math.exp(rate * dt)
    return odds / (1.0 + odds)


def carried_position(old_position: float, cumulativeness: float, entry_level: float) -> float:
    """Relative position in a new generation given the position in the old one.

    Cumulativeness 1 keeps the old position; 0 puts everyone at the entry level.
    """
    return cumulativeness * old_position + (1.0 - cumulativeness) * entry_level


def growth_rate(
    rate: float, capability: float, frontier: float, ceiling: float, knowledge_returns: float
) -> float:
    """Proportional growth rate of an actor's capability (per year, before effort and noise).

    rate x (capability / frontier) ** knowledge_returns x (1 - capability / ceiling).
    Knowledge builds on knowledge: growth is proportional to what the actor knows, so with
    `knowledge_returns` 0 relative positions are kept, and above 0 the leader's proportional
    growth beats the laggards' and a lead self-reinforces; the last factor is the paradigm's
    exhaustion, which slows leaders near the ceiling first (the one force of convergence
    that remains, and only as a paradigm matures).
    """
    if not (0.0 < capability < math.inf and 0.0 < frontier < math.inf):
        return 0.0  # nothing to grow from (an overflowed run is marked invalid afterwards)
    relative = min(capability / frontier, 1.0)
    return rate * relative**knowledge_returns * max(0.0, 1.0 - capability / ceiling)


def grow(capability: float, rate_per_year: float, dt: float, ceiling: float) -> float:
    """Capability after `dt` years of proportional growth at `rate_per_year`, never past the ceiling."""
    return min(capability * math.exp(rate_per_year * dt), ceiling)


@dataclass
class Generation:
    """One technology generation: a ceiling, the opportunity's progress towards it, the public
    share of it, and the best capability any actor has reached in it."""

    index: int
    ceiling: float
    progress: float
    arrival_year: float
    public_share: float = 0.5  # codified share of the opportunity (`public_knowledge`)
    best: float = 0.0  # best capability of any firm or institute in this generation
    latent: float = 0.0  # best capability a firm still in an older generation would bring here

    @property
    def opportunity(self) -> float:
        """What the paradigm offers now: the base a firm entering it carries its position onto."""
        return self.ceiling * self.progress

    @property
    def science(self) -> float:
        """Public knowledge of this generation: what anyone could learn from the literature."""
        return self.public_share * self.opportunity

    @property
    def entry_base(self) -> float:
        """What a firm moving into this generation scales its carried position by."""
        return max(self.opportunity, self.best)

    @property
    def frontier(self) -> float:
        """Best capability known in this generation: science, the leader beyond it, or what an
        incumbent still in an older generation knows that carries over (cumulativeness): a
        new generation's frontier is not only what its first movers have done."""
        return max(self.science, self.best, self.latent)


class Technology:
    """The sequence of generations available so far."""

    def __init__(
        self,
        technology_maturity: float,
        frontier_growth_rate: float,
        generation_ceiling_ratio: float,
        new_generation_start: float,
        start_year: float,
        public_knowledge: float = 0.5,
    ) -> None:
        self.growth_rate = frontier_growth_rate
        self.ceiling_ratio = generation_ceiling_ratio
        self.new_generation_start = new_generation_start
        self.public_knowledge = public_knowledge
        self.generations: list[Generation] = [
            Generation(0, 1.0, initial_progress(technology_maturity), start_year, public_knowledge)
        ]

    @property
    def newest(self) -> Generation:
        """The most recent generation (the one new entrants and institutes work in)."""
        return self.generations[-1]

    def frontier(self, generation: int) -> float:
        """Frontier of a given generation."""
        return self.generations[generation].frontier

    def advance(self, dt: float, public_knowledge: float) -> None:
        """Move every generation's opportunity along its S-curve by `dt` years."""
        self.public_knowledge = public_knowledge
        for gen in self.generations:
            gen.progress = logistic_step(gen.progress, self.growth_rate, dt)
            gen.public_share = public_knowledge

    def record_best(self, best_by_generation: dict[int, float]) -> None:
        """Raise each generation's best-known capability (knowledge once reached stays known)."""
        for index, best in best_by_generation.items():
            gen = self.generations[index]
            gen.best = max(gen.best, best)

    def add_generation(self, year: float, progress: float | None = None) -> Generation:
        """A new generation arrives with a higher ceiling, early on its S-curve (at `progress`
        if given, else `new_generation_start`)."""
        gen = Generation(
            index=len(self.generations),
            ceiling=self.newest.ceiling * self.ceiling_ratio,
            progress=self.new_generation_start if progress is None else progress,
            arrival_year=year,
            public_share=self.public_knowledge,
        )
        self.generations.append(gen)
        return gen


def imitation_access(
    learner_is_home: bool,
    holder_is_home: bool,
    holder_coverage: float,
    *,
    patent_barrier: float,
    licensing: float,
    technology_embargo: float,
    alliance: float,
) -> tuple[float, float]:
    """Share of a holder's knowledge a learner can imitate, and the share of it under licence.

    Foreign knowledge reaches home learners only through the part not under embargo. Of
    what is reachable, the part covered by patents (coverage x barrier) is blocked unless
    licensed (`licensing`), and the licensed part costs a royalty. Between home firms an
    alliance pools patents instead: the pooled share is open and free.
    """
    covered = patent_barrier * holder_coverage
    open_share = 1.0 - technology_embargo if (learner_is_home and not holder_is_home) else 1.0
    if learner_is_home and holder_is_home and alliance > 0:
        return open_share * (1.0 - covered * (1.0 - alliance)), 0.0
    return open_share * (1.0 - covered * (1.0 - licensing)), open_share * covered * licensing


def saturating(effort: float) -> float:
    """Diminishing returns to effort: x / (1 + x), 0 at no effort, towards 1 at large effort."""
    return effort / (1.0 + effort)
