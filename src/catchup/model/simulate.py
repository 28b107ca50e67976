"""The one simulation kernel: set up the model, run it, read windows and outcomes off it.

Runs, sweeps, calibration and attribution all call `simulate`, in this process or in a
worker, so a run's numbers depend on (setup, seed) only and never on where it ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from catchup.model.cohorts import BuyerClass, Cohort, Country
from catchup.model.events import DatedEvent
from catchup.model.model import CatchUpModel
from catchup.model.outcomes import RunOutput, cohort_outcomes, invalidated, numeric_problem, run_outcomes
from catchup.model.windows import WINDOW_TYPES, detect_windows


class Setup(Protocol):
    """What the model needs to run: a resolved scenario satisfies it."""

    parameters: Mapping[str, Any]
    start_year: float
    end_year: float
    steps_per_year: int
    events: Sequence[DatedEvent]
    cohorts: Sequence[Cohort]
    countries: Sequence[Country]
    buyers: Sequence[BuyerClass]


def simulate(setup: Setup, run_id: int, seed: int, record_cohorts: bool | None = None) -> RunOutput:
    """Run the model once and summarise it; pure given (setup, seed). `record_cohorts`: keep
    per-cohort columns even for a scenario that declares no population (docking)."""
    model = CatchUpModel(
        dict(setup.parameters),
        rng=seed,
        start_year=setup.start_year,
        end_year=setup.end_year,
        steps_per_year=setup.steps_per_year,
        events=setup.events,
        cohorts=tuple(setup.cohorts),
        countries=tuple(setup.countries),
        buyers=tuple(setup.buyers),
        record_cohorts=record_cohorts,
    )
    model.run()
    traj = {k: np.asarray(v, dtype=float) for k, v in model.trajectory.items()}
    cohort_traj = {k: np.asarray(v, dtype=float) for k, v in model.cohort_trajectory.items()}
    windows, signals = detect_windows(traj, setup.steps_per_year)
    for kind in WINDOW_TYPES:
        traj[f"window_{kind}"] = signals[kind]
    row: dict[str, Any] = {"run_id": run_id, "seed": seed}
    row.update(
        run_outcomes(
            traj,
            windows,
            catch_up_threshold=model.p.catch_up_threshold,
            mission_target=model.p.mission_target,
        )
    )
    row.update(model.government.spending_outcomes())
    row["entrants"] = model.entrants
    row["foreign_entrants"] = model.foreign_entrants
    if model.records_cohorts:
        row.update(cohort_outcomes(cohort_traj, model.cohort_names, setup.steps_per_year))
        traj.update(cohort_traj)
    problem = numeric_problem(traj)
    row = invalidated(row, problem) if problem else {**row, "valid": True, "problem": ""}
    win_rows = [
        {
            "run_id": run_id,
            "seed": seed,
            "type": w.type,
            "open_year": w.open_year,
            "close_year": w.close_year,
            "rose": w.rose,
            "still_open": w.still_open,
        }
        for w in windows
    ]
    return RunOutput(row, traj, win_rows)
