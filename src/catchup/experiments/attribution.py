"""Window attribution: the scenario as given and with each window source closed in turn.

Every variant runs on the same seeds (paired runs), so the difference a closed window makes
is measured run by run. What the differences add up to is computed in
`catchup.analysis.attribution`; this module only runs the variants.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from catchup.config.scenario import Scenario
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.runs import run
from catchup.model.events import DatedEvent
from catchup.results.folder import InMemoryResults
from catchup.results.manifest import Manifest, now, runs_manifest

AS_GIVEN = "(none: as given)"
ALL = "all"
# What closing each window source means (the `attribute` command).
CLOSURES: dict[str, dict[str, Any]] = {
    "technological": {
        "set": {"knowledge_cumulativeness": 1.0, "generation_hazard": 0.0},
        "new_generations": False,
    },
    "niche": {"set": {"niche_market_size": 0.0}},
    "procurement_protection_subsidy": {
        "set": {"procurement_support": 0.0, "home_market_protection": 0.0, "rd_subsidy": 0.0}
    },
    "alliance": {"set": {"alliance": 0.0}},
    "mission": {"set": {"mission": 0.0}},
}


def without_sources(
    events: tuple[DatedEvent, ...],
    keys: Collection[str],
    from_year: float = -math.inf,
    drop_generations_from: float | None = None,
) -> list[DatedEvent]:
    """The events with the parameters `keys` no longer set from `from_year` on, and no new
    generation from `drop_generations_from` on; an event left with nothing to do is dropped.
    Closing a window source, for a whole run or from a year, rewrites events this way."""
    kept_events = []
    for ev in events:
        kept = {k: v for k, v in ev.set.items() if k not in keys} if ev.year >= from_year else dict(ev.set)
        new_generation = ev.new_generation and not (
            drop_generations_from is not None and ev.year >= drop_generations_from - 1e-9
        )
        if kept or new_generation or ev.home_entrants:
            kept_events.append(replace(ev, set=kept, new_generation=new_generation))
    return kept_events


def close_window(scenario: Scenario, closures: list[str]) -> Scenario:
    """The scenario with the given window sources closed, in parameters and in dated events."""
    params = dict(scenario.parameters)
    closed: dict[str, Any] = {}
    keep_generations = True
    for name in closures:
        spec = CLOSURES[name]
        closed.update(spec["set"])
        keep_generations = keep_generations and spec.get("new_generations", True)
    params.update(closed)
    events = without_sources(
        scenario.events, closed, drop_generations_from=None if keep_generations else -math.inf
    )
    label = "+".join(closures)
    return replace(
        scenario, parameters=params, events=tuple(events), overrides={**scenario.overrides, "closed": label}
    )


def variants(scenario: Scenario) -> dict[str, Scenario]:
    """The scenario as given, with each window source closed, then with all closed."""
    out = {AS_GIVEN: scenario}
    out.update({name: close_window(scenario, [name]) for name in CLOSURES})
    out[ALL] = close_window(scenario, list(CLOSURES))
    return out


@dataclass
class AttributionResult(InMemoryResults):
    """Every variant's runs (column `closed`), paired by run id; reads like a result folder."""

    scenario: Scenario
    runs: pd.DataFrame
    seeds: list[int]
    started: str
    finished: str
    workers: int
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # e.g. the attribution table

    @property
    def manifest(self) -> Manifest:
        return runs_manifest(
            "attribution",
            self.scenario.to_dict(),
            self.seeds,
            n_runs=len(self.runs),
            workers=self.workers,
            started=self.started,
            finished=self.finished,
            tables={"runs": "parquet", **dict.fromkeys(self.extra_tables, "csv")},  # type: ignore[dict-item]
            details={"variants": list(dict.fromkeys(self.runs["closed"])), "closures": CLOSURES},
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"runs": self.runs, **self.extra_tables}


def attribute(
    scenario: Scenario,
    seeds: int | None = None,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> AttributionResult:
    """Run the scenario as given and with each window source closed in turn, then all at once."""
    started = now()
    parts = []
    with borrowed(executor, jobs) as ex:
        for name, variant in variants(scenario).items():
            result = run(variant, seeds=seeds, executor=ex)
            parts.append(result.runs.assign(closed=name))
            if on_progress:
                on_progress(name)
        workers = ex.workers
    runs = pd.concat(parts, ignore_index=True)
    runs.insert(0, "closed", runs.pop("closed"))
    return AttributionResult(scenario, runs, result.seeds, started, now(), workers)
