"""The dashboard's model: what is on screen is what `catchup run` gives."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import catchup
from catchup.config.parameters import parse_assignment
from tests.conftest import ROOT

dashboard = pytest.importorskip("catchup.dashboard.app", reason="needs the dashboard extra (solara)")


@pytest.fixture(autouse=True)
def scenarios(monkeypatch):
    monkeypatch.setenv("CATCHUP_SCENARIOS", str(ROOT / "scenarios"))


def test_every_shipped_scenario_can_be_picked():
    names = set(dashboard.available_scenarios())
    assert {"baseline", "paradigm_change", "home_niche", "procurement", "all_closed"} <= names
    # the historical cases are offered in their calibrated form
    assert dashboard.available_scenarios()["speech"].name == "speech.calibrated.toml"


def test_picking_a_scenario_moves_the_sliders_to_its_values():
    scenarios = dashboard.available_scenarios()
    settings = dashboard.settings_for("paradigm_change", seed=3, scenarios=scenarios)
    assert settings["technology_maturity"] == 0.8 and settings["knowledge_cumulativeness"] == 0.1
    assert set(dashboard.SLIDERS) <= set(settings)


def test_the_run_on_screen_is_reproduced_by_the_command_shown():
    scenarios = dashboard.available_scenarios()
    settings = dashboard.settings_for("paradigm_change", seed=7, scenarios=scenarios)
    settings["niche_market_size"] = 0.3  # a moved slider
    model = dashboard.DashboardModel(settings)
    for _ in range(model.n_steps + 3):  # stepping past the end stops the model
        model.step()
    assert not model.running and len(model.trajectory["year"]) == model.n_steps
    command = dashboard.reproduce_command(scenarios["paradigm_change"], settings)
    assert "--base-seed 7" in command and "--set niche_market_size=0.3" in command
    overrides = dict(parse_assignment(a.strip(" `")) for a in command.split("--set ")[1:])
    scenario = catchup.with_overrides(catchup.load_scenario(scenarios["paradigm_change"]), overrides, seeds=1)
    result = catchup.run(replace(scenario, base_seed=7))
    np.testing.assert_allclose(
        result.trajectories["relative_capability"].to_numpy(),
        np.asarray(model.trajectory["relative_capability"]),
    )
