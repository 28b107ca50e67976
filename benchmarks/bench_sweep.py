"""Sweep throughput: catchup's runner with 1 and 2 processes, against mesa.batch_run.

All three run the same model, scenario, seeds and steps, and produce the same per-run
outputs (outcomes and windows). Prints runs/s and the ratios.

Usage: python benchmarks/bench_sweep.py [N_RUNS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from mesa import batch_run
from mesa.datacollection import DataCollector

import catchup
from catchup.model.model import CatchUpModel
from catchup.model.outcomes import run_outcomes
from catchup.model.windows import detect_windows

SCENARIO = catchup.load_scenario("baseline").source


class BatchRunModel(CatchUpModel):
    """The catch-up model as mesa.batch_run needs it: keyword parameters, a DataCollector,
    `running`, and the same per-run outcomes as catchup's runner computes."""

    def __init__(self, rng=None, **params):
        scenario = catchup.load_scenario(SCENARIO)
        values = dict(scenario.parameters)
        values.update(params)
        super().__init__(
            values,
            rng=rng,
            start_year=scenario.start_year,
            end_year=scenario.end_year,
            steps_per_year=scenario.steps_per_year,
            events=scenario.events,
        )
        self.outcomes: dict = {}
        self.datacollector = DataCollector(
            model_reporters={
                "catch_up_year": lambda m: m.outcomes.get("catch_up_year"),
                "windows_opened": lambda m: m.outcomes.get("windows_opened"),
            }
        )
        self.running = True

    def step(self):
        super().step()
        if self.steps >= self.n_steps:
            traj = {k: np.asarray(v, float) for k, v in self.trajectory.items()}
            windows, _ = detect_windows(traj, self.steps_per_year)
            self.outcomes = run_outcomes(
                traj,
                windows,
                catch_up_threshold=self.p.catch_up_threshold,
                mission_target=self.p.mission_target,
            )
            self.running = False
            self.datacollector.collect(self)


def timed_sweep(n_runs: int, jobs: int, folder: Path) -> float:
    exp_file = folder / f"bench_{jobs}.toml"
    exp_file.write_text(
        f'name = "bench"\nscenario = "{SCENARIO}"\nreplications = {n_runs // 2}\nbase_seed = 1\n'
        "chunk_size = 25\n[grid]\npatent_barrier = [0.4, 0.6]\n"
    )
    experiment = catchup.load_experiment(exp_file)
    start = time.perf_counter()
    catchup.sweep(experiment, folder / f"out_{jobs}", jobs=jobs)
    return time.perf_counter() - start


def timed_batch_run(n_runs: int, jobs: int) -> float:
    seeds = [catchup.run_seed(1, i) for i in range(n_runs // 2)]
    start = time.perf_counter()
    results = batch_run(
        BatchRunModel,
        {"patent_barrier": [0.4, 0.6]},
        number_processes=jobs,
        rng=seeds,
        max_steps=10_000,
        display_progress=False,
    )
    elapsed = time.perf_counter() - start
    assert len(results) == n_runs, len(results)
    return elapsed


def main(n_runs: int = 200) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t1 = timed_sweep(n_runs, 1, folder)
        t2 = timed_sweep(n_runs, 2, folder)
        tb = timed_batch_run(n_runs, 2)
    result = {
        "runs": n_runs,
        "jobs1_runs_per_second": n_runs / t1,
        "jobs2_runs_per_second": n_runs / t2,
        "parallel_speedup": t1 / t2,
        "parallel_efficiency": t1 / t2 / 2,
        "batch_run_jobs2_runs_per_second": n_runs / tb,
        "catchup_vs_batch_run": tb / t2,
    }
    for key, value in result.items():
        print(f"{key}: {value:.3g}")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
