"""Fault injection: `run` and `sweep` killed at every file boundary, then read.

A child process runs the command with `os.replace` and `os.rename` (every atomic file write
and every folder move goes through one of them) wrapped so that the process dies, as by
SIGKILL (`os._exit`, no clean-up), just before or just after the N-th call. After each kill,
every reader must either read complete, consistent results or refuse with a clear message;
a re-run (or `--resume`) must then give exactly the uninterrupted result.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

import catchup
from catchup.errors import CatchupError, PartialResultsWarning
from catchup.results.folder import ResultFolder
from tests.conftest import ROOT, SHORT

CHILD = """
import os, sys
count_file, kill_at, when = sys.argv[1], int(sys.argv[2]), sys.argv[3]
calls = [0]

def dying(real):
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == kill_at and when == "before":
            os._exit(137)
        result = real(*args, **kwargs)
        if calls[0] == kill_at and when == "after":
            os._exit(137)
        return result
    return wrapper

os.replace, os.rename = dying(os.replace), dying(os.rename)
from catchup.cli import app
try:
    app(sys.argv[4:], standalone_mode=False)
finally:
    with open(count_file, "w") as f:
        f.write(str(calls[0]))
"""


def child(tmp: Path, args: list[str], kill_at: int = 0, when: str = "before") -> tuple[int, int]:
    """Run the CLI in a child that dies at the `kill_at`-th file boundary; (exit code, boundaries)."""
    script = tmp / "child.py"
    script.write_text(CHILD)
    count = tmp / "count.txt"
    count.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, str(script), str(count), str(kill_at), when, *args],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, int(count.read_text()) if count.exists() else -1


def read_everything(folder: Path) -> pd.DataFrame | None:
    """Every table of a folder, or None when the folder is refused (cleanly) as a whole."""
    try:
        opened = ResultFolder.open(folder)
        for name in opened.manifest.tables:
            if opened.has_table(name):
                opened.table(name)
        return opened.table("runs")
    except CatchupError:
        return None


def test_a_run_killed_at_any_file_boundary_leaves_the_old_result_or_the_new(tmp_path):
    out = tmp_path / "out"
    reference = catchup.run(catchup.load_scenario(SHORT), seeds=3).runs
    old = catchup.run(catchup.load_scenario(SHORT), seeds=2)
    args = ["run", str(SHORT), "--seeds", "3", "--out", str(out), "--quiet", "--no-figure"]
    old.save(out)
    code, boundaries = child(tmp_path, args)
    assert code == 0 and boundaries >= 5  # three tables, the manifest, the folder moves
    outcomes = set()
    for kill_at in range(1, boundaries + 1):
        for when in ("before", "after"):
            old.save(out)  # the folder holds the 2-run result when each kill happens
            code, _ = child(tmp_path, args, kill_at, when)
            assert code == 137
            runs = read_everything(out)
            if runs is None:
                outcomes.add("refused")
                continue
            manifest = ResultFolder.open(out).manifest
            assert len(runs) == manifest.n_runs == len(manifest.seeds)
            assert runs["seed"].tolist() == manifest.seeds  # tables and manifest of one command
            outcomes.add("new" if len(runs) == 3 else "old")
            leftovers = [
                p.name for p in tmp_path.iterdir() if p.name.startswith(".out.") and p.suffix != ".lock"
            ]
            assert all(".new-" in n or ".old-" in n for n in leftovers)
    assert "old" in outcomes and "new" in outcomes
    code, _ = child(tmp_path, args)
    assert code == 0
    pd.testing.assert_frame_equal(ResultFolder.open(out).table("runs"), reference)
    assert not [p for p in tmp_path.iterdir() if ".new-" in p.name or ".old-" in p.name]


@pytest.mark.slow
def test_a_sweep_killed_at_any_file_boundary_reads_consistently_and_resumes_exactly(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 2\nchunk_size = 2\n'
        "trajectories = false\n[grid]\nniche_market_size = [0.0, 0.3, 0.6]\n"
    )
    reference = catchup.sweep(catchup.load_experiment(experiment), tmp_path / "reference").table("runs")
    out = tmp_path / "out"
    args = ["sweep", str(experiment), "--out", str(out), "--quiet"]
    code, boundaries = child(tmp_path, args)
    assert code == 0 and boundaries >= 8
    for kill_at in range(1, boundaries + 1):
        for when in ("before", "after"):
            subprocess.run(["rm", "-rf", str(out)], check=True)
            code, _ = child(tmp_path, args, kill_at, when)
            assert code == 137
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PartialResultsWarning)  # saying "partial" is right
                runs = read_everything(out)
            if runs is not None:
                assert runs["run_id"].is_unique and set(runs["run_id"]) <= set(reference["run_id"])
                expected = reference.set_index("run_id").loc[runs["run_id"]].reset_index()
                pd.testing.assert_frame_equal(runs, expected, check_like=True)
            code, _ = child(tmp_path, [*args, "--resume"])
            assert code == 0, f"resume after a kill {when} boundary {kill_at}"
            pd.testing.assert_frame_equal(ResultFolder.open(out).table("runs"), reference)
            manifest = json.loads((out / "manifest.json").read_text())
            assert manifest["status"] == "complete"
