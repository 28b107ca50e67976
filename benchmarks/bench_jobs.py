"""Parallel speed-up of `catchup run baseline --seeds 256`, and how fast the command starts.

Three measurements, each the median of REPEATS, jobs 1 against jobs 2:
- the whole command as a user types it (a cold process: start-up, runs, tables, figure);
- the same with --no-figure;
- the runs alone, in a warm process with one reusable executor (`catchup.executor`), as a
  script or notebook that keeps its workers gets them.
And the start-up of `catchup --version`.

Usage: python benchmarks/bench_jobs.py [SEEDS] [REPEATS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import catchup

CATCHUP = [sys.executable, "-m", "catchup"]


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def command_times(seeds: int, repeats: int, figure: bool, cwd: Path) -> dict[int, float]:
    extra = [] if figure else ["--no-figure"]
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeats):
        for jobs in (1, 2):
            args = [
                "run",
                "baseline",
                "--seeds",
                str(seeds),
                "--jobs",
                str(jobs),
                "--quiet",
                "--out",
                f"o{jobs}",
            ]
            times[jobs].append(wall([*CATCHUP, *args, *extra], cwd))
    return {jobs: statistics.median(t) for jobs, t in times.items()}


def warm_times(seeds: int, repeats: int) -> dict[int, float]:
    scenario = catchup.load_scenario("baseline")
    out = {}
    for jobs in (1, 2):
        with catchup.executor(jobs=jobs) as ex:
            catchup.run(scenario, seeds=2 * jobs, executor=ex)  # workers started and warm
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                catchup.run(scenario, seeds=seeds, executor=ex)
                times.append(time.perf_counter() - start)
        out[jobs] = statistics.median(times)
    return out


def main(seeds: int = 256, repeats: int = 3) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        version = statistics.median(wall([*CATCHUP, "--version"], cwd) for _ in range(7))
        whole = command_times(seeds, repeats, True, cwd)
        bare = command_times(seeds, repeats, False, cwd)
    warm = warm_times(seeds, repeats)
    result = {
        "seeds": seeds,
        "version_seconds": version,
        "command_jobs1_seconds": whole[1],
        "command_jobs2_seconds": whole[2],
        "command_speedup": whole[1] / whole[2],
        "no_figure_jobs1_seconds": bare[1],
        "no_figure_jobs2_seconds": bare[2],
        "no_figure_speedup": bare[1] / bare[2],
        "warm_jobs1_seconds": warm[1],
        "warm_jobs2_seconds": warm[2],
        "warm_speedup": warm[1] / warm[2],
    }
    for key, value in result.items():
        print(f"{key}: {value:.3g}")
    return result


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
