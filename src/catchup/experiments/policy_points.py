"""A point of a policy search's Pareto front: choosing it by requirements, writing the scenario
file that reproduces it, and re-running that file on fresh seeds against the search's intervals."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from catchup.config.levers import OBJECTIVES
from catchup.config.policy import PolicyProblem, policy_data, problem_from_details
from catchup.config.scenario import load_scenario, with_overrides
from catchup.errors import ResultsError, ScenarioError
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.policy import candidate_runs, evaluate, objective_values, run_seeds, uncertain_sample
from catchup.files import write_text
from catchup.results.folder import Results
from catchup.results.transaction import MANIFEST

# Fresh seeds never the search's: a second root confirms a chosen point's requirements, a third
# checks its scenario file, with CHECK_SEED_FACTOR times the search's seeds (so the fresh value is
# close to what the search's interval should cover).
CONFIRM_SEED_OFFSET = 1
CHECK_SEED_OFFSET = 2
CHECK_SEED_FACTOR = 4


COMPARISONS = {">=": operator.ge, "<=": operator.le}


def parse_requirement(text: str) -> tuple[str, str, float]:
    """`p_catch_up>=0.8` -> ("p_catch_up", ">=", 0.8); the objective's name is checked by the caller."""
    for symbol in COMPARISONS:
        name, sep, value = text.partition(symbol)
        if sep:
            try:
                number = float(value)
            except ValueError:
                break
            if math.isfinite(number):
                return name.strip(), symbol, number
            break
    raise ScenarioError(f"--require {text!r}: write OBJECTIVE>=X or OBJECTIVE<=X (e.g. p_catch_up>=0.8)")


def ranked(
    front: pd.DataFrame, objectives: Sequence[str], require: Sequence[tuple[str, str, float]], prefer: str
) -> pd.DataFrame:
    """The front points that meet every requirement, best on `prefer` first."""
    unknown = [name for name, _, _ in require if name not in objectives] + (
        [prefer] if prefer not in objectives else []
    )
    if unknown:
        raise ScenarioError(
            f"objective(s) {', '.join(map(repr, unknown))} not searched here "
            f"(this search's: {', '.join(objectives)})"
        )
    mask = np.ones(len(front), dtype=bool)
    for name, symbol, value in require:
        mask &= COMPARISONS[symbol](front[name].to_numpy(dtype=float), value)
    return front[mask].sort_values(prefer, ascending=OBJECTIVES[prefer] == "minimize", kind="stable")


def choose(
    front: pd.DataFrame, objectives: Sequence[str], require: Sequence[tuple[str, str, float]], prefer: str
) -> pd.Series | None:
    """The front point that meets every requirement with the best value of `prefer` (None if
    no point meets them)."""
    meeting = ranked(front, objectives, require, prefer)
    return None if meeting.empty else meeting.iloc[0]


def confirmed(
    problem: PolicyProblem,
    front: pd.DataFrame,
    require: Sequence[tuple[str, str, float]],
    prefer: str,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
) -> tuple[pd.Series | None, int]:
    """The best point on `prefer` that meets the requirements on the search's seeds and again on
    a second, fresh set (root base_seed + CONFIRM_SEED_OFFSET), and how many were tried.

    Why: the best of many candidates that pass a threshold on the same seeds is the one those
    seeds favoured most (the winner's curse); asking it to pass again on seeds the search never
    saw keeps a lucky point out. The point's final check uses a third set (`check_point`)."""
    meeting = ranked(front, list(problem.objectives), require, prefer)
    with borrowed(executor, jobs) as ex:
        for tried, (_, point) in enumerate(meeting.iterrows(), start=1):
            values = {k: float(point[k]) for k in problem.levers}
            fresh = evaluate(problem, values, executor=ex, base_seed=problem.base_seed + CONFIRM_SEED_OFFSET)
            if all(COMPARISONS[symbol](fresh.objectives[name][0], value) for name, symbol, value in require):
                return point, tried
    return None, len(meeting)


def problem_of(results: Results) -> PolicyProblem:
    """The policy problem a policy result was searched on, from its manifest (checked)."""
    m = results.manifest
    where = f"{results.location or 'the result'}"
    if m.kind != "policy":
        raise ScenarioError(
            f"{where}: a {m.kind} result, not a policy search's (make one with `catchup policy`)"
        )
    manifest = where if results.location is None else str(results.location / MANIFEST)
    return problem_from_details(m.details, m.name, m.description, manifest)


