"""Causal seizure: every window against its paired run with the window's source closed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import catchup
from catchup.cli import app
from catchup.config.scenario import parse_scenario
from catchup.experiments.seizure import closed_from, seizure, seizure_summary, source_closed
from catchup.model.events import DatedEvent
from tests.conftest import make_scenario


def test_closing_a_source_holds_from_its_year_and_later_events_cannot_undo_it():
    scenario = make_scenario(
        {"procurement_support": 0.5},
        [
            {"year": 1995, "set": {"rd_subsidy": 0.4}},
            {"year": 2005, "set": {"procurement_support": 1.0, "niche_market_size": 0.3}},
            {"year": 2008, "new_generation": True, "label": "g"},
        ],
    )
    closed = closed_from(scenario, {"procurement_support": 0.0, "rd_subsidy": 0.0}, 2000.0, 2007.0)
    by_year = {e.year: e for e in closed.events}
    assert by_year[1995].set == {"rd_subsidy": 0.4}  # before the opening: as it was
    assert by_year[2000].set == {"procurement_support": 0.0, "rd_subsidy": 0.0}
    assert by_year[2005].set == {"niche_market_size": 0.3}
    assert 2008 not in by_year  # its only content, the new generation, is gone
    assert scenario.parameters["procurement_support"] == closed.parameters["procurement_support"]


def test_a_technological_window_is_closed_by_removing_the_generation_that_opened_it():
    scenario = make_scenario({}, [{"year": 2000.1, "new_generation": True, "label": "g"}])
    years = 1990 + np.arange(160) / 4
    trajectory = pd.DataFrame({"year": years, "generation": (years >= 2000.25).astype(int)})
    window = pd.Series({"type": "technological", "open_year": 2001.0})
    closed = source_closed(scenario, window, trajectory)
    assert not any(e.new_generation for e in closed.events)  # dated 2000.1, acting from 2000.25
    assert any(e.set.get("generation_hazard") == 0.0 for e in closed.events)
    emerging = source_closed(scenario, pd.Series({"type": "technological", "open_year": 1990.0}), trajectory)
    assert any(e.set.get("science_uptake_rate") == 0.0 for e in emerging.events)
    assert any(e.new_generation for e in emerging.events)


def test_procurement_that_makes_the_difference_is_seized_and_a_window_that_does_not_is_not(ex):
    """Procurement from 2000 (the institutional window) carries the home share; seizure says so,
    run by run, with the same seeds serial and parallel."""
    scenario = catchup.with_overrides(catchup.load_scenario("procurement"), {}, seeds=6)
    result, windows = seizure(scenario, executor=ex)
    institutional = windows[windows["type"] == "institutional"]
    assert len(institutional) >= 6 and institutional["seized"].mean() >= 0.8
    assert (institutional["effect_final_home_share_home_market"] > 0.05).mean() >= 0.8
    # a seized window beat its paired run by the margin; one that did not was not seized
    effects = windows[["effect_final_home_share_home_market", "effect_final_relative_capability"]].max(axis=1)
    assert ((effects >= 0.05) == windows["seized"]).all()
    _, serial = seizure(scenario, jobs=1)
    pd.testing.assert_frame_equal(windows, serial)
    summary = seizure_summary(windows, len(result.runs)).set_index("type")
    assert summary.loc["institutional", "runs_seized"] >= 0.8


def test_seizure_command_prints_the_share_seized_and_writes_every_window(tmp_path):
    out = tmp_path / "windows.csv"
    args = ["seizure", "procurement", "--seeds", "2", "--quiet", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "institutional" in result.output and "seized" in result.output
    table = pd.read_csv(out)
    assert {"type", "open_year", "rose", "seized", "effect_final_home_share_home_market"} <= set(
        table.columns
    )
    bad = CliRunner().invoke(app, ["seizure", "procurement", "--margin", "1.5"])
    assert bad.exit_code != 0 and "--margin" in bad.output


def test_seizure_refuses_a_margin_outside_zero_and_one():
    with pytest.raises(ValueError, match="margin"):
        seizure(make_scenario(), margin=0.0)


def test_an_event_brings_a_generation_as_far_along_its_curve_as_it_says():
    def arrived(**given):
        model = catchup.CatchUpModel({}, rng=1, events=[DatedEvent(1995, new_generation=True, **given)])
        model.run_for(21)  # the generation arrives in the step starting 1995
        return model.technology.generations[1].progress

    assert arrived(generation_progress=0.4) > 0.4 > arrived() > 0.1


def test_a_pair_with_an_invalid_run_is_left_undecided_and_said_so():
    """Overflowing runs have no outcome: their windows are neither seized nor not seized."""
    scenario = parse_scenario(
        {
            "name": "overflow",
            "start_year": 1800,
            "end_year": 2300,
            "steps_per_year": 1,
            "seeds": 1,
            "base_seed": 3,
            "parameters": {
                "generation_ceiling_ratio": 10.0,
                "generation_hazard": 1.0,
                "generation_entry_boost": 0.0,
                "max_home_firms": 5,
                "max_foreign_firms": 5,
            },
        }
    )
    with pytest.warns(catchup.errors.InvalidRunsWarning, match="undecided"):
        _, windows = seizure(scenario)
    assert len(windows) and not windows["decided"].any() and not windows["seized"].any()
    assert windows["effect_final_home_share_home_market"].isna().all()
    summary = seizure_summary(windows, 1).set_index("type")
    assert (summary["runs_with_window"] == 0).all()
    assert list(summary.index) == ["technological", "demand", "institutional"]
