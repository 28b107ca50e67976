"""Technology generations on S-curves: the environment firms learn in.

Kept free of agents so the frontier and carry-over rules can be tested on their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def initial_progress(technology_maturity: float) -> float:
    """Progress of the first generation on its S-curve at the start.

    Maturity 0 puts the frontier at 5% of its ceiling (emerging), 1 at 95% (mature).
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


@dataclass
class Generation:
    """One technology generation: a ceiling and the frontier's progress towards it."""

    index: int
    ceiling: float
    progress: float
    arrival_year: float
    last_advance: float = 0.0  # frontier gained in the last step

    @property
    def frontier(self) -> float:
        """Best capability attainable now in this generation."""
        return self.ceiling * self.progress


class Technology:
    """The sequence of generations available so far, each on its own S-curve."""

    def __init__(
        self,
        technology_maturity: float,
        frontier_growth_rate: float,
        generation_ceiling_ratio: float,
        new_generation_start: float,
        start_year: float,
    ) -> None:
        self.growth_rate = frontier_growth_rate
        self.ceiling_ratio = generation_ceiling_ratio
        self.new_generation_start = new_generation_start
        self.generations: list[Generation] = [
            Generation(0, 1.0, initial_progress(technology_maturity), start_year)
        ]

    @property
    def newest(self) -> Generation:
        """The most recent generation (the one new entrants and institutes work in)."""
        return self.generations[-1]

    def frontier(self, generation: int) -> float:
        """Frontier of a given generation."""
        return self.generations[generation].frontier

    def advance(self, dt: float) -> None:
        """Move every generation's frontier along its S-curve by `dt` years."""
        for gen in self.generations:
            before = gen.frontier
            gen.progress = logistic_step(gen.progress, self.growth_rate, dt)
            gen.last_advance = gen.frontier - before

    def add_generation(self, year: float) -> Generation:
        """A new generation arrives with a higher ceiling, early on its S-curve."""
        gen = Generation(
            index=len(self.generations),
            ceiling=self.newest.ceiling * self.ceiling_ratio,
            progress=self.new_generation_start,
            arrival_year=year,
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
