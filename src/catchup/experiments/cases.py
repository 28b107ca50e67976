"""Replicating a calibrated case on fresh seeds: a result folder of kind "case" with its fit.

Replication runs a calibrated case on the validation seeds (never the calibration's) and
writes the usual run tables plus the fit table (`fit.csv`), so a reader can see at once
which facts the case reproduces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from catchup.config.case import load_case
from catchup.experiments.calibration import validation_seeds
from catchup.experiments.executors import Executor
from catchup.experiments.fit import fit_table, measure_tables
from catchup.experiments.runs import run
from catchup.results.folder import ResultFolder


def replicate(
    case_file: Path,
    out_root: Path,
    seeds: int,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    overwrite: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ResultFolder:
    """Run one calibrated case on fresh seeds; write its folder under out_root/<case>/."""
    case = load_case(case_file)
    root, _ = validation_seeds(case, seeds)
    scenario = replace(case.scenario, base_seed=root, seeds=seeds)
    result = run(scenario, jobs=jobs, executor=executor, on_progress=on_progress)
    fit = fit_table(
        case.targets, measure_tables(case.targets, result.runs, result.trajectories), scenario.end_year
    )
    details = {
        "base_seed": root,
        "targets": len(fit),
        "targets_inside": int(fit["inside"].sum()),
        "distance": float(fit["distance"].sum()),
    }
    case_result = replace(result, kind="case", extra_tables={"fit": fit}, details=details)
    return case_result.save(out_root / scenario.name, overwrite=overwrite)
