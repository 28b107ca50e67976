"""Peak memory of a sweep with 2,000 runs against one with 20,000 runs (should be about equal).

Each sweep runs as `catchup sweep --jobs 2` in its own process group; the resident memory
of the whole group (parent and workers) is sampled every 0.1 s from /proc. A short
two-year scenario keeps the 20,000 runs to a few minutes.

Usage: python benchmarks/bench_memory.py [SMALL] [LARGE]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def group_rss_bytes(pgid: int) -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: process group id
                continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            continue
    return total


def peak_memory(n_runs: int, folder: Path) -> tuple[float, float]:
    scenario = folder / "short.toml"
    scenario.write_text('name = "short"\nstart_year = 2000\nend_year = 2002\n')
    exp = folder / f"mem_{n_runs}.toml"
    exp.write_text(
        f'name = "mem"\nscenario = "{scenario}"\nreplications = {n_runs // 10}\nbase_seed = 1\n'
        "chunk_size = 100\n[grid]\n"
        "niche_market_size = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]\n"
    )
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "catchup",
            "sweep",
            str(exp),
            "--out",
            str(folder / f"out_{n_runs}"),
            "--jobs",
            "2",
            "--quiet",
        ],
        start_new_session=True,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, group_rss_bytes(proc.pid))
        time.sleep(0.1)
    if proc.returncode != 0:
        raise SystemExit(f"sweep of {n_runs} runs failed")
    return peak / 2**20, time.perf_counter() - start


def main(small: int = 2000, large: int = 20000) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        m_small, t_small = peak_memory(small, Path(tmp))
        m_large, t_large = peak_memory(large, Path(tmp))
    result = {
        "small_runs": small,
        "large_runs": large,
        "small_peak_mib": m_small,
        "large_peak_mib": m_large,
        "memory_ratio_large_to_small": m_large / m_small,
        "small_seconds": t_small,
        "large_seconds": t_large,
    }
    for key, value in result.items():
        print(f"{key}: {value:.4g}")
    return result


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
