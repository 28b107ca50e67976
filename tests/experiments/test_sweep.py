"""Sweeps: identical tables wherever they run, and resume after a real kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from catchup.config.experiment import load_experiment
from catchup.errors import SweepError
from catchup.experiments.sweep import sweep
from catchup.results.chunks import completed_chunks
from catchup.results.folder import ResultFolder
from tests.conftest import SHORT


def experiment_file(tmp_path: Path, replications: int = 3, chunk_size: int = 4, extra: str = "") -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(
        f'name = "exp"\nscenario = "{SHORT}"\nreplications = {replications}\nbase_seed = 4\n'
        f"chunk_size = {chunk_size}\ntrajectories = true\n{extra}"
        "[grid]\npatent_barrier = [0.1, 0.9]\nniche_market_size = [0.0, 0.3]\n"
    )
    return path


def tables(folder: Path | ResultFolder) -> dict[str, pd.DataFrame]:
    opened = ResultFolder.open(folder) if isinstance(folder, Path) else folder
    return {name: opened.table(name) for name in ("runs", "windows", "trajectories")}


def assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_like=False)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("ref")
    exp = load_experiment(experiment_file(tmp))
    return tables(sweep(exp, tmp / "serial", jobs=1))


def test_sweep_tables_have_points_runs_and_trajectories(tmp_path, reference):
    runs = reference["runs"]
    assert runs["run_id"].tolist() == list(range(12))
    assert runs.groupby("point_id").size().tolist() == [3, 3, 3, 3]
    assert {"cycle", "catch_up_year", "replication", "seed"} <= set(runs.columns)
    assert len(reference["trajectories"]) == 12 * 40


def test_serial_and_pool_give_identical_tables(tmp_path, reference, ex):
    exp = load_experiment(experiment_file(tmp_path))
    assert_same(reference, tables(sweep(exp, tmp_path / "pool", executor=ex)))


@pytest.mark.slow
def test_dask_gives_identical_tables(tmp_path, reference):
    exp = load_experiment(experiment_file(tmp_path))
    assert_same(reference, tables(sweep(exp, tmp_path / "dask", jobs=2, scheduler="local")))


def test_chunk_size_does_not_change_results(tmp_path, reference):
    exp = load_experiment(experiment_file(tmp_path, chunk_size=5))
    assert_same(reference, tables(sweep(exp, tmp_path / "c5")))


def test_existing_sweep_needs_resume_and_the_same_design(tmp_path):
    exp = load_experiment(experiment_file(tmp_path))
    sweep(exp, tmp_path / "out")
    with pytest.raises(SweepError, match="--resume"):
        sweep(exp, tmp_path / "out")
    other = load_experiment(experiment_file(tmp_path, replications=2))
    with pytest.raises(SweepError, match="different design"):
        sweep(other, tmp_path / "out", resume=True)


def test_resume_cleans_partial_chunks_and_never_rewrites_finished_ones(tmp_path, reference):
    exp = load_experiment(experiment_file(tmp_path))
    out = tmp_path / "out"
    sweep(exp, out)
    # Simulate a crash inside chunk 1: its runs file is gone, its other tables and a temp file remain.
    (out / "runs" / "chunk-000001.parquet").unlink()
    (out / "runs" / ".chunk-000001.parquet.abc.tmp").write_bytes(b"half")
    finished = out / "runs" / "chunk-000000.parquet"
    stamp = finished.stat().st_mtime_ns
    sweep(exp, out, resume=True)
    assert finished.stat().st_mtime_ns == stamp
    assert not list(out.rglob("*.tmp"))
    assert_same(reference, tables(out))
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def _default_sigint() -> None:
    # A test run started as a background job inherits an ignored SIGINT, and Python then
    # never turns Ctrl-C into KeyboardInterrupt; the sweep under test must see a real Ctrl-C.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(exp_file: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "catchup", "sweep", str(exp_file), "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so the kill reaches every worker
        preexec_fn=_default_sigint,
    )


def _wait_for_chunks(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (out / "runs").exists() and len(completed_chunks(out)) >= n:
            return
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.02)
    raise AssertionError("the sweep produced no chunk in time")


def test_resume_after_a_real_kill_gives_the_uninterrupted_tables(tmp_path):
    exp_file = experiment_file(tmp_path, replications=15, chunk_size=2)  # 60 runs, 30 chunks
    exp = load_experiment(exp_file)
    uninterrupted = tables(sweep(exp, tmp_path / "whole"))
    out = tmp_path / "killed"
    proc = _start(exp_file, out)
    _wait_for_chunks(out, 2, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    done = completed_chunks(out)
    assert 2 <= len(done) < 30, "kill came too late to test anything"
    result = subprocess.run(
        [sys.executable, "-m", "catchup", "sweep", str(exp_file), "--out", str(out), "--resume", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert len(completed_chunks(out)) == 30
    assert_same(uninterrupted, tables(out))


def test_ctrl_c_keeps_finished_chunks_and_says_how_to_resume(tmp_path):
    # 800 runs: far more than can finish between the first chunk and the signal
    exp_file = experiment_file(tmp_path, replications=200, chunk_size=2)
    out = tmp_path / "interrupted"
    proc = _start(exp_file, out)
    _wait_for_chunks(out, 1, proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "--resume" in stderr and "Traceback" not in stderr
    assert 1 <= len(completed_chunks(out)) < 400


def test_sweep_keeps_only_the_chosen_trajectory_columns(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(
        f'name = "exp"\nscenario = "{SHORT}"\nreplications = 2\ntrajectories = ["home_share_home_market"]\n'
        "[grid]\nmission = [0.0]\n"
    )
    traj = sweep(load_experiment(path), tmp_path / "out").table("trajectories")
    assert list(traj.columns) == ["run_id", "point_id", "seed", "step", "year", "home_share_home_market"]
    assert len(traj) == 2 * 40
