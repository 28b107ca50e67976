"""Analysis: comparisons with intervals, sensitivity indices, window attribution, cycles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import catchup
from catchup.analysis.attribution import attribution_table, paired_table
from catchup.analysis.compare import compare, summarise_group
from catchup.analysis.sensitivity import sensitivity, sensitivity_indices
from catchup.analysis.statistics import bootstrap_interval
from catchup.config.design import sample_matrix
from catchup.config.experiment import load_experiment
from catchup.errors import AnalysisError, ResultsError
from catchup.experiments.attribution import CLOSURES, attribute, close_window
from catchup.experiments.sweep import sweep
from catchup.model.outcomes import CYCLES, catch_up_cycle
from tests.conftest import SHORT, make_scenario


def test_bootstrap_interval_brackets_the_statistic():
    rng = np.random.default_rng(0)
    x = rng.normal(10, 1, 200)
    low, high = bootstrap_interval(x)
    assert low < x.mean() < high and high - low < 0.5
    assert bootstrap_interval(np.ones(5)) == (1.0, 1.0)
    assert all(np.isnan(bootstrap_interval(np.array([1.0]))))


@pytest.mark.parametrize(
    "share, cycle",
    [
        (np.zeros(10), "persistent_foreign_leadership"),
        (np.r_[np.linspace(0, 0.4, 5), np.linspace(0.4, 0.1, 5)], "aborted_catch_up"),
        (np.linspace(0, 0.35, 10), "coexistence"),
        (np.linspace(0, 0.8, 10), "leadership_change"),
        (np.r_[np.linspace(0, 0.7, 5), np.linspace(0.7, 0.3, 5)], "return_of_old_leader"),
    ],
)
def test_catch_up_cycles_follow_the_written_rule(share, cycle):
    assert catch_up_cycle(share) == cycle
    assert cycle in CYCLES


def test_summary_of_a_group_has_probabilities_years_and_windows():
    runs = catchup.run(make_scenario({"niche_market_size": 0.4}, seeds=8)).runs
    row = summarise_group(runs)
    assert row["n_runs"] == 8
    assert (
        0
        <= row["catch_up_probability_low"]
        <= row["catch_up_probability"]
        <= row["catch_up_probability_high"]
        <= 1
    )
    assert row["demand_opened"] == (runs["demand_windows"] > 0).mean()
    assert sum(row[f"cycle_{c}"] for c in CYCLES) == 8


def test_compare_reads_run_and_sweep_folders(tmp_path):
    result = catchup.run(catchup.load_scenario(SHORT))
    result.save(tmp_path / "run")
    exp_file = tmp_path / "e.toml"
    exp_file.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 3\n[grid]\nniche_market_size = [0.0, 0.4]\n'
    )
    sweep(load_experiment(exp_file), tmp_path / "sweep")
    table = compare([tmp_path / "run", tmp_path / "sweep", result])
    assert table["group"].tolist() == ["short", "point 0", "point 1", "short"]
    assert table["n_runs"].tolist() == [4, 3, 3, 4]
    assert table.loc[1:2, "niche_market_size"].tolist() == [0.0, 0.4]
    in_memory, on_disk = table.iloc[3].drop("source"), table.iloc[0].drop("source")
    pd.testing.assert_series_equal(in_memory, on_disk, check_names=False)  # a folder or a result alike
    alone = compare(result)  # one result, not in a list, as one path is
    pd.testing.assert_frame_equal(alone, compare([result]))
    assert alone["group"].tolist() == ["short"]
    with pytest.raises(ResultsError, match="manifest"):
        compare([tmp_path])


def test_sensitivity_ranks_the_parameter_that_matters(tmp_path, ex):
    """Niche size drives home share in this model; the royalty rate barely does."""
    exp_file = tmp_path / "s.toml"
    exp_file.write_text(
        f'name = "s"\nscenario = "{SHORT}"\nreplications = 4\nbase_seed = 1\n'
        '[sample]\nmethod = "sobol"\nsize = 16\nseed = 2\n'
        "[sample.ranges]\nniche_market_size = [0.0, 0.6]\nroyalty_rate = [0.0, 0.1]\n"
    )
    out = sweep(load_experiment(exp_file), tmp_path / "out", executor=ex)
    table = sensitivity(out)
    pd.testing.assert_frame_equal(table, sensitivity(out))  # intervals too are seeded: the same twice
    share = table[(table.outcome == "final_home_share_home_market") & (table.statistic == "mean")]
    for index in ("S1", "ST"):
        rows = share[share["index"] == index]
        value = dict(zip(rows["parameter"], rows["value"], strict=True))
        assert value["niche_market_size"] > 0.5
        assert value["niche_market_size"] > 2 * value["royalty_rate"]
    assert set(table["statistic"]) == {"mean", "spread"}


def test_morris_indices_from_a_design():
    design = {"type": "sample", "method": "morris", "levels": 4, "ranges": {"a": [0.0, 1.0], "b": [0.0, 1.0]}}
    x = sample_matrix("morris", design["ranges"], 10, seed=0)
    points = pd.DataFrame({"point_id": range(len(x)), "a": x[:, 0], "b": x[:, 1]})
    runs = pd.DataFrame(
        {
            "point_id": np.repeat(points["point_id"], 2),
            "catch_up_year": np.where(np.repeat(x[:, 0], 2) > 0.5, 2010.0, np.nan),
            "leadership_year": np.nan,
            "final_relative_capability": np.repeat(x[:, 0], 2) + np.tile([0.0, 0.01], len(x)),
            "final_home_share_home_market": np.repeat(x[:, 1] * 0.1, 2),
            "final_home_share_world_market": 0.1,
            "windows_rose": 1,
        }
    )
    table = sensitivity_indices(design, points, runs, 2030)
    mu = table[
        (table.outcome == "final_relative_capability")
        & (table["index"] == "mu_star")
        & (table.statistic == "mean")
    ]
    values = dict(zip(mu["parameter"], mu["value"], strict=True))
    assert values["a"] > 0.5 and values["b"] < 0.05


def test_sensitivity_refuses_grid_designs(tmp_path):
    design = {"type": "grid"}
    with pytest.raises(AnalysisError, match="sobol"):
        sensitivity_indices(design, pd.DataFrame(), pd.DataFrame(), 2030)


def test_closing_windows_rewrites_parameters_and_events():
    s = make_scenario(
        {"niche_market_size": 0.3, "alliance": 0.5},
        [
            {"year": 2000, "new_generation": True},
            {"year": 2005, "set": {"procurement_support": 0.8, "mission": 1.0}},
        ],
    )
    tech = close_window(s, ["technological"])
    assert tech.parameters["knowledge_cumulativeness"] == 1.0
    assert not any(e.new_generation for e in tech.events)
    policy = close_window(s, ["procurement_protection_subsidy"])
    assert policy.events[-1].set == {"mission": 1.0}
    every = close_window(s, list(CLOSURES))
    assert (
        every.events == ()
        and every.parameters["niche_market_size"] == 0.0
        and every.parameters["alliance"] == 0.0
    )


def test_attribution_finds_the_window_that_made_the_difference(tmp_path, ex):
    """A scenario that catches up through procurement: closing everything takes catch-up away."""
    scenario = catchup.load_scenario("procurement")
    result = attribute(catchup.with_overrides(scenario, {}, seeds=8), executor=ex)
    table = attribution_table(result)
    pd.testing.assert_frame_equal(table, attribution_table(result.save(tmp_path / "att")))
    table = table.set_index("closed")
    assert table.loc["(none: as given)", "catch_up_probability"] >= 0.75
    assert table.loc["all", "probability_drop"] >= 0.5
    assert table.loc["procurement_protection_subsidy", "probability_drop"] >= 0.3
    assert table.loc["procurement_protection_subsidy", "catch_up_delay_years"] > 5
    assert table.loc["mission", "probability_drop"] == 0.0  # no mission to close


def test_attribution_table_pairs_runs_by_id():
    given = pd.DataFrame({"run_id": [0, 1, 2, 3], "catch_up_year": [2000.0, 2001.0, np.nan, 2002.0]})
    closed = pd.DataFrame({"run_id": [3, 2, 1, 0], "catch_up_year": [np.nan, np.nan, 2005.0, 2000.0]})
    table = paired_table(given, {"x": closed}, end_year=2010).set_index("closed")
    assert table.loc["x", "probability_drop"] == pytest.approx(0.25)
    assert table.loc["x", "catch_up_delay_years"] == pytest.approx((0 + 4 + 0 + 9) / 4)


def test_attribution_needs_an_attribution_result(baseline_small):
    with pytest.raises(AnalysisError, match="not an attribution"):
        attribution_table(baseline_small)
