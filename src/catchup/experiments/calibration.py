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
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from filelock import FileLock

from catchup.config.case import Case
from catchup.errors import CalibrationError
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.fit import evaluate, objective
from catchup.experiments.runs import run_seed
from catchup.model.parameters import BY_NAME

RESULTS = Path("results/calibration")  # studies and fit tables: never inside a result folder
# Validation seeds come from a different root than the calibration's: the same SeedSequence
# construction, so they are independent of every seed the search used.
VALIDATION_SEED_OFFSET = 1
# Part of every study's name: a study searched under an older objective is not resumed.
OBJECTIVE_VERSION = "robust-median-3"


def calibration_seeds(case: Case) -> list[int]:
    cal = case.calibration
    return [run_seed(cal["base_seed"], i) for i in range(cal["seeds"])]


def validation_seeds(
    case: Case, seeds: int | None = None, base_seed: int | None = None
) -> tuple[int, list[int]]:
    """Fresh seeds: a different SeedSequence root than the calibration's, unless one is given."""
    cal = case.calibration
    root = cal["base_seed"] + VALIDATION_SEED_OFFSET if base_seed is None else base_seed
    n = cal["seeds"] if seeds is None else seeds
    return root, [run_seed(root, i) for i in range(n)]


def study_name(case: Case) -> str:
    """The study's name changes with anything that changes the objective (case file, history, seeds)."""
    cal = case.calibration
    blob = json.dumps(
        {
            "scenario": case.scenario.file_hash,
            "history": case.history_sha256,
            "seeds": cal["seeds"],
            "base_seed": cal["base_seed"],
            "free": cal["free"],
            "prior": cal.get("prior", {}),
            "targets": [t.name for t in case.targets],
            "objective": OBJECTIVE_VERSION,
        },
        sort_keys=True,
    )
    return f"{case.scenario.name}-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


def default_storage(case_name: str, out_root: Path = RESULTS, file: str = "calibration.db") -> str:
    path = out_root / case_name / file
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CalibrationError(f"{path.parent}: cannot hold the study ({exc.strerror or exc})") from None
    return f"sqlite:///{path}"


