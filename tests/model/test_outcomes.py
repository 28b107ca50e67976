"""Per-run outcomes from a trajectory."""

from __future__ import annotations

import math

import numpy as np

from catchup.model.outcomes import first_year, leadership_lost_year, milestone_years, run_outcomes
from catchup.model.windows import Window


def test_first_year_is_nan_when_never():
    years = np.array([2000.0, 2000.25, 2000.5])
    assert first_year(years, np.array([False, True, True])) == 2000.25
    assert math.isnan(first_year(years, np.zeros(3, bool)))


def test_outcomes_read_catch_up_leadership_and_mission_years():
    years = 2000 + np.arange(8) / 4
    traj = {
        "year": years,
        "relative_capability": np.array([0.2, 0.5, 0.89, 0.91, 0.95, np.nan, 1.0, 1.0]),
        "home_share_home_market": np.array([0, 0.1, 0.3, 0.5, 0.51, 0.6, 0.6, 0.7]),
        "home_share_world_market": np.linspace(0, 0.4, 8),
        "home_firms_alive": np.array([4, 4, 3, 3, 3, 2, 2, 2]),
        "mission_active": np.array([0, 0, 1, 1, 1, 1, 1, 1]),
        "mission_progress": np.array([0.9, 0.9, 0.5, 0.7, 0.85, 0.3, 0.6, 0.9]),
        "generation": np.array([0, 0, 0, 0, 0, 1, 1, 1]),
        "largest_home_firm_share": np.array([0, 0.1, 0.2, 0.3, 0.3, 0.35, 0.3, 0.3]),
    }
    windows = [
        Window("demand", 2000.25, 2001.0, True, False),
        Window("technological", 2000, 2001, False, False),
    ]
    row = run_outcomes(traj, windows, catch_up_threshold=0.9, mission_target=0.8)
    assert row["catch_up_year"] == 2000.75
    assert row["leadership_year"] == 2001.0  # strictly above one half
    assert row["mission_year"] == 2001.0  # only while the mission is active
    assert row["mission_year_2"] == 2001.75  # the target reached again in the new generation
    assert math.isnan(row["mission_year_3"])
    assert row["final_home_share_world_market"] == 0.4
    assert row["final_home_firms_alive"] == 2
    assert row["windows_opened"] == 2 and row["windows_rose"] == 1
    assert row["demand_windows_rose"] == 1 and row["technological_windows_rose"] == 0
    assert row["institutional_windows"] == 0
    assert row["max_largest_home_firm_share"] == 0.35 and row["final_largest_home_firm_share"] == 0.3
    assert math.isnan(row["leadership_lost_year"])  # led from 2001 and never fell back


def test_milestones_are_the_first_reach_in_each_generation_in_order():
    years = 1960 + np.arange(8)
    generation = np.array([0, 0, 1, 1, 1, 2, 2, 2])
    reached = np.array([False, True, False, False, True, True, True, False])
    assert milestone_years(years, generation, reached) == [1961.0, 1964.0, 1965.0]
    # a generation whose target is never reached is no milestone: the next one moves up
    skipped = milestone_years(years, generation, reached & (generation != 1))
    assert skipped[:2] == [1961.0, 1965.0] and math.isnan(skipped[2])


def test_leadership_lost_is_the_first_fall_to_half_after_leading():
    years = 2000 + np.arange(6)
    assert leadership_lost_year(years, np.array([0.1, 0.6, 0.7, 0.5, 0.6, 0.4])) == 2003.0
    assert math.isnan(leadership_lost_year(years, np.array([0.1, 0.4, 0.5, 0.5, 0.2, 0.1])))


def test_a_run_whose_capabilities_overflow_is_marked_not_read_as_zero():
    from catchup.config.scenario import parse_scenario
    from catchup.model.simulate import simulate

    scenario = parse_scenario(
        {
            "name": "overflow",
            "start_year": 1800,
            "end_year": 2300,
            "steps_per_year": 1,
            "parameters": {"generation_hazard": 1.0, "generation_ceiling_ratio": 10.0},
        }
    )
    row = simulate(scenario, 0, 1).row
    assert row["valid"] is False and "frontier left the floating-point range" in row["problem"]
    assert math.isnan(row["final_relative_capability"]) and math.isnan(row["max_relative_capability"])
    assert row["cycle"] == "invalid"
    fine = simulate(parse_scenario({"name": "fine", "end_year": 2000}), 0, 1).row
    assert fine["valid"] is True and fine["problem"] == ""
