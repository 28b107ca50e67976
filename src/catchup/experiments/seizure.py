"""Which windows were seized: each run against its paired run with that window's source closed.

A window of a run counts as *seized* when the run's outcome (the home share of the home
market and the relative capability at the end of the span) beats, by a stated margin, the
same run (same seed) in which the window's source was closed from the year it opened. The
detection in every run only says whether the home side *rose* while a window was open;
this answers whether the window made the difference. It costs one more run per window.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from catchup.config.scenario import Scenario
from catchup.errors import InvalidRunsWarning
from catchup.experiments.attribution import without_sources
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.runs import RunResult, run, simulate_task
from catchup.model.events import DatedEvent
from catchup.model.windows import DEMAND, INSTITUTIONAL, SEIZURE_MARGIN, TECHNOLOGICAL, WINDOW_TYPES

# What closing each window type's source means, from the year given.
POLICY_INSTRUMENTS = ("procurement_support", "rd_subsidy", "home_market_protection", "alliance", "mission")
CLOSED_SETTINGS: dict[str, dict[str, float]] = {
    # the new generation that opened it (and any later one) does not arrive
    TECHNOLOGICAL: {"generation_hazard": 0.0},
    # the emerging first generation: its fast-moving public science is closed (in effect for
    # the home side: incumbents start above the science level when foreign_initial_position
    # >= public_knowledge, as by default)
    "emerging": {"science_uptake_rate": 0.0},
    # the home niches, where home products fit better
    DEMAND: {"niche_market_size": 0.0},
    # every policy instrument
    INSTITUTIONAL: dict.fromkeys(POLICY_INSTRUMENTS, 0.0),
}
OUTCOMES = ("final_home_share_home_market", "final_relative_capability")


def closed_from(
    scenario: Scenario, settings: dict[str, float], year: float, drop_generations_from: float | None
) -> Scenario:
    """The scenario with `settings` in force from `year` on (later events may not undo them),
    and, if given, no dated new generation from `drop_generations_from` on."""
    events = without_sources(scenario.events, settings, year, drop_generations_from)
    events.append(DatedEvent(year, dict(settings), label="window source closed"))
    return replace(scenario, events=tuple(sorted(events, key=lambda e: e.year)))


def source_closed(scenario: Scenario, window: pd.Series, trajectory: pd.DataFrame) -> Scenario:
    """The paired scenario of one window: its source closed from the year it opened.

    A technological window's source is the generation that was newest when it opened: it is
    removed from its arrival on (or, for the first generation, its public science is closed)."""
    open_year = float(window["open_year"])
    if window["type"] != TECHNOLOGICAL:
        return closed_from(scenario, CLOSED_SETTINGS[window["type"]], open_year, None)
    years = trajectory["year"].to_numpy()
    generation = trajectory["generation"].to_numpy()
    at = int(np.searchsorted(years, open_year - 1e-9))
    index = generation[min(at, len(generation) - 1)]
    if index == 0:
        return closed_from(scenario, CLOSED_SETTINGS["emerging"], open_year, None)
    arrival = float(years[np.flatnonzero(generation == index)[0]])
    # A dated generation acts in the first step starting at or after its year, so one dated up
    # to a step before the recorded arrival brought it.
    first_dated = arrival - 1.0 / scenario.steps_per_year + 1e-9
    return closed_from(scenario, CLOSED_SETTINGS[TECHNOLOGICAL], arrival, first_dated)


def seizure(
    scenario: Scenario,
    seeds: int | None = None,
    *,
    margin: float = SEIZURE_MARGIN,
    jobs: int = 1,
    executor: Executor | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[RunResult, pd.DataFrame]:
    """The scenario's runs, and its windows with the causal verdict.

    Returns the runs as `run` gives them and the windows table with, per window, the effect
    of its source on each outcome (`effect_<outcome>`: the run minus its paired run) and
    `seized`: whether either effect is at least `margin`.
    """
    if not 0 < margin < 1:
        raise ValueError(f"margin must be between 0 and 1, got {margin}")
    with borrowed(executor, jobs) as ex:
        result = run(scenario, seeds, executor=ex)
        windows = result.windows.reset_index(drop=True)
        by_run = dict(tuple(result.trajectories.groupby("run_id")))
        # A paired run is labelled by its window's row, so answers can come in any order.
        tasks = [
            (source_closed(scenario, w, by_run[int(w["run_id"])]), i, int(w["seed"]))
            for i, w in windows.iterrows()
        ]
        outputs: dict[int, Any] = {}
        for out in ex.imap_unordered(simulate_task, tasks):
            outputs[int(out.row["run_id"])] = out
            if on_progress:
                on_progress(len(outputs), len(tasks))
    runs = result.runs.set_index("run_id")
    table = windows.copy()
    # A pair is judged only when both runs kept their numbers in range (invalid runs are NaN).
    decided = runs.loc[table["run_id"], "valid"].to_numpy(bool) & np.array(
        [bool(outputs[i].row["valid"]) for i in range(len(table))], dtype=bool
    )
    seized = np.zeros(len(table), dtype=bool)
    for name in OUTCOMES:
        # NaN years of "never" are not outcomes here: both outcomes are end-of-span values.
        base = np.nan_to_num(runs.loc[table["run_id"], name].to_numpy(float))
        paired = np.nan_to_num(np.array([outputs[i].row[name] for i in range(len(table))], dtype=float))
        effect = np.where(decided, base - paired, np.nan)
        table[f"effect_{name}"] = effect
        seized |= decided & (effect >= margin)
    table["decided"] = decided
    table["seized"] = seized
    if not decided.all():
        warnings.warn(
            f"{scenario.name}: {int((~decided).sum())} of {len(table)} windows are left undecided: their run "
            "or its paired run left the valid numeric range (see `catchup run` for the reason)",
            InvalidRunsWarning,
            stacklevel=2,
        )
    return result, table


def seizure_summary(windows: pd.DataFrame, n_runs: int) -> pd.DataFrame:
    """Per window type: runs with such a window, and the shares of runs in which one rose
    while open and in which one was seized (made the stated difference). Undecided windows
    (an invalid run in the pair) are left out; every type is listed, with zeros if none opened."""
    rows = []
    if "decided" in windows:
        windows = windows[windows["decided"].astype(bool)]
    for kind in WINDOW_TYPES:
        group = windows[windows["type"] == kind]
        if group.empty:
            rows.append(
                {
                    "type": kind,
                    "runs_with_window": 0.0,
                    "runs_rose": 0.0,
                    "runs_seized": 0.0,
                    "mean_effect_home_share": float("nan"),
                    "mean_effect_relative_capability": float("nan"),
                }
            )
            continue
        per_run = group.groupby("run_id")
        rows.append(
            {
                "type": kind,
                "runs_with_window": per_run.ngroups / n_runs,
                "runs_rose": float(per_run["rose"].any().sum()) / n_runs,
                "runs_seized": float(per_run["seized"].any().sum()) / n_runs,
                "mean_effect_home_share": float(group["effect_final_home_share_home_market"].mean()),
                "mean_effect_relative_capability": float(group["effect_final_relative_capability"].mean()),
            }
        )
    return pd.DataFrame(rows)
