"""Calibrating a historical case against its dated facts (Optuna), and validating the result.

The search varies only the case's free parameters, within the bounds its file states.
Every evaluation runs the same seeds (common random numbers: differences between trials
are differences in parameters, not in luck). The study lives in persistent storage
(SQLite by default), so an interrupted calibration resumes and several workers can share
one study. Validation re-runs the calibrated scenario on seeds the search never saw.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from catchup.history import Target, fit_table, load_history, measure_run, objective, targets
from catchup.params import BY_NAME
from catchup.run import atomic_path, run_seed, simulate
from catchup.scenario import Scenario, ScenarioError, load_scenario

CASES_DIR = Path("scenarios/cases")
CALIBRATED_SUFFIX = ".calibrated.toml"
# Validation seeds come from a different root than the calibration's: the same SeedSequence
# construction, so they are independent of every seed the search used.
VALIDATION_SEED_OFFSET = 1


class CalibrationError(ScenarioError):
    """A case that cannot be calibrated or validated; the message says which file and why."""


def case_path(case: str, cases_dir: Path = CASES_DIR, calibrated: bool = False) -> Path:
    """A case name (`speech`) or a path to its file; the calibrated file if asked."""
    given = Path(case)
    if given.suffix == ".toml":
        if calibrated and not given.name.endswith(CALIBRATED_SUFFIX):
            given = given.with_name(given.name.removesuffix(".toml") + CALIBRATED_SUFFIX)
        if not given.exists():
            raise CalibrationError(f"{given}: no such file")
        return given
    path = cases_dir / (case + (CALIBRATED_SUFFIX if calibrated else ".toml"))
    if not path.exists():
        known = sorted(
            p.name.removesuffix(".toml") for p in cases_dir.glob("*.toml") if CALIBRATED_SUFFIX not in p.name
        )
        hint = "run `catchup calibrate " + case + "` first; " if calibrated else ""
        raise CalibrationError(
            f"{path}: no such file ({hint}known cases in {cases_dir}: {', '.join(known) or 'none'})"
        )
    return path


@dataclass(frozen=True)
class Case:
    """A case scenario with its targets, ready to be evaluated at any free-parameter values."""

    scenario: Scenario
    targets: tuple[Target, ...]
    history_sha256: str

    @property
    def free(self) -> dict[str, tuple[float, float]]:
        assert self.scenario.calibration is not None
        return self.scenario.calibration["free"]

    def with_values(self, values: dict[str, Any]) -> Scenario:
        params = dict(self.scenario.parameters)
        params.update(values)
        return replace(self.scenario, parameters=params)


def load_case(path: str | Path) -> Case:
    """A case file (or a calibrated file extending one) with its history targets."""
    scenario = load_scenario(path)
    if scenario.calibration is None:
        raise CalibrationError(
            f"{path}: no [calibration] table (a case needs history = <csv> and [calibration.free])"
        )
    history_path = Path(scenario.calibration["history"])
    history = load_history(history_path)
    target_list = tuple(targets(history))
    if not target_list:
        raise CalibrationError(f"{history_path}: no calibration targets (share rows or outcome events)")
    span = (scenario.start_year, scenario.end_year)
    outside = [t.name for t in target_list if not t.is_event and not span[0] <= t.year < span[1]]
    if outside:
        raise CalibrationError(
            f"{path}: targets {', '.join(outside)} in {history_path} lie outside the span "
            f"(allowed: start_year {span[0]:g} <= year < end_year {span[1]:g})"
        )
    digest = hashlib.sha256(history_path.read_bytes()).hexdigest()
    return Case(scenario, target_list, digest)


def _measure(args: tuple[Scenario, Sequence[Target], int, int]) -> list[float]:
    scenario, target_list, run_id, seed = args
    out = simulate(scenario, run_id, seed)
    return measure_run(target_list, out.trajectory, out.row)


@contextmanager
def worker_pool(jobs: int) -> Iterator[Executor | None]:
    """One process pool for the whole search (starting one per trial would cost more than a trial)."""
    if jobs <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("forkserver")) as pool:
        yield pool


def measure(
    scenario: Scenario, target_list: Sequence[Target], seeds: Sequence[int], pool: Executor | None = None
) -> np.ndarray:
    """Runs x targets values, in seed order whatever the pool does."""
    tasks = [(scenario, target_list, i, seed) for i, seed in enumerate(seeds)]
    rows = list(pool.map(_measure, tasks)) if pool is not None else [_measure(t) for t in tasks]
    return np.asarray(rows, dtype=float).reshape(len(seeds), len(target_list))


def evaluate(
    case: Case,
    values: dict[str, Any],
    seeds: Sequence[int],
    pool: Executor | None = None,
) -> pd.DataFrame:
    """The fit table of the case at these free-parameter values over these seeds."""
    scenario = case.with_values(values)
    return fit_table(case.targets, measure(scenario, case.targets, seeds, pool), scenario.end_year)


def calibration_seeds(case: Case) -> list[int]:
    cal = case.scenario.calibration or {}
    return [run_seed(cal["base_seed"], i) for i in range(cal["seeds"])]


def study_name(case: Case) -> str:
    """The study's name changes with anything that changes the objective (case file, history, seeds)."""
    cal = case.scenario.calibration or {}
    blob = json.dumps(
        {
            "scenario": case.scenario.file_hash,
            "history": case.history_sha256,
            "seeds": cal["seeds"],
            "base_seed": cal["base_seed"],
            "free": cal["free"],
        },
        sort_keys=True,
    )
    return f"{case.scenario.name}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


