"""A point of a policy search's Pareto front: choosing it by requirements, writing the scenario
file that reproduces it, and re-running that file on fresh seeds against the search's intervals."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from catchup.config.levers import OBJECTIVES
from catchup.config.policy import PolicyProblem, policy_data
from catchup.config.scenario import load_scenario, parse_scenario, with_overrides
from catchup.errors import ScenarioError
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.policy import candidate_runs, objective_values, run_seeds, uncertain_sample
from catchup.files import write_text
from catchup.results.manifest import Manifest

# Fresh seeds for the check of a chosen point come from this root offset, never the search's.
CHECK_SEED_OFFSET = 1


COMPARISONS = {">=": operator.ge, "<=": operator.le}


def parse_requirement(text: str) -> tuple[str, str, float]:
    """`p_catch_up>=0.8` -> ("p_catch_up", ">=", 0.8); the objective's name is checked by the caller."""
    for symbol in COMPARISONS:
        name, sep, value = text.partition(symbol)
        if sep:
            try:
                return name.strip(), symbol, float(value)
            except ValueError:
                break
    raise ScenarioError(f"--require {text!r}: write OBJECTIVE>=X or OBJECTIVE<=X (e.g. p_catch_up>=0.8)")


def choose(
    front: pd.DataFrame, objectives: Sequence[str], require: Sequence[tuple[str, str, float]], prefer: str
) -> pd.Series | None:
    """The front point that meets every requirement with the best value of `prefer` (None if
    no point meets them)."""
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
    if not mask.any():
        return None
    meeting = front[mask]
    best = meeting[prefer].idxmax() if OBJECTIVES[prefer] == "maximize" else meeting[prefer].idxmin()
    return meeting.loc[best]


def problem_of(manifest: Manifest) -> PolicyProblem:
    """The policy problem a policy result was searched on (from its manifest)."""
    d = manifest.details
    if manifest.kind != "policy" or "data" not in d:
        raise ScenarioError(
            f"a {manifest.kind} result, not a policy search's (make one with `catchup policy`)"
        )
    data = d["data"]
    return PolicyProblem(
        name=manifest.name,
        description=manifest.description,
        scenario=parse_scenario(data, source=d.get("source", "<policy>")),
        data=data,
        levers={k: (float(v[0]), float(v[1])) for k, v in d["levers"].items()},
        objectives=tuple(d["objectives"]),
        seeds=int(d["seeds"]),
        base_seed=int(d["base_seed"]),
        trials=0,
        population=int(d["population"]),
        uncertain={k: (float(v[0]), float(v[1])) for k, v in d["uncertain"].items()},
        samples=int(d["samples"]),
        source=d.get("source", ""),
    )


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
    """The written scenario file re-run on fresh seeds (and the robustness sample, if any):
    each objective's fresh value against the search's value and interval."""
    scenario = load_scenario(path)
    sample = uncertain_sample(problem)
    scenarios = [
        with_overrides(scenario, point_values) if point_values else scenario for point_values in sample
    ]
    fresh = replace(problem, seeds=seeds or problem.seeds)
    root = problem.base_seed + CHECK_SEED_OFFSET if base_seed is None else base_seed
    with borrowed(executor, jobs) as ex:
        runs = candidate_runs(scenarios, run_seeds(fresh, root), ex, fresh.seeds)
    measured = objective_values(runs, problem.objectives, scenario.end_year)
    rows = []
    for name in problem.objectives:
        value, low, high = measured[name]
        rows.append(
            {
                "objective": name,
                "search": float(point[name]),
                "search_low": float(point[f"{name}_low"]),
                "search_high": float(point[f"{name}_high"]),
                "fresh": value,
                "fresh_low": low,
                "fresh_high": high,
                "inside": bool(point[f"{name}_low"] <= value <= point[f"{name}_high"]),
            }
        )
    return pd.DataFrame(rows)
