"""Time single runs of the baseline scenario: median seconds per run and per agent-step.

Usage: python benchmarks/bench_run.py [N_RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time

import catchup
from catchup.model.model import CatchUpModel


def main(n_runs: int = 20) -> dict[str, float]:
    scenario = catchup.load_scenario("baseline")
    times, agent_steps = [], []
    for i in range(n_runs):
        model = CatchUpModel(
            scenario.parameters,
            rng=catchup.run_seed(scenario.base_seed, i),
            start_year=scenario.start_year,
            end_year=scenario.end_year,
            steps_per_year=scenario.steps_per_year,
            events=scenario.events,
        )
        count = 0
        start = time.perf_counter()
        for _ in range(model.n_steps):
            count += len(model.agents)
            model.step()
        times.append(time.perf_counter() - start)
        agent_steps.append(count)
    per_run = statistics.median(times)
    per_agent_step = statistics.median(t / c for t, c in zip(times, agent_steps, strict=True))
    result = {
        "median_seconds_per_run": per_run,
        "median_microseconds_per_agent_step": per_agent_step * 1e6,
        "agent_steps_per_second": 1.0 / per_agent_step,
        "steps_per_run": float(model.n_steps),
    }
    for key, value in result.items():
        print(f"{key}: {value:.4g}")
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
