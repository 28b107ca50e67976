"""The dashboard's model: what is on screen is what `catchup run` gives."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

import catchup
from catchup.config.parameters import parse_assignment
from catchup.model.parameters import BY_NAME, PARAMETERS
from catchup.viz.style import label
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


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.05, "0.05"),
        (0.65, "0.65"),
        (3.0, "3"),
        (1000.0, "1000"),
        (1e6, "1000000"),
        (1e-4, "0.0001"),
        (0.1 + 0.2, "0.3"),
        (-0.2, "-0.2"),
        (-0.0, "0"),
        (1e-7, "0"),
    ],
)
def test_values_are_shown_in_plain_decimals(value, text):
    assert dashboard.format_value(value) == text


def test_every_slider_caption_shows_its_name_value_and_unit():
    for name in dashboard.SLIDERS:
        unit = BY_NAME[name].unit
        assert unit.strip() not in ("", "-")  # the sliders' parameters all have a unit
        assert dashboard.slider_caption(name, 0.05) == f"{label(name)}: 0.05 ({unit})"
        assert dashboard.slider_caption(name, 0.3) == f"{label(name)}: 0.3 ({unit})"


@pytest.mark.parametrize("p", PARAMETERS, ids=lambda p: p.name)
def test_a_caption_never_uses_scientific_notation(p):
    for value in (p.low, p.default, p.high, p.high * 1000, p.high / 1000):
        caption = dashboard.slider_caption(p.name, value)
        shown = re.fullmatch(
            rf"{re.escape(label(p.name))}: (-?\d+(?:\.\d{{1,4}})?) \({re.escape(p.unit)}\)", caption
        )
        assert shown, caption
        assert float(shown[1]) == pytest.approx(value, abs=5e-5)


@pytest.mark.parametrize("unit", ["", "-", " - "])
def test_a_parameter_without_a_unit_shows_just_its_value(monkeypatch, unit):
    table = dict(dashboard.BY_NAME)
    table["publicness"] = replace(table["publicness"], unit=unit)
    monkeypatch.setattr(dashboard, "BY_NAME", table)
    assert dashboard.slider_caption("publicness", 0.25) == "publicness: 0.25"
