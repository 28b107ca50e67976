"""Replicating a calibrated case on fresh seeds: a result folder of kind "case" with its fit.

Replication runs a calibrated case on the validation seeds (never the calibration's) and
writes the usual run tables plus the fit table (`fit.csv`), so a reader can see at once
which facts the case reproduces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from catchup.config.case import load_case
from catchup.experiments.calibration import validation_seeds
from catchup.experiments.executors import Executor
from catchup.experiments.fit import fit_table, measure_tables
from catchup.experiments.runs import run
from catchup.results.folder import ResultFolder


def replicate(
    case_file: Path,
    out_root: Path,
    seeds: int | None = None,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ResultFolder:
    """Run one calibrated case on fresh seeds (as many as its calibration used unless given);
    write its folder under out_root/<case>/."""
    case = load_case(case_file)
    root, fresh = validation_seeds(case, seeds)
    seeds = len(fresh)
    scenario = replace(case.scenario, base_seed=root, seeds=seeds)
    result = run(scenario, jobs=jobs, executor=executor, on_progress=on_progress)
    every = case.all_targets
    fit = fit_table(every, measure_tables(every, result.runs, result.trajectories), scenario.end_year)
    calibration, validation = fit[fit["use"] == "calibrate"], fit[fit["use"] == "validate"]
    details = {
        "base_seed": root,
        "targets": len(calibration),
        "targets_inside": int(calibration["inside"].sum()),
        "distance": float(calibration["distance"].sum()),
        "validation_facts": len(validation),
        "validation_inside": int(validation["inside"].sum()),
    }
    tables = {"fit": fit}
    recorded = (case.scenario.calibrated or {}).get("identification") or []
    if recorded:  # what the calibration measured on its own seeds, beside the fresh runs
        tables["identification"] = pd.DataFrame(recorded)
    case_result = replace(result, kind="case", extra_tables=tables, details=details)
    return case_result.save(out_root / scenario.name, overwrite=overwrite)