def check_storage(storage: str) -> None:
    """Refuse a storage URL that SQLAlchemy cannot use, before any work, with the URL named."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        make_url(storage).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise CalibrationError(
            f"--storage {storage}: not a database URL SQLAlchemy knows ({exc}) "
            "(allowed: sqlite:///FILE, postgresql://..., mysql://...)"
        ) from None
    except ImportError as exc:
        raise _no_driver(storage, exc) from None


def _no_driver(storage: str, exc: ImportError) -> CalibrationError:
    return CalibrationError(
        f"--storage {storage}: {exc} (install the database's SQLAlchemy driver, or use sqlite:///FILE)"
    )


def open_study(
    name: str, storage: str, attempts: int = 5, directions: tuple[str, ...] = ("minimize",)
) -> optuna.Study:
    """Create or load a study; safe when several workers start on a fresh database at once.

    Workers creating the same SQLite schema at the same moment collide ("table studies already
    exists"): a file lock beside a SQLite database serialises the creation, and for any
    database a collision is retried, the study then being loaded as the other worker made it.
    """
    check_storage(storage)
    db = storage.removeprefix("sqlite:///") if storage.startswith("sqlite:///") else None
    for attempt in range(attempts):
        try:
            return _create_study(name, storage, db, directions)
        except ImportError as exc:  # the database's driver is imported only when connecting
            raise _no_driver(storage, exc) from None
        except OSError as exc:
            raise CalibrationError(
                f"--storage {storage}: cannot hold the study ({exc.strerror or exc})"
            ) from None
        except Exception as exc:  # SQLAlchemy's and Optuna's errors have no common base
            if attempt == attempts - 1 or type(exc).__module__.split(".")[0] not in ("optuna", "sqlalchemy"):
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _create_study(name: str, storage: str, db: str | None, directions: tuple[str, ...]) -> optuna.Study:
    """Create or load the study; beside a SQLite file, under a lock (one schema creation)."""
    if db is None:
        return optuna.create_study(
            study_name=name, storage=storage, directions=list(directions), load_if_exists=True
        )
    with FileLock(f"{db}.lock", timeout=120):
        return optuna.create_study(
            study_name=name, storage=storage, directions=list(directions), load_if_exists=True
        )


def _suggest(trial: optuna.Trial, name: str, bounds: tuple[float, float]) -> Any:
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
    identification: pd.DataFrame

    def search(self) -> dict[str, Any]:
        """What a calibrated file records about the search."""
        return {
            "objective": self.objective,
            "distance": float(self.fit["distance"].sum()),
            "trials": self.trials,
            "study": self.study,
            "identification": [
                {k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()}
                for row in self.identification.to_dict("records")
            ],
        }

    def near_bounds(self) -> list[str]:
        """Free parameters that ended within 5% of a bound: the bound, not the facts, may hold them."""
        return near_bounds(self.values, self.case.free)


# A free value closer than this share of its range to a bound is reported as at the bound.
BOUND_MARGIN = 0.05
# The identification table moves each free parameter by this share of its value.
IDENTIFICATION_STEP = 0.2


def near_bounds(values: dict[str, Any], free: dict[str, tuple[float, float]]) -> list[str]:
    """Names of the values within BOUND_MARGIN of their range's width from a bound."""
    out = []
    for name, (low, high) in free.items():
        margin = BOUND_MARGIN * (high - low)
        if name in values and (values[name] <= low + margin or values[name] >= high - margin):
            out.append(name)
    return out


def identification_step(
    value: float, sign: int, low: float, high: float, integer: bool
) -> tuple[float, bool]:
    """The value 20% away (20% of the bounds' width from 0, at least 1 for an integer, so that
    the step is never zero), clipped to the bounds; and whether it was clipped."""
    step = IDENTIFICATION_STEP * (abs(value) if value != 0 else high - low)
    if integer:
        step = max(1, round(step))
    wanted = value + sign * step
    moved = min(max(wanted, low), high)
    return (round(moved) if integer else moved), moved != wanted


def identification(
    case: Case,
    values: dict[str, Any],
    seeds: list[int],
    *,
    executor: Executor | None = None,
    best: float | None = None,
) -> pd.DataFrame:
    """How much the objective rises when each free parameter moves 20% down and up from the
    calibrated values, the others held (clipped to the bounds, and said so; see
    `identification_step` for a value of 0 and for integers). A parameter whose
    rise is about zero both ways is not identified by the facts: fix it at a sourced value.
    `best` is the objective at `values` on these seeds, when the caller has it already."""
    prior = case.prior
    if best is None:
        best = objective(evaluate(case, values, seeds, executor=executor), values, prior)
    rows = []
    for name, (low, high) in case.free.items():
        row: dict[str, Any] = {"parameter": name, "value": float(values[name]), "low": low, "high": high}
        clipped = False
        for side, sign in (("minus", -1), ("plus", 1)):
            moved, clip = identification_step(values[name], sign, low, high, BY_NAME[name].type is int)
            clipped = clipped or clip
            trial = {**values, name: moved}
            rise = objective(evaluate(case, trial, seeds, executor=executor), trial, prior) - best
            row[f"value_{side}"] = float(moved)
            row[f"rise_{side}"] = float(rise)
        row["clipped"] = clipped
        row["at_bound"] = name in near_bounds(values, case.free)
        row["prior"] = name in prior
        rows.append(row)
    return pd.DataFrame(rows)


def calibrate(
    case: Case,
    trials: int,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    storage: str | None = None,
    on_trial: Callable[[int, int, float], None] | None = None,
) -> CalibrationResult:
    """Search the free parameters until the study holds `trials` finished trials; best one wins.

    Resuming is the same call: finished trials in the storage count, interrupted ones are
    run again. The first trial of a new study is the case file's own starting values.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cal = case.calibration
    storage = storage or default_storage(case.scenario.name)
    name = study_name(case)
    study = open_study(name, storage)
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

    with borrowed(executor, jobs) as ex:

        def objective_fn(trial: optuna.Trial) -> float:
            values = {k: _suggest(trial, k, b) for k, b in case.free.items()}
            fit = evaluate(case, values, seeds, executor=ex)
            trial.set_user_attr("distance", float(fit["distance"].sum()))
            return objective(fit, values, case.prior)

        def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
            if on_trial is not None:
                on_trial(done(), trials, study.best_value)

        # Other processes may share the study: stop as soon as it holds `trials` finished trials,
        # whoever finished them (a process counting only its own would overshoot).
        enough = optuna.study.MaxTrialsCallback(trials, states=(optuna.trial.TrialState.COMPLETE,))
        while done() < trials:
            study.optimize(objective_fn, n_trials=trials - done(), callbacks=[report, enough])
        best = study.best_trial
        values = {k: best.params[k] for k in case.free}
        fit = evaluate(case, values, seeds, executor=ex)
        reached = objective(fit, values, case.prior)
        table = identification(case, values, seeds, executor=ex, best=reached)
    return CalibrationResult(case, values, reached, fit, done(), name, storage, table)


def validate(
    case: Case,
    seeds: int | None = None,
    base_seed: int | None = None,
    *,
    roots: int = 1,
    jobs: int = 1,
    executor: Executor | None = None,
) -> dict[str, Any]:
    """The calibrated case on fresh seeds from `roots` seed roots (base_seed, base_seed + 1, ...):
    one fit table per root over calibration and validation targets (column `use`).

    The case fits only when every calibration target is inside its range on every root; the
    validation facts, never seen by the search, are reported as the share inside."""
    first, _ = validation_seeds(case, seeds, base_seed)
    used = case.calibration["base_seed"]
    if first <= used < first + roots:
        raise CalibrationError(
            f"seed roots {first}-{first + roots - 1} include {used}, the root the calibration searched "
            f"on: its seeds are not fresh (choose --base-seed above {used} or below {used - roots + 1})"
        )
    reports = []
    with borrowed(executor, jobs) as ex:
        for r in range(roots):
            root, run_seeds = validation_seeds(case, seeds, first + r)
            fit = evaluate(case, {}, run_seeds, executor=ex, target_list=case.all_targets)
            fit.insert(0, "root", root)
            reports.append(fit)
    fit = pd.concat(reports, ignore_index=True)
    calibration = fit[fit["use"] == "calibrate"]
    validation = fit[fit["use"] == "validate"]
    return {
        "case": case.scenario.name,
        "base_seed": first,
        "roots": roots,
        "seeds": len(validation_seeds(case, seeds, first)[1]),
        "all_inside": bool(calibration["inside"].all()),
        "distance": float(calibration["distance"].sum() / roots),  # per root, averaged
        "validation_inside": float(validation["inside"].mean()) if len(validation) else float("nan"),
        "validation_facts": len(case.validation),
        "fit": fit,
    }
