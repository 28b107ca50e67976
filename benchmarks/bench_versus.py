"""A baseline run's cost at another commit against this checkout, side by side in one process
run after the other (interleaved, so both see the same machine load).

Usage: python benchmarks/bench_versus.py COMMIT [N_RUNS]

COMMIT is checked out into a temporary git worktree; each round runs one baseline simulation
of each version in a fresh interpreter (`python -c`), so neither sees the other's modules.
Prints the median seconds per run of both and their ratio (this checkout / COMMIT).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Times `rounds` baseline runs (seeds 0..rounds-1) of the package found on sys.path.
PROBE = """
import sys, time, json
import catchup
from catchup.model.simulate import simulate
scenario = catchup.load_scenario("baseline")
simulate(scenario, 0, 0)  # warm up: imports, first-call costs
times = []
for i in range(int(sys.argv[1])):
    start = time.perf_counter()
    simulate(scenario, i, catchup.run_seed(scenario.base_seed, i))
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def timed(src: Path, rounds: int) -> list[float]:
    """Per-run seconds of `rounds` baseline runs of the package under `src`."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(rounds)],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def main(commit: str, n_runs: int = 30) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), commit],
            check=True,
            capture_output=True,
        )
        try:
            old_times, new_times = [], []
            for _ in range(n_runs // 5):  # interleave blocks of 5 runs
                old_times += timed(old / "src", 5)
                new_times += timed(ROOT / "src", 5)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)], check=True)
    old_median, new_median = statistics.median(old_times), statistics.median(new_times)
    result = {
        "old_median_seconds_per_run": old_median,
        "new_median_seconds_per_run": new_median,
        "ratio_new_over_old": new_median / old_median,
    }
    print(f"baseline run at {commit}: {old_median:.4f} s (median of {len(old_times)})")
    print(f"baseline run in this checkout: {new_median:.4f} s (median of {len(new_times)})")
    print(f"ratio (this checkout / {commit}): {result['ratio_new_over_old']:.2f}")
    return result


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 30)
