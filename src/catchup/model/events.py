"""Dated events: what a scenario changes at a calendar year (plain data, no Mesa)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def event_step(year: float, start_year: float, steps_per_year: int) -> int:
    """The step index an event is scheduled at: the first step whose period starts at or after
    its year (the model schedules by it; scenario checks count generations per step by it)."""
    return max(0, math.ceil((year - start_year) * steps_per_year - 1e-9))


@dataclass(frozen=True)
class DatedEvent:
    """A change that happens at a calendar year: parameter values, a new generation and/or
    home firms founded (a programme start: the latecomers' entry is often a dated fact)."""

    year: float
    set: dict[str, Any] = field(default_factory=dict)
    new_generation: bool = False
    label: str = ""
    home_entrants: int = 0
    # How far along its S-curve the new generation is on arrival (None: new_generation_start).
    # A generation that matured abroad first reaches a latecomer market further along.
    generation_progress: float | None = None
    # The new generation is the home standard's (TD-SCDMA: 3G): `home_standard_share` is read in
    # it, rather than in the first generation where home products sell.
    home_standard: bool = False

    def describe(self) -> str:
        """The label, or a short description when the event has none."""
        return self.label or describe_event(self)


def describe_event(event: DatedEvent) -> str:
    """A short label for an event without one."""
    parts = [f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}" for k, v in event.set.items()]
    if event.new_generation:
        parts.insert(0, "new generation")
    if event.home_entrants:
        parts.insert(0, f"{event.home_entrants} home firm(s) founded")
    return ", ".join(parts)
