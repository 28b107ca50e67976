"""Policy design: a multi-objective search over policy levers (Optuna's NSGA-II), each candidate
judged on the same seeds (and the same sample of uncertain parameters), its Pareto front, and
the scenario file of a chosen point with a check on fresh seeds.

The study lives in persistent storage as a calibration's does (SQLite beside the result folder
by default), so an interrupted search resumes where it stopped; a candidate's objective values
depend on (problem, lever values) only, never on workers or order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from catchup.config.policy import PolicyProblem, policy_scenario
from catchup.config.scenario import Scenario
from catchup.errors import CalibrationError, ScenarioError
from catchup.experiments.calibration import check_storage, open_study
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.runs import run_seed
from catchup.model.parameters import BY_NAME
from catchup.model.simulate import simulate
from catchup.results.folder import InMemoryResults
from catchup.results.manifest import Manifest, now, versions

RESULTS = Path("results/policy")
# Part of every study's name: a study searched under older objective definitions is not resumed.
VERSION = "policy-2"
CONFIDENCE = 0.95
# What a candidate's runs report back (the rest of a run's row and trajectory stays in the worker).
RUN_COLUMNS = (
    "catch_up_year",
    "leadership_year",
    "final_home_share_home_market",
    "government_spending",
    "valid",
)
TABLES = {"policy_trials": "csv", "pareto_front": "csv"}


def storage_for(folder: Path, storage: str | None = None) -> str:
    """The study's storage: as given (it must keep the study: no in-memory database), or a SQLite
    file beside the result folder (a result folder holds nothing but its own files)."""
    if storage is not None:
        check_storage(storage)
        if storage.split("?")[0].rstrip("/") in ("sqlite:", "sqlite://", ""):
            raise CalibrationError(
                f"--storage {storage!r}: keeps nothing (an in-memory database): a search could not resume "
                "(give sqlite:///FILE, or leave --storage out)"
            )
        return storage
    folder = Path(folder).resolve()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CalibrationError(f"{folder.parent}: cannot hold the study ({exc.strerror or exc})") from None
    return f"sqlite:///{folder.parent / folder.name}.db"


def uncertain_sample(problem: PolicyProblem) -> list[dict[str, float]]:
    """The robustness sample: a Latin hypercube of the uncertain parameters, seeded by the
    problem's base seed (one empty point when there is none). Every candidate meets the same."""
    if not problem.uncertain:
        return [{}]
    names = list(problem.uncertain)
    unit = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(problem.base_seed)).random(
        problem.samples
    )
    low = np.array([problem.uncertain[n][0] for n in names])
    high = np.array([problem.uncertain[n][1] for n in names])
    points = qmc.scale(unit, low, high)
    return [
        {
            n: (round(float(v)) if BY_NAME[n].type is int else float(v))
            for n, v in zip(names, row, strict=True)
        }
        for row in points
    ]


def run_seeds(problem: PolicyProblem, base_seed: int | None = None) -> list[int]:
    """One seed per run: seeds x samples runs, from the problem's root (common random numbers)."""
    root = problem.base_seed if base_seed is None else base_seed
    return [run_seed(root, i) for i in range(problem.runs_per_candidate)]


def outcome_task(task: tuple[Scenario, int, int]) -> dict[str, Any]:
    """One run, as a task for an executor: only the outcomes the objectives read come back."""
    scenario, run_id, seed = task
    row = simulate(scenario, run_id, seed).row
    return {"run_id": run_id, **{c: row[c] for c in RUN_COLUMNS}}