def policy_table(results: Results, name: str, problem: PolicyProblem) -> pd.DataFrame:
    """A policy result's table (`policy_trials` or `pareto_front`) with the columns the problem
    needs, all numbers: a damaged table is a clear error naming it, never a traceback later."""
    columns = ["trial", *problem.levers]
    for objective in problem.objectives:
        columns += [objective, f"{objective}_low", f"{objective}_high"]
    table = results.table(name, columns=[*columns, "pareto"])
    try:
        numbers = table[columns].apply(pd.to_numeric, errors="raise").astype(float)
    except (ValueError, TypeError) as exc:
        raise ResultsError(
            f"{results.location or 'the result'}: table {name}: not all numbers ({exc})"
        ) from None
    if numbers["trial"].isna().any() or (numbers["trial"] % 1 != 0).any():
        raise ResultsError(
            f"{results.location or 'the result'}: table {name}: trial numbers missing or not whole"
        )
    return numbers.assign(pareto=table["pareto"].astype(str).str.lower().isin(("true", "1")))


def point_file(problem: PolicyProblem, point: pd.Series, path: Path, study: str) -> Path:
    """Write the scenario of a front point (a whole scenario, nothing extended), atomically:
    `catchup run` on it repeats the search's runs on their seeds (with uncertain parameters at
    the scenario's own values: the sample is not a scenario)."""
    values = {k: float(point[k]) for k in problem.levers}
    data = policy_data(problem, values)
    data.pop("extends", None)
    trial = int(point["trial"])
    data |= {
        "name": f"{problem.name}_trial{trial}",
        "description": f"{problem.description}: the policy of trial {trial} of study {study}.",
        "seeds": problem.seeds,
        "base_seed": problem.base_seed,
    }
    lines = [f"# Written by `catchup policy-point`: trial {trial} of policy study {study}.", "# Levers:"]
    lines += [f"#   {k} = {v:.6g}" for k, v in values.items()]
    lines.append(f"# Objectives on the search's {problem.runs_per_candidate} runs (95% interval):")
    lines += [
        f"#   {k} = {point[k]:.4g} [{point[f'{k}_low']:.4g}, {point[f'{k}_high']:.4g}]"
        for k in problem.objectives
    ]
    if problem.uncertain:
        lines.append(
            "# The search also varied " + ", ".join(problem.uncertain) + "; this file holds their own values."
        )
    return write_text("\n".join(lines) + "\n" + tomli_w.dumps(_plain(data)), path)


def _plain(value: Any) -> Any:
    """TOML-writable data: no None (TOML has no null), tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def check_point(
    problem: PolicyProblem,
    point: pd.Series,
    path: Path,
    *,
    seeds: int | None = None,
    base_seed: int | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """The written scenario file re-run on fresh seeds (by default CHECK_SEED_FACTOR times the
    search's, on each robustness sample point): each objective's fresh value against the
    search's value and interval, which should cover it."""
    scenario = load_scenario(path)
    sample = uncertain_sample(problem)
    scenarios = [
        with_overrides(scenario, point_values) if point_values else scenario for point_values in sample
    ]
    fresh = replace(problem, seeds=seeds or CHECK_SEED_FACTOR * problem.seeds)
    root = problem.base_seed + CHECK_SEED_OFFSET if base_seed is None else base_seed
    with borrowed(executor, jobs) as ex:
        runs = candidate_runs(scenarios, run_seeds(fresh, root), ex, fresh.seeds)
    measured = objective_values(runs, problem.objectives, scenario.end_year)
    rows = []
    for name in problem.objectives:
        value, low, high = measured[name]
        slack = 1e-9 * max(1.0, abs(value))  # a spread-free interval is one number: rounding is no miss
        rows.append(
            {
                "objective": name,
                "search": float(point[name]),
                "search_low": float(point[f"{name}_low"]),
                "search_high": float(point[f"{name}_high"]),
                "fresh": value,
                "fresh_low": low,
                "fresh_high": high,
                "inside": bool(point[f"{name}_low"] - slack <= value <= point[f"{name}_high"] + slack),
            }
        )
    return pd.DataFrame(rows)
