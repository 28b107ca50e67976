"""Result folders as transactions: one writer at a time, refusal to mix results, readers that
check what they find (the defect families 1-3 of the reliability review)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pandas as pd
import pytest

import catchup
from catchup.errors import ResultsError
from catchup.results.chunks import chunk_name
from catchup.results.folder import ResultFolder
from catchup.results.transaction import lock_file, normal
from tests.cli.test_cli import catchup_cli
from tests.conftest import ROOT, SHORT

HOLD_LOCK = """
import sys, time
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture(scope="module")
def two_runs(ex):
    return catchup.run(catchup.load_scenario(SHORT), seeds=2, executor=ex)


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path, two_runs):
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(lock_file(normal(out)))],
        stdout=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        t0 = time.perf_counter()
        with pytest.raises(ResultsError, match="another catchup process is writing this folder"):
            two_runs.save(out)
        run = catchup_cli("run", str(SHORT), "--seeds", "2", "--out", str(out), "--quiet")
        assert run.exit_code == 2 and "another catchup process" in run.stderr
        assert time.perf_counter() - t0 < 20  # refused at once, not after waiting or after the work
    finally:
        holder.kill()
        holder.wait()
    assert not out.exists()
    two_runs.save(out)  # the lock is free again
    assert ResultFolder.open(out).manifest.n_runs == 2


def test_a_result_of_another_scenario_is_replaced_only_when_asked_and_wholly(tmp_path, two_runs):
    out = tmp_path / "out"
    attribution = catchup_cli("attribute", str(SHORT), "--seeds", "2", "--out", str(out), "--quiet")
    assert attribution.exit_code == 0 and (out / "attribution.csv").exists()
    refused = catchup_cli("run", "baseline", "--seeds", "2", "--out", str(out), "--quiet")
    assert refused.exit_code == 2 and "holds a attribution result ('short')" in refused.stderr
    assert "--overwrite" in refused.stderr and ResultFolder.open(out).kind == "attribution"
    replaced = catchup_cli("run", "baseline", "--seeds", "2", "--out", str(out), "--quiet", "--overwrite")
    assert replaced.exit_code == 0, replaced.stderr
    folder = ResultFolder.open(out)
    assert folder.kind == "run" and folder.manifest.name == "baseline"
    assert not (out / "attribution.csv").exists()  # nothing of the earlier result is left to leak
    assert sorted(p.name for p in out.iterdir()) == [
        "figures",
        "manifest.json",
        "runs.parquet",
        "trajectories.parquet",
        "windows.parquet",
    ]
    again = catchup_cli("run", "baseline", "--seeds", "3", "--out", str(out), "--quiet")
    assert again.exit_code == 0 and ResultFolder.open(out).manifest.n_runs == 3  # a re-run needs no flag


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_folder_of_other_files_is_never_replaced(tmp_path, two_runs, overwrite):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    with pytest.raises(ResultsError, match="holds files that are not a catchup result"):
        two_runs.save(mine, overwrite=overwrite)
    assert (mine / "thesis.tex").read_text() == "precious"


@pytest.mark.parametrize("out", ["/", ".", ".."])
def test_the_root_and_the_current_folder_are_refused_before_any_run(tmp_path, out):
    t0 = time.perf_counter()
    result = catchup_cli("run", str(SHORT), "--seeds", "500", "--out", out, "--quiet")
    assert result.exit_code == 2
    assert "root folder" in result.stderr or "current folder" in result.stderr
    assert time.perf_counter() - t0 < 10  # 500 runs would take far longer: refused first


@pytest.mark.parametrize("name", [".", "..", "../up", ".hidden", "a/b"])
def test_scenario_names_cannot_leave_results(tmp_path, name):
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'name = "{name}"\n')
    result = catchup_cli("run", str(scenario), "--seeds", "1", "--quiet")
    assert result.exit_code == 2 and "name = " in result.stderr and "not starting with a dot" in result.stderr
    assert not (tmp_path / "results").exists() and not (tmp_path.parent / "up").exists()


