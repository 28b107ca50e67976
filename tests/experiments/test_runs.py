"""Running seeds: derivation, determinism, serial = pool = reused executor, tables, result folders."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import catchup
from catchup.experiments.runs import run_seed
from catchup.files import atomic_path
from tests.conftest import make_scenario


def test_run_seeds_derive_from_base_seed_and_index_only():
    seeds = [run_seed(42, i) for i in range(100)]
    assert len(set(seeds)) == 100
    assert seeds[:10] == [run_seed(42, i) for i in range(10)]  # more seeds keep the first ones
    assert run_seed(43, 0) != run_seed(42, 0)
    assert all(0 <= s < 2**63 for s in seeds)


def test_same_scenario_and_seeds_give_identical_tables_serial_and_parallel(ex):
    scenario = make_scenario({"niche_market_size": 0.3}, seeds=4)
    serial = catchup.run(scenario, jobs=1)
    again = catchup.run(scenario, jobs=1)
    parallel = catchup.run(scenario, executor=ex)
    for name in ("runs", "trajectories", "windows"):
        pd.testing.assert_frame_equal(getattr(serial, name), getattr(again, name))
        pd.testing.assert_frame_equal(getattr(serial, name), getattr(parallel, name))
    assert list(serial.runs["run_id"]) == [0, 1, 2, 3]


@pytest.mark.slow
def test_a_pool_started_for_one_call_gives_the_same_tables(ex):
    scenario = make_scenario({"niche_market_size": 0.1}, seeds=3)
    pd.testing.assert_frame_equal(catchup.run(scenario, jobs=2).runs, catchup.run(scenario, executor=ex).runs)


def test_tables_have_the_documented_columns(baseline_small):
    r = baseline_small
    for col in [
        "run_id",
        "seed",
        "catch_up_year",
        "leadership_year",
        "mission_year",
        "final_relative_capability",
        "final_home_share_home_market",
        "final_home_share_world_market",
        "windows_opened",
        "windows_rose",
    ]:
        assert col in r.runs.columns
    for col in [
        "run_id",
        "seed",
        "step",
        "year",
        "relative_capability",
        "home_share_home_market",
        "home_share_world_market",
        "home_firms_alive",
        "generation",
        "window_technological",
        "window_demand",
        "window_institutional",
    ]:
        assert col in r.trajectories.columns
    assert list(r.windows.columns) == [
        "run_id",
        "seed",
        "type",
        "open_year",
        "close_year",
        "rose",
        "still_open",
    ]
    assert len(r.trajectories) == 4 * 160
    assert r.runs["mission_year"].isna().all()  # no mission in the baseline


def test_windows_table_agrees_with_run_counts(baseline_small):
    r = baseline_small
    counts = r.windows.groupby("run_id").size().reindex(r.runs["run_id"], fill_value=0)
    assert list(counts) == list(r.runs["windows_opened"])


def test_a_saved_run_is_a_result_folder_that_reads_back_the_same(tmp_path, baseline_small):
    folder = baseline_small.save(tmp_path / "out")
    assert sorted(p.name for p in folder.path.iterdir()) == [
        "manifest.json",
        "runs.parquet",
        "trajectories.parquet",
        "windows.parquet",
    ]
    manifest = json.loads((folder.path / "manifest.json").read_text())
    assert manifest["kind"] == "run" and manifest["format_version"] == 1
    assert manifest["seeds"] == baseline_small.seeds and manifest["n_runs"] == 4
    assert manifest["scenario"]["parameters"]["patent_barrier"] == 0.5
    assert len(manifest["scenario"]["file_sha256"]) == 64
    assert manifest["versions"]["mesa"].startswith("3.")
    reopened = catchup.open_results(tmp_path / "out")
    for name in ("runs", "trajectories", "windows"):
        pd.testing.assert_frame_equal(reopened.table(name), baseline_small.table(name))
    assert reopened.manifest == baseline_small.manifest.model_copy(
        update={"versions": reopened.manifest.versions}
    )


def test_atomic_path_leaves_nothing_behind_on_failure(tmp_path):
    final = tmp_path / "table.parquet"
    final.write_text("old complete file")
    with pytest.raises(RuntimeError), atomic_path(final) as tmp:
        tmp.write_text("half written")
        raise RuntimeError("killed")
    assert final.read_text() == "old complete file"
    assert list(tmp_path.iterdir()) == [final]


def test_bad_run_arguments_are_refused():
    scenario = make_scenario(seeds=1)
    with pytest.raises(ValueError, match="seeds"):
        catchup.run(scenario, seeds=0)
    with pytest.raises(ValueError, match="jobs"):
        catchup.run(scenario, jobs=0)


def test_one_executor_serves_many_calls_in_order():
    with catchup.executor(jobs=2) as pool:
        first = pool.map(abs, [-3, -1, -2])
        second = pool.map(abs, range(-20, 0))
        pids = set(pool.map(_pid, range(8)))
    assert first == [3, 1, 2] and second == list(range(20, 0, -1))
    assert 1 <= len(pids) <= 2  # the same (at most two) workers served every call


def _pid(_: int) -> int:
    import os

    return os.getpid()