def candidate_runs(
    scenarios: Sequence[Scenario], seeds: Sequence[int], executor: Executor, per_scenario: int
) -> pd.DataFrame:
    """The outcome rows of every run of a candidate, in run order: run i uses scenario
    i // per_scenario (its robustness sample point) and seed i."""
    tasks = [(scenarios[i // per_scenario], i, seed) for i, seed in enumerate(seeds)]
    rows = executor.map(outcome_task, tasks)
    return pd.DataFrame(rows).sort_values("run_id", ignore_index=True)


def _share(hits: np.ndarray) -> tuple[float, float, float]:
    k, n = int(hits.sum()), len(hits)
    ci = stats.binomtest(k, n).proportion_ci(CONFIDENCE, method="wilson")
    return k / n, float(ci.low), float(ci.high)


def _median(values: np.ndarray) -> tuple[float, float, float]:
    m = float(np.median(values))
    if np.all(values == values[0]):
        return m, m, m
    ci = stats.quantile_test(values, q=m, p=0.5).confidence_interval(CONFIDENCE)
    if not (np.isfinite(ci.low) and np.isfinite(ci.high)):  # too few runs for 95%: their whole range
        return m, float(values.min()), float(values.max())
    return m, float(ci.low), float(ci.high)


def _mean(values: np.ndarray) -> tuple[float, float, float]:
    m = float(np.mean(values))
    if len(values) < 2 or np.allclose(values, values[0], rtol=1e-9, atol=0.0):
        return m, m, m  # (nearly) no spread: no interval to draw, and scipy would warn
    ci = stats.ttest_1samp(values, 0.0).confidence_interval(CONFIDENCE)
    return m, float(ci.low), float(ci.high)


def objective_values(
    runs: pd.DataFrame, objectives: Sequence[str], end_year: float
) -> dict[str, tuple[float, float, float]]:
    """Each objective over a candidate's runs, with its 95% interval: (value, low, high).

    Shares: Wilson intervals. Median years: a run without the event counts at `end_year`
    (censored: the median says "not before the end" when most runs never get there), interval
    from the binomial order statistics (the runs' whole range when they are too few for 95%,
    under six). Means: t intervals. A run whose numbers left the valid range counts as no
    catch-up and no leadership, and is left out of the means."""
    valid = runs["valid"].to_numpy(dtype=bool)
    out: dict[str, tuple[float, float, float]] = {}
    for name in objectives:
        if name in ("p_catch_up", "p_leadership"):
            column = "catch_up_year" if name == "p_catch_up" else "leadership_year"
            out[name] = _share(valid & np.isfinite(runs[column].to_numpy(dtype=float)))
        elif name in ("catch_up_year", "leadership_year"):
            years = runs[name].to_numpy(dtype=float)
            out[name] = _median(np.where(valid & np.isfinite(years), years, end_year))
        else:
            column = "final_home_share_home_market" if name == "home_share" else name
            values = runs[column].to_numpy(dtype=float)[valid]
            mean, low, high = _mean(values) if len(values) else (math.nan, math.nan, math.nan)
            if name == "home_share":  # a share's interval stays a share
                low, high = max(low, 0.0), min(high, 1.0)
            out[name] = (mean, low, high)
    return out


@dataclass
class Candidate:
    """One candidate's lever values, objective values with intervals, and invalid runs."""

    values: dict[str, float]
    objectives: dict[str, tuple[float, float, float]]
    invalid_runs: int


def evaluate(
    problem: PolicyProblem,
    values: dict[str, float],
    *,
    executor: Executor | None = None,
    jobs: int = 1,
    base_seed: int | None = None,
) -> Candidate:
    """Run a candidate on every seed of every robustness sample point and measure it."""
    scenarios = [policy_scenario(problem, values, point) for point in uncertain_sample(problem)]
    with borrowed(executor, jobs) as ex:
        runs = candidate_runs(scenarios, run_seeds(problem, base_seed), ex, problem.seeds)
    end = problem.scenario.end_year
    return Candidate(values, objective_values(runs, problem.objectives, end), int((~runs["valid"]).sum()))


def _suggest(trial: optuna.Trial, lever: str, bounds: tuple[float, float]) -> float:
    return trial.suggest_float(lever, float(bounds[0]), float(bounds[1]))


@dataclass
class PolicyResult(InMemoryResults):
    """A finished search: every trial, the Pareto front, and where the study lives."""

    problem: PolicyProblem
    trials: pd.DataFrame
    front: pd.DataFrame
    study: str
    storage: str
    started: str
    finished: str
    workers: int = 1
    resumed: list[str] = field(default_factory=list)
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def manifest(self) -> Manifest:
        p = self.problem
        return Manifest(
            kind="policy",
            name=p.name,
            description=p.description,
            scenario=p.scenario.to_dict(),
            seeds=run_seeds(p),
            n_runs=len(self.trials) * p.runs_per_candidate,
            workers=self.workers,
            started=self.started,
            finished=self.finished,
            resumed=self.resumed,
            versions=versions(),
            tables=dict(TABLES),  # type: ignore[arg-type]
            details={**p.to_dict(), "study": self.study, "storage": self.storage, "data": p.data},
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"policy_trials": self.trials, "pareto_front": self.front, **self.extra_tables}


def trials_table(study: optuna.Study, problem: PolicyProblem) -> pd.DataFrame:
    """One row per finished trial: lever values, each objective with its interval, and whether
    it is on the Pareto front (Optuna's non-dominated trials)."""
    front = {t.number for t in study.best_trials}
    rows = []
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        row: dict[str, Any] = {"trial": t.number, **{k: t.params[k] for k in problem.levers}}
        for name, value in zip(problem.objectives, t.values, strict=True):
            low, high = t.user_attrs["intervals"][name]
            row |= {name: value, f"{name}_low": low, f"{name}_high": high}
        row["invalid_runs"] = t.user_attrs.get("invalid_runs", 0)
        row["pareto"] = t.number in front
        rows.append(row)
    return pd.DataFrame(rows)


def search(
    problem: PolicyProblem,
    trials: int | None = None,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    storage: str | None = None,
    on_trial: Callable[[int, int, int], None] | None = None,
) -> PolicyResult:
    """Search until the study holds `trials` finished trials (default: the problem's); resuming
    is the same call, and gives the same candidates as an uninterrupted search. The first
    candidate is every lever at its lower bound (no policy, or the least of it): the front always
    has its cheapest end. `storage`: default a SQLite file beside results/policy/<name>."""
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # an interrupted trial is said once, by the caller
    wanted = trials or problem.trials
    storage = storage_for(RESULTS / problem.name, storage)
    name = problem.study_name(VERSION)
    study = open_study(name, storage, directions=tuple(problem.directions))
    complete = (optuna.trial.TrialState.COMPLETE,)

    def done() -> int:
        return len(study.get_trials(deepcopy=False, states=complete))

    if not done() and not study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.WAITING,)):
        study.enqueue_trial({k: b[0] for k, b in problem.levers.items()})
    first = study.get_trials(deepcopy=False, states=complete)
    started = first[0].datetime_start.isoformat(timespec="seconds") if first else now()
    resumed = [now()] if first else []

    def next_sampler() -> optuna.samplers.BaseSampler:
        """A sampler seeded by the base seed and the number of finished trials: the k-th
        candidate is the same whether the search ran in one go or was interrupted and resumed."""
        seed = int(np.random.SeedSequence([problem.base_seed, done()]).generate_state(1)[0])
        return optuna.samplers.NSGAIISampler(population_size=problem.population, seed=seed)

    with borrowed(executor, jobs) as ex:

        def objective_fn(trial: optuna.Trial) -> tuple[float, ...]:
            values = {k: _suggest(trial, k, b) for k, b in problem.levers.items()}
            candidate = evaluate(problem, values, executor=ex)
            trial.set_user_attr("intervals", {k: [v[1], v[2]] for k, v in candidate.objectives.items()})
            trial.set_user_attr("invalid_runs", candidate.invalid_runs)
            return tuple(candidate.objectives[k][0] for k in problem.objectives)

        def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
            if on_trial is not None:
                on_trial(done(), wanted, len(study.best_trials))

        failures = 0
        while done() < wanted:
            before = done()
            study.sampler = next_sampler()
            study.optimize(objective_fn, n_trials=1, callbacks=[report])
            failures += done() == before
            if failures > wanted:  # every candidate's runs invalid: nothing to measure
                raise ScenarioError(
                    f"{problem.source}: {failures} candidates gave no valid run (numbers out of range): "
                    "shorten the span or narrow the levers"
                )
        workers = ex.workers
    table = trials_table(study, problem)
    front = table[table["pareto"]].reset_index(drop=True)
    return PolicyResult(problem, table, front, name, storage, started, now(), workers, resumed=resumed)