def default_storage(case_name: str, out_root: Path = Path("results/cases")) -> str:
    path = out_root / case_name / "calibration.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _suggest(trial: Any, name: str, bounds: tuple[float, float]) -> Any:
    low, high = bounds
    if BY_NAME[name].type is int:
        return trial.suggest_int(name, int(np.ceil(low)), int(np.floor(high)))
    return trial.suggest_float(name, low, high)


@dataclass
class CalibrationResult:
    """The best trial of a study: its values, objective and fit table, and where the study lives."""

    case: Case
    values: dict[str, Any]
    objective: float
    fit: pd.DataFrame
    trials: int
    study: str
    storage: str


def calibrate(
    case: Case,
    trials: int,
    jobs: int = 1,
    storage: str | None = None,
    on_trial: Callable[[int, int, float], None] | None = None,
) -> CalibrationResult:
    """Search the free parameters until the study holds `trials` finished trials; best one wins.

    Resuming is the same call: finished trials in the storage count, interrupted ones are
    run again. The first trial of a new study is the case file's own starting values.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cal = case.scenario.calibration or {}
    storage = storage or default_storage(case.scenario.name)
    name = study_name(case)
    study = optuna.create_study(study_name=name, storage=storage, direction="minimize", load_if_exists=True)
    # A new study's search is reproducible (seeded by base_seed). A worker joining a study that
    # already has trials (a resume, or another worker's study) draws its own seed, so that
    # workers sharing a study do not propose the same points.
    existing = len(study.trials)
    seed = cal["base_seed"]
    if existing:
        seed = int(np.random.SeedSequence([cal["base_seed"], existing, os.getpid()]).generate_state(1)[0])
    study.sampler = optuna.samplers.TPESampler(seed=seed)
    if not existing:
        study.enqueue_trial({k: case.scenario.parameters[k] for k in case.free})
    seeds = calibration_seeds(case)

    def done() -> int:
        return len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))

    with worker_pool(jobs) as pool:

        def objective_fn(trial: Any) -> float:
            values = {k: _suggest(trial, k, b) for k, b in case.free.items()}
            fit = evaluate(case, values, seeds, pool)
            trial.set_user_attr("distance", float(fit["distance"].sum()))
            return objective(fit)

        def report(study: Any, trial: Any) -> None:
            if on_trial is not None:
                on_trial(done(), trials, study.best_value)

        while done() < trials:
            study.optimize(objective_fn, n_trials=trials - done(), callbacks=[report])
        best = study.best_trial
        values = {k: best.params[k] for k in case.free}
        fit = evaluate(case, values, seeds, pool)
    return CalibrationResult(case, values, objective(fit), fit, done(), name, storage)


def write_calibrated(result: CalibrationResult, case_file: Path) -> Path:
    """Write `<case>.calibrated.toml` next to the case file (atomically): values plus provenance."""
    case = result.case
    cal = case.scenario.calibration or {}
    target = case_file.with_name(case_file.name.removesuffix(".toml") + CALIBRATED_SUFFIX)
    data = {
        "extends": case_file.name,
        "parameters": {
            k: (int(v) if BY_NAME[k].type is int else round(float(v), 6)) for k, v in result.values.items()
        },
        "calibrated": {
            "objective": round(result.objective, 6),
            "distance": round(float(result.fit["distance"].sum()), 6),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "trials": result.trials,
            "seeds": cal["seeds"],
            "base_seed": cal["base_seed"],
            "study": result.study,
            "case_sha256": case.scenario.file_hash or "",
            "history_sha256": case.history_sha256,
        },
    }
    header = (
        f"# Written by `catchup calibrate {case.scenario.name}`: the free parameters' values found by the\n"
        f"# search, over {cal['seeds']} seeds from base seed {cal['base_seed']}. Regenerate, do not edit.\n"
    )
    with atomic_path(target) as tmp:
        tmp.write_text(header + tomli_w.dumps(data))
    return target


def write_fit(fit: pd.DataFrame, path: Path) -> Path:
    """The fit table as CSV (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        fit.to_csv(tmp, index=False)
    return path


def validation_seeds(
    case: Case, seeds: int | None = None, base_seed: int | None = None
) -> tuple[int, list[int]]:
    """Fresh seeds: a different SeedSequence root than the calibration's, unless one is given."""
    cal = case.scenario.calibration or {}
    root = cal["base_seed"] + VALIDATION_SEED_OFFSET if base_seed is None else base_seed
    n = cal["seeds"] if seeds is None else seeds
    return root, [run_seed(root, i) for i in range(n)]


def stale_reason(case: Case, case_file: Path) -> str | None:
    """Why a calibrated file no longer matches its case file or history, if it does not."""
    info = case.scenario.calibrated or {}
    base = load_case(case_file)
    if info.get("history_sha256") != base.history_sha256:
        return "the history file changed since calibration"
    if info.get("case_sha256") != base.scenario.file_hash:
        return f"{case_file} changed since calibration"
    return None


def validate(
    case: Case, seeds: int | None = None, base_seed: int | None = None, jobs: int = 1
) -> dict[str, Any]:
    """The calibrated case on fresh seeds: fit table, and whether every target is inside its range."""
    root, run_seeds = validation_seeds(case, seeds, base_seed)
    with worker_pool(jobs) as pool:
        fit = fit_table(
            case.targets, measure(case.scenario, case.targets, run_seeds, pool), case.scenario.end_year
        )
    return {
        "case": case.scenario.name,
        "base_seed": root,
        "seeds": len(run_seeds),
        "all_inside": bool(fit["inside"].all()),
        "distance": float(fit["distance"].sum()),
        "fit": fit,
    }


def fit_records(fit: pd.DataFrame) -> list[dict[str, Any]]:
    """The fit table as JSON-ready rows (NaN as null)."""
    return json.loads(fit.to_json(orient="records"))


__all__ = [
    "CalibrationError",
    "Case",
    "calibrate",
    "case_path",
    "evaluate",
    "load_case",
    "validate",
    "write_calibrated",
    "write_fit",
]
