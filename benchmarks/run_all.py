"""Run every benchmark and write benchmarks/results.md (make bench)."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_jobs
import bench_memory
import bench_run
import bench_sweep
import bench_versus

# The commit the model-2 change (issue 12) is measured against: the last commit of model 1.
MODEL_1 = os.environ.get("BENCH_AGAINST", "9b7a57c")


def main() -> None:
    print("== baseline run")
    run = bench_run.main(20)
    print(f"== baseline run against {MODEL_1}, side by side")
    versus = bench_versus.main(MODEL_1, 40)
    print("== parallel speed-up of catchup run, start-up")
    jobs = bench_jobs.main(256, 3)
    print("== sweep throughput")
    sw = bench_sweep.main(200)
    print("== sweep memory")
    mem = bench_memory.main(2000, 20000)
    fixed = jobs["command_jobs1_seconds"] - jobs["warm_jobs1_seconds"]
    bound_time = fixed + jobs["warm_jobs1_seconds"] / 2
    bound = jobs["command_jobs1_seconds"] / bound_time
    intro = (
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} cores, "
        + f"Python {platform.python_version()}, "
        + "with `make bench` (benchmarks/run_all.py). Ratios matter more than absolute times."
    )
    lines = [
        "# Benchmarks",
        "",
        intro,
        "",
        "## One baseline run (`bench_run.py`)",
        "",
        f"- median time per run: {run['median_seconds_per_run']:.3f} s ({run['steps_per_run']:.0f} steps)",
        f"- median time per agent-step: {run['median_microseconds_per_agent_step']:.1f} µs "
        f"({run['agent_steps_per_second']:,.0f} agent-steps/s)",
        "",
        f"## One baseline run against `{MODEL_1}` (model 1), side by side (`bench_versus.py`)",
        "",
        "Blocks of 5 runs of each version alternate in fresh interpreters, so both see the same load.",
        "",
        f"- `{MODEL_1}`: {versus['old_median_seconds_per_run']:.4f} s per run; this checkout: "
        f"{versus['new_median_seconds_per_run']:.4f} s: ratio {versus['ratio_new_over_old']:.2f}",
        "",
        f"## `catchup run baseline --seeds {jobs['seeds']}`, `--jobs 1` against `--jobs 2` (`bench_jobs.py`)",
        "",
        "Medians of 3. The command is timed as a user runs it (a new process each time).",
        "",
        f"- the whole command: {jobs['command_jobs1_seconds']:.1f} s against "
        f"{jobs['command_jobs2_seconds']:.1f} s: speed-up {jobs['command_speedup']:.2f}",
        f"- with `--no-figure`: {jobs['no_figure_jobs1_seconds']:.1f} s against "
        f"{jobs['no_figure_jobs2_seconds']:.1f} s: speed-up {jobs['no_figure_speedup']:.2f}",
        f"- the runs alone, in a process that keeps its executor (`with catchup.executor(jobs=2)`): "
        f"{jobs['warm_jobs1_seconds']:.1f} s against {jobs['warm_jobs2_seconds']:.1f} s: "
        f"speed-up {jobs['warm_speedup']:.2f}",
        f"- `catchup --version`: {jobs['version_seconds']:.2f} s",
        "",
        f"What bounds the whole command: {fixed:.1f} s of it (Python start-up and imports, writing the "
        "tables, the figure) run once whatever `--jobs` is; with the runs split perfectly over two "
        f"workers it could take {bound_time:.1f} s at best, a speed-up of at most {bound:.2f} (Amdahl). "
        "The pool itself reaches the ratio of the runs alone.",
        "",
        f"## Sweep throughput, {sw['runs']} baseline runs (`bench_sweep.py`)",
        "",
        f"- `--jobs 1`: {sw['jobs1_runs_per_second']:.1f} runs/s",
        f"- `--jobs 2`: {sw['jobs2_runs_per_second']:.1f} runs/s: speed-up {sw['parallel_speedup']:.2f}, "
        f"parallel efficiency {sw['parallel_efficiency']:.0%}",
        f"- `mesa.batch_run` (2 processes, same model, seeds, steps and per-run outputs): "
        f"{sw['batch_run_jobs2_runs_per_second']:.1f} runs/s; catchup's sweep is "
        f"{sw['catchup_vs_batch_run']:.2f}x as fast",
        "",
        "## Sweep memory (`bench_memory.py`, two-year scenario, `--jobs 2`)",
        "",
        f"- {mem['small_runs']:,} runs: peak {mem['small_peak_mib']:.0f} MiB (parent and workers), "
        f"{mem['small_seconds']:.0f} s",
        f"- {mem['large_runs']:,} runs: peak {mem['large_peak_mib']:.0f} MiB, {mem['large_seconds']:.0f} s",
        f"- ratio large / small: {mem['memory_ratio_large_to_small']:.2f}",
        "",
    ]
    Path(__file__).with_name("results.md").write_text("\n".join(lines))
    print("wrote benchmarks/results.md")


if __name__ == "__main__":
    main()