def test_a_hand_edited_manifest_is_refused_with_the_key_named(tmp_path, two_runs):
    out = two_runs.save(tmp_path / "out").path
    data = json.loads((out / "manifest.json").read_text())
    del data["scenario"]["end_year"]
    data["scenario"]["parameters"].pop("mission")
    (out / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(ResultsError) as err:
        ResultFolder.open(out)
    assert "scenario.end_year: missing" in str(err.value) and "lacks parameter(s) mission" in str(err.value)
    for nonsense in ("[1, 2]", '"text"', "{", "null"):
        (out / "manifest.json").write_text(nonsense)
        compared = catchup_cli("compare", str(out))
        assert compared.exit_code == 2 and "manifest" in compared.stderr


def test_a_table_with_runs_added_or_removed_by_hand_is_refused(tmp_path, two_runs):
    out = two_runs.save(tmp_path / "out").path
    runs = pd.read_parquet(out / "runs.parquet")
    pd.concat([runs, runs.iloc[:1]]).to_parquet(out / "runs.parquet")
    with pytest.raises(ResultsError, match=r"holds 3 runs but .* lists n_runs = 2"):
        ResultFolder.open(out).table("runs")
    (out / "runs.parquet").write_bytes((out / "runs.parquet").read_bytes()[:100])  # truncated
    report = catchup_cli("report", str(out))
    assert report.exit_code == 2 and "runs.parquet: damaged, not a readable parquet table" in report.stderr
    # A figure that needs only the intact trajectories is refused too: the folder is damaged as a whole.
    plot = catchup_cli("plot", str(out), "--kind", "trajectories", "--format", "png")
    assert plot.exit_code == 2 and "runs.parquet: damaged" in plot.stderr
    assert not (out / "figures" / "trajectories.png").exists()


@pytest.fixture
def small_experiment(tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 2\nchunk_size = 2\n[grid]\nmission = [0, 1]\n'
    )
    return catchup.load_experiment(experiment)


def test_resume_recomputes_a_damaged_finished_chunk(tmp_path, small_experiment, ex):
    whole = catchup.sweep(small_experiment, tmp_path / "whole", executor=ex).table("runs")
    folder = catchup.sweep(small_experiment, tmp_path / "s", executor=ex)
    (folder.path / "runs" / chunk_name(1)).write_bytes(b"PAR1 not really")
    with pytest.raises(ResultsError, match="damaged"):
        ResultFolder.open(folder.path).table("runs")
    resumed = catchup.sweep(small_experiment, tmp_path / "s", executor=ex, resume=True)
    pd.testing.assert_frame_equal(resumed.table("runs"), whole)
    assert resumed.manifest.details["recomputed_damaged_chunks"] == [1]


def test_a_partial_sweep_is_said_to_be_partial_by_every_reader(tmp_path, small_experiment, ex):
    folder = catchup.sweep(small_experiment, tmp_path / "s", executor=ex)
    (folder.path / "runs" / chunk_name(1)).unlink()
    folder.update(status="running")
    compared = catchup_cli("compare", str(folder.path))
    assert compared.exit_code == 0 and "an unfinished sweep, 2 of 4 runs" in compared.stderr
    assert "--resume" in compared.stderr
    assert catchup_cli("report", str(folder.path)).exit_code == 0
    assert "running: " in (folder.path / "report.html").read_text()
    assert "an unfinished sweep, 2 of 4 runs" in (folder.path / "report.html").read_text()


def test_a_sweep_into_a_folder_of_another_experiment_is_refused(tmp_path, small_experiment, ex):
    folder = catchup.sweep(small_experiment, tmp_path / "s", executor=ex)
    other = tmp_path / "o.toml"
    other.write_text(f'name = "o"\nscenario = "{SHORT}"\nreplications = 1\n[grid]\nalliance = [0, 1]\n')
    for extra in ([], ["--resume"]):
        swept = catchup_cli("sweep", str(other), "--out", str(folder.path), "--quiet", *extra)
        assert swept.exit_code == 2 and "holds a sweep result ('e')" in swept.stderr
    assert ResultFolder.open(folder.path).manifest.name == "e"
    replaced = catchup_cli("sweep", str(other), "--out", str(folder.path), "--quiet", "--overwrite")
    assert replaced.exit_code == 0 and ResultFolder.open(folder.path).manifest.name == "o"
    assert len(ResultFolder.open(folder.path).table("runs")) == 2
