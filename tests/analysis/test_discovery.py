"""Scenario discovery: PRIM recovers a planted region, picks boxes by its stated rule, writes
its tables through the results layer, exports to EMA Workbench, and refuses bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import catchup
from catchup.analysis.discovery import choose_box, discover, ema_results
from catchup.cli import app
from catchup.results.folder import ResultFolder
from tests.conftest import SHORT, hand_made_sweep_manifest

runner = CliRunner()
# The planted region: outcome 1 inside niche_market_size in [0.2, 0.6] and patent_barrier in
# [0.5, 0.9] (a quarter of the unit square x 0.8), 0 outside; then each run's outcome is
# flipped with probability NOISE. Two more inputs are pure noise.
PLANTED = {"niche_market_size": (0.2, 0.6), "patent_barrier": (0.5, 0.9)}
NOISE = 0.05
N_RUNS = 1200


def planted_sweep(folder: Path, seed: int, n_runs: int = N_RUNS, chunk_size: int = 400) -> Path:
    """A sweep folder whose runs table holds a planted outcome (column `planted`) and the
    named outcomes' columns, over four uniformly sampled inputs (one run per point)."""
    rng = np.random.default_rng(seed)
    inputs = {
        "niche_market_size": rng.uniform(0.0, 0.8, n_runs),
        "patent_barrier": rng.uniform(0.1, 0.9, n_runs),
        "publicness": rng.uniform(0.0, 1.0, n_runs),
        "royalty_rate": rng.uniform(0.0, 0.1, n_runs),
    }
    inside = np.ones(n_runs, dtype=bool)
    for name, (low, high) in PLANTED.items():
        inside &= (inputs[name] >= low) & (inputs[name] <= high)
    outcome = inside ^ (rng.random(n_runs) < NOISE)
    points = pd.DataFrame({"point_id": np.arange(n_runs), **inputs})
    runs = pd.DataFrame(
        {
            "run_id": np.arange(n_runs),
            "point_id": np.arange(n_runs),
            "seed": rng.integers(0, 2**31, n_runs),
            "planted": outcome.astype(float),
            "catch_up_year": np.where(outcome, 2010.0, np.nan),
            "leadership_year": np.full(n_runs, np.nan),
        }
    )
    design = {"type": "sample", "method": "latin"}
    manifest = hand_made_sweep_manifest(n_runs, chunk_size, {"points": "parquet", "runs": "chunks"}, design)
    sweep = ResultFolder.write(folder, manifest, {"points": points})
    for index, start in enumerate(range(0, n_runs, chunk_size)):
        sweep.write_chunk("runs", index, runs.iloc[start : start + chunk_size])
    sweep.update(status="complete", finished="now")
    return folder


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prim_recovers_a_planted_box_with_high_density_and_coverage(tmp_path, seed):
    found = discover(planted_sweep(tmp_path / "s", seed), "planted", threshold=0.5, min_coverage=0.8)
    first = found.boxes[found.boxes["box"] == 1]
    assert first["density"].iloc[0] >= 0.9
    assert first["coverage"].iloc[0] >= 0.8
    # it restricts the two planted inputs, near their true limits, and none of the noise inputs
    limits = first.set_index("parameter")
    assert set(limits.index) == set(PLANTED)
    for name, (low, high) in PLANTED.items():
        assert abs(limits.loc[name, "low"] - low) < 0.06
        assert abs(limits.loc[name, "high"] - high) < 0.06
        assert limits.loc[name, ["qp_low", "qp_high"]].max() < 1e-3
    scores = found.features.set_index("parameter")["score"]
    assert min(scores[list(PLANTED)]) > max(scores[["publicness", "royalty_rate"]])


