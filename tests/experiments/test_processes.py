"""Worker processes die with the process that started them (defect family 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT

PARENT = """
import os, time
from catchup.experiments.executors import PoolExecutor

def busy(_):
    time.sleep(120)  # a long chunk: the worker would outlive its parent by two minutes

if __name__ == "__main__":
    pool = PoolExecutor(2)
    pids = {pool._pool.submit(os.getpid).result() for _ in range(8)}
    for i in range(2):
        pool._pool.submit(busy, i)
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(120)
"""


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has finished)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_pool_workers_exit_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert workers and all(alive(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)  # no clean-up runs in the parent
        parent.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = [pid for pid in workers if alive(pid)]
        assert not survivors, f"workers {survivors} outlived their parent"
    finally:
        for pid in workers if "workers" in locals() else []:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