def test_the_command_writes_tables_and_figure_and_keeps_other_outcomes(tmp_path):
    sweep = planted_sweep(tmp_path / "s", 4)
    result = runner.invoke(app, ["discover", str(sweep), "--outcome", "planted", "--threshold", "0.5"])
    assert result.exit_code == 0, result.output
    assert "niche_market_size" in result.output and "patent_barrier" in result.output
    assert runner.invoke(app, ["discover", str(sweep), "--outcome", "catch_up", "--json"]).exit_code == 0
    folder = ResultFolder.open(sweep)
    for name in ("discovery_peeling", "discovery_boxes", "discovery_features"):
        assert set(folder.table(name)["outcome"]) == {"planted>=0.5", "catch_up"}
    peeling = folder.table("discovery_peeling")
    assert (peeling.groupby(["outcome", "box"])["chosen"].sum() == 1).all()  # one choice per search
    assert runner.invoke(app, ["plot", str(sweep), "--kind", "discovery"]).exit_code == 0
    assert (sweep / "figures" / "discovery.png").exists()


def test_the_box_rule_prefers_coverage_unless_a_box_is_clearly_denser():
    peeling = pd.DataFrame(
        {
            "id": [0, 1, 2, 3],
            "coverage": [1.0, 0.85, 0.6, 0.3],
            "density": [0.3, 0.95, 0.97, 1.0],
            "n": [1000, 250, 170, 85],
            "res_dim": [0, 2, 2, 3],
        }
    )
    assert choose_box(peeling, 0.5) == 1  # 0.97 is within noise of 0.95 at n = 250
    assert choose_box(peeling, 0.9) == 0  # only the whole space covers 90%
    peeling.loc[1, "density"] = 0.80  # now box 2 is clearly denser than box 1
    assert choose_box(peeling, 0.5) == 2


def test_export_round_trips_through_ema_workbench(tmp_path):
    from ema_workbench import load_results

    sweep = planted_sweep(tmp_path / "s", 5, n_runs=60, chunk_size=30)
    out = tmp_path / "planted.tar.gz"
    result = runner.invoke(app, ["export", str(sweep), "--out", str(out)])
    assert result.exit_code == 0, result.output
    experiments, outcomes = load_results(str(out))
    ours, our_outcomes = ema_results(sweep)
    assert len(experiments) == 60
    np.testing.assert_allclose(experiments["niche_market_size"], ours["niche_market_size"])
    np.testing.assert_array_equal(outcomes["planted"], our_outcomes["planted"])
    assert list(experiments["scenario"]) == list(range(60))
    again = runner.invoke(app, ["export", str(sweep), "--out", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "catchup"], "unknown --outcome 'catchup' (allowed: catch_up, leadership"),
        (["--outcome", "planted"], "give a finite --threshold"),
        (["--outcome", "catch_up", "--threshold", "1"], "is already yes or no"),
        (["--outcome", "planted", "--threshold", "2"], "no run of the sweep (0 of 1200) has planted>=2"),
        (["--outcome", "leadership"], "no run of the sweep (0 of 1200) has leadership"),
        (["--outcome", "planted", "--threshold", "0.5", "--min-coverage", "0"], "allowed 0 < value <= 1"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(tmp_path, args, message):
    sweep = planted_sweep(tmp_path / "s", 6)
    before = json.loads((sweep / "manifest.json").read_text())["tables"]
    result = runner.invoke(app, ["discover", str(sweep), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert json.loads((sweep / "manifest.json").read_text())["tables"] == before


def test_a_folder_that_is_not_a_sweep_is_refused(tmp_path, ex):
    run = catchup.run(catchup.load_scenario(SHORT), seeds=2, executor=ex).save(tmp_path / "run").path
    result = runner.invoke(app, ["discover", str(run), "--outcome", "catch_up"])
    assert result.exit_code == 2
    assert "needs a sweep folder" in result.output
    missing = runner.invoke(app, ["discover", str(tmp_path / "nowhere"), "--outcome", "catch_up"])
    assert missing.exit_code == 2


def test_an_unfinished_sweep_is_refused_before_anything_is_written(tmp_path):
    sweep = planted_sweep(tmp_path / "s", 7)
    folder = ResultFolder.open(sweep)
    folder.update(status="running")
    result = runner.invoke(app, ["discover", str(sweep), "--outcome", "catch_up"])
    assert result.exit_code == 2
    assert "finished sweeps only" in result.output and "--resume" in " ".join(result.output.split())
    assert not ResultFolder.open(sweep).has_table("discovery_boxes")
    assert not (sweep / "discovery_boxes.csv").exists()
